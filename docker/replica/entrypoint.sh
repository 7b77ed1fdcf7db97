#!/bin/bash
# The replica's entrypoint (docker/compose.yaml). On its first start, with an empty volume, it waits
# for the primary to accept connections and copies it with pg_basebackup -R, which writes
# standby.signal and primary_conninfo (with the replication password, inside the volume), streaming
# from the slot ij_replica that docker/initdb/20-replication.sh made. Then it hands over to the
# image's own entrypoint, which finds a cluster and starts it: as a hot standby, read-only, following
# the primary. To copy the primary afresh, remove the replica's volume.
set -euo pipefail
if [[ ! -s $PGDATA/PG_VERSION ]]; then
  mkdir -p "$PGDATA"
  chown postgres:postgres "$PGDATA"
  chmod 700 "$PGDATA"
  export PGPASSWORD="$IJ_REPLICATION_PASSWORD"
  # over TCP: while the primary's image initialises its cluster, the server it runs for that
  # listens on its Unix socket only, so this waits for the final one
  until gosu postgres pg_isready --host=db --port=5432 --username=ij_replication --quiet; do
    echo 'replica: waiting for the primary (db:5432)'
    sleep 2
  done
  gosu postgres pg_basebackup --host=db --port=5432 --username=ij_replication \
    --pgdata="$PGDATA" --write-recovery-conf --wal-method=stream --slot=ij_replica \
    --checkpoint=fast
  unset PGPASSWORD
fi
exec docker-entrypoint.sh "$@"
