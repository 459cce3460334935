#!/usr/bin/env bash
# The gateway's cluster as local processes, the topology of docker-compose.cluster.yml without Docker: HAProxy
# (TLS, health checks on /healthz/ready) in front of N edges, 2 silos clustered through Redis, 2 registry replicas
# (Debian's docker-registry 2.8) sharing one storage folder and one http.secret, a demo user, a self-signed CA.
#
# usage: deploy/local-cluster.sh up [--ha] [--ldap] [EDGES]  start it all (EDGES edges, default 2) behind https://127.0.0.1:5443;
#                                                        --ha: Redis as a primary, a replica and 3 Sentinels (failover)
#                                                        --ldap: an OpenLDAP directory (slapd) with demo users alice
#                                                        (group ci) and bob (group web), next to htpasswd
#        deploy/local-cluster.sh status                  what runs, HAProxy's view of each edge, readiness; rc 0 up, 1 partly, 3 down
#        deploy/local-cluster.sh env                     export lines for a shell: eval "$(deploy/local-cluster.sh env)"
#        deploy/local-cluster.sh add-edge                start one more edge; HAProxy sends it requests once it is ready
#        deploy/local-cluster.sh remove-edge [N]         SIGTERM edge N (default: the newest): it drains, then leaves HAProxy
#        deploy/local-cluster.sh lock-status USER        a user's failures and locks (the admin endpoint)
#        deploy/local-cluster.sh unlock USER [ADDRESS]   clear a user's locks (every address, or one)
#        deploy/local-cluster.sh machine-account NAME [SCOPE...]  create robot$NAME (default scope repository:demo/*:pull,push)
#        deploy/local-cluster.sh down                    stop everything 'up' started, check its ports are free (state is kept)
#        deploy/local-cluster.sh demo-image [DIR]        (re)make the demo image files: DIR/layer.tar, DIR/hello.tar (oci-archive)
#        deploy/local-cluster.sh compose-secrets [DIR]   write the files docker-compose.cluster.yml (and .ldap.yml) read (default deploy/secrets)
#
# Needs root (it runs itself through sudo when started by another user) and the .NET 10 SDK. Installs what is
# missing with apt-get, quietly (output in $GATEWAY_LOCAL_DIR/logs/apt.log): haproxy, redis-server, docker-registry,
# apache2-utils, openssl, curl, skopeo, iproute2, docker.io and containerd (and slapd, ldap-utils for --ldap). A running Docker daemon is used as it is;
# without one, 'up' starts a private one for the cluster (state in $GATEWAY_LOCAL_DIR/docker, stopped by 'down').
# Environment: GATEWAY_LOCAL_DIR (state, default /tmp/registry-gateway-local), GATEWAY_PORT (5443, HAProxy),
# HAPROXY_STATS_PORT (5404), EDGE_BASE_PORT (5500: edge N listens on 5500+N), SILO_BASE_PORT (5600: silo N's health
# on 5600+N), ORLEANS_SILO_PORT (11111) and ORLEANS_GATEWAY_PORT (30000) (silo N on +N-1), REGISTRY_PORT (5000; the
# second replica on +1), REDIS_PORT (6390; with --ha the replica on +1), SENTINEL_PORT (26390: with --ha the three
# Sentinels on +0, +1, +2), LDAP_PORT (3890: with --ldap, slapd's ldap:// with StartTLS), DRAIN_DELAY (00:00:03), GATEWAY_BIN (a folder holding a built
# Gateway.Host.dll; default: src/Gateway.Host is published into the state folder), GATEWAY_DOCKER (auto: the
# running daemon, else a private one; private; none).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
state=${GATEWAY_LOCAL_DIR:-/tmp/registry-gateway-local}
state=${state%/}
lb_port=${GATEWAY_PORT:-5443}
stats_port=${HAPROXY_STATS_PORT:-5404}
edge_base=${EDGE_BASE_PORT:-5500}
silo_base=${SILO_BASE_PORT:-5600}
orleans_silo_port=${ORLEANS_SILO_PORT:-11111}
orleans_gateway_port=${ORLEANS_GATEWAY_PORT:-30000}
registry_port=${REGISTRY_PORT:-5000}
redis_port=${REDIS_PORT:-6390}
sentinel_port=${SENTINEL_PORT:-26390}
ldap_port=${LDAP_PORT:-3890}
drain_delay=${DRAIN_DELAY:-00:00:03}
docker_choice=${GATEWAY_DOCKER:-auto}
shutdown_timeout=00:01:00
bin=${GATEWAY_BIN:-$state/bin}
docker_dir=$state/docker
demo_repo=demo/hello
# Every process the script starts has $marker=$state in its environment (inherited by its children); processes of
# these programs that name $state/ on their command line or work in it are the cluster's too (older versions).
marker=GATEWAY_LOCAL_CLUSTER_PROCESS
own_programs='^(haproxy|redis-server|redis-sentinel|docker-registry|dotnet|dockerd|containerd|containerd-shim|docker-init|slapd)$'
user_pattern='^[A-Za-z0-9._@$-]{1,128}$'
address_pattern='^[0-9A-Fa-f.:]+$'
machine_pattern='^[a-z0-9]([a-z0-9._-]{0,62}[a-z0-9])?$'
scope_pattern='^[A-Za-z0-9._/*:,-]+$'

