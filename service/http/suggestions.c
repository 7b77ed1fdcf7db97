/* Booking suggestions: GET /v1/referrals/{id}/session-suggestions, the sessions a coordinator
 * could book the referral on now, best first; each would be accepted by
 * POST /v1/referrals/{id}/bookings at the same instant. */
#include <string.h>

#include "ij/ops_suggest.h"
#include "internal.h"

static json_t *suggestion_json(const ij_suggested_session *s, bool within_target) {
  return json_pack("{s:{s:s, s:o, s:o, s:{s:s, s:s, s:s, s:s, s:i}, s:{s:s, s:s}, s:i, s:i},"
                   " s:b}",
                   "session", "id", s->id, "starts_at", ij_json_time(s->starts_at), "ends_at",
                   ij_json_time(s->ends_at), "placement", "id", s->placement_id, "name",
                   s->placement_name, "type", s->placement_type, "ward", s->ward, "min_age",
                   s->min_age, "supervisor", "sub", s->supervisor_sub, "name", s->supervisor_name,
                   "capacity", s->capacity, "places_left", s->capacity - s->booked, "within_target",
                   within_target);
}

void ij_h_session_suggestions(ij_ctx *ctx) {
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  int limit = IJ_SUGGEST_LIMIT_DEFAULT;
  ij_query_limit(ctx, IJ_SUGGEST_LIMIT_DEFAULT, IJ_SUGGEST_LIMIT_MAX, &limit, &errs);
  ij_conn *conn = ij_ctx_conn_valid(ctx, &errs);
  if (!conn)
    return;
  ij_op_ctx op = ij_ctx_op(ctx);
  unsigned allowed = 0;
  ij_suggestions found;
  ij_err err =
      ij_ops_session_suggestions(conn, &op, &ctx->actor, ctx->id, limit, &found, &allowed, &errs);
  if (err == IJ_ERR_TRANSITION) {
    ij_send_problem_events(ctx, err,
                           "the referral cannot be booked in its current state, so no session is "
                           "suggested",
                           &errs, allowed);
    return;
  }
  if (err != IJ_OK) {
    ij_send_store_error(ctx, err, &errs);
    return;
  }
  json_t *items = json_array();
  for (int i = 0; i < found.count; i++)
    json_array_append_new(items,
                          suggestion_json(found.items[i].session, found.items[i].within_target));
  ij_suggestions_clear(&found);
  ij_ctx_accessed(ctx, ctx->id);
  ij_send_page(ctx, items, json_null());
}
