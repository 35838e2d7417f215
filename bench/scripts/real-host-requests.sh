#!/usr/bin/env bash
# Requests per second the real bin/host answers on POST /api/requests ("/timer list_timers"), 32 keep-alive
# connections from wrk, 3 rounds of 5 s after a 5 s warm-up, under a JIT setting given as environment
# assignments: what a JIT choice costs a long-running host (bench/results/reload.md).
#   bench/scripts/real-host-requests.sh LABEL [VAR=value ...]
# e.g. bench/scripts/real-host-requests.sh tiering-off DOTNET_TieredCompilation=0   (DOTNET_ numbers are hex)
# HOST_BIN=path measures another build of the host (default: bin/host of this checkout).
set -euo pipefail
label=${1:?usage: real-host-requests.sh LABEL [VAR=value ...]}; shift
root=$(cd "$(dirname "$0")/../.." && pwd)
host=${HOST_BIN:-$root/bin/host}
[ -x "$host" ] || { echo "$host is missing: run make build" >&2; exit 2; }
command -v wrk >/dev/null || { apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }; }
work=$(mktemp -d); port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/roles" && cp "$root/roles/timer.cs" "$work/roles/"
cat > "$work/plugins.json" <<JSON
{ "roles": { "folder": "roles" }, "storage": { "dataFolder": "data" }, "channels": { "console": { "enabled": false } },
  "http": { "urls": "http://127.0.0.1:$port", "rateLimit": { "permitsPerSecond": 1000000, "burst": 1000000 } } }
JSON
cat > "$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"text":"/timer list_timers","user":"bench"}'
wrk.headers["Content-Type"] = "application/json"
LUA
(cd "$work" && exec env "$@" "$host" run --config "$work/plugins.json" </dev/null >"$work/host.log" 2>&1) & pid=$!
for _ in $(seq 1 150); do curl -sf -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.2; done
wrk -t1 -c32 -d5s -s "$work/post.lua" "http://127.0.0.1:$port/api/requests" >/dev/null
rounds=""
for _ in 1 2 3; do rounds="$rounds $(wrk -t1 -c32 -d5s -s "$work/post.lua" "http://127.0.0.1:$port/api/requests" | awk '/Requests\/sec/ { print int($2) }')"; done
echo "$label: requests/s$rounds (load $(cut -d' ' -f1 /proc/loadavg))"
