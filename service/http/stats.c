/* Commissioners' statistics: GET /v1/stats/summary and /v1/stats/reoffending, as JSON or, with a
 * ".csv" path or an Accept header preferring text/csv, as CSV (RFC 4180). The store counts, the
 * domain suppresses, this file renders. Nothing identifying a person is read or written here. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ij/store/stats.h"
#include "ij/domain_stats.h"
#include "ij/ops.h"
#include "ij/wait.h"
#include "accept.h"
#include "internal.h"
#include "stats_internal.h"

/* ---- the request: filters, period, format ---- */

static bool category_ok(const char *s) {
  static const char *const k_categories[] = {
#define IJ_STATS_CATEGORY(name) name,
      IJ_OFFENCE_CATEGORY_LIST(IJ_STATS_CATEGORY)
#undef IJ_STATS_CATEGORY
  };
  for (size_t i = 0; i < sizeof k_categories / sizeof k_categories[0]; i++)
    if (strcmp(s, k_categories[i]) == 0)
      return true;
  return false;
}

/* CSV when the route's media types (text/csv alone on the ".csv" paths) and the Accept header
 * choose it; the dispatcher has refused (406) a header that rules out all of them. */
static bool wants_csv(ij_ctx *ctx) {
  const char *const *media = ctx->route->media;
  int chosen = ij_accept_choose(ij_header(ctx, "Accept"), media);
  return chosen >= 0 && strcmp(media[chosen], "text/csv") == 0;
}

/* Parses and checks the common query; sends 403/422 and returns false when it cannot serve. The
 * route table has checked IJ_ACTION_STATS_READ and the parameters' names; the national scope
 * needs a permission of its own. Errors stay in sr->errs, unsent, while a ward remains to be
 * looked up, so that the 422 names it with the others. */
static bool stats_request_of(ij_ctx *ctx, stats_request *sr, bool quarterly) {
  const char *scope = ij_query(ctx, "scope");
  bool national = scope && strcmp(scope, "national") == 0;
  if (national && !ij_require(ctx, IJ_ACTION_STATS_NATIONAL))
    return false;
  memset(sr, 0, sizeof *sr);
  sr->csv = wants_csv(ctx);
  sr->rules.min_count = ctx->server->opts.suppress_min_count;
  sr->rules.min_denominator = ctx->server->opts.suppress_min_denominator;
  ij_stats_filter *f = &sr->f;
  sr->scope = national ? "national" : "area";
  f->area = national ? NULL : ctx->actor.area;
  f->national = national;
  sr->label = national ? "national" : ctx->actor.area;
  f->today = ij_time_date(ctx->now);
  f->timeout_ms = ctx->server->opts.stats_timeout_ms;
  ij_date quarterly_from = 0;
  if (quarterly)
    ij_stats_quarterly_default(f->today, &quarterly_from, &f->to);
  else
    f->to = f->today;
  ij_field_errors *errs = &sr->errs;
  const char *v;
  bool dates_ok = true;
  if ((v = ij_query(ctx, "to")) && ij_date_parse(v, &f->to) != IJ_OK) {
    ij_field_errors_add(errs, "to", "must be a date YYYY-MM-DD");
    dates_ok = false;
  }
  f->from = quarterly && !ij_query(ctx, "to") ? quarterly_from : ij_stats_default_from(f->to);
  if ((v = ij_query(ctx, "from")) && ij_date_parse(v, &f->from) != IJ_OK) {
    ij_field_errors_add(errs, "from", "must be a date YYYY-MM-DD");
    dates_ok = false;
  }
  if (dates_ok && f->from > f->to)
    ij_field_errors_add(errs, "from", "must not be after to");
  else if (dates_ok && ij_stats_months_between(f->from, f->to) > IJ_STATS_MAX_MONTHS)
    ij_field_errors_add(errs, "from", "must be at most %d months before to", IJ_STATS_MAX_MONTHS);
  if (scope && !national && strcmp(scope, "area") != 0)
    ij_field_errors_add(errs, "scope", "must be area or national");
  f->ward = ij_query(ctx, "ward");
  if (f->ward && !ij_code_ok(f->ward))
    ij_field_errors_add(errs, "ward", "is not a ward code");
  else if (f->ward && national)
    ij_field_errors_add(errs, "ward", "is an area's: it cannot filter the national scope");
  f->placement_type = ij_query(ctx, "placement_type");
  if (f->placement_type && !ij_placement_type_ok(f->placement_type))
    ij_field_errors_add(errs, "placement_type", "is not a placement type");
  f->offence_category = ij_query(ctx, "offence_category");
  if (f->offence_category && !category_ok(f->offence_category))
    ij_field_errors_add(errs, "offence_category", "is not an offence category");
  sr->age_band = ij_query(ctx, "age_band");
  if (sr->age_band && ij_stats_age_band_parse(sr->age_band, &f->age_min, &f->age_max) != IJ_OK)
    ij_field_errors_add(errs, "age_band", "must be 10-17, 18-24 or 25+");
  if ((!f->ward || ij_field_errors_has(errs, "ward")) && ij_send_invalid(ctx, errs))
    return false;
  ij_date_format(f->from, sr->from);
  ij_date_format(f->to, sr->to);
  return true;
}

