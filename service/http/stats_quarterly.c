/* GET /v1/stats/quarterly: the quarterly return for the Police and Crime Commissioner, per
 * quarter of a period (the last four full quarters by default): referrals and their under-18 /
 * adult split, the share started within the target, hours delivered, completion, non-compliance
 * and reoffending at 3, 6 and 12 months (windows that have elapsed for the quarter's exits only),
 * every rate with its 95% interval, suppressed as the summary is. As JSON, as CSV (a ".csv" path
 * or Accept: text/csv) or as an Excel workbook (a ".xlsx" path or its Accept type), written by
 * libxlsxwriter. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "ij/ops_stats_quarterly.h"
#include "ij/str.h"
#include "accept.h"
#include "internal.h"
#include "stats_internal.h"

#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

static const char k_note[] =
    "Each quarter's figures are those of the referrals made in it (the summary's definitions: "
    "started within the target, completion and non-compliance of those that ended, hours "
    "credited); the under-18 / adult split is by age on the offence date. Reoffending is of the "
    "people whose referral completed or was returned for non-compliance in the quarter, checked 3, "
    "6 and 12 months after that exit: a local measure, not the Ministry of Justice proven "
    "reoffending rate. A window is shown only once it has elapsed for every exit of the quarter.";

/* ---- a quarter after suppression ---- */

typedef struct {
  bool elapsed;
  ij_date elapses_on;
  ij_stat_cell cohort, reoffended;
  ij_stat_rate rate;
} window_cells;

typedef struct {
  char name[8], start[IJ_DATE_BUF], end[IJ_DATE_BUF];
  ij_stat_cell referrals, under_18, adults, started, within_target, completed, non_compliant,
      exited, hours;
  ij_stat_rate within_target_rate, completion, non_compliance;
  window_cells windows[IJ_FOLLOWUP_WINDOW_COUNT];
} quarter_cells;

/* Suppressed as the summary is: counts of people primarily, pairs that add up to a shown total
 * (under 18 + adults = referrals, completed + non-compliant = ended) and the quarters' referrals
 * (which add up to the period's) secondarily, with the split of a suppressed quarter, then rates
 * from the raw counts where neither part is suppressed. */
static void quarter_cells_of(const ij_suppress_rules *rules, const ij_stats_quarter *q,
                             ij_date today, quarter_cells *c) {
  memset(c, 0, sizeof *c);
  ij_quarter_format(q->start, c->name);
  ij_date_format(q->start, c->start);
  ij_date_format(q->end, c->end);
  c->referrals = ij_stats_counted(rules, q->referrals);
  c->under_18 = ij_stats_counted(rules, q->under_18);
  c->adults = ij_stats_counted(rules, q->adults);
  c->started = ij_stats_counted(rules, q->started);
  c->within_target = ij_stats_counted(rules, q->started_within_target);
  c->completed = ij_stats_counted(rules, q->completed);
  c->non_compliant = ij_stats_counted(rules, q->non_compliant);
  c->exited = ij_stats_counted(rules, q->completed + q->non_compliant);
  c->hours = ij_stats_hours_cell(rules, q->minutes_credited, q->credited_referrals);
  ij_stat_cell pair[2] = {c->under_18, c->adults};
  ij_suppress_group(pair, 2);
  c->under_18 = pair[0];
  c->adults = pair[1];
  pair[0] = c->completed;
  pair[1] = c->non_compliant;
  ij_suppress_group(pair, 2);
  c->completed = pair[0];
  c->non_compliant = pair[1];
  for (int w = 0; w < IJ_FOLLOWUP_WINDOW_COUNT; w++) {
    const ij_stats_window *k = &q->reoffending[w];
    window_cells *wc = &c->windows[w];
    wc->elapsed = ij_stats_quarter_window_elapsed(q->start, k->months, today, &wc->elapses_on);
    wc->cohort = ij_stats_counted(rules, k->completers.cohort + k->non_completers.cohort);
    wc->reoffended =
        ij_stats_counted(rules, k->completers.reoffended + k->non_completers.reoffended);
  }
}

/* The rates, once every secondary suppression is done. */
static void quarter_rates(const ij_suppress_rules *rules, quarter_cells *c) {
  c->within_target_rate = ij_suppress_rate(rules, &c->within_target, &c->started);
  c->completion = ij_suppress_rate(rules, &c->completed, &c->exited);
  c->non_compliance = ij_suppress_rate(rules, &c->non_compliant, &c->exited);
  for (int w = 0; w < IJ_FOLLOWUP_WINDOW_COUNT; w++)
    c->windows[w].rate = ij_suppress_rate(rules, &c->windows[w].reoffended, &c->windows[w].cohort);
}

