#!/usr/bin/env bash
# `npm run test:sdk -- --latest`: the same suite against the newest sdk-konnect-go the Go module proxy
# names, in a temp copy of test/sdk/go, then a summary (the versions, the cases that failed). A
# difference is reported, not failed on (exit 0); exit 1 only when the suite cannot run at all.
# Usage: latest.sh <go>
set -uo pipefail
go_bin="$1"
cd "$(dirname "$0")/../.."
module=github.com/Kong/sdk-konnect-go
# GOTOOLCHAIN=local: a release that needs a newer Go says so instead of fetching a toolchain.
export GOPROXY=https://proxy.golang.org GOTOOLCHAIN=local
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -R test/sdk/go "$work/go"
version_in() { (cd "$1" && GOFLAGS=-mod=readonly "$go_bin" list -m -f '{{.Version}}' "$module"); }
pinned="$(version_in test/sdk/go)" || { echo "test:sdk --latest: cannot read the pinned $module version in test/sdk/go/go.mod" >&2; exit 1; }

note=''
if ! (cd "$work/go" && GOFLAGS=-mod=mod "$go_bin" get "$module@latest") > "$work/get.log" 2>&1; then
  reason="$(grep -m1 -oE '(403 Forbidden|404 Not Found|410 Gone|requires go >= [0-9.]+[^;)]*)' "$work/get.log" || true)"
  if [ -z "$reason" ]; then
    echo "test:sdk --latest: cannot ask the Go module proxy for the newest $module:" >&2
    cat "$work/get.log" >&2
    exit 1
  fi
  case "$reason" in
    requires*)
      echo "test:sdk --latest: summary"
      echo "  pinned: $pinned"
      echo "  newest: $(grep -m1 -oE "$module@v[0-9][^: ]*" "$work/get.log" | cut -d@ -f2) $reason (this is go $("$go_bin" env GOVERSION)); the suite cannot build it here"
      exit 0 ;;
  esac
  note="; the Go module proxy names none newer (it answered $reason to $module@latest)"
fi
newest="$(version_in "$work/go")" || { echo "test:sdk --latest: cannot read the version go get chose" >&2; exit 1; }
if [ "$newest" = "$pinned" ]; then note=", the pinned version$note"; fi

echo "test:sdk --latest: the suite against $module $newest$note"
SDK_GO_DIR="$work/go" test/sdk/run.sh 2>&1 | tee "$work/suite.log"
suite=${PIPESTATUS[0]}

echo
echo "test:sdk --latest: summary"
echo "  pinned: $pinned (test/sdk/go/go.mod)"
echo "  newest: $newest$note"
if [ "$suite" -eq 0 ]; then
  echo "  suite:  passed with $newest: no difference from the pinned version"
  exit 0
fi
# Go's failing tests and their messages, compile errors (the SDK's API changed), and the docs programs.
failures="$(grep -E -e '^--- FAIL: ' -e '^ +[A-Za-z0-9_]+\.go:[0-9]+: ' -e '^\./[A-Za-z0-9_]+\.go:[0-9]+:[0-9]+: ' \
  -e '^test:sdk: .*(does not|failed|never|went through)' "$work/suite.log" || true)"
if [ -z "$failures" ] && ! grep -qE '^(ok|FAIL|---) ' "$work/suite.log"; then
  echo "test:sdk --latest: the suite could not run (see its output above)" >&2
  exit 1
fi
echo "  suite:  failed with $newest (the suite stops at the first failing step; its output is above):"
if [ -n "$failures" ]; then
  echo "$failures" | sed 's/^ */    /'
else
  tail -n 20 "$work/suite.log" | sed 's/^/    /'
fi
exit 0
