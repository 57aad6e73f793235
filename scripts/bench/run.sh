#!/usr/bin/env bash
# Issue 11 benchmarks, each figure beside its limit measured in the same run:
#   p1  reads: every public and /me/* endpoint against `bench-bare` (a bare axum binary answering
#       the same bytes), same wrk settings; SQLite and PostgreSQL; demo size and a synthetic
#       district of 80,000 households (200 villages × 400) next to the demo villages; plus the
#       service's idle and peak resident memory (P5, without the upload part).
#   p4  quarterly publication of 1,000,000 households in 2,500 villages (`aidazu jobs run publish
#       --all`) against the raw SQL computing the same figures, on PostgreSQL; and the seeding
#       time of that district (`aidazu seed-synthetic`).
#
#   scripts/bench/run.sh            # p1
#   scripts/bench/run.sh p1 p4      # both (p4 writes ~17 M rows: minutes)
#
# Environment: BENCH_PG (admin URL, default postgres://postgres@127.0.0.1:5432),
# BENCH_DURATION (wrk seconds per point, default 10), BENCH_NO_BUILD=1 to reuse target/release,
# BENCH_BIN (the aidazu binary to measure, default target/release/aidazu),
# P4_VILLAGES / P4_HOUSEHOLDS (default 2500 / 400), P1_SYN_VILLAGES (default 200).
# Results: target/bench/<date>/*.md (printed too); docs/benchmarks.md quotes them.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

[ "${BENCH_NO_BUILD:-0}" = 1 ] || cargo build --release --bin aidazu --bin bench-bare

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

export AIDAZU_CONFIG_DIR="$root/config"
export AIDAZU__SERVER__BIND=127.0.0.1:18080
export AIDAZU__DINGTALK__SIM__BIND=127.0.0.1:18089
export AIDAZU__LOG__FILTER=warn
export AIDAZU__WEB__DIR=""
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
  "$root/target/release/bench-bare" "${bare_args[@]}" &
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
  [ -f "$data/seed.txt" ] && { echo "seed ($backend, $size): $(cat "$data/seed.txt")" >>"$out/p1-seed.txt"; }
}

p1() {
  command -v wrk >/dev/null || { echo "installing wrk (Debian package)" >&2; apt-get install -y wrk >/dev/null; }
  {
    echo "## P1 reads ($(machine))"
    echo
    echo "wrk -t2 -c32 -d${duration}s on loopback, the service and the bare server alternating per endpoint; the bare"
    echo "server (\`bench-bare\`) answers the same bytes captured from the service. Non-2xx must be 0."
    echo
    echo "| db | size | endpoint | bytes | req/s | p50 / p99 | bare req/s | bare p50 / p99 | share of bare | non-2xx |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
  } >"$out/p1.md"
  for backend in sqlite postgres; do
    for size in demo district; do
      p1_config "$backend" "$size"
    done
  done
  cat "$out/p1.md"; [ -f "$out/p1-seed.txt" ] && cat "$out/p1-seed.txt"
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

steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(p1)
for s in "${steps[@]}"; do "$s"; done
echo "results in $out"
