/* The quarterly return through the real path: referrals, bookings, exits and follow-up checks made
 * by SQL in the quarters of 2024 and in the last full quarter; each quarter's figures against
 * the numbers this file built (and against the summary and the reoffending figures for the
 * quarter's dates), the suppression, the intervals, windows not yet elapsed, the CSV and the
 * Excel workbook (unzipped by unzip(1)), the default period, roles and the national scope. */
#include <libpq-fe.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "suites.h"

static const char *const R_QUARTERLY = "/v1/stats/quarterly";
static const char *const R_QUARTERLY_CSV = "/v1/stats/quarterly.csv";
static const char *const R_QUARTERLY_XLSX = "/v1/stats/quarterly.xlsx";
static const char XLSX_TYPE[] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/* ---- SQL on the test database ---- */

static PGconn *db(void) {
  PGconn *c = PQconnectdb(ts_database_url());
  ck_assert_msg(PQstatus(c) == CONNECTION_OK, "%s", PQerrorMessage(c));
  return c;
}

static void sql(PGconn *c, const char *q, int n, const char *const *params, char *out,
                size_t size) {
  PGresult *r = PQexecParams(c, q, n, NULL, params, NULL, NULL, 0);
  ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK,
                "%s: %s", q, PQresultErrorMessage(r));
  if (out) {
    ck_assert_int_ge(PQntuples(r), 1);
    snprintf(out, size, "%s", PQgetvalue(r, 0, 0));
  }
  PQclear(r);
}

/* A referral made at $4 by a person born $2, in state $3; $5 hours confirmed (accepted); first
 * attended $6 hours after the referral (0: never), $7 minutes credited, exit $8 (0 none,
 * 1 completed, 2 non-compliant) 20 days after the referral. The target is 48 hours. */
static const char SQL_REFERRAL[] =
    "WITH pe AS (INSERT INTO people (id, area, name, date_of_birth, created_at, updated_at)"
    " VALUES (gen_random_uuid(), $1, 'Quarterly Person', $2::date, now(), now()) RETURNING id)"
    " INSERT INTO referrals (id, area, person_id, state, version, officer_sub, officer_name,"
    " offence_date, offence_category, ward, disposal, consent_recorded, hours_proposed,"
    " hours_confirmed, target_start_by, first_attended_at, minutes_credited, completed_at,"
    " exited_at, created_at, updated_at)"
    " SELECT gen_random_uuid(), $1, pe.id, $3, 1, 'pc-1', 'PC 1', ($4::timestamptz)::date - 2,"
    " 'asb', 'ward-a', 'community_resolution', true, 7, CASE WHEN $5::boolean THEN 7 END,"
    " $4::timestamptz + interval '48 hours',"
    " CASE WHEN $6::int > 0 THEN $4::timestamptz + make_interval(hours => $6::int) END, $7::int,"
    " CASE WHEN $8::int = 1 THEN $4::timestamptz + interval '20 days' END,"
    " CASE WHEN $8::int > 0 THEN $4::timestamptz + interval '20 days' END,"
    " $4::timestamptz, $4::timestamptz FROM pe RETURNING id";

/* The attended booking behind the credited minutes, on a placement of its own. */
static const char SQL_BOOKING[] =
    "WITH pl AS (INSERT INTO placements (id, area, name, type, provider, ward, supervisor_sub,"
    " supervisor_name, created_at, updated_at) VALUES (gen_random_uuid(), $1, 'Placement',"
    " 'gardening', 'Provider', 'ward-a', 'sup-1', 'Sup', now(), now()) RETURNING id),"
    " s AS (INSERT INTO sessions (id, area, placement_id, starts_at, ends_at, capacity,"
    " supervisor_sub, supervisor_name, created_at, updated_at) SELECT gen_random_uuid(), $1, pl.id,"
    " r.first_attended_at, r.first_attended_at + interval '7 hours', 10, 'sup-1', 'Sup', now(),"
    " now() FROM pl, referrals r WHERE r.id = $2::uuid RETURNING id)"
    " INSERT INTO bookings (id, area, referral_id, session_id, person_id, starts_at, ends_at,"
    " status, minutes_credited, created_at, updated_at) SELECT gen_random_uuid(), $1, r.id, s.id,"
    " r.person_id, r.first_attended_at, r.first_attended_at + interval '7 hours',"
    " 'attended_complied', r.minutes_credited, now(), now() FROM s, referrals r"
    " WHERE r.id = $2::uuid";

/* A check of the referral's exit $3 months on, due on the exit date plus the window; recorded
 * (with $4 reoffended) when it has fallen due by today (UTC). */
static const char SQL_CHECK[] =
    "INSERT INTO followup_checks (id, area, referral_id, person_id, window_months, exit_state,"
    " exited_on, due_on, recorded_at, reoffended, first_reoffence_on, source, created_at,"
    " updated_at) SELECT gen_random_uuid(), $1, r.id, r.person_id, $3::int, r.state,"
    " x.exited_on, x.due_on, CASE WHEN x.due THEN now() END, CASE WHEN x.due THEN $4::boolean END,"
    " CASE WHEN x.due AND $4::boolean THEN x.exited_on + 10 END,"
    " CASE WHEN x.due THEN 'pnc_check' END, now(), now()"
    " FROM referrals r, LATERAL (SELECT (r.exited_at AT TIME ZONE 'UTC')::date AS exited_on,"
    " ((r.exited_at AT TIME ZONE 'UTC')::date + make_interval(months => $3::int))::date AS due_on,"
    " ((r.exited_at AT TIME ZONE 'UTC')::date + make_interval(months => $3::int))::date"
    " <= (now() AT TIME ZONE 'UTC')::date AS due) x WHERE r.id = $2::uuid";

