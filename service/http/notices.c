/* The notice feed: outcome notices and victim updates, ascending by seq, for receivers that poll
 * rather than take the webhook. */
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "ij/ops.h"
#include "internal.h"

static json_t *notice_json(const ij_notice *n) {
  json_t *payload = n->payload ? json_loads(n->payload, 0, NULL) : NULL;
  return json_pack("{s:s, s:I, s:s, s:s, s:s, s:o, s:o, s:o}", "id", n->id, "seq",
                   (json_int_t)n->seq, "kind", n->kind, "event", n->event, "referral_id",
                   n->referral_id, "created_at", ij_json_time(n->created_at), "delivered_at",
                   ij_json_time_or_null(n->delivered_at), "payload",
                   payload ? payload : json_object());
}

/* ---- GET /v1/notices ---- */

/* The feed's cursor (its `after`) is the last seq read. */
static json_t *seq_cursor(const ij_notice *n) {
  char cursor[24];
  snprintf(cursor, sizeof cursor, "%" PRId64, n->seq);
  return json_string(cursor);
}

void ij_h_notice_list(ij_ctx *ctx) {
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  int limit;
  ij_query_limit(ctx, 25, 100, &limit, &errs);
  int64_t after = 0;
  const char *v = ij_query(ctx, "after");
  if (v) {
    char *end;
    long long n = strtoll(v, &end, 10);
    if (!*v || *end || *v == '-' || *v == '+' || n < 0 || n == LLONG_MAX)
      ij_field_errors_add(&errs, "after", "must be a notice seq (a whole number from 0)");
    else
      after = (int64_t)n;
  }
  /* one referral's notices (an officer's own, as the feed is narrowed below) */
  char referral_id[IJ_UUID_BUF];
  const char *rid = ij_query(ctx, "referral_id");
  if (rid && !ij_uuid_canonical(rid, referral_id))
    ij_field_errors_add(&errs, "referral_id", "is not a referral id");
  if (ij_send_invalid(ctx, &errs))
    return;
  /* coordinators and admins read the whole area's feed; an officer only the outcomes of the
   * referrals they made */
  const char *officer =
      (ctx->actor.roles & (IJ_ROLE_COORDINATOR | IJ_ROLE_ADMIN)) ? NULL : ctx->actor.sub;
  ij_conn *conn = ij_ctx_conn(ctx);
  if (!conn)
    return;
  ij_op_ctx op = ij_ctx_op(ctx);
  ij_notice_page page;
  ij_err err =
      ij_ops_notice_list(conn, &op, officer, rid ? referral_id : NULL, after, limit, &page);
  if (err != IJ_OK) {
    ij_send_problem(ctx, err, NULL, NULL);
    return;
  }
  json_t *items = json_array();
  for (int i = 0; i < page.count; i++) {
    const ij_notice *n = &page.items[i];
    json_array_append_new(items, notice_json(n));
    /* a victim update carries the victim's contact: disclosed; an outcome notice is consulted */
    if (strcmp(n->kind, "victim_update") == 0)
      ij_ctx_disclosed(ctx, n->referral_id);
    else
      ij_ctx_accessed(ctx, n->referral_id);
  }
  json_t *next = IJ_NEXT_CURSOR(page, seq_cursor);
  ij_notice_page_clear(&page);
  ij_send_page(ctx, items, next);
}
