/* Bookings and attendance: book a referral onto a session, read bookings, record outcomes.
 * The referral moves by itself: the first booking schedules it, the first attended session puts
 * it in progress, and the attendance that brings the credited hours up to those required
 * completes it, all in the transaction that records the booking or outcome. */
#include <stdlib.h>
#include <string.h>

#include "ij/ops.h"
#include "internal.h"

/* A supervisor who is not also a coordinator sees only the sessions they supervise: their
 * subject, else NULL (every booking of the area). */
const char *ij_booking_scope(const ij_ctx *ctx) {
  bool supervisor_only =
      (ctx->actor.roles & IJ_ROLE_SUPERVISOR) && !(ctx->actor.roles & IJ_ROLE_COORDINATOR);
  return supervisor_only ? ctx->actor.sub : NULL;
}

/* ---- JSON ---- */

json_t *ij_booking_json(const ij_booking *b, const ij_rows *outcomes) {
  json_t *j = json_pack(
      "{s:s, s:s, s:{s:s, s:o, s:o, s:s, s:s}, s:s, s:s, s:o, s:i, s:i, s:o, s:o, s:o, s:o, s:i,"
      " s:o, s:o}",
      "id", b->id, "referral_id", b->referral_id, "session", "id", b->session_id, "starts_at",
      ij_json_time(b->starts_at), "ends_at", ij_json_time(b->ends_at), "placement_id",
      b->placement_id, "placement_name", b->placement_name, "person_name", b->person_name, "status",
      b->status, "absence_reason", ij_json_str_or_null(b->absence_reason), "penalty_minutes",
      b->penalty_minutes, "minutes_credited", b->minutes_credited, "behaviour",
      ij_json_str_or_null(b->behaviour), "work_quality", ij_json_str_or_null(b->work_quality),
      "notes", ij_json_str_or_null(b->notes), "rescheduled_to",
      ij_json_str_or_null(b->rescheduled_to), "version", b->version, "created_at",
      ij_json_time(b->created_at), "updated_at", ij_json_time(b->updated_at));
  if (!j)
    return NULL;
  json_object_set_new(j, "walk_in", json_boolean(b->walk_in));
  json_object_set_new(j, "late_entry_reason", ij_json_str_or_null(b->late_entry_reason));
  json_object_set_new(j, "signed_in_at", ij_json_time_or_null(b->signed_in_at));
  json_object_set_new(j, "started_at", ij_json_time_or_null(b->started_at));
  json_object_set_new(j, "finished_at", ij_json_time_or_null(b->finished_at));
  json_t *list = json_array();
  for (int i = 0; outcomes && i < outcomes->count; i++) {
    json_array_append_new(
        list, json_pack("{s:i, s:s, s:i, s:o, s:{s:s, s:s, s:s}, s:o}", "seq",
                        atoi(ij_rows_get(outcomes, i, 0)), "status", ij_rows_get(outcomes, i, 1),
                        "minutes_credited", atoi(ij_rows_get(outcomes, i, 2)), "amendment_reason",
                        ij_json_str_or_null(ij_rows_get(outcomes, i, 3)), "actor", "sub",
                        ij_rows_get(outcomes, i, 4), "name", ij_rows_get(outcomes, i, 5), "role",
                        ij_rows_get(outcomes, i, 6), "at",
                        ij_json_time(strtoll(ij_rows_get(outcomes, i, 7), NULL, 10))));
  }
  json_object_set_new(j, "outcomes", list);
  return j;
}

/* Sends a booking with its outcome history. */
void ij_send_booking(ij_ctx *ctx, const ij_booking_view *v, int status) {
  const ij_booking *b = &v->booking.items[0];
  char location[64];
  ij_set_etag(ctx, b->version);
  if (status == 201) {
    snprintf(location, sizeof location, "/v1/bookings/%s", b->id);
    ij_set_header(ctx, "Location", location);
  }
  ij_ctx_accessed(ctx, b->referral_id);
  ij_send_json(ctx, status, ij_booking_json(b, &v->outcomes));
}