typedef struct {
  const char *state; /* completed, non_compliant, submitted */
  bool under_18;
  int attended_after; /* hours; 0: never */
  int minutes;
  bool reoffended[3]; /* at 3, 6, 12 months, for exits */
} seed;

/* A referral made at `created` ("2024-01-02T09:00:00Z"), with its booking and checks. */
static void add(PGconn *c, const char *created, const seed *s) {
  char id[IJ_UUID_BUF], after[16], minutes[16];
  snprintf(after, sizeof after, "%d", s->attended_after);
  snprintf(minutes, sizeof minutes, "%d", s->minutes);
  int exit = strcmp(s->state, "completed") == 0       ? 1
             : strcmp(s->state, "non_compliant") == 0 ? 2
                                                      : 0;
  const char *exit_text = exit == 1 ? "1" : exit == 2 ? "2" : "0";
  const char *p[8] = {AREA,
                      s->under_18 ? "2009-09-01" : "1990-06-01",
                      s->state,
                      created,
                      strcmp(s->state, "submitted") == 0 ? "false" : "true",
                      after,
                      minutes,
                      exit_text};
  sql(c, SQL_REFERRAL, 8, p, id, sizeof id);
  if (s->attended_after > 0) {
    const char *q[2] = {AREA, id};
    sql(c, SQL_BOOKING, 2, q, NULL, 0);
  }
  if (!exit)
    return;
  static const char *const windows[3] = {"3", "6", "12"};
  for (int w = 0; w < 3; w++) {
    const char *q[4] = {AREA, id, windows[w], s->reoffended[w] ? "true" : "false"};
    sql(c, SQL_CHECK, 4, q, NULL, 0);
  }
}

/* `n` referrals alike, made a day apart from `first_day` ("2024-01-02") at 09:00. */
static void add_days(PGconn *c, const char *first_day, int from, int n, const seed *s) {
  for (int i = from; i < from + n; i++) {
    char created[64], offset[16];
    snprintf(offset, sizeof offset, "%d", i);
    const char *q[2] = {first_day, offset};
    sql(c, "SELECT to_char(($1::date + $2::int + time '09:00'), 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
        2, q, created, sizeof created);
    add(c, created, s);
  }
}

/* The quarters of 2024, as built here (targets of 48 hours; exits 20 days after the referral, in
 * the same quarter; every check has fallen due):
 *   Q1: 14 referrals, 5 under 18 and 9 adults; 12 started, 10 within the target; 10 completed
 *       (420 min each) and 2 non-compliant (60 min each): 72.0 h; of the 12 exits 2 reoffended
 *       within 3 months, 5 within 6 and 6 within 12;
 *   Q2: 20 referrals, 6 under 18 and 14 adults; 18 started, 15 within the target; 13 completed
 *       and 5 non-compliant: 96.0 h; of the 18 exits 0 reoffended within 3 months, 4 within 6
 *       and 7 within 12;
 *   Q3: 3 referrals (adults, submitted); Q4: none. */
static void seed_2024(void) {
  PGconn *c = db();
  /* Q1, from 2 January */
  for (int i = 0; i < 14; i++) {
    seed s = {"submitted", false, 0, 0, {false, false, false}};
    if (i < 10) {
      s.state = "completed";
      s.under_18 = i >= 8;
      s.attended_after = i >= 8 ? 72 : 24;
      s.minutes = 420;
    } else if (i < 12) {
      s.state = "non_compliant";
      s.under_18 = true;
      s.attended_after = 24;
      s.minutes = 60;
    } else {
      s.under_18 = i == 12;
    }
    s.reoffended[0] = i == 0 || i == 1;
    s.reoffended[1] = i <= 3 || i == 10;
    s.reoffended[2] = i <= 4 || i == 10;
    add_days(c, "2024-01-02", i, 1, &s);
  }
  /* Q2, from 1 April */
  for (int i = 0; i < 20; i++) {
    seed s = {"submitted", false, 0, 0, {false, false, false}};
    if (i < 13) {
      s.state = "completed";
      s.under_18 = i >= 10;
      s.attended_after = i >= 10 ? 72 : 24;
      s.minutes = 420;
    } else if (i < 18) {
      s.state = "non_compliant";
      s.under_18 = i <= 14;
      s.attended_after = 24;
      s.minutes = 60;
    } else {
      s.under_18 = i == 18;
    }
    s.reoffended[1] = i <= 2 || i == 13;
    s.reoffended[2] = i <= 6;
    add_days(c, "2024-04-01", i, 1, &s);
  }
  /* Q3: three, from 1 July */
  seed waiting = {"submitted", false, 0, 0, {false, false, false}};
  add_days(c, "2024-07-01", 0, 3, &waiting);
  /* outside the period: the last minute of 2023 (not started) and the first of 2025 (its exit in
   * 2025 too) */
  seed before = {"submitted", true, 0, 0, {false, false, false}};
  add(c, "2023-12-31T23:59:00Z", &before);
  seed done = {"completed", false, 24, 420, {true, true, true}};
  add(c, "2025-01-01T00:00:00Z", &done);
  PQfinish(c);
}

/* ---- reading the answers ---- */

static ts_response *get(const char *route, const char *path, const char *token) {
  return ts_http(S, "GET", route, path, token, NULL, NULL);
}

