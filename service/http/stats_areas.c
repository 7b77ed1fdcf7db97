/* The national commissioner's comparison of areas: GET /v1/stats/areas, as JSON or, with the
 * ".csv" path or an Accept header preferring text/csv, as CSV (RFC 4180). One row per area (code
 * and name) with its referrals and the summary's main rates, suppressed as the summary suppresses
 * them, and the national totals. The route table has checked IJ_ACTION_STATS_NATIONAL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ij/ops.h"
#include "internal.h"
#include "text_buf.h"

/* The rates of a row, in the order of the JSON members and the CSV's rows. */
static const char *const k_rates[] = {"acceptance_rate", "started_within_target_rate",
                                      "completion_rate", "non_compliance_rate", "attendance_rate"};
#define NRATES (sizeof k_rates / sizeof k_rates[0])

/* One row's figures: {"referrals": {value, suppressed}, "<rate>": rate, ...}; NULL: no memory. */
static json_t *figures_json(const ij_suppress_rules *rules, const ij_stats_summary *s) {
  ij_stats_main m;
  if (!ij_stats_main_of(rules, s, &m))
    return NULL;
  const ij_stat_rate *rates[NRATES] = {&m.acceptance, &m.within_target, &m.completion,
                                       &m.non_compliance, &m.attendance};
  json_t *o = json_object();
  json_object_set_new(
      o, "referrals",
      json_pack("{s:o, s:b}", "value",
                m.referrals.suppressed ? json_null() : json_integer((json_int_t)m.referrals.value),
                "suppressed", m.referrals.suppressed));
  for (size_t i = 0; i < NRATES; i++)
    json_object_set_new(o, k_rates[i], ij_stats_rate_json(rates[i]));
  return o;
}

/* ---- CSV ---- */

static void put(text_buf *b, const char *s) {
  ij_text_put(b, s);
}

/* One field, quoted when it holds a comma, a quote or a line break (RFC 4180). */
static void put_field(text_buf *b, const char *s, bool last) {
  if (strpbrk(s, ",\"\r\n")) {
    put(b, "\"");
    for (const char *p = s; *p; p++)
      put(b, *p == '"' ? "\"\"" : (char[2]){*p, 0});
    put(b, "\"");
  } else {
    put(b, s);
  }
  put(b, last ? "\r\n" : ",");
}

/* A JSON value as CSV text: the JSON body's digits, true/false, "" for null or absent. */
static void put_value(text_buf *b, json_t *v, bool last) {
  if (!v || json_is_null(v)) {
    put_field(b, "", last);
  } else if (json_is_boolean(v)) {
    put_field(b, json_is_true(v) ? "true" : "false", last);
  } else {
    char *text = json_dumps(v, JSON_ENCODE_ANY);
    put_field(b, text ? text : "", last);
    free(text);
  }
}

/* The columns after the measure: a rate's members, in the rate's order (value, numerator,
 * denominator, suppressed, and whatever the rate renderer adds after them). */
static json_t *columns_of(json_t *figures) {
  json_t *cols = json_array();
  const char *key;
  json_t *v;
  json_object_foreach(json_object_get(figures, k_rates[0]), key, v) {
    json_array_append_new(cols, json_string(key));
  }
  return cols;
}

static void put_row(text_buf *b, const char *area, const char *name, const char *from,
                    const char *to, json_t *figures, json_t *cols) {
  size_t ncols = json_array_size(cols);
  for (size_t r = 0; r <= NRATES; r++) {
    const char *measure = r == 0 ? "referrals" : k_rates[r - 1];
    json_t *m = json_object_get(figures, measure);
    put_field(b, area, false);
    put_field(b, name, false);
    put_field(b, from, false);
    put_field(b, to, false);
    put_field(b, measure, false);
    for (size_t c = 0; c < ncols; c++)
      put_value(b, json_object_get(m, json_string_value(json_array_get(cols, c))), c + 1 == ncols);
  }
}

