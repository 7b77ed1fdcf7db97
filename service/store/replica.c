/* How far a connection's server is behind the primary: read routing of the statistics to a hot
 * standby (DATABASE_URL_READ) and the staleness the answers state. */
#include <stdlib.h>
#include <string.h>

#include "ij/store/replica.h"
#include "db.h"

/* On a primary nothing is missing. On a standby connected to its primary (a WAL receiver runs)
 * that has replayed all the WAL it received, nothing is missing either, however old its last
 * replayed transaction (an idle primary sends none). Otherwise the data is as of the last
 * transaction replayed: that commit time is a bound no newer than the truth (it overstates the lag
 * after the primary was idle, never understates it). NULL when the standby has replayed no
 * transaction since it started and is not caught up. pg_stat_wal_receiver shows its pid to any
 * role (the details need pg_read_all_stats), which is all this asks. */
static const ij_stmt STMT_REPLICA_LAG = {
    "replica_lag",
    "SELECT s.standby, s.lag,"
    " (extract(epoch FROM s.at) * 1000000)::bigint - (s.lag * 1000000)::bigint"
    " FROM (SELECT t.standby, t.at, CASE WHEN t.lag < 0 THEN 0 ELSE t.lag END AS lag"
    " FROM (SELECT pg_is_in_recovery() AS standby, clock_timestamp() AS at,"
    " CASE WHEN NOT pg_is_in_recovery() THEN 0::float8"
    " WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()"
    " AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver) THEN 0::float8"
    " ELSE extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp())::float8"
    " END AS lag) t) s",
    0};

ij_err ij_store_replica_lag(ij_conn *conn, ij_replica_lag *out) {
  memset(out, 0, sizeof *out);
  PGresult *res = NULL;
  ij_err err = ij_db_exec(conn, &STMT_REPLICA_LAG, NULL, &res);
  if (err != IJ_OK)
    return err;
  if (PQntuples(res) != 1) {
    err = IJ_ERR_INTERNAL;
    goto done;
  }
  out->standby = ij_db_bool(res, 0, 0);
  out->known = !PQgetisnull(res, 0, 1);
  if (out->known) {
    out->lag_seconds = strtod(PQgetvalue(res, 0, 1), NULL);
    out->data_as_of = (ij_time_us)ij_db_i64(res, 0, 2);
  }
done:
  PQclear(res);
  return err;
}
