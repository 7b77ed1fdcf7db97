/* The outbox of outcome notices and victim updates: written in the transaction of the change they
 * report, read as a feed, and claimed by the delivery worker. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ij/store/notices.h"
#include "ij/domain_notices.h"
#include "db.h"

/* The payload is built by the database from bound values, so that its JSON is always well made.
 * Every notice carries referral_id, event and at; the force's also area, officer_sub, police_id
 * and disposal, a victim's their contact; what else it carries is named by the letters of $8,
 * from the domain's table: v a victim update, h hours, c minutes credited, r the reason, s the
 * first session (the earliest booking holding a place: the one that scheduled the referral). At
 * most 16 parameters, so that it can wait for the transaction's next round trip. A notice the
 * referral has already (migration 003's index) is not written again. The reason's text and the
 * session are read by functions (migration 042), called only for a notice that has them: as
 * sub-selects they made every plan kept without the values look dearer, and the statement was
 * planned again for each notice. */
static const ij_stmt STMT_NOTICE_ADD = {
    "notice_add",
    "INSERT INTO notices (id, area, referral_id, kind, event, payload, created_at, next_attempt_at)"
    " SELECT $1, $2, $3::uuid, $4, $5,"
    " jsonb_build_object('referral_id', $3::uuid::text, 'event', $5::text, 'at', $7::text)"
    " || CASE WHEN strpos($8, 'v') > 0 THEN jsonb_build_object('contact', $9::text)"
    "    ELSE jsonb_build_object('area', $2::text, 'officer_sub', $10::text, 'police_id', "
    "$11::text,"
    "      'disposal', $12::text) END"
    " || CASE WHEN strpos($8, 'h') > 0 THEN jsonb_build_object('hours_required', $13::integer)"
    "    ELSE '{}'::jsonb END"
    " || CASE WHEN strpos($8, 'c') > 0 THEN jsonb_build_object('minutes_credited', $14::bigint)"
    "    ELSE '{}'::jsonb END"
    " || CASE WHEN strpos($8, 'r') > 0 THEN jsonb_build_object('reason_code', $15::text,"
    "      'reason_text', ij_notice_reason_text($16, $15)) ELSE '{}'::jsonb END"
    " || CASE WHEN strpos($8, 's') > 0 THEN jsonb_build_object('session',"
    "      ij_notice_session($3::uuid)) ELSE '{}'::jsonb END,"
    " $6, $6"
    " ON CONFLICT (referral_id, kind, event) DO NOTHING",
    16};

ij_err ij_store_notice_add(ij_conn *conn, const ij_referral *r, const ij_notice_write *w,
                           ij_time_us at) {
  if (!r || !r->area || !w || !w->kind || !w->event)
    return IJ_ERR_INVALID;
  char id[IJ_UUID_BUF], when[IJ_TIME_BUF], hours[16], minutes[24], flags[8];
  ij_uuid_new(id);
  ij_time_format(at, when);
  snprintf(hours, sizeof hours, "%d", w->hours_required);
  snprintf(minutes, sizeof minutes, "%lld", (long long)r->minutes_credited);
  snprintf(flags, sizeof flags, "%s%s%s%s%s", w->for_victim ? "v" : "",
           (w->fields & IJ_NOTICE_FIELD_HOURS) ? "h" : "",
           (w->fields & IJ_NOTICE_FIELD_CREDITED) ? "c" : "",
           (w->fields & IJ_NOTICE_FIELD_REASON) ? "r" : "",
           (w->fields & IJ_NOTICE_FIELD_SESSION) ? "s" : "");
  const char *p[16] = {id,
                       r->area,
                       r->id,
                       w->kind,
                       w->event,
                       when,
                       when,
                       flags,
                       r->victim_contact,
                       r->officer_sub,
                       r->police_id,
                       r->disposal,
                       hours,
                       minutes,
                       r->reason_code,
                       w->reason_kind};
  /* sent with the transaction's next statement or its commit */
  return ij_db_defer(conn, &STMT_NOTICE_ADD, p);
}

