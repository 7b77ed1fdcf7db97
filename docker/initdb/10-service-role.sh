#!/bin/bash
# Run once by the postgres image when it creates the cluster: the service's login role, ij_app, a
# member of ij_service (to which the migrations grant what the service needs, bound by row-level
# security). The schema's owner is POSTGRES_USER, which only the migration step uses.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v app_password="$IJ_APP_DB_PASSWORD" <<'SQL'
CREATE ROLE ij_service NOLOGIN;
CREATE ROLE ij_app LOGIN NOSUPERUSER NOBYPASSRLS IN ROLE ij_service PASSWORD :'app_password';
SQL