static quarter_cells *quarters_cells_of(const stats_request *sr, const ij_stats_quarter *q, int n) {
  quarter_cells *c = calloc((size_t)n + 1, sizeof *c);
  ij_stat_cell *referrals = calloc((size_t)n + 1, sizeof *referrals);
  if (!c || !referrals) {
    free(c);
    free(referrals);
    return NULL;
  }
  for (int i = 0; i < n; i++) {
    quarter_cells_of(&sr->rules, &q[i], sr->f.today, &c[i]);
    referrals[i] = c[i].referrals;
  }
  ij_suppress_group(referrals, (size_t)n);
  for (int i = 0; i < n; i++) {
    c[i].referrals = referrals[i];
    /* the split would add up to a suppressed quarter */
    if (c[i].referrals.suppressed)
      c[i].under_18.suppressed = c[i].adults.suppressed = true;
    quarter_rates(&sr->rules, &c[i]);
  }
  free(referrals);
  return c;
}

static void window_note(const window_cells *w, int months, char *out, size_t size) {
  char on[IJ_DATE_BUF];
  ij_date_format(w->elapses_on, on);
  snprintf(out, size,
           "The %d-month window has not elapsed for every exit of this quarter: it does on %s.",
           months, on);
}

/* ---- JSON ---- */

static json_t *window_json(const window_cells *w, int months) {
  char on[IJ_DATE_BUF], note[160];
  ij_date_format(w->elapses_on, on);
  if (!w->elapsed) {
    window_note(w, months, note, sizeof note);
    return json_pack("{s:i, s:b, s:s, s:n, s:n, s:n, s:s}", "months", months, "elapsed", false,
                     "elapses_on", on, "cohort", "reoffended", "rate", "note", note);
  }
  return json_pack("{s:i, s:b, s:s, s:o, s:o, s:o, s:n}", "months", months, "elapsed", true,
                   "elapses_on", on, "cohort", ij_stats_cell_json(&w->cohort, true), "reoffended",
                   ij_stats_cell_json(&w->reoffended, true), "rate", ij_stats_rate_json(&w->rate),
                   "note");
}

static json_t *quarter_json(const quarter_cells *c) {
  json_t *windows = json_array();
  for (int w = 0; w < IJ_FOLLOWUP_WINDOW_COUNT; w++)
    json_array_append_new(windows, window_json(&c->windows[w], ij_followup_windows[w]));
  json_t *q = json_object();
  json_object_set_new(q, "quarter", json_string(c->name));
  json_object_set_new(q, "start", json_string(c->start));
  json_object_set_new(q, "end", json_string(c->end));
  json_object_set_new(q, "referrals", ij_stats_cell_json(&c->referrals, true));
  json_object_set_new(q, "under_18", ij_stats_cell_json(&c->under_18, true));
  json_object_set_new(q, "adults", ij_stats_cell_json(&c->adults, true));
  json_object_set_new(q, "started_within_target_rate", ij_stats_rate_json(&c->within_target_rate));
  json_object_set_new(q, "hours_delivered", ij_stats_cell_json(&c->hours, false));
  json_object_set_new(q, "completion_rate", ij_stats_rate_json(&c->completion));
  json_object_set_new(q, "non_compliance_rate", ij_stats_rate_json(&c->non_compliance));
  json_object_set_new(q, "reoffending", windows);
  return q;
}

static void send_json(ij_ctx *ctx, const stats_request *sr, const quarter_cells *c, int n) {
  json_t *quarters = json_array();
  for (int i = 0; i < n; i++)
    json_array_append_new(quarters, quarter_json(&c[i]));
  json_t *body = ij_stats_envelope(sr);
  json_object_del(json_object_get(body, "filters"), "age_band"); /* the split is by age */
  json_object_set_new(body, "note", json_string(k_note));
  json_object_set_new(body, "quarters", quarters);
  json_object_set_new(body, "freshness", ij_read_freshness_json(ctx));
  ij_send_json(ctx, 200, body);
}

/* ---- CSV: the windows that have elapsed only ---- */

