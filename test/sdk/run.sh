#!/usr/bin/env bash
# Kong's Go SDK against the built mock: starts one mock per configuration on free ports, runs the Go
# module in test/sdk/go, then replays every case with the kit's inviteUser (test/sdk/compare.ts) and
# checks docs/sdk-conformance.md against the run (`npm run test:sdk -- --write` rewrites it).
# Module downloads come from the Go module proxy only; the build cache may live in a temp folder.
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD"
# GO_BIN is where go is looked for when it is not on PATH.
go_fallback="${GO_BIN:-/usr/local/go/bin/go}"
go_bin="$(command -v go || true)"
if [ -z "$go_bin" ] && [ -x "$go_fallback" ]; then go_bin="$go_fallback"; fi
if [ -z "$go_bin" ]; then
  echo "test:sdk: go is not installed (neither on PATH nor at $go_fallback)" >&2
  exit 1
fi
write=""
latest=""
for arg in "$@"; do
  case "$arg" in
    --write) write="--write" ;;
    --latest) latest=1 ;;
    *) echo "test:sdk: unknown option $arg (--write rewrites docs/sdk-conformance.md; --latest runs the suite against the newest sdk-konnect-go)" >&2; exit 2 ;;
  esac
done
# --latest: the same suite against the newest sdk-konnect-go, in a temp copy of the module.
if [ -n "$latest" ]; then
  if [ -n "$write" ]; then echo 'test:sdk: --latest reports differences and writes nothing; drop --write' >&2; exit 2; fi
  exec test/sdk/latest.sh "$go_bin"
fi
npm run --silent build
npx tsc -p tsconfig.sdk.json

work="$(mktemp -d)"
pids=()
trap 'for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"' EXIT

# A loopback port nothing listens on (the 502); a server that never answers (the 504) and one that
# answers 429 with an HTTP-date Retry-After (test/sdk/upstreams.mjs).
dead_port="$(node -e "const s = require('node:net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close() })")"
node test/sdk/upstreams.mjs > "$work/upstreams" &
pids+=($!)

# start_mock <variable> <flags...>: starts a mock on a free port and exports its URL in <variable>.
start_mock() {
  local variable="$1"
  shift
  node dist/server/bin.js --port 0 --log-level warn "$@" > "$work/$variable.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do grep -qs 'listening on' "$work/$variable.log" && break; sleep 0.1; done
  local url
  url="$(grep -o 'listening on http://[0-9.:]*' "$work/$variable.log" | grep -o 'http://.*' || true)"
  if [ -z "$url" ]; then
    echo "test:sdk: the mock for $variable did not start:" >&2
    cat "$work/$variable.log" >&2
    exit 1
  fi
  export "$variable=$url"
}
for _ in $(seq 1 50); do [ -s "$work/upstreams" ] && break; sleep 0.1; done
upstream_port() { grep -o "$1=[0-9]*" "$work/upstreams" | cut -d= -f2; }
start_mock MOCK_URL
start_mock MOCK_URL_STRICT --tokens kpat_conformance --active-users active@example.com --rate-limit 1/h
start_mock MOCK_URL_CUSTOM --scenarios-file test/sdk/scenarios.yaml
start_mock MOCK_URL_UPSTREAM_502 --upstream "http://127.0.0.1:$dead_port"
start_mock MOCK_URL_UPSTREAM_504 --upstream "http://127.0.0.1:$(upstream_port silent)" --upstream-timeout 300
start_mock MOCK_URL_UPSTREAM_DATE --upstream "http://127.0.0.1:$(upstream_port date)"

# The matrix names the pinned version even when --latest runs a newer one in SDK_GO_DIR: compared
# with the committed page, only a change of behaviour then shows as a difference.
sdk_version="$(grep -o 'github.com/Kong/sdk-konnect-go v[^ ]*' test/sdk/go/go.mod | cut -d' ' -f2)"
status=0
(cd "${SDK_GO_DIR:-test/sdk/go}" && GOPROXY=https://proxy.golang.org GOFLAGS=-mod=readonly "$go_bin" test -count=1 -v ./...) > "$work/go.log" 2>&1 || status=$?
grep -v '^SDKCASE ' "$work/go.log" | grep -E -- '^(--- FAIL|FAIL|ok|panic)|_test.go:' || true
if [ "$status" -ne 0 ]; then
  echo "test:sdk: go test failed (exit $status)" >&2
  exit "$status"
fi
node dist/sdk-suite/test/sdk/compare.js --cases "$work/go.log" --sdk-version "$sdk_version" --matrix docs/sdk-conformance.md $write
# Both ways in: the SDK unchanged through --proxy, and the programs in docs/go-sdk.md as they stand.
"$root/test/sdk/ways-in.sh" "$go_bin" "$(cd "${SDK_GO_DIR:-test/sdk/go}" && pwd)"