/* ---- how many read at once ---- */

#define STATS_QUEUE_MS 5000 /* how long a request waits for its turn */
#define STATS_BRIEF_MS 250  /* and how long when no worker thread is to spare for waiting */

/* Takes a turn among the statistics requests reading at once (opts.stats_concurrency), so that
 * dashboards, and above all national periods of years, cannot take every database connection
 * from officers and coordinators. A request that finds every turn taken waits up to
 * STATS_QUEUE_MS while a worker thread stays free of statistics (a waiting request holds its
 * thread, and with it the other connections libmicrohttpd gave that thread): threads -
 * concurrency - 1 may wait so long; beyond them a request waits STATS_BRIEF_MS, enough for a turn
 * of an area's figures (milliseconds) to come free, never long enough to stall its thread's other
 * connections for long. When no turn comes in time it sends 503 with Retry-After and returns
 * false. Pair with stats_leave. */
static bool stats_enter(ij_ctx *ctx) {
  ij_server *s = ctx->server;
  int limit = s->opts.stats_concurrency;
  if (limit <= 0)
    return true;
  bool waiting = false, decided = false, got = true;
  pthread_mutex_lock(&s->stats_mu);
  long long deadline = ij_deadline_ms(STATS_QUEUE_MS);
  while (s->stats_running >= limit) {
    if (!decided) {
      /* wait long only while a worker thread stays free of statistics */
      decided = true;
      waiting = s->stats_waiting < s->opts.threads - limit - 1;
      if (waiting)
        s->stats_waiting++;
      else
        deadline = ij_deadline_ms(STATS_BRIEF_MS);
    }
    if (!ij_cond_wait_until(&s->stats_cv, &s->stats_mu, deadline) && s->stats_running >= limit) {
      got = false;
      break;
    }
  }
  if (got)
    s->stats_running++;
  if (waiting)
    s->stats_waiting--;
  pthread_mutex_unlock(&s->stats_mu);
  if (got)
    return true;
  ij_set_header(ctx, "Retry-After", "2");
  ij_send_problem(ctx, IJ_ERR_UNAVAILABLE,
                  "other statistics are being computed: try again in a few seconds", NULL);
  return false;
}

static void stats_leave(ij_ctx *ctx) {
  ij_server *s = ctx->server;
  if (s->opts.stats_concurrency <= 0)
    return;
  pthread_mutex_lock(&s->stats_mu);
  s->stats_running--;
  pthread_cond_signal(&s->stats_cv);
  pthread_mutex_unlock(&s->stats_mu);
}

/* ---- figures after suppression ---- */

