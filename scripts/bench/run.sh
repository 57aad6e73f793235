#!/usr/bin/env bash
# Issue 11 benchmarks, each figure beside its limit measured in the same run:
#   p1  reads: every public and /me/* endpoint against `bench_bare` (a bare axum binary answering
#       the same bytes), same wrk settings; SQLite and PostgreSQL; demo size and a synthetic
#       district of 80,000 households (200 villages × 400) next to the demo villages; plus the
#       service's idle and peak resident memory (P5, without the upload part).
#   p2  writes: approve-and-credit (`aidazu bench decisions`, the use case without HTTP: decision,
#       ledger entry, totals, outbox, audit in one transaction) against pgbench running a
#       comparable single-transaction script (scripts/bench/p2-pgbench.sql) on the same
#       PostgreSQL database with the same client count; on SQLite decisions/s beside a bare
#       one-row INSERT loop (`aidazu bench inserts`).
#   p3  callback ingestion: encrypted events through the real HTTP callback endpoint of
#       `aidazu serve` (`aidazu bench callbacks`: unique events, then the same again as a retry
#       storm) against the same events through the crypto only (`aidazu bench callback-crypto`).
#   p4  quarterly publication of 1,000,000 households in 2,500 villages (`aidazu jobs run publish
#       --all`) against the raw SQL computing the same figures, on PostgreSQL; and the seeding
#       time of that district (`aidazu seed-synthetic`).
#   p5  memory: idle RSS of `aidazu serve` and its peak with 50 concurrent 8 MiB photo uploads.
#
#   scripts/bench/run.sh            # p1
#   scripts/bench/run.sh p1 p4      # both (p4 writes ~17 M rows: minutes)
#
# Environment: BENCH_PG (admin URL, default postgres://postgres@127.0.0.1:5432),
# BENCH_DURATION (wrk seconds per point, default 10), BENCH_NO_BUILD=1 to reuse target/release,
# BENCH_BIN (the aidazu binary to measure, default target/release/aidazu), BENCH_BARE (the bare server),
# P4_VILLAGES / P4_HOUSEHOLDS (default 2500 / 400), P1_SYN_VILLAGES (default 200),
# P2_CLIENTS (default 8), P2_VILLAGES (default 50), P3_EVENTS (default 20000),
# P5_ORIENTATION (1..8: insert an EXIF APP1 with that Orientation into the P5 photo; 6 = a rotated
# Android portrait shot, which is re-encoded upright instead of copied losslessly).
# Results: target/bench/<date>/*.md (printed too); docs/benchmarks.md quotes them.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

[ "${BENCH_NO_BUILD:-0}" = 1 ] || cargo build --release --bin aidazu --bin bench_bare

pg=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
duration=${BENCH_DURATION:-10}
stamp=$(date -u +%Y-%m-%dT%H%MZ)
out="$root/target/bench/$stamp"
mkdir -p "$out"
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

machine() {
  echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), \
$(free -g | awk '/Mem:/{print $2}') GiB, load average before: $(cut -d' ' -f1-3 /proc/loadavg); \
$(date -u '+%Y-%m-%d %H:%M UTC'); binary ${bin#$root/} at $(git rev-parse --short HEAD)."
}

export AIDAZU_CONFIG_DIR="${BENCH_CONFIG_DIR:-$root/config}"
export AIDAZU__SERVER__BIND=127.0.0.1:18080
export AIDAZU__DINGTALK__SIM__BIND=127.0.0.1:18089
export AIDAZU__LOG__FILTER=warn
export AIDAZU__WEB__DIR=""
# No scheduler: a synthetic district has quarters to publish, which would run during the measurements.
export AIDAZU__JOBS__SCHEDULER=false
bin="${BENCH_BIN:-$root/target/release/aidazu}"

fresh_pg() { # name → URL of an empty database
  psql "$pg/postgres" -qAtc "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null
  echo "$pg/$1"
}

