#!/usr/bin/env bash
# Runs once, when the warehouse-db volume is empty (docker-entrypoint-initdb.d), as the server's administrator
# (POSTGRES_USER) in the warehouse database (POSTGRES_DB): the roles `pipeline` (owns raw, audit, marts; what Airflow's
# tasks connect as) and `bi_reader` (reads marts; Superset, Excel, Power BI) with their passwords, and their rights.
# The SQL is ingest/core/roles.sql, the same file `govwh db-start` runs locally. Safe to run again, e.g. after an
# upgrade: docker compose exec warehouse-db bash /docker-entrypoint-initdb.d/10-warehouse-init.sh
set -euo pipefail

psql -v ON_ERROR_STOP=1 --no-psqlrc --quiet --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -v database="$POSTGRES_DB" -v pipeline_password="$PIPELINE_DB_PASSWORD" \
     -v bi_reader_password="$BI_READER_PASSWORD" -v roles_sql="${GOVWH_ROLES_SQL:-/opt/govwh/roles.sql}" <<'SQL'
set govwh.database to :'database';
set govwh.pipeline_password to :'pipeline_password';
set govwh.bi_reader_password to :'bi_reader_password';
\i :roles_sql
SQL
echo "warehouse-init: roles pipeline and bi_reader ready in database $POSTGRES_DB"
