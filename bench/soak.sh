#!/usr/bin/env bash
# Soak test (issue 12 §3): SOAK (default 30m) of a fixed-rate mix over
# every face against one node, to see that nothing grows. Builds vegeta from
# the Go module proxy when it is not on PATH (as bench/run.sh does).
#
# Starts plaza on a fresh SQLite store (or on DATABASE_URL, PostgreSQL: an
# empty database or schema, as for `plaza migrate`), with test numbers
# (PLAZA_SMS_TEST_OTP) and the yuanyi signature check off; makes the users,
# tokens and catalogue the mix needs; then attacks at RATE (default 200/s)
# a minute at a time with the targets of every face, reads and writes
# (member personal/info, feedback; yuanyi article_list, article_publish,
# article_like/unlike, shopping_cart_add/del, order_create; doge heartbeat
# and pick; market products list and purchase; live friend list; admin
# users list), and after each minute samples the server: VmRSS of
# /proc/<pid>/status, go_goroutines, go_memstats_heap_inuse_bytes and
# go_memstats_next_gc_bytes (the heap goal: about twice the live heap after
# the last collection) of /metrics. At the end: the table and a verdict. Flat means: after WARMUP
# minutes (default 1), the last third's highest RSS at most 20% over the
# first third's, and its most goroutines at most 20% (or 20) over the first
# third's; and no 5xx, no failed request (status 0) in any minute.
#
# Bounded caches fill as the mix writes: every article published and then
# listed enters the yuanyi face's item memo (at most 20,000 items, then it
# starts afresh) and the content core's row cache (PLAZA_CONTENT_CACHE rows,
# 100,000 on SQLite); at PUBLISH=1 (one article_publish per round of the
# targets: about 5.7 a second at 200/s) they fill for about an hour, and a
# 30-minute run sees them grow. PUBLISH=10 PLAZA_CONTENT_CACHE=20000 fills
# both within the first ten minutes (WARMUP=10): what grows after that is
# no cache.
#
#   SOAK=3m bench/soak.sh                     # a quick check
#   SOAK=30m RATE=200 bench/soak.sh
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/soak?sslmode=disable SOAK=30m bench/soak.sh
#
# Orders expire after PLAZA_ORDER_TTL=20s here, so that order_create over
# TICKETS-1 tickets (default 8) keeps finding some to hold (the expiry job
# closes expired orders every 30 s); most calls find them held (202).
set -euo pipefail
cd "$(dirname "$0")/.."
SOAK=${SOAK:-30m}
RATE=${RATE:-200}
WARMUP=${WARMUP:-1}
PORT=${PORT:-18180}
TICKETS=${TICKETS:-8}
PUBLISH=${PUBLISH:-1}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

minutes() { # 30m, 2h, 90s -> whole minutes (at least 1)
  local s=$1
  case $s in
    *h) echo $(( ${s%h} * 60 )) ;;
    *m) echo "${s%m}" ;;
    *s) echo $(( (${s%s} + 59) / 60 )) ;;
    *) echo "$s" ;;
  esac
}
total=$(minutes "$SOAK")
[ "$total" -ge 1 ] || total=1

go build -o "$work/plaza" ./cmd/plaza
VEGETA=$(command -v vegeta || true)
if [ -z "$VEGETA" ]; then
  (cd "$work" && mkdir vt && cd vt && go mod init vt >/dev/null 2>&1 &&
   go get -tool github.com/tsenart/vegeta/v12@v12.12.0 >/dev/null 2>&1 &&
   go build -o "$work/vegeta" github.com/tsenart/vegeta/v12)
  VEGETA="$work/vegeta"
fi

A=13800138000 B=13800138001
PASSWORD=soak-password-1
base=http://127.0.0.1:$PORT
engine=sqlite
[ -n "${DATABASE_URL:-}" ] && engine=postgres
PLAZA_DATA="$work/data" PLAZA_ADDR=127.0.0.1:$PORT PLAZA_LOG_LEVEL=error PLAZA_DATABASE_URL="${DATABASE_URL:-}" \
  PLAZA_SMS_TEST_OTP="86$A=1234,86$B=1234" PLAZA_YUANYI_CHECK_SIG=false PLAZA_ORDER_TTL=20s \
  PLAZA_ADMIN_EMAIL=ops@example.com PLAZA_ADMIN_PASSWORD=soak-admin-password \
  "$work/plaza" serve >"$work/plaza.out" 2>"$work/plaza.err" &
pid=$!
for _ in $(seq 200); do curl -sf $base/readyz >/dev/null && break; sleep 0.1; done
curl -sf $base/readyz >/dev/null || { echo "plaza did not start:" >&2; cat "$work/plaza.err" >&2; exit 1; }

