#!/usr/bin/env bash
# A production-shaped Temporal cluster on this machine, on loopback: PostgreSQL in a
# project-local data directory, the Temporal server (pinned in temporal-versions.json, built by
# scripts/temporal-server.mjs), its schema, the namespace and our search attributes. The set-up
# steps are the files docker-compose.yml's one-shot jobs run (scripts/cluster/steps/), and the
# server reads the same settings (deploy/temporal-server.env, deploy/temporal-dynamicconfig.yaml),
# so what runs here is what the deployment runs.
#
#   scripts/cluster.sh up                       # start what is not running, then run every set-up step
#   scripts/cluster.sh down                     # stop the server and PostgreSQL (the data stays)
#   scripts/cluster.sh status                   # what runs, where
#   scripts/cluster.sh env                      # the variables that point worker, ingress and kyc at it
#   scripts/cluster.sh start|stop postgres|server
#   scripts/cluster.sh destroy                  # down, then delete KYC_CLUSTER_DIR
#
# Settings: KYC_CLUSTER_DIR (default .cluster), KYC_CLUSTER_PORT (the frontend, default 17233;
# the server's other ports follow it), KYC_CLUSTER_PG_PORT (default 15432), TEMPORAL_NAMESPACE
# (default), TEMPORAL_NAMESPACE_RETENTION (40d). The defaults stay clear of `npm start`
# (7233, 8233, 3000) and of Linux's ephemeral ports.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STEPS="$ROOT/scripts/cluster/steps"
DIR="${KYC_CLUSTER_DIR:-$ROOT/.cluster}"
PORT="${KYC_CLUSTER_PORT:-17233}"
PG_PORT="${KYC_CLUSTER_PG_PORT:-15432}"
NAMESPACE="${TEMPORAL_NAMESPACE:-default}"
RETENTION="${TEMPORAL_NAMESPACE_RETENTION:-40d}"
# The database login, as docker-compose.yml's TEMPORAL_DB_USER / TEMPORAL_DB_PASSWORD default them.
DB_USER=temporal
DB_PASSWORD=temporal
PGDATA="$DIR/pg"

say() { printf '[cluster] %s\n' "$*" >&2; }
die() {
  say "$*"
  exit 1
}

# --- tools ---------------------------------------------------------------------------------

pg_bin() {
  if [[ -n "${PG_BIN:-}" ]]; then
    echo "$PG_BIN"
    return
  fi
  local newest
  newest="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [[ -n "$newest" ]]; then
    echo "$newest"
  elif command -v initdb >/dev/null; then
    dirname "$(command -v initdb)"
  else
    die "PostgreSQL not found: apt-get install postgresql (or set PG_BIN to its bin folder)"
  fi
}

