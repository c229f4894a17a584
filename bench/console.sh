#!/usr/bin/env bash
# First paint of every page of the operator's console (docs/performance.md,
# "Console first paint (issue 10)"). Needs Chromium (apt-get install
# chromium, or PLAZA_TEST_CHROME).
#
# Seeds a fresh SQLite store with cmd/benchseed by direct inserts: 100,000
# users, 1,000,000 wallet ledger entries (user 1 has a twentieth of them),
# 100,000 ticket orders, 20,000 feedback, 2,000 pushes, 50,000 audit rows,
# 5,000 customer service threads; checks the ledger with plaza ledger
# verify; starts plaza serve on it, makes an admin with plaza admin create,
# and runs cmd/benchconsole: each page RUNS times, a full page load each.
#
# With DATABASE_URL (a PostgreSQL server URL, e.g.
# postgres://postgres@127.0.0.1:5432/test?sslmode=disable) it does the
# same on PostgreSQL, in a database plaza_bench_console that it creates and
# drops at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-10}
USERS=${USERS:-100000}
LEDGER=${LEDGER:-1000000}
ORDERS=${ORDERS:-100000}
FEEDBACK=${FEEDBACK:-20000}
PUSHES=${PUSHES:-2000}
AUDIT=${AUDIT:-50000}
SERVICE=${SERVICE:-5000}
PORT=${PORT:-18180}
EMAIL=ops@bench.example
PASSWORD=bench-console-password
work=$(mktemp -d)
pgdb=
cleanup() {
  kill $(jobs -p) 2>/dev/null || true
  wait 2>/dev/null || true
  if [ -n "$pgdb" ]; then psql "$DATABASE_URL" -qc "DROP DATABASE IF EXISTS plaza_bench_console" >/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/plaza" ./cmd/plaza
go build -o "$work/benchseed" ./cmd/benchseed
go build -o "$work/benchconsole" ./cmd/benchconsole

bench() { # title, then the store's environment (PLAZA_DATA=... or PLAZA_DATABASE_URL=...)
  local title=$1; shift
  echo "== $title"
  local seedargs=(-data "$work/data")
  case "$1" in PLAZA_DATABASE_URL=*) seedargs=(-database-url "${1#PLAZA_DATABASE_URL=}" -out "$work/lua") ;; esac
  "$work/benchseed" "${seedargs[@]}" -users "$USERS" -articles 0 -likes 0 -collects 0 -follows 0 -tokens 1 -like-pairs 0 -threads 1 \
    -ledger "$LEDGER" -orders "$ORDERS" -feedback "$FEEDBACK" -pushes "$PUSHES" -audit "$AUDIT" -service "$SERVICE"
  local verify
  verify=$(env PLAZA_DATA="$work/data" "$@" "$work/plaza" ledger verify)
  echo "${verify%%$'\n'*}"
  env PLAZA_DATA="$work/data" PLAZA_ADMIN_PASSWORD="$PASSWORD" "$@" "$work/plaza" admin create -email "$EMAIL" >/dev/null
  env PLAZA_DATA="$work/data" PLAZA_ADDR=127.0.0.1:$PORT PLAZA_LOG_LEVEL=error "$@" \
    "$work/plaza" serve >"$work/plaza.out" 2>"$work/plaza.err" &
  local pid=$!
  for _ in $(seq 300); do curl -sf http://127.0.0.1:$PORT/healthz >/dev/null && break; sleep 0.1; done
  curl -sf http://127.0.0.1:$PORT/healthz >/dev/null || { echo "plaza did not start" >&2; cat "$work/plaza.err" >&2; exit 1; }
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  # The order: a paid one of the middle of the table.
  "$work/benchconsole" -url http://127.0.0.1:$PORT -email "$EMAIL" -password "$PASSWORD" -runs "$RUNS" \
    -user 1 -order $((ORDERS / 2 + 1)) -phone 1390001 -nick nick-4242
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  kill $pid; wait $pid 2>/dev/null || true
}

bench "SQLite" PLAZA_DATA="$work/data"

if [ -n "${DATABASE_URL:-}" ]; then
  psql "$DATABASE_URL" -qc "DROP DATABASE IF EXISTS plaza_bench_console" >/dev/null
  psql "$DATABASE_URL" -qc "CREATE DATABASE plaza_bench_console" >/dev/null
  pgdb=1
  url=$(sed -E 's#/[^/?]*(\?|$)#/plaza_bench_console\1#' <<<"${DATABASE_URL#*://}")
  url="${DATABASE_URL%%://*}://$url"
  rm -rf "$work/data"; mkdir -p "$work/data"
  bench "PostgreSQL" PLAZA_DATABASE_URL="$url"
fi