static void send_areas_csv(ij_ctx *ctx, json_t *body) {
  const char *from = json_string_value(json_object_get(body, "from"));
  const char *to = json_string_value(json_object_get(body, "to"));
  json_t *national = json_object_get(body, "national");
  json_t *cols = columns_of(national);
  text_buf b = {NULL, 0, 0, false};
  put(&b, "area,area_name,from,to,measure");
  for (size_t c = 0; c < json_array_size(cols); c++) {
    put(&b, ",");
    put(&b, json_string_value(json_array_get(cols, c)));
  }
  put(&b, "\r\n");
  size_t i;
  json_t *row;
  json_array_foreach(json_object_get(body, "areas"), i, row) {
    put_row(&b, json_string_value(json_object_get(row, "area")),
            json_string_value(json_object_get(row, "area_name")), from, to, row, cols);
  }
  put_row(&b, "national", "", from, to, national, cols);
  json_decref(cols);
  if (b.failed || !b.data) {
    free(b.data);
    ij_send_problem(ctx, IJ_ERR_NOMEM, NULL, NULL);
    return;
  }
  char disposition[160];
  snprintf(disposition, sizeof disposition, "attachment; filename=\"areas-national-%s-%s.csv\"",
           from, to);
  ulfius_set_binary_body_response(ctx->res, 200, b.data, b.len);
  ij_set_header(ctx, "Content-Type", "text/csv; charset=utf-8; header=present");
  ij_set_header(ctx, "Content-Disposition", disposition);
  ctx->status = 200;
  free(b.data);
}

/* ---- GET /v1/stats/areas ---- */

/* The answer's body; NULL: no memory. */
static json_t *areas_body(const ij_stats_query *q, const ij_stats_area *rows, int n,
                          const ij_stats_summary *totals) {
  char from[IJ_DATE_BUF], to[IJ_DATE_BUF];
  ij_date_format(q->f.from, from);
  ij_date_format(q->f.to, to);
  json_t *areas = json_array();
  json_t *body = json_pack(
      "{s:s, s:s, s:s, s:{s:n, s:o, s:o, s:o}, s:{s:i, s:i}, s:o}", "scope", "national", "from",
      from, "to", to, "filters", "ward", "placement_type", ij_json_str_or_null(q->f.placement_type),
      "age_band", ij_json_str_or_null(q->age_band), "offence_category",
      ij_json_str_or_null(q->f.offence_category), "thresholds", "min_count", q->rules.min_count,
      "min_denominator", q->rules.min_denominator, "areas", areas);
  if (!body)
    return NULL;
  for (int i = 0; i < n; i++) {
    json_t *row = figures_json(&q->rules, &rows[i].figures);
    if (!row) {
      json_decref(body);
      return NULL;
    }
    json_t *lead = json_pack("{s:s, s:s}", "area", rows[i].code, "area_name", rows[i].name);
    json_object_update(lead, row);
    json_decref(row);
    json_array_append_new(areas, lead);
  }
  json_t *national = figures_json(&q->rules, totals);
  if (!national) {
    json_decref(body);
    return NULL;
  }
  json_object_set_new(body, "national", national);
  return body;
}

void ij_h_stats_areas(ij_ctx *ctx) {
  ij_stats_query q;
  if (!ij_stats_query_of(ctx, &q))
    return;
  q.f.area = NULL; /* every area, named */
  q.f.national = true;
  q.f.ward = NULL;
  if (!ij_stats_enter(ctx))
    return;
  ij_conn *conn = ij_ctx_read_conn(ctx); /* a replica when one is close enough behind */
  if (!conn) {
    ij_stats_leave(ctx);
    return;
  }
  ij_stats_area *rows = NULL;
  int n = 0;
  ij_stats_summary totals;
  ij_err err = ij_ops_stats_areas(conn, &q.f, &rows, &n, &totals);
  if (err != IJ_OK && (conn = ij_ctx_read_retry(ctx, err)) != NULL)
    err = ij_ops_stats_areas(conn, &q.f, &rows, &n, &totals);
  ij_stats_leave(ctx);
  if (err != IJ_OK) {
    ij_send_problem(ctx, err, NULL, NULL);
    return;
  }
  json_t *body = areas_body(&q, rows, n, &totals);
  ij_stats_areas_free(rows);
  if (!body) {
    ij_send_problem(ctx, IJ_ERR_NOMEM, NULL, NULL);
    return;
  }
  if (q.csv) {
    send_areas_csv(ctx, body);
    json_decref(body);
    return;
  }
  json_object_set_new(body, "freshness", ij_read_freshness_json(ctx));
  ij_send_json(ctx, 200, body);
}
