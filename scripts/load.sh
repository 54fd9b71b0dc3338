#!/usr/bin/env bash
# Many deliveries at once against an always-500 loopback receiver that runs
# in its own process, so that the engine's peak RSS is its own; the engine
# runs under /usr/bin/time -v as well.
set -euo pipefail
N=${N:-100000}
GO=${GO:-go}
cd "$(dirname "$0")/.."
mkdir -p .bench
$GO build -o .bench/loadtest ./simulator/webhook/internal/loadtest
.bench/loadtest receiver -listen 127.0.0.1:0 -status 500 >.bench/receiver500.url &
receiver=$!
trap 'kill "$receiver" 2>/dev/null; wait "$receiver" 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -s .bench/receiver500.url ] && break; sleep 0.1; done
url=$(head -n1 .bench/receiver500.url)
/usr/bin/time -v .bench/loadtest load -target "$url/hook" -n "$N" "$@" 2>.bench/time-$N.txt
grep -E 'Maximum resident|Elapsed' .bench/time-$N.txt
