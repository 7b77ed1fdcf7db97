/* Attendance as it happens on site: signing a person in on arrival, signing them out with the
 * times worked (an attended outcome credited from those times, never beyond now), and the same
 * outcome for several bookings of a session at once, all or nothing. */
#include <stdlib.h>
#include <string.h>

#include "ij/ops.h"
#include "internal.h"

/* ---- POST /v1/bookings/{id}/sign-in ---- */

void ij_h_booking_sign_in(ij_ctx *ctx) {
  static const char *const fields[] = {NULL};
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  /* no body is needed; one that is sent must be an empty object */
  if (ctx->req->binary_body_length > 0) {
    json_t *body = ij_body_object(ctx);
    if (!body)
      return;
    ij_json_unknown(body, "", fields, &errs);
    json_decref(body);
    if (ij_send_invalid(ctx, &errs))
      return;
  }
  ij_conn *conn = ij_ctx_conn(ctx);
  if (!conn)
    return;
  ij_op_ctx op = ij_ctx_op(ctx);
  ij_booking_view after;
  bool already = false;
  ij_err err = ij_ops_sign_in(conn, &op, &ctx->actor, ctx->id, ij_booking_scope(ctx), &after,
                              &already, &errs);
  ij_send_booking_result(ctx, err, &after, NULL, &errs);
}

/* ---- POST /v1/bookings/{id}/sign-out ---- */

/* An RFC 3339 time member, required. */
static ij_time_us time_field(json_t *body, const char *key, ij_field_errors *errs) {
  const char *s = ij_json_str(body, "", key, errs);
  ij_time_us t = 0;
  if (!s && !ij_field_errors_has(errs, key))
    ij_field_errors_add(errs, key, "is required");
  else if (s && ij_time_parse(s, &t) != IJ_OK)
    ij_field_errors_add(errs, key, "is not an RFC 3339 date-time");
  return t;
}

void ij_h_booking_sign_out(ij_ctx *ctx) {
  static const char *const fields[] = {"started_at", "finished_at",  "outcome", "penalty_minutes",
                                       "behaviour",  "work_quality", "notes",   NULL};
  int expected;
  ij_field_errors errs;
  json_t *body = ij_request_body(ctx, &expected, fields, &errs);
  if (!body)
    return;
  ij_outcome_input in;
  ij_outcome_decode(body, "attended_complied", &in, &errs);
  in.has_worked = true;
  in.started_at = time_field(body, "started_at", &errs);
  in.finished_at = time_field(body, "finished_at", &errs);
  ij_conn *conn = ij_ctx_conn_valid(ctx, &errs);
  if (!conn) {
    json_decref(body);
    return;
  }
  ij_op_ctx op = ij_ctx_op(ctx);
  int current = 0;
  ij_booking_view after;
  ij_err err =
      ij_ops_record_outcome(conn, &op, &ctx->actor, ctx->id, ij_booking_scope(ctx),
                            expected < 0 ? -1 : expected, &in, NULL, &after, &current, &errs);
  json_decref(body);
  ij_send_booking_result(ctx, err, &after, &current, &errs);
}

/* ---- POST /v1/sessions/{id}/outcomes ---- */

void ij_h_session_outcomes(ij_ctx *ctx) {
  static const char *const fields[] = {"booking_ids",     "outcome",          "absence_reason",
                                       "penalty_minutes", "behaviour",        "work_quality",
                                       "notes",           "amendment_reason", NULL};
  ij_field_errors errs;
  json_t *body = ij_request_body(ctx, NULL, fields, &errs);
  if (!body)
    return;
  ij_outcome_input in;
  ij_outcome_decode(body, NULL, &in, &errs);
  char ids[IJ_BULK_OUTCOME_MAX][IJ_UUID_BUF];
  const char *id_list[IJ_BULK_OUTCOME_MAX];
  int n = 0;
  json_t *list = json_object_get(body, "booking_ids");
  if (!list)
    ij_field_errors_add(&errs, "booking_ids", "is required");
  else if (!json_is_array(list) || json_array_size(list) < 1 ||
           json_array_size(list) > IJ_BULK_OUTCOME_MAX)
    ij_field_errors_add(&errs, "booking_ids", "must be a list of 1 to %d booking ids",
                        IJ_BULK_OUTCOME_MAX);
  else
    for (size_t i = 0; i < json_array_size(list); i++) {
      const char *s = json_string_value(json_array_get(list, i));
      if (!s || !ij_uuid_canonical(s, ids[n])) {
        char field[48];
        snprintf(field, sizeof field, "booking_ids[%d]", (int)i);
        ij_field_errors_add(&errs, field, "is not a booking id");
        continue;
      }
      id_list[n] = ids[n];
      n++;
    }
  ij_conn *conn = ij_ctx_conn_valid(ctx, &errs);
  if (!conn) {
    json_decref(body);
    return;
  }
  ij_op_ctx op = ij_ctx_op(ctx);
  ij_booking_view after[IJ_BULK_OUTCOME_MAX];
  ij_err err = ij_ops_record_outcomes(conn, &op, &ctx->actor, ctx->id, ij_booking_scope(ctx),
                                      id_list, n, &in, after, &errs);
  json_decref(body);
  if (err == IJ_ERR_INVALID) {
    ij_send_invalid(ctx, &errs);
  } else if (err != IJ_OK) {
    ij_send_store_error(ctx, err, &errs);
  } else {
    json_t *items = json_array();
    for (int i = 0; i < n; i++) {
      const ij_booking *b = &after[i].booking.items[0];
      ij_ctx_accessed(ctx, b->referral_id);
      json_array_append_new(items, ij_booking_json(b, &after[i].outcomes));
    }
    ij_send_json(ctx, 200, json_pack("{s:o}", "items", items));
  }
  for (int i = 0; i < n; i++)
    ij_booking_view_clear(&after[i]);
}
