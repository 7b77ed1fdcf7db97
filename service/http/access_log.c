/* The personal-data access log, for admins: who consulted, altered or disclosed which person's
 * record, newest first. Its cursor is "<at in microseconds>.<record id>". */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ij/ops.h"
#include "internal.h"

/* "<microseconds>.<id>", both whole numbers; false when it is not one this service gave. */
static bool parse_cursor(const char *s, ij_time_us *at, int64_t *id) {
  const char *dot = strchr(s, '.');
  if (!dot || dot == s || !dot[1] || *s < '0' || *s > '9' || dot[1] < '0' || dot[1] > '9')
    return false;
  char *end;
  errno = 0;
  long long t = strtoll(s, &end, 10);
  if (end != dot || errno)
    return false;
  long long n = strtoll(dot + 1, &end, 10);
  if (*end || errno || n < 1)
    return false;
  *at = (ij_time_us)t;
  *id = (int64_t)n;
  return true;
}

static json_t *entry_json(const ij_access_entry *e) {
  return json_pack("{s:I, s:o, s:{s:s, s:s}, s:s, s:o, s:o, s:s, s:s, s:s}", "id",
                   (json_int_t)e->id, "at", ij_json_time(e->at), "actor", "sub", e->actor_sub,
                   "role", e->actor_role, "action", e->action, "referral_id",
                   ij_json_str_or_null(e->referral_id), "person_id",
                   ij_json_str_or_null(e->person_id), "route", e->route, "method", e->method,
                   "request_id", e->request_id);
}

/* ---- GET /v1/access-log ---- */

/* The cursor after an entry, as parse_cursor reads it. */
static json_t *entry_cursor(const ij_access_entry *e) {
  char cursor[48];
  snprintf(cursor, sizeof cursor, "%lld.%" PRId64, (long long)e->at, e->id);
  return json_string(cursor);
}

void ij_h_access_log_list(ij_ctx *ctx) {
  ij_access_filter f;
  memset(&f, 0, sizeof f);
  f.area = ctx->actor.area;
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  char person[IJ_UUID_BUF], referral[IJ_UUID_BUF];
  const char *v;
  if ((v = ij_query(ctx, "person_id"))) {
    if (ij_uuid_canonical(v, person))
      f.person_id = person;
    else
      ij_field_errors_add(&errs, "person_id", "is not a person id");
  }
  if ((v = ij_query(ctx, "referral_id"))) {
    if (ij_uuid_canonical(v, referral))
      f.referral_id = referral;
    else
      ij_field_errors_add(&errs, "referral_id", "is not a referral id");
  }
  if ((v = ij_query(ctx, "actor"))) {
    if (ij_subject_ok(v))
      f.actor_sub = v;
    else
      ij_field_errors_add(&errs, "actor", "is not a subject");
  }
  ij_query_limit(ctx, 25, 100, &f.limit, &errs);
  if ((v = ij_query(ctx, "cursor"))) {
    f.has_cursor = parse_cursor(v, &f.cursor_at, &f.cursor_id);
    if (!f.has_cursor)
      ij_field_errors_add(&errs, "cursor", "is not a cursor this service gave");
  }
  if (ij_send_invalid(ctx, &errs))
    return;
  /* the rows still queued are written first, so that the log is complete up to this request */
  ij_err flushed = ij_http_flush_audit(ctx->server);
  if (flushed != IJ_OK) {
    ij_send_problem(ctx, flushed, "the access log could not be brought up to date", NULL);
    return;
  }
  ij_conn *conn = ij_ctx_conn(ctx);
  if (!conn)
    return;
  ij_access_page page;
  ij_err err = ij_ops_access_log_list(conn, &f, &page);
  if (err != IJ_OK) {
    ij_send_problem(ctx, err, NULL, NULL);
    return;
  }
  json_t *items = json_array();
  for (int i = 0; i < page.count; i++)
    json_array_append_new(items, entry_json(&page.items[i]));
  json_t *next = IJ_NEXT_CURSOR(page, entry_cursor);
  ij_access_page_clear(&page);
  ij_send_page(ctx, items, next);
}
