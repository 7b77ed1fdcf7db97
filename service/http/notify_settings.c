/* An area's GOV.UK Notify service for its admins: the settings (GET shows whether the API key and
 * the receipts' token are set, never either) and the template ids with the kinds they serve. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ij/ops_notify_settings.h"
#include "internal.h"

static json_t *settings_json(const char *area, const ij_rows *r) {
  char callback[128];
  snprintf(callback, sizeof callback, "/v1/areas/%s/notify/receipts", area);
#define CELL(col) ij_rows_get(r, 0, col)
#define FLAG(col) (strcmp(CELL(col), "t") == 0)
  return json_pack("{s:b, s:o, s:o, s:b, s:b, s:s, s:s, s:b, s:s, s:i}", "configured",
                   FLAG(IJ_NOTIFY_COL_CONFIGURED), "service_id",
                   ij_json_str_or_null(CELL(IJ_NOTIFY_COL_SERVICE_ID)), "key_name",
                   ij_json_str_or_null(CELL(IJ_NOTIFY_COL_KEY_NAME)), "api_key_set",
                   FLAG(IJ_NOTIFY_COL_API_KEY_SET), "callback_token_set",
                   FLAG(IJ_NOTIFY_COL_TOKEN_SET), "base_url", CELL(IJ_NOTIFY_COL_BASE_URL),
                   "reminder_time", CELL(IJ_NOTIFY_COL_REMINDER_TIME), "welsh",
                   FLAG(IJ_NOTIFY_COL_WELSH), "callback_url", callback, "version",
                   atoi(CELL(IJ_NOTIFY_COL_VERSION)));
#undef FLAG
#undef CELL
}

static void send_settings(ij_ctx *ctx, const ij_rows *r) {
  ij_set_etag(ctx, atoi(ij_rows_get(r, 0, IJ_NOTIFY_COL_VERSION)));
  ij_send_json(ctx, 200, settings_json(ctx->id, r));
}

/* ---- GET /v1/areas/{area}/notify ---- */

void ij_h_notify_settings_get(ij_ctx *ctx) {
  ij_conn *conn = ij_ctx_conn(ctx);
  if (!conn)
    return;
  ij_op_ctx op = ij_ctx_op(ctx);
  ij_rows r;
  ij_err err = ij_ops_notify_settings_get(conn, &op, ctx->id, &r);
  if (err == IJ_OK && r.count != 1)
    err = IJ_ERR_NOT_FOUND;
  if (err != IJ_OK)
    ij_send_store_error(ctx, err, NULL);
  else
    send_settings(ctx, &r);
  ij_rows_clear(&r);
}

/* ---- PUT /v1/areas/{area}/notify ---- */

static const char *const SETTINGS_FIELDS[] = {"api_key",       "callback_token", "base_url",
                                              "reminder_time", "welsh",          NULL};

void ij_h_notify_settings_put(ij_ctx *ctx) {
  ij_field_errors errs;
  json_t *body = ij_request_body(ctx, NULL, SETTINGS_FIELDS, &errs);
  if (!body)
    return;
  /* If-Match is optional: without it the change applies to whatever version is there */
  int expected = 0;
  if (ij_header(ctx, "If-Match"))
    ij_if_match(ctx, &expected);
  ij_notify_settings_input in;
  memset(&in, 0, sizeof in);
  in.has_api_key = json_object_get(body, "api_key") != NULL;
  in.api_key = ij_json_str(body, "", "api_key", &errs);
  in.has_callback_token = json_object_get(body, "callback_token") != NULL;
  in.callback_token = ij_json_str(body, "", "callback_token", &errs);
  in.base_url = ij_json_str(body, "", "base_url", &errs);
  in.reminder_time = ij_json_str(body, "", "reminder_time", &errs);
  in.welsh = ij_json_bool(body, "", "welsh", &errs);
  ij_conn *conn = ij_ctx_conn(ctx);
  if (conn) {
    ij_op_ctx op = ij_ctx_op(ctx);
    ij_rows r;
    int current = 0;
    /* decoding's errors go to the operation, which adds the rules' and refuses them all at once */
    ij_err err = ij_ops_notify_settings_put(conn, &op, &ctx->actor, ctx->id, &in, expected,
                                            &current, &r, &errs);
    if (err == IJ_ERR_STALE && current > 0)
      ij_set_etag(ctx, current);
    if (err != IJ_OK)
      ij_send_store_error(ctx, err, &errs);
    else
      send_settings(ctx, &r);
    ij_rows_clear(&r);
  }
  json_decref(body);
}