static json_t *quarter(ts_response *r, size_t i) {
  json_t *q = json_array_get(json_object_get(r->json, "quarters"), i);
  ck_assert_msg(q != NULL, "no quarter %zu in %s", i, r->body);
  return q;
}

static void expect_count(json_t *cell, long long value) {
  ck_assert_msg(json_is_false(json_object_get(cell, "suppressed")), "suppressed: %s",
                json_dumps(cell, JSON_COMPACT));
  ck_assert_int_eq(json_integer_value(json_object_get(cell, "value")), value);
}

static void expect_number(json_t *cell, double value) {
  ck_assert(json_is_false(json_object_get(cell, "suppressed")));
  ck_assert_double_eq_tol(json_number_value(json_object_get(cell, "value")), value, 1e-9);
}

static void expect_suppressed(json_t *cell) {
  ck_assert_msg(json_is_true(json_object_get(cell, "suppressed")), "shown: %s",
                json_dumps(cell, JSON_COMPACT));
  ck_assert(json_is_null(json_object_get(cell, "value")));
}

/* The Wilson score interval at 95%, written out here apart from the service's. */
static void wilson(long long k, long long n, double *low, double *high) {
  const double z = 1.959964;
  double p = (double)k / (double)n, d = 1.0 + z * z / (double)n;
  double centre = (p + z * z / (2.0 * (double)n)) / d;
  double half = z * sqrt(p * (1.0 - p) / (double)n + z * z / (4.0 * (double)n * (double)n)) / d;
  *low = k == 0 ? 0.0 : centre - half;
  *high = k == n ? 1.0 : centre + half;
}

static double four(double v) {
  return (double)(long long)(v * 10000.0 + 0.5) / 10000.0;
}

static void expect_rate(json_t *rate, long long k, long long n) {
  ck_assert_msg(json_is_false(json_object_get(rate, "suppressed")), "withheld: %s",
                json_dumps(rate, JSON_COMPACT));
  ck_assert_int_eq(json_integer_value(json_object_get(rate, "numerator")), k);
  ck_assert_int_eq(json_integer_value(json_object_get(rate, "denominator")), n);
  ck_assert_double_eq_tol(json_number_value(json_object_get(rate, "value")),
                          four((double)k / (double)n), 1e-9);
  double low, high;
  wilson(k, n, &low, &high);
  ck_assert_double_eq_tol(json_number_value(json_object_get(rate, "ci_low")), four(low), 1e-9);
  ck_assert_double_eq_tol(json_number_value(json_object_get(rate, "ci_high")), four(high), 1e-9);
}

/* Withheld: no value, no interval; num/den -1 where that part is hidden. */
static void expect_withheld(json_t *rate, long long num, long long den) {
  ck_assert_msg(json_is_true(json_object_get(rate, "suppressed")), "shown: %s",
                json_dumps(rate, JSON_COMPACT));
  ck_assert(json_is_null(json_object_get(rate, "value")));
  ck_assert(json_is_null(json_object_get(rate, "ci_low")));
  ck_assert(json_is_null(json_object_get(rate, "ci_high")));
  json_t *n = json_object_get(rate, "numerator"), *d = json_object_get(rate, "denominator");
  if (num < 0)
    ck_assert(json_is_null(n));
  else
    ck_assert_int_eq(json_integer_value(n), num);
  if (den < 0)
    ck_assert(json_is_null(d));
  else
    ck_assert_int_eq(json_integer_value(d), den);
}

static json_t *window(json_t *q, int i) {
  json_t *w = json_array_get(json_object_get(q, "reoffending"), (size_t)i);
  ck_assert_ptr_nonnull(w);
  static const int months[3] = {3, 6, 12};
  ck_assert_int_eq(json_integer_value(json_object_get(w, "months")), months[i]);
  return w;
}

/* An elapsed window: cohort, reoffended (-1: suppressed) and the rate (checked by the caller). */
static json_t *elapsed(json_t *q, int i, long long cohort, long long reoffended) {
  json_t *w = window(q, i);
  ck_assert(json_is_true(json_object_get(w, "elapsed")));
  ck_assert(json_is_null(json_object_get(w, "note")));
  expect_count(json_object_get(w, "cohort"), cohort);
  if (reoffended < 0)
    expect_suppressed(json_object_get(w, "reoffended"));
  else
    expect_count(json_object_get(w, "reoffended"), reoffended);
  return json_object_get(w, "rate");
}

/* ---- the figures of each quarter ---- */