/* ---- the feed ---- */

static const ij_stmt STMT_NOTICE_LIST = {
    "notice_list",
    "SELECT n.seq, n.id, n.kind, n.event, n.referral_id, ij_us(n.created_at),"
    " ij_us(n.delivered_at), n.payload::text FROM notices n"
    " WHERE n.area = $1 AND n.seq > $2"
    " AND ($3::text IS NULL OR (n.kind IN ('outcome', 'progress') AND EXISTS (SELECT 1"
    "      FROM referrals r"
    "      WHERE r.id = n.referral_id AND r.officer_sub = $3)))"
    " ORDER BY n.seq LIMIT $4",
    4};
/* The same, for one referral's notices: read through notices_once (referral_id first), a handful
 * of rows, rather than along the area's whole feed. */
static const ij_stmt STMT_NOTICE_LIST_REFERRAL = {
    "notice_list_referral",
    "SELECT n.seq, n.id, n.kind, n.event, n.referral_id, ij_us(n.created_at),"
    " ij_us(n.delivered_at), n.payload::text FROM notices n"
    " WHERE n.referral_id = $5::uuid AND n.area = $1 AND n.seq > $2"
    " AND ($3::text IS NULL OR (n.kind IN ('outcome', 'progress') AND EXISTS (SELECT 1"
    "      FROM referrals r"
    "      WHERE r.id = n.referral_id AND r.officer_sub = $3)))"
    " ORDER BY n.seq LIMIT $4",
    5};

ij_err ij_store_notices_list(ij_conn *conn, const char *area, const char *officer_sub,
                             const char *referral_id, int64_t after_seq, int limit,
                             ij_notice_page *out) {
  memset(out, 0, sizeof *out);
  char after[24], lim[16];
  snprintf(after, sizeof after, "%lld", (long long)after_seq);
  ij_db_page_limit(limit, lim);
  const char *p[5] = {area, after, officer_sub, lim, referral_id};
  PGresult *res;
  ij_err err =
      ij_db_exec(conn, referral_id ? &STMT_NOTICE_LIST_REFERRAL : &STMT_NOTICE_LIST, p, &res);
  if (err != IJ_OK)
    return err;
  out->items = ij_db_page_items(res, limit, sizeof *out->items, &out->count, &out->more);
  if (!out->items)
    return IJ_ERR_NOMEM;
  for (int i = 0; i < out->count; i++) {
    ij_notice *x = &out->items[i];
    x->seq = ij_db_i64(res, i, 0);
    x->id = ij_db_str(res, i, 1);
    x->kind = ij_db_str(res, i, 2);
    x->event = ij_db_str(res, i, 3);
    x->referral_id = ij_db_str(res, i, 4);
    x->created_at = ij_db_i64(res, i, 5);
    x->delivered_at = ij_db_i64(res, i, 6);
    x->payload = ij_db_str(res, i, 7);
  }
  out->owner_ = res;
  return IJ_OK;
}

void ij_notice_page_clear(ij_notice_page *page) {
  if (!page)
    return;
  free(page->items);
  if (page->owner_)
    PQclear(page->owner_);
  memset(page, 0, sizeof *page);
}

/* ---- delivery ---- */

static const ij_stmt STMT_NOTICE_CLAIM = {
    "notice_claim",
    "SELECT n.id, a.webhook_url, jsonb_build_object('id', n.id, 'kind', n.kind,"
    " 'event', n.event, 'referral_id', n.referral_id,"
    " 'created_at', to_char(n.created_at AT TIME ZONE 'UTC', "
    "'YYYY-MM-DD\"T\"HH24\":\"MI\":\"SS.US\"Z\"'),"
    " 'payload', n.payload)::text, n.attempts, ws.secret"
    " FROM notices n JOIN areas a ON a.code = n.area"
    " LEFT JOIN area_webhook_secrets ws ON ws.area = n.area"
    " WHERE n.delivered_at IS NULL AND n.next_attempt_at <= now() AND a.webhook_url IS NOT NULL"
    " ORDER BY n.seq LIMIT $1 FOR UPDATE OF n SKIP LOCKED",
    1};

