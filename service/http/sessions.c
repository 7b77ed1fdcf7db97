/* The session resource: sessions of a placement, the area's sessions, one session with who is
 * booked, and changes (capacity, supervisor, cancellation).
 * Each handler reads top to bottom: decode -> one ij_ops_* call -> render.
 * Coordinators see every session of their area; a supervisor only the sessions they run (any
 * other is answered as if it did not exist). */
#include <string.h>

#include "ij/ops.h"
#include "internal.h"

/* ---- helpers ---- */

/* NULL for a coordinator (every session of the area), else the caller's subject. */
static const char *scope_of(const ij_ctx *ctx) {
  return (ctx->actor.roles & IJ_ROLE_COORDINATOR) ? NULL : ctx->actor.sub;
}

static json_t *session_json(const ij_session *s, bool with_bookings) {
  int available = s->cancelled || s->booked >= s->capacity ? 0 : s->capacity - s->booked;
  json_t *j = json_pack("{s:s, s:{s:s, s:s, s:s, s:s, s:i}, s:o, s:o, s:i, s:i, s:i, s:{s:s, s:s},"
                        " s:b, s:i}",
                        "id", s->id, "placement", "id", s->placement_id, "name", s->placement_name,
                        "type", s->placement_type, "ward", s->placement_ward, "min_age",
                        s->placement_min_age, "starts_at", ij_json_time(s->starts_at), "ends_at",
                        ij_json_time(s->ends_at), "capacity", s->capacity, "booked", s->booked,
                        "available", available, "supervisor", "sub", s->supervisor_sub, "name",
                        s->supervisor_name, "cancelled", s->cancelled, "version", s->version);
  if (!j)
    return NULL;
  json_object_set_new(j, "created_at", ij_json_time(s->created_at));
  json_object_set_new(j, "updated_at", ij_json_time(s->updated_at));
  json_object_set_new(j, "late_entry_reason", ij_json_str_or_null(s->late_entry_reason));
  if (with_bookings) {
    json_t *list = json_array();
    for (int i = 0; i < s->nbookings; i++) {
      const ij_session_booking *b = &s->bookings[i];
      json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:i}", "id", b->id, "referral_id",
                                            b->referral_id, "person_name", b->person_name, "status",
                                            b->status, "minutes_credited", b->minutes_credited));
    }
    json_object_set_new(j, "bookings", list);
  }
  return j;
}

static void send_session(ij_ctx *ctx, int status, const ij_session *s, bool with_bookings) {
  ij_set_etag(ctx, s->version);
  ij_send_json(ctx, status, session_json(s, with_bookings));
}

/* ---- decoding SessionInput (POST) and SessionUpdate (PATCH) ---- */

static const char *const CREATE_FIELDS[] = {"starts_at",  "ends_at",           "capacity",
                                            "supervisor", "late_entry_reason", NULL};
static const char *const UPDATE_FIELDS[] = {"capacity",  "supervisor", "cancelled",
                                            "starts_at", "ends_at",    NULL};
static const char *const SUPERVISOR_FIELDS[] = {"sub", "name", NULL};

static void decode_session(json_t *body, bool create, ij_session_input *in, ij_field_errors *errs) {
  memset(in, 0, sizeof *in);
  in->cancelled = -1;
  ij_json_unknown(body, "", create ? CREATE_FIELDS : UPDATE_FIELDS, errs);
  ij_json_refuse_nulls(body, "", NULL, errs);
  in->starts_at = ij_json_str(body, "", "starts_at", errs);
  in->ends_at = ij_json_str(body, "", "ends_at", errs);
  if (create) {
    in->late_entry_reason = ij_json_str(body, "", "late_entry_reason", errs);
  } else {
    in->cancelled = ij_json_bool(body, "", "cancelled", errs);
  }
  in->has_capacity = ij_json_int(body, "", "capacity", &in->capacity, errs);
  json_t *sup = ij_json_obj(body, "", "supervisor", errs);
  if (sup) {
    in->has_supervisor = true;
    ij_json_unknown(sup, "supervisor.", SUPERVISOR_FIELDS, errs);
    ij_json_refuse_nulls(sup, "supervisor.", NULL, errs);
    in->supervisor_sub = ij_json_str(sup, "supervisor.", "sub", errs);
    in->supervisor_name = ij_json_str(sup, "supervisor.", "name", errs);
  }
}

