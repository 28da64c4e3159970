#!/usr/bin/env bash
# `make test`: start throwaway PostgreSQL 15, Redis and localstripe on free loopback ports,
# run the pytest suite (two pytest-xdist workers unless told otherwise) and the lint checks,
# then stop everything we started, by PID. See docs/testing.md.
#   SYMBIO_TEST_WORKERS=N   xdist workers (default 2; 0 runs in this process, as does `-n 0`)
#   SYMBIO_TEST_DB_CACHE=0  migrate from scratch instead of restoring var/test-db/<hash>.dump
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
WORK=$(mktemp -d /tmp/symbio-test.XXXXXX)
chmod 755 "$WORK"
# shellcheck source=scripts/services.sh
. scripts/services.sh
SYMBIO_REPORT_PG_CPU=1
trap stop_services EXIT INT TERM

start_postgres
# One Redis database per xdist worker (config/settings/test.py picks 1 + the worker's number).
start_redis --databases 64
start_localstripe

export DJANGO_SETTINGS_MODULE=config.settings.test
# Compiled modules (and pytest's assertion-rewritten test modules) kept between runs in
# var/pycache, outside the source tree: with PYTHONDONTWRITEBYTECODE set, as on CI machines, every
# worker and every Django subprocess (Celery workers, settings cases, lint) compiled the project
# from source and rewrote ~540 test modules again — ~7 s of CPU per start-up.
export PYTHONPYCACHEPREFIX="$PWD/var/pycache"
unset PYTHONDONTWRITEBYTECODE
export SYMBIO_TEST_WORKDIR="$WORK"

# --- Migrated test databases -------------------------------------------------------------
# ~390 migrations take most of a worker's start-up. Migrate once into symbio_template (or
# restore it from var/test-db/<hash>.dump, written the first time; the hash covers every
# migration file, the pinned requirements, the settings and the PostgreSQL version), then copy
# it for each pytest-xdist worker (test_symbio_gw0, …) and for a run without xdist
# (test_symbio). pytest runs with --reuse-db, so pytest-django keeps them and only runs
# `migrate` to check nothing is missing (it applies anything that is).
WORKERS=${SYMBIO_TEST_WORKERS:-2}
pg_super psql -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE symbio_template OWNER symbio"
DUMP=""
if [ "${SYMBIO_TEST_DB_CACHE:-1}" != "0" ]; then
  KEY=$({
    find . -path ./.venv -prune -o -path ./node_modules -prune -o -path '*/migrations/*.py' -type f -print \
      | LC_ALL=C sort | xargs sha1sum
    sha1sum requirements.txt requirements-dev.txt config/settings/base.py config/settings/test.py
    "$PGBIN/postgres" --version
  } | sha1sum | cut -c1-16)
  DUMP="var/test-db/migrated-$KEY.dump"
fi
if [ -n "$DUMP" ] && [ -s "$DUMP" ]; then
  echo "== test databases from $DUMP"
  pg_super pg_restore --exit-on-error -d symbio_template "$DUMP"
else
  echo "== migrating the template test database"
  DATABASE_URL="postgres://symbio:symbio@127.0.0.1:$PGPORT/symbio_template" \
    $PY manage.py migrate --run-syncdb -v0 --settings=config.settings.test
  if [ -n "$DUMP" ]; then
    mkdir -p var/test-db
    rm -f var/test-db/migrated-*.dump
    pg_super pg_dump -Fc symbio_template >"$DUMP.tmp" && mv "$DUMP.tmp" "$DUMP"
  fi
fi
for name in test_symbio $(for ((i = 0; i < WORKERS; i++)); do echo "test_symbio_gw$i"; done); do
  pg_super psql -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE $name OWNER symbio TEMPLATE symbio_template"
done

# --- Lint, beside pytest ------------------------------------------------------------------
# The lint checks (~8 s of CPU, two Django start-ups among them) run in the background at the
# lowest priority: the suite keeps both cores while it is busy, and the checks take what its
# workers leave idle (their start-up, the last tests of one worker). Their output is printed
# after pytest's, as before; a failure fails the run.
lint() {
  local rc=0
  .venv/bin/ruff check . || rc=1
  .venv/bin/ruff format --check . >/dev/null || { .venv/bin/ruff format --check .; rc=1; }
  .venv/bin/lint-imports >/dev/null || { .venv/bin/lint-imports; rc=1; }
  $PY manage.py makemigrations --check --dry-run >/dev/null || { $PY manage.py makemigrations --check --dry-run; rc=1; }
  $PY manage.py spectacular --validate --fail-on-warn --file /dev/null 2>/dev/null \
    || { $PY manage.py spectacular --validate --fail-on-warn --file /dev/null; rc=1; }
  return $rc
}
nice -n 19 bash -c "$(declare -f lint); PY=$PY; lint" >"$WORK/lint.log" 2>&1 &
LINT_PID=$!

echo "== pytest"
status=0
XDIST=()
# loadgroup: tests/conftest.py groups what must share a worker; no reordering of the groups, so
# each worker keeps pytest-django's order (transactional and browser tests last).
[ "$WORKERS" -gt 0 ] && XDIST=(-n "$WORKERS" --dist loadgroup --no-loadscope-reorder)
# Arguments given to this script come last: `-n 0` (or another -n) there wins.
.venv/bin/pytest "${XDIST[@]}" "$@" || status=$?

echo "== lint (ruff, import layers, makemigrations --check, OpenAPI schema)"
wait "$LINT_PID" || status=1
cat "$WORK/lint.log"
exit $status
