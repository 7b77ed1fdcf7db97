/* Notify's delivery receipts: POST /v1/areas/{area}/notify/receipts. Notify is no user of ours: it
 * carries the bearer token an area's admin gave it, which the operation checks against the area's
 * stored hash before anything else is read or changed. The token is never logged or kept. */
#include <string.h>
#include <strings.h>

#include "ij/ops_message_delivery.h"
#include "internal.h"

/* The token of an "Authorization: Bearer <token>" header (borrowed from the request), or NULL. */
static const char *bearer_of(ij_ctx *ctx) {
  const char *h = ij_header(ctx, "Authorization");
  if (!h || strncasecmp(h, "Bearer ", 7) != 0)
    return NULL;
  h += 7;
  while (*h == ' ')
    h++;
  return *h ? h : NULL;
}

/* The body, read without answering: a body that cannot be read is reported (by the operation)
 * only once the caller is known to be Notify. */
static json_t *read_body(ij_ctx *ctx, ij_notify_receipt_input *in) {
  const char *ct = ij_header(ctx, "Content-Type");
  if (!ct || strncasecmp(ct, "application/json", 16) != 0 ||
      (ct[16] != 0 && ct[16] != ';' && ct[16] != ' ')) {
    in->body_error = IJ_ERR_MEDIA_TYPE;
    return NULL;
  }
  json_t *body = ctx->req->binary_body_length
                     ? json_loadb(ctx->req->binary_body, ctx->req->binary_body_length,
                                  JSON_REJECT_DUPLICATES, NULL)
                     : NULL;
  if (!json_is_object(body)) {
    json_decref(body);
    in->body_error = IJ_ERR_MALFORMED;
    return NULL;
  }
  return body;
}

/* A member that is a string: *type_ok false when present and neither a string nor null. */
static const char *member(json_t *body, const char *key, bool *type_ok) {
  json_t *v = json_object_get(body, key);
  *type_ok = !v || json_is_null(v) || json_is_string(v);
  return json_string_value(v);
}

void ij_h_notify_receipt(ij_ctx *ctx) {
  ij_notify_receipt_input in;
  memset(&in, 0, sizeof in);
  json_t *body = read_body(ctx, &in);
  /* Notify's callback carries more (to, created_at, sent_at, notification_type, template_id,
   * template_version): those are not ours to check */
  in.id = member(body, "id", &in.id_type_ok);
  in.reference = member(body, "reference", &in.reference_type_ok);
  in.status = member(body, "status", &in.status_type_ok);
  in.completed_at = member(body, "completed_at", &in.completed_at_type_ok);
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  ij_conn *conn = ij_ctx_conn(ctx);
  if (!conn)
    goto done;
  bool unknown_message = false;
  ij_err err =
      ij_ops_notify_receipt(conn, ctx->id, bearer_of(ctx), &in, ctx->now, &unknown_message, &errs);
  if (err == IJ_OK) {
    ulfius_set_empty_body_response(ctx->res, 204);
    ctx->status = 204;
  } else if (err == IJ_ERR_UNAUTHENTICATED) {
    ij_set_header(ctx, "WWW-Authenticate", "Bearer realm=\"notify-receipts\"");
    ij_send_problem(ctx, err, "send the area's Notify callback token as the bearer token", NULL);
  } else if (err == IJ_ERR_NOT_FOUND && unknown_message) {
    ij_send_problem(ctx, err, "no message of this area has this reference or notification id",
                    NULL);
  } else if (err == IJ_ERR_MEDIA_TYPE) {
    ij_send_problem(ctx, err, "send the body as Content-Type: application/json", NULL);
  } else if (err == IJ_ERR_MALFORMED) {
    ij_send_problem(ctx, err, "the body must be a JSON object", NULL);
  } else {
    ij_send_store_error(ctx, err, &errs);
  }
done:
  json_decref(body);
}
