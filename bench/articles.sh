#!/usr/bin/env bash
# Load figures of the yuanyi article functions (docs/performance.md, "Yuanyi
# face: articles"). Needs wrk (apt-get install wrk).
#
# Seeds a fresh SQLite store with cmd/benchseed (10,000 users, 100,000
# articles, 1,000,000 likes, 100,000 collects; user 1 follows 1,000 users)
# by direct inserts, and has it write wrk scripts whose requests are signed
# yuanyi calls (plaza keeps its signature check on). Then, in one run, one
# after the other:
#   1. the bare net/http yardstick (cmd/benchbare) answering the very bytes
#      plaza answers to article_list, with the same signed POSTs;
#   2. plaza article_list, signed in (is_like, is_collect, counts, authors);
#   3. the same with the content cache off (PLAZA_CONTENT_CACHE=0: every
#      page read from the store, as on PostgreSQL);
#   4. following_article_list of the user who follows 1,000 users, on one
#      connection (latency);
#   5. article_like and article_unlike flat out (every call a write).
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${DUR:-15s}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
USERS=${USERS:-10000}
ARTICLES=${ARTICLES:-100000}
LIKES=${LIKES:-1000000}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT

go build -o "$work/plaza" ./cmd/plaza
go build -o "$work/benchbare" ./cmd/benchbare
go build -o "$work/benchseed" ./cmd/benchseed

"$work/benchseed" -data "$work/data" -users "$USERS" -articles "$ARTICLES" -likes "$LIKES" \
  -collects "$((ARTICLES))" -threads "$THREADS"
lua="$work/data/lua"

start_plaza() { # port, extra environment
  local port=$1; shift
  # The scripts replay calls signed once, at seed time: no ts window.
  env PLAZA_DATA="$work/data" PLAZA_ADDR=127.0.0.1:$port PLAZA_LOG_LEVEL=error PLAZA_YUANYI_MAX_SKEW=0 "$@" \
    "$work/plaza" serve >"$work/plaza-$port.out" 2>"$work/plaza-$port.err" &
  for _ in $(seq 100); do curl -sf http://127.0.0.1:$port/healthz >/dev/null && return; sleep 0.1; done
  echo "plaza on $port did not start" >&2; cat "$work/plaza-$port.err" >&2; exit 1
}
call() { # port, script name
  curl -sf -X POST -H 'Content-Type: application/json' --data @"$lua/$2.json" http://127.0.0.1:$1/yuanyiapi/
}
load() { # title, wrk arguments...
  echo "== $1"; shift
  wrk --latency "$@" | grep -E 'Requests/sec|Latency  |50%|99%|Non-2xx|other than 0'
}

start_plaza 18080
answer=$(call 18080 article_list)
case "$answer" in
  *'"code":0}') ;;
  *) echo "article_list failed: $answer" >&2; exit 1 ;;
esac
echo "article_list answers ${#answer} bytes, $(grep -o '"article_id"' <<<"$answer" | wc -l) items"
"$work/benchbare" -addr 127.0.0.1:18090 -json "$answer" 2>/dev/null &
for _ in $(seq 50); do curl -sf http://127.0.0.1:18090/ >/dev/null && break; sleep 0.1; done

load "bare net/http handler, the same answer, $CONNS connections" \
  -t"$THREADS" -c"$CONNS" -d"$DUR" -s "$lua/article_list.lua" http://127.0.0.1:18090/yuanyiapi/
load "plaza article_list (signed in, 20 items), $CONNS connections" \
  -t"$THREADS" -c"$CONNS" -d"$DUR" -s "$lua/article_list.lua" http://127.0.0.1:18080/yuanyiapi/
load "plaza article_detail (3 images, 10 likers), $CONNS connections" \
  -t"$THREADS" -c"$CONNS" -d"$DUR" -s "$lua/article_detail.lua" http://127.0.0.1:18080/yuanyiapi/
load "plaza following_article_list (follows 1,000 users), 1 connection" \
  -t1 -c1 -d"$DUR" -s "$lua/following_article_list.lua" http://127.0.0.1:18080/yuanyiapi/
load "plaza following_article_list (follows 1,000 users), $CONNS connections" \
  -t"$THREADS" -c"$CONNS" -d"$DUR" -s "$lua/following_article_list.lua" http://127.0.0.1:18080/yuanyiapi/
WRK_CHECK=1 load "plaza article_like / article_unlike flat out (each call a write), $CONNS connections" \
  -t"$THREADS" -c"$CONNS" -d"$DUR" -s "$lua/like.lua" http://127.0.0.1:18080/yuanyiapi/
kill %1 2>/dev/null || true
# One SQLite data folder, one process: wait until it has stopped (and let
# its lock go) before the next one starts on the same folder.
wait %1 2>/dev/null || true
echo "== counters after the likes"
"$work/benchseed" -data "$work/data" -check

# The same store with the content cache off: every page from SQLite.
start_plaza 18081 PLAZA_CONTENT_CACHE=0
load "plaza article_list, content cache off, $CONNS connections" \
  -t"$THREADS" -c"$CONNS" -d"$DUR" -s "$lua/article_list.lua" http://127.0.0.1:18081/yuanyiapi/
load "plaza following_article_list, content cache off, 1 connection" \
  -t1 -c1 -d"$DUR" -s "$lua/following_article_list.lua" http://127.0.0.1:18081/yuanyiapi/
