#!/usr/bin/env bash
# Load figures of the member face (issue 2). Needs wrk (apt-get install wrk);
# builds vegeta from the Go module proxy when it is not on PATH.
# Starts plaza on a fresh SQLite store and the bare yardstick, then runs wrk
# with 64 connections against each, one after the other, in the same run;
# then signs in at fixed rates with vegeta (RATES, default "50 100") (an open loop: the latency a
# client sees at that rate) and flat out with wrk (the most the box does).
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${DUR:-15s}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT

go build -o "$work/plaza" ./cmd/plaza
go build -o "$work/benchbare" ./cmd/benchbare

PLAZA_DATA="$work/data" PLAZA_ADDR=127.0.0.1:18080 PLAZA_LOG_LEVEL=error \
PLAZA_SMS_TEST_OTP=8613800138000=246810 "$work/plaza" serve >"$work/plaza.out" 2>"$work/plaza.err" &
for _ in $(seq 50); do curl -sf http://127.0.0.1:18080/healthz >/dev/null && break; sleep 0.1; done

token=$(curl -sf -X POST -H 'Content-Type: application/json' \
  -d '{"account":"13800138000","code":"246810","password":"bench-password"}' \
  http://127.0.0.1:18080/api/auth/register | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
info=$(curl -sf -H "Authorization: Token $token" http://127.0.0.1:18080/api/personal/info)

"$work/benchbare" -addr 127.0.0.1:18090 -json "$info" 2>/dev/null &
for _ in $(seq 50); do curl -sf http://127.0.0.1:18090/ >/dev/null && break; sleep 0.1; done

echo "== bare net/http handler, same JSON"
wrk -t"$THREADS" -c"$CONNS" -d"$DUR" --latency http://127.0.0.1:18090/ | grep -E 'Requests/sec|Latency|99%|Non-2xx'
echo "== plaza GET /api/personal/info"
wrk -t"$THREADS" -c"$CONNS" -d"$DUR" --latency -H "Authorization: Token $token" \
  http://127.0.0.1:18080/api/personal/info | grep -E 'Requests/sec|Latency|99%|Non-2xx'

# The same with the token-check cache off (as on PostgreSQL by default): a
# second plaza on a copy of the store (plaza backup, while the first serves).
# One SQLite data folder serves one process (a second is refused at start:
# it would serve stale caches), so the second node cannot share the first's.
mkdir -p "$work/data2"
PLAZA_DATA="$work/data" "$work/plaza" backup "$work/data2/plaza.db" >/dev/null 2>&1 </dev/null
PLAZA_DATA="$work/data2" PLAZA_ADDR=127.0.0.1:18081 PLAZA_LOG_LEVEL=error PLAZA_AUTH_CACHE_TTL=0 \
  "$work/plaza" serve >"$work/plaza2.out" 2>"$work/plaza2.err" &
for _ in $(seq 50); do curl -sf http://127.0.0.1:18081/healthz >/dev/null && break; sleep 0.1; done
echo "== plaza GET /api/personal/info, token-check cache off"
wrk -t"$THREADS" -c"$CONNS" -d"$DUR" --latency -H "Authorization: Token $token" \
  http://127.0.0.1:18081/api/personal/info | grep -E 'Requests/sec|Latency|99%|Non-2xx'
kill %3 2>/dev/null || true
VEGETA=$(command -v vegeta || true)
if [ -z "$VEGETA" ]; then
  (cd "$work" && mkdir vt && cd vt && go mod init vt >/dev/null 2>&1 &&
   go get -tool github.com/tsenart/vegeta/v12@v12.12.0 >/dev/null 2>&1 &&
   go build -o "$work/vegeta" github.com/tsenart/vegeta/v12)
  VEGETA="$work/vegeta"
fi
printf '{"area":"86","account":"13800138000","password":"bench-password"}' >"$work/login.json"
for rate in ${RATES:-50 100}; do
  sleep 2
  echo "== plaza POST /api/auth/access_token at a fixed $rate/s (vegeta, up to $CONNS connections)"
  echo "POST http://127.0.0.1:18080/api/auth/access_token" |
    "$VEGETA" attack -rate="$rate/s" -duration="$DUR" -connections="$CONNS" -max-connections="$CONNS" \
      -header 'Content-Type: application/json' -body "$work/login.json" |
    "$VEGETA" report | grep -E 'Requests|Latencies|Success|Status'
done

# Last: wrk leaves its queued sign-ins behind, which would weigh on a later phase.
sleep 2
echo "== plaza POST /api/auth/access_token (argon2id login), flat out, $CONNS connections"
wrk -t"$THREADS" -c"$CONNS" -d"$DUR" --latency -s bench/login.lua \
  http://127.0.0.1:18080/api/auth/access_token | grep -E 'Requests/sec|Latency|99%|Non-2xx'