START_TEST(each_quarters_figures_are_exact_and_suppressed) {
  seed_2024();
  char *comm = ts_token("commissioner", AREA, "pcc-1");
  ts_response *r = get(R_QUARTERLY, "/v1/stats/quarterly?from=2024-01-01&to=2024-12-31", comm);
  ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
  ck_assert_str_eq(json_string_value(json_object_get(r->json, "area")), AREA);
  ck_assert_str_eq(json_string_value(json_object_get(r->json, "scope")), "area");
  ck_assert_str_eq(json_string_value(json_object_get(r->json, "from")), "2024-01-01");
  ck_assert_str_eq(json_string_value(json_object_get(r->json, "to")), "2024-12-31");
  ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(r->json, "note")),
                               "not the Ministry of Justice proven reoffending rate"));
  ck_assert_int_eq(json_array_size(json_object_get(r->json, "quarters")), 4);
  static const char *const names[4][3] = {{"2024-Q1", "2024-01-01", "2024-03-31"},
                                          {"2024-Q2", "2024-04-01", "2024-06-30"},
                                          {"2024-Q3", "2024-07-01", "2024-09-30"},
                                          {"2024-Q4", "2024-10-01", "2024-12-31"}};
  for (size_t i = 0; i < 4; i++) {
    ck_assert_str_eq(json_string_value(json_object_get(quarter(r, i), "quarter")), names[i][0]);
    ck_assert_str_eq(json_string_value(json_object_get(quarter(r, i), "start")), names[i][1]);
    ck_assert_str_eq(json_string_value(json_object_get(quarter(r, i), "end")), names[i][2]);
  }

  /* Q1: its 14 referrals are suppressed beside Q3's 3 (the quarters add up to the period), and
   * so is their split; 2 non-compliant (suppressed) hide the 10 completed too */
  json_t *q = quarter(r, 0);
  expect_suppressed(json_object_get(q, "referrals"));
  expect_suppressed(json_object_get(q, "under_18"));
  expect_suppressed(json_object_get(q, "adults"));
  expect_rate(json_object_get(q, "started_within_target_rate"), 10, 12);
  expect_number(json_object_get(q, "hours_delivered"), 72.0);
  expect_withheld(json_object_get(q, "completion_rate"), -1, 12);
  expect_withheld(json_object_get(q, "non_compliance_rate"), -1, 12);
  expect_withheld(elapsed(q, 0, 12, -1), -1, 12);
  expect_rate(elapsed(q, 1, 12, 5), 5, 12);
  expect_rate(elapsed(q, 2, 12, 6), 6, 12);

  /* Q2: every figure shown */
  q = quarter(r, 1);
  expect_count(json_object_get(q, "referrals"), 20);
  expect_count(json_object_get(q, "under_18"), 6);
  expect_count(json_object_get(q, "adults"), 14);
  expect_rate(json_object_get(q, "started_within_target_rate"), 15, 18);
  expect_number(json_object_get(q, "hours_delivered"), 96.0);
  expect_rate(json_object_get(q, "completion_rate"), 13, 18);
  expect_rate(json_object_get(q, "non_compliance_rate"), 5, 18);
  json_t *zero = elapsed(q, 0, 18, 0);
  expect_rate(zero, 0, 18);
  ck_assert_double_eq(json_number_value(json_object_get(zero, "ci_low")), 0.0);
  expect_withheld(elapsed(q, 1, 18, -1), -1, 18);
  expect_rate(elapsed(q, 2, 18, 7), 7, 18);

  /* Q3: 3 referrals, none started */
  q = quarter(r, 2);
  expect_suppressed(json_object_get(q, "referrals"));
  expect_suppressed(json_object_get(q, "under_18"));
  expect_suppressed(json_object_get(q, "adults"));
  expect_withheld(json_object_get(q, "started_within_target_rate"), 0, 0);
  expect_number(json_object_get(q, "hours_delivered"), 0.0);
  expect_withheld(json_object_get(q, "completion_rate"), 0, 0);
  expect_withheld(elapsed(q, 2, 0, 0), 0, 0);

  /* Q4: nothing, shown as nothing */
  q = quarter(r, 3);
  expect_count(json_object_get(q, "referrals"), 0);
  expect_count(json_object_get(q, "under_18"), 0);
  expect_count(json_object_get(q, "adults"), 0);
  ts_response_free(r);
  free(comm);
}
END_TEST

/* A quarter's figures are the summary's and the reoffending figures' for the quarter's dates. */
START_TEST(a_quarter_is_the_summary_of_its_dates) {
  seed_2024();
  char *comm = ts_token("commissioner", AREA, "pcc-1");
  ts_response *r = get(R_QUARTERLY, "/v1/stats/quarterly?from=2024-01-01&to=2024-06-30", comm);
  ck_assert_int_eq(r->status, 200);
  static const char *const rates[] = {"started_within_target_rate", "completion_rate",
                                      "non_compliance_rate"};
  int compared = 0;
  for (size_t i = 0; i < 2; i++) {
    json_t *q = quarter(r, i);
    char path[256];
    snprintf(path, sizeof path, "/v1/stats/summary?from=%s&to=%s",
             json_string_value(json_object_get(q, "start")),
             json_string_value(json_object_get(q, "end")));
    ts_response *s = get("/v1/stats/summary", path, comm);
    ck_assert_int_eq(s->status, 200);
    json_t *figures = json_object_get(s->json, "figures");
    expect_count(json_object_get(figures, "referrals"), i == 0 ? 14 : 20);
    for (size_t k = 0; k < sizeof rates / sizeof rates[0]; k++)
      ck_assert_msg(json_equal(json_object_get(q, rates[k]), json_object_get(figures, rates[k])),
                    "%s: %s", rates[k], json_dumps(json_object_get(q, rates[k]), JSON_COMPACT));
    ck_assert(json_equal(json_object_get(q, "hours_delivered"),
                         json_object_get(figures, "hours_delivered")));
    ts_response_free(s);
    snprintf(path, sizeof path, "/v1/stats/reoffending?from=%s&to=%s",
             json_string_value(json_object_get(q, "start")),
             json_string_value(json_object_get(q, "end")));
    s = get("/v1/stats/reoffending", path, comm);
    ck_assert_int_eq(s->status, 200);
    for (int w = 0; w < 3; w++) {
      json_t *sw = json_array_get(json_object_get(s->json, "windows"), (size_t)w);
      json_t *qw = window(q, w);
      /* where both exits' counts are shown, the quarter's are their sums */
      static const char *const measures[2] = {"cohort", "reoffended"};
      for (int m = 0; m < 2; m++) {
        json_t *a = json_object_get(json_object_get(sw, "completers"), measures[m]);
        json_t *b = json_object_get(json_object_get(sw, "non_completers"), measures[m]);
        if (json_is_true(json_object_get(a, "suppressed")) ||
            json_is_true(json_object_get(b, "suppressed")))
          continue;
        expect_count(json_object_get(qw, measures[m]),
                     json_integer_value(json_object_get(a, "value")) +
                         json_integer_value(json_object_get(b, "value")));
        compared++;
      }
    }
    ts_response_free(s);
  }
  ck_assert_int_ge(compared, 3); /* Q2's cohorts at least (13 completers, 5 non-completers) */
  ts_response_free(r);
  free(comm);
}
END_TEST

