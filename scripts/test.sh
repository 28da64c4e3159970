#!/usr/bin/env bash
# `make test`: start throwaway PostgreSQL 15, Redis and localstripe on free loopback ports,
# run lint checks and the whole pytest suite, then stop everything we started, by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
WORK=$(mktemp -d /tmp/symbio-test.XXXXXX)
chmod 755 "$WORK"
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
PGPORT=$($PY scripts/free_port.py)
REDISPORT=$($PY scripts/free_port.py)
STRIPEPORT=$($PY scripts/free_port.py)
as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

cleanup() {
  set +e
  [ -f "$WORK/stripe.pid" ] && kill "$(cat "$WORK/stripe.pid")" 2>/dev/null
  [ -f "$WORK/redis.pid" ] && kill "$(cat "$WORK/redis.pid")" 2>/dev/null
  [ -d "$WORK/pg/data" ] && as_postgres "$PGBIN/pg_ctl" -D "$WORK/pg/data" -m immediate -w stop >/dev/null 2>&1
  sleep 0.3
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

echo "== PostgreSQL on 127.0.0.1:$PGPORT"
mkdir -p "$WORK/pg"
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$WORK/pg"
as_postgres "$PGBIN/initdb" -D "$WORK/pg/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_postgres "$PGBIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/log" -w -o \
  "-p $PGPORT -k $WORK/pg -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null
"$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -q -v ON_ERROR_STOP=1 \
  -c "CREATE ROLE symbio LOGIN CREATEDB PASSWORD 'symbio'" -c "CREATE DATABASE symbio OWNER symbio"

echo "== Redis on 127.0.0.1:$REDISPORT"
redis-server --bind 127.0.0.1 --port "$REDISPORT" --daemonize yes --save '' --appendonly no \
  --pidfile "$WORK/redis.pid" --logfile "$WORK/redis.log" --dir "$WORK"
for _ in $(seq 50); do [ -s "$WORK/redis.pid" ] && break; sleep 0.1; done

echo "== localstripe on 127.0.0.1:$STRIPEPORT"
$PY scripts/localstripe_server.py --port "$STRIPEPORT" --from-scratch >"$WORK/stripe.log" 2>&1 &
echo $! >"$WORK/stripe.pid"

export DJANGO_SETTINGS_MODULE=config.settings.test
export DATABASE_URL="postgres://symbio:symbio@127.0.0.1:$PGPORT/symbio"
export REDIS_URL="redis://127.0.0.1:$REDISPORT/0"
export STRIPE_API_BASE="http://127.0.0.1:$STRIPEPORT"
export SYMBIO_TEST_WORKDIR="$WORK"

echo "== pytest"
status=0
.venv/bin/pytest "$@" || status=$?

echo "== lint (ruff, import layers, makemigrations --check, OpenAPI schema)"
.venv/bin/ruff check . || status=1
.venv/bin/ruff format --check . >/dev/null || { .venv/bin/ruff format --check .; status=1; }
.venv/bin/lint-imports >/dev/null || { .venv/bin/lint-imports; status=1; }
$PY manage.py makemigrations --check --dry-run >/dev/null || { $PY manage.py makemigrations --check --dry-run; status=1; }
$PY manage.py spectacular --validate --fail-on-warn --file /dev/null 2>/dev/null \
  || { $PY manage.py spectacular --validate --fail-on-warn --file /dev/null; status=1; }
exit $status