ij_err ij_store_notices_claim(ij_conn *conn, int limit, ij_notice_batch *out) {
  memset(out, 0, sizeof *out);
  char lim[16];
  snprintf(lim, sizeof lim, "%d", limit);
  const char *p[1] = {lim};
  PGresult *res;
  ij_err err = ij_db_exec(conn, &STMT_NOTICE_CLAIM, p, &res);
  if (err != IJ_OK)
    return err;
  out->items = ij_db_items(res, sizeof *out->items, &out->count);
  if (!out->items)
    return IJ_ERR_NOMEM;
  for (int i = 0; i < out->count; i++) {
    out->items[i].id = ij_db_str(res, i, 0);
    out->items[i].url = ij_db_str(res, i, 1);
    out->items[i].body = ij_db_str(res, i, 2);
    out->items[i].attempts = (int)ij_db_i64(res, i, 3);
    out->items[i].secret = ij_db_str(res, i, 4);
  }
  out->owner_ = res;
  return IJ_OK;
}

void ij_notice_batch_clear(ij_notice_batch *batch) {
  if (!batch)
    return;
  free(batch->items);
  if (batch->owner_)
    PQclear(batch->owner_);
  memset(batch, 0, sizeof *batch);
}

static const ij_stmt STMT_NOTICE_DELIVERED = {
    "notice_delivered",
    "UPDATE notices SET delivered_at = clock_timestamp(), last_error = NULL"
    " WHERE id = $1 AND delivered_at IS NULL",
    1};

ij_err ij_store_notice_delivered(ij_conn *conn, const char *id) {
  const char *p[1] = {id};
  return ij_db_run(conn, &STMT_NOTICE_DELIVERED, p);
}

/* The wait doubles with each failure: 2, 4, 8 ... seconds, never more than an hour (the exponent
 * is capped before it is raised, so that it cannot overflow). */
static const ij_stmt STMT_NOTICE_FAILED = {
    "notice_failed",
    "UPDATE notices SET attempts = attempts + 1, last_error = left($2, 500),"
    " next_attempt_at = clock_timestamp()"
    "   + make_interval(secs => least(power(2, least(attempts + 1, 12)), 3600))"
    " WHERE id = $1 AND delivered_at IS NULL",
    2};

ij_err ij_store_notice_failed(ij_conn *conn, const char *id, const char *error) {
  const char *p[2] = {id, error ? error : "failed"};
  return ij_db_run(conn, &STMT_NOTICE_FAILED, p);
}

static const ij_stmt STMT_NOTICE_BACKLOG = {
    "notice_backlog", "SELECT pending, oldest_seconds FROM ij_notice_backlog()", 0};

static const ij_stmt STMT_NOTICE_DUE_AREAS = {"notice_due_areas",
                                              "SELECT area FROM ij_notice_due_areas() AS area", 0};

ij_err ij_store_notice_due_areas(ij_conn *conn, ij_rows *out) {
  memset(out, 0, sizeof *out);
  PGresult *res;
  ij_err err = ij_db_exec(conn, &STMT_NOTICE_DUE_AREAS, NULL, &res);
  return err == IJ_OK ? ij_db_rows(res, out) : err;
}

ij_err ij_store_notices_backlog(ij_conn *conn, int64_t *count, double *oldest_seconds) {
  *count = 0;
  *oldest_seconds = 0;
  PGresult *res;
  ij_err err = ij_db_one(conn, &STMT_NOTICE_BACKLOG, NULL, &res);
  if (err != IJ_OK)
    return err;
  *count = ij_db_i64(res, 0, 0);
  const char *age = ij_db_str(res, 0, 1);
  *oldest_seconds = age ? strtod(age, NULL) : 0;
  PQclear(res);
  return IJ_OK;
}
