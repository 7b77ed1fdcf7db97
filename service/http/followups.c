/* Reoffending follow-up: the checks due, recording one, and importing a police CSV export. */
#include <gnutls/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "ij/log.h"
#include "ij/ops.h"
#include "internal.h"

static json_t *followup_json(const ij_followup *f) {
  json_t *j = json_pack(
      "{s:s, s:s, s:{s:s, s:s, s:o}, s:i, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:i, s:o,"
      " s:o}",
      "id", f->id, "referral_id", f->referral_id, "person", "id", f->person_id, "name",
      f->person_name, "police_id", ij_json_str_or_null(f->police_id), "window_months",
      f->window_months, "exit_state", f->exit_state, "exited_on", ij_json_date(f->exited_on),
      "due_on", ij_json_date(f->due_on), "recorded_at", ij_json_time_or_null(f->recorded_at),
      "reoffended", f->reoffended < 0 ? json_null() : json_boolean(f->reoffended),
      "first_reoffence_on", f->reoffended == 1 ? ij_json_date(f->first_reoffence_on) : json_null(),
      "reoffence_category", ij_json_str_or_null(f->reoffence_category), "source",
      ij_json_str_or_null(f->source), "checked_by",
      f->checked_by_sub ? json_pack("{s:s, s:s}", "sub", f->checked_by_sub, "name",
                                    f->checked_by_name ? f->checked_by_name : f->checked_by_sub)
                        : json_null(),
      "version", f->version, "created_at", ij_json_time(f->created_at), "updated_at",
      ij_json_time(f->updated_at));
  return j;
}

/* Sends a check (a page of one). */
static void send_followup(ij_ctx *ctx, const ij_followup_page *page) {
  ij_set_etag(ctx, page->items[0].version);
  ij_ctx_accessed(ctx, page->items[0].referral_id);
  ij_send_json(ctx, 200, followup_json(&page->items[0]));
}

/* ---- GET /v1/followups ---- */

/* The list's cursor, "<due date>.<id>". */
static json_t *due_cursor(const ij_followup *f) {
  char date[IJ_DATE_BUF], cursor[64];
  ij_date_format(f->due_on, date);
  snprintf(cursor, sizeof cursor, "%s.%s", date, f->id);
  return json_string(cursor);
}

void ij_h_followup_list(ij_ctx *ctx) {
  static const char *const statuses[] = {"pending", "due", "overdue", "recorded", "all"};
  ij_followup_filter f;
  memset(&f, 0, sizeof f);
  f.area = ctx->actor.area;
  f.today = ij_time_date(ctx->now);
  f.status = IJ_FOLLOWUPS_DUE;
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  const char *v = ij_query(ctx, "status");
  if (v) {
    bool known = false;
    for (int i = 0; i < 5; i++)
      if (strcmp(v, statuses[i]) == 0) {
        f.status = (ij_followup_status)i;
        known = true;
      }
    if (!known)
      ij_field_errors_add(&errs, "status", "must be pending, due, overdue, recorded or all");
  }
  char referral[IJ_UUID_BUF];
  if ((v = ij_query(ctx, "referral_id"))) {
    if (ij_uuid_canonical(v, referral)) {
      f.referral_id = referral;
    } else {
      ij_field_errors_add(&errs, "referral_id", "is not a referral id");
    }
  }
  ij_query_limit(ctx, 25, 100, &f.limit, &errs);
  if ((v = ij_query(ctx, "cursor"))) {
    /* "<due date>.<id>" */
    const char *dot = strchr(v, '.');
    char date[IJ_DATE_BUF];
    if (dot && dot - v == 10 && ij_uuid_canonical(dot + 1, f.cursor_id)) {
      memcpy(date, v, 10);
      date[10] = 0;
      f.has_cursor = ij_date_parse(date, &f.cursor_due_on) == IJ_OK;
    }
    if (!f.has_cursor)
      ij_field_errors_add(&errs, "cursor", "is not a cursor this service gave");
  }
  ij_conn *conn = ij_ctx_conn_valid(ctx, &errs);
  if (!conn)
    return;
  ij_followup_page page;
  ij_err err = ij_ops_followup_list(conn, &f, &page);
  if (err != IJ_OK) {
    ij_send_problem(ctx, err, NULL, NULL);
    return;
  }
  json_t *items = json_array();
  for (int i = 0; i < page.count; i++) {
    json_array_append_new(items, followup_json(&page.items[i]));
    ij_ctx_accessed(ctx, page.items[i].referral_id);
  }
  json_t *next = IJ_NEXT_CURSOR(page, due_cursor);
  ij_followup_page_clear(&page);
  ij_send_page(ctx, items, next);
}

