/* Demo placements and a week of sessions, for `ij seed`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ij/store/demo.h"
#include "db.h"

static const ij_stmt STMT_DEMO_PLACEMENTS = {
    "demo_placements",
    "WITH p AS (INSERT INTO placements (id, area, name, type, provider, ward, location, min_age,"
    " supervisor_sub, supervisor_name, created_at, updated_at, what_to_bring)"
    " SELECT gen_random_uuid(), $1, v.name, v.type, v.provider, v.ward, v.location, v.min_age,"
    " 'sup-1', 'Supervisor 1', $2::timestamptz - interval '30 days',"
    " $2::timestamptz - interval '30 days', v.what_to_bring FROM (VALUES"
    " ('Arboretum allotments', 'gardening', 'Arboretum Allotment Society', 'arboretum',"
    "  'Arboretum Park allotments', 10, 'Boots and clothes for the weather; tools provided.'),"
    " ('Riverside litter pick', 'litter_picking', 'Derwent Valley Trust', 'darley',"
    "  'Darley Park riverside', 10, 'Waterproof coat and sturdy shoes; gloves provided.'),"
    " ('Community pantry', 'charity_work', 'Normanton Community Pantry', 'normanton',"
    "  'Normanton Road hall', 16, NULL))"
    " AS v(name, type, provider, ward, location, min_age, what_to_bring)"
    " RETURNING id, area)"
    " INSERT INTO sessions (id, area, placement_id, starts_at, ends_at, capacity, supervisor_sub,"
    " supervisor_name, created_at, updated_at)"
    " SELECT gen_random_uuid(), p.area, p.id, d.day + interval '9 hours',"
    " d.day + interval '13 hours', 6, 'sup-1', 'Supervisor 1',"
    " $2::timestamptz - interval '14 days', $2::timestamptz - interval '14 days' FROM p,"
    " generate_series(date_trunc('day', $2::timestamptz) - interval '3 days',"
    " date_trunc('day', $2::timestamptz) + interval '4 days', interval '1 day') AS d(day)",
    2};

static const ij_stmt STMT_DEMO_SESSIONS = {
    "demo_sessions",
    "SELECT s.id FROM sessions s WHERE s.area = $1 AND"
    " CASE WHEN $3 THEN s.ends_at < $2::timestamptz ELSE s.starts_at > $2::timestamptz END"
    " ORDER BY s.starts_at, s.placement_id",
    3};

static ij_err ids(ij_conn *conn, const char *area, const char *now, bool past, ij_rows *out) {
  const char *p[3] = {area, now, past ? "true" : "false"};
  PGresult *res;
  memset(out, 0, sizeof *out);
  ij_err err = ij_db_exec(conn, &STMT_DEMO_SESSIONS, p, &res);
  return err == IJ_OK ? ij_db_rows(res, out) : err;
}

ij_err ij_store_demo_sessions(ij_conn *conn, const char *area, ij_time_us now, ij_rows *past,
                              ij_rows *future) {
  char when[IJ_TIME_BUF];
  ij_time_format(now, when);
  const char *p[2] = {area, when};
  ij_err err = ij_db_run(conn, &STMT_DEMO_PLACEMENTS, p);
  if (err == IJ_OK)
    err = ids(conn, area, when, true, past);
  if (err == IJ_OK)
    err = ids(conn, area, when, false, future);
  return err;
}

static const ij_stmt STMT_DEMO_FAST_WRITES = {
    "demo_fast_writes", "SELECT set_config('synchronous_commit', 'off', false)", 0};

ij_err ij_store_demo_fast_writes(ij_conn *conn) {
  return ij_db_run(conn, &STMT_DEMO_FAST_WRITES, NULL);
}

static const ij_stmt STMT_DEMO_DEFER_STATS = {
    "demo_defer_stats", "SELECT set_config('ij.stats_deferred', 'on', false)", 0};
static const ij_stmt STMT_DEMO_STATS_DEFERRED = {"demo_stats_deferred",
                                                 "SELECT ij_stats_deferred()", 0};
static const ij_stmt STMT_DEMO_KEEP_STATS = {
    "demo_keep_stats", "SELECT set_config('ij.stats_deferred', 'off', false)", 0};
static const ij_stmt STMT_DEMO_REBUILD_STATS = {"demo_rebuild_stats", "SELECT ij_stats_rebuild()",
                                                0};

ij_err ij_store_demo_defer_stats(ij_conn *conn, bool *deferred) {
  *deferred = false;
  ij_err err = ij_db_run(conn, &STMT_DEMO_DEFER_STATS, NULL);
  PGresult *res = NULL;
  if (err == IJ_OK)
    err = ij_db_one(conn, &STMT_DEMO_STATS_DEFERRED, NULL, &res);
  if (err == IJ_OK) {
    *deferred = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
  }
  if (err == IJ_OK && !*deferred) /* not the owner's session: leave no setting behind */
    err = ij_db_run(conn, &STMT_DEMO_KEEP_STATS, NULL);
  return err;
}

ij_err ij_store_demo_rebuild_stats(ij_conn *conn) {
  ij_err err = ij_db_run(conn, &STMT_DEMO_KEEP_STATS, NULL);
  if (err == IJ_OK)
    err = ij_db_run(conn, &STMT_DEMO_REBUILD_STATS, NULL);
  return err;
}