usage() { sed -n '/^# usage:/,/^#$/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 2; }
fail() { echo "$*" >&2; exit 1; }

validate() { # the settings, before anything is done: exit code 2 naming the variable
  local v
  for v in GATEWAY_PORT HAPROXY_STATS_PORT EDGE_BASE_PORT SILO_BASE_PORT ORLEANS_SILO_PORT ORLEANS_GATEWAY_PORT REGISTRY_PORT REDIS_PORT SENTINEL_PORT LDAP_PORT; do
    [ -z "${!v:-}" ] || { [[ "${!v}" =~ ^[1-9][0-9]{0,4}$ ]] && [ "${!v}" -le 65435 ]; } \
      || { echo "$v must be a port number from 1 to 65435 (was '${!v}')" >&2; exit 2; }
  done
  [[ "$drain_delay" =~ ^[0-9]{2}:[0-5][0-9]:[0-5][0-9]$ ]] || { echo "DRAIN_DELAY must be hh:mm:ss (was '$drain_delay')" >&2; exit 2; }
  [[ "$docker_choice" =~ ^(auto|private|none)$ ]] || { echo "GATEWAY_DOCKER must be auto, private or none (was '$docker_choice')" >&2; exit 2; }
  [[ "$state" == /* ]] || { echo "GATEWAY_LOCAL_DIR must be an absolute path (was '$state')" >&2; exit 2; }
}

t0=$SECONDS
step() { printf '[%3d s] %s\n' "$((SECONDS - t0))" "$*"; }

as_root() { # as_root ARGS...: re-runs this script through sudo unless already root, keeping the settings it reads
  [ "$(id -u)" = 0 ] && return 0
  command -v sudo >/dev/null || fail "deploy/local-cluster.sh $1 needs root: run it in a root shell (sudo is not installed)"
  local keep=() v
  for v in PATH GATEWAY_LOCAL_DIR GATEWAY_PORT HAPROXY_STATS_PORT EDGE_BASE_PORT SILO_BASE_PORT ORLEANS_SILO_PORT \
           ORLEANS_GATEWAY_PORT REGISTRY_PORT REDIS_PORT SENTINEL_PORT LDAP_PORT DRAIN_DELAY GATEWAY_BIN GATEWAY_DOCKER GATEWAY_HOSTNAME \
           DOTNET_ROOT NUGET_PACKAGES; do
    [ -n "${!v:-}" ] && keep+=("$v=${!v}")
  done
  exec sudo env "${keep[@]}" bash "$0" "$@"
}

wait_for() { # wait_for SECONDS COMMAND...: true once COMMAND succeeds (polled every 0.1 s, at most SECONDS)
  local t=$1 deadline=$((SECONDS + $1)); shift
  for _ in $(seq 1 $((t * 10))); do
    "$@" >/dev/null 2>&1 && return 0
    [ "$SECONDS" -lt "$deadline" ] || break
    sleep 0.1
  done
  echo "timed out after $t s waiting for: $*" >&2; return 1
}

started() { # started NAME SECONDS COMMAND...: wait_for, but fails at once when the process NAME has exited
  local name=$1 t=$2 deadline=$((SECONDS + $2)); shift 2
  for _ in $(seq 1 $((t * 10))); do
    "$@" >/dev/null 2>&1 && return 0
    running "$name" || { echo "$name exited; the end of $state/logs/$name.log:" >&2; tail -n 5 "$state/logs/$name.log" >&2; return 1; }
    [ "$SECONDS" -lt "$deadline" ] || break
    sleep 0.1
  done
  echo "$name: timed out after $t s waiting for: $*; see $state/logs/$name.log" >&2; return 1
}

# ---- processes: each one started in its own session (process group), recorded as "PID STARTTIME" ----

proc_start() { # proc_start PID: the process's start time (field 22 of /proc/PID/stat); empty if gone or a zombie
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
  stat=${stat##*) }
  # shellcheck disable=SC2086
  set -- $stat
  [ "$1" = Z ] || echo "${20}"
}

pid_of() { # pid_of NAME: the recorded process's PID while it still runs (same PID and start time), else fails
  local f="$state/pids/$1.pid" pid="" started=""
  [ -f "$f" ] || return 1
  read -r pid started <"$f" || true
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  local now; now=$(proc_start "$pid")
  [ -n "$now" ] && { [ -z "$started" ] || [ "$now" = "$started" ]; } || return 1
  echo "$pid"
}
running() { pid_of "$1" >/dev/null; }

start() { # start NAME COMMAND...: own session, marked, PID and start time recorded, log in $state/logs (the last one kept as .1)
  local name=$1 log="$state/logs/$1.log"; shift
  [ -f "$log" ] && mv -f "$log" "$log.1"
  setsid env "$marker=$state" "$@" >"$log" 2>&1 </dev/null 9>&- &
  local pid=$!
  echo "$pid $(proc_start "$pid")" >"$state/pids/$name.pid"
}

stop_group() { # stop_group SECONDS NAME...: SIGTERM each one's process group, wait for all, SIGKILL what is left
  local t=$1 name pid; shift
  local -A pids=()
  for name in "$@"; do
    if pid=$(pid_of "$name"); then pids[$name]=$pid; kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true; fi
  done
  for _ in $(seq 1 $((t * 10))); do
    for name in "${!pids[@]}"; do running "$name" || unset "pids[$name]"; done
    [ ${#pids[@]} -eq 0 ] && break
    sleep 0.1
  done
  for name in "${!pids[@]}"; do
    echo "  $name (pid ${pids[$name]}) did not stop within $t s after SIGTERM: SIGKILL" >&2
    kill -KILL -- "-${pids[$name]}" 2>/dev/null || kill -KILL "${pids[$name]}" 2>/dev/null || true
  done
  for name in "$@"; do
    for _ in $(seq 1 50); do running "$name" || break; sleep 0.1; done
    running "$name" || rm -f "$state/pids/$name.pid"
  done
}

strays() { # strays: "PID COMMAND" of processes of this cluster (marked, or naming $state) that are in no recorded session
  local d f pid comm cmd cwd stat recorded=" " marked=" "
  for f in "$state"/pids/*.pid; do [ -f "$f" ] && recorded+="$(pid_of "$(basename "$f" .pid)" || true) "; done
  # Everything start() runs, and their children, carry the marker in their environment.
  for f in $(grep -lzx -- "$marker=$state" /proc/[0-9]*/environ 2>/dev/null || true); do
    f=${f#/proc/}; marked+="${f%/environ} "
  done
  for d in /proc/[0-9]*; do
    pid=${d#/proc/}
    [ "$pid" = $$ ] || [ "$pid" = "$BASHPID" ] && continue
    if [[ "$marked" != *" $pid "* ]]; then
      # Unmarked (an older version of this script): one of its programs naming the state folder, or working in it.
      read -r comm 2>/dev/null <"$d/comm" || continue
      [[ "$comm" =~ $own_programs ]] || continue
      cmd=$(tr '\0' ' ' 2>/dev/null <"$d/cmdline") || continue
      cwd=$(readlink "$d/cwd" 2>/dev/null || true)
      [[ "$cmd" == *"$state/"* || "$cwd" == "$state" || "$cwd" == "$state/"* ]] || continue
    fi
    stat=$(cat "$d/stat" 2>/dev/null) || continue
    cmd=$(tr '\0' ' ' 2>/dev/null <"$d/cmdline") || continue
    stat=${stat##*) }
    # shellcheck disable=SC2086
    set -- $stat   # $1 state, $3 process group, $4 session
    [ "$1" != Z ] || continue
    [[ "$recorded" == *" $pid "* || "$recorded" == *" $3 "* || "$recorded" == *" $4 "* ]] || echo "$pid ${cmd:0:160}"
  done
}

# ---- ports ----

cluster_ports() { # cluster_ports: "NAME PORT VARIABLE" for every port the cluster listens on (with the edges recorded so far)
  echo "haproxy $lb_port GATEWAY_PORT"; echo "haproxy-stats $stats_port HAPROXY_STATS_PORT"
  echo "redis $redis_port REDIS_PORT"
  if [ "$(redis_mode)" = ha ]; then
    echo "redis-replica $((redis_port + 1)) REDIS_PORT"
    local n; for n in 1 2 3; do echo "sentinel-$n $((sentinel_port + n - 1)) SENTINEL_PORT"; done
  fi
  echo "registry-0 $registry_port REGISTRY_PORT"; echo "registry-1 $((registry_port + 1)) REGISTRY_PORT"
  [ "$(ldap_mode)" != on ] || echo "slapd $ldap_port LDAP_PORT"
  local s i
  for s in 1 2; do
    echo "silo-$s $((silo_base + s)) SILO_BASE_PORT"
    echo "silo-$s $((orleans_silo_port + s - 1)) ORLEANS_SILO_PORT"
    echo "silo-$s $((orleans_gateway_port + s - 1)) ORLEANS_GATEWAY_PORT"
  done
  for i in $(edge_numbers); do echo "edge-$i $((edge_base + i)) EDGE_BASE_PORT"; done
}

edge_numbers() { # the edges started so far: from the rotation and from pid files, or 1..EDGES before 'up' records them
  { [ -f "$state/edges" ] && cat "$state/edges"
    local f; for f in "$state"/pids/edge-*.pid; do [ -f "$f" ] && { f=${f##*edge-}; echo "${f%.pid}"; }; done
  } | sort -nu
}

listener() { # listener PORT: what listens on 127.0.0.1:PORT or any address (ss), empty if nothing
  ss -Hltnp "( sport = :$1 )" 2>/dev/null | awk '{ $1=$2=$3=""; print }' | sed 's/^ *//' | head -n 3
}

# ---- packages ----

need_packages() { # need_packages: the Debian packages to install for what is missing on this machine
  local need=()
  command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || need+=(haproxy)
  command -v redis-server >/dev/null || need+=(redis-server)
  [ "$(redis_mode)" != ha ] || command -v redis-sentinel >/dev/null || need+=(redis-sentinel)
  command -v docker-registry >/dev/null || need+=(docker-registry)
  if [ "$(ldap_mode)" = on ]; then
    command -v slapd >/dev/null || [ -x /usr/sbin/slapd ] || need+=(slapd)
    command -v ldapadd >/dev/null || need+=(ldap-utils)
  fi
  command -v htpasswd >/dev/null || need+=(apache2-utils)
  command -v openssl >/dev/null || need+=(openssl)
  command -v curl >/dev/null || need+=(curl)
  command -v skopeo >/dev/null || need+=(skopeo)
  command -v ss >/dev/null || need+=(iproute2)
  command -v flock >/dev/null || need+=(util-linux)
  if [ "$docker_choice" != none ]; then
    command -v dockerd >/dev/null || need+=(docker.io)
    command -v containerd >/dev/null || need+=(containerd)
  fi
  echo "${need[*]}"
}

install_missing() {
  command -v dotnet >/dev/null || fail "the .NET 10 SDK is needed (dotnet on PATH): https://learn.microsoft.com/dotnet/core/install/linux-debian"
  local need
  need=$(need_packages)
  [ -z "$need" ] && return 0
  local log="$state/logs/apt.log"
  step "installing with apt-get: $need (2 to 5 minutes on a fresh machine; output in $log)"
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive NEEDRESTART_MODE=a NEEDRESTART_SUSPEND=1 \
    run_logged "$log" 1800 sh -c "apt-get update -q && apt-get install -y -q --no-install-recommends $need" \
    || { echo "apt-get failed; the end of $log:" >&2; tail -n 15 "$log" >&2; exit 1; }
  # Debian starts its own units for what it just installed, on the default ports (docker-registry on :5000 ...):
  # the cluster runs its own copies, so these (new on this machine) are stopped and disabled.
  local unit
  for unit in haproxy redis-server redis-sentinel docker-registry slapd; do
    [[ " $need " == *" $unit "* ]] && systemctl disable --now "$unit" >>"$log" 2>&1 || true
  done
  step "installed"
}

run_logged() { # run_logged LOG SECONDS COMMAND...: output to LOG; prints the build's finished projects and a line every 20 s
  local log=$1 limit=$2 shown=0 waited=0 pid rc=0 lines; shift 2
  "$@" >>"$log" 2>&1 </dev/null 9>&- &
  pid=$!
  while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt "$limit" ]; do
    sleep 1; waited=$((waited + 1))
    lines=$(grep ' -> ' "$log" 2>/dev/null | sed 's/^ *\([^ ]*\) -> .*/\1/' | awk '!seen[$0]++' || true)
    if [ -n "$lines" ] && [ "$(wc -l <<<"$lines")" -gt "$shown" ]; then
      tail -n +$((shown + 1)) <<<"$lines" | sed 's/^/          built /'
      shown=$(wc -l <<<"$lines")
    elif [ $((waited % 20)) = 0 ]; then
      echo "          ... still working ($waited s)"
    fi
  done
  if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid" 2>/dev/null || true; echo "gave up after $limit s" >>"$log"; fi
  wait "$pid" || rc=$?
  return "$rc"
}

# ---- files ----

make_certificate() { # make_certificate DIR [EXTRA_SAN]: ca.crt/ca.key and domain.crt/domain.key for 127.0.0.1, localhost
  local dir=$1 san="IP:127.0.0.1,DNS:localhost${2:+,$2}"
  [ -f "$dir/domain.crt" ] && return 0
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=Registry Gateway local CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$dir/domain.key" -out "$dir/domain.csr" 2>/dev/null
  printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' "$san" >"$dir/ext.cnf"
  openssl x509 -req -in "$dir/domain.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
    -days 30 -extfile "$dir/ext.cnf" -out "$dir/domain.crt" 2>/dev/null
  rm -f "$dir/domain.csr" "$dir/ext.cnf"
}

random_secret() { head -c 32 /dev/urandom | base64 | tr -d '/+=\n'; }

private_file() { # private_file PATH: creates PATH (mode 0600) with stdin
  (umask 077 && cat >"$1")
}

sha256() { sha256sum "$1" | cut -d ' ' -f 1; }

demo_image() { # demo_image DIR: a one-file image made here, offline: DIR/layer.tar (for docker import) and DIR/hello.tar (oci-archive)
  local dir=$1 arch
  mkdir -p "$dir/rootfs" "$dir/oci/blobs/sha256"
  arch=$(dpkg --print-architecture 2>/dev/null || echo amd64)
  printf 'Hello from the Registry Gateway demo image.\nMade by deploy/local-cluster.sh on this machine, without the internet.\n' >"$dir/rootfs/hello.txt"
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$dir/rootfs" -cf "$dir/layer.tar" hello.txt
  gzip -9 -n -c "$dir/layer.tar" >"$dir/layer.tar.gz"
  local diff_id layer layer_size config config_size manifest manifest_size
  diff_id=$(sha256 "$dir/layer.tar")
  layer=$(sha256 "$dir/layer.tar.gz"); layer_size=$(stat -c %s "$dir/layer.tar.gz")
  mv "$dir/layer.tar.gz" "$dir/oci/blobs/sha256/$layer"
  printf '{"architecture":"%s","os":"linux","created":"1970-01-01T00:00:00Z","config":{},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created":"1970-01-01T00:00:00Z","created_by":"deploy/local-cluster.sh demo-image: hello.txt"}]}' \
    "$arch" "$diff_id" >"$dir/config.json"
  config=$(sha256 "$dir/config.json"); config_size=$(stat -c %s "$dir/config.json")
  mv "$dir/config.json" "$dir/oci/blobs/sha256/$config"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' \
    "$config" "$config_size" "$layer" "$layer_size" >"$dir/manifest.json"
  manifest=$(sha256 "$dir/manifest.json"); manifest_size=$(stat -c %s "$dir/manifest.json")
  mv "$dir/manifest.json" "$dir/oci/blobs/sha256/$manifest"
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"1"}}]}' \
    "$manifest" "$manifest_size" >"$dir/oci/index.json"
  printf '{"imageLayoutVersion":"1.0.0"}' >"$dir/oci/oci-layout"
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$dir/oci" -cf "$dir/hello.tar" .
  rm -rf "$dir/rootfs" "$dir/oci"
}

# ---- Docker engine: the machine's, or a private one (containerd + dockerd, all state in $docker_dir) ----

docker_mode() { cat "$state/docker-mode" 2>/dev/null || echo none; }
docker_host() { [ "$(docker_mode)" = private ] && echo "unix://$docker_dir/docker.sock" || echo "${DOCKER_HOST:-}"; }
docker_cli() { # docker_cli ARGS...: the docker CLI against the cluster's engine (its own CLI config, never ~/.docker)
  local host; host=$(docker_host)
  env DOCKER_CONFIG="$state/docker-cli" DOCKER_CLI_HINTS=false ${host:+"DOCKER_HOST=$host"} docker "$@"
}

outside_dirs() { # the empty folders dockerd/containerd create outside $docker_dir
  echo /run/docker/plugins /run/docker /run/containerd/s /run/containerd
  local c; for c in /sys/fs/cgroup/*/; do echo "${c}docker"; done
}

start_private_docker() {
  mkdir -p "$docker_dir/ctrd" "$state/docker-cli"
  local d pre=()
  for d in $(outside_dirs); do [ -d "$d" ] && pre+=("$d"); done
  printf '%s\n' "${pre[@]}" >"$docker_dir/outside-dirs-before"
  cat >"$docker_dir/ctrd/config.toml" <<TOML
version = 2
root = "$docker_dir/ctrd/root"
state = "$docker_dir/ctrd/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs"]
[grpc]
  address = "$docker_dir/ctrd/containerd.sock"
[ttrpc]
  address = "$docker_dir/ctrd/containerd.sock.ttrpc"
[debug]
  address = ""
[plugins]
  [plugins."io.containerd.internal.v1.opt"]
    path = "$docker_dir/ctrd/opt"
TOML
  # docker-init (tini) -s: a subreaper for the shims of 'docker run' containers.
  start containerd /usr/bin/docker-init -s -- containerd --config "$docker_dir/ctrd/config.toml"
  started containerd 30 ctr --address "$docker_dir/ctrd/containerd.sock" version || return 1
  # The libtrust key goes to the state folder, not /etc/docker/key.json (no command-line flag for it in 20.10).
  printf '{ "deprecated-key-path": "%s/key.json" }\n' "$docker_dir" >"$docker_dir/daemon.json"
  start dockerd dockerd --config-file "$docker_dir/daemon.json" --host "unix://$docker_dir/docker.sock" \
    --containerd "$docker_dir/ctrd/containerd.sock" --data-root "$docker_dir/data" --exec-root "$docker_dir/exec" \
    --pidfile "$docker_dir/docker.pid" --iptables=false --ip6tables=false --ip-masq=false --bridge=none --storage-driver=vfs
  started dockerd 60 docker_cli version || return 1
}

docker_up() { # chooses and starts the engine; imports the demo image into it
  case "$docker_choice" in
    none) echo none >"$state/docker-mode"; return 0 ;;
    auto|private) ;;
    *) echo "GATEWAY_DOCKER must be auto, private or none (was '$docker_choice')" >&2; exit 2 ;;
  esac
  mkdir -p "$state/docker-cli"
  if [ "$docker_choice" = auto ] && DOCKER_CONFIG="$state/docker-cli" docker version >/dev/null 2>&1; then
    echo system >"$state/docker-mode"
    step "Docker: using the daemon that runs on this machine (${DOCKER_HOST:-unix:///var/run/docker.sock})"
  else
    echo private >"$state/docker-mode"
    step "Docker: no daemon answers; starting a private one for the cluster (state in $docker_dir, stopped by 'down')"
    if ! start_private_docker; then
      docker_down
      echo failed >"$state/docker-mode"
      echo "WARNING: the cluster runs, but without Docker: the private engine did not start (above). Push with skopeo" >&2
      echo "  (below), or start a Docker daemon (e.g. systemctl start docker) and import the demo image yourself:" >&2
      echo "  docker import $state/demo/layer.tar 127.0.0.1:$lb_port/$demo_repo:1" >&2
      return 0
    fi
  fi
  if ! docker_cli import --message "deploy/local-cluster.sh demo image" "$state/demo/layer.tar" "127.0.0.1:$lb_port/$demo_repo:1" >/dev/null; then
    echo "WARNING: could not import the demo image into Docker; try: docker import $state/demo/layer.tar 127.0.0.1:$lb_port/$demo_repo:1" >&2
  fi
}

docker_down() {
  case "$(docker_mode)" in
    system) docker_cli rmi "127.0.0.1:$lb_port/$demo_repo:1" >/dev/null 2>&1 || true ;;
    private)
      stop_group 30 dockerd
      stop_group 15 containerd
      # containerd-shims of 'docker run' containers live in their own sessions.
      local pid rest
      while read -r pid rest; do kill -KILL "$pid" 2>/dev/null || true; done < <(strays | grep -E 'containerd-shim' || true)
      local m
      while read -r m; do
        [ -z "$m" ] || umount -n "$m" 2>/dev/null || umount -n -l "$m" || true
      done < <(findmnt -rn -o TARGET 2>/dev/null | { grep "^$docker_dir/" || true; } | sort -r)
      local d
      for d in $(outside_dirs); do
        grep -qx "$d" "$docker_dir/outside-dirs-before" 2>/dev/null || rmdir "$d" 2>/dev/null || true
      done
      ;;
  esac
}

# ---- edges and HAProxy ----

edges_in_rotation() { [ -f "$state/edges" ] && cat "$state/edges" || true; }

edge_env() { # edge_env N: the edge's configuration, for env(1)
  echo Gateway__Role=edge
  echo "Gateway__Backend__Urls__0=http://127.0.0.1:$registry_port"
  echo "Gateway__Backend__Urls__1=http://127.0.0.1:$((registry_port + 1))"
  echo "Gateway__Auth__HtpasswdFile=$state/htpasswd"
  echo "Gateway__Network__KnownProxies__0=127.0.0.1"   # HAProxy: X-Forwarded-For/Proto are taken from it only
  echo "Gateway__Admin__Token=$(cat "$state/admin-token")"
  echo "Kestrel__Endpoints__Http__Url=http://127.0.0.1:$((edge_base + $1))"
  [ "$(ldap_mode)" != on ] || ldap_edge_env
}

cluster_env() {
  echo Gateway__Cluster__Provider=redis
  if [ "$(redis_mode)" = ha ]; then
    echo "Gateway__Cluster__Redis=127.0.0.1:$sentinel_port,127.0.0.1:$((sentinel_port + 1)),127.0.0.1:$((sentinel_port + 2)),serviceName=gateway"
  else
    echo "Gateway__Cluster__Redis=127.0.0.1:$redis_port"
  fi
  echo Gateway__Cluster__ClusterId=local
  echo "Gateway__Cluster__Secret=$(cat "$state/cluster-secret")"
  echo "Gateway__Shutdown__DrainDelay=$drain_delay"
  echo "Gateway__Shutdown__Timeout=$shutdown_timeout"
  # /metrics on each node's own loopback port (HAProxy refuses it from clients): the default management port 9464
  # would be taken by the first node on this one machine.
  echo Gateway__Telemetry__MetricsPort=0
}

start_edge() { # start_edge N (does not wait)
  local vars=()
  mapfile -t vars < <(edge_env "$1"; cluster_env)
  start "edge-$1" env "${vars[@]}" dotnet "$bin/Gateway.Host.dll"
}

wait_ready() { # wait_ready NAME PORT
  started "$1" 90 curl -sf "http://127.0.0.1:$2/healthz/ready" || fail "$1 did not become ready"
}

write_edges_cfg() { # the backend's server list, from $state/edges
  { echo "# written by deploy/local-cluster.sh: the edges in rotation"
    echo "backend edges"
    local i
    for i in $(edges_in_rotation); do echo "    server edge-$i 127.0.0.1:$((edge_base + i))"; done
  } >"$state/haproxy/edges.cfg.new"
  mv "$state/haproxy/edges.cfg.new" "$state/haproxy/edges.cfg"
}

haproxy_loads() { grep -c 'Loading success' "$state/logs/haproxy.log" 2>/dev/null || true; }

reload_haproxy() { # graceful: the master starts a new worker; the old one finishes its transfers, then exits
  local before
  before=$(haproxy_loads)
  kill -USR2 "$(pid_of haproxy)"
  wait_for 10 reloaded_since "$before" || fail "HAProxy did not reload; see $state/logs/haproxy.log"
}

edge_status() { # edge_status N: HAProxy's status of edge-N (UP, DOWN, ...), empty if unknown
  curl -s "http://127.0.0.1:$stats_port/;csv" | awk -F, -v s="edge-$1" '$1 == "edges" && $2 == s { print $18 }'
}
edge_is() { [ "$(edge_status "$1")" = "$2" ]; }       # edge_is N STATUS
edge_is_not() { [ "$(edge_status "$1")" != "$2" ]; }
reloaded_since() { [ "$(haproxy_loads)" -gt "$1" ]; }  # reloaded_since COUNT

start_haproxy() {
  start haproxy env GW_LB_BIND="127.0.0.1:$lb_port" GW_LB_CERT="$state/tls/haproxy.pem" GW_LB_STATS_BIND="127.0.0.1:$stats_port" \
    haproxy -W -db -f "$repo/deploy/haproxy/local.cfg" -f "$state/haproxy/edges.cfg"
  started haproxy 10 curl -sf -o /dev/null "http://127.0.0.1:$stats_port/" || fail "HAProxy did not start"
}

# ---- Redis with failover (up --ha): the topology of docker-compose.cluster.yml and the Kubernetes manifests ----

start_redis_ha() { # a primary and a replica (append-only file every second), 3 Sentinels: quorum 2, down after 5 s
  local dir="$state/redis" n port
  # Fresh data and Sentinel files each time: a Sentinel file remembers the primary of the last run.
  rm -rf "$dir" && mkdir -p "$dir"/{primary,replica}
  start redis redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly yes --appendfsync everysec \
    --dir "$dir/primary"
  started redis 10 redis-cli -p "$redis_port" ping || fail "Redis did not start"
  start redis-replica redis-server --port "$((redis_port + 1))" --bind 127.0.0.1 --save "" --appendonly yes \
    --appendfsync everysec --dir "$dir/replica" --replicaof 127.0.0.1 "$redis_port"
  started redis-replica 10 sh -c "redis-cli -p $((redis_port + 1)) info replication | grep -q master_link_status:up" \
    || fail "the Redis replica did not sync with the primary"
  for n in 1 2 3; do
    port=$((sentinel_port + n - 1))
    mkdir -p "$dir/sentinel-$n"
    cat >"$dir/sentinel-$n/sentinel.conf" <<CONF
port $port
bind 127.0.0.1
dir $dir/sentinel-$n
sentinel monitor gateway 127.0.0.1 $redis_port 2
sentinel down-after-milliseconds gateway 5000
sentinel failover-timeout gateway 60000
sentinel parallel-syncs gateway 1
CONF
    start "sentinel-$n" redis-sentinel "$dir/sentinel-$n/sentinel.conf"
  done
  for n in 1 2 3; do
    port=$((sentinel_port + n - 1))
    started "sentinel-$n" 20 sh -c "redis-cli -p $port sentinel master gateway | grep -A1 -x num-other-sentinels | tail -n 1 | grep -qx 2" \
      || fail "Sentinel $n did not find the other Sentinels"
  done
}

# ---- the demo directory (up --ldap): Debian's slapd, its own configuration and database under $state/ldap ----

ldap_base=dc=example,dc=test
ldap_service_dn="cn=registry-gateway,ou=services,$ldap_base"
ldap_users="alice bob"   # the users of deploy/ldap/demo.ldif

ldap_mode() { cat "$state/ldap-mode" 2>/dev/null || echo off; }   # off, or on (up --ldap)

ldap_edge_env() { # the edges' identity sources with the directory: machine accounts, LDAP, htpasswd (in that order)
  echo Gateway__Auth__Providers__0=machine-accounts
  echo Gateway__Auth__Providers__1=ldap
  echo Gateway__Auth__Providers__2=htpasswd
  echo "Gateway__Auth__AclFile=$state/acl.yml"
  echo "Gateway__Ldap__Servers__0=ldap://127.0.0.1:$ldap_port"
  # StartTLS, checked against the cluster's CA (slapd has the cluster's certificate): the passwords never cross in clear.
  echo Gateway__Ldap__StartTls=true
  echo "Gateway__Ldap__CaFile=$state/tls/ca.crt"
  echo "Gateway__Ldap__BaseDn=$ldap_base"
  echo "Gateway__Ldap__BindDn=$ldap_service_dn"
  echo "Gateway__Ldap__BindPasswordFile=$state/ldap/bind-password"
  echo 'Gateway__Ldap__UserFilter=(&(objectClass=inetOrgPerson)(uid=${account}))'
  echo 'Gateway__Ldap__GroupFilter=(&(objectClass=groupOfNames)(member=${dn}))'
}

ssha() { # ssha FILE: the {SSHA} userPassword value (salted SHA-1, slapd's default scheme) of the password in FILE
  local salt; salt=$(mktemp)
  head -c 8 /dev/urandom >"$salt"
  printf '{SSHA}%s' "$(cat "$1" "$salt" | openssl dgst -sha1 -binary | cat - "$salt" | base64 -w 0)"
  rm -f "$salt"
}

ldap_password_file() { # ldap_password_file PATH: a random password (16 characters, no newline: ldapadd -y reads it all)
  [ -f "$1" ] || printf '%s' "$(random_secret | cut -c 1-16)" | private_file "$1"
}

start_ldap() { # slapd on 127.0.0.1:$ldap_port (StartTLS with the cluster's certificate), a fresh database with the demo entries
  local dir="$state/ldap" user
  # A fresh database each 'up' (the passwords stay in their files): nothing of an earlier run can be half there.
  rm -rf "$dir/db" && mkdir -p "$dir/db" && chmod 700 "$dir"
  ldap_password_file "$dir/admin-password"
  ldap_password_file "$dir/bind-password"
  for user in $ldap_users; do ldap_password_file "$dir/$user-password"; done
  (umask 077 && cat >"$dir/slapd.conf") <<CONF
# Written by deploy/local-cluster.sh up --ldap. Only the stock schema is read from /etc/ldap; the system's slapd
# (if any) and its database are not touched.
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile $dir/slapd.pid
argsfile $dir/slapd.args
TLSCertificateFile $state/tls/domain.crt
TLSCertificateKeyFile $state/tls/domain.key
loglevel stats

database mdb
suffix "$ldap_base"
rootdn "cn=admin,$ldap_base"
rootpw $(ssha "$dir/admin-password")
directory $dir/db
maxsize 67108864
access to attrs=userPassword
  by anonymous auth
  by * none
access to *
  by users read
  by * none
CONF
  # -d 256: in the foreground, every operation (BIND, SRCH and their results) in $state/logs/slapd.log.
  start slapd slapd -f "$dir/slapd.conf" -h "ldap://127.0.0.1:$ldap_port/" -d 256
  started slapd 15 ldapsearch -x -H "ldap://127.0.0.1:$ldap_port" -b "" -s base namingContexts || fail "slapd did not start"
  local log="$state/logs/ldapadd.log"
  { printf 'dn: %s\nobjectClass: dcObject\nobjectClass: organization\no: Example\ndc: example\n\n' "$ldap_base"
    printf 'dn: ou=services,%s\nobjectClass: organizationalUnit\nou: services\n\n' "$ldap_base"
    printf 'dn: %s\nobjectClass: applicationProcess\nobjectClass: simpleSecurityObject\ncn: registry-gateway\nuserPassword: %s\n\n' \
      "$ldap_service_dn" "$(ssha "$dir/bind-password")"
    cat "$repo/deploy/ldap/demo.ldif"
    echo
    for user in $ldap_users; do
      printf 'dn: uid=%s,ou=people,%s\nchangetype: modify\nreplace: userPassword\nuserPassword: %s\n\n' \
        "$user" "$ldap_base" "$(ssha "$dir/$user-password")"
    done
  } | ldapmodify -a -x -H "ldap://127.0.0.1:$ldap_port" -D "cn=admin,$ldap_base" -y "$dir/admin-password" >"$log" 2>&1 \
    || { echo "loading the demo entries failed; the end of $log:" >&2; tail -n 5 "$log" >&2; exit 1; }
  # The ACL that gives the groups their repositories; a copy, so an edit of it is picked up within 1 s (and 'up' restores it).
  cp "$repo/deploy/ldap/acl.yml" "$state/acl.yml"
}

# ---- the cluster as a whole ----

redis_mode() { cat "$state/redis-mode" 2>/dev/null || echo single; }   # single, or ha (up --ha)

redis_names() { echo redis; [ "$(redis_mode)" != ha ] || echo redis-replica sentinel-1 sentinel-2 sentinel-3; }

components() { # components: the names of the processes of a complete cluster
  redis_names
  echo registry-0 registry-1 silo-1 silo-2
  [ "$(ldap_mode)" != on ] || echo slapd
  local i; for i in $(edges_in_rotation); do echo "edge-$i"; done
  echo haproxy
  [ "$(docker_mode)" = private ] && echo containerd dockerd
  return 0
}

count_running() { # count_running: "RUNNING EXPECTED" over components(), and every pid file
  local n=0 total=0 name
  for name in $(components); do total=$((total + 1)); running "$name" && n=$((n + 1)); done
  echo "$n $total"
}

any_running() { # any_running: true if any recorded process still runs
  local f; for f in "$state"/pids/*.pid; do [ -f "$f" ] && running "$(basename "$f" .pid)" && return 0; done; return 1
}

take_lock() { # one command at a time changes the cluster; fd 9 is closed for everything started
  mkdir -p "$state"
  exec 9>"$state/.lock"
  if ! flock -n 9; then
    echo "another deploy/local-cluster.sh command is changing $state; waiting for it (up to 10 min)..." >&2
    flock -w 600 9 || fail "gave up waiting for the lock on $state/.lock"
  fi
}

publish_gateway() {
  local stamp="$bin/.published"
  if [ -f "$stamp" ] && [ -f "$bin/Gateway.Host.dll" ] && [ -z "$(find "$repo/src" "$repo"/Directory.*.props \
        \( -name bin -o -name obj \) -prune -o -newer "$stamp" -type f -print -quit 2>/dev/null)" ]; then
    step "the gateway in $bin is up to date"
    return 0
  fi
  local log="$state/logs/build.log"
  : >"$log"
  step "building the gateway: dotnet publish (1 to 3 minutes the first time, restoring packages; output in $log)"
  run_logged "$log" 1200 dotnet publish "$repo/src/Gateway.Host" -c Release -o "$bin" -nologo \
      -nodeReuse:false -p:UseSharedCompilation=false \
    || { echo "the build failed; the end of $log:" >&2; tail -n 20 "$log" >&2; exit 1; }
  touch "$stamp"
}

redis_summary() {
  if [ "$(redis_mode)" = ha ]; then
    echo "Redis :$redis_port and replica :$((redis_port + 1)) with Sentinels :$sentinel_port-$((sentinel_port + 2))"
  else
    echo "Redis on :$redis_port"
  fi
}

ldap_logins() { # "alice (password …), bob (password …)"
  local user sep=""
  for user in $ldap_users; do printf '%s%s (password %s)' "$sep" "$user" "$(cat "$state/ldap/$user-password")"; sep=", "; done
}

report() { # report: how to reach the cluster (what 'up' prints, also when it was already up)
  local edges password mode
  edges=$(edges_in_rotation | wc -l)
  password=$(cat "$state/demo-password")
  mode=$(docker_mode)
  cat <<TXT
Registry Gateway is up: HAProxy on https://127.0.0.1:$lb_port in front of $edges edge(s), 2 silos, $(redis_summary),
2 registry replicas on 127.0.0.1:$registry_port and :$((registry_port + 1)) (one storage folder); state and logs in $state
  user: demo   password: $password   CA certificate: $state/tls/ca.crt
  admin token (for unlock, lock-status, machine-account): $(cat "$state/admin-token")   (file $state/admin-token, mode 0600)
TXT
  case "$mode" in
    private) echo "  Docker: a private engine for this cluster: export DOCKER_HOST=unix://$docker_dir/docker.sock" ;;
    system) echo "  Docker: the daemon that runs on this machine" ;;
    failed) echo "  Docker: none (the private engine did not start: see $state/logs/dockerd.log); skopeo works" ;;
    *) echo "  Docker: not used (GATEWAY_DOCKER=none); skopeo works" ;;
  esac
  if [ "$mode" = private ] || [ "$mode" = system ]; then
    echo "  demo image: 127.0.0.1:$lb_port/$demo_repo:1 in that Docker engine; $state/demo/hello.tar (oci-archive) for skopeo"
  else
    echo "  demo image: $state/demo/hello.tar (oci-archive) for skopeo; $state/demo/layer.tar for 'docker import'"
  fi
  if [ "$(ldap_mode)" = on ]; then
    echo "  LDAP: slapd on ldap://127.0.0.1:$ldap_port (StartTLS), $ldap_base; users $(ldap_logins)"
    echo "        alice (group ci) pushes ci/*, bob (group web) pushes web/*, both pull everything: ACL $state/acl.yml"
  fi
  echo
  echo "Push and pull:"
  echo "  eval \"\$(deploy/local-cluster.sh env)\""
  if [ "$mode" = private ] || [ "$mode" = system ]; then
    cat <<TXT
  echo "\$GATEWAY_DEMO_PASSWORD" | docker login 127.0.0.1:$lb_port -u demo --password-stdin
  docker push 127.0.0.1:$lb_port/$demo_repo:1
  docker rmi 127.0.0.1:$lb_port/$demo_repo:1 && docker pull 127.0.0.1:$lb_port/$demo_repo:1
TXT
    [ "$(ldap_mode)" != on ] || cat <<TXT
As the LDAP user alice (group ci):
  echo "\$GATEWAY_LDAP_ALICE_PASSWORD" | docker login 127.0.0.1:$lb_port -u alice --password-stdin
  docker tag 127.0.0.1:$lb_port/$demo_repo:1 127.0.0.1:$lb_port/ci/hello:1 && docker push 127.0.0.1:$lb_port/ci/hello:1
TXT
  fi
  cat <<TXT
  skopeo copy --dest-cert-dir "\$GATEWAY_CERT_DIR" --dest-creds "demo:\$GATEWAY_DEMO_PASSWORD" \\
    "oci-archive:\$GATEWAY_DEMO_IMAGE" docker://127.0.0.1:$lb_port/demo/hello-oci:1
TXT
  [ "$(ldap_mode)" != on ] || cat <<TXT
  skopeo copy --dest-cert-dir "\$GATEWAY_CERT_DIR" --dest-creds "alice:\$GATEWAY_LDAP_ALICE_PASSWORD" \\
    "oci-archive:\$GATEWAY_DEMO_IMAGE" docker://127.0.0.1:$lb_port/ci/hello-oci:1      # as alice (group ci)
TXT
  echo "More: deploy/local-cluster.sh status | add-edge | remove-edge | lock-status USER | unlock USER | down"
}

# ---- commands ----

up() {
  local mode=single ldap=off
  while [ $# -gt 0 ]; do
    case "$1" in
      --ha) mode=ha; shift ;;
      --ldap) ldap=on; shift ;;
      *) break ;;
    esac
  done
  local edges=${1:-2}
  [ $# -le 1 ] || usage
  [[ "$edges" =~ ^[1-9][0-9]?$ ]] || usage
  take_lock
  mkdir -p "$state"/{pids,logs}

  # Already running: report it and change nothing. Partly running, or someone else on our ports: refuse.
  local counts
  counts=$(count_running)
  if [ "${counts% *}" = "${counts#* }" ] && [ -f "$state/edges" ] && running haproxy; then
    echo "already up: nothing changed ($state)"
    [ "$(redis_mode)" = "$mode" ] && [ "$(ldap_mode)" = "$ldap" ] \
      || echo "(it runs with Redis '$(redis_mode)' and LDAP '$(ldap_mode)', not as asked: 'down', then 'up' again to change that)"
    echo
    report
    return 0
  fi
  if any_running; then
    status_lines >&2 || true
    fail "the cluster in $state is partly up (${counts% *} of ${counts#* } processes run): run 'deploy/local-cluster.sh down' first"
  fi
  local leftovers
  leftovers=$(strays)
  [ -z "$leftovers" ] || fail "processes not recorded by this script use $state (stop them, or run 'deploy/local-cluster.sh down'):
$leftovers"
  rm -f "$state"/pids/*.pid "$state/edges" "$state/docker-mode"
  echo "$mode" >"$state/redis-mode"
  echo "$ldap" >"$state/ldap-mode"
  local name port variable busy="" who
  while read -r name port variable; do
    who=$(listener "$port")
    [ -z "$who" ] || busy+="  port $port ($name, $variable): in use by ${who}"$'\n'
  done < <(cluster_ports; for i in $(seq 1 "$edges"); do echo "edge-$i $((edge_base + i)) EDGE_BASE_PORT"; done)
  if [ -n "$busy" ]; then
    fail "cannot start: ports the cluster needs are taken; stop what holds them, or move the cluster with the variable named (e.g. GATEWAY_PORT=6443 deploy/local-cluster.sh up):
$busy"
  fi

  step "starting the local cluster in $state"
  install_missing
  trap 'up_failed' EXIT
  mkdir -p "$state"/{tls,registry,haproxy,demo}
  make_certificate "$state/tls"
  mkdir -p "$state/certs.d" && cp "$state/tls/ca.crt" "$state/certs.d/ca.crt"
  cat "$state/tls/domain.crt" "$state/tls/domain.key" | private_file "$state/tls/haproxy.pem"
  if [ ! -f "$state/demo-password" ]; then
    random_secret | cut -c 1-16 >"$state/demo-password"
    htpasswd -bBc -C 10 "$state/htpasswd" demo "$(cat "$state/demo-password")" 2>/dev/null
  fi
  [ -f "$state/cluster-secret" ] || random_secret | private_file "$state/cluster-secret"
  [ -f "$state/registry-secret" ] || random_secret | private_file "$state/registry-secret"
  [ -f "$state/admin-token" ] || random_secret | private_file "$state/admin-token"
  printf 'Authorization: Bearer %s\n' "$(cat "$state/admin-token")" | private_file "$state/admin-header"
  [ -f "$state/demo/hello.tar" ] || demo_image "$state/demo"

  if [ -z "${GATEWAY_BIN:-}" ]; then publish_gateway; fi
  [ -f "$bin/Gateway.Host.dll" ] || fail "no Gateway.Host.dll in $bin"

  if [ "$mode" = ha ]; then
    step "starting Redis (a primary, a replica, 3 Sentinels) and 2 registry replicas"
    start_redis_ha
  else
    step "starting Redis and 2 registry replicas"
    start redis redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$state"
    started redis 10 redis-cli -p "$redis_port" ping || fail "Redis did not start"
  fi

  # Two replicas, one storage folder, one http.secret: an upload may go on at either.
  local r
  for r in 0 1; do
    cat >"$state/registry-$r.yml" <<YAML
version: 0.1
log: { level: info }
storage:
  filesystem: { rootdirectory: $state/registry }
  delete: { enabled: true }
  maintenance: { uploadpurging: { enabled: false } }
http:
  addr: 127.0.0.1:$((registry_port + r))
  secret: $(cat "$state/registry-secret")
YAML
    chmod 600 "$state/registry-$r.yml"
    # env -u: the registry reads REGISTRY_* variables as configuration (and warns about REGISTRY_PORT).
    start "registry-$r" env -u REGISTRY_PORT docker-registry serve "$state/registry-$r.yml"
  done
  for r in 0 1; do
    started "registry-$r" 10 curl -s -o /dev/null "http://127.0.0.1:$((registry_port + r))/v2/" || fail "registry-$r did not start"
  done
  if [ "$ldap" = on ]; then
    step "starting the directory (slapd on 127.0.0.1:$ldap_port, demo users $ldap_users)"
    start_ldap
  fi

  step "starting 2 silos (clustered through Redis)"
  local s vars=()
  for s in 1 2; do
    mapfile -t vars < <(cluster_env)
    start "silo-$s" env Gateway__Role=silo "${vars[@]}" \
      Gateway__Cluster__SiloPort=$((orleans_silo_port + s - 1)) Gateway__Cluster__GatewayPort=$((orleans_gateway_port + s - 1)) \
      Kestrel__Endpoints__Http__Url="http://127.0.0.1:$((silo_base + s))" \
      dotnet "$bin/Gateway.Host.dll"
  done
  for s in 1 2; do wait_ready "silo-$s" $((silo_base + s)); done

  step "starting $edges edge(s)"
  local i
  : >"$state/edges"
  for i in $(seq 1 "$edges"); do start_edge "$i"; echo "$i" >>"$state/edges"; done
  for i in $(seq 1 "$edges"); do wait_ready "edge-$i" $((edge_base + i)); done
  step "starting HAProxy on https://127.0.0.1:$lb_port"
  write_edges_cfg
  start_haproxy
  for i in $(seq 1 "$edges"); do wait_for 15 edge_is "$i" UP || fail "HAProxy does not see edge-$i UP; see $state/logs/haproxy.log"; done

  docker_up
  trap - EXIT
  step "done"
  echo
  report
}

up_failed() { # EXIT trap of 'up': stop what it started, so a failed 'up' leaves nothing running
  local rc=$?
  [ "$rc" = 0 ] && return 0
  echo "up failed: stopping what it started (logs stay in $state/logs)" >&2
  stop_everything >/dev/null 2>&1 || true
  exit "$rc"
}

stop_everything() { # stops every recorded process: HAProxy, edges (drain in parallel), silos, registries, Redis, Docker
  stop_group 30 haproxy
  local names=() f
  for f in "$state"/pids/edge-*.pid; do [ -f "$f" ] && names+=("$(basename "$f" .pid)"); done
  [ ${#names[@]} -eq 0 ] || stop_group 90 "${names[@]}"
  stop_group 90 silo-1 silo-2
  stop_group 30 registry-0 registry-1 sentinel-1 sentinel-2 sentinel-3 slapd
  stop_group 30 redis redis-replica
  docker_down
  # anything else still recorded (older versions of this script)
  names=()
  for f in "$state"/pids/*.pid; do [ -f "$f" ] && names+=("$(basename "$f" .pid)"); done
  [ ${#names[@]} -eq 0 ] || stop_group 30 "${names[@]}"
}

down() {
  take_lock
  local ports problems="" pid rest name port who
  ports=$(cluster_ports)   # before the edge records go
  if ! any_running && [ -z "$(strays)" ]; then
    echo "nothing runs in $state"
  else
    echo "stopping the cluster in $state (the edges drain for $drain_delay first)..."
    set +e   # do the most: what cannot be stopped is reported below
    stop_everything
    set -e
    # Processes that name the state folder but were not recorded (an interrupted 'up', an older script): stopped too.
    while read -r pid rest; do
      [ -n "$pid" ] || continue
      echo "  stopping unrecorded process $pid: $rest"
      kill -TERM "$pid" 2>/dev/null || true
    done < <(strays)
    for _ in $(seq 1 100); do [ -z "$(strays)" ] && break; sleep 0.1; done
    while read -r pid rest; do [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null || true; done < <(strays)
  fi
  rm -f "$state/edges"
  for f in "$state"/pids/*.pid; do [ -f "$f" ] && problems+="  $(basename "$f" .pid) (pid $(cut -d ' ' -f 1 "$f")) is still running"$'\n'; done
  while read -r pid rest; do [ -n "$pid" ] && problems+="  process $pid is still running: $rest"$'\n'; done < <(strays)
  while read -r name port _; do
    who=$(listener "$port")
    [ -z "$who" ] || problems+="  port $port ($name) is still in use: $who"$'\n'
  done <<<"$ports"
  if [ -n "$problems" ]; then
    printf 'down could not stop everything:\n%s' "$problems" >&2
    exit 1
  fi
  echo "stopped: no process of the cluster runs and its ports are free (state kept in $state; delete it to start from scratch)"
}

add_edge() {
  take_lock
  running haproxy || fail "the cluster is not running: deploy/local-cluster.sh up first"
  local i=1 n
  for n in $(edge_numbers); do [ "$n" -ge "$i" ] && i=$((n + 1)); done
  local who; who=$(listener $((edge_base + i)))
  [ -z "$who" ] || fail "port $((edge_base + i)) for edge-$i is in use by $who"
  start_edge "$i"
  wait_ready "edge-$i" $((edge_base + i))
  echo "$i" >>"$state/edges"
  write_edges_cfg
  reload_haproxy
  wait_for 15 edge_is "$i" UP || fail "HAProxy does not see edge-$i UP; see $state/logs/haproxy.log"
  echo "edge-$i is up on 127.0.0.1:$((edge_base + i)) and takes requests through https://127.0.0.1:$lb_port"
}

remove_edge() {
  take_lock
  running haproxy || fail "the cluster is not running: deploy/local-cluster.sh up first"
  local i=${1:-$(edges_in_rotation | sort -n | tail -n 1)}
  [ -n "$i" ] && grep -qx "$i" "$state/edges" || fail "no edge '${1:-}' in rotation (status shows them)"
  [ "$(edges_in_rotation | wc -l)" -gt 1 ] || fail "edge-$i is the last edge in rotation; 'down' stops the whole cluster"
  # SIGTERM: the edge answers 503 on /healthz/ready while it still serves (DrainDelay); HAProxy's health check
  # takes it out; then it stops accepting and finishes what it carries.
  local pid
  pid=$(pid_of "edge-$i") || fail "edge-$i is not running"
  kill -TERM "$pid"
  wait_for 30 edge_is_not "$i" UP || true
  grep -vx "$i" "$state/edges" >"$state/edges.new" || true
  mv "$state/edges.new" "$state/edges"
  write_edges_cfg
  reload_haproxy
  echo "edge-$i is out of rotation and draining..."
  stop_group 120 "edge-$i"
  echo "edge-$i stopped"
}

status_lines() { # one line per process: running or not, and what it serves
  local name pid what
  for name in $(components); do
    case "$name" in
      haproxy) what="https://127.0.0.1:$lb_port, statistics http://127.0.0.1:$stats_port/" ;;
      redis) what="127.0.0.1:$redis_port" ;;
      redis-replica) what="127.0.0.1:$((redis_port + 1))" ;;
      sentinel-*) what="127.0.0.1:$((sentinel_port + ${name#sentinel-} - 1)) (Sentinel)" ;;
      registry-*) what="http://127.0.0.1:$((registry_port + ${name#registry-}))" ;;
      slapd) what="ldap://127.0.0.1:$ldap_port (StartTLS), users $ldap_users" ;;
      silo-*) what="http://127.0.0.1:$((silo_base + ${name#silo-})) (health), Orleans :$((orleans_silo_port + ${name#silo-} - 1))" ;;
      edge-*) what="http://127.0.0.1:$((edge_base + ${name#edge-}))" ;;
      dockerd) what="unix://$docker_dir/docker.sock" ;;
      *) what="" ;;
    esac
    if pid=$(pid_of "$name"); then
      printf '  %-11s running      pid %-7s %s\n' "$name" "$pid" "$what"
    elif [ -f "$state/pids/$name.pid" ]; then
      printf '  %-11s NOT RUNNING  (pid %s has exited; see %s)\n' "$name" "$(cut -d ' ' -f 1 "$state/pids/$name.pid")" "$state/logs/$name.log"
    else
      printf '  %-11s not running\n' "$name"
    fi
  done
}

status() {
  local counts running_n total leftovers
  counts=$(count_running); running_n=${counts% *}; total=${counts#* }
  leftovers=$(strays)
  if (exec 8<"$state/.lock" && ! flock -n 8) 2>/dev/null; then
    echo "(another deploy/local-cluster.sh command is changing the cluster right now)"
  fi
  if [ "$running_n" = 0 ]; then
    echo "down: no process of the cluster in $state runs"
    [ ! -f "$state/edges" ] || { echo "it was up and has stopped without 'down':"; status_lines; }
    [ -z "$leftovers" ] || printf 'but these processes use %s (deploy/local-cluster.sh down stops them):\n%s\n' "$state" "$leftovers"
    [ -z "$leftovers" ] && return 3 || return 1
  fi
  local verdict=up rc=0
  [ "$running_n" = "$total" ] || { verdict="PARTLY UP ($running_n of $total processes run)"; rc=1; }
  echo "$verdict: the local cluster in $state"
  status_lines
  [ -z "$leftovers" ] || { printf 'processes that use %s but are not recorded:\n%s\n' "$state" "$leftovers"; rc=1; }
  if running haproxy; then
    echo "HAProxy's view of the edges (name, status, current sessions, total sessions):"
    curl -s "http://127.0.0.1:$stats_port/;csv" | awk -F, '$1 == "edges" && $2 != "BACKEND" { printf "  %-10s %-6s %4s %8s\n", $2, $18, $5, $8 }'
  fi
  local name n base answer
  for name in $(components); do
    case "$name" in edge-*) base=$edge_base ;; silo-*) base=$silo_base ;; *) continue ;; esac
    n=${name#*-}
    answer=$(curl -s -m 2 "http://127.0.0.1:$((base + n))/healthz/ready" || true)
    printf '  %-11s ready: %s\n' "$name" "${answer:-no answer}"
    [ "$answer" = Healthy ] || rc=1
  done
  if [ "$rc" = 0 ]; then
    echo "  user demo, password $(cat "$state/demo-password"); admin token $(cat "$state/admin-token")"
    [ "$(ldap_mode)" != on ] || echo "  LDAP users: $(ldap_logins)"
    case "$(docker_mode)" in
      private) echo "  Docker: private engine, export DOCKER_HOST=unix://$docker_dir/docker.sock (or: eval \"\$(deploy/local-cluster.sh env)\")" ;;
      system) echo "  Docker: the daemon that runs on this machine" ;;
    esac
  fi
  return "$rc"
}

env_lines() {
  running haproxy || fail "the cluster is not running: deploy/local-cluster.sh up first"
  [ "$(docker_mode)" = private ] && echo "export DOCKER_HOST=unix://$docker_dir/docker.sock"
  echo "export GATEWAY_REGISTRY=127.0.0.1:$lb_port"
  echo "export GATEWAY_DEMO_PASSWORD=$(cat "$state/demo-password")"
  echo "export GATEWAY_CERT_DIR=$state/certs.d"
  echo "export GATEWAY_DEMO_IMAGE=$state/demo/hello.tar"
  if [ "$(ldap_mode)" = on ]; then
    local user
    for user in $ldap_users; do echo "export GATEWAY_LDAP_${user^^}_PASSWORD=$(cat "$state/ldap/$user-password")"; done
  fi
}

admin() { # admin METHOD PATH [JSON]: calls the admin endpoint through HAProxy; prints the answer; fails on an error status
  running haproxy || fail "the cluster is not running: deploy/local-cluster.sh up first"
  local method=$1 path=$2 body=${3:-}
  local args=(-sS -X "$method" --cacert "$state/tls/ca.crt" -H @"$state/admin-header" -w '\n%{http_code}') answer code
  [ -z "$body" ] || args+=(-H 'Content-Type: application/json' --data-binary "$body")
  answer=$(curl "${args[@]}" "https://127.0.0.1:$lb_port/admin$path") || fail "the admin endpoint did not answer (https://127.0.0.1:$lb_port/admin$path)"
  code=${answer##*$'\n'}
  echo "${answer%$'\n'*}"
  [ "$code" -lt 400 ] || { echo "(HTTP $code)" >&2; return 1; }
}

user_name() { [[ "$1" =~ $user_pattern ]] || fail "not a user name: '$1'"; }

lock_status() {
  [ $# -eq 1 ] || usage
  user_name "$1"
  admin GET "/users/$1"
}

unlock() {
  [ $# -ge 1 ] && [ $# -le 2 ] || usage
  user_name "$1"
  local query=""
  if [ -n "${2:-}" ]; then
    [[ "$2" =~ $address_pattern ]] || fail "not an address: '$2'"
    query="?address=$2"
  fi
  admin POST "/users/$1/unlock$query"
  echo "$1: unlocked (${2:-every address})"
}

machine_account() {
  [ $# -ge 1 ] || usage
  running haproxy || fail "the cluster is not running: deploy/local-cluster.sh up first"
  local name=$1; shift
  [[ "$name" =~ $machine_pattern ]] || fail "a machine account name is 1-64 of a-z 0-9 . _ - (was '$name')"
  local scopes=("$@") json="" s answer secret
  [ ${#scopes[@]} -gt 0 ] || scopes=("repository:demo/*:pull,push")
  for s in "${scopes[@]}"; do
    [[ "$s" =~ $scope_pattern ]] || fail "not a scope: '$s' (e.g. repository:ci/*:pull,push)"
    json+="${json:+,}\"$s\""
  done
  answer=$(admin POST "/machine-accounts/$name" "{\"scopes\":[$json],\"description\":\"made by deploy/local-cluster.sh\"}") \
    || fail "could not create the machine account: $answer"
  secret=$(sed -n 's/.*"secret":"\([^"]*\)".*/\1/p' <<<"$answer")
  [ -n "$secret" ] || fail "unexpected answer: $answer"
  echo "machine account robot\$$name created, scopes: ${scopes[*]}"
  echo "its secret (shown once): $secret"
  echo "  echo '$secret' | docker login 127.0.0.1:$lb_port -u 'robot\$$name' --password-stdin"
}

compose_secrets() { # the files docker-compose.cluster.yml mounts as compose secrets; existing ones are kept
  local dir=${1:-$repo/deploy/secrets}
  command -v htpasswd >/dev/null && command -v openssl >/dev/null || fail "needs htpasswd (apache2-utils) and openssl"
  mkdir -p "$dir" && chmod 700 "$dir"
  make_certificate "$dir" "${GATEWAY_HOSTNAME:+DNS:$GATEWAY_HOSTNAME}"
  if [ ! -f "$dir/htpasswd" ]; then
    random_secret | cut -c 1-16 >"$dir/demo-password"
    htpasswd -bBc -C 10 "$dir/htpasswd" demo "$(cat "$dir/demo-password")" 2>/dev/null
  fi
  [ -f "$dir/cluster-secret" ] || random_secret >"$dir/cluster-secret"
  [ -f "$dir/registry-http-secret" ] || random_secret >"$dir/registry-http-secret"
  # docker-compose.ldap.yml: the directory's administrator and service account, the demo users' passwords (hashed
  # into the LDIF the directory loads on its first start; in clear in ldap-USER-password for you).
  local user
  ldap_password_file "$dir/ldap-admin-password"
  ldap_password_file "$dir/ldap-bind-password"
  for user in $ldap_users; do ldap_password_file "$dir/ldap-$user-password"; done
  if [ ! -f "$dir/ldap-passwords.ldif" ]; then
    for user in $ldap_users; do
      printf 'dn: uid=%s,ou=people,%s\nchangetype: modify\nreplace: userPassword\nuserPassword: %s\n\n' \
        "$user" "$ldap_base" "$(ssha "$dir/ldap-$user-password")"
    done >"$dir/ldap-passwords.ldif"
  fi
  # Readable inside the containers (they run as unprivileged users); the folder itself stays private.
  chmod 644 "$dir"/htpasswd "$dir"/domain.crt "$dir"/domain.key "$dir"/cluster-secret "$dir"/registry-http-secret \
    "$dir"/ldap-admin-password "$dir"/ldap-bind-password "$dir"/ldap-passwords.ldif
  echo "compose secrets in $dir (user demo, password in $dir/demo-password; clients trust $dir/ca.crt)"
  echo "  with docker-compose.ldap.yml: LDAP users $ldap_users, passwords in $dir/ldap-USER-password"
}

case "${1:-}" in
  up|status|env|add-edge|remove-edge|lock-status|unlock|machine-account|down) validate; as_root "$@" ;;
esac
case "${1:-}" in
  up) shift; up "$@" ;;
  status) status ;;
  env) env_lines ;;
  add-edge) add_edge ;;
  remove-edge) shift; remove_edge "$@" ;;
  lock-status) shift; lock_status "$@" ;;
  unlock) shift; unlock "$@" ;;
  machine-account) shift; machine_account "$@" ;;
  down) down ;;
  demo-image) shift; demo_image "${1:-$state/demo}"; echo "demo image: ${1:-$state/demo}/layer.tar (docker import), ${1:-$state/demo}/hello.tar (oci-archive)" ;;
  compose-secrets) shift; compose_secrets "$@" ;;
  *) usage ;;
esac
