#!/bin/bash
# Run once by Patroni on the node that makes the cluster, with a connection string as its argument:
# the schema's owner ij (password IJ_DB_PASSWORD), the database ij, the service's login role ij_app
# (password IJ_APP_DB_PASSWORD), a member of ij_service, to which the migrations grant what the
# service needs (bound by row-level security); then pgBackRest's stanza, so that archiving works
# from the first WAL segment.
set -euo pipefail
psql -v ON_ERROR_STOP=1 -d "$1" \
  -v owner_password="$IJ_DB_PASSWORD" -v app_password="$IJ_APP_DB_PASSWORD" <<'SQL'
CREATE ROLE ij LOGIN PASSWORD :'owner_password';
CREATE DATABASE ij OWNER ij;
CREATE ROLE ij_service NOLOGIN;
CREATE ROLE ij_app LOGIN NOSUPERUSER NOBYPASSRLS IN ROLE ij_service PASSWORD :'app_password';
SQL
pgbackrest --stanza=ij stanza-create