/* ---- windows not yet elapsed, and the default period ---- */

/* The last full quarter before today (UTC), as the test's own SQL computes it. */
typedef struct {
  char start[16], end[16], name[16], due[3][16], from4[16];
  bool elapsed[3];
} recent_quarter;

static void recent_of(PGconn *c, recent_quarter *q) {
  const char *base =
      "(date_trunc('quarter', (now() AT TIME ZONE 'UTC')::date) - interval '3 months')::date";
  char query[1024];
  snprintf(query, sizeof query, "SELECT %s::text", base);
  sql(c, query, 0, NULL, q->start, sizeof q->start);
  snprintf(query, sizeof query, "SELECT (%s + interval '3 months' - interval '1 day')::date::text",
           base);
  sql(c, query, 0, NULL, q->end, sizeof q->end);
  snprintf(query, sizeof query, "SELECT to_char(%s, 'YYYY') || '-Q' || to_char(%s, 'Q')", base,
           base);
  sql(c, query, 0, NULL, q->name, sizeof q->name);
  snprintf(query, sizeof query, "SELECT (%s - interval '9 months')::date::text", base);
  sql(c, query, 0, NULL, q->from4, sizeof q->from4);
  static const char *const months[3] = {"3", "6", "12"};
  for (int w = 0; w < 3; w++) {
    const char *p[2] = {q->end, months[w]};
    sql(c, "SELECT ($1::date + make_interval(months => $2::int))::date::text", 2, p, q->due[w],
        sizeof q->due[w]);
    char yes[8];
    const char *d[1] = {q->due[w]};
    sql(c, "SELECT ($1::date <= (now() AT TIME ZONE 'UTC')::date)::text", 1, d, yes, sizeof yes);
    q->elapsed[w] = strcmp(yes, "true") == 0;
  }
}

START_TEST(windows_not_elapsed_are_null_with_a_note) {
  PGconn *c = db();
  recent_quarter rq;
  recent_of(c, &rq);
  /* 12 completers made from the quarter's first day; none reoffended where checked */
  seed done = {"completed", false, 24, 420, {false, false, false}};
  add_days(c, rq.start, 0, 12, &done);
  PQfinish(c);
  char *comm = ts_token("commissioner", AREA, "pcc-1");

  /* the default period: the last four full quarters, this one last */
  ts_response *r = get(R_QUARTERLY, "/v1/stats/quarterly", comm);
  ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
  ck_assert_str_eq(json_string_value(json_object_get(r->json, "from")), rq.from4);
  ck_assert_str_eq(json_string_value(json_object_get(r->json, "to")), rq.end);
  ck_assert_int_eq(json_array_size(json_object_get(r->json, "quarters")), 4);
  json_t *q = quarter(r, 3);
  ck_assert_str_eq(json_string_value(json_object_get(q, "quarter")), rq.name);
  ck_assert_str_eq(json_string_value(json_object_get(q, "start")), rq.start);
  expect_count(json_object_get(q, "referrals"), 12);
  expect_count(json_object_get(q, "adults"), 12);
  expect_rate(json_object_get(q, "completion_rate"), 12, 12);
  for (int w = 0; w < 3; w++) {
    json_t *win = window(q, w);
    ck_assert_str_eq(json_string_value(json_object_get(win, "elapses_on")), rq.due[w]);
    if (rq.elapsed[w]) {
      expect_rate(elapsed(q, w, 12, 0), 0, 12);
      continue;
    }
    ck_assert(json_is_false(json_object_get(win, "elapsed")));
    ck_assert(json_is_null(json_object_get(win, "cohort")));
    ck_assert(json_is_null(json_object_get(win, "reoffended")));
    ck_assert(json_is_null(json_object_get(win, "rate")));
    const char *note = json_string_value(json_object_get(win, "note"));
    ck_assert_ptr_nonnull(note);
    ck_assert_ptr_nonnull(strstr(note, rq.due[w]));
  }
  /* 6 and 12 months cannot have elapsed for the last full quarter */
  ck_assert(!rq.elapsed[1] && !rq.elapsed[2]);
  ts_response_free(r);

  /* the CSV leaves out the windows not elapsed */
  char path[256];
  snprintf(path, sizeof path, "%s?from=%s&to=%s", R_QUARTERLY_CSV, rq.start, rq.end);
  r = get(R_QUARTERLY_CSV, path, comm);
  ck_assert_int_eq(r->status, 200);
  ck_assert_ptr_null(strstr(r->body, ",6,reoffending_rate,"));
  ck_assert_ptr_null(strstr(r->body, ",12,reoffending_rate,"));
  ck_assert((strstr(r->body, ",3,reoffending_rate,") != NULL) == rq.elapsed[0]);
  ts_response_free(r);
  free(comm);
}
END_TEST

