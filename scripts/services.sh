# Sourced by scripts/test.sh and scripts/bench.sh: a throwaway PostgreSQL and Redis (and, for the
# tests, localstripe) on free loopback ports under $WORK, stopped by PID on exit.
# The caller sets WORK (a fresh directory) and PY (the virtualenv's python) first, then calls
# start_postgres, start_redis [extra redis-server args…], start_localstripe as it needs and
# `trap stop_services EXIT INT TERM`. Exports PGPORT, REDISPORT, STRIPEPORT, DATABASE_URL,
# REDIS_URL (and STRIPE_API_BASE).
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pg_super() { "$PGBIN/$1" -h 127.0.0.1 -p "$PGPORT" -U postgres "${@:2}"; }

start_postgres() {
  PGPORT=$($PY scripts/free_port.py)
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
  export PGPORT DATABASE_URL="postgres://symbio:symbio@127.0.0.1:$PGPORT/symbio"
}

start_redis() {
  REDISPORT=$($PY scripts/free_port.py)
  echo "== Redis on 127.0.0.1:$REDISPORT"
  redis-server --bind 127.0.0.1 --port "$REDISPORT" --daemonize yes --save '' --appendonly no \
    --pidfile "$WORK/redis.pid" --logfile "$WORK/redis.log" --dir "$WORK" "$@"
  for _ in $(seq 50); do [ -s "$WORK/redis.pid" ] && break; sleep 0.1; done
  export REDISPORT REDIS_URL="redis://127.0.0.1:$REDISPORT/0"
}

start_localstripe() {
  STRIPEPORT=$($PY scripts/free_port.py)
  echo "== localstripe on 127.0.0.1:$STRIPEPORT"
  $PY scripts/localstripe_server.py --port "$STRIPEPORT" --from-scratch --state "$WORK/stripe.pickle" \
    >"$WORK/stripe.log" 2>&1 &
  echo $! >"$WORK/stripe.pid"
  export STRIPEPORT STRIPE_API_BASE="http://127.0.0.1:$STRIPEPORT"
}

stop_services() {
  set +e
  # CPU the PostgreSQL server and its (exited) backends used: not counted in `time` of the
  # script, because pg_ctl detaches the server.
  if [ -n "${SYMBIO_REPORT_PG_CPU:-}" ] && [ -s "$WORK/pg/data/postmaster.pid" ]; then
    awk -v hz="$(getconf CLK_TCK)" '{printf "== PostgreSQL CPU (user+sys, backends included): %.1f s\n", ($14+$15+$16+$17)/hz}' \
      "/proc/$(head -n 1 "$WORK/pg/data/postmaster.pid")/stat" 2>/dev/null
  fi
  [ -f "$WORK/stripe.pid" ] && kill "$(cat "$WORK/stripe.pid")" 2>/dev/null
  [ -f "$WORK/redis.pid" ] && kill "$(cat "$WORK/redis.pid")" 2>/dev/null
  [ -d "$WORK/pg/data" ] && as_postgres "$PGBIN/pg_ctl" -D "$WORK/pg/data" -m immediate -w stop >/dev/null 2>&1
  sleep 0.3
  rm -rf "$WORK"
}