void ij_send_booking_result(ij_ctx *ctx, ij_err err, ij_booking_view *v, const int *current,
                            const ij_field_errors *errs) {
  if (err == IJ_ERR_STALE && current)
    ij_set_etag(ctx, *current);
  if (err != IJ_OK)
    ij_send_store_error(ctx, err, errs);
  else
    ij_send_booking(ctx, v, 200);
  ij_booking_view_clear(v);
}

/* The answer to a booking made (ij_ops_book_as): 201 with it, or the problem (a referral that
 * cannot be booked names the events it allows); clears made. */
static void send_made(ij_ctx *ctx, ij_err err, ij_booking_view *made, unsigned allowed,
                      const ij_field_errors *errs) {
  if (err == IJ_ERR_TRANSITION)
    ij_send_problem_events(ctx, err, "the referral cannot be booked in its current state", errs,
                           allowed);
  else if (err != IJ_OK)
    ij_send_store_error(ctx, err, errs);
  else
    ij_send_booking(ctx, made, 201);
  ij_booking_view_clear(made);
}

/* ---- POST /v1/referrals/{id}/bookings ---- */

void ij_h_booking_create(ij_ctx *ctx) {
  static const char *const fields[] = {"session_id", "late_entry_reason", NULL};
  const char *referral_id = ctx->id;
  char session_id[IJ_UUID_BUF], booking_id[IJ_UUID_BUF];
  ij_field_errors errs;
  json_t *body = ij_request_body(ctx, NULL, fields, &errs);
  if (!body)
    return;
  const char *sid = ij_json_str(body, "", "session_id", &errs);
  if (!errs.count && !ij_uuid_canonical(sid, session_id))
    ij_field_errors_add(&errs, "session_id", sid ? "is not a session id" : "is required");
  /* a reason makes it a late entry: a paper register entered after the session */
  const char *late = ij_json_str(body, "", "late_entry_reason", &errs);
  ij_conn *conn = ij_ctx_conn_valid(ctx, &errs);
  if (!conn) {
    json_decref(body);
    return;
  }
  ij_op_ctx op = ij_ctx_op(ctx);
  unsigned allowed = 0;
  ij_booking_view made;
  ij_err err =
      ij_ops_book_as(conn, &op, &ctx->actor, late ? IJ_BOOKING_LATE_ENTRY : IJ_BOOKING_ORDINARY,
                     late, NULL, referral_id, session_id, booking_id, &made, &allowed, &errs);
  json_decref(body);
  send_made(ctx, err, &made, allowed, &errs);
}

/* ---- GET /v1/referrals/{id}/bookings ---- */

void ij_h_referral_bookings(ij_ctx *ctx) {
  const char *referral_id = ctx->id;
  ij_conn *conn = ij_ctx_conn(ctx);
  if (!conn)
    return;
  ij_op_ctx op = ij_ctx_op(ctx);
  ij_booking_list list;
  ij_err err = ij_ops_referral_bookings(conn, &op, referral_id, ij_booking_scope(ctx), &list);
  if (err != IJ_OK) {
    ij_send_store_error(ctx, err, NULL);
    return;
  }
  json_t *items = json_array();
  for (int i = 0; i < list.count; i++)
    json_array_append_new(items, ij_booking_json(&list.items[i], NULL));
  ij_booking_list_clear(&list);
  ij_ctx_accessed(ctx, referral_id);
  ij_send_json(ctx, 200, json_pack("{s:o, s:n}", "items", items, "next_cursor"));
}

/* ---- GET /v1/bookings/{id} ---- */

void ij_h_booking_get(ij_ctx *ctx) {
  const char *id = ctx->id;
  ij_conn *conn = ij_ctx_conn(ctx);
  if (!conn)
    return;
  ij_op_ctx op = ij_ctx_op(ctx);
  ij_booking_view v;
  ij_err err = ij_ops_booking_get(conn, &op, id, ij_booking_scope(ctx), &v);
  ij_send_booking_result(ctx, err, &v, NULL, NULL);
}

/* ---- POST /v1/bookings/{id}/outcome ---- */

