/* The right of access: GET /v1/people/{id}/subject-access, for the area's admins. Everything the
 * service holds about one person, as one JSON document or, with Accept: text/csv or the ".csv"
 * path, as one CSV file a spreadsheet opens: one row per field of each record, with its section
 * and the record's number in it. The request is logged as subject_access for each of the person's
 * referrals. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ij/ops.h"
#include "accept.h"
#include "internal.h"
#include "text_buf.h"

/* The document's sections, in the order the CSV lists them (the JSON has the same members). */
static const char *const k_sections[] = {
    "person",          "referrals", "referral_events", "bookings",         "booking_outcomes",
    "followup_checks", "notices",   "messages",        "non_associations", "access_log"};

/* ---- CSV (RFC 4180) ---- */

static void put_n(text_buf *b, const char *s, size_t n) {
  ij_text_put_n(b, s, n);
}

static void put(text_buf *b, const char *s) {
  put_n(b, s, strlen(s));
}

/* One field, quoted when it holds a comma, a quote or a line break. Text that a spreadsheet would
 * take for a formula (starting with =, +, -, @, a tab or a carriage return) is shown as text:
 * `text` fields only, so that a negative number stays a number. */
static void put_field(text_buf *b, const char *s, bool text, bool last) {
  bool formula = text && s[0] && strchr("=+-@\t\r", s[0]);
  if (formula || strpbrk(s, ",\"\r\n")) {
    put(b, "\"");
    if (formula)
      put(b, "'");
    for (const char *p = s; *p; p++) {
      size_t n = strcspn(p, "\"");
      put_n(b, p, n);
      p += n;
      if (!*p)
        break;
      put(b, "\"\"");
    }
    put(b, "\"");
  } else {
    put(b, s);
  }
  put(b, last ? "\r\n" : ",");
}

/* The rows of one value: a scalar is one row; an object's members and an array's items are
 * rows of their own, named by their path ("data.fields.1"). */
static void put_value(text_buf *b, const char *section, const char *record, const char *field,
                      json_t *v) {
  if (json_is_object(v) || json_is_array(v)) {
    char path[256];
    if (json_is_object(v)) {
      const char *key;
      json_t *member;
      json_object_foreach(v, key, member) {
        snprintf(path, sizeof path, "%s%s%s", field, field[0] ? "." : "", key);
        put_value(b, section, record, path, member);
      }
    } else {
      size_t i;
      json_t *item;
      json_array_foreach(v, i, item) {
        snprintf(path, sizeof path, "%s%s%zu", field, field[0] ? "." : "", i + 1);
        put_value(b, section, record, path, item);
      }
    }
    return;
  }
  char *text = NULL;
  const char *value = "";
  if (json_is_string(v))
    value = json_string_value(v);
  else if (!json_is_null(v))
    value = text = json_dumps(v, JSON_ENCODE_ANY);
  put_field(b, section, false, false);
  put_field(b, record, false, false);
  put_field(b, field, false, false);
  put_field(b, value ? value : "", json_is_string(v), true);
  free(text);
}

/* The whole document as CSV: the request's own row first, then every section's records. */
static void put_document(text_buf *b, json_t *doc) {
  put(b, "\xEF\xBB\xBF"); /* a byte-order mark: spreadsheets then read the file as UTF-8 */
  put(b, "section,record,field,value\r\n");
  const char *key;
  json_t *v;
  json_object_foreach(doc, key, v) {
    if (!json_is_object(v) && !json_is_array(v))
      put_value(b, "subject_access", "1", key, v);
  }
  for (size_t s = 0; s < sizeof k_sections / sizeof k_sections[0]; s++) {
    json_t *section = json_object_get(doc, k_sections[s]);
    if (json_is_object(section)) {
      put_value(b, k_sections[s], "1", "", section);
      continue;
    }
    size_t i;
    json_t *record;
    json_array_foreach(section, i, record) {
      char n[24];
      snprintf(n, sizeof n, "%zu", i + 1);
      put_value(b, k_sections[s], n, "", record);
    }
  }
}

static void send_csv(ij_ctx *ctx, json_t *doc) {
  text_buf b = {0};
  put_document(&b, doc);
  if (b.failed || !b.data) {
    free(b.data);
    ij_send_problem(ctx, IJ_ERR_NOMEM, NULL, NULL);
    return;
  }
  char day[IJ_DATE_BUF], disposition[128];
  ij_date_format(ij_time_date(ctx->now), day);
  snprintf(disposition, sizeof disposition, "attachment; filename=\"subject-access-%s-%s.csv\"",
           ctx->id, day);
  ulfius_set_binary_body_response(ctx->res, 200, b.data, b.len);
  ij_set_header(ctx, "Content-Type", "text/csv; charset=utf-8; header=present");
  ij_set_header(ctx, "Content-Disposition", disposition);
  ctx->status = 200;
  free(b.data);
}

/* ---- GET /v1/people/{id}/subject-access ---- */

void ij_h_subject_access(ij_ctx *ctx) {
  const char *const *media = ctx->route->media;
  int chosen = ij_accept_choose(ij_header(ctx, "Accept"), media);
  bool csv = chosen >= 0 && strcmp(media[chosen], "text/csv") == 0;
  /* the rows still queued are written first, so that the access log in the answer is complete up
   * to this request */
  ij_err flushed = ij_http_flush_audit(ctx->server);
  if (flushed != IJ_OK) {
    ij_send_problem(ctx, flushed, "the access log could not be brought up to date", NULL);
    return;
  }
  ij_conn *conn = ij_ctx_conn(ctx);
  if (!conn)
    return;
  ij_op_ctx op = ij_ctx_op(ctx);
  char *text = NULL;
  ij_err err = ij_ops_subject_access(conn, &op, ctx->id, &text);
  if (err != IJ_OK) {
    ij_send_store_error(ctx, err, NULL);
    return;
  }
  json_t *sections = json_loads(text, 0, NULL);
  free(text);
  char produced_at[IJ_TIME_BUF];
  ij_time_format(ctx->now, produced_at);
  json_t *doc = json_pack("{s:s, s:s, s:s, s:{s:s, s:s}}", "person_id", ctx->id, "area",
                          ctx->actor.area, "produced_at", produced_at, "produced_by", "sub",
                          ctx->actor.sub, "name", ctx->actor.name);
  if (!doc || !json_is_object(sections) || json_object_update(doc, sections) != 0) {
    json_decref(doc);
    json_decref(sections);
    ij_send_problem(ctx, IJ_ERR_NOMEM, NULL, NULL);
    return;
  }
  json_decref(sections);
  size_t i;
  json_t *referral;
  json_array_foreach(json_object_get(doc, "referrals"), i, referral)
      ij_ctx_subject_access(ctx, json_string_value(json_object_get(referral, "id")));
  if (csv) {
    send_csv(ctx, doc);
    json_decref(doc);
  } else {
    ij_send_json(ctx, 200, doc);
  }
}