/* Rounded half away from zero to 1/scale (the figures are never negative). */
static double rounded(double v, double scale) {
  double r = (double)(int64_t)(v * scale + (v < 0 ? -0.5 : 0.5));
  return r / scale;
}

/* One decimal place (hours). */
static double one_decimal(double v) {
  return rounded(v, 10.0);
}

/* Rates to four decimal places: enough for a percentage with two. */
static double four_decimals(double v) {
  return rounded(v, 10000.0);
}

static json_t *cell_value(const ij_stat_cell *c, bool integer, bool has_value) {
  if (c->suppressed || !has_value)
    return json_null();
  return integer ? json_integer((json_int_t)c->value) : json_real(c->value);
}

static json_t *cell_json(const ij_stat_cell *c, bool integer) {
  return json_pack("{s:o, s:b}", "value", cell_value(c, integer, true), "suppressed",
                   c->suppressed);
}

/* The rate's 95% interval (Wilson), from the raw parts, where the rate is shown; false where
 * it is withheld (its interval would reveal what the suppression hides). */
static bool rate_interval(const ij_stat_rate *r, ij_interval *ci) {
  return !r->suppressed && ij_wilson_interval(r->numerator, r->denominator, ci);
}

/* A rate's end of interval, or null. */
static json_t *interval_end(bool shown, double v) {
  return shown ? json_real(four_decimals(v)) : json_null();
}

json_t *ij_stats_rate_json(const ij_stat_rate *r) {
  ij_interval ci;
  bool shown = rate_interval(r, &ci);
  return json_pack("{s:o, s:o, s:o, s:o, s:o, s:b}", "value",
                   r->suppressed ? json_null() : json_real(four_decimals(r->value)), "ci_low",
                   interval_end(shown, ci.low), "ci_high", interval_end(shown, ci.high),
                   "numerator", r->numerator_shown ? json_integer(r->numerator) : json_null(),
                   "denominator", r->denominator_shown ? json_integer(r->denominator) : json_null(),
                   "suppressed", r->suppressed);
}

typedef struct {
  ij_stat_cell referrals, accepted, rejected, triaged, started, within_target, median;
  ij_stat_cell completed, non_compliant, exited, hours, attended, attendance_counted, rereferrals;
  bool has_median;
  ij_stat_rate acceptance, within_target_rate, completion, non_compliance, attendance, rereferral;
  int nmonths;
  ij_stat_cell *month_referrals, *month_completed; /* owned */
  ij_stat_cell type_hours[IJ_STATS_TYPES];
} summary_cells;

static ij_stat_cell counted(const ij_suppress_rules *rules, int64_t n) {
  ij_stat_cell c = ij_stat_count(n);
  ij_suppress_cell(rules, &c);
  return c;
}

