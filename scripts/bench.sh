#!/usr/bin/env bash
# `make bench`: start a throwaway PostgreSQL 15 and Redis on free loopback ports, migrate,
# optionally load `seed_demo --size large` (BENCH_SEED=large, the default; BENCH_SEED=none
# skips it), run each benchmark (all benchmarks/*.py, or the files given as arguments) with
# config.settings.bench, then stop what we started, by PID.
#
#   scripts/bench.sh                                   # everything
#   BENCH_SEED=none scripts/bench.sh benchmarks/tier_evaluation.py
#   BENCH_SEED=none scripts/bench.sh benchmarks/health_snapshots.py   # ~4 min, see docs/health.md
#   BENCH_SEED=none scripts/bench.sh benchmarks/health_pdf.py    # partner + ecosystem PDFs
#   BENCH_ARGS="--calls 150 --skip-http" BENCH_SEED=none scripts/bench.sh benchmarks/search.py
#                                       # BENCH_ARGS: arguments given to every benchmark run
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
WORK=$(mktemp -d /tmp/symbio-bench.XXXXXX)
chmod 755 "$WORK"
BENCH_SEED=${BENCH_SEED:-large}
# shellcheck source=scripts/services.sh
. scripts/services.sh
trap stop_services EXIT INT TERM

start_postgres
start_redis

export DJANGO_SETTINGS_MODULE=config.settings.bench
export SYMBIO_VAR_DIR="$WORK/var"
mkdir -p "$SYMBIO_VAR_DIR"

# benchmarks/search.py serves the search page with gunicorn (it starts and stops its own) and
# loads it with wrk; without wrk it falls back to a threaded Python client.
command -v wrk >/dev/null || scripts/system-deps.sh wrk || echo "wrk could not be installed: Python load client"

echo "== migrate"
$PY manage.py migrate --noinput -v0

if [ "$BENCH_SEED" != "none" ]; then
  echo "== seed_demo --size $BENCH_SEED"
  $PY manage.py seed_demo --size "$BENCH_SEED" -v0
fi

if [ "$#" -gt 0 ]; then
  benchmarks=("$@")
else
  benchmarks=()
  for bench in benchmarks/*.py; do  # every script but the shared helpers
    [ "$bench" = benchmarks/common.py ] || benchmarks+=("$bench")
  done
fi
status=0
for bench in "${benchmarks[@]}"; do
  echo "== $bench"
  # shellcheck disable=SC2086 # BENCH_ARGS is a list of arguments
  $PY "$bench" ${BENCH_ARGS:-} || status=1
done
exit $status
