#!/usr/bin/env bash
# The gateway's cluster as local processes, the topology of docker-compose.cluster.yml without Docker: HAProxy
# (TLS, health checks on /healthz/ready) in front of N edges, 2 silos clustered through Redis, 2 registry replicas
# (Debian's docker-registry 2.8) sharing one storage folder and one http.secret, a demo user, a self-signed CA.
#
# usage: deploy/local-cluster.sh up [EDGES]              start it all; EDGES edges (default 2) behind https://127.0.0.1:5443
#        deploy/local-cluster.sh add-edge                start one more edge; HAProxy sends it requests once it is ready
#        deploy/local-cluster.sh remove-edge [N]         SIGTERM edge N (default: the newest): it drains, then leaves HAProxy
#        deploy/local-cluster.sh status                  the processes, HAProxy's view of each edge, readiness
#        deploy/local-cluster.sh down                    stop everything started by 'up' (state is kept)
#        deploy/local-cluster.sh compose-secrets [DIR]   write the files docker-compose.cluster.yml reads (default deploy/secrets)
#
# Installs what is missing with apt-get (haproxy, redis-server, docker-registry, apache2-utils, openssl, curl, skopeo).
# Environment: GATEWAY_LOCAL_DIR (state, default /tmp/registry-gateway-local), GATEWAY_PORT (5443, HAProxy),
# HAPROXY_STATS_PORT (5404), EDGE_BASE_PORT (5500: edge N listens on 5500+N), SILO_BASE_PORT (5600),
# REGISTRY_PORT (5000; the second replica on +1), REDIS_PORT (6390), DRAIN_DELAY (00:00:03), GATEWAY_BIN (a folder
# holding a built Gateway.Host.dll; default: src/Gateway.Host is published into the state folder).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
state=${GATEWAY_LOCAL_DIR:-/tmp/registry-gateway-local}
lb_port=${GATEWAY_PORT:-5443}
stats_port=${HAPROXY_STATS_PORT:-5404}
edge_base=${EDGE_BASE_PORT:-5500}
silo_base=${SILO_BASE_PORT:-5600}
registry_port=${REGISTRY_PORT:-5000}
redis_port=${REDIS_PORT:-6390}
drain_delay=${DRAIN_DELAY:-00:00:03}
shutdown_timeout=00:01:00
bin=${GATEWAY_BIN:-$state/bin}

