#!/usr/bin/env bash
# Load figures of "many nodes" (issue 11 §3; docs/performance.md, "Many
# nodes: through the balancer"). Needs wrk, nginx, psql and a PostgreSQL
# server (DATABASE_URL), a Redis (REDIS_URL); redis-cli is used when present.
#
# Everything goes through nginx with the shipped deploy/nginx/balancer.conf
# (its two upstream servers pointed at local nodes, its listen at a local
# port) and, in the same nginx, a second server block with the same proxy
# settings in front of the bare yardstick (cmd/benchbare, two processes),
# so the bare handler pays for the balancer as plaza does. In one run, each
# with wrk, THREADS threads and CONNS connections, one after the other:
#
#   PostgreSQL, two plaza nodes on one database (a fresh one, created here
#   and dropped at the end), Redis for both (its own key prefix), caches at
#   their defaults (auto: on, over the cross-node bus):
#     1. bare, answering the very bytes of plaza's GET /api/personal/info;
#     2. plaza GET /api/personal/info (member face, Authorization: Token);
#     3. bare, answering the very bytes of plaza's article_list;
#     4. plaza article_list (yuanyi face, a signed POST to /yuanyiapi/).
#   SQLite beside them, one plaza node (the upstream has one server line, and
#   the bare upstream one benchbare), seeded the same way:
#     5. bare with the personal/info bytes, then plaza personal/info;
#     6. bare with the article_list bytes, then plaza article_list.
#
# Both stores are seeded by cmd/benchseed (USERS, ARTICLES, LIKES; collects
# = ARTICLES); the member token is the one benchseed gave user 1 (the
# viewer of its signed article_list call). Each plaza figure is printed as
# a ratio of the bare figure measured just before it, and with its p99
# against 50 ms; after each PostgreSQL run, how many requests each node
# served (from its own /metrics).
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${DUR:-15s}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
USERS=${USERS:-10000}
ARTICLES=${ARTICLES:-100000}
LIKES=${LIKES:-1000000}
NGINX_WORKERS=${NGINX_WORKERS:-1}
DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
PORT=${PORT:-18300} # PORT..PORT+9
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

