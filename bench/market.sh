#!/usr/bin/env bash
# Load figures of the market face (issue 7). Needs wrk (apt-get install wrk)
# and, for the PostgreSQL run, psql and PLAZA_BENCH_DATABASE_URL (a database
# plaza may make a schema "bench_market" in).
#
# For each engine (SQLite in a fresh data folder, then PostgreSQL when
# PLAZA_BENCH_DATABASE_URL is set): starts plaza, signs up USERS users
# (test numbers), grants them diamonds through the admin API, makes a
# 1-diamond product with unlimited stock and 30 products to list; then
# runs wrk with CONNS connections on
#   1. GET /market/exchange_products/purchase/{pk}/ (each request a user of
#      the next token, round robin: bench/market.lua),
#   2. GET /market/exchange_products/ (the first page of 20),
#   3. the same page's bytes from a bare net/http handler (cmd/benchbare),
# stops plaza, checks that the orders number at least the acknowledged
# purchases and that `plaza ledger verify` passes. ENGINES picks the runs
# ("sqlite postgres" by default).
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

otp=""
for i in $(seq 1 "$USERS"); do otp="$otp${otp:+,}86139$(printf '%08d' "$i")=246810"; done

json() { sed -E "s/.*\"$1\":\"?([^\",}]+)\"?.*/\1/"; }

bench() { # engine-name, extra environment...
  local name=$1; shift
  local data="$work/data-$name" base=http://127.0.0.1:18080
  env PLAZA_DATA="$data" PLAZA_ADDR=127.0.0.1:18080 PLAZA_LOG_LEVEL=error PLAZA_SMS_TEST_OTP="$otp" \
    PLAZA_ADMIN_EMAIL=ops@example.com PLAZA_ADMIN_PASSWORD=bench-password "$@" \
    "$work/plaza" serve >"$work/plaza-$name.out" 2>"$work/plaza-$name.err" &
  local pid=$!
  for _ in $(seq 100); do curl -sf $base/readyz >/dev/null && break; sleep 0.1; done
  local admin
  admin=$(curl -sf -X POST -H 'Content-Type: application/json' \
    -d '{"email":"ops@example.com","password":"bench-password"}' $base/admin/v1/login | json token)
  local H="Authorization: Bearer $admin"
  : >"$work/tokens"
  for i in $(seq 1 "$USERS"); do
    curl -sf -X POST -H 'Content-Type: application/json' \
      -d "{\"account\":\"139$(printf '%08d' "$i")\",\"code\":\"246810\",\"password\":\"bench-password\"}" \
      $base/api/auth/register | json access_token >>"$work/tokens"
  done
  for id in $(curl -sf -H "$H" "$base/admin/v1/users?page_size=100" | grep -oE '"id":[0-9]+' | cut -d: -f2); do
    curl -sf -X POST -H "$H" -H 'Content-Type: application/json' \
      -d "{\"currency\":\"diamond\",\"amount\":100000000,\"reason\":\"bench\",\"idempotency_key\":\"bench-$id\"}" \
      "$base/admin/v1/users/$id/wallet" >/dev/null
  done
  local pk
  pk=$(curl -sf -X POST -H "$H" -H 'Content-Type: application/json' \
    -d '{"name":"乌龙茶","content":"乌龙茶饮料","image":"http://thisisimages/","diamond":1,"product_type":0}' \
    $base/admin/v1/exchange-products | grep -oE '"id":[0-9]+' | cut -d: -f2)
  for i in $(seq 29); do
    curl -sf -X POST -H "$H" -H 'Content-Type: application/json' \
      -d "{\"name\":\"虚拟商品$i\",\"content\":\"头像框\",\"image\":\"http://thisisimages/\",\"diamond\":100,\"product_type\":1,\"category\":{\"name\":\"Avatar\",\"desc\":\"\",\"style\":\"avatar_2\",\"action\":\"avatar\"}}" \
      $base/admin/v1/exchange-products >/dev/null
  done
  curl -sf $base/market/exchange_products/ >"$work/page.json"
  "$work/benchbare" -addr 127.0.0.1:18090 -json "$(cat "$work/page.json")" 2>/dev/null &
  local bare=$!
  for _ in $(seq 50); do curl -sf http://127.0.0.1:18090/ >/dev/null && break; sleep 0.1; done

  echo "== $name: GET /market/exchange_products/purchase/$pk/ ($USERS users, round robin)"
  TOKENS="$work/tokens" wrk -t"$THREADS" -c"$CONNS" -d"$DUR" --latency -s bench/market.lua \
    "$base/market/exchange_products/purchase/$pk/" | tee "$work/wrk-buy" | grep -E 'requests in|Requests/sec|Latency|99%|Non-2xx'
  echo "== $name: bare net/http handler, the same page"
  wrk -t"$THREADS" -c"$CONNS" -d"$DUR" --latency http://127.0.0.1:18090/ | grep -E 'Requests/sec|Latency|99%|Non-2xx'
  echo "== $name: GET /market/exchange_products/"
  wrk -t"$THREADS" -c"$CONNS" -d"$DUR" --latency $base/market/exchange_products/ | grep -E 'Requests/sec|Latency|99%|Non-2xx'
  kill "$bare"
  kill -TERM "$pid"; wait "$pid" || true

  local total non2xx orders
  total=$(grep -oE '[0-9]+ requests in' "$work/wrk-buy" | cut -d' ' -f1)
  non2xx=$(grep -oE 'Non-2xx or 3xx responses: [0-9]+' "$work/wrk-buy" | grep -oE '[0-9]+$' || echo 0)
  if [ -n "${PLAZA_BENCH_PG:-}" ]; then
    orders=$(psql -qtA "$PLAZA_BENCH_PG" -c "SELECT COUNT(*) FROM bench_market.exchange_orders")
  else
    orders=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT COUNT(*) FROM exchange_orders').fetchone()[0])" "$data/plaza.db")
  fi
  echo "== $name: $((total - non2xx)) purchases acknowledged, $orders orders"
  [ "$orders" -ge "$((total - non2xx))" ] || { echo "orders missing" >&2; exit 1; }
  env PLAZA_DATA="$data" "$@" "$work/plaza" ledger verify | tail -3
}

engines=" ${ENGINES:-sqlite postgres} "
case $engines in *" sqlite "*) bench sqlite;; esac
case $engines in *" postgres "*)
  if [ -n "${PLAZA_BENCH_DATABASE_URL:-}" ]; then
    psql -q "$PLAZA_BENCH_DATABASE_URL" -c 'DROP SCHEMA IF EXISTS bench_market CASCADE' -c 'CREATE SCHEMA bench_market'
    sep='?'; case "$PLAZA_BENCH_DATABASE_URL" in *\?*) sep='&';; esac
    PLAZA_BENCH_PG="$PLAZA_BENCH_DATABASE_URL" \
      bench postgres PLAZA_DATABASE_URL="$PLAZA_BENCH_DATABASE_URL${sep}search_path=bench_market"
  fi;;
esac