/* ---- query parameters of the lists ---- */

/* from, to, limit and cursor: shared by both lists. */
static void parse_window(ij_ctx *ctx, ij_session_filter *f, ij_field_errors *errs) {
  const char *v;
  if ((v = ij_query(ctx, "from"))) {
    if (ij_time_parse(v, &f->from) == IJ_OK)
      f->has_from = true;
    else
      ij_field_errors_add(errs, "from",
                          "must be an RFC 3339 date-time such as 2026-11-25T00:00:00Z");
  }
  if ((v = ij_query(ctx, "to"))) {
    if (ij_time_parse(v, &f->to) == IJ_OK)
      f->has_to = true;
    else
      ij_field_errors_add(errs, "to", "must be an RFC 3339 date-time such as 2026-11-26T00:00:00Z");
  }
  if (f->has_from && f->has_to && f->to < f->from)
    ij_field_errors_add(errs, "to", "must not be before from");
  ij_query_limit(ctx, 25, 100, &f->limit, errs);
  ij_query_cursor(ctx, &f->cursor_starts_at, f->cursor_id, &f->has_cursor, errs);
}

static json_t *starts_cursor(const ij_session *s) {
  return ij_cursor_json(s->starts_at, s->id);
}

/* The page of f's sessions from `list`; its errors as the store's (a placement not found names
 * it). */
static void send_page(ij_ctx *ctx, const ij_session_filter *f,
                      ij_err (*list)(ij_conn *, const ij_session_filter *, ij_session_page *)) {
  ij_conn *conn = ij_ctx_conn(ctx);
  if (!conn)
    return;
  ij_session_page page;
  ij_err err = list(conn, f, &page);
  if (err != IJ_OK) {
    ij_send_store_error(ctx, err, NULL);
    return;
  }
  json_t *items = json_array();
  for (int i = 0; i < page.count; i++)
    json_array_append_new(items, session_json(&page.items[i], false));
  json_t *next = IJ_NEXT_CURSOR(page, starts_cursor);
  ij_session_page_clear(&page);
  ij_send_page(ctx, items, next);
}

/* ---- POST /v1/placements/{id}/sessions ---- */

void ij_h_session_create(ij_ctx *ctx) {
  const char *placement_id = ctx->id;
  ij_field_errors errs;
  json_t *body = ij_request_body(ctx, NULL, NULL, &errs);
  if (!body)
    return;
  ij_session_input in;
  decode_session(body, true, &in, &errs);
  ij_session s;
  memset(&s, 0, sizeof s);
  /* with decoding errors, ops adds the domain's to them without a connection: one 422 */
  ij_conn *conn = errs.count ? NULL : ij_ctx_conn(ctx);
  if (!conn && !errs.count)
    goto done;
  ij_op_ctx op = ij_ctx_op(ctx);
  ij_err err = ij_ops_session_create(conn, &op, placement_id, &in, &s, &errs);
  if (err != IJ_OK) {
    ij_send_store_error(ctx, err, &errs);
    goto done;
  }
  char location[64];
  snprintf(location, sizeof location, "/v1/sessions/%s", s.id);
  ij_set_header(ctx, "Location", location);
  send_session(ctx, 201, &s, false);
done:
  ij_session_clear(&s);
  json_decref(body);
}

/* ---- GET /v1/placements/{id}/sessions ---- */

