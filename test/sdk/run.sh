#!/usr/bin/env bash
# Kong's Go SDK against the built mock: starts it on a free port and runs the Go module in test/sdk/go.
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
# --latest: the same suite against the newest sdk-konnect-go, in a temp copy of the module.
if [ "${1:-}" = --latest ]; then exec test/sdk/latest.sh "$go_bin"; fi
npm run --silent build
log="$(mktemp)"
node dist/server/server.js --port 0 > "$log" 2>&1 &
mock=$!
trap 'kill "$mock" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 100); do grep -q 'listening on' "$log" && break; sleep 0.1; done
url="$(grep -o 'listening on http://[0-9.:]*' "$log" | grep -o 'http://.*')"
cd "${SDK_GO_DIR:-test/sdk/go}"
MOCK_URL="$url" GOPROXY=https://proxy.golang.org GOFLAGS=-mod=readonly "$go_bin" test -count=1 ./...
# Both ways in: the SDK unchanged through --proxy, and the programs in docs/go-sdk.md as they stand.
"$root/test/sdk/ways-in.sh" "$go_bin" "$PWD"
