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

# hey is a Go net/http client like the engine: the like-for-like reference.
body='{"transcript_id":"9ea68fd3-f953-42c1-9742-976c447fb463","status":"completed"}'
declare -A hey_rate
if command -v hey >/dev/null; then
  for ka in false true; do
    flag=""; [ "$ka" = false ] && flag="-disable-keepalive"
    echo "== hey -n $N -c $C $flag"
    hey -n "$N" -c "$C" $flag -m POST -T application/json -d "$body" "$url/hook" | tee .bench/hey-$ka.txt | grep -E 'Requests/sec|\[2..\]'
    hey_rate[$ka]=$(awk '/Requests\/sec/ {print $2}' .bench/hey-$ka.txt)
  done
else
  echo "hey is missing (apt-get install -y hey): comparing with wrk only" >&2
fi

for ka in false true; do
  echo "== hookcheck engine, keepalive=$ka"
  .bench/loadtest burst -target "$url/hook" -n "$N" -c "$C" -keepalive="$ka" | tee .bench/burst-$ka.txt
  rate=$(sed -n 's/.*rate=\([0-9.]*\) req\/s.*/\1/p' .bench/burst-$ka.txt)
  awk -v r="$rate" -v w="$wrk_rate" -v h="${hey_rate[$ka]:-0}" -v ka="$ka" \
    'BEGIN { p = 100*r/w; printf "keepalive=%s: %.0f req/s = %.1f %% of wrk (%.0f req/s, keep-alive)", ka, r, p, w;
             if (h > 0) { q = 100*r/h; printf "; %.1f %% of hey with keepalive=%s (%.0f req/s); target 70 %%: %s", q, ka, h, (q >= 70 ? "MET" : "MISSED") }
             printf "\n" }'
done
