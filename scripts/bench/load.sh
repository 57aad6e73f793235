#!/usr/bin/env bash
# Load figures for docs/benchmarks.md: starts a release build of `aidazu serve` on the embedded
# default (fresh SQLite file, demo data) or on PostgreSQL (BENCH_DATABASE_URL), then drives the
# public read endpoints with wrk from a second process on loopback.
#   scripts/bench/load.sh                 # SQLite
#   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/aidazu_bench scripts/bench/load.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

command -v wrk >/dev/null || { echo "installing wrk (Debian package)" >&2; apt-get install -y wrk >/dev/null; }
[ "${BENCH_NO_BUILD:-0}" = 1 ] || cargo build --release --bin aidazu

work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
export AIDAZU_CONFIG_DIR="$PWD/config"
export AIDAZU__SERVER__BIND=127.0.0.1:18080
export AIDAZU__DINGTALK__SIM__BIND=127.0.0.1:18089
export AIDAZU__LOG__FILTER=warn
export AIDAZU__STORAGE__DIR="$work/data/photos"
export AIDAZU__DATABASE__URL="${BENCH_DATABASE_URL:-sqlite://$work/data/aidazu.db}"
(cd "$work" && exec "$OLDPWD/target/release/aidazu" serve) >"$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 60); do curl -sf http://127.0.0.1:18080/readyz >/dev/null && break; sleep 0.5; done

echo "database: ${AIDAZU__DATABASE__URL%%:*}   threads/connections: 2/32   duration: 10s"
for path in /healthz /api/v1/villages /api/v1/villages/1/catalogue; do
  echo "== GET $path"
  wrk -t2 -c32 -d10s --latency "http://127.0.0.1:18080$path" | grep -E "Requests/sec|Latency |50%|99%|Non-2xx"
done
echo "== resident memory of the service after the runs (kB)"
grep VmRSS "/proc/$pid/status"
