/* The coordinators' work lists: triage, overdue, a day's sessions, outcomes due. Each is a keyset
 * list ({"items", "next_cursor"}) whose cursor is "<sort instant in microseconds>.<id>". */
#include <string.h>

#include "ij/ops.h"
#include "internal.h"

/* ---- shared parts ---- */

/* Reads limit and cursor; a field error for each that is not valid. */
static void page_params(ij_ctx *ctx, int *limit, ij_worklist_cursor *cursor,
                        ij_field_errors *errs) {
  ij_query_limit(ctx, 25, 100, limit, errs);
  memset(cursor, 0, sizeof *cursor);
  ij_query_cursor(ctx, &cursor->at, cursor->id, &cursor->has, errs);
}

typedef ij_err (*referral_list_fn)(ij_conn *conn, const ij_op_ctx *op,
                                   const ij_worklist_cursor *after, int limit,
                                   ij_referral_page *out);

static json_t *created_cursor(const ij_referral *r) {
  return ij_cursor_json(r->created_at, r->id);
}

static json_t *target_cursor(const ij_referral *r) {
  return ij_cursor_json(r->target_start_by, r->id);
}

/* The two referral lists differ only in the query and the sort key of the cursor. */
static void referral_worklist(ij_ctx *ctx, referral_list_fn list, bool by_target) {
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  int limit;
  ij_worklist_cursor cursor;
  page_params(ctx, &limit, &cursor, &errs);
  ij_conn *conn = ij_ctx_conn_valid(ctx, &errs);
  if (!conn)
    return;
  ij_op_ctx op = ij_ctx_op(ctx);
  ij_referral_page page;
  ij_err err = list(conn, &op, &cursor, limit, &page);
  if (err != IJ_OK) {
    ij_send_problem(ctx, err, NULL, NULL);
    return;
  }
  json_t *items = json_array();
  for (int i = 0; i < page.count; i++) {
    json_array_append_new(items, ij_referral_summary_json(&page.items[i], ctx->now));
    ij_ctx_accessed(ctx, page.items[i].id);
  }
  json_t *next =
      by_target ? IJ_NEXT_CURSOR(page, target_cursor) : IJ_NEXT_CURSOR(page, created_cursor);
  ij_referral_page_clear(&page);
  ij_send_page(ctx, items, next);
}

/* ---- GET /v1/worklists/triage ---- */

void ij_h_worklist_triage(ij_ctx *ctx) {
  referral_worklist(ctx, ij_ops_worklist_triage, false);
}

/* ---- GET /v1/worklists/overdue ---- */

void ij_h_worklist_overdue(ij_ctx *ctx) {
  referral_worklist(ctx, ij_ops_worklist_overdue, true);
}

/* ---- GET /v1/worklists/sessions ---- */

static json_t *session_json(const ij_worklist_session *s) {
  json_t *bookings = json_array();
  for (int i = 0; i < s->nbookings; i++) {
    const ij_worklist_booking *b = &s->bookings[i];
    json_array_append_new(bookings, json_pack("{s:s, s:s, s:s, s:s}", "id", b->id, "referral_id",
                                              b->referral_id, "person_name", b->person_name,
                                              "status", b->status));
  }
  int available = s->capacity - s->booked;
  return json_pack("{s:s, s:{s:s, s:s, s:s, s:s, s:o}, s:o, s:o, s:i, s:i, s:i, s:{s:s, s:s},"
                   " s:o}",
                   "id", s->id, "placement", "id", s->placement_id, "name", s->placement_name,
                   "type", s->placement_type, "ward", s->ward, "location",
                   ij_json_str_or_null(s->location), "starts_at", ij_json_time(s->starts_at),
                   "ends_at", ij_json_time(s->ends_at), "capacity", s->capacity, "booked",
                   s->booked, "available", available > 0 ? available : 0, "supervisor", "sub",
                   s->supervisor_sub, "name", s->supervisor_name, "bookings", bookings);
}

static json_t *starts_cursor(const ij_worklist_session *s) {
  return ij_cursor_json(s->starts_at, s->id);
}

void ij_h_worklist_sessions(ij_ctx *ctx) {
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  int limit;
  ij_worklist_cursor cursor;
  page_params(ctx, &limit, &cursor, &errs);
  ij_date day = ij_time_date(ctx->now);
  const char *v = ij_query(ctx, "day");
  if (v && strcmp(v, "tomorrow") == 0)
    day += 1;
  else if (v && strcmp(v, "today") != 0)
    ij_field_errors_add(&errs, "day", "must be today or tomorrow");
  ij_conn *conn = ij_ctx_conn_valid(ctx, &errs);
  if (!conn)
    return;
  ij_op_ctx op = ij_ctx_op(ctx);
  ij_worklist_session_page page;
  ij_err err = ij_ops_worklist_sessions(conn, &op, day, &cursor, limit, &page);
  if (err != IJ_OK) {
    ij_send_problem(ctx, err, NULL, NULL);
    return;
  }
  json_t *items = json_array();
  for (int i = 0; i < page.count; i++) {
    json_array_append_new(items, session_json(&page.items[i]));
    for (int k = 0; k < page.items[i].nbookings; k++)
      ij_ctx_accessed(ctx, page.items[i].bookings[k].referral_id);
  }
  json_t *next = IJ_NEXT_CURSOR(page, starts_cursor);
  ij_worklist_session_page_clear(&page);
  ij_send_json(
      ctx, 200,
      json_pack("{s:o, s:o, s:o}", "date", ij_json_date(day), "items", items, "next_cursor", next));
}

/* ---- GET /v1/worklists/outcomes-due ---- */

static json_t *outcome_due_json(const ij_outcome_due *d) {
  return json_pack("{s:s, s:i, s:s, s:s, s:{s:s, s:o, s:o, s:s, s:s}, s:{s:s, s:s}}", "id", d->id,
                   "version", d->version, "referral_id", d->referral_id, "person_name",
                   d->person_name, "session", "id", d->session_id, "starts_at",
                   ij_json_time(d->starts_at), "ends_at", ij_json_time(d->ends_at), "placement_id",
                   d->placement_id, "placement_name", d->placement_name, "supervisor", "sub",
                   d->supervisor_sub, "name", d->supervisor_name);
}

static json_t *ends_cursor(const ij_outcome_due *d) {
  return ij_cursor_json(d->ends_at, d->id);
}

void ij_h_worklist_outcomes_due(ij_ctx *ctx) {
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  int limit;
  ij_worklist_cursor cursor;
  page_params(ctx, &limit, &cursor, &errs);
  ij_conn *conn = ij_ctx_conn_valid(ctx, &errs);
  if (!conn)
    return;
  ij_op_ctx op = ij_ctx_op(ctx);
  ij_outcome_due_page page;
  ij_err err = ij_ops_worklist_outcomes_due(conn, &op, &cursor, limit, &page);
  if (err != IJ_OK) {
    ij_send_problem(ctx, err, NULL, NULL);
    return;
  }
  json_t *items = json_array();
  for (int i = 0; i < page.count; i++) {
    json_array_append_new(items, outcome_due_json(&page.items[i]));
    ij_ctx_accessed(ctx, page.items[i].referral_id);
  }
  json_t *next = IJ_NEXT_CURSOR(page, ends_cursor);
  ij_outcome_due_page_clear(&page);
  ij_send_page(ctx, items, next);
}
