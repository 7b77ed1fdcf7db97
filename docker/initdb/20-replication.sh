#!/bin/bash
# Run once by the postgres image when it creates the primary's cluster: the role the replica copies
# and streams from (replication only, no rights in any database; password IJ_REPLICATION_PASSWORD),
# a physical replication slot for it, so that the primary keeps the WAL the replica has not received
# yet (at most max_slot_wal_keep_size, see compose.yaml), and the pg_hba.conf line that lets the role
# connect for replication, with its password, from the compose network.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v replication_password="$IJ_REPLICATION_PASSWORD" <<'SQL'
CREATE ROLE ij_replication LOGIN REPLICATION PASSWORD :'replication_password';
SELECT pg_create_physical_replication_slot('ij_replica');
SQL
echo 'host replication ij_replication all scram-sha-256' >>"$PGDATA/pg_hba.conf"