usage() { sed -n '6,11p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

wait_for() { # wait_for SECONDS COMMAND...
  local t=$1; shift
  for _ in $(seq 1 $((t * 10))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "timed out waiting for: $*" >&2; return 1
}

start() { # start NAME COMMAND... (own session, PID recorded, log in $state/logs)
  local name=$1; shift
  setsid "$@" >"$state/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$state/pids/$name.pid"
}

running() { local f="$state/pids/$1.pid"; [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null; }

stop() { # stop NAME [SECONDS]: SIGTERM, wait (default 30 s), then SIGKILL
  local f="$state/pids/$1.pid" pid
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 $((${2:-30} * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL -- "-$pid" 2>/dev/null
  fi
  rm -f "$f"
}

install_missing() {
  local need=()
  command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || need+=(haproxy)
  command -v redis-server >/dev/null || need+=(redis-server)
  command -v docker-registry >/dev/null || need+=(docker-registry)
  command -v htpasswd >/dev/null || need+=(apache2-utils)
  command -v openssl >/dev/null || need+=(openssl)
  command -v curl >/dev/null || need+=(curl)
  command -v skopeo >/dev/null || need+=(skopeo)
  if [ ${#need[@]} -gt 0 ]; then
    echo "installing: ${need[*]}"
    [ "$(id -u)" = 0 ] || { echo "run as root (or install: ${need[*]})" >&2; exit 1; }
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
  # Debian's units would hold the default ports with their own configurations.
  systemctl stop haproxy >/dev/null 2>&1 || true
  command -v dotnet >/dev/null || { echo "the .NET 10 SDK is needed (dotnet on PATH)" >&2; exit 1; }
}

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

# ---- edges and HAProxy ----

edges_in_rotation() { [ -f "$state/edges" ] && cat "$state/edges" || true; }

edge_env() { # edge_env N: the edge's configuration, for env(1)
  echo Gateway__Role=edge
  echo "Gateway__Backend__Urls__0=http://127.0.0.1:$registry_port"
  echo "Gateway__Backend__Urls__1=http://127.0.0.1:$((registry_port + 1))"
  echo "Gateway__Auth__HtpasswdFile=$state/htpasswd"
  echo "Gateway__Network__KnownProxies__0=127.0.0.1"   # HAProxy: X-Forwarded-For/Proto are taken from it only
  echo "Kestrel__Endpoints__Http__Url=http://127.0.0.1:$((edge_base + $1))"
}

cluster_env() {
  echo Gateway__Cluster__Provider=redis
  echo "Gateway__Cluster__Redis=127.0.0.1:$redis_port"
  echo Gateway__Cluster__ClusterId=local
  echo "Gateway__Cluster__Secret=$(cat "$state/cluster-secret")"
  echo "Gateway__Shutdown__DrainDelay=$drain_delay"
  echo "Gateway__Shutdown__Timeout=$shutdown_timeout"
}

start_edge() { # start_edge N (does not wait)
  local vars=()
  mapfile -t vars < <(edge_env "$1"; cluster_env)
  start "edge-$1" env "${vars[@]}" dotnet "$bin/Gateway.Host.dll"
}

wait_ready() { # wait_ready NAME PORT
  wait_for 90 curl -sf "http://127.0.0.1:$2/healthz/ready" \
    || { echo "$1 did not become ready; see $state/logs/$1.log" >&2; exit 1; }
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
  kill -USR2 "$(cat "$state/pids/haproxy.pid")"
  wait_for 10 reloaded_since "$before" || { echo "HAProxy did not reload; see $state/logs/haproxy.log" >&2; exit 1; }
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
  wait_for 10 curl -sf -o /dev/null "http://127.0.0.1:$stats_port/" || { echo "HAProxy did not start; see $state/logs/haproxy.log" >&2; exit 1; }
}

# ---- commands ----

up() {
  local edges=${1:-2}
  [[ "$edges" =~ ^[1-9][0-9]?$ ]] || usage
  install_missing
  mkdir -p "$state"/{pids,logs,tls,registry,haproxy}
  make_certificate "$state/tls"
  mkdir -p "$state/certs.d" && cp "$state/tls/ca.crt" "$state/certs.d/ca.crt"
  (umask 077 && cat "$state/tls/domain.crt" "$state/tls/domain.key" >"$state/tls/haproxy.pem")
  if [ ! -f "$state/demo-password" ]; then
    random_secret | cut -c 1-16 >"$state/demo-password"
    htpasswd -bBc -C 10 "$state/htpasswd" demo "$(cat "$state/demo-password")" 2>/dev/null
  fi
  [ -f "$state/cluster-secret" ] || random_secret >"$state/cluster-secret"
  [ -f "$state/registry-secret" ] || random_secret >"$state/registry-secret"

  if [ -z "${GATEWAY_BIN:-}" ]; then
    echo "building the gateway..."
    dotnet publish "$repo/src/Gateway.Host" -c Release -o "$bin" -nologo -v quiet >/dev/null
  fi
  [ -f "$bin/Gateway.Host.dll" ] || { echo "no Gateway.Host.dll in $bin" >&2; exit 1; }

  start redis redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$state"
  wait_for 10 redis-cli -p "$redis_port" ping

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
    start "registry-$r" docker-registry serve "$state/registry-$r.yml"
  done
  for r in 0 1; do wait_for 10 curl -s -o /dev/null "http://127.0.0.1:$((registry_port + r))/v2/"; done

  local s vars=()
  for s in 1 2; do
    mapfile -t vars < <(cluster_env)
    start "silo-$s" env Gateway__Role=silo "${vars[@]}" \
      Gateway__Cluster__SiloPort=$((11110 + s)) Gateway__Cluster__GatewayPort=$((29999 + s)) \
      Kestrel__Endpoints__Http__Url="http://127.0.0.1:$((silo_base + s))" \
      dotnet "$bin/Gateway.Host.dll"
  done
  for s in 1 2; do wait_ready "silo-$s" $((silo_base + s)); done

  local i
  : >"$state/edges"
  for i in $(seq 1 "$edges"); do start_edge "$i"; echo "$i" >>"$state/edges"; done
  for i in $(seq 1 "$edges"); do wait_ready "edge-$i" $((edge_base + i)); done
  write_edges_cfg
  start_haproxy
  for i in $(seq 1 "$edges"); do wait_for 15 edge_is "$i" UP; done

  cat <<TXT

Registry Gateway is up: HAProxy on https://127.0.0.1:$lb_port in front of $edges edge(s) (127.0.0.1:$((edge_base + 1))...),
2 silos, Redis on :$redis_port, registry replicas on 127.0.0.1:$registry_port and :$((registry_port + 1)) (shared storage)
  user: demo   password: $(cat "$state/demo-password")   CA certificate: $state/tls/ca.crt
  HAProxy statistics: http://127.0.0.1:$stats_port/   logs: $state/logs/

Push and pull with skopeo (it checks the certificate against the CA):
  skopeo copy --dest-cert-dir $state/certs.d --dest-creds demo:$(cat "$state/demo-password") \\
    oci-archive:image.tar docker://127.0.0.1:$lb_port/demo/app:1
  skopeo inspect --cert-dir $state/certs.d --creds demo:$(cat "$state/demo-password") docker://127.0.0.1:$lb_port/demo/app:1
With docker (it trusts any certificate on 127.0.0.1):
  docker login 127.0.0.1:$lb_port -u demo
  docker tag <image> 127.0.0.1:$lb_port/demo/app:1 && docker push 127.0.0.1:$lb_port/demo/app:1
More edges: $0 add-edge   fewer: $0 remove-edge   stop: $0 down
TXT
}

add_edge() {
  running haproxy || { echo "not running: $0 up first" >&2; exit 1; }
  local i=1 n
  for n in $(edges_in_rotation); do [ "$n" -ge "$i" ] && i=$((n + 1)); done
  for f in "$state"/pids/edge-*.pid; do [ -f "$f" ] || continue; n=${f##*edge-}; n=${n%.pid}; [ "$n" -ge "$i" ] && i=$((n + 1)); done
  start_edge "$i"
  wait_ready "edge-$i" $((edge_base + i))
  echo "$i" >>"$state/edges"
  write_edges_cfg
  reload_haproxy
  wait_for 15 edge_is "$i" UP
  echo "edge-$i is up on 127.0.0.1:$((edge_base + i)) and takes requests through https://127.0.0.1:$lb_port"
}

remove_edge() {
  running haproxy || { echo "not running: $0 up first" >&2; exit 1; }
  local i=${1:-$(edges_in_rotation | sort -n | tail -n 1)}
  [ -n "$i" ] && grep -qx "$i" "$state/edges" || { echo "no edge '${1:-}' in rotation (status shows them)" >&2; exit 1; }
  # SIGTERM: the edge answers 503 on /healthz/ready while it still serves (DrainDelay); HAProxy's health check
  # takes it out; then it stops accepting and finishes what it carries.
  kill -TERM "$(cat "$state/pids/edge-$i.pid")"
  wait_for 30 edge_is_not "$i" UP || true
  grep -vx "$i" "$state/edges" >"$state/edges.new" || true
  mv "$state/edges.new" "$state/edges"
  write_edges_cfg
  reload_haproxy
  echo "edge-$i is out of rotation and draining..."
  stop "edge-$i" 120
  echo "edge-$i stopped"
}

status() {
  local f name pid
  for f in "$state"/pids/*.pid; do
    [ -f "$f" ] || continue
    name=$(basename "$f" .pid); pid=$(cat "$f")
    if kill -0 "$pid" 2>/dev/null; then echo "$name: running (pid $pid)"; else echo "$name: not running"; fi
  done
  if running haproxy; then
    echo "HAProxy backend 'edges' (name, status, current sessions, total sessions):"
    curl -s "http://127.0.0.1:$stats_port/;csv" | awk -F, '$1 == "edges" { printf "  %-10s %-6s %4s %8s\n", $2, $18, $5, $8 }'
  fi
  for f in "$state"/pids/edge-*.pid "$state"/pids/silo-*.pid; do
    [ -f "$f" ] || continue
    name=$(basename "$f" .pid)
    local n=${name#*-} base=$edge_base
    [[ $name == silo-* ]] && base=$silo_base
    printf '%s ready: %s\n' "$name" "$(curl -s "http://127.0.0.1:$((base + n))/healthz/ready" || echo no)"
  done
}

down() {
  stop haproxy
  local f
  for f in "$state"/pids/edge-*.pid; do [ -f "$f" ] && stop "$(basename "$f" .pid)" 90; done
  for f in "$state"/pids/silo-*.pid; do [ -f "$f" ] && stop "$(basename "$f" .pid)" 90; done
  for f in "$state"/pids/registry*.pid; do [ -f "$f" ] && stop "$(basename "$f" .pid)"; done
  stop redis
  rm -f "$state/edges"
  echo "stopped (state kept in $state; delete it to start from scratch)"
}

compose_secrets() { # the files docker-compose.cluster.yml mounts as compose secrets; existing ones are kept
  local dir=${1:-$repo/deploy/secrets}
  command -v htpasswd >/dev/null && command -v openssl >/dev/null || { echo "needs htpasswd (apache2-utils) and openssl" >&2; exit 1; }
  mkdir -p "$dir" && chmod 700 "$dir"
  make_certificate "$dir" "${GATEWAY_HOSTNAME:+DNS:$GATEWAY_HOSTNAME}"
  if [ ! -f "$dir/htpasswd" ]; then
    random_secret | cut -c 1-16 >"$dir/demo-password"
    htpasswd -bBc -C 10 "$dir/htpasswd" demo "$(cat "$dir/demo-password")" 2>/dev/null
  fi
  [ -f "$dir/cluster-secret" ] || random_secret >"$dir/cluster-secret"
  [ -f "$dir/registry-http-secret" ] || random_secret >"$dir/registry-http-secret"
  # Readable inside the containers (they run as unprivileged users); the folder itself stays private.
  chmod 644 "$dir"/htpasswd "$dir"/domain.crt "$dir"/domain.key "$dir"/cluster-secret "$dir"/registry-http-secret
  echo "compose secrets in $dir (user demo, password in $dir/demo-password; clients trust $dir/ca.crt)"
}

case "${1:-}" in
  up) shift; up "$@" ;;
  add-edge) add_edge ;;
  remove-edge) shift; remove_edge "$@" ;;
  status) status ;;
  down) down ;;
  compose-secrets) shift; compose_secrets "$@" ;;
  *) usage ;;
esac