static void send_csv(ij_ctx *ctx, const stats_request *sr, const quarter_cells *c, int n) {
  text_buf b = {NULL, 0, 0, false};
  ij_stats_put(&b, "area,from,to,quarter,window_months,measure,value,ci_low,ci_high,numerator,"
                   "denominator,suppressed\r\n");
  csv_row row = {sr->label, sr->from, sr->to, "", ""};
  for (int i = 0; i < n; i++) {
    const quarter_cells *q = &c[i];
    row.a = q->name;
    row.b = "";
    ij_stats_put_cell(&b, &row, "referrals", &q->referrals, true);
    ij_stats_put_cell(&b, &row, "under_18", &q->under_18, true);
    ij_stats_put_cell(&b, &row, "adults", &q->adults, true);
    ij_stats_put_rate(&b, &row, "started_within_target_rate", &q->within_target_rate);
    ij_stats_put_cell(&b, &row, "hours_delivered", &q->hours, false);
    ij_stats_put_rate(&b, &row, "completion_rate", &q->completion);
    ij_stats_put_rate(&b, &row, "non_compliance_rate", &q->non_compliance);
    for (int w = 0; w < IJ_FOLLOWUP_WINDOW_COUNT; w++) {
      const window_cells *wc = &q->windows[w];
      if (!wc->elapsed)
        continue;
      char months[8];
      snprintf(months, sizeof months, "%d", ij_followup_windows[w]);
      row.b = months;
      ij_stats_put_cell(&b, &row, "reoffending_cohort", &wc->cohort, true);
      ij_stats_put_cell(&b, &row, "reoffended", &wc->reoffended, true);
      ij_stats_put_rate(&b, &row, "reoffending_rate", &wc->rate);
    }
  }
  ij_stats_send_csv(ctx, &b, "quarterly", sr);
}

/* ---- the Excel workbook ---- */

#define SUPPRESSED_TEXT "[c]"
#define NOT_ELAPSED_TEXT "not yet"

typedef struct {
  lxw_worksheet *ws;
  lxw_format *bold, *header, *rate;
} sheet;

static void put_count(sheet *s, int row, int col, const ij_stat_cell *c) {
  if (c->suppressed)
    worksheet_write_string(s->ws, (lxw_row_t)row, (lxw_col_t)col, SUPPRESSED_TEXT, NULL);
  else
    worksheet_write_number(s->ws, (lxw_row_t)row, (lxw_col_t)col, c->value, NULL);
}

/* The rate and its interval in three columns; "[c]" in each where withheld. */
static void put_rate3(sheet *s, int row, int col, const ij_stat_rate *r) {
  ij_interval ci;
  if (!ij_stats_rate_interval(r, &ci)) {
    for (int i = 0; i < 3; i++)
      worksheet_write_string(s->ws, (lxw_row_t)row, (lxw_col_t)(col + i), SUPPRESSED_TEXT, NULL);
    return;
  }
  const double v[3] = {r->value, ci.low, ci.high};
  for (int i = 0; i < 3; i++)
    worksheet_write_number(s->ws, (lxw_row_t)row, (lxw_col_t)(col + i),
                           ij_stats_four_decimals(v[i]), s->rate);
}

static const char *const k_columns[] = {"Quarter",
                                        "First day",
                                        "Last day",
                                        "Referrals",
                                        "Under 18",
                                        "Adults",
                                        "Started within target",
                                        "95% CI low",
                                        "95% CI high",
                                        "Hours delivered",
                                        "Completion",
                                        "95% CI low",
                                        "95% CI high",
                                        "Non-compliance",
                                        "95% CI low",
                                        "95% CI high",
                                        "Reoffended within 3 months",
                                        "95% CI low",
                                        "95% CI high",
                                        "Reoffended within 6 months",
                                        "95% CI low",
                                        "95% CI high",
                                        "Reoffended within 12 months",
                                        "95% CI low",
                                        "95% CI high"};
#define NCOLUMNS ((int)(sizeof k_columns / sizeof k_columns[0]))

