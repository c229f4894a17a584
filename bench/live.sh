#!/usr/bin/env bash
# Load figure of the live face (issue 9). Needs wrk (apt-get install wrk).
# Starts plaza on a fresh SQLite store (or PostgreSQL: PLAZA_DATABASE_URL),
# signs up FRIENDS+1 users through /register and /log (test numbers, so no
# SMS and no quotas), makes the first a friend of every other (add=1 then
# dealMessage=1), opens a live room for every tenth friend, and runs wrk,
# CONNS connections:
#   1. POST /list friendlist=1 of the user with FRIENDS friends,
#   2. the same answer's bytes from a bare net/http handler (cmd/benchbare).
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${DUR:-15s}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
FRIENDS=${FRIENDS:-500}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT

go build -o "$work/plaza" ./cmd/plaza
go build -o "$work/benchbare" ./cmd/benchbare
base=http://127.0.0.1:18080
phone() { printf '139%08d' "$1"; }
otp=$(for i in $(seq 0 "$FRIENDS"); do printf '86%s=1234,' "$(phone "$i")"; done)
PLAZA_DATA="$work/data" PLAZA_ADDR=127.0.0.1:18080 PLAZA_LOG_LEVEL=error PLAZA_SMS_TEST_OTP="${otp%,}" \
  "$work/plaza" serve >"$work/plaza.out" 2>"$work/plaza.err" &
pid=$!
for _ in $(seq 100); do curl -sf $base/readyz >/dev/null && break; sleep 0.1; done

msg() { sed -E 's/.*"message": ?"([^"]*)".*/\1/'; }
signup() {
  local p=$1 ch
  ch=$(curl -sf -d "userId=$p" $base/register | msg)
  curl -sf -d "code_v=$ch&code=1234" $base/register >/dev/null
  curl -sf -d "register=1&userId=$p&password=bench1234&gender=1&nickname=用户$p" $base/register >/dev/null
  curl -sf -d "userId=$p&password=bench1234&expire_in=86400" $base/log | msg
}
export -f signup msg
export base
me=$(phone 0)
tok=$(signup "$me")
for i in $(seq 1 "$FRIENDS"); do phone "$i"; echo; done >"$work/phones"
# Each friend signs up, asks me, and every tenth goes live.
xargs -P 4 -I{} bash -c 't=$(signup {}); curl -sf -d "token=$t&add=1&userId='"$me"'" $base/friend >/dev/null;
  case {} in *0) curl -sf -d "token=$t&live=1&title=room" $base/room >/dev/null;; esac' <"$work/phones"
xargs -P 4 -I{} curl -sf -d "token=$tok&dealMessage=1&behaviour=accept&userId={}" $base/friend -o /dev/null <"$work/phones"

curl -sf -d "token=$tok&friendlist=1" $base/list >"$work/list.json"
grep -q "\"count\": *$FRIENDS" "$work/list.json" || grep -q "\"count\":$FRIENDS" "$work/list.json" ||
  { echo "the friend list does not hold $FRIENDS friends: $(head -c 300 "$work/list.json")" >&2; exit 1; }
echo "friend list: $(wc -c <"$work/list.json") bytes, $(grep -o '"liveStatus":"on"' "$work/list.json" | wc -l) live"
"$work/benchbare" -addr 127.0.0.1:18090 -json "$(cat "$work/list.json")" 2>/dev/null &
for _ in $(seq 50); do curl -sf http://127.0.0.1:18090/ >/dev/null && break; sleep 0.1; done

cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.body = "token=$tok&friendlist=1"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
LUA
show='requests in|Requests/sec|Latency|99%|Non-2xx'
echo "== POST /list friendlist=1 ($FRIENDS friends)"
wrk -t"$THREADS" -c"$CONNS" -d"$DUR" --latency -s "$work/post.lua" "$base/list" | grep -E "$show"
echo "== bare net/http handler, the same answer"
wrk -t"$THREADS" -c"$CONNS" -d"$DUR" --latency http://127.0.0.1:18090/ | grep -E "$show"
kill -TERM "$pid"; wait "$pid" || true