work=$(mktemp -d)
pgdb=plaza_bench_cluster_$$
pgmade=
prefix="plaza_bench_cluster_$$:"
cleanup() {
  kill $(jobs -p) 2>/dev/null || true
  wait 2>/dev/null || true
  if [ -n "$pgmade" ]; then
    psql "$DATABASE_URL" -qc "DROP DATABASE IF EXISTS $pgdb WITH (FORCE)" >/dev/null 2>&1 ||
      psql "$DATABASE_URL" -qc "DROP DATABASE IF EXISTS $pgdb" >/dev/null || true
  fi
  if command -v redis-cli >/dev/null; then
    redis-cli -u "$REDIS_URL" --scan --pattern "$prefix*" 2>/dev/null |
      xargs -r redis-cli -u "$REDIS_URL" DEL >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# Ports: the balancer's plaza side and bare side, the nodes, the bare ones.
lb_plaza=$PORT lb_bare=$((PORT + 1))
node1=$((PORT + 2)) node2=$((PORT + 3))
bare1=$((PORT + 4)) bare2=$((PORT + 5))

go build -o "$work/plaza" ./cmd/plaza
go build -o "$work/benchbare" ./cmd/benchbare
go build -o "$work/benchseed" ./cmd/benchseed
follows=$((USERS > 1000 ? 1000 : USERS - 1))
tokens=$((USERS > 1000 ? 1000 : USERS))
seed() { # benchseed's store arguments
  "$work/benchseed" "$@" -users "$USERS" -articles "$ARTICLES" -likes "$LIKES" -collects "$ARTICLES" \
    -follows "$follows" -tokens "$tokens" -like-pairs 0 -threads "$THREADS"
}

wait_for() { # url, what, log file
  for _ in $(seq 300); do curl -sf -o /dev/null "$1" && return; sleep 0.1; done
  echo "$2 did not answer at $1" >&2; [ -z "${3:-}" ] || cat "$3" >&2; exit 1
}

declare -A node_pid
start_node() { # port, data dir, extra environment
  local port=$1 data=$2; shift 2
  mkdir -p "$data"
  # The scripts replay calls signed once, at seed time: no ts window.
  env PLAZA_DATA="$data" PLAZA_ADDR=127.0.0.1:$port PLAZA_LOG_LEVEL=error PLAZA_TRUST_PROXY=true \
    PLAZA_YUANYI_MAX_SKEW=0 "$@" "$work/plaza" serve >"$work/plaza-$port.out" 2>"$work/plaza-$port.err" &
  node_pid[$port]=$!
  wait_for "http://127.0.0.1:$port/healthz" "plaza on $port" "$work/plaza-$port.err"
}
stop() { # pid...
  kill "$@" 2>/dev/null || true
  for p in "$@"; do wait "$p" 2>/dev/null || true; done
}

bare_pids=()
start_bare() { # JSON, port...
  local body=$1; shift
  [ ${#bare_pids[@]} -eq 0 ] || stop "${bare_pids[@]}"
  bare_pids=()
  for port in "$@"; do
    "$work/benchbare" -addr 127.0.0.1:$port -json "$body" 2>/dev/null &
    bare_pids+=($!)
  done
  for port in "$@"; do wait_for "http://127.0.0.1:$port/" "benchbare on $port"; done
}

nginx_pid=
start_nginx() { # plaza node ports (1 or 2), bare ports (1 or 2)
  local nx="$work/nginx"
  [ -z "$nginx_pid" ] || stop "$nginx_pid"
  rm -rf "$nx"; mkdir -p "$nx"
  local n=$1 b=$2 sedargs
  if [ "${n#* }" != "$n" ]; then
    sedargs=(-e "s/server plaza1:8080/server 127.0.0.1:${n% *}/" -e "s/server plaza2:8080/server 127.0.0.1:${n#* }/")
  else
    sedargs=(-e "s/server plaza1:8080/server 127.0.0.1:$n/" -e "/server plaza2:8080/d")
  fi
  sed -E "${sedargs[@]}" -e "s/listen 80;/listen 127.0.0.1:$lb_plaza;/" deploy/nginx/balancer.conf >"$nx/balancer.conf"
  if grep -q 'plaza[12]:8080\|listen 80;' "$nx/balancer.conf" || ! grep -q "listen 127.0.0.1:$lb_plaza;" "$nx/balancer.conf"; then
    echo "deploy/nginx/balancer.conf changed shape: its upstream servers or listen were not rewritten" >&2; exit 1
  fi
  {
    echo "upstream bare {"
    for port in $b; do echo "    server 127.0.0.1:$port max_fails=1 fail_timeout=5s;"; done
    cat <<EOF
    keepalive 64;
}
# The bare yardstick behind the same proxy settings as balancer.conf's.
server {
    listen 127.0.0.1:$lb_bare;
    server_name _;
    client_max_body_size 12m;
    proxy_http_version 1.1;
    proxy_set_header Host \$host;
    proxy_set_header Connection "";
    proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
    proxy_set_header X-Forwarded-Proto \$scheme;
    proxy_connect_timeout 2s;
    proxy_read_timeout 1h;
    proxy_send_timeout 60s;
    proxy_next_upstream error timeout http_502 http_503;
    proxy_next_upstream_tries 2;
    location / {
        proxy_pass http://bare;
    }
}
EOF
  } >"$nx/bare.conf"
  {
    # Workers drop to "nobody" when the master runs as root: they could not
    # use the temp dir.
    [ "$(id -u)" != 0 ] || echo "user root;"
    cat <<EOF
worker_processes $NGINX_WORKERS;
daemon off;
pid $nx/nginx.pid;
error_log $nx/error.log warn;
events {
    worker_connections 4096;
}
http {
    access_log off;
    client_body_temp_path $nx/client_body;
    proxy_temp_path $nx/proxy;
    fastcgi_temp_path $nx/fastcgi;
    uwsgi_temp_path $nx/uwsgi;
    scgi_temp_path $nx/scgi;
    include $nx/balancer.conf;
    include $nx/bare.conf;
}
EOF
  } >"$nx/nginx.conf"
  "$NGINX" -t -q -p "$nx" -e "$nx/error.log" -c "$nx/nginx.conf"
  "$NGINX" -p "$nx" -e "$nx/error.log" -c "$nx/nginx.conf" &
  nginx_pid=$!
  wait_for "http://127.0.0.1:$lb_plaza/healthz" "plaza through nginx" "$nx/error.log"
}

# Answers through the balancer: twice, so with two nodes each answers once.
info() { curl -sf -H "Authorization: Token $token" "http://127.0.0.1:$1/api/personal/info"; }
list() { curl -sf -X POST -H 'Content-Type: application/json' --data @"$lua/article_list.json" "http://127.0.0.1:$1/yuanyiapi/"; }
answer() { # info|list: sets body (plaza's answer through the balancer)
  body=$($1 "$lb_plaza")
  local again
  again=$($1 "$lb_plaza")
  case "$body" in
    *'"code":0,'* | *'"code":0}') ;;
    *) echo "$1 through the balancer: not code 0: ${body:0:300}" >&2; exit 1 ;;
  esac
  [ "$body" = "$again" ] || echo "note: $1 answered differently on the second call (the other node?)"
}
same_bytes() { # info|list: the bare side answers plaza's bytes
  local b
  b=$($1 "$lb_bare")
  [ "$b" = "$body" ] || { echo "the bare handler's answer differs from plaza's" >&2; exit 1; }
  echo "$1: ${#body} bytes, the same from plaza and the bare handler through the balancer"
}