void ij_outcome_decode(json_t *body, const char *default_outcome, ij_outcome_input *in,
                       ij_field_errors *errs) {
  memset(in, 0, sizeof *in);
  const char *outcome = ij_json_str(body, "", "outcome", errs);
  if (!outcome && !ij_field_errors_has(errs, "outcome"))
    outcome = default_outcome;
  if (!outcome && !ij_field_errors_has(errs, "outcome"))
    ij_field_errors_add(errs, "outcome", "is required");
  else if (outcome && ij_outcome_parse(outcome, &in->outcome) != IJ_OK)
    ij_field_errors_add(errs, "outcome", "is not a Community Payback outcome code");
  in->absence_reason = ij_json_str(body, "", "absence_reason", errs);
  in->has_penalty = ij_json_int(body, "", "penalty_minutes", &in->penalty_minutes, errs);
  in->behaviour = ij_json_str(body, "", "behaviour", errs);
  in->work_quality = ij_json_str(body, "", "work_quality", errs);
  in->notes = ij_json_str(body, "", "notes", errs);
  in->amendment_reason = ij_json_str(body, "", "amendment_reason", errs);
  in->late_entry_reason = ij_json_str(body, "", "late_entry_reason", errs);
}

static const char *const OUTCOME_FIELDS[] = {
    "outcome", "absence_reason",         "penalty_minutes",  "behaviour",         "work_quality",
    "notes",   "rescheduled_session_id", "amendment_reason", "late_entry_reason", NULL};

void ij_h_booking_outcome(ij_ctx *ctx) {
  const char *id = ctx->id;
  char new_session[IJ_UUID_BUF];
  int expected;
  ij_field_errors errs;
  json_t *body = ij_request_body(ctx, &expected, OUTCOME_FIELDS, &errs);
  if (!body)
    return;
  ij_outcome_input in;
  ij_outcome_decode(body, NULL, &in, &errs);
  const char *resched = ij_json_str(body, "", "rescheduled_session_id", &errs);
  in.has_rescheduled_session = resched != NULL;
  if (resched && !ij_uuid_canonical(resched, new_session))
    ij_field_errors_add(&errs, "rescheduled_session_id", "is not a session id");

  ij_conn *conn = ij_ctx_conn_valid(ctx, &errs);
  if (!conn) {
    json_decref(body);
    return;
  }
  /* a supervisor records only on the sessions they supervise */
  ij_op_ctx op = ij_ctx_op(ctx);
  int current = 0;
  ij_booking_view after;
  ij_err err = ij_ops_record_outcome(conn, &op, &ctx->actor, id, ij_booking_scope(ctx),
                                     expected < 0 ? -1 : expected, &in,
                                     resched ? new_session : NULL, &after, &current, &errs);
  json_decref(body);
  ij_send_booking_result(ctx, err, &after, &current, &errs);
}

/* ---- POST /v1/sessions/{id}/walk-ins ---- */

/* A walk-in: an accepted person added to a session under way, by its supervisor or a
 * coordinator, through the booking's own path (ij_ops_book_as). */
void ij_h_session_walk_in(ij_ctx *ctx) {
  static const char *const fields[] = {"referral_id", NULL};
  const char *session_id = ctx->id;
  char referral_id[IJ_UUID_BUF], booking_id[IJ_UUID_BUF];
  ij_field_errors errs;
  json_t *body = ij_request_body(ctx, NULL, fields, &errs);
  if (!body)
    return;
  const char *rid = ij_json_str(body, "", "referral_id", &errs);
  if (!errs.count && !ij_uuid_canonical(rid, referral_id))
    ij_field_errors_add(&errs, "referral_id", rid ? "is not a referral id" : "is required");
  json_decref(body);
  ij_conn *conn = ij_ctx_conn_valid(ctx, &errs);
  if (!conn)
    return;
  ij_op_ctx op = ij_ctx_op(ctx);
  unsigned allowed = 0;
  ij_booking_view made;
  ij_err err =
      ij_ops_book_as(conn, &op, &ctx->actor, IJ_BOOKING_WALK_IN, NULL, ij_booking_scope(ctx),
                     referral_id, session_id, booking_id, &made, &allowed, &errs);
  send_made(ctx, err, &made, allowed, &errs);
}
