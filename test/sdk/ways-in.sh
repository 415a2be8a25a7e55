#!/usr/bin/env bash
# Both ways a Go program reaches the mock, with Kong's SDK and the built mock (loopback only):
#  - unchanged: proxy_test.go (built with -tags proxy) runs in its own process with HTTPS_PROXY and
#    SSL_CERT_FILE naming a mock started with --proxy;
#  - the programs in docs/go-sdk.md, built as they stand in a temp module with the module's pins and
#    run against a mock started as the page says: a program that brings its own client (WithClient)
#    gets the mock's URL as its argument, one that does not gets the proxy's environment. Each must
#    print exactly the block the page shows after it.
# Usage: ways-in.sh <go> <module dir>. Builds happen before the proxy variables are set, so module
# downloads still go to the Go module proxy.
set -euo pipefail
go_bin="$1"
module="$(cd "$2" && pwd)"
cd "$(dirname "$0")/../.."
page=docs/go-sdk.md
work="$(mktemp -d)"
pids=()
trap 'for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"' EXIT
export GOPROXY=https://proxy.golang.org GOFLAGS=-mod=readonly
unset HTTPS_PROXY https_proxy HTTP_PROXY http_proxy NO_PROXY no_proxy ALL_PROXY all_proxy

# start_mock <name> <flags...>: a mock on a free loopback port sharing one CA; sets url and
# https_proxy (the HTTPS_PROXY its start-up line names; SSL_CERT_FILE is "$work/ca/ca.pem").
start_mock() {
  local log="$work/$1.log"
  shift
  node dist/server/bin.js --port 0 --log-level warn --ca-dir "$work/ca" "$@" > "$log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do grep -qs '^proxy for ' "$log" && break; sleep 0.1; done
  url="$(grep -o 'listening on http://[0-9.:]*' "$log" | grep -o 'http://.*' || true)"
  https_proxy="$(grep '^proxy for ' "$log" | grep -o 'HTTPS_PROXY=[^ ]*' | cut -d= -f2- || true)"
  if [ -z "$url" ] || [ -z "$https_proxy" ]; then
    echo "test:sdk: the mock with --proxy did not start:" >&2
    cat "$log" >&2
    exit 1
  fi
}

# last_seq <url>: the journal's newest entry number (0 when empty).
last_seq() {
  node -e "fetch(process.argv[1] + '/__mock/requests').then((r) => r.json()).then((j) => console.log(j.requests.at(-1)?.seq ?? 0))
    .catch((e) => { console.error('test:sdk: cannot read the journal at ' + process.argv[1] + ': ' + e.message); process.exit(1) })" "$1"
}

# sdk_requests <url> <after seq> <proxy|direct>: fails unless the journal holds requests after that
# entry, all with the SDK's own headers (Konnect's Host, its User-Agent, Accept and Content-Type), and
# all through the proxy or none.
sdk_requests() {
  node -e "
    const [url, after, way] = process.argv.slice(1)
    fetch(url + '/__mock/requests').then((r) => r.json()).then(({ requests }) => {
      const mine = requests.filter((e) => e.seq > Number(after))
      const wrong = mine.filter((e) => e.headers.host !== 'global.api.konghq.com' || !e.headers['user-agent']?.startsWith('speakeasy-sdk/go ') ||
        e.headers.accept !== 'application/problem+json' || e.headers['content-type'] !== 'application/json' || (e.via === 'proxy') !== (way === 'proxy'))
      if (mine.length === 0 || wrong.length > 0) {
        console.error('no request, or not the SDK\'s own ' + way + ':', JSON.stringify(wrong[0] ?? mine))
        process.exit(1)
      }
    }).catch((e) => { console.error('test:sdk: cannot read the journal at ' + url + ': ' + e.message); process.exit(1) })" "$@"
}

echo 'test:sdk: the SDK unchanged, through HTTPS_PROXY and SSL_CERT_FILE'
(cd "$module" && "$go_bin" test -c -tags proxy -o "$work/proxy.test" .)
start_mock proxy --proxy --active-users taken@example.com --rate-limit 2/min
env HTTPS_PROXY="$https_proxy" SSL_CERT_FILE="$work/ca/ca.pem" MOCK_URL="$url" "$work/proxy.test" -test.count=1 -test.v -test.run '^TestThroughProxy$' > "$work/proxy.out" 2>&1 \
  || { cat "$work/proxy.out"; exit 1; }
grep -q -- '--- PASS: TestThroughProxy' "$work/proxy.out" || { cat "$work/proxy.out"; echo 'test:sdk: TestThroughProxy did not run' >&2; exit 1; }
grep -- '--- PASS' "$work/proxy.out"

echo "test:sdk: the programs in $page, as they stand"
# Each ```go block that declares package main becomes prog-N/main.go; the next ``` block with no
# language becomes prog-N/want (what the page says the program prints).
awk -v dir="$work" '
  /^```/ && !inside { inside = 1; info = substr($0, 4); buf = ""; next }
  /^```/ && inside {
    inside = 0
    if (info == "go" && index("\n" buf, "\npackage main\n") > 0) { n++; printf "%s", buf > (dir "/main-" n ".go"); close(dir "/main-" n ".go"); wanting = n }
    else if (info == "" && wanting) { printf "%s", buf > (dir "/want-" wanting); close(dir "/want-" wanting); wanting = 0 }
    next
  }
  inside { buf = buf $0 "\n" }
' "$page"
programs=$(find "$work" -maxdepth 1 -name 'main-*.go' | wc -l)
if [ "$programs" -eq 0 ]; then echo "test:sdk: $page has no Go program (a \`\`\`go block with package main)" >&2; exit 1; fi
start_mock docs --proxy
for n in $(seq 1 "$programs"); do
  prog="$work/prog-$n"
  mkdir "$prog"
  mv "$work/main-$n.go" "$prog/main.go"
  if [ ! -f "$work/want-$n" ]; then echo "test:sdk: $page: program $n is not followed by the block it prints" >&2; exit 1; fi
  sed 's|^module .*|module docsprogram|' "$module/go.mod" > "$prog/go.mod"
  cp "$module/go.sum" "$prog/go.sum"
  (cd "$prog" && "$go_bin" build -o prog .) || { echo "test:sdk: $page: program $n does not build" >&2; exit 1; }
  before="$(last_seq "$url")"
  if grep -q 'sdkkonnectgo\.WithClient' "$prog/main.go"; then
    how="WithClient, given $url"
    "$prog/prog" "$url" > "$prog/got" || { cat "$prog/got"; echo "test:sdk: $page: program $n failed" >&2; exit 1; }
    way=direct
  else
    how='unchanged, given HTTPS_PROXY and SSL_CERT_FILE'
    env HTTPS_PROXY="$https_proxy" SSL_CERT_FILE="$work/ca/ca.pem" "$prog/prog" > "$prog/got" || { cat "$prog/got"; echo "test:sdk: $page: program $n failed" >&2; exit 1; }
    way=proxy
  fi
  if ! diff -u "$work/want-$n" "$prog/got"; then
    echo "test:sdk: $page: program $n ($how) does not print what the page says (diff above: page, then program)" >&2
    exit 1
  fi
  sdk_requests "$url" "$before" "$way" || { echo "test:sdk: $page: program $n ($how) did not reach the mock as the SDK ($way)" >&2; exit 1; }
  echo "ok  program $n of $page ($how) prints what the page shows"
done