/* ---- GET/PUT /v1/areas/{area}/message-templates ---- */

/* The kinds of message, whom each is for and the personalisation fields its templates may use. */
static json_t *kinds_json(void) {
  size_t n;
  const ij_message_kind_info *kinds = ij_domain_message_kinds(&n);
  json_t *list = json_array();
  for (size_t i = 0; i < n; i++) {
    json_t *fields = json_array();
    for (const char *const *f = kinds[i].fields; f && *f; f++)
      json_array_append_new(fields, json_string(*f));
    json_array_append_new(list,
                          json_pack("{s:s, s:s, s:o}", "kind", kinds[i].name, "audience",
                                    kinds[i].audience == IJ_MESSAGE_TO_VICTIM ? "victim" : "person",
                                    "fields", fields));
  }
  return list;
}

static void send_templates(ij_ctx *ctx, const ij_rows *r) {
  json_t *list = json_array();
  for (int i = 0; i < r->count; i++)
    json_array_append_new(list,
                          json_pack("{s:s, s:s, s:s, s:s}", "kind", ij_rows_get(r, i, 0),
                                    "language", ij_rows_get(r, i, 1), "channel",
                                    ij_rows_get(r, i, 2), "template_id", ij_rows_get(r, i, 3)));
  ij_send_json(ctx, 200, json_pack("{s:o, s:o}", "templates", list, "kinds", kinds_json()));
}

void ij_h_notify_templates_get(ij_ctx *ctx) {
  ij_conn *conn = ij_ctx_conn(ctx);
  if (!conn)
    return;
  ij_op_ctx op = ij_ctx_op(ctx);
  ij_rows r;
  ij_err err = ij_ops_notify_templates_get(conn, &op, ctx->id, &r);
  if (err != IJ_OK)
    ij_send_store_error(ctx, err, NULL);
  else
    send_templates(ctx, &r);
  ij_rows_clear(&r);
}

static const char *const TEMPLATES_FIELDS[] = {"templates", NULL};
static const char *const TEMPLATE_FIELDS[] = {"kind", "language", "channel", "template_id", NULL};

void ij_h_notify_templates_put(ij_ctx *ctx) {
  ij_field_errors errs;
  json_t *body = ij_request_body(ctx, NULL, TEMPLATES_FIELDS, &errs);
  if (!body)
    return;
  json_t *list = json_object_get(body, "templates");
  ij_notify_template_input rows[IJ_NOTIFY_TEMPLATES_MAX + 1];
  int n = 0;
  if (!json_is_array(list)) {
    ij_field_errors_add(&errs, "templates", "is required: a list of templates (may be empty)");
  } else if (json_array_size(list) > IJ_NOTIFY_TEMPLATES_MAX) {
    /* the domain names it; the rows themselves are not read */
    n = IJ_NOTIFY_TEMPLATES_MAX + 1;
    memset(rows, 0, sizeof rows);
  } else {
    n = (int)json_array_size(list);
    for (int i = 0; i < n; i++) {
      json_t *t = json_array_get(list, (size_t)i);
      char prefix[32];
      snprintf(prefix, sizeof prefix, "templates[%d].", i);
      memset(&rows[i], 0, sizeof rows[i]);
      if (!json_is_object(t)) {
        snprintf(prefix, sizeof prefix, "templates[%d]", i);
        ij_field_errors_add(&errs, prefix,
                            "must be an object with kind, language, channel and template_id");
        continue;
      }
      ij_json_unknown(t, prefix, TEMPLATE_FIELDS, &errs);
      rows[i].kind = ij_json_str(t, prefix, "kind", &errs);
      rows[i].language = ij_json_str(t, prefix, "language", &errs);
      rows[i].channel = ij_json_str(t, prefix, "channel", &errs);
      rows[i].template_id = ij_json_str(t, prefix, "template_id", &errs);
    }
  }
  ij_conn *conn = ij_ctx_conn(ctx);
  if (conn) {
    ij_op_ctx op = ij_ctx_op(ctx);
    ij_rows r;
    ij_err err =
        errs.count > 0 && !json_is_array(list)
            ? IJ_ERR_INVALID
            : ij_ops_notify_templates_put(conn, &op, &ctx->actor, ctx->id, rows, n, &r, &errs);
    if (err != IJ_OK) {
      ij_send_store_error(ctx, err, &errs);
    } else {
      send_templates(ctx, &r);
      ij_rows_clear(&r);
    }
  }
  json_decref(body);
}
