#!/usr/bin/env bash
# Load figures of the member face (issue 2). Needs wrk (apt-get install wrk).
# Starts plaza on a fresh SQLite store and the bare yardstick, then runs wrk
# with 64 connections against each, one after the other, in the same run.
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
echo "== plaza POST /api/auth/access_token (argon2id login)"
wrk -t"$THREADS" -c"$CONNS" -d"$DUR" --latency -s bench/login.lua \
  http://127.0.0.1:18080/api/auth/access_token | grep -E 'Requests/sec|Latency|99%|Non-2xx'