rss() { awk '/VmRSS/{print $2}' "/proc/$1/status"; }
hwm() { awk '/VmHWM/{print $2}' "/proc/$1/status"; }

# wrk → "req/s p50 p99"
measure() { # url [token]
  local args=(-t2 -c32 "-d${duration}s" --latency)
  [ -n "${2:-}" ] && args+=(-H "Authorization: Bearer $2")
  wrk "${args[@]}" "$1" | awk '
    /Requests\/sec/ {rps=$2}
    /^ +50%/ {p50=$2}
    /^ +99%/ {p99=$2}
    /Non-2xx/ {bad=$5}
    END {printf "%d %s %s %s\n", rps, p50, p99, (bad==""?0:bad)}'
}

p1_config() { # backend size
  local backend=$1 size=$2 url
  local data="$work/p1-$backend-$size"
  mkdir -p "$data"
  export AIDAZU__STORAGE__DIR="$data/photos"
  if [ "$backend" = sqlite ]; then url="sqlite://$data/aidazu.db"; else url=$(fresh_pg "aidazu_bench_p1_$size"); fi
  export AIDAZU__DATABASE__URL="$url"
  "$bin" seed-demo >/dev/null
  if [ "$size" = district ]; then
    "$bin" seed-synthetic --villages "${P1_SYN_VILLAGES:-200}" --households-per-village 400 2>/dev/null | tail -1 >"$data/seed.txt"
  fi
  (cd "$data" && exec "$bin" serve --no-demo) >"$data/serve.log" 2>&1 &
  local pid=$!; pids+=("$pid")
  for _ in $(seq 1 120); do curl -sf http://127.0.0.1:18080/readyz >/dev/null && break; sleep 0.5; done
  sleep 2
  local idle; idle=$(rss "$pid")
  local code token
  code=$(curl -sf -X POST -H 'content-type: application/json' -d '{"userId":"demo-villager"}' http://127.0.0.1:18089/sim/auth-codes | jq -r .code)
  token=$(curl -sf -X POST -H 'content-type: application/json' -d "{\"authCode\":\"$code\",\"client\":\"miniapp\"}" http://127.0.0.1:18080/api/v1/auth/dingtalk | jq -r .accessToken)
  [ -n "$token" ] && [ "$token" != null ] || { echo "login failed" >&2; cat "$data/serve.log" >&2; exit 1; }
  local paths=(/healthz /api/v1/villages /api/v1/villages/1/catalogue /api/v1/me/household /api/v1/me/household/ledger)
  local bare_args=(--bind 127.0.0.1:18090)
  local i=0
  for p in "${paths[@]}"; do
    curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:18080$p" >"$data/body$i"
    bare_args+=("$p=$data/body$i"); i=$((i+1))
  done
  "${BENCH_BARE:-$root/target/release/bench_bare}" "${bare_args[@]}" &
  local bare=$!; pids+=("$bare")
  sleep 0.5
  i=0
  for p in "${paths[@]}"; do
    local auth=""
    case $p in /api/v1/me/*) auth=$token ;; esac
    read -r rps p50 p99 bad < <(measure "http://127.0.0.1:18080$p" "$auth")
    read -r brps bp50 bp99 _ < <(measure "http://127.0.0.1:18090$p")
    local share; share=$(awk -v a="$rps" -v b="$brps" 'BEGIN{printf "%.1f", (b>0?100*a/b:0)}')
    echo "| $backend | $size | \`GET $p\` | $(wc -c <"$data/body$i") | $rps | $p50 / $p99 | $brps | $bp50 / $bp99 | $share % | $bad |" >>"$out/p1.md"
    i=$((i+1))
  done
  echo "| $backend | $size | RSS idle / peak (kB) | | $idle / $(hwm "$pid") | | | | | |" >>"$out/p1.md"
  kill "$bare" "$pid"; wait "$bare" "$pid" 2>/dev/null || true
  if [ -f "$data/seed.txt" ]; then echo "seed ($backend, $size): $(cat "$data/seed.txt")" >>"$out/p1-seed.txt"; fi
}

p1() {
  command -v wrk >/dev/null || { echo "installing wrk (Debian package)" >&2; apt-get install -y wrk >/dev/null; }
  {
    echo "## P1 reads ($(machine))"
    echo
    echo "wrk -t2 -c32 -d${duration}s on loopback, the service and the bare server alternating per endpoint; the bare"
    echo "server (\`bench_bare\`) answers the same bytes captured from the service. Non-2xx must be 0."
    echo
    echo "| db | size | endpoint | bytes | req/s | p50 / p99 | bare req/s | bare p50 / p99 | share of bare | non-2xx |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
  } >"$out/p1.md"
  for backend in sqlite postgres; do
    for size in demo district; do
      p1_config "$backend" "$size"
    done
  done
  cat "$out/p1.md"; if [ -f "$out/p1-seed.txt" ]; then cat "$out/p1-seed.txt"; fi
}

p4() {
  local villages=${P4_VILLAGES:-2500} households=${P4_HOUSEHOLDS:-400}
  local url; url=$(fresh_pg aidazu_bench_p4)
  export AIDAZU__DATABASE__URL="$url" AIDAZU__STORAGE__DIR="$work/p4/photos"
  "$bin" seed-demo >/dev/null
  local t0 t1 t2 t3 t4
  t0=$(date +%s.%N)
  "$bin" seed-synthetic --villages "$villages" --households-per-village "$households" 2>/dev/null | tail -1 >"$out/p4-seed.txt"
  t1=$(date +%s.%N)
  local rows; rows=$(psql "$url" -Atc "SELECT (SELECT count(*) FROM households)||' households, '||(SELECT count(*) FROM members)||' members, '||(SELECT count(*) FROM ledger_entries)||' ledger entries, '||(SELECT count(*) FROM declarations)||' declarations'")
  local size; size=$(psql "$url" -Atc "SELECT pg_size_pretty(pg_database_size(current_database()))")
  # The raw SQL: the same figures for every village of the synthetic district, from the ledger.
  local quarter=2026-Q3 cut=2026-09-30 first=2026-07-01
  t2=$(date +%s.%N)
  psql "$url" -qAt >/dev/null <<SQL
CREATE TEMP TABLE raw_board AS
WITH part AS (
  SELECT DISTINCT p.household_id, p.village_id FROM household_participation p
  JOIN villages v ON v.id = p.village_id JOIN towns t ON t.id = v.town_id
  JOIN districts d ON d.id = t.district_id AND d.code = 'syn'
  WHERE (p.from_on IS NULL OR p.from_on <= '$cut') AND (p.until_on IS NULL OR p.until_on > '$cut')),
e AS (
  SELECT household_id,
    SUM(CASE WHEN kind IN ('award','penalty','correction') AND occurred_on >= '$first' THEN amount ELSE 0 END) AS q,
    SUM(CASE WHEN kind IN ('award','penalty','correction') THEN amount ELSE 0 END) AS score,
    SUM(amount) AS balance
  FROM ledger_entries WHERE points_year = '2026' AND occurred_on <= '$cut' GROUP BY household_id)
SELECT part.village_id, part.household_id, COALESCE(e.q, 0) AS q, COALESCE(e.score, 0) AS score,
  COALESCE(e.balance, 0) AS balance,
  RANK() OVER (PARTITION BY part.village_id ORDER BY COALESCE(e.score, 0) DESC) AS rank
FROM part LEFT JOIN e ON e.household_id = part.household_id;
SQL
  t3=$(date +%s.%N)
  "$bin" jobs run publish --all --quarter "$quarter" >"$work/p4-publish.log" 2>/dev/null || true
  t4=$(date +%s.%N)
  local published; published=$(grep -c "published $quarter" "$work/p4-publish.log" || true)
  local demo_t0 demo_t1
  demo_t0=$(date +%s.%N)
  "$bin" jobs run publish --village heping --quarter 2026-Q3 >/dev/null 2>&1 || true
  demo_t1=$(date +%s.%N)
  {
    echo "## P4 quarterly publication ($(machine))"
    echo
    echo "PostgreSQL 15, database $size: $rows (synthetic district of $villages villages × $households households)."
    echo
    echo "| figure | time | limit |"
    echo "|---|---|---|"
    echo "| \`aidazu seed-synthetic --villages $villages --households-per-village $households\` | $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.0f s", b-a}') | minutes |"
    echo "| raw SQL: quarter points, score, balance, rank of every participating household | $(awk -v a="$t2" -v b="$t3" 'BEGIN{printf "%.1f s", b-a}') | (the reference) |"
    echo "| \`aidazu jobs run publish --all --quarter $quarter\` ($published villages published) | $(awk -v a="$t3" -v b="$t4" 'BEGIN{printf "%.1f s", b-a}') | ≤ 2 × raw SQL |"
    echo "| the same, one demo village (already published: the rerun is a no-op) | $(awk -v a="$demo_t0" -v b="$demo_t1" 'BEGIN{printf "%.2f s", b-a}') | < 1 s |"
    echo
    echo "seed output: $(cat "$out/p4-seed.txt")"
  } >"$out/p4.md"
  cat "$out/p4.md"
}

start_serve() { # data dir → pid (waits for readiness)
  (cd "$1" && exec "$bin" serve --no-demo) >"$1/serve.log" 2>&1 &
  local pid=$!; pids+=("$pid")
  for _ in $(seq 1 120); do curl -sf http://127.0.0.1:18080/readyz >/dev/null && break; sleep 0.5; done
  echo "$pid"
}

p2() {
  local clients=${P2_CLIENTS:-8} villages=${P2_VILLAGES:-50}
  {
    echo "## P2 writes ($(machine))"
    echo
    echo "Synthetic district of $villages villages × 400 households; the \`in_review\` declarations are approved"
    echo "through the use case (\`aidazu bench decisions\`, no HTTP), $clients at a time."
    echo
    echo "| db | figure | result | limit (same run) | share |"
    echo "|---|---|---|---|---|"
  } >"$out/p2.md"
  # PostgreSQL: the service's decisions, then pgbench on copies of the same tables.
  local url; url=$(fresh_pg aidazu_bench_p2)
  export AIDAZU__DATABASE__URL="$url" AIDAZU__STORAGE__DIR="$work/p2/photos"
  "$bin" seed-demo >/dev/null
  "$bin" seed-synthetic --villages "$villages" --households-per-village 400 >/dev/null 2>&1
  psql "$url" -q >/dev/null <<'SQL'
CREATE TABLE bench_decl (LIKE declarations INCLUDING ALL);
INSERT INTO bench_decl SELECT * FROM declarations;
CREATE TABLE bench_ledger (LIKE ledger_entries INCLUDING ALL);
INSERT INTO bench_ledger SELECT * FROM ledger_entries;
CREATE TABLE bench_totals (LIKE household_year_totals INCLUDING ALL);
INSERT INTO bench_totals SELECT * FROM household_year_totals;
CREATE TABLE bench_outbox (LIKE outbox INCLUDING ALL);
CREATE TABLE bench_audit (LIKE audit_log INCLUDING ALL);
ANALYZE;
SQL
  local app; app=$("$bin" bench decisions --clients "$clients" 2>/dev/null | tail -1)
  local lo hi; read -r lo hi < <(psql "$url" -Atc "SELECT min(id), max(id) FROM bench_decl" | tr '|' ' ')
  local pgb; pgb=$(pgbench -n -c "$clients" -j 2 -T "$duration" -D lo="$lo" -D hi="$hi" -f "$root/scripts/bench/p2-pgbench.sql" "$url" 2>/dev/null | awk '/^tps/ {print int($3)}' | head -1)
  local dps; dps=$(sed -n 's/.*per_second=\([0-9]*\).*/\1/p' <<<"$app")
  echo "| PostgreSQL | approve-and-credit decisions/s ($app) | $dps | pgbench, same $clients clients, comparable script: $pgb tps | $(awk -v a="$dps" -v b="$pgb" 'BEGIN{printf "%.1f %%", (b>0?100*a/b:0)}') |" >>"$out/p2.md"
  # SQLite: the same use case on the embedded database, beside a bare INSERT loop.
  mkdir -p "$work/p2s"
  export AIDAZU__DATABASE__URL="sqlite://$work/p2s/aidazu.db" AIDAZU__STORAGE__DIR="$work/p2s/photos"
  "$bin" seed-demo >/dev/null
  "$bin" seed-synthetic --villages "$villages" --households-per-village 400 >/dev/null 2>&1
  app=$("$bin" bench decisions --clients "$clients" 2>/dev/null | tail -1)
  local ins; ins=$("$bin" bench inserts --count 5000 2>/dev/null | tail -1)
  dps=$(sed -n 's/.*per_second=\([0-9]*\).*/\1/p' <<<"$app")
  local ips; ips=$(sed -n 's/.*per_second=\([0-9]*\).*/\1/p' <<<"$ins")
  echo "| SQLite | approve-and-credit decisions/s ($app) | $dps | one-row INSERT transactions on the same file: $ips/s | $(awk -v a="$dps" -v b="$ips" 'BEGIN{printf "%.1f %%", (b>0?100*a/b:0)}') |" >>"$out/p2.md"
  cat "$out/p2.md"
}

p3() {
  local events=${P3_EVENTS:-20000}
  {
    echo "## P3 callback ingestion ($(machine))"
    echo
    echo "$events encrypted \`bpms_instance_change\` events posted to \`POST /dingtalk/callback\` of \`aidazu serve\` (release),"
    echo "32 in flight (\`aidazu bench callbacks\`, reqwest on the same 2 cores), then the same $events again (a retry"
    echo "storm of duplicates); the ceiling is the crypto alone on one core (\`aidazu bench callback-crypto\`: open +"
    echo "seal the reply)."
    echo
    echo "| db | unique events/s | duplicates/s | crypto only, events/s (same run) | unique share of crypto | stored |"
    echo "|---|---|---|---|---|---|"
  } >"$out/p3.md"
  for backend in sqlite postgres; do
    local data="$work/p3-$backend"; mkdir -p "$data"
    export AIDAZU__STORAGE__DIR="$data/photos"
    if [ "$backend" = sqlite ]; then export AIDAZU__DATABASE__URL="sqlite://$data/aidazu.db"; else export AIDAZU__DATABASE__URL; AIDAZU__DATABASE__URL=$(fresh_pg aidazu_bench_p3); fi
    "$bin" seed-demo >/dev/null
    local pid; pid=$(start_serve "$data")
    local r; r=$("$bin" bench callbacks --url http://127.0.0.1:18080 --events "$events" --concurrency 32 2>/dev/null | tail -1)
    local c; c=$("$bin" bench callback-crypto --events "$events" 2>/dev/null | tail -1)
    kill "$pid"; wait "$pid" 2>/dev/null || true
    local stored
    if [ "$backend" = sqlite ]; then stored=$(sqlite3 "$data/aidazu.db" "SELECT count(*) FROM dingtalk_events WHERE event_key LIKE '%bench%'" 2>/dev/null || echo "?"); else stored=$(psql "$AIDAZU__DATABASE__URL" -Atc "SELECT count(*) FROM dingtalk_events WHERE event_key LIKE '%bench%'" 2>/dev/null || echo "?"); fi
    local u d x
    u=$(sed -n 's/.*unique_per_second=\([0-9]*\).*/\1/p' <<<"$r")
    d=$(sed -n 's/.*duplicate_per_second=\([0-9]*\).*/\1/p' <<<"$r")
    x=$(sed -n 's/.*per_second=\([0-9]*\).*/\1/p' <<<"$c")
    echo "| $backend | $u | $d | $x | $(awk -v a="$u" -v b="$x" 'BEGIN{printf "%.1f %%", (b>0?100*a/b:0)}') | $stored ($r) |" >>"$out/p3.md"
  done
  cat "$out/p3.md"
}

p5() {
  local data="$work/p5"; mkdir -p "$data"
  export AIDAZU__DATABASE__URL="sqlite://$data/aidazu.db" AIDAZU__STORAGE__DIR="$data/photos"
  "$bin" seed-demo >/dev/null
  "$bin" bench photo --out "$data/photo.jpg" --bytes 8388608 >"$data/photo.txt"
  local orientation=${P5_ORIENTATION:-}
  if [ -n "$orientation" ]; then
    # An APP1 EXIF segment holding only Orientation = $orientation (1..8), inserted after SOI:
    # 6 is the usual tag of an Android portrait shot (stored landscape, shown turned 90°).
    case "$orientation" in [1-8]) ;; *) echo "P5_ORIENTATION must be 1..8" >&2; exit 2 ;; esac
    { head -c 2 "$data/photo.jpg"
      printf '\xff\xe1\x00\x22Exif\x00\x00II*\x00\x08\x00\x00\x00\x01\x00\x12\x01\x03\x00\x01\x00\x00\x00'
      printf "\\x0$orientation"
      printf '\x00\x00\x00\x00\x00\x00\x00'
      tail -c +3 "$data/photo.jpg"; } >"$data/photo-rot.jpg"
    mv "$data/photo-rot.jpg" "$data/photo.jpg"
    echo "$(cat "$data/photo.txt") exif_orientation=$orientation" >"$data/photo.txt"
  fi
  local pid; pid=$(start_serve "$data")
  sleep 2
  local idle; idle=$(rss "$pid")
  local code token
  code=$(curl -sf -X POST -H 'content-type: application/json' -d '{"userId":"demo-villager"}' http://127.0.0.1:18089/sim/auth-codes | jq -r .code)
  token=$(curl -sf -X POST -H 'content-type: application/json' -d "{\"authCode\":\"$code\",\"client\":\"miniapp\"}" http://127.0.0.1:18080/api/v1/auth/dingtalk | jq -r .accessToken)
  local statuses="$data/statuses"; : >"$statuses"
  local upids=()
  for i in $(seq 1 50); do
    # Each upload a different file (one byte appended to the JPEG) so none is a duplicate.
    { cat "$data/photo.jpg"; printf '%s' "$i"; } >"$data/up$i.jpg"
  done
  for i in $(seq 1 50); do
    curl -s -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer $token" -F "file=@$data/up$i.jpg;type=image/jpeg" http://127.0.0.1:18080/api/v1/photos >>"$statuses" &
    upids+=($!)
  done
  for p in "${upids[@]}"; do wait "$p" || true; done
  local peak; peak=$(hwm "$pid")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  {
    echo "## P5 memory ($(machine))"
    echo
    echo "\`aidazu serve\` (release, SQLite, demo data). Upload: $(cat "$data/photo.txt"); 50 different copies"
    echo "posted at once (curl, multipart). Answers: $(sort "$statuses" | uniq -c | awk '{printf "%s× %s  ", $1, $2}')"
    echo
    echo "| figure | value | limit |"
    echo "|---|---|---|"
    echo "| idle RSS | $((idle / 1024)) MB | ≤ 40 MB |"
    echo "| peak RSS (VmHWM) with 50 concurrent 8 MiB uploads | $((peak / 1024)) MB | ≤ 150 MB |"
  } >"$out/p5.md"
  cat "$out/p5.md"
}

steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(p1)
for s in "${steps[@]}"; do "$s"; done
echo "results in $out"
