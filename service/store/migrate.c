/* Forward-only migrations compiled into the binary, applied in order under an advisory lock. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "ij/log.h"
#include "migrations.h"

/* An arbitrary constant shared by every instance of the service: the migration lock's key. */
#define MIGRATION_LOCK_KEY "7239107712"

static bool ok(PGresult *res, ExecStatusType want, const char *what) {
  if (res && PQresultStatus(res) == want)
    return true;
  ij_log(IJ_LOG_ERROR, "migrate: %s failed: %s", what,
         res ? PQresultErrorMessage(res) : "no result");
  return false;
}

int ij_store_schema_target(void) {
  return ij_migrations_count ? ij_migrations[ij_migrations_count - 1].version : 0;
}

static int current_version(PGconn *pg) {
  PGresult *res = PQexec(pg, "SELECT coalesce(max(version), 0) FROM schema_migrations");
  int v = -1;
  if (ok(res, PGRES_TUPLES_OK, "reading schema_migrations"))
    v = atoi(PQgetvalue(res, 0, 0));
  PQclear(res);
  return v;
}

ij_err ij_store_migrate(const char *conninfo, int *applied, int *schema_version) {
  *applied = 0;
  *schema_version = 0;
  PGconn *pg = PQconnectdb(conninfo);
  if (!pg || PQstatus(pg) != CONNECTION_OK) {
    ij_log(IJ_LOG_ERROR, "migrate: cannot connect: %s", pg ? PQerrorMessage(pg) : "no memory");
    PQfinish(pg);
    return IJ_ERR_UNAVAILABLE;
  }
  ij_err err = IJ_ERR_INTERNAL;
  PGresult *res = PQexec(pg, "SET client_min_messages = warning");
  PQclear(res);
  res = PQexec(pg, "SELECT pg_advisory_lock(" MIGRATION_LOCK_KEY ")");
  bool locked = ok(res, PGRES_TUPLES_OK, "taking the migration lock");
  PQclear(res);
  if (!locked)
    goto done;
  res = PQexec(pg, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                   " version integer PRIMARY KEY, name text NOT NULL,"
                   " applied_at timestamptz NOT NULL DEFAULT now())");
  bool created = ok(res, PGRES_COMMAND_OK, "creating schema_migrations");
  PQclear(res);
  if (!created)
    goto unlock;
  int have = current_version(pg);
  if (have < 0)
    goto unlock;
  for (int i = 0; i < ij_migrations_count; i++) {
    const ij_migration *m = &ij_migrations[i];
    if (m->version <= have)
      continue;
    res = PQexec(pg, "BEGIN");
    PQclear(res);
    res = PQexec(pg, m->sql);
    bool good = ok(res, PGRES_COMMAND_OK, m->name) || PQresultStatus(res) == PGRES_TUPLES_OK;
    PQclear(res);
    if (good) {
      char version[16];
      snprintf(version, sizeof version, "%d", m->version);
      const char *params[2] = {version, m->name};
      res = PQexecParams(pg, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", 2,
                         NULL, params, NULL, NULL, 0);
      good = ok(res, PGRES_COMMAND_OK, "recording the migration");
      PQclear(res);
    }
    res = PQexec(pg, good ? "COMMIT" : "ROLLBACK");
    good = good && ok(res, PGRES_COMMAND_OK, "committing the migration");
    PQclear(res);
    if (!good)
      goto unlock;
    ij_log(IJ_LOG_INFO, "migrate: applied %s", m->name);
    (*applied)++;
  }
  *schema_version = current_version(pg);
  err = *schema_version >= 0 ? IJ_OK : IJ_ERR_INTERNAL;
unlock:
  res = PQexec(pg, "SELECT pg_advisory_unlock(" MIGRATION_LOCK_KEY ")");
  PQclear(res);
done:
  PQfinish(pg);
  return err;
}

static const ij_stmt STMT_READY = {"ready",
                                   "SELECT coalesce(max(version), 0) FROM schema_migrations", 0};

ij_err ij_store_ready(ij_conn *conn, int *schema_version) {
  *schema_version = 0;
  PGresult *res;
  ij_err err = ij_db_exec(conn, &STMT_READY, NULL, &res);
  if (err != IJ_OK)
    return IJ_ERR_UNAVAILABLE;
  *schema_version = atoi(PQgetvalue(res, 0, 0));
  PQclear(res);
  return *schema_version >= ij_store_schema_target() ? IJ_OK : IJ_ERR_UNAVAILABLE;
}