# initdb refuses to run as root: as root, PostgreSQL runs as the `postgres` user.
as_pg() {
  if [[ "$(id -u)" == 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

server_dir() {
  node "$ROOT/scripts/temporal-server.mjs" build
}

temporal_cli() {
  node -e 'process.stdout.write(require(process.argv[1]).resolveTemporalCli())' "$ROOT/dist/temporal/binaries.js" ||
    die "the temporal CLI was not found: run npm ci"
}

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# --- PostgreSQL ------------------------------------------------------------------------------

pg_running() { [[ -f "$PGDATA/PG_VERSION" ]] && as_pg "$(pg_bin)/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; }

pg_init() {
  [[ -f "$PGDATA/PG_VERSION" ]] && return
  say "initialising PostgreSQL in $PGDATA"
  mkdir -p "$PGDATA"
  local pwfile="$DIR/.pg-password"
  printf '%s\n' "$DB_PASSWORD" >"$pwfile"
  if [[ "$(id -u)" == 0 ]]; then
    chown postgres: "$PGDATA" "$pwfile"
    as_pg test -w "$PGDATA" || die "the postgres user cannot write $PGDATA: choose a KYC_CLUSTER_DIR it can reach"
  fi
  chmod 700 "$PGDATA"
  # The superuser is the login Temporal uses, with a password over TCP, as in docker-compose.yml.
  as_pg "$(pg_bin)/initdb" -D "$PGDATA" -U "$DB_USER" --pwfile="$pwfile" --auth-local=trust \
    --auth-host=scram-sha-256 --encoding=UTF8 --no-locale >"$DIR/initdb.log" 2>&1 ||
    die "initdb failed: $(tail -n 5 "$DIR/initdb.log")"
  rm -f "$pwfile"
  cat >>"$PGDATA/postgresql.conf" <<EOF
# scripts/cluster.sh: loopback only, its own port and socket folder.
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PGDATA'
EOF
}

pg_start() {
  if pg_running; then
    say "PostgreSQL runs on 127.0.0.1:$PG_PORT"
    return
  fi
  pg_init
  listening "$PG_PORT" && die "port $PG_PORT is taken: set KYC_CLUSTER_PG_PORT"
  touch "$DIR/postgres.log"
  [[ "$(id -u)" == 0 ]] && chown postgres: "$DIR/postgres.log"
  as_pg "$(pg_bin)/pg_ctl" -D "$PGDATA" -l "$DIR/postgres.log" -w -t 60 start >/dev/null ||
    die "PostgreSQL did not start: $(tail -n 5 "$DIR/postgres.log")"
  say "PostgreSQL runs on 127.0.0.1:$PG_PORT"
}

pg_stop() {
  if pg_running; then
    as_pg "$(pg_bin)/pg_ctl" -D "$PGDATA" -m fast -w -t 60 stop >/dev/null
    say "PostgreSQL stopped"
  fi
}

# --- the Temporal server ----------------------------------------------------------------------

server_pid() { cat "$DIR/server.pid" 2>/dev/null || true; }

# A process SIGKILLed a moment ago may linger as a zombie until it is reaped: not running.
server_running() {
  local pid
  pid="$(server_pid)"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && ! awk '{ exit ($3 == "Z") ? 0 : 1 }' "/proc/$pid/stat" 2>/dev/null
}

# The server's environment: the deployment's settings, then where things are on this machine.
server_env() {
  set -a
  # shellcheck source=/dev/null
  . "$ROOT/deploy/temporal-server.env"
  set +a
  export POSTGRES_SEEDS=127.0.0.1 DB_PORT="$PG_PORT" POSTGRES_USER="$DB_USER" POSTGRES_PWD="$DB_PASSWORD"
  export BIND_ON_IP=127.0.0.1 TEMPORAL_BROADCAST_ADDRESS=127.0.0.1
  export DYNAMIC_CONFIG_FILE_PATH="$ROOT/deploy/temporal-dynamicconfig.yaml"
  # Laid out like the stock ports (7233 frontend, 7234 history, 7235 matching, 7239 worker,
  # 7243 HTTP, 69xx membership), shifted to KYC_CLUSTER_PORT.
  export FRONTEND_GRPC_PORT="$PORT" HISTORY_GRPC_PORT=$((PORT + 1)) MATCHING_GRPC_PORT=$((PORT + 2))
  export WORKER_GRPC_PORT=$((PORT + 6)) FRONTEND_HTTP_PORT=$((PORT + 10))
  export FRONTEND_MEMBERSHIP_PORT=$((PORT - 300)) HISTORY_MEMBERSHIP_PORT=$((PORT - 299))
  export MATCHING_MEMBERSHIP_PORT=$((PORT - 298)) WORKER_MEMBERSHIP_PORT=$((PORT - 294))
}

server_healthy() {
  "$(temporal_cli)" operator cluster health --address "127.0.0.1:$PORT" 2>/dev/null | grep -q SERVING
}

server_start() {
  if server_running; then
    say "the Temporal server runs on 127.0.0.1:$PORT (pid $(server_pid))"
    return
  fi
  local dir
  dir="$(server_dir)"
  for port in "$PORT" $((PORT + 1)) $((PORT + 2)) $((PORT + 6)) $((PORT + 10)); do
    listening "$port" && die "port $port is taken: set KYC_CLUSTER_PORT"
  done
  (
    server_env
    cd "$DIR"
    exec setsid "$dir/temporal-server" start >>"$DIR/server.log" 2>&1 </dev/null
  ) &
  echo $! >"$DIR/server.pid"
  local deadline=$((SECONDS + 180))
  until server_healthy; do
    server_running || die "the Temporal server exited: $(tail -n 20 "$DIR/server.log")"
    ((SECONDS < deadline)) || die "the Temporal server is not serving after 180 s: see $DIR/server.log"
    sleep 1
  done
  say "the Temporal server runs on 127.0.0.1:$PORT (pid $(server_pid))"
}

server_stop() {
  local pid
  pid="$(server_pid)"
  if server_running; then
    kill -TERM "$pid"
    for _ in $(seq 60); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    kill -KILL "$pid" 2>/dev/null || true
    say "the Temporal server stopped"
  fi
  rm -f "$DIR/server.pid"
}

# --- the set-up steps (the same files docker-compose.yml's jobs run) -------------------------

steps() {
  local dir cli
  dir="$(server_dir)"
  cli="$(temporal_cli)"
  say "schema"
  (
    set -a
    # shellcheck source=/dev/null
    . "$ROOT/deploy/temporal-server.env"
    set +a
    PATH="$dir:$PATH" SQL_PLUGIN=postgres12 SQL_HOST=127.0.0.1 SQL_PORT="$PG_PORT" SQL_USER="$DB_USER" \
      SQL_PASSWORD="$DB_PASSWORD" SCHEMA_ROOT="$dir/schema/postgresql/v12" sh "$STEPS/schema.sh"
  ) >>"$DIR/steps.log" 2>&1 || die "the schema step failed: $(tail -n 20 "$DIR/steps.log")"
  server_start
  say "namespace $NAMESPACE"
  PATH="$(dirname "$cli"):$PATH" TEMPORAL_ADDRESS="127.0.0.1:$PORT" TEMPORAL_NAMESPACE="$NAMESPACE" \
    RETENTION="$RETENTION" sh "$STEPS/namespace.sh" >>"$DIR/steps.log" 2>&1 ||
    die "the namespace step failed: $(tail -n 20 "$DIR/steps.log")"
  say "kyc setup"
  [[ -f "$ROOT/dist/client/cli.js" ]] || die "dist/ is missing: run npm run build"
  TEMPORAL_ADDRESS="127.0.0.1:$PORT" TEMPORAL_NAMESPACE="$NAMESPACE" KYC_HOME="$ROOT" \
    sh "$STEPS/kyc-setup.sh" >>"$DIR/steps.log" 2>&1 ||
    die "the kyc-setup step failed: $(tail -n 20 "$DIR/steps.log")"
}

print_env() {
  echo "TEMPORAL_ADDRESS=127.0.0.1:$PORT"
  echo "TEMPORAL_NAMESPACE=$NAMESPACE"
}

status() {
  if pg_running; then echo "postgres: running on 127.0.0.1:$PG_PORT ($PGDATA)"; else echo "postgres: stopped"; fi
  if server_running; then
    echo "server: running on 127.0.0.1:$PORT (pid $(server_pid), log $DIR/server.log)"
  else
    echo "server: stopped"
  fi
}

mkdir -p "$DIR"
case "${1:-}" in
  up)
    pg_start
    steps
    say "up: $(print_env | tr '\n' ' ')"
    ;;
  down)
    server_stop
    pg_stop
    ;;
  destroy)
    server_stop
    pg_stop
    rm -rf "$DIR"
    ;;
  status) status ;;
  env) print_env ;;
  start | stop)
    case "${2:-}" in
      postgres) "pg_$1" ;;
      server) "server_$1" ;;
      *) die "usage: $0 $1 postgres|server" ;;
    esac
    ;;
  *) die "usage: $0 up|down|status|env|destroy|start|stop [postgres|server]" ;;
esac
