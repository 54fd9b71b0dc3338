#!/usr/bin/env bash
# Verdict stability in real time (issue 17): RUNS runs of the same command
# against the same reference receiver must give the same verdict and the
# same failed requirements. The receiver (BEHAVIOUR, default
# single-thread-fetch: one request at a time, fetching the transcript
# before answering, as FastAPI's `async def` route calling the blocking
# requests.get) fetches from the emulated API that each `run --api` serves.
# Loopback only. Prints one line per run and exits 1 if any run differs.
# RUN_BIN runs another build's `run` against the same receiver (e.g. the
# last release's, to compare). PROVIDER (standard-webhooks, stripe,
# github) checks one of that provider's reference receivers instead
# (BEHAVIOUR, e.g. sw-no-dedup), signed with HOOKCHECK_SIGNING_SECRET (a
# fixed test secret by default), its processing asked at
# /processed/{id} (SIG-09), without the emulated API.
set -euo pipefail
RUNS=${RUNS:-10}
BEHAVIOUR=${BEHAVIOUR:-single-thread-fetch}
FLAGS=${FLAGS:---fast}
PORT=${PORT:-18619}
API_PORT=${API_PORT:-18620}
GO=${GO:-go}
cd "$(dirname "$0")/.."
mkdir -p .bench
$GO build -o .bench/hookcheck ./cmd/hookcheck
export HOOKCHECK_API_KEY=verdict-stability-key
PROVIDER=${PROVIDER:-}
if [ -n "$PROVIDER" ]; then
  export HOOKCHECK_SIGNING_SECRET=${HOOKCHECK_SIGNING_SECRET:-whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw}
  .bench/hookcheck receiver --listen "127.0.0.1:$PORT" --behaviour "$BEHAVIOUR" >.bench/receiver.log 2>&1 &
  CHECK=(--provider "$PROVIDER" --verify-url "http://127.0.0.1:$PORT/processed/{id}")
else
  .bench/hookcheck receiver --listen "127.0.0.1:$PORT" --behaviour "$BEHAVIOUR" \
    --api-url "http://127.0.0.1:$API_PORT" >.bench/receiver.log 2>&1 &
  CHECK=(--api "127.0.0.1:$API_PORT")
fi
receiver=$!
trap 'kill "$receiver" 2>/dev/null; wait "$receiver" 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q listening .bench/receiver.log && break; sleep 0.1; done
first=""
differ=0
for i in $(seq "$RUNS"); do
  start=$(date +%s%N)
  # shellcheck disable=SC2086 # FLAGS is a list of flags
  ${RUN_BIN:-.bench/hookcheck} run --target "http://127.0.0.1:$PORT/webhook" "${CHECK[@]}" $FLAGS \
    --out ".bench/verdict-$i" >".bench/verdict-$i.txt" 2>&1 || true
  took_ms=$(( ($(date +%s%N) - start) / 1000000 ))
  verdict=$(grep -E '^(CONFORMANT|NOT CONFORMANT|PARTIAL|INCOMPLETE)' ".bench/verdict-$i.txt" | head -n1 | cut -d: -f1)
  failed=$(awk '$1 ~ /^(RC|SIG)-[0-9]+$/ && $3 == "FAILED" {print $1}' ".bench/verdict-$i.txt" | paste -sd, -)
  blocked=$(awk '$1 ~ /^(RC|SIG)-[0-9]+$/ && $3 == "FAILED" && $4 ~ /blocked|possibly/ {print $1}' ".bench/verdict-$i.txt" | paste -sd, -)
  line="$verdict; failed: ${failed:-none}; blocked or possibly the same cause: ${blocked:-none}"
  printf 'run %2d  %3d.%d s  %s\n' "$i" $((took_ms / 1000)) $((took_ms % 1000 / 100)) "$line"
  if [ -z "$first" ]; then first=$line; elif [ "$line" != "$first" ]; then differ=1; fi
done
if [ "$differ" = 1 ]; then echo "the verdict changed between runs"; exit 1; fi
echo "same verdict in $RUNS of $RUNS runs: $first"
