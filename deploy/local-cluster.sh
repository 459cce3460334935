#!/usr/bin/env bash
# A local gateway cluster in front of a registry, as processes on this machine (no Docker needed):
# Redis, a registry (Debian's docker-registry 2.8), N gateway nodes clustered through Redis, a demo user
# and a self-signed certificate. Installs what is missing with apt-get.
#
# usage: deploy/local-cluster.sh up [NODES]   start (default 2 nodes on https://127.0.0.1:5443, :5444, ...)
#        deploy/local-cluster.sh status       show what runs and whether each node is ready
#        deploy/local-cluster.sh down         stop everything started by 'up'
#
# Environment: GATEWAY_LOCAL_DIR (state, default /tmp/registry-gateway-local), GATEWAY_BASE_PORT (5443),
# REGISTRY_PORT (5000), REDIS_PORT (6390).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
state=${GATEWAY_LOCAL_DIR:-/tmp/registry-gateway-local}
base_port=${GATEWAY_BASE_PORT:-5443}
registry_port=${REGISTRY_PORT:-5000}
redis_port=${REDIS_PORT:-6390}

usage() { sed -n '5,7p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

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

stop() { # stop NAME: SIGTERM, wait up to 30 s, then SIGKILL
  local f="$state/pids/$1.pid" pid
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  fi
  rm -f "$f"
}

install_missing() {
  local need=()
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
  command -v dotnet >/dev/null || { echo "the .NET 10 SDK is needed (dotnet on PATH)" >&2; exit 1; }
}

make_certificate() {
  [ -f "$state/tls/domain.crt" ] && return 0
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=Registry Gateway local CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$state/tls/ca.key" -out "$state/tls/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$state/tls/domain.key" -out "$state/tls/domain.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' >"$state/tls/ext.cnf"
  openssl x509 -req -in "$state/tls/domain.csr" -CA "$state/tls/ca.crt" -CAkey "$state/tls/ca.key" -CAcreateserial \
    -days 30 -extfile "$state/tls/ext.cnf" -out "$state/tls/domain.crt" 2>/dev/null
  mkdir -p "$state/certs.d" && cp "$state/tls/ca.crt" "$state/certs.d/ca.crt"
}

up() {
  local nodes=${1:-2}
  [[ "$nodes" =~ ^[1-9][0-9]?$ ]] || usage
  install_missing
  mkdir -p "$state"/{pids,logs,tls,registry}
  make_certificate
  if [ ! -f "$state/demo-password" ]; then
    head -c 12 /dev/urandom | base64 | tr -d '/+=' >"$state/demo-password"
    htpasswd -bBc -C 10 "$state/htpasswd" demo "$(cat "$state/demo-password")" 2>/dev/null
  fi
  [ -f "$state/cluster-secret" ] || head -c 32 /dev/urandom | base64 >"$state/cluster-secret"
  [ -f "$state/registry-secret" ] || head -c 32 /dev/urandom | base64 >"$state/registry-secret"

  echo "building the gateway..."
  dotnet publish "$repo/src/Gateway.Host" -c Release -o "$state/bin" -nologo -v quiet >/dev/null

  start redis redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$state"
  wait_for 10 redis-cli -p "$redis_port" ping

  cat >"$state/registry.yml" <<YAML
version: 0.1
log: { level: info }
storage:
  filesystem: { rootdirectory: $state/registry }
  delete: { enabled: true }
http:
  addr: 127.0.0.1:$registry_port
  secret: $(cat "$state/registry-secret")
YAML
  start registry docker-registry serve "$state/registry.yml"
  wait_for 10 curl -s -o /dev/null "http://127.0.0.1:$registry_port/v2/"

  for i in $(seq 0 $((nodes - 1))); do
    local port=$((base_port + i))
    start "node-$i" env \
      Gateway__Role=all \
      Gateway__Backend__Urls__0="http://127.0.0.1:$registry_port" \
      Gateway__Auth__HtpasswdFile="$state/htpasswd" \
      Gateway__Cluster__Provider=redis \
      Gateway__Cluster__Redis="127.0.0.1:$redis_port" \
      Gateway__Cluster__ClusterId=local \
      Gateway__Cluster__Secret="$(cat "$state/cluster-secret")" \
      Gateway__Cluster__SiloPort=$((11111 + i)) \
      Gateway__Cluster__GatewayPort=$((30000 + i)) \
      Gateway__Shutdown__DrainDelay=00:00:02 \
      Kestrel__Endpoints__Https__Url="https://127.0.0.1:$port" \
      Kestrel__Endpoints__Https__Certificate__Path="$state/tls/domain.crt" \
      Kestrel__Endpoints__Https__Certificate__KeyPath="$state/tls/domain.key" \
      dotnet "$state/bin/Gateway.Host.dll"
  done
  for i in $(seq 0 $((nodes - 1))); do
    wait_for 90 curl -sf --cacert "$state/tls/ca.crt" "https://127.0.0.1:$((base_port + i))/healthz/ready" \
      || { echo "node-$i did not become ready; see $state/logs/node-$i.log" >&2; exit 1; }
  done

  cat <<TXT

Registry Gateway is up: $nodes node(s) at https://127.0.0.1:$base_port ... :$((base_port + nodes - 1)), registry on 127.0.0.1:$registry_port
  user: demo   password: $(cat "$state/demo-password")   CA certificate: $state/tls/ca.crt

Push and pull with skopeo (it checks the certificate against the CA):
  skopeo copy --dest-cert-dir $state/certs.d --dest-creds demo:$(cat "$state/demo-password") \\
    oci-archive:image.tar docker://127.0.0.1:$base_port/demo/app:1
  skopeo inspect --cert-dir $state/certs.d --creds demo:$(cat "$state/demo-password") docker://127.0.0.1:$((base_port + nodes - 1))/demo/app:1
With docker (it trusts any certificate on 127.0.0.1):
  docker login 127.0.0.1:$base_port -u demo
  docker tag <image> 127.0.0.1:$base_port/demo/app:1 && docker push 127.0.0.1:$base_port/demo/app:1
Stop it: $0 down
TXT
}

status() {
  for f in "$state"/pids/*.pid; do
    [ -f "$f" ] || continue
    local name pid
    name=$(basename "$f" .pid); pid=$(cat "$f")
    if kill -0 "$pid" 2>/dev/null; then echo "$name: running (pid $pid)"; else echo "$name: not running"; fi
  done
  for f in "$state"/pids/node-*.pid; do
    [ -f "$f" ] || continue
    local i=${f##*node-}; i=${i%.pid}
    printf 'node-%s ready: %s\n' "$i" "$(curl -s --cacert "$state/tls/ca.crt" "https://127.0.0.1:$((base_port + i))/healthz/ready" || echo no)"
  done
}

down() {
  for f in "$state"/pids/node-*.pid; do [ -f "$f" ] && stop "$(basename "$f" .pid)"; done
  stop registry
  stop redis
  echo "stopped (state kept in $state; delete it to start from scratch)"
}

case "${1:-}" in
  up) shift; up "$@" ;;
  status) status ;;
  down) down ;;
  *) usage ;;
esac