/* ---- CSV ---- */

typedef struct {
  int nrows;
  char *rows[200][12];
  char *text;
} csv_table;

static void csv_parse(const char *body, csv_table *t) {
  memset(t, 0, sizeof *t);
  t->text = strdup(body);
  char *line = t->text;
  while (line && *line) {
    char *end = strstr(line, "\r\n");
    ck_assert_msg(end != NULL, "a CSV record does not end in CRLF");
    *end = 0;
    ck_assert_int_lt(t->nrows, 200);
    int f = 0;
    for (char *p = line;; f++) {
      ck_assert_int_lt(f, 12);
      t->rows[t->nrows][f] = p;
      char *comma = strchr(p, ',');
      if (!comma)
        break;
      *comma = 0;
      p = comma + 1;
    }
    ck_assert_int_eq(f, 11); /* twelve columns in every record */
    t->nrows++;
    line = end + 2;
  }
}

static char **csv_row(csv_table *t, const char *quarter_name, const char *months,
                      const char *measure) {
  for (int i = 1; i < t->nrows; i++)
    if (strcmp(t->rows[i][3], quarter_name) == 0 && strcmp(t->rows[i][4], months) == 0 &&
        strcmp(t->rows[i][5], measure) == 0)
      return t->rows[i];
  ck_abort_msg("no CSV row %s/%s/%s", quarter_name, months, measure);
  return NULL;
}

static void expect_same(const char *csv, json_t *v) {
  if (!v || json_is_null(v)) {
    ck_assert_str_eq(csv, "");
    return;
  }
  ck_assert_msg(strlen(csv) > 0, "CSV empty where JSON has a value");
  ck_assert_double_eq_tol(strtod(csv, NULL), json_number_value(v), 1e-9);
}

static void expect_row(char **row, json_t *cell) {
  expect_same(row[6], json_object_get(cell, "value"));
  expect_same(row[7], json_object_get(cell, "ci_low"));
  expect_same(row[8], json_object_get(cell, "ci_high"));
  expect_same(row[9], json_object_get(cell, "numerator"));
  expect_same(row[10], json_object_get(cell, "denominator"));
  ck_assert_str_eq(row[11], json_is_true(json_object_get(cell, "suppressed")) ? "true" : "false");
}

static void expect_csv_matches(const ts_response *csv, const ts_response *json) {
  ck_assert_msg(strncmp(csv->content_type, "text/csv", 8) == 0, "%s", csv->content_type);
  csv_table *t = malloc(sizeof *t);
  csv_parse(csv->body, t);
  static const char *const header[12] = {"area",          "from",      "to",          "quarter",
                                         "window_months", "measure",   "value",       "ci_low",
                                         "ci_high",       "numerator", "denominator", "suppressed"};
  for (int i = 0; i < 12; i++)
    ck_assert_str_eq(t->rows[0][i], header[i]);
  static const char *const measures[] = {"referrals",
                                         "under_18",
                                         "adults",
                                         "started_within_target_rate",
                                         "hours_delivered",
                                         "completion_rate",
                                         "non_compliance_rate"};
  int expected = 1;
  json_t *quarters = json_object_get(json->json, "quarters");
  for (size_t i = 0; i < json_array_size(quarters); i++) {
    json_t *q = json_array_get(quarters, i);
    const char *name = json_string_value(json_object_get(q, "quarter"));
    for (size_t m = 0; m < sizeof measures / sizeof measures[0]; m++, expected++) {
      char **row = csv_row(t, name, "", measures[m]);
      ck_assert_str_eq(row[0], AREA);
      expect_row(row, json_object_get(q, measures[m]));
    }
    for (int w = 0; w < 3; w++) {
      json_t *win = window(q, w);
      if (!json_is_true(json_object_get(win, "elapsed")))
        continue;
      char months[8];
      snprintf(months, sizeof months, "%d",
               (int)json_integer_value(json_object_get(win, "months")));
      expect_row(csv_row(t, name, months, "reoffending_cohort"), json_object_get(win, "cohort"));
      expect_row(csv_row(t, name, months, "reoffended"), json_object_get(win, "reoffended"));
      expect_row(csv_row(t, name, months, "reoffending_rate"), json_object_get(win, "rate"));
      expected += 3;
    }
  }
  ck_assert_int_eq(t->nrows, expected);
  free(t->text);
  free(t);
}

START_TEST(csv_by_path_and_by_accept_equals_json) {
  seed_2024();
  char *comm = ts_token("commissioner", AREA, "pcc-1");
  ts_response *json = get(R_QUARTERLY, "/v1/stats/quarterly?from=2024-01-01&to=2024-12-31", comm);
  ck_assert_int_eq(json->status, 200);
  ts_response *csv =
      get(R_QUARTERLY_CSV, "/v1/stats/quarterly.csv?from=2024-01-01&to=2024-12-31", comm);
  ck_assert_int_eq(csv->status, 200);
  expect_csv_matches(csv, json);
  ck_assert_ptr_null(strstr(csv->body, "Quarterly Person"));
  ts_response_free(csv);
  static const char *const accept[] = {"Accept: text/csv", NULL};
  csv = ts_http(S, "GET", R_QUARTERLY, "/v1/stats/quarterly?from=2024-01-01&to=2024-12-31", comm,
                accept, NULL);
  ck_assert_int_eq(csv->status, 200);
  expect_csv_matches(csv, json);
  ts_response_free(csv);
  ts_response_free(json);
  free(comm);
}
END_TEST

