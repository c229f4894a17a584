#!/usr/bin/env bash
# Load figures of the doge face (issue 8). Needs wrk (apt-get install wrk).
# Starts plaza on a fresh SQLite store, makes USERS players with a pet each
# (POST /api/v1/user/, POST /api/v1/user/pet/) and 30 goods (admin API);
# then wrk, CONNS connections, one after the other in the same run:
#   1. the heartbeat GET /api/v1/user/pet/?token= (each request the next
#      player's token, round robin: bench/doge.lua; the store's clock is the
#      real one, so poop accrues and is written as it would be),
#   2. the goods page's bytes from a bare net/http handler (cmd/benchbare),
#   3. GET /api/v1/goods/?token=,
# then stops plaza and runs `plaza ledger verify`. PLAZA_* variables pass
# through: PLAZA_DOGE_POOP_EVERY=1ms PLAZA_DOGE_POOP_MAX=1000000 makes
# every heartbeat accrue poop, so every one writes.
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${DUR:-15s}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
USERS=${USERS:-64}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT

go build -o "$work/plaza" ./cmd/plaza
go build -o "$work/benchbare" ./cmd/benchbare
base=http://127.0.0.1:18080
PLAZA_DATA="$work/data" PLAZA_ADDR=127.0.0.1:18080 PLAZA_LOG_LEVEL=error \
  PLAZA_ADMIN_EMAIL=ops@example.com PLAZA_ADMIN_PASSWORD=bench-password \
  "$work/plaza" serve >"$work/plaza.out" 2>"$work/plaza.err" &
pid=$!
for _ in $(seq 100); do curl -sf $base/readyz >/dev/null && break; sleep 0.1; done

json() { sed -E "s/.*\"$1\": ?\"?([^\",}]+)\"?.*/\1/"; }
: >"$work/tokens"
for i in $(seq 1 "$USERS"); do
  tok=$(curl -sf -X POST -d "user_id=bench-device-$i&nick=玩家$i&male=1" $base/api/v1/user/ | json token)
  curl -sf -X POST -d "token=$tok&type=$((i % 4 + 1))&sex=1&character=$((i % 8 + 1))&wish=1" $base/api/v1/user/pet/ >/dev/null
  echo "$tok" >>"$work/tokens"
done
admin=$(curl -sf -X POST -H 'Content-Type: application/json' \
  -d '{"email":"ops@example.com","password":"bench-password"}' $base/admin/v1/login | json token)
for i in $(seq 30); do
  curl -sf -X POST -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
    -d "{\"name\":\"骨头$i\",\"price\":$((i % 5 + 1)),\"picture\":\"\",\"desc\":\"一根骨头\"}" \
    $base/admin/v1/goods >/dev/null
done
tok=$(head -1 "$work/tokens")
curl -sf "$base/api/v1/user/pet/?token=$tok" | grep -q '"status":1,' || { echo "the heartbeat does not answer status 1" >&2; exit 1; }
curl -sf "$base/api/v1/goods/?token=$tok" >"$work/page.json"
"$work/benchbare" -addr 127.0.0.1:18090 -json "$(cat "$work/page.json")" 2>/dev/null &
for _ in $(seq 50); do curl -sf http://127.0.0.1:18090/ >/dev/null && break; sleep 0.1; done

show='requests in|Requests/sec|Latency|99%|Non-2xx'
echo "== GET /api/v1/user/pet/ (heartbeat, $USERS players, round robin)"
TOKENS="$work/tokens" wrk -t"$THREADS" -c"$CONNS" -d"$DUR" --latency -s bench/doge.lua \
  "$base/api/v1/user/pet/" | grep -E "$show"
echo "== bare net/http handler, the goods page"
wrk -t"$THREADS" -c"$CONNS" -d"$DUR" --latency http://127.0.0.1:18090/ | grep -E "$show"
echo "== GET /api/v1/goods/"
wrk -t"$THREADS" -c"$CONNS" -d"$DUR" --latency "$base/api/v1/goods/?token=$tok" | grep -E "$show"
kill -TERM "$pid"; wait "$pid" || true
PLAZA_DATA="$work/data" "$work/plaza" ledger verify | tail -2
