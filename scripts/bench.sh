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
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
WORK=$(mktemp -d /tmp/symbio-bench.XXXXXX)
chmod 755 "$WORK"
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
PGPORT=$($PY scripts/free_port.py)
REDISPORT=$($PY scripts/free_port.py)
BENCH_SEED=${BENCH_SEED:-large}
as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

cleanup() {
  set +e
  [ -f "$WORK/redis.pid" ] && kill "$(cat "$WORK/redis.pid")" 2>/dev/null
  [ -d "$WORK/pg/data" ] && as_postgres "$PGBIN/pg_ctl" -D "$WORK/pg/data" -m fast -w stop >/dev/null 2>&1
  sleep 0.3
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

echo "== PostgreSQL on 127.0.0.1:$PGPORT"
mkdir -p "$WORK/pg"
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$WORK/pg"
as_postgres "$PGBIN/initdb" -D "$WORK/pg/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
# Durable-write shortcuts only: planner and memory settings stay at their defaults.
as_postgres "$PGBIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/log" -w -o \
  "-p $PGPORT -k $WORK/pg -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null
"$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -q -v ON_ERROR_STOP=1 \
  -c "CREATE ROLE symbio LOGIN CREATEDB PASSWORD 'symbio'" -c "CREATE DATABASE symbio OWNER symbio"

echo "== Redis on 127.0.0.1:$REDISPORT"
redis-server --bind 127.0.0.1 --port "$REDISPORT" --daemonize yes --save '' --appendonly no \
  --pidfile "$WORK/redis.pid" --logfile "$WORK/redis.log" --dir "$WORK"
for _ in $(seq 50); do [ -s "$WORK/redis.pid" ] && break; sleep 0.1; done

export DJANGO_SETTINGS_MODULE=config.settings.bench
export DATABASE_URL="postgres://symbio:symbio@127.0.0.1:$PGPORT/symbio"
export REDIS_URL="redis://127.0.0.1:$REDISPORT/0"
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
  $PY "$bench" || status=1
done
exit $status