void ij_h_placement_sessions(ij_ctx *ctx) {
  const char *placement_id = ctx->id;
  ij_session_filter f;
  memset(&f, 0, sizeof f);
  f.area = ctx->actor.area;
  f.placement_id = placement_id;
  f.scope_sub = scope_of(ctx);
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  parse_window(ctx, &f, &errs);
  if (ij_send_invalid(ctx, &errs))
    return;
  /* the placement itself must be one the caller may see: ops reads it first */
  send_page(ctx, &f, ij_ops_placement_sessions);
}

/* ---- GET /v1/sessions ---- */

void ij_h_session_list(ij_ctx *ctx) {
  ij_session_filter f;
  memset(&f, 0, sizeof f);
  f.area = ctx->actor.area;
  f.scope_sub = scope_of(ctx);
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  const char *v;
  f.ward = ij_query_ward(ctx, &errs);
  f.type = ij_query_placement_type(ctx, &errs);
  f.supervisor_sub = ij_query_supervisor(ctx, &errs);
  char placement_id[IJ_UUID_BUF];
  if ((v = ij_query(ctx, "placement"))) {
    if (ij_uuid_canonical(v, placement_id))
      f.placement_id = placement_id;
    else
      ij_field_errors_add(&errs, "placement", "must be a placement id (a UUID)");
  }
  parse_window(ctx, &f, &errs);
  if (ij_send_invalid(ctx, &errs))
    return;
  send_page(ctx, &f, ij_ops_session_list);
}

/* ---- GET /v1/sessions/{id} ---- */

void ij_h_session_get(ij_ctx *ctx) {
  const char *id = ctx->id;
  ij_conn *conn = ij_ctx_conn(ctx);
  if (!conn)
    return;
  ij_session s;
  ij_op_ctx op = ij_ctx_op(ctx);
  ij_err err = ij_ops_session_get(conn, &op, id, scope_of(ctx), true, &s);
  if (err != IJ_OK)
    ij_send_store_error(ctx, err, NULL);
  else {
    for (int i = 0; i < s.nbookings; i++)
      ij_ctx_accessed(ctx, s.bookings[i].referral_id);
    send_session(ctx, 200, &s, true);
  }
  ij_session_clear(&s);
}

/* ---- PATCH /v1/sessions/{id} ---- */

void ij_h_session_update(ij_ctx *ctx) {
  const char *id = ctx->id;
  int expected;
  ij_field_errors errs;
  json_t *body = ij_request_body(ctx, &expected, NULL, &errs);
  if (!body)
    return;
  ij_session_input in;
  decode_session(body, false, &in, &errs);
  ij_session s;
  memset(&s, 0, sizeof s);
  ij_rows altered;
  memset(&altered, 0, sizeof altered);
  /* with decoding errors, ops adds the domain's to them without a connection: one 422 */
  ij_conn *conn = errs.count ? NULL : ij_ctx_conn(ctx);
  if (!conn && !errs.count)
    goto done;
  ij_op_ctx op = ij_ctx_op(ctx);
  ij_err err =
      ij_ops_session_update(conn, &op, &ctx->actor, id, expected, &in, &s, &altered, &errs);
  if (err == IJ_ERR_INVALID) {
    ij_send_problem(ctx, err, NULL, &errs);
    goto done;
  }
  if (err == IJ_ERR_STALE) {
    ij_send_problem(ctx, err, "the session has changed since you read it; read it again and retry",
                    NULL);
    goto done;
  }
  if (err != IJ_OK) {
    ij_send_store_error(ctx, err, &errs);
    goto done;
  }
  /* each referral whose booking a cancellation ended was altered: one access-log row each */
  for (int i = 0; i < altered.count; i++)
    ij_ctx_accessed(ctx, ij_rows_get(&altered, i, 0));
  send_session(ctx, 200, &s, false);
done:
  ij_rows_clear(&altered);
  ij_session_clear(&s);
  json_decref(body);
}