static void write_sheet(lxw_workbook *wb, const stats_request *sr, const quarter_cells *c, int n) {
  sheet s;
  s.ws = workbook_add_worksheet(wb, "Quarterly return");
  s.bold = workbook_add_format(wb);
  format_set_bold(s.bold);
  s.header = workbook_add_format(wb);
  format_set_bold(s.header);
  format_set_text_wrap(s.header);
  s.rate = workbook_add_format(wb);
  format_set_num_format(s.rate, "0.0%");
  worksheet_set_column(s.ws, 0, 0, 10, NULL);
  worksheet_set_column(s.ws, 1, 2, 11, NULL);
  worksheet_set_column(s.ws, 3, (lxw_col_t)(NCOLUMNS - 1), 12, NULL);

  int row = 0;
  worksheet_write_string(s.ws, (lxw_row_t)row++, 0, "Immediate Justice: quarterly return", s.bold);
  worksheet_write_string(s.ws, (lxw_row_t)row, 0, "Area", s.bold);
  worksheet_write_string(s.ws, (lxw_row_t)row++, 1, sr->label, NULL);
  char text[256];
  snprintf(text, sizeof text, "quarters starting %s to %s", sr->from, sr->to);
  worksheet_write_string(s.ws, (lxw_row_t)row, 0, "Period", s.bold);
  worksheet_write_string(s.ws, (lxw_row_t)row++, 1, text, NULL);
  snprintf(text, sizeof text, "ward %s; placement type %s; offence category %s",
           sr->f.ward ? sr->f.ward : "any", sr->f.placement_type ? sr->f.placement_type : "any",
           sr->f.offence_category ? sr->f.offence_category : "any");
  worksheet_write_string(s.ws, (lxw_row_t)row, 0, "Filters", s.bold);
  worksheet_write_string(s.ws, (lxw_row_t)row++, 1, text, NULL);
  row++;

  int header = row++;
  for (int col = 0; col < NCOLUMNS; col++)
    worksheet_write_string(s.ws, (lxw_row_t)header, (lxw_col_t)col, k_columns[col], s.header);
  for (int i = 0; i < n; i++, row++) {
    const quarter_cells *q = &c[i];
    worksheet_write_string(s.ws, (lxw_row_t)row, 0, q->name, NULL);
    worksheet_write_string(s.ws, (lxw_row_t)row, 1, q->start, NULL);
    worksheet_write_string(s.ws, (lxw_row_t)row, 2, q->end, NULL);
    put_count(&s, row, 3, &q->referrals);
    put_count(&s, row, 4, &q->under_18);
    put_count(&s, row, 5, &q->adults);
    put_rate3(&s, row, 6, &q->within_target_rate);
    put_count(&s, row, 9, &q->hours);
    put_rate3(&s, row, 10, &q->completion);
    put_rate3(&s, row, 13, &q->non_compliance);
    for (int w = 0; w < IJ_FOLLOWUP_WINDOW_COUNT; w++) {
      int col = 16 + 3 * w;
      if (q->windows[w].elapsed) {
        put_rate3(&s, row, col, &q->windows[w].rate);
        continue;
      }
      for (int k = 0; k < 3; k++)
        worksheet_write_string(s.ws, (lxw_row_t)row, (lxw_col_t)(col + k), NOT_ELAPSED_TEXT, NULL);
    }
  }
  row++;
  snprintf(text, sizeof text,
           SUPPRESSED_TEXT ": suppressed. Counts of 1 to %d are not shown, rates are not shown on "
                           "fewer than %d people, and where a total would reveal a suppressed "
                           "figure another is suppressed too.",
           sr->rules.min_count - 1, sr->rules.min_denominator);
  worksheet_write_string(s.ws, (lxw_row_t)row++, 0, text, NULL);
  worksheet_write_string(s.ws, (lxw_row_t)row++, 0,
                         NOT_ELAPSED_TEXT ": the reoffending window has not elapsed for every "
                                          "exit of the quarter.",
                         NULL);
  worksheet_write_string(s.ws, (lxw_row_t)row++, 0,
                         "Rates with their 95% confidence intervals (Wilson score interval).",
                         NULL);
  worksheet_write_string(s.ws, (lxw_row_t)row++, 0, k_note, NULL);
  worksheet_freeze_panes(s.ws, (lxw_row_t)(header + 1), 1);
}

/* The workbook's bytes (owned: free()) in *out, through a temporary file (libxlsxwriter writes
 * files); false when it could not be made. */