/* ---- the workbook ---- */

/* The text of a worksheet cell ("D9") in the sheet's XML: its <v> number or its inline <t>
 * string; "" for none. Owned: free(). */
static char *xlsx_cell(const char *xml, const char *ref) {
  char open[32];
  snprintf(open, sizeof open, "<c r=\"%s\"", ref);
  const char *c = strstr(xml, open);
  if (!c)
    return strdup("");
  const char *end = strstr(c, "</c>");
  const char *v = strstr(c, "<v>"), *t = strstr(c, "<t>");
  const char *start = v && v < end ? v + 3 : t && t < end ? t + 3 : NULL;
  if (!start)
    return strdup("");
  const char *stop = strchr(start, '<');
  return strndup(start, (size_t)(stop - start));
}

/* The row number of the row holding the string `text`. */
static int xlsx_row_of(const char *xml, const char *text) {
  char needle[64];
  snprintf(needle, sizeof needle, "<t>%s</t>", text);
  const char *at = strstr(xml, needle);
  ck_assert_msg(at != NULL, "no cell %s in the sheet", text);
  const char *row = NULL;
  for (const char *p = xml; (p = strstr(p, "<row r=\"")) && p < at; p++)
    row = p;
  ck_assert_ptr_nonnull(row);
  return atoi(row + 8);
}

static void expect_xlsx_number(const char *xml, const char *column, int row, double want) {
  char ref[16];
  snprintf(ref, sizeof ref, "%s%d", column, row);
  char *v = xlsx_cell(xml, ref);
  ck_assert_msg(v[0] && strcmp(v, "[c]") != 0, "%s: '%s'", ref, v);
  ck_assert_double_eq_tol(strtod(v, NULL), want, 1e-9);
  free(v);
}

static void expect_xlsx_text(const char *xml, const char *column, int row, const char *want) {
  char ref[16];
  snprintf(ref, sizeof ref, "%s%d", column, row);
  char *v = xlsx_cell(xml, ref);
  ck_assert_str_eq(v, want);
  free(v);
}

/* Writes the workbook to a file, checks it is a sound zip archive with a workbook's parts, and
 * returns the first sheet's XML (owned). */
static char *sheet_of(const ts_response *r) {
  ck_assert_int_gt((long)r->body_len, 100);
  ck_assert(memcmp(r->body, "PK\x03\x04", 4) == 0);
  char path[] = "/tmp/ij-quarterly-test-XXXXXX";
  int fd = mkstemp(path);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(write(fd, r->body, r->body_len), (ssize_t)r->body_len);
  close(fd);
  char command[256];
  snprintf(command, sizeof command, "unzip -tq %s >/dev/null 2>&1", path);
  ck_assert_msg(system(command) == 0, "the workbook is not a sound zip archive");
  snprintf(command, sizeof command, "unzip -Z1 %s 2>/dev/null", path);
  FILE *list = popen(command, "r");
  ck_assert_ptr_nonnull(list);
  char names[4096] = "";
  size_t n = fread(names, 1, sizeof names - 1, list);
  names[n] = 0;
  pclose(list);
  ck_assert_ptr_nonnull(strstr(names, "[Content_Types].xml"));
  ck_assert_ptr_nonnull(strstr(names, "xl/workbook.xml"));
  ck_assert_ptr_nonnull(strstr(names, "xl/worksheets/sheet1.xml"));
  snprintf(command, sizeof command, "unzip -p %s xl/worksheets/sheet1.xml", path);
  FILE *p = popen(command, "r");
  ck_assert_ptr_nonnull(p);
  size_t cap = 1 << 16, len = 0;
  char *xml = malloc(cap);
  for (size_t got; (got = fread(xml + len, 1, cap - len - 1, p)) > 0;) {
    len += got;
    if (len + 1 == cap)
      xml = realloc(xml, cap *= 2);
  }
  xml[len] = 0;
  pclose(p);
  unlink(path);
  ck_assert_ptr_nonnull(strstr(xml, "<worksheet"));
  return xml;
}