# ---- users, tokens, catalogue ------------------------------------------
post() { curl -sf -X POST -H 'Content-Type: application/json' "$@"; }
need() { # need <jq filter> <what> < answer: the value, or stop
  local v
  v=$(jq -er "$1") || { echo "set-up: no $2" >&2; exit 1; }
  echo "$v"
}
member=$(post -d "{\"account\":\"$A\",\"code\":\"1234\",\"password\":\"$PASSWORD\"}" $base/api/auth/register | need .data.access_token "member token")
post -d "{\"account\":\"$B\",\"code\":\"1234\",\"password\":\"$PASSWORD\"}" $base/api/auth/register >/dev/null
uid=$(curl -sf -H "Authorization: Token $member" $base/api/personal/info | need .data.id "user id")
yuanyi=$(post -d "{\"method\":\"user_login\",\"country\":\"86\",\"phone\":\"$A\",\"password\":\"$PASSWORD\"}" $base/yuanyiapi/ | need .token "yuanyi token")
doge=$(curl -sf -X POST -d "user_id=soak-device&nick=soak&male=1" $base/api/v1/user/ | need .body.user.token "doge token")
curl -sf -X POST -d "token=$doge&type=1&sex=1&character=1&wish=1" $base/api/v1/user/pet/ | need .body.pet.id "pet" >/dev/null
liveA=$(curl -sf -d "userId=$A&password=$PASSWORD" $base/log | need .message "live token")
liveB=$(curl -sf -d "userId=$B&password=$PASSWORD" $base/log | need .message "live token of B")
curl -sf -d "add=1&token=$liveA&userId=$B" $base/friend | need 'select(.result == "0000")' "friend request" >/dev/null
curl -sf -d "dealMessage=1&behaviour=accept&token=$liveB&userId=$A" $base/friend | need 'select(.result == "0000")' "friendship" >/dev/null
admin=$(post -d '{"email":"ops@example.com","password":"soak-admin-password"}' $base/admin/v1/login | need .token "admin token")
apost() { post -H "Authorization: Bearer $admin" -d "$2" "$base/admin/v1/$1"; }
pk=$(apost exchange-products '{"name":"可乐","content":"soak","diamond":1}' | need .id "exchange product")
apost "users/$uid/wallet" '{"currency":"diamond","amount":1000000000,"reason":"soak"}' | need .balance "diamonds" >/dev/null
master=$(apost masters '{"name":"达人"}' | need .id "master")
project=$(apost projects "{\"master_id\":$master,\"name\":\"项目\"}" | need .id "project")
tickets=()
for i in $(seq "$TICKETS"); do
  tickets+=("$(apost tickets "{\"project_id\":$project,\"name\":\"票$i\",\"price\":100}" | need .id "ticket")")
done
post -d "{\"method\":\"article_publish\",\"token\":\"$yuanyi\",\"content\":\"the first article\"}" $base/yuanyiapi/ | need 'select(.code == 0)' "article" >/dev/null
article=$(post -d "{\"method\":\"article_list\",\"token\":\"$yuanyi\",\"limit\":1}" $base/yuanyiapi/ | need '.article_list[0].article_id' "article id")

# ---- the targets (vegeta's http format; it goes through them in turn) ----
body() { local f; f=$(mktemp "$work/body.XXXXXX"); printf '%s' "$1" >"$f"; echo "$f"; }
{
  tgt() { # tgt METHOD URL [header...] [@body]
    local m=$1 u=$2; shift 2
    echo "$m $u"
    for h in "$@"; do
      case $h in @*) echo "$h" ;; *) echo "$h" ;; esac
    done
    echo
  }
  J='Content-Type: application/json'
  F='Content-Type: application/x-www-form-urlencoded'
  MT="Authorization: Token $member"
  y() { tgt POST $base/yuanyiapi/ "$J" "@$(body "{\"token\":\"$yuanyi\",$1}")"; }
  for round in 1 2; do
    tgt GET $base/api/personal/info "$MT"
    tgt GET $base/api/personal/info "$MT"
    y '"method":"article_list","limit":20'
    tgt GET "$base/api/v1/user/pet/?token=$doge"
    tgt GET $base/market/exchange_products/
    tgt POST $base/list "$F" "@$(body "friendlist=1&token=$liveA")"
    y '"method":"article_list","limit":20,"offset":20'
    tgt GET $base/api/personal/info "$MT"
    tgt GET "$base/market/exchange_products/?page=1&_type=0"
  done
  tgt POST $base/api/feedback "$MT" "$J" "@$(body '{"feedback_content":"soak: it works"}')"
  tgt GET "$base/api/feedback?page_no=1&page_size=20" "$MT"
  for _ in $(seq "$PUBLISH"); do y '"method":"article_publish","content":"soak article"'; done
  y "\"method\":\"article_like\",\"article_id\":$article"
  y "\"method\":\"article_unlike\",\"article_id\":$article"
  y "\"method\":\"shopping_cart_add\",\"ticket_id\":${tickets[0]}"
  y "\"method\":\"shopping_cart_del\",\"ticket_id\":${tickets[0]}"
  for t in "${tickets[@]:1}"; do y "\"method\":\"order_create\",\"ticket_id_list\":[$t]"; done
  tgt GET "$base/api/v1/pick/?token=$doge"
  tgt GET "$base/market/exchange_products/purchase/$pk/" "$MT"
  tgt GET "$base/admin/v1/users?page=1&page_size=20" "Authorization: Bearer $admin"
} >"$work/targets"
ntargets=$(grep -cE '^(GET|POST) ' "$work/targets")
# Each target once: every answer must be its face's success (but the
# tickets order_create finds held, and the doge pick with no poop left).
"$VEGETA" attack -targets="$work/targets" -rate="$ntargets/s" -duration=1s -max-workers=1 -workers=1 |
  "$VEGETA" encode -to json | jq -c '{url, code, body: (.body | @base64d)}' >"$work/check.json"
