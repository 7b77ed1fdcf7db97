/* An area's webhook for its admins: GET shows where notices go and whether deliveries are signed,
 * never the secret; PUT changes them. */
#include <string.h>

#include "ij/ops_webhooks.h"
#include "internal.h"

static json_t *webhook_json(const ij_webhook *w) {
  return json_pack("{s:s, s:o, s:b, s:o, s:o, s:o}", "area", w->area, "url",
                   ij_json_str_or_null(w->url), "secret_set", w->secret_set, "secret_updated_at",
                   ij_json_time_or_null(w->secret_updated_at), "updated_at",
                   ij_json_time_or_null(w->updated_at), "updated_by",
                   ij_json_str_or_null(w->updated_by));
}

/* ---- GET /v1/areas/{area}/webhook ---- */

void ij_h_webhook_get(ij_ctx *ctx) {
  ij_conn *conn = ij_ctx_conn(ctx);
  if (!conn)
    return;
  ij_op_ctx op = ij_ctx_op(ctx);
  ij_webhook w;
  ij_err err = ij_ops_webhook_get(conn, &op, ctx->id, &w);
  if (err != IJ_OK)
    ij_send_store_error(ctx, err, NULL);
  else
    ij_send_json(ctx, 200, webhook_json(&w));
  ij_webhook_clear(&w);
}

/* ---- PUT /v1/areas/{area}/webhook ---- */

static const char *const WEBHOOK_FIELDS[] = {"url", "secret", NULL};

void ij_h_webhook_put(ij_ctx *ctx) {
  ij_field_errors errs;
  json_t *body = ij_request_body(ctx, NULL, WEBHOOK_FIELDS, &errs);
  if (!body)
    return;
  ij_webhook_input in = {json_object_get(body, "url") != NULL, NULL,
                         json_object_get(body, "secret") != NULL, NULL};
  in.url = ij_json_str(body, "", "url", &errs);
  in.secret = ij_json_str(body, "", "secret", &errs);
  ij_webhook w;
  memset(&w, 0, sizeof w);
  /* decoding's errors go to the operation, which adds the rules' and refuses them all at once */
  ij_conn *conn = ij_ctx_conn(ctx);
  if (!conn)
    goto done;
  ij_op_ctx op = ij_ctx_op(ctx);
  ij_err err = ij_ops_webhook_put(conn, &op, &ctx->actor, ctx->id, &in, &w, &errs);
  if (err != IJ_OK)
    ij_send_store_error(ctx, err, &errs);
  else
    ij_send_json(ctx, 200, webhook_json(&w));
done:
  ij_webhook_clear(&w);
  json_decref(body);
}