/* ---- GET /v1/followups/{id} ---- */

void ij_h_followup_get(ij_ctx *ctx) {
  ij_conn *conn = ij_ctx_conn(ctx);
  if (!conn)
    return;
  ij_op_ctx op = ij_ctx_op(ctx);
  ij_followup_page page;
  ij_err err = ij_ops_followup_get(conn, &op, ctx->id, &page);
  if (err != IJ_OK)
    ij_send_store_error(ctx, err, NULL);
  else
    send_followup(ctx, &page);
  ij_followup_page_clear(&page);
}

/* ---- PATCH /v1/followups/{id} ---- */

void ij_h_followup_record(ij_ctx *ctx) {
  static const char *const fields[] = {"reoffended", "first_reoffence_on", "reoffence_category",
                                       "source", NULL};
  const char *id = ctx->id;
  int expected; /* -2 names no version: stale */
  ij_field_errors errs;
  json_t *body = ij_request_body(ctx, &expected, fields, &errs);
  if (!body)
    return;
  ij_followup_input in;
  in.reoffended = ij_json_bool(body, "", "reoffended", &errs);
  in.first_reoffence_on = ij_json_str(body, "", "first_reoffence_on", &errs);
  in.category = ij_json_str(body, "", "reoffence_category", &errs);
  in.source = ij_json_str(body, "", "source", &errs);
  ij_followup_page after;
  memset(&after, 0, sizeof after);
  ij_conn *conn = ij_ctx_conn_valid(ctx, &errs);
  if (!conn)
    goto done;
  ij_op_ctx op = ij_ctx_op(ctx);
  int current = 0;
  ij_err err = ij_ops_record_followup(conn, &op, &ctx->actor, id, expected, &in, NULL, &after,
                                      &current, &errs);
  if (err == IJ_ERR_STALE) {
    ij_set_etag(ctx, current);
  }
  if (err != IJ_OK) {
    ij_send_store_error(ctx, err, &errs);
    goto done;
  }
  send_followup(ctx, &after);
done:
  ij_followup_page_clear(&after);
  json_decref(body);
}

/* ---- POST /v1/followups/import ---- */

/* The answer to a dry run that found nothing wrong: what the import would do (or, for a file
 * imported before, what its import did), with nothing recorded. */
static void send_dry_run(ij_ctx *ctx, const ij_import_report *report) {
  ij_send_json(ctx, 200,
               json_pack("{s:b, s:o, s:i, s:i, s:i, s:b}", "dry_run", true, "import_id",
                         report->replayed ? json_string(report->import_id) : json_null(), "rows",
                         report->rows, "recorded", report->recorded, "unchanged", report->unchanged,
                         "replayed", report->replayed));
}