served() { # node port: requests it served, and those whose code was not 0
  curl -sf "http://127.0.0.1:$1/metrics" | awk '/^plaza_http_requests_total\{/ && !/metrics|healthz/ {
    n += $NF; if ($0 !~ /code="0"/) e += $NF } END { printf "%d %d\n", n, e }'
}
per_node() { # before1 before2: prints what each node served since
  local a b
  read -r a ae <<<"$(served "$node1")"
  read -r b be <<<"$(served "$node2")"
  echo "   node 1 served $((a - $1)) ($((ae - $2)) with a code other than 0), node 2 $((b - $3)) ($((be - $4)))"
}

rps= p99=
load() { # title, wrk arguments...: sets rps, p99
  echo "== $1"; shift
  local out
  out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DUR" --latency "$@")
  grep -E 'Requests/sec|Latency  |50%|99%|Non-2xx|Socket errors' <<<"$out" || true
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {v = $2 + 0; if ($2 ~ /us$/) v /= 1000; else if ($2 ~ /ms$/) ; else if ($2 ~ /s$/) v *= 1000; print v}' <<<"$out")
}
summary=()
verdict() { # what, bare req/s, plaza req/s, plaza p99 (ms)
  local line
  line=$(awk -v w="$1" -v b="$2" -v p="$3" -v l="$4" 'BEGIN {
    r = p / b
    printf "%s: %.0f/s = %.2f of bare (%.0f/s), p99 %.2f ms; at least half: %s, p99 under 50 ms: %s",
      w, p, r, b, l, (r >= 0.5 ? "yes" : "NO"), (l < 50 ? "yes" : "NO") }')
  echo "-> $line"
  summary+=("$line")
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

# PostgreSQL: a database of our own on DATABASE_URL's server.
psql "$DATABASE_URL" -qc "CREATE DATABASE $pgdb" >/dev/null
pgmade=1
url=$(sed -E "s#/[^/?]*(\?|$)#/$pgdb\1#" <<<"${DATABASE_URL#*://}")
url="${DATABASE_URL%%://*}://$url"
echo "== PostgreSQL: seeding database $pgdb"
seed -database-url "$url" -out "$work/pg-lua"
lua="$work/pg-lua"
token=$(sed -E 's/.*"token":"([^"]+)".*/\1/' "$lua/article_list.json")
pgenv=(PLAZA_DATABASE_URL="$url" PLAZA_REDIS_URL="$REDIS_URL" PLAZA_REDIS_PREFIX="$prefix")
start_node "$node1" "$work/node1" "${pgenv[@]}"
start_node "$node2" "$work/node2" "${pgenv[@]}"
if command -v redis-cli >/dev/null; then
  subs=$(redis-cli -u "$REDIS_URL" PUBSUB NUMSUB "${prefix}realtime" | tail -1)
  if [ "$subs" = 2 ]; then
    echo "realtime bus: redis (both nodes subscribed to ${prefix}realtime)"
  else
    echo "realtime bus: not redis ($subs subscribers on ${prefix}realtime): PostgreSQL's LISTEN/NOTIFY or local"
  fi
fi
grep -hi 'realtime\|bus' "$work"/plaza-*.err 2>/dev/null | head -3 || true
start_nginx "$node1 $node2" "$bare1 $bare2"
echo "nginx $("$NGINX" -v 2>&1 | sed 's/.*version: //'), $NGINX_WORKERS worker(s): plaza on 127.0.0.1:$lb_plaza (2 nodes), bare on 127.0.0.1:$lb_bare (2 processes)"

answer info
start_bare "$body" "$bare1" "$bare2"
same_bytes info
load "1. bare via the balancer (2 processes), the personal/info bytes" \
  -H "Authorization: Token $token" "http://127.0.0.1:$lb_bare/api/personal/info"
bare_rps=$rps
read -r s1 e1 <<<"$(served "$node1")"; read -r s2 e2 <<<"$(served "$node2")"
load "2. plaza GET /api/personal/info via the balancer (2 PostgreSQL nodes)" \
  -H "Authorization: Token $token" "http://127.0.0.1:$lb_plaza/api/personal/info"
per_node "$s1" "$e1" "$s2" "$e2"
verdict "PostgreSQL, 2 nodes, personal/info" "$bare_rps" "$rps" "$p99"

answer list
echo "article_list: $(grep -o '"article_id"' <<<"$body" | wc -l) items"
start_bare "$body" "$bare1" "$bare2"
same_bytes list
load "3. bare via the balancer (2 processes), the article_list bytes" \
  -s "$lua/article_list.lua" "http://127.0.0.1:$lb_bare/yuanyiapi/"
bare_rps=$rps
read -r s1 e1 <<<"$(served "$node1")"; read -r s2 e2 <<<"$(served "$node2")"
load "4. plaza article_list via the balancer (2 PostgreSQL nodes)" \
  -s "$lua/article_list.lua" "http://127.0.0.1:$lb_plaza/yuanyiapi/"
per_node "$s1" "$e1" "$s2" "$e2"
verdict "PostgreSQL, 2 nodes, article_list" "$bare_rps" "$rps" "$p99"

stop "${bare_pids[@]}" "$nginx_pid" "${node_pid[$node1]}" "${node_pid[$node2]}"
bare_pids=() nginx_pid=

# SQLite beside: one node (its store serves one process), one bare process.
echo "== SQLite: seeding"
seed -data "$work/sqlite"
lua="$work/sqlite/lua"
token=$(sed -E 's/.*"token":"([^"]+)".*/\1/' "$lua/article_list.json")
start_node "$node1" "$work/sqlite"
start_nginx "$node1" "$bare1"
echo "nginx: plaza on 127.0.0.1:$lb_plaza (1 node: the upstream's one server line), bare on 127.0.0.1:$lb_bare (1 process)"

answer info
start_bare "$body" "$bare1"
same_bytes info
load "5a. bare via the balancer (1 process), the personal/info bytes" \
  -H "Authorization: Token $token" "http://127.0.0.1:$lb_bare/api/personal/info"
bare_rps=$rps
load "5b. plaza GET /api/personal/info via the balancer (1 SQLite node)" \
  -H "Authorization: Token $token" "http://127.0.0.1:$lb_plaza/api/personal/info"
verdict "SQLite, 1 node, personal/info" "$bare_rps" "$rps" "$p99"

answer list
start_bare "$body" "$bare1"
same_bytes list
load "6a. bare via the balancer (1 process), the article_list bytes" \
  -s "$lua/article_list.lua" "http://127.0.0.1:$lb_bare/yuanyiapi/"
bare_rps=$rps
load "6b. plaza article_list via the balancer (1 SQLite node)" \
  -s "$lua/article_list.lua" "http://127.0.0.1:$lb_plaza/yuanyiapi/"
verdict "SQLite, 1 node, article_list" "$bare_rps" "$rps" "$p99"

echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
if grep -q '\[\(error\|crit\|alert\|emerg\)\]' "$work/nginx/error.log" 2>/dev/null; then
  echo "nginx errors (last part):"; grep '\[\(error\|crit\|alert\|emerg\)\]' "$work/nginx/error.log" | tail -3
fi
echo "== summary"
printf '%s\n' "${summary[@]}"
