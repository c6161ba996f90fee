#!/bin/sh
# Creates Temporal's two databases (persistence and visibility) when they are missing and brings
# their schemas to the version this server needs. Idempotent: every run applies only what is
# missing, so an upgrade of the pinned server migrates before the new server starts.
#
# One step, two callers: docker-compose.yml's `temporal-schema` job (in Temporal's admin-tools
# image) and scripts/cluster.sh (on this machine). Reads SQL_PLUGIN, SQL_HOST, SQL_PORT, SQL_USER,
# SQL_PASSWORD (as temporal-sql-tool does), DBNAME and VISIBILITY_DBNAME (as the server does, from
# deploy/temporal-server.env) and SCHEMA_ROOT (the schema/postgresql/v12 folder).
set -eu
: "${SCHEMA_ROOT:?SCHEMA_ROOT must name the schema/postgresql/v12 folder}"
: "${DBNAME:=temporal}"
: "${VISIBILITY_DBNAME:=temporal_visibility}"

for pair in "$DBNAME:temporal" "$VISIBILITY_DBNAME:visibility"; do
  db="${pair%%:*}"
  schema="${pair##*:}"
  # An existing database makes create-database fail: fine, setup-schema fails too if the
  # database is really unreachable.
  temporal-sql-tool --db "$db" create-database || echo "database $db: exists"
  # `-v 0.0` only adds the version table (left alone when it exists); update-schema applies what is missing.
  temporal-sql-tool --db "$db" setup-schema -v 0.0
  temporal-sql-tool --db "$db" update-schema -d "$SCHEMA_ROOT/$schema/versioned"
  echo "database $db: schema up to date"
done