static bool summary_cells_of(const ij_suppress_rules *rules, const ij_stats_summary *s,
                             summary_cells *c) {
  memset(c, 0, sizeof *c);
  c->referrals = counted(rules, s->referrals);
  c->accepted = counted(rules, s->accepted);
  c->rejected = counted(rules, s->rejected);
  c->triaged = counted(rules, s->accepted + s->rejected);
  c->started = counted(rules, s->started);
  c->within_target = counted(rules, s->started_within_target);
  c->completed = counted(rules, s->completed);
  c->non_compliant = counted(rules, s->non_compliant);
  c->exited = counted(rules, s->completed + s->non_compliant);
  c->attended = counted(rules, s->bookings_attended);
  c->attendance_counted = counted(rules, s->bookings_counted);
  c->rereferrals = counted(rules, s->rereferrals);
  /* hours and the median stand for the people behind them */
  c->hours =
      (ij_stat_cell){one_decimal((double)s->minutes_credited / 60.0), s->credited_referrals, false};
  ij_suppress_cell(rules, &c->hours);
  c->has_median = s->has_median && s->started > 0;
  c->median = (ij_stat_cell){one_decimal(s->median_hours_to_first_session), s->started, false};
  ij_suppress_cell(rules, &c->median);

  /* groups adding up to a shown total: accepted + rejected = triaged, completed +
   * non_compliant = exited, the months to the period's figures, the types to the hours */
  ij_stat_cell pair[2] = {c->accepted, c->rejected};
  ij_suppress_group(pair, 2);
  c->accepted = pair[0];
  c->rejected = pair[1];
  pair[0] = c->completed;
  pair[1] = c->non_compliant;
  ij_suppress_group(pair, 2);
  c->completed = pair[0];
  c->non_compliant = pair[1];

  c->nmonths = s->nmonths;
  c->month_referrals = calloc((size_t)s->nmonths + 1, sizeof *c->month_referrals);
  c->month_completed = calloc((size_t)s->nmonths + 1, sizeof *c->month_completed);
  if (!c->month_referrals || !c->month_completed) {
    free(c->month_referrals);
    free(c->month_completed);
    return false;
  }
  for (int i = 0; i < s->nmonths; i++) {
    c->month_referrals[i] = counted(rules, s->months[i].referrals);
    c->month_completed[i] = counted(rules, s->months[i].completed);
  }
  ij_suppress_group(c->month_referrals, (size_t)s->nmonths);
  ij_suppress_group(c->month_completed, (size_t)s->nmonths);
  for (int t = 0; t < IJ_STATS_TYPES; t++) {
    const ij_stats_type_hours *h = &s->hours_by_type[t];
    c->type_hours[t] = (ij_stat_cell){one_decimal((double)h->minutes / 60.0), h->referrals, false};
    ij_suppress_cell(rules, &c->type_hours[t]);
  }
  ij_suppress_group(c->type_hours, IJ_STATS_TYPES);

  /* rates from the raw counts, shown only where neither part is suppressed */
  c->acceptance = ij_suppress_rate(rules, &c->accepted, &c->triaged);
  c->within_target_rate = ij_suppress_rate(rules, &c->within_target, &c->started);
  c->completion = ij_suppress_rate(rules, &c->completed, &c->exited);
  c->non_compliance = ij_suppress_rate(rules, &c->non_compliant, &c->exited);
  c->attendance = ij_suppress_rate(rules, &c->attended, &c->attendance_counted);
  c->rereferral = ij_suppress_rate(rules, &c->rereferrals, &c->referrals);
  return true;
}

