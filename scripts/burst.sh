#!/usr/bin/env bash
# Burst rate: N single-attempt notifications at concurrency C through the
# delivery engine, beside wrk at the same concurrency, against one trivial
# loopback receiver (answers 200 at once) running in its own process.
set -euo pipefail
N=${N:-20000}
C=${C:-50}
DURATION=${DURATION:-10s}
GO=${GO:-go}
cd "$(dirname "$0")/.."
mkdir -p .bench
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
$GO build -o .bench/loadtest ./simulator/webhook/internal/loadtest

.bench/loadtest receiver -listen 127.0.0.1:0 -status 200 >.bench/receiver.url &
receiver=$!
trap 'kill "$receiver" 2>/dev/null; wait "$receiver" 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -s .bench/receiver.url ] && break; sleep 0.1; done
url=$(head -n1 .bench/receiver.url)
echo "receiver $url (pid $receiver); N=$N C=$C"

echo "== wrk -t2 -c$C -d$DURATION (keep-alive, as wrk always is)"
wrk -t2 -c"$C" -d"$DURATION" -s scripts/post.lua "$url/hook" | tee .bench/wrk.txt
wrk_rate=$(awk '/^Requests\/sec/ {print $2}' .bench/wrk.txt)

for ka in false true; do
  echo "== hookcheck engine, keepalive=$ka"
  .bench/loadtest burst -target "$url/hook" -n "$N" -c "$C" -keepalive="$ka" | tee .bench/burst-$ka.txt
  rate=$(sed -n 's/.*rate=\([0-9.]*\) req\/s.*/\1/p' .bench/burst-$ka.txt)
  awk -v r="$rate" -v w="$wrk_rate" -v ka="$ka" \
    'BEGIN { p = 100*r/w; printf "keepalive=%s: %.0f req/s = %.1f %% of wrk (%.0f req/s); target 70 %%: %s\n", ka, r, p, w, (p >= 70 ? "MET" : "MISSED") }'
done
