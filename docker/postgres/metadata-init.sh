#!/usr/bin/env bash
# Runs once, when the metadata-db volume is empty (docker-entrypoint-initdb.d): one role and one database each for
# Airflow and Superset, passwords from the environment. Only each database's owner may connect to it.
set -euo pipefail

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -v airflow_password="$AIRFLOW_DB_PASSWORD" -v superset_password="$SUPERSET_DB_PASSWORD" <<'SQL'
create role airflow login password :'airflow_password';
create database airflow owner airflow encoding 'UTF8';
revoke connect, temporary on database airflow from public;
create role superset login password :'superset_password';
create database superset owner superset encoding 'UTF8';
revoke connect, temporary on database superset from public;
SQL