void ij_h_followup_import(ij_ctx *ctx) {
  /* dry_run=true: every check of the import, the same report, nothing recorded */
  const char *dry = ij_query(ctx, "dry_run");
  if (dry && strcmp(dry, "true") != 0 && strcmp(dry, "false") != 0) {
    ij_field_errors bad;
    ij_field_errors_init(&bad);
    ij_field_errors_add(&bad, "dry_run", "must be true or false");
    ij_send_invalid(ctx, &bad);
    return;
  }
  bool dry_run = dry && strcmp(dry, "true") == 0;
  const char *ct = ij_header(ctx, "Content-Type");
  if (!ct || strncasecmp(ct, "text/csv", 8) != 0 || (ct[8] && ct[8] != ';' && ct[8] != ' ')) {
    ij_send_problem(ctx, IJ_ERR_MEDIA_TYPE, "send the file as Content-Type: text/csv", NULL);
    return;
  }
  const char *data = ctx->req->binary_body;
  size_t len = ctx->req->binary_body_length;
  unsigned char digest[32];
  char sha[65];
  if (gnutls_hash_fast(GNUTLS_DIG_SHA256, data ? data : "", len, digest) != 0) {
    ij_send_problem(ctx, IJ_ERR_INTERNAL, NULL, NULL);
    return;
  }
  for (int i = 0; i < 32; i++)
    snprintf(sha + 2 * i, 3, "%02x", digest[i]);
  ij_conn *conn = ij_ctx_conn(ctx);
  if (!conn)
    return;
  ij_import_errors *errs = calloc(1, sizeof *errs);
  if (!errs) {
    ij_send_problem(ctx, IJ_ERR_NOMEM, NULL, NULL);
    return;
  }
  ij_op_ctx op = ij_ctx_op(ctx);
  ij_import_report report;
  /* one more referral than the access log can note, so that it counts those it loses */
  ij_err err = dry_run ? ij_ops_import_followups_dry_run(conn, &op, &ctx->actor, data ? data : "",
                                                         len, sha, &report, errs)
                       : ij_ops_import_followups(conn, &op, &ctx->actor, data ? data : "", len, sha,
                                                 IJ_ACCESS_MAX + 1, &report, errs);
  if (err == IJ_ERR_INVALID) {
    /* a problem document whose errors name the row and column of each problem */
    char detail[160];
    snprintf(detail, sizeof detail, "%d problem%s in the file; nothing was recorded%s%s",
             errs->total, errs->total == 1 ? "" : "s", dry_run ? " (a dry run)" : "",
             errs->total > errs->count ? " (the first ones are listed)" : "");
    json_t *list = json_array();
    for (int i = 0; i < errs->count; i++) {
      char field[64];
      snprintf(field, sizeof field, "row %d%s%s", errs->items[i].row,
               errs->items[i].column[0] ? ": " : "", errs->items[i].column);
      json_array_append_new(list, json_pack("{s:s, s:i, s:s, s:s}", "field", field, "row",
                                            errs->items[i].row, "column", errs->items[i].column,
                                            "message", errs->items[i].message));
    }
    ij_send_problem_errors(ctx, IJ_ERR_INVALID, detail, list);
    free(errs);
    ij_import_report_clear(&report);
    return;
  }
  free(errs);
  if (err != IJ_OK) {
    ij_send_problem(ctx, err, NULL, NULL);
    ij_import_report_clear(&report);
    return;
  }
  if (dry_run) {
    send_dry_run(ctx, &report);
    ij_import_report_clear(&report);
    return;
  }
  /* the referrals whose checks this import recorded: altered (a replay changes nothing) */
  for (int i = 0; i < report.referrals.count; i++)
    ij_ctx_accessed(ctx, ij_rows_get(&report.referrals, i, 0));
  if (report.referrals_unread)
    ij_log(IJ_LOG_ERROR, "audit: the referrals of import %s were not read for the access log",
           report.import_id);
  ij_import_report_clear(&report);
  ij_send_json(ctx, report.replayed ? 200 : 201,
               json_pack("{s:s, s:i, s:i, s:i, s:b}", "import_id", report.import_id, "rows",
                         report.rows, "recorded", report.recorded, "unchanged", report.unchanged,
                         "replayed", report.replayed));
}
