#!/usr/bin/env bash
# Kong's Go SDK against the built mock: starts it on a free port and runs the Go module in test/sdk/go.
# Module downloads come from the Go module proxy only; the build cache may live in a temp folder.
set -euo pipefail
cd "$(dirname "$0")/../.."
go_bin="$(command -v go || true)"
if [ -z "$go_bin" ] && [ -x /usr/local/go/bin/go ]; then go_bin=/usr/local/go/bin/go; fi
if [ -z "$go_bin" ]; then
  echo 'test:sdk: go is not installed (neither on PATH nor at /usr/local/go/bin/go)' >&2
  exit 1
fi
npm run --silent build
log="$(mktemp)"
node dist/server/server.js --port 0 > "$log" 2>&1 &
mock=$!
trap 'kill "$mock" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 100); do grep -q 'listening on' "$log" && break; sleep 0.1; done
url="$(grep -o 'listening on http://[0-9.:]*' "$log" | grep -o 'http://.*')"
cd test/sdk/go
MOCK_URL="$url" GOPROXY=https://proxy.golang.org GOFLAGS=-mod=readonly "$go_bin" test -count=1 ./...