static void summary_cells_clear(summary_cells *c) {
  free(c->month_referrals);
  free(c->month_completed);
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

/* A JSON number or null as CSV text (the same digits as the JSON body); "" for null. */
static void put_number(text_buf *b, json_t *v) {
  char *text = json_is_null(v) ? NULL : json_dumps(v, JSON_ENCODE_ANY);
  put_field(b, text ? text : "", false);
  free(text);
  json_decref(v);
}

static void put_lead(text_buf *b, const csv_row *row, const char *measure) {
  put_field(b, row->area, false);
  put_field(b, row->from, false);
  put_field(b, row->to, false);
  put_field(b, row->a, false);
  put_field(b, row->b, false);
  put_field(b, measure, false);
}

static void put_cell(text_buf *b, const csv_row *row, const char *measure, const ij_stat_cell *c,
                     bool integer, bool has_value) {
  put_lead(b, row, measure);
  put_number(b, cell_value(c, integer, has_value));
  put_field(b, "", false); /* ci_low */
  put_field(b, "", false); /* ci_high */
  put_field(b, "", false);
  put_field(b, "", false);
  put_field(b, c->suppressed ? "true" : "false", true);
}

static void put_rate(text_buf *b, const csv_row *row, const char *measure, const ij_stat_rate *r) {
  put_lead(b, row, measure);
  put_number(b, r->suppressed ? json_null() : json_real(four_decimals(r->value)));
  ij_interval ci;
  bool shown = rate_interval(r, &ci);
  put_number(b, interval_end(shown, ci.low));
  put_number(b, interval_end(shown, ci.high));
  put_number(b, r->numerator_shown ? json_integer(r->numerator) : json_null());
  put_number(b, r->denominator_shown ? json_integer(r->denominator) : json_null());
  put_field(b, r->suppressed ? "true" : "false", true);
}

static void send_csv(ij_ctx *ctx, text_buf *b, const char *what, const stats_request *sr) {
  if (b->failed || !b->data) {
    free(b->data);
    ij_send_problem(ctx, IJ_ERR_NOMEM, NULL, NULL);
    return;
  }
  char disposition[160];
  snprintf(disposition, sizeof disposition, "attachment; filename=\"%s-%s-%s-%s.csv\"", what,
           sr->label, sr->from, sr->to);
  ulfius_set_binary_body_response(ctx->res, 200, b->data, b->len);
  ij_set_header(ctx, "Content-Type", "text/csv; charset=utf-8; header=present");
  ij_set_header(ctx, "Content-Disposition", disposition);
  ctx->status = 200;
  free(b->data);
}

/* ---- GET /v1/stats/summary ---- */

static json_t *filters_json(const stats_request *sr) {
  return json_pack("{s:o, s:o, s:o, s:o}", "ward", ij_json_str_or_null(sr->f.ward),
                   "placement_type", ij_json_str_or_null(sr->f.placement_type), "age_band",
                   ij_json_str_or_null(sr->age_band), "offence_category",
                   ij_json_str_or_null(sr->f.offence_category));
}

static json_t *envelope(const stats_request *sr) {
  return json_pack("{s:s, s:o, s:s, s:s, s:s, s:o, s:{s:i, s:i}}", "area", sr->label, "area_name",
                   sr->area_name[0] ? json_string(sr->area_name) : json_null(), "scope", sr->scope,
                   "from", sr->from, "to", sr->to, "filters", filters_json(sr), "thresholds",
                   "min_count", sr->rules.min_count, "min_denominator", sr->rules.min_denominator);
}

static void month_text(ij_date month, char out[IJ_DATE_BUF]) {
  ij_date_format(month, out);
  out[7] = 0; /* "YYYY-MM" */
}

static void send_summary_json(ij_ctx *ctx, const stats_request *sr, const ij_stats_summary *s,
                              const summary_cells *c) {
  json_t *figures = json_object();
  json_object_set_new(figures, "referrals", cell_json(&c->referrals, true));
  json_object_set_new(figures, "accepted", cell_json(&c->accepted, true));
  json_object_set_new(figures, "rejected", cell_json(&c->rejected, true));
  json_object_set_new(figures, "acceptance_rate", ij_stats_rate_json(&c->acceptance));
  json_object_set_new(figures, "started", cell_json(&c->started, true));
  json_object_set_new(figures, "median_hours_to_first_session",
                      json_pack("{s:o, s:b}", "value", cell_value(&c->median, false, c->has_median),
                                "suppressed", c->median.suppressed));
  json_object_set_new(figures, "started_within_target_rate",
                      ij_stats_rate_json(&c->within_target_rate));
  json_object_set_new(figures, "completed", cell_json(&c->completed, true));
  json_object_set_new(figures, "non_compliant", cell_json(&c->non_compliant, true));
  json_object_set_new(figures, "exited", cell_json(&c->exited, true));
  json_object_set_new(figures, "completion_rate", ij_stats_rate_json(&c->completion));
  json_object_set_new(figures, "non_compliance_rate", ij_stats_rate_json(&c->non_compliance));
  json_object_set_new(figures, "hours_delivered", cell_json(&c->hours, false));
  json_object_set_new(figures, "attendance_rate", ij_stats_rate_json(&c->attendance));
  json_object_set_new(figures, "rereferral_rate", ij_stats_rate_json(&c->rereferral));
  json_t *monthly = json_array();
  for (int i = 0; i < c->nmonths; i++) {
    char month[IJ_DATE_BUF];
    month_text(s->months[i].month, month);
    json_array_append_new(monthly, json_pack("{s:s, s:o, s:o}", "month", month, "referrals",
                                             cell_json(&c->month_referrals[i], true), "completed",
                                             cell_json(&c->month_completed[i], true)));
  }
  json_t *types = json_array();
  for (int t = 0; t < IJ_STATS_TYPES; t++)
    json_array_append_new(types, json_pack("{s:s, s:o}", "placement_type",
                                           s->hours_by_type[t].placement_type, "hours",
                                           cell_json(&c->type_hours[t], false)));
  json_t *body = envelope(sr);
  json_object_set_new(body, "figures", figures);
  json_object_set_new(body, "monthly", monthly);
  json_object_set_new(body, "hours_by_placement_type", types);
  json_object_set_new(body, "freshness", ij_read_freshness_json(ctx));
  ij_send_json(ctx, 200, body);
}

static void send_summary_csv(ij_ctx *ctx, const stats_request *sr, const ij_stats_summary *s,
                             const summary_cells *c) {
  text_buf b = {NULL, 0, 0, false};
  put(&b, "area,from,to,month,placement_type,measure,value,ci_low,ci_high,numerator,denominator,"
          "suppressed\r\n");
  csv_row row = {sr->label, sr->from, sr->to, "", ""};
  put_cell(&b, &row, "referrals", &c->referrals, true, true);
  put_cell(&b, &row, "accepted", &c->accepted, true, true);
  put_cell(&b, &row, "rejected", &c->rejected, true, true);
  put_rate(&b, &row, "acceptance_rate", &c->acceptance);
  put_cell(&b, &row, "started", &c->started, true, true);
  put_cell(&b, &row, "median_hours_to_first_session", &c->median, false, c->has_median);
  put_rate(&b, &row, "started_within_target_rate", &c->within_target_rate);
  put_cell(&b, &row, "completed", &c->completed, true, true);
  put_cell(&b, &row, "non_compliant", &c->non_compliant, true, true);
  put_cell(&b, &row, "exited", &c->exited, true, true);
  put_rate(&b, &row, "completion_rate", &c->completion);
  put_rate(&b, &row, "non_compliance_rate", &c->non_compliance);
  put_cell(&b, &row, "hours_delivered", &c->hours, false, true);
  put_rate(&b, &row, "attendance_rate", &c->attendance);
  put_rate(&b, &row, "rereferral_rate", &c->rereferral);
  for (int i = 0; i < c->nmonths; i++) {
    char month[IJ_DATE_BUF];
    month_text(s->months[i].month, month);
    row.a = month;
    put_cell(&b, &row, "referrals", &c->month_referrals[i], true, true);
    put_cell(&b, &row, "completed", &c->month_completed[i], true, true);
  }
  row.a = "";
  for (int t = 0; t < IJ_STATS_TYPES; t++) {
    row.b = s->hours_by_type[t].placement_type;
    put_cell(&b, &row, "hours", &c->type_hours[t], false, true);
  }
  send_csv(ctx, &b, "summary", sr);
}

void ij_h_stats_summary(ij_ctx *ctx) {
  stats_request sr;
  if (!stats_request_of(ctx, &sr, false))
    return;
  if (!stats_enter(ctx))
    return;
  ij_conn *conn = ij_ctx_read_conn(ctx); /* a replica when one is close enough behind */
  if (!conn) {
    stats_leave(ctx);
    return;
  }
  ij_stats_summary s;
  ij_err err = ij_ops_stats_summary(conn, &sr.f, &sr.errs, &s);
  if (err != IJ_OK && (conn = ij_ctx_read_retry(ctx, err)) != NULL)
    err = ij_ops_stats_summary(conn, &sr.f, &sr.errs, &s);
  if (err == IJ_OK && sr.f.area)
    err = ij_ops_area_name(conn, sr.f.area, sr.area_name, sizeof sr.area_name);
  stats_leave(ctx);
  if (err != IJ_OK) {
    ij_send_problem(ctx, err, NULL, err == IJ_ERR_INVALID ? &sr.errs : NULL);
    return;
  }
  summary_cells c;
  if (!summary_cells_of(&sr.rules, &s, &c)) {
    ij_stats_summary_clear(&s);
    ij_send_problem(ctx, IJ_ERR_NOMEM, NULL, NULL);
    return;
  }
  if (sr.csv)
    send_summary_csv(ctx, &sr, &s, &c);
  else
    send_summary_json(ctx, &sr, &s, &c);
  summary_cells_clear(&c);
  ij_stats_summary_clear(&s);
}

/* ---- GET /v1/stats/reoffending ---- */

static const char k_reoffending_note[] =
    "Local measure: people whose referral completed or was returned for non-compliance in the "
    "period, checked 3, 6 and 12 months after that exit (police national computer checks and "
    "police data). It is not the Ministry of Justice proven reoffending rate (12 months' "
    "follow-up plus a 6-month wait, cautions and convictions only), which does not count "
    "community resolutions. Only cohorts whose window has elapsed and whose check is recorded "
    "are counted; the others are pending.";

typedef struct {
  ij_stat_cell cohort, reoffended, pending;
  ij_stat_rate rate;
} cohort_cells;

static cohort_cells cohort_cells_of(const ij_suppress_rules *rules, const ij_stats_cohort *k) {
  cohort_cells c;
  c.cohort = counted(rules, k->cohort);
  c.reoffended = counted(rules, k->reoffended);
  c.pending = counted(rules, k->pending);
  c.rate = ij_suppress_rate(rules, &c.reoffended, &c.cohort);
  return c;
}

static json_t *cohort_json(const cohort_cells *c) {
  return json_pack("{s:o, s:o, s:o, s:o}", "cohort", cell_json(&c->cohort, true), "reoffended",
                   cell_json(&c->reoffended, true), "rate", ij_stats_rate_json(&c->rate), "pending",
                   cell_json(&c->pending, true));
}

static void put_cohort(text_buf *b, csv_row *row, const char *group, const cohort_cells *c) {
  row->b = group;
  put_cell(b, row, "cohort", &c->cohort, true, true);
  put_cell(b, row, "reoffended", &c->reoffended, true, true);
  put_rate(b, row, "rate", &c->rate);
  put_cell(b, row, "pending", &c->pending, true, true);
}

void ij_h_stats_reoffending(ij_ctx *ctx) {
  stats_request sr;
  if (!stats_request_of(ctx, &sr, false))
    return;
  if (!stats_enter(ctx))
    return;
  ij_conn *conn = ij_ctx_read_conn(ctx); /* a replica when one is close enough behind */
  if (!conn) {
    stats_leave(ctx);
    return;
  }
  ij_stats_window w[IJ_FOLLOWUP_WINDOW_COUNT];
  ij_err err = ij_ops_stats_reoffending(conn, &sr.f, &sr.errs, w);
  if (err != IJ_OK && (conn = ij_ctx_read_retry(ctx, err)) != NULL)
    err = ij_ops_stats_reoffending(conn, &sr.f, &sr.errs, w);
  if (err == IJ_OK && sr.f.area)
    err = ij_ops_area_name(conn, sr.f.area, sr.area_name, sizeof sr.area_name);
  stats_leave(ctx);
  if (err != IJ_OK) {
    ij_send_problem(ctx, err, NULL, err == IJ_ERR_INVALID ? &sr.errs : NULL);
    return;
  }
  cohort_cells completers[IJ_FOLLOWUP_WINDOW_COUNT], others[IJ_FOLLOWUP_WINDOW_COUNT];
  for (int i = 0; i < IJ_FOLLOWUP_WINDOW_COUNT; i++) {
    completers[i] = cohort_cells_of(&sr.rules, &w[i].completers);
    others[i] = cohort_cells_of(&sr.rules, &w[i].non_completers);
  }
  if (sr.csv) {
    text_buf b = {NULL, 0, 0, false};
    put(&b, "area,from,to,window_months,exit,measure,value,ci_low,ci_high,numerator,denominator,"
            "suppressed\r\n");
    csv_row row = {sr.label, sr.from, sr.to, "", ""};
    for (int i = 0; i < IJ_FOLLOWUP_WINDOW_COUNT; i++) {
      char months[8];
      snprintf(months, sizeof months, "%d", w[i].months);
      row.a = months;
      put_cohort(&b, &row, "completers", &completers[i]);
      put_cohort(&b, &row, "non_completers", &others[i]);
    }
    send_csv(ctx, &b, "reoffending", &sr);
    return;
  }
  json_t *windows = json_array();
  for (int i = 0; i < IJ_FOLLOWUP_WINDOW_COUNT; i++)
    json_array_append_new(windows, json_pack("{s:i, s:o, s:o}", "months", w[i].months, "completers",
                                             cohort_json(&completers[i]), "non_completers",
                                             cohort_json(&others[i])));
  json_t *body = envelope(&sr);
  json_object_set_new(body, "note", json_string(k_reoffending_note));
  json_object_set_new(body, "windows", windows);
  json_object_set_new(body, "freshness", ij_read_freshness_json(ctx));
  ij_send_json(ctx, 200, body);
}

/* ---- shared with the quarterly return (stats_internal.h) ---- */

bool ij_stats_request_of(ij_ctx *ctx, stats_request *sr, bool quarterly) {
  return stats_request_of(ctx, sr, quarterly);
}

/* ---- shared with the comparison of areas (stats_areas.c) ---- */

bool ij_stats_query_of(ij_ctx *ctx, ij_stats_query *q) {
  stats_request sr;
  if (!stats_request_of(ctx, &sr, false))
    return false;
  q->f = sr.f;
  q->rules = sr.rules;
  q->csv = sr.csv;
  q->age_band = sr.age_band;
  return true;
}

bool ij_stats_enter(ij_ctx *ctx) {
  return stats_enter(ctx);
}

void ij_stats_leave(ij_ctx *ctx) {
  stats_leave(ctx);
}

ij_stat_cell ij_stats_counted(const ij_suppress_rules *rules, int64_t n) {
  return counted(rules, n);
}

ij_stat_cell ij_stats_hours_cell(const ij_suppress_rules *rules, int64_t minutes,
                                 int64_t referrals) {
  ij_stat_cell c = {one_decimal((double)minutes / 60.0), referrals, false};
  ij_suppress_cell(rules, &c);
  return c;
}

json_t *ij_stats_cell_json(const ij_stat_cell *c, bool integer) {
  return cell_json(c, integer);
}

bool ij_stats_rate_interval(const ij_stat_rate *r, ij_interval *ci) {
  return rate_interval(r, ci);
}

double ij_stats_four_decimals(double v) {
  return four_decimals(v);
}

json_t *ij_stats_envelope(const stats_request *sr) {
  return envelope(sr);
}

void ij_stats_put(text_buf *b, const char *s) {
  put(b, s);
}

void ij_stats_put_field(text_buf *b, const char *s, bool last) {
  put_field(b, s, last);
}

void ij_stats_put_cell(text_buf *b, const csv_row *row, const char *measure, const ij_stat_cell *c,
                       bool integer) {
  put_cell(b, row, measure, c, integer, true);
}

void ij_stats_put_rate(text_buf *b, const csv_row *row, const char *measure,
                       const ij_stat_rate *r) {
  put_rate(b, row, measure, r);
}

void ij_stats_send_csv(ij_ctx *ctx, text_buf *b, const char *what, const stats_request *sr) {
  send_csv(ctx, b, what, sr);
}

bool ij_stats_main_of(const ij_suppress_rules *rules, const ij_stats_summary *s,
                      ij_stats_main *out) {
  summary_cells c;
  if (!summary_cells_of(rules, s, &c))
    return false;
  *out = (ij_stats_main){c.referrals,  c.acceptance,     c.within_target_rate,
                         c.completion, c.non_compliance, c.attendance};
  summary_cells_clear(&c);
  return true;
}
