#!/usr/bin/env bash
# The generator's highest open-model rate (BENCHMARKS.md): `hookcheck load`
# at each of RATES against a trivial receiver (`hookcheck receiver
# --behaviour status --status 200`, its own process) on loopback, each for
# DURATION; prints the generator's lag, the answer time and its peak RSS.
set -euo pipefail
RATES=${RATES:-"250 500 1000 1500 2000 3000"}
DURATION=${DURATION:-20s}
PORT=${PORT:-18200}
GO=${GO:-go}
cd "$(dirname "$0")/.."
mkdir -p .bench
$GO build -o .bench/hookcheck ./cmd/hookcheck
.bench/hookcheck receiver --behaviour status --status 200 --listen "127.0.0.1:$PORT" >/dev/null 2>&1 &
receiver=$!
trap 'kill "$receiver" 2>/dev/null; wait "$receiver" 2>/dev/null || true' EXIT
sleep 0.5
printf '%6s %8s %9s %9s %6s %11s %11s %11s %9s %s\n' rate offered attempts first_try lost lag_p99_ms lag_max_ms answer_p99 rss_kb generator_limited
for r in $RATES; do
	out=.bench/load-$r
	/usr/bin/time -v .bench/hookcheck load --target "http://127.0.0.1:$PORT/webhook" --rate "$r" --duration "$DURATION" \
		--drain 10s --quiet --out "$out" >"$out.log" 2>"$out.time" || true
	rss=$(grep 'Maximum resident' "$out.time" | awk '{print $NF}')
	jq -r --arg rss "$rss" '.load | [.to_rate, .offered, .attempts_sent, .acknowledged_first_try, .lost,
		.generator_lag.p99_ms, .generator_lag.max_ms, .answer.p99_ms, $rss, .generator_limited] | @tsv' "$out/load-results.json" |
		awk -F'\t' '{printf "%6s %8s %9s %9s %6s %11s %11s %11s %9s %s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10}'
done
