#!/usr/bin/env bash
# Room chat latency (docs/performance.md, "Room chat"): VIEWERS WebSocket
# viewers of one room, RATE comments a second for DUR, the time from send
# to receipt at every viewer. One node on SQLite with the local bus; then,
# when PLAZA_TEST_DATABASE_URL names a PostgreSQL, one node and two nodes
# (half the viewers each) with the PostgreSQL bus; and two nodes with the
# Redis bus when REDIS_URL is set.
set -euo pipefail
cd "$(dirname "$0")/.."
VIEWERS=${VIEWERS:-1000}
RATE=${RATE:-20}
DUR=${DUR:-10s}
go build -o /tmp/roomchat.$$ ./bench/roomchat
trap 'rm -f /tmp/roomchat.$$' EXIT
b() { /tmp/roomchat.$$ -viewers "$VIEWERS" -rate "$RATE" -duration "$DUR" "$@"; }
b -nodes 1
if [ -n "${PLAZA_TEST_DATABASE_URL:-}" ]; then
  b -nodes 1 -db "$PLAZA_TEST_DATABASE_URL" -realtime postgres
  b -nodes 2 -db "$PLAZA_TEST_DATABASE_URL" -realtime postgres
  if [ -n "${REDIS_URL:-}" ]; then
    b -nodes 2 -db "$PLAZA_TEST_DATABASE_URL" -realtime redis -redis "$REDIS_URL"
  fi
fi