bad=$(jq -c 'select(.code != 200 or ((.body | fromjson? // {}) as $b |
    ($b.code // 0) != 0 and ($b.code != 202) or ($b.status // 1) != 1 and ($b.status != 7) or ($b.result // "0000") != "0000"))' "$work/check.json")
if [ -n "$bad" ] || [ "$(wc -l <"$work/check.json")" -ne "$ntargets" ]; then
  echo "set-up: these targets do not answer a success:" >&2
  echo "$bad" >&2
  exit 1
fi

sample() { # rss_kb heap_inuse_bytes goroutines heap_goal_bytes
  local rss m
  rss=$(awk '/^VmRSS:/ {print $2}' /proc/$pid/status)
  m=$(curl -sf $base/metrics)
  echo "$rss $(awk '/^go_memstats_heap_inuse_bytes / {printf "%d", $2}' <<<"$m") $(awk '/^go_goroutines / {print $2}' <<<"$m")" \
    "$(awk '/^go_memstats_next_gc_bytes / {printf "%d", $2}' <<<"$m")"
}

echo "# soak: $total min at $RATE/s over $ntargets targets, $engine, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores"
echo "# before: $(sample | awk '{printf "rss %.1f MB, heap in use %.1f MB, heap goal %.1f MB, %d goroutines", $1/1024, $2/1048576, $4/1048576, $3}')"
printf '%s\n' "| min | RSS MB | heap in use MB | heap goal MB | goroutines | requests | success | p50 ms | p99 ms | status codes |" \
  "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|" >"$work/table"
for m in $(seq "$total"); do
  "$VEGETA" attack -targets="$work/targets" -rate="$RATE/s" -duration=60s -connections=32 -max-connections=64 \
    -timeout=10s >"$work/min$m.bin" &
  vpid=$!
  sleep 55
  s=$(sample)
  wait $vpid
  r=$("$VEGETA" report -type=json <"$work/min$m.bin")
  rm -f "$work/min$m.bin"
  read -r rss heap gor goal <<<"$s"
  line=$(jq -r --arg m "$m" --arg rss "$rss" --arg heap "$heap" --arg g "$gor" --arg goal "$goal" '
    "| \($m) | \(($rss|tonumber)/1024*10|round/10) | \(($heap|tonumber)/1048576*10|round/10) | \(($goal|tonumber)/1048576*10|round/10) | \($g) | \(.requests) | \(.success*1000|round/10)% | \(.latencies["50th"]/1e5|round/10) | \(.latencies["99th"]/1e5|round/10) | \(.status_codes|to_entries|map("\(.key):\(.value)")|join(" ")) |"' <<<"$r")
  echo "$line" | tee -a "$work/table"
  echo "$m $rss $gor $(jq -r '[.status_codes|to_entries[]|select((.key|tonumber) >= 500 or .key == "0")|.value]|add // 0' <<<"$r")" >>"$work/samples"
  kill -0 $pid 2>/dev/null || { echo "plaza died" >&2; cat "$work/plaza.err" >&2; exit 1; }
done

echo
cat "$work/table"
echo
# The verdict over the minutes after the warm-up.
rc=0
awk -v warm="$WARMUP" '
  { m[NR]=$1; rss[NR]=$2; g[NR]=$3; bad+=$4 }
  END {
    if (NR - warm < 2) warm = 0
    n = NR - warm; third = int(n / 3); if (third < 1) third = 1
    f0 = warm + 1; f1 = warm + third; l0 = NR - third + 1
    for (i = f0; i <= f1; i++) { if (rss[i] > fr) fr = rss[i]; if (g[i] > fg) fg = g[i] }
    for (i = l0; i <= NR; i++) { if (rss[i] > lr) lr = rss[i]; if (g[i] > lg) lg = g[i] }
    band = fg * 0.2; if (band < 20) band = 20
    okr = lr <= fr * 1.2; okg = lg <= fg + band; ok5 = bad == 0
    printf "RSS: first third (min %d-%d) max %.1f MB, last third (min %d-%d) max %.1f MB (%+.1f%%): %s\n", f0, f1, fr/1024, l0, NR, lr/1024, (lr/fr-1)*100, okr ? "flat" : "GROWS"
    printf "goroutines: first third max %d, last third max %d (band %d): %s\n", fg, lg, band, okg ? "flat" : "GROWS"
    printf "5xx and failed requests: %d: %s\n", bad, ok5 ? "none" : "SOME"
    verdict = okr && okg && ok5
    printf "verdict: %s\n", verdict ? "PASS (flat, no 5xx)" : "FAIL"
    exit verdict ? 0 : 1
  }' "$work/samples" || rc=1
kill -TERM $pid; wait $pid 2>/dev/null || true
exit $rc