START_TEST(the_workbook_holds_the_figures) {
  seed_2024();
  char *comm = ts_token("commissioner", AREA, "pcc-1");
  ts_response *r =
      get(R_QUARTERLY_XLSX, "/v1/stats/quarterly.xlsx?from=2024-01-01&to=2024-12-31", comm);
  ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
  ck_assert_str_eq(r->content_type, XLSX_TYPE);
  char *xml = sheet_of(r);
  ts_response_free(r);
  /* Q2: referrals, the split, each rate with its interval, the hours, the windows */
  int row = xlsx_row_of(xml, "2024-Q2");
  expect_xlsx_text(xml, "B", row, "2024-04-01");
  expect_xlsx_text(xml, "C", row, "2024-06-30");
  expect_xlsx_number(xml, "D", row, 20);
  expect_xlsx_number(xml, "E", row, 6);
  expect_xlsx_number(xml, "F", row, 14);
  double low, high;
  static const struct {
    const char *value, *low, *high;
    long long k, n;
  } rates[] = {{"G", "H", "I", 15, 18},
               {"K", "L", "M", 13, 18},
               {"N", "O", "P", 5, 18},
               {"Q", "R", "S", 0, 18},
               {"W", "X", "Y", 7, 18}};
  for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
    wilson(rates[i].k, rates[i].n, &low, &high);
    expect_xlsx_number(xml, rates[i].value, row, four((double)rates[i].k / (double)rates[i].n));
    expect_xlsx_number(xml, rates[i].low, row, four(low));
    expect_xlsx_number(xml, rates[i].high, row, four(high));
  }
  expect_xlsx_number(xml, "J", row, 96);
  expect_xlsx_text(xml, "T", row, "[c]"); /* 4 reoffended within 6 months */
  expect_xlsx_text(xml, "U", row, "[c]");
  /* Q1: referrals and the split suppressed, its start rate shown */
  row = xlsx_row_of(xml, "2024-Q1");
  expect_xlsx_text(xml, "D", row, "[c]");
  expect_xlsx_text(xml, "E", row, "[c]");
  expect_xlsx_number(xml, "G", row, four(10.0 / 12.0));
  expect_xlsx_text(xml, "K", row, "[c]");
  expect_xlsx_number(xml, "J", row, 72);
  ck_assert_ptr_nonnull(strstr(xml, "suppressed"));
  free(xml);

  /* by the Accept header on the JSON path too */
  char header[160];
  snprintf(header, sizeof header, "Accept: %s", XLSX_TYPE);
  const char *const accept[] = {header, NULL};
  r = ts_http(S, "GET", R_QUARTERLY, "/v1/stats/quarterly?from=2024-01-01&to=2024-12-31", comm,
              accept, NULL);
  ck_assert_int_eq(r->status, 200);
  ck_assert_str_eq(r->content_type, XLSX_TYPE);
  xml = sheet_of(r);
  expect_xlsx_number(xml, "D", xlsx_row_of(xml, "2024-Q2"), 20);
  free(xml);
  ts_response_free(r);
  free(comm);
}
END_TEST

/* ---- who may read it, and what the query may hold ---- */

START_TEST(roles_scopes_and_bad_queries) {
  char *officer = ts_token("officer", AREA, "pc-1");
  ts_response *r = get(R_QUARTERLY, "/v1/stats/quarterly", officer);
  ck_assert_int_eq(r->status, 403);
  ts_response_free(r);
  r = get(R_QUARTERLY_XLSX, "/v1/stats/quarterly.xlsx", officer);
  ck_assert_int_eq(r->status, 403);
  ts_response_free(r);
  free(officer);
  char *comm = ts_token("commissioner", AREA, "pcc-1");
  r = get(R_QUARTERLY, "/v1/stats/quarterly?scope=national", comm);
  ck_assert_int_eq(r->status, 403);
  ts_response_free(r);
  static const char *const bad[] = {"/v1/stats/quarterly?from=2024-13-01",
                                    "/v1/stats/quarterly?from=2025-01-01&to=2024-01-01",
                                    "/v1/stats/quarterly?from=2010-01-01&to=2024-12-31",
                                    "/v1/stats/quarterly?ward=nowhere",
                                    "/v1/stats/quarterly?placement_type=juggling",
                                    "/v1/stats/quarterly?offence_category=x"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    r = get(R_QUARTERLY, bad[i], comm);
    ck_assert_msg(r->status == 422, "%s: %ld %s", bad[i], r->status, r->body);
    ts_response_free(r);
  }
  /* the return splits by age itself: no age band */
  r = get(R_QUARTERLY, "/v1/stats/quarterly?age_band=10-17", comm);
  ck_assert_msg(r->status == 400 || r->status == 422, "%ld", r->status);
  ts_response_free(r);
  free(comm);
  char *coord = ts_token("coordinator", AREA, "coord-1");
  r = get(R_QUARTERLY, "/v1/stats/quarterly?ward=ward-a", coord);
  ck_assert_int_eq(r->status, 200);
  ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r->json, "filters"), "ward")),
                   "ward-a");
  ts_response_free(r);
  free(coord);
  char *national = ts_token("national_commissioner", AREA, "ncc-1");
  r = get(R_QUARTERLY, "/v1/stats/quarterly?scope=national&from=2024-01-01&to=2024-12-31",
          national);
  ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
  ck_assert_str_eq(json_string_value(json_object_get(r->json, "area")), "national");
  ck_assert_str_eq(json_string_value(json_object_get(r->json, "scope")), "national");
  ck_assert_int_eq(json_array_size(json_object_get(r->json, "quarters")), 4);
  ts_response_free(r);
  r = get(R_QUARTERLY_CSV, "/v1/stats/quarterly.csv?scope=national&from=2024-01-01&to=2024-12-31",
          national);
  ck_assert_int_eq(r->status, 200);
  ck_assert_ptr_nonnull(strstr(r->body, "national,2024-01-01,2024-12-31,2024-Q1,,referrals,"));
  ts_response_free(r);
  free(national);
}
END_TEST

Suite *http_stats_quarterly_suite(void) {
  Suite *s = suite_create("http_stats_quarterly");
  TCase *tc = tcase_create("quarterly");
  tcase_set_timeout(tc, 300);
  tcase_add_checked_fixture(tc, http_setup, http_teardown);
  tcase_add_test(tc, each_quarters_figures_are_exact_and_suppressed);
  tcase_add_test(tc, a_quarter_is_the_summary_of_its_dates);
  tcase_add_test(tc, windows_not_elapsed_are_null_with_a_note);
  tcase_add_test(tc, csv_by_path_and_by_accept_equals_json);
  tcase_add_test(tc, the_workbook_holds_the_figures);
  tcase_add_test(tc, roles_scopes_and_bad_queries);
  suite_add_tcase(s, tc);
  return s;
}