static bool workbook_bytes(const stats_request *sr, const quarter_cells *c, int n, char **out,
                           size_t *len) {
  *out = NULL;
  *len = 0;
  /* the temporary directory: TMPDIR, else the C library's default (P_tmpdir) */
  const char *dir = getenv("TMPDIR");
  if (!dir || !*dir)
    dir = P_tmpdir;
  char path[512];
  snprintf(path, sizeof path, "%s/ij-quarterly-XXXXXX", dir);
  int fd = mkstemp(path);
  if (fd < 0)
    return false;
  close(fd);
  /* constant_memory: rows go to the file as written, strings inline (no shared table) */
  char tmpdir[512];
  ij_str_copy(tmpdir, sizeof tmpdir, dir);
  lxw_workbook_options options = {.constant_memory = LXW_TRUE, .tmpdir = tmpdir};
  lxw_workbook *wb = workbook_new_opt(path, &options);
  bool ok = wb != NULL;
  if (ok) {
    lxw_doc_properties props = {.title = "Immediate Justice: quarterly return",
                                .author = "Immediate Justice service"};
    workbook_set_properties(wb, &props);
    write_sheet(wb, sr, c, n);
    ok = workbook_close(wb) == LXW_NO_ERROR;
  }
  FILE *f = ok ? fopen(path, "rb") : NULL;
  if (f) {
    long size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    rewind(f);
    *out = size > 0 ? malloc((size_t)size) : NULL;
    ok = *out && fread(*out, 1, (size_t)size, f) == (size_t)size;
    if (ok)
      *len = (size_t)size;
    fclose(f);
  } else {
    ok = false;
  }
  unlink(path);
  if (!ok) {
    free(*out);
    *out = NULL;
  }
  return ok;
}

static void send_xlsx(ij_ctx *ctx, const stats_request *sr, const quarter_cells *c, int n) {
  char *data = NULL;
  size_t len = 0;
  if (!workbook_bytes(sr, c, n, &data, &len)) {
    ij_send_problem(ctx, IJ_ERR_INTERNAL, "the workbook could not be written", NULL);
    return;
  }
  char disposition[160];
  snprintf(disposition, sizeof disposition, "attachment; filename=\"quarterly-%s-%s-%s.xlsx\"",
           sr->label, sr->from, sr->to);
  ulfius_set_binary_body_response(ctx->res, 200, data, len);
  ij_set_header(ctx, "Content-Type", XLSX_TYPE);
  ij_set_header(ctx, "Content-Disposition", disposition);
  ctx->status = 200;
  free(data);
}

/* ---- the handler ---- */

static bool wants_xlsx(ij_ctx *ctx) {
  const char *const *media = ctx->route->media;
  int chosen = ij_accept_choose(ij_header(ctx, "Accept"), media);
  return chosen >= 0 && strcmp(media[chosen], XLSX_TYPE) == 0;
}

void ij_h_stats_quarterly(ij_ctx *ctx) {
  stats_request sr;
  if (!ij_stats_request_of(ctx, &sr, true))
    return;
  bool xlsx = wants_xlsx(ctx);
  ij_stats_quarter *q = calloc(IJ_STATS_MAX_QUARTERS, sizeof *q);
  if (!q) {
    ij_send_problem(ctx, IJ_ERR_NOMEM, NULL, NULL);
    return;
  }
  if (!ij_stats_enter(ctx)) {
    free(q);
    return;
  }
  ij_conn *conn = ij_ctx_read_conn(ctx); /* a replica when one is close enough behind */
  if (!conn) {
    ij_stats_leave(ctx);
    free(q);
    return;
  }
  int n = 0;
  ij_err err = ij_ops_stats_quarterly(conn, &sr.f, &sr.errs, q, &n);
  if (err != IJ_OK && (conn = ij_ctx_read_retry(ctx, err)) != NULL)
    err = ij_ops_stats_quarterly(conn, &sr.f, &sr.errs, q, &n);
  if (err == IJ_OK && sr.f.area)
    err = ij_ops_area_name(conn, sr.f.area, sr.area_name, sizeof sr.area_name);
  ij_stats_leave(ctx);
  if (err != IJ_OK) {
    free(q);
    ij_send_problem(ctx, err, NULL, err == IJ_ERR_INVALID ? &sr.errs : NULL);
    return;
  }
  quarter_cells *c = quarters_cells_of(&sr, q, n);
  free(q);
  if (!c) {
    ij_send_problem(ctx, IJ_ERR_NOMEM, NULL, NULL);
    return;
  }
  if (xlsx)
    send_xlsx(ctx, &sr, c, n);
  else if (sr.csv)
    send_csv(ctx, &sr, c, n);
  else
    send_json(ctx, &sr, c, n);
  free(c);
}
