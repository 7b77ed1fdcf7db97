/* Commissioners' statistics through the real path: a fresh area seeded by SQL with known
 * referrals, bookings and reoffending checks; exact figures, suppression, filters, the monthly
 * series, CSV equal to JSON, bad filters, roles; and a commissioner refused every personal-data
 * route in the route table. */
#include <libpq-fe.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ij/ops.h"
#include "ij/store/reference.h"
#include "suites.h"

static const char *const R_SUMMARY = "/v1/stats/summary";
static const char *const R_SUMMARY_CSV = "/v1/stats/summary.csv";
static const char *const R_REOFFENDING = "/v1/stats/reoffending";
static const char *const R_REOFFENDING_CSV = "/v1/stats/reoffending.csv";

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

/* A referral as the summary sees it. */
typedef struct {
  const char *ward;
  const char *state;
  const char *created;    /* "2025-01-10T10:00:00Z" */
  const char *dob;        /* date of birth: the age band on the offence date (created - 2 days) */
  const char *category;   /* offence category */
  int attended_after;     /* hours from referral to the first attended session; 0: none */
  int minutes;            /* credited */
  const char *ptype;      /* the placement type of the attended booking */
  bool accepted;          /* hours confirmed */
  int exit;               /* 0 none, 1 completed, 2 non_compliant */
  const char *rereferral; /* rereferral_of, or NULL */
} seed;

static const char SQL_REFERRAL[] =
    "WITH pe AS (INSERT INTO people (id, area, name, date_of_birth, created_at, updated_at)"
    " VALUES (gen_random_uuid(), $1, 'Statistics Person', $2::date, now(), now()) RETURNING id)"
    " INSERT INTO referrals (id, area, person_id, state, version, officer_sub, officer_name,"
    " offence_date, offence_category, ward, disposal, consent_recorded, hours_proposed,"
    " hours_confirmed, target_start_by, first_attended_at, minutes_credited, completed_at,"
    " exited_at, rereferral_of, rereferral_months, created_at, updated_at)"
    " SELECT gen_random_uuid(), $1, pe.id, $3, 1, 'pc-1', 'PC 1', ($4::timestamptz)::date - 2,"
    " $5, $6, 'community_resolution', true, 7, CASE WHEN $7::boolean THEN 7 END,"
    " $4::timestamptz + interval '48 hours',"
    " CASE WHEN $8::int > 0 THEN $4::timestamptz + make_interval(hours => $8::int) END, $9::int,"
    " CASE WHEN $10::int = 1 THEN $4::timestamptz + interval '20 days' END,"
    " CASE WHEN $10::int > 0 THEN $4::timestamptz + interval '20 days' END, $11::uuid,"
    " CASE WHEN $11::uuid IS NOT NULL THEN 3 END, $4::timestamptz, $4::timestamptz FROM pe"
    " RETURNING id";

/* A booking of a referral on a session of a new placement of the type, starting `start`. */
static const char SQL_BOOKING[] =
    "WITH pl AS (INSERT INTO placements (id, area, name, type, provider, ward, supervisor_sub,"
    " supervisor_name, created_at, updated_at) VALUES (gen_random_uuid(), $1, 'Placement', $2,"
    " 'Provider', 'ward-a', 'sup-1', 'Sup', now(), now()) RETURNING id),"
    " s AS (INSERT INTO sessions (id, area, placement_id, starts_at, ends_at, capacity,"
    " supervisor_sub, supervisor_name, created_at, updated_at) SELECT gen_random_uuid(), $1, pl.id,"
    " $3::timestamptz, $3::timestamptz + interval '7 hours', 10, 'sup-1', 'Sup', now(), now()"
    " FROM pl RETURNING id)"
    " INSERT INTO bookings (id, area, referral_id, session_id, person_id, starts_at, ends_at,"
    " status, minutes_credited, created_at, updated_at) SELECT gen_random_uuid(), $1, r.id, s.id,"
    " r.person_id, $3::timestamptz, $3::timestamptz + interval '7 hours', $4, $5::int, now(),"
    " now() FROM s, referrals r WHERE r.id = $6::uuid";

static void booking(PGconn *c, const char *referral, const char *ptype, const char *start,
                    const char *status, int minutes) {
  char m[16];
  snprintf(m, sizeof m, "%d", minutes);
  const char *p[6] = {AREA, ptype, start, status, m, referral};
  sql(c, SQL_BOOKING, 6, p, NULL, 0);
}

/* Inserts the referral (and its attended booking), writes its id. */
static void add(PGconn *c, const seed *s, char id[IJ_UUID_BUF]) {
  char after[16], minutes[16], exit[8];
  snprintf(after, sizeof after, "%d", s->attended_after);
  snprintf(minutes, sizeof minutes, "%d", s->minutes);
  snprintf(exit, sizeof exit, "%d", s->exit);
  const char *p[11] = {AREA,
                       s->dob ? s->dob : "1990-06-01",
                       s->state,
                       s->created,
                       s->category ? s->category : "asb",
                       s->ward,
                       s->accepted ? "true" : "false",
                       after,
                       minutes,
                       exit,
                       s->rereferral};
  sql(c, SQL_REFERRAL, 11, p, id, IJ_UUID_BUF);
  if (s->attended_after > 0) {
    char start[64];
    const char *q[2] = {s->created, after};
    sql(c,
        "SELECT to_char(($1::timestamptz + make_interval(hours => $2::int)) AT TIME ZONE 'UTC',"
        " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
        2, q, start, sizeof start);
    booking(c, id, s->ptype ? s->ptype : "gardening", start, "attended_complied", s->minutes);
  }
}

/* The known data of the summary tests, all made in January to March 2025:
 *   ward-a (23): 5 rejected, 1 submitted, 10 completed (9 + 1 closed; 8 started within the
 *     target, 2 late; 7 h on gardening), 5 non-compliant (1 h litter picking each, plus an
 *     unacceptable absence), 1 in progress (2 h graffiti removal), 1 withdrawn after acceptance
 *     (a cancelled booking);
 *   ward-b (8, people aged 15, offence shop_theft): 3 rejected, 5 completed (7 h charity work; one
 *     a re-referral); two completers also had an acceptable absence.
 * Jan: ward-a 12 + ward-b 4; Feb: ward-a 8 + ward-b 4; Mar: ward-a 3. */
static void seed_summary(void) {
  PGconn *c = db();
  char id[IJ_UUID_BUF], first[IJ_UUID_BUF] = "";
  int n = 0;
  /* creation times: the first 12 of ward-a in January, 8 in February, 3 in March */
  static const char *const a_times[23] = {
      "2025-01-03T09:00:00Z", "2025-01-04T09:00:00Z", "2025-01-05T09:00:00Z",
      "2025-01-06T09:00:00Z", "2025-01-07T09:00:00Z", "2025-01-08T09:00:00Z",
      "2025-01-09T09:00:00Z", "2025-01-10T09:00:00Z", "2025-01-11T09:00:00Z",
      "2025-01-12T09:00:00Z", "2025-01-13T09:00:00Z", "2025-01-14T09:00:00Z",
      "2025-02-03T09:00:00Z", "2025-02-04T09:00:00Z", "2025-02-05T09:00:00Z",
      "2025-02-06T09:00:00Z", "2025-02-07T09:00:00Z", "2025-02-08T09:00:00Z",
      "2025-02-09T09:00:00Z", "2025-02-10T09:00:00Z", "2025-03-03T09:00:00Z",
      "2025-03-04T09:00:00Z", "2025-03-31T23:30:00Z"};
  /* 10 completed: indexes 0-9 (January: 0-9); 2 of them late (8, 9); index 9 closed */
  for (int i = 0; i < 10; i++) {
    seed s = {"ward-a",     i == 9 ? "closed" : "completed",
              a_times[n++], NULL,
              NULL,         i >= 8 ? 72 : 24,
              420,          "gardening",
              true,         1,
              NULL};
    add(c, &s, id);
    if (!first[0])
      memcpy(first, id, sizeof first);
  }
  /* 5 non-compliant: 10, 11 (January), 12-14 (February) */
  for (int i = 0; i < 5; i++) {
    seed s = {"ward-a", "non_compliant",  a_times[n++], NULL, NULL, 24,
              60,       "litter_picking", true,         2,    NULL};
    add(c, &s, id);
    booking(c, id, "litter_picking", "2025-06-01T09:00:00Z", "absent_unacceptable", 0);
  }
  {
    seed s = {"ward-a", "in_progress",      a_times[n++], NULL, NULL, 24,
              120,      "graffiti_removal", true,         0,    NULL};
    add(c, &s, id);
  }
  {
    seed s = {"ward-a", "withdrawn", a_times[n++], NULL, NULL, 0, 0, NULL, true, 0, NULL};
    add(c, &s, id);
    booking(c, id, "gardening", "2025-06-02T09:00:00Z", "cancelled", 0);
  }
  for (int i = 0; i < 5; i++) { /* 17, 18, 19 (February), 20, 21 (March) */
    seed s = {"ward-a", "rejected", a_times[n++], NULL, NULL, 0, 0, NULL, false, 0, NULL};
    add(c, &s, id);
  }
  {
    seed s = {"ward-a", "submitted", a_times[n++], NULL, NULL, 0, 0, NULL, false, 0, NULL};
    add(c, &s, id);
  }
  ck_assert_int_eq(n, 23);
  /* ward-b: aged 15 on the offence date, shop theft */
  static const char *const b_times[8] = {"2025-01-20T09:00:00Z", "2025-01-21T09:00:00Z",
                                         "2025-01-22T09:00:00Z", "2025-01-23T09:00:00Z",
                                         "2025-02-20T09:00:00Z", "2025-02-21T09:00:00Z",
                                         "2025-02-22T09:00:00Z", "2025-02-23T09:00:00Z"};
  for (int i = 0; i < 8; i++) {
    bool done = i < 5;
    seed s = {"ward-b",
              done ? "completed" : "rejected",
              b_times[i],
              "2009-09-01",
              "shop_theft",
              done ? 24 : 0,
              done ? 420 : 0,
              "charity_work",
              done,
              done ? 1 : 0,
              i == 0 ? first : NULL};
    add(c, &s, id);
    if (i < 2)
      booking(c, id, "charity_work", "2025-06-03T09:00:00Z", "absent_acceptable", 0);
  }
  /* a referral of another period and one of another area do not count */
  seed before = {
      "ward-a", "completed", "2024-12-31T23:59:00Z", NULL, NULL, 24, 420, "gardening", true,
      1,        NULL};
  add(c, &before, id);
  PQfinish(c);
}

/* ---- reading the answers ---- */

static json_t *fig(ts_response *r, const char *name) {
  json_t *f = json_object_get(json_object_get(r->json, "figures"), name);
  ck_assert_msg(f != NULL, "no figure %s in %s", name, r->body);
  return f;
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
  ck_assert(json_is_true(json_object_get(cell, "suppressed")));
  ck_assert(json_is_null(json_object_get(cell, "value")));
}

/* The 95% Wilson score interval of num in den, written out here apart from the service's. */
static void wilson(long long num, long long den, double *low, double *high) {
  double n = (double)den, p = (double)num / n, z = 1.959964;
  double centre = (p + z * z / (2 * n)) / (1 + z * z / n);
  double half = z / (1 + z * z / n) * sqrt(p * (1 - p) / n + z * z / (4 * n * n));
  *low = num == 0 ? 0.0 : centre - half;
  *high = num == den ? 1.0 : centre + half;
}

static void expect_rate(json_t *rate, long long num, long long den) {
  ck_assert(json_is_false(json_object_get(rate, "suppressed")));
  ck_assert_int_eq(json_integer_value(json_object_get(rate, "numerator")), num);
  ck_assert_int_eq(json_integer_value(json_object_get(rate, "denominator")), den);
  double want = (double)(long long)((double)num / (double)den * 10000.0 + 0.5) / 10000.0;
  ck_assert_double_eq_tol(json_number_value(json_object_get(rate, "value")), want, 1e-9);
  /* its interval, to the four decimals it is given in */
  double low, high;
  wilson(num, den, &low, &high);
  json_t *ci_low = json_object_get(rate, "ci_low"), *ci_high = json_object_get(rate, "ci_high");
  ck_assert_msg(json_is_number(ci_low) && json_is_number(ci_high), "no interval: %s",
                json_dumps(rate, JSON_COMPACT));
  ck_assert_double_eq_tol(json_number_value(ci_low), low, 0.00005 + 1e-9);
  ck_assert_double_eq_tol(json_number_value(ci_high), high, 0.00005 + 1e-9);
  ck_assert(json_number_value(ci_low) <= want && want <= json_number_value(ci_high));
}

/* A withheld rate; num/den -1 when that part is hidden, else its value. */
static void expect_withheld(json_t *rate, long long num, long long den) {
  ck_assert(json_is_true(json_object_get(rate, "suppressed")));
  ck_assert(json_is_null(json_object_get(rate, "value")));
  /* no interval where the rate is not shown */
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

static ts_response *get(const char *route, const char *path, const char *token) {
  return ts_http(S, "GET", route, path, token, NULL, NULL);
}

static const char *const PERIOD = "from=2025-01-01&to=2025-03-31";

static ts_response *summary(const char *token, const char *extra) {
  char path[256];
  snprintf(path, sizeof path, "%s?%s%s%s", R_SUMMARY, PERIOD, extra ? "&" : "", extra ? extra : "");
  ts_response *r = get(R_SUMMARY, path, token);
  ck_assert_msg(r->status == 200, "%s: %ld %s", path, r->status, r->body);
  return r;
}

/* ---- tests ---- */

START_TEST(summary_figures_are_exact_and_small_numbers_suppressed) {
  seed_summary();
  char *comm = ts_token("commissioner", AREA, "pcc-1");
  ts_response *r = summary(comm, NULL);
  ck_assert_str_eq(json_string_value(json_object_get(r->json, "area")), AREA);
  ck_assert_str_eq(json_string_value(json_object_get(r->json, "from")), "2025-01-01");
  ck_assert_str_eq(json_string_value(json_object_get(r->json, "to")), "2025-03-31");
  json_t *th = json_object_get(r->json, "thresholds");
  ck_assert_int_eq(json_integer_value(json_object_get(th, "min_count")), 5);
  ck_assert_int_eq(json_integer_value(json_object_get(th, "min_denominator")), 10);
  expect_count(fig(r, "referrals"), 31);
  expect_count(fig(r, "accepted"), 22); /* 17 + 5: the withdrawal after acceptance counts */
  expect_count(fig(r, "rejected"), 8);
  expect_rate(fig(r, "acceptance_rate"), 22, 30);
  expect_count(fig(r, "started"), 21);
  expect_number(fig(r, "median_hours_to_first_session"), 24.0);
  expect_rate(fig(r, "started_within_target_rate"), 19, 21);
  expect_count(fig(r, "completed"), 15); /* the closed one completed first */
  expect_count(fig(r, "non_compliant"), 5);
  expect_count(fig(r, "exited"), 20);
  expect_rate(fig(r, "completion_rate"), 15, 20);
  expect_rate(fig(r, "non_compliance_rate"), 5, 20);
  expect_number(fig(r, "hours_delivered"), 112.0);
  expect_rate(fig(r, "attendance_rate"), 21, 26); /* cancelled and acceptable absences left out */
  expect_withheld(fig(r, "rereferral_rate"), -1, 31); /* 1 re-referral: suppressed */

  /* every month of the period; March's 3 is suppressed and February's 12 with it (the next
   * smallest), so that neither can be had from the total of 31 */
  json_t *monthly = json_object_get(r->json, "monthly");
  ck_assert_int_eq(json_array_size(monthly), 3);
  const char *months[3] = {"2025-01", "2025-02", "2025-03"};
  for (int i = 0; i < 3; i++)
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(monthly, i), "month")),
                     months[i]);
  expect_count(json_object_get(json_array_get(monthly, 0), "referrals"), 16);
  expect_suppressed(json_object_get(json_array_get(monthly, 1), "referrals"));
  expect_suppressed(json_object_get(json_array_get(monthly, 2), "referrals"));
  /* completed by month of referral: 10 + 4 in January, 1 in February (2025-02-20), 0 in March:
   * the 1 is suppressed, and the smallest other non-zero month (January) with it; 0 is shown */
  expect_suppressed(json_object_get(json_array_get(monthly, 0), "completed"));
  expect_suppressed(json_object_get(json_array_get(monthly, 1), "completed"));
  expect_count(json_object_get(json_array_get(monthly, 2), "completed"), 0);

  /* hours by placement type: graffiti removal (2 h of one person) suppressed, and litter picking
   * (5 h, the next smallest) with it */
  json_t *types = json_object_get(r->json, "hours_by_placement_type");
  ck_assert_int_eq(json_array_size(types), 6);
  for (size_t i = 0; i < json_array_size(types); i++) {
    json_t *t = json_array_get(types, i);
    const char *type = json_string_value(json_object_get(t, "placement_type"));
    json_t *hours = json_object_get(t, "hours");
    if (strcmp(type, "gardening") == 0)
      expect_number(hours, 70.0);
    else if (strcmp(type, "charity_work") == 0)
      expect_number(hours, 35.0);
    else if (strcmp(type, "graffiti_removal") == 0 || strcmp(type, "litter_picking") == 0)
      expect_suppressed(hours);
    else
      expect_number(hours, 0.0);
  }
  /* nothing about a person anywhere */
  ck_assert_ptr_null(strstr(r->body, "Statistics Person"));
  ck_assert_ptr_null(strstr(r->body, "1990-06-01"));
  ts_response_free(r);
  free(comm);
}
END_TEST

START_TEST(filters_change_the_figures) {
  seed_summary();
  char *coord = ts_token("coordinator", AREA, "coord-1");
  /* ward-b: 8 referrals, 3 rejected (suppressed) and so the 5 accepted too; the acceptance rate
   * over a denominator of 8 is withheld */
  ts_response *r = summary(coord, "ward=ward-b");
  json_t *filters = json_object_get(r->json, "filters");
  ck_assert_str_eq(json_string_value(json_object_get(filters, "ward")), "ward-b");
  ck_assert(json_is_null(json_object_get(filters, "age_band")));
  expect_count(fig(r, "referrals"), 8);
  expect_suppressed(fig(r, "rejected"));
  expect_suppressed(fig(r, "accepted"));
  expect_withheld(fig(r, "acceptance_rate"), -1, 8);
  expect_count(fig(r, "completed"), 5);
  expect_count(fig(r, "non_compliant"), 0);
  expect_withheld(fig(r, "completion_rate"), 5, 5);
  expect_number(fig(r, "hours_delivered"), 35.0);
  ts_response_free(r);

  /* the age band and the offence category pick out the same people */
  const char *same[] = {"age_band=10-17", "offence_category=shop_theft"};
  for (int i = 0; i < 2; i++) {
    r = summary(coord, same[i]);
    expect_count(fig(r, "referrals"), 8);
    expect_count(fig(r, "completed"), 5);
    ts_response_free(r);
  }
  r = summary(coord, "age_band=25%2B"); /* "25+" */
  expect_count(fig(r, "referrals"), 23);
  ck_assert_str_eq(
      json_string_value(json_object_get(json_object_get(r->json, "filters"), "age_band")), "25+");
  ts_response_free(r);
  r = summary(coord, "age_band=18-24");
  expect_count(fig(r, "referrals"), 0);
  expect_count(fig(r, "started"), 0);
  ck_assert(json_is_null(json_object_get(fig(r, "median_hours_to_first_session"), "value")));
  expect_withheld(fig(r, "acceptance_rate"), 0, 0);
  ts_response_free(r);

  /* placement type: referrals with a booking on such a placement */
  r = summary(coord, "placement_type=litter_picking");
  expect_count(fig(r, "referrals"), 5);
  expect_count(fig(r, "non_compliant"), 5);
  expect_number(fig(r, "hours_delivered"), 5.0);
  expect_rate(fig(r, "attendance_rate"), 5, 10);
  ts_response_free(r);
  r = summary(coord, "placement_type=gardening");
  expect_count(fig(r, "referrals"), 10); /* the withdrawal's booking was cancelled: not counted */
  ts_response_free(r);

  /* the period: January only */
  r = get(R_SUMMARY, "/v1/stats/summary?from=2025-01-01&to=2025-01-31", coord);
  ck_assert_int_eq(r->status, 200);
  expect_count(fig(r, "referrals"), 16);
  ck_assert_int_eq(json_array_size(json_object_get(r->json, "monthly")), 1);
  ts_response_free(r);
  free(coord);
}
END_TEST

/* Splits CSV text (no quoted fields in these files) into rows of fields. */
typedef struct {
  int nrows;
  char *rows[400][12];
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
    ck_assert_int_lt(t->nrows, 400);
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

/* The row of a measure with the given breakdown columns (3 and 4). */
static char **csv_row(csv_table *t, const char *a, const char *b, const char *measure) {
  for (int i = 1; i < t->nrows; i++)
    if (strcmp(t->rows[i][3], a) == 0 && strcmp(t->rows[i][4], b) == 0 &&
        strcmp(t->rows[i][5], measure) == 0)
      return t->rows[i];
  ck_abort_msg("no CSV row %s/%s/%s", a, b, measure);
  return NULL;
}

/* A JSON value as the CSV writes it: "" for null. */
static void expect_same(const char *csv, json_t *v) {
  if (json_is_null(v) || !v) {
    ck_assert_str_eq(csv, "");
    return;
  }
  ck_assert_msg(strlen(csv) > 0, "CSV empty where JSON has a value");
  ck_assert_double_eq_tol(strtod(csv, NULL), json_number_value(v), 1e-9);
}

static void expect_cell_row(char **row, json_t *cell) {
  expect_same(row[6], json_object_get(cell, "value"));
  ck_assert_str_eq(row[11], json_is_true(json_object_get(cell, "suppressed")) ? "true" : "false");
  if (json_object_get(cell, "numerator")) {
    expect_same(row[7], json_object_get(cell, "ci_low"));
    expect_same(row[8], json_object_get(cell, "ci_high"));
    expect_same(row[9], json_object_get(cell, "numerator"));
    expect_same(row[10], json_object_get(cell, "denominator"));
  } else {
    ck_assert_str_eq(row[7], ""); /* a count has no interval */
    ck_assert_str_eq(row[8], "");
  }
}

static void expect_csv_matches_summary(const ts_response *csv, const ts_response *json) {
  ck_assert_msg(strncmp(csv->content_type, "text/csv", 8) == 0, "%s", csv->content_type);
  csv_table *t = malloc(sizeof *t);
  csv_parse(csv->body, t);
  ck_assert_str_eq(t->rows[0][0], "area");
  ck_assert_str_eq(t->rows[0][5], "measure");
  ck_assert_str_eq(t->rows[0][7], "ci_low");
  ck_assert_str_eq(t->rows[0][8], "ci_high");
  ck_assert_str_eq(t->rows[0][11], "suppressed");
  const char *key;
  json_t *v;
  int figures = 0;
  json_object_foreach(json_object_get(json->json, "figures"), key, v) {
    expect_cell_row(csv_row(t, "", "", key), v);
    figures++;
  }
  json_t *monthly = json_object_get(json->json, "monthly");
  for (size_t i = 0; i < json_array_size(monthly); i++) {
    json_t *m = json_array_get(monthly, i);
    const char *month = json_string_value(json_object_get(m, "month"));
    expect_cell_row(csv_row(t, month, "", "referrals"), json_object_get(m, "referrals"));
    expect_cell_row(csv_row(t, month, "", "completed"), json_object_get(m, "completed"));
  }
  json_t *types = json_object_get(json->json, "hours_by_placement_type");
  for (size_t i = 0; i < json_array_size(types); i++) {
    json_t *h = json_array_get(types, i);
    expect_cell_row(
        csv_row(t, "", json_string_value(json_object_get(h, "placement_type")), "hours"),
        json_object_get(h, "hours"));
  }
  ck_assert_int_eq(t->nrows,
                   1 + figures + 2 * (int)json_array_size(monthly) + (int)json_array_size(types));
  free(t->text);
  free(t);
}

START_TEST(csv_by_path_and_by_accept_equals_json) {
  seed_summary();
  char *admin = ts_token("admin", AREA, "admin-1");
  ts_response *json = summary(admin, "ward=ward-a");
  char path[256];
  snprintf(path, sizeof path, "%s?%s&ward=ward-a", R_SUMMARY_CSV, PERIOD);
  ts_response *csv = get(R_SUMMARY_CSV, path, admin);
  ck_assert_int_eq(csv->status, 200);
  expect_csv_matches_summary(csv, json);
  ck_assert_ptr_null(strstr(csv->body, "Statistics Person"));
  ts_response_free(csv);
  static const char *const accept[] = {"Accept: text/csv", NULL};
  snprintf(path, sizeof path, "%s?%s&ward=ward-a", R_SUMMARY, PERIOD);
  csv = ts_http(S, "GET", R_SUMMARY, path, admin, accept, NULL);
  ck_assert_int_eq(csv->status, 200);
  expect_csv_matches_summary(csv, json);
  ts_response_free(csv);
  ts_response_free(json);

  /* bad filters are refused on the CSV path too */
  csv = get(R_SUMMARY_CSV, "/v1/stats/summary.csv?age_band=adult", admin);
  ck_assert_int_eq(csv->status, 422);
  ts_response_free(csv);
  free(admin);
}
END_TEST

static ts_response *get_accepting(const char *route, const char *path, const char *token,
                                  const char *accept) {
  char header[160];
  snprintf(header, sizeof header, "Accept: %s", accept);
  const char *const headers[] = {header, NULL};
  return ts_http(S, "GET", route, path, token, headers, NULL);
}

static void expect_not_acceptable(ts_response *r, const char *detail) {
  ck_assert_msg(r->status == 406, "want 406, got %ld: %s", r->status, r->body);
  ck_assert_str_eq(r->content_type, "application/problem+json");
  ck_assert_str_eq(json_string_value(json_object_get(r->json, "type")), "/problems/not_acceptable");
  ck_assert_str_eq(json_string_value(json_object_get(r->json, "detail")), detail);
}

/* The statistics answer JSON or CSV, the ".csv" paths CSV alone: the type the Accept header
 * prefers, JSON when it prefers neither, 406 when it rules out both. */
START_TEST(accept_chooses_json_or_csv) {
  char *comm = ts_token("commissioner", AREA, "pcc-1");
  static const struct {
    const char *accept;
    const char *type; /* of the answer; NULL: 406 */
  } cases[] = {
      {"text/csv", "text/csv"},
      {"application/json;q=0.5, text/csv", "text/csv"},
      {"text/csv, application/json", "text/csv"},
      {"text/*", "text/csv"},
      {"application/json, text/csv", "application/json"},
      {"*/*", "application/json"},
      {"text/csv;q=0, */*", "application/json"},
      {"application/problem+json", "application/json"},
      {"text/html", NULL},
      {"application/json;q=0, text/csv;q=0", NULL},
  };
  char path[160];
  snprintf(path, sizeof path, "%s?%s", R_SUMMARY, PERIOD);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    ts_response *r = get_accepting(R_SUMMARY, path, comm, cases[i].accept);
    if (!cases[i].type) {
      expect_not_acceptable(r, "this resource is available as application/json or text/csv");
    } else {
      ck_assert_msg(r->status == 200, "Accept: %s: %ld %s", cases[i].accept, r->status, r->body);
      ck_assert_msg(strncmp(r->content_type, cases[i].type, strlen(cases[i].type)) == 0,
                    "Accept: %s: %s", cases[i].accept, r->content_type);
    }
    ts_response_free(r);
  }
  snprintf(path, sizeof path, "%s?%s", R_SUMMARY_CSV, PERIOD);
  ts_response *r = get_accepting(R_SUMMARY_CSV, path, comm, "text/csv;q=0.1, application/json");
  ck_assert_int_eq(r->status, 200);
  ck_assert_msg(strncmp(r->content_type, "text/csv", 8) == 0, "%s", r->content_type);
  ts_response_free(r);
  r = get_accepting(R_SUMMARY_CSV, path, comm, "application/json");
  expect_not_acceptable(r, "this resource is available as text/csv only");
  ts_response_free(r);
  snprintf(path, sizeof path, "%s?%s", R_REOFFENDING, PERIOD);
  r = get_accepting(R_REOFFENDING, path, comm, "Text/CSV");
  ck_assert_int_eq(r->status, 200);
  ck_assert_msg(strncmp(r->content_type, "text/csv", 8) == 0, "%s", r->content_type);
  ts_response_free(r);
  free(comm);
}
END_TEST

/* The routes that are not JSON negotiate their own types: the page, each of its files, the
 * metrics. */
START_TEST(the_page_its_files_and_the_metrics_negotiate_too) {
  static const struct {
    const char *route, *path, *accept;
    const char *type; /* of the answer; NULL: 406 */
    const char *offered;
  } cases[] = {
      {"/dashboard", "/dashboard", "text/html,application/xhtml+xml,*/*;q=0.8", "text/html", NULL},
      {"/dashboard", "/dashboard", "application/json", NULL, "text/html only"},
      {"/dashboard/assets/{id}", "/dashboard/assets/dashboard.css", "text/css,*/*;q=0.1",
       "text/css", NULL},
      {"/dashboard/assets/{id}", "/dashboard/assets/dashboard.css", "text/html", NULL,
       "text/css only"},
      {"/dashboard/assets/{id}", "/dashboard/assets/dashboard.js", "text/css", NULL,
       "text/javascript only"},
      {"/metrics", "/metrics",
       "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
       "text/plain", NULL},
      {"/metrics", "/metrics", "application/json", NULL, "text/plain only"},
      {"/healthz", "/healthz", "text/html", NULL, "application/json only"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    /* the page's 200s go unrecorded (no route for the contract check): the recorder keeps only
     * some headers, not the page's security headers the contract requires (the browser tests
     * check those) */
    bool page = cases[i].type && strncmp(cases[i].route, "/dashboard", 10) == 0;
    ts_response *r =
        get_accepting(page ? NULL : cases[i].route, cases[i].path, NULL, cases[i].accept);
    if (cases[i].type) {
      ck_assert_msg(r->status == 200, "%s, Accept: %s: %ld", cases[i].path, cases[i].accept,
                    r->status);
      ck_assert_msg(strncmp(r->content_type, cases[i].type, strlen(cases[i].type)) == 0, "%s: %s",
                    cases[i].path, r->content_type);
    } else {
      char detail[128];
      snprintf(detail, sizeof detail, "this resource is available as %s", cases[i].offered);
      expect_not_acceptable(r, detail);
    }
    ts_response_free(r);
  }
  /* a file that is not there is not there, whatever the Accept */
  ts_response *r =
      get_accepting("/dashboard/assets/{id}", "/dashboard/assets/nothing.css", NULL, "text/html");
  ck_assert_int_eq(r->status, 404);
  ts_response_free(r);
}
END_TEST

START_TEST(bad_filters_are_refused) {
  char *comm = ts_token("commissioner", AREA, "pcc-1");
  static const struct {
    const char *query, *field;
  } cases[] = {
      {"from=2025-13-01", "from"},
      {"to=yesterday", "to"},
      {"from=2025-03-01&to=2025-02-01", "from"},
      {"from=2000-01-01&to=2025-01-01", "from"},
      {"age_band=30-40", "age_band"},
      {"placement_type=knitting", "placement_type"},
      {"offence_category=speeding", "offence_category"},
      {"ward=Not%20A%20Ward", "ward"},
      {"person=1", "person"},
  };
  const char *routes[2] = {R_SUMMARY, R_REOFFENDING};
  for (int k = 0; k < 2; k++)
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
      char path[256];
      snprintf(path, sizeof path, "%s?%s", routes[k], cases[i].query);
      ts_response *r = get(routes[k], path, comm);
      ck_assert_msg(r->status == 422, "%s: %ld", path, r->status);
      json_t *e = json_array_get(json_object_get(r->json, "errors"), 0);
      ck_assert_str_eq(json_string_value(json_object_get(e, "field")), cases[i].field);
      ts_response_free(r);
    }
  /* a well-formed ward that is another area's, not this one's: refused as placements refuse it,
   * and named in one 422 with the query's other errors */
  char other[IJ_AREA_MAX];
  ij_conn *conn;
  ck_assert_int_eq(ij_store_acquire(S->store, &conn), IJ_OK);
  ts_new_area(conn, other);
  ck_assert_int_eq(ij_store_ward_upsert(conn, other, "ward-elsewhere", "Elsewhere"), IJ_OK);
  ij_store_release(S->store, conn);
  for (int k = 0; k < 2; k++) {
    char path[256];
    snprintf(path, sizeof path, "%s?ward=ward-elsewhere", routes[k]);
    ts_response *r = get(routes[k], path, comm);
    ck_assert_msg(r->status == 422, "%s: %ld", path, r->status);
    json_t *errors = json_object_get(r->json, "errors");
    ck_assert_int_eq(json_array_size(errors), 1);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(errors, 0), "field")),
                     "ward");
    ts_response_free(r);
    snprintf(path, sizeof path, "%s?ward=ward-elsewhere&age_band=30-40&from=2025-13-01", routes[k]);
    r = get(routes[k], path, comm);
    ck_assert_msg(r->status == 422, "%s: %ld", path, r->status);
    errors = json_object_get(r->json, "errors");
    ck_assert_int_eq(json_array_size(errors), 3);
    const char *named[3] = {"from", "age_band", "ward"};
    for (int i = 0; i < 3; i++)
      ck_assert_str_eq(
          json_string_value(json_object_get(json_array_get(errors, (size_t)i), "field")), named[i]);
    ts_response_free(r);
  }
  /* the default period: the 12 months to today */
  ts_response *r = get(R_SUMMARY, R_SUMMARY, comm);
  ck_assert_int_eq(r->status, 200);
  size_t months = json_array_size(json_object_get(r->json, "monthly"));
  ck_assert(months == 12 || months == 13); /* 12 when today is the last day of a month */
  expect_count(fig(r, "referrals"), 0);
  ts_response_free(r);
  free(comm);
}
END_TEST

START_TEST(only_commissioners_coordinators_and_admins) {
  const char *routes[4] = {R_SUMMARY, R_SUMMARY_CSV, R_REOFFENDING, R_REOFFENDING_CSV};
  const char *refused[2] = {"officer", "supervisor"};
  for (int i = 0; i < 2; i++) {
    char *t = ts_token(refused[i], AREA, "someone");
    for (int k = 0; k < 4; k++) {
      ts_response *r = get(routes[k], routes[k], t);
      ck_assert_msg(r->status == 403, "%s %s: %ld", refused[i], routes[k], r->status);
      ts_response_free(r);
    }
    free(t);
  }
  ts_response *r = get(R_SUMMARY, R_SUMMARY, NULL);
  ck_assert_int_eq(r->status, 401);
  ts_response_free(r);
  /* another area's figures are never seen: a commissioner of another area sees nothing here */
  seed_summary();
  char *other = ts_token("commissioner", "elsewhere", "pcc-2");
  r = get(R_SUMMARY, "/v1/stats/summary?from=2025-01-01&to=2025-03-31", other);
  ck_assert_int_eq(r->status, 200);
  expect_count(fig(r, "referrals"), 0);
  ts_response_free(r);
  free(other);
}
END_TEST

/* Every route that is not an aggregate, a reference list or the caller's own identity refuses a
 * commissioner. The route table is read from the server itself. */
START_TEST(a_commissioner_is_refused_every_personal_data_route) {
  char *buf = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&buf, &len);
  ck_assert_ptr_nonnull(out);
  ij_http_print_routes(out);
  fclose(out);
  static const char *const open_to_all[] = {"/healthz", "/readyz",   "/metrics",
                                            "/v1/me",   "/v1/wards", "/v1/reason-codes"};
  char *comm = ts_token("commissioner", AREA, "pcc-1");
  int checked = 0;
  char *save = NULL;
  for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    char method[16], route[256];
    ck_assert_int_eq(sscanf(line, "%15s %255s", method, route), 2);
    /* the web pages' static files hold no personal data: the pages ask the API for it */
    bool skip = strncmp(route, "/v1/stats/", 10) == 0 || strncmp(route, "/dashboard", 10) == 0 ||
                strncmp(route, "/app", 4) == 0;
    /* Notify's delivery receipts take the area's callback token, no role: they answer nobody's
     * token with data (test_message_delivery.c refuses ours with 401) */
    skip = skip || strcmp(route, "/v1/areas/{area}/notify/receipts") == 0;
    for (size_t i = 0; i < sizeof open_to_all / sizeof open_to_all[0]; i++)
      skip = skip || strcmp(route, open_to_all[i]) == 0;
    if (skip)
      continue;
    char path[300];
    const char *brace = strchr(route, '{');
    if (brace) {
      const char *close = strchr(brace, '}');
      snprintf(path, sizeof path, "%.*s%s%s", (int)(brace - route), route,
               "3f0e8d3c-5b1a-4c2e-9f7d-2a6b8c4d1e90", close + 1);
    } else {
      snprintf(path, sizeof path, "%s", route);
    }
    bool body = strcmp(method, "POST") == 0 || strcmp(method, "PATCH") == 0;
    static const char *const json_type[] = {"Content-Type: application/json", "If-Match: \"1\"",
                                            NULL};
    ts_response *r =
        ts_http(S, method, route, path, comm, body ? json_type : NULL, body ? "{}" : NULL);
    ck_assert_msg(r->status == 403, "%s %s: %ld %s", method, path, r->status, r->body);
    ts_response_free(r);
    checked++;
  }
  ck_assert_int_ge(checked, 25);
  free(comm);
  free(buf);
}
END_TEST

/* ---- reoffending ---- */

/* Exits `days_ago` days before today, with checks at 3, 6 and 12 months: recorded (reoffended
 * or not) where `rec` says so, for windows that have fallen due. */
static void exit_with_checks(PGconn *c, const char *ward, bool completed, int days_ago,
                             const bool rec[3], const bool reoffended[3]) {
  char id[IJ_UUID_BUF], created[64], days[16];
  snprintf(days, sizeof days, "%d", days_ago + 20);
  const char *q[1] = {days};
  sql(c,
      "SELECT to_char((now() - make_interval(days => $1::int)) AT TIME ZONE 'UTC',"
      " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
      1, q, created, sizeof created);
  seed s = {ward,
            completed ? "completed" : "non_compliant",
            created,
            NULL,
            NULL,
            24,
            completed ? 420 : 60,
            "gardening",
            true,
            completed ? 1 : 2,
            NULL};
  add(c, &s, id);
  static const int windows[3] = {3, 6, 12};
  for (int w = 0; w < 3; w++) {
    char months[8];
    snprintf(months, sizeof months, "%d", windows[w]);
    const char *p[6] = {AREA,
                        id,
                        months,
                        completed ? "completed" : "non_compliant",
                        rec[w] ? "true" : "false",
                        reoffended[w] ? "true" : "false"};
    sql(c,
        "INSERT INTO followup_checks (id, area, referral_id, person_id, window_months, exit_state,"
        " exited_on, due_on, recorded_at, reoffended, first_reoffence_on, source, created_at,"
        " updated_at) SELECT gen_random_uuid(), $1, r.id, r.person_id, $3::int, $4,"
        " (r.exited_at AT TIME ZONE 'UTC')::date,"
        " ((r.exited_at AT TIME ZONE 'UTC')::date + make_interval(months => $3::int))::date,"
        " CASE WHEN $5::boolean THEN now() END, CASE WHEN $5::boolean THEN $6::boolean END,"
        " CASE WHEN $5::boolean AND $6::boolean THEN (r.exited_at AT TIME ZONE 'UTC')::date + 10"
        " END, CASE WHEN $5::boolean THEN 'pnc_check' END, now(), now()"
        " FROM referrals r WHERE r.id = $2::uuid",
        6, p, NULL, 0);
  }
}

START_TEST(reoffending_counts_elapsed_windows_and_pending_ones) {
  PGconn *c = db();
  /* 12 completers who left 200 days ago: the 3-month checks all recorded (3 reoffended), the
   * 6-month checks of 10 recorded (5 reoffended), 2 not yet; the 12-month window still runs */
  for (int i = 0; i < 12; i++) {
    bool rec[3] = {true, i < 10, false};
    bool re[3] = {i < 3, i < 5, false};
    exit_with_checks(c, "ward-a", true, 200, rec, re);
  }
  /* 6 non-completers in ward-b who left 120 days ago: 3-month checks recorded, all reoffended */
  for (int i = 0; i < 6; i++) {
    bool rec[3] = {true, false, false};
    bool re[3] = {true, false, false};
    exit_with_checks(c, "ward-b", false, 120, rec, re);
  }
  /* one who left before the period */
  bool rec[3] = {true, true, true}, re[3] = {false, false, false};
  exit_with_checks(c, "ward-a", true, 600, rec, re);
  PQfinish(c);

  time_t now = time(NULL);
  char from[16], to[16], path[256];
  time_t start = now - 400 * 86400;
  strftime(from, sizeof from, "%Y-%m-%d", gmtime(&start));
  strftime(to, sizeof to, "%Y-%m-%d", gmtime(&now));
  snprintf(path, sizeof path, "%s?from=%s&to=%s", R_REOFFENDING, from, to);
  char *comm = ts_token("commissioner", AREA, "pcc-1");
  ts_response *r = get(R_REOFFENDING, path, comm);
  ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
  ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(r->json, "note")),
                               "not the Ministry of Justice proven reoffending rate"));
  json_t *w = json_object_get(r->json, "windows");
  ck_assert_int_eq(json_array_size(w), 3);
  json_t *w3 = json_array_get(w, 0), *w6 = json_array_get(w, 1), *w12 = json_array_get(w, 2);
  ck_assert_int_eq(json_integer_value(json_object_get(w3, "months")), 3);
  ck_assert_int_eq(json_integer_value(json_object_get(w12, "months")), 12);
  json_t *k = json_object_get(w3, "completers");
  expect_count(json_object_get(k, "cohort"), 12);
  expect_suppressed(json_object_get(k, "reoffended"));
  expect_withheld(json_object_get(k, "rate"), -1, 12);
  expect_count(json_object_get(k, "pending"), 0);
  k = json_object_get(w6, "completers");
  expect_count(json_object_get(k, "cohort"), 10);
  expect_count(json_object_get(k, "reoffended"), 5);
  expect_rate(json_object_get(k, "rate"), 5, 10);
  expect_suppressed(json_object_get(k, "pending")); /* 2 */
  k = json_object_get(w12, "completers");
  expect_count(json_object_get(k, "cohort"), 0);
  expect_count(json_object_get(k, "pending"), 12);
  k = json_object_get(w3, "non_completers");
  expect_count(json_object_get(k, "cohort"), 6);
  expect_count(json_object_get(k, "reoffended"), 6);
  expect_withheld(json_object_get(k, "rate"), 6, 6); /* a denominator under 10 */
  k = json_object_get(w6, "non_completers");
  expect_count(json_object_get(k, "cohort"), 0);
  expect_count(json_object_get(k, "pending"), 6);

  /* CSV: the same figures */
  snprintf(path, sizeof path, "%s?from=%s&to=%s", R_REOFFENDING_CSV, from, to);
  ts_response *csv = get(R_REOFFENDING_CSV, path, comm);
  ck_assert_int_eq(csv->status, 200);
  csv_table *t = malloc(sizeof *t);
  csv_parse(csv->body, t);
  ck_assert_str_eq(t->rows[0][3], "window_months");
  ck_assert_int_eq(t->nrows, 1 + 3 * 2 * 4);
  const char *groups[2] = {"completers", "non_completers"};
  const char *measures[4] = {"cohort", "reoffended", "rate", "pending"};
  for (size_t i = 0; i < 3; i++) {
    json_t *win = json_array_get(w, i);
    char months[8];
    snprintf(months, sizeof months, "%d", (int)json_integer_value(json_object_get(win, "months")));
    for (int g = 0; g < 2; g++)
      for (int m = 0; m < 4; m++)
        expect_cell_row(csv_row(t, months, groups[g], measures[m]),
                        json_object_get(json_object_get(win, groups[g]), measures[m]));
  }
  free(t->text);
  free(t);
  ts_response_free(csv);
  ts_response_free(r);

  /* filters apply to the exits: ward-b holds only the non-completers */
  snprintf(path, sizeof path, "%s?from=%s&to=%s&ward=ward-b", R_REOFFENDING, from, to);
  r = get(R_REOFFENDING, path, comm);
  ck_assert_int_eq(r->status, 200);
  w3 = json_array_get(json_object_get(r->json, "windows"), 0);
  expect_count(json_object_get(json_object_get(w3, "completers"), "cohort"), 0);
  expect_count(json_object_get(json_object_get(w3, "non_completers"), "cohort"), 6);
  ts_response_free(r);
  free(comm);
}
END_TEST

/* ---- retention ---- */

/* The answer to `path` as canonical JSON text (owned: free()). */
static char *figures_text(const char *route, const char *path, const char *token) {
  ts_response *r = get(route, path, token);
  ck_assert_msg(r->status == 200, "%s: %ld %s", path, r->status, r->body);
  json_t *copy = json_deep_copy(r->json);
  json_object_del(copy, "generated_at"); /* members that may differ between two calls */
  json_object_del(copy, "freshness");    /* its data_as_of is the time of the request */
  char *text = json_dumps(copy, JSON_SORT_KEYS | JSON_COMPACT);
  json_decref(copy);
  ts_response_free(r);
  return text;
}

static long long count(PGconn *c, const char *q) {
  char out[32];
  const char *p[1] = {AREA};
  sql(c, q, 1, p, out, sizeof out);
  return atoll(out);
}

START_TEST(retention_erases_personal_data_and_keeps_the_figures) {
  seed_summary();
  PGconn *c = db();
  /* reoffending: exits of 200 days ago with their checks; half of them closed since */
  for (int i = 0; i < 12; i++) {
    bool rec[3] = {true, i < 10, false};
    bool re[3] = {i < 3, i < 5, false};
    exit_with_checks(c, i % 2 ? "ward-a" : "ward-b", i < 8, 200, rec, re);
  }
  const char *a[1] = {AREA};
  sql(c,
      "UPDATE referrals SET state = 'closed' WHERE area = $1 AND state IN ('completed',"
      " 'non_compliant') AND created_at > now() - interval '1 year' AND random() < 2",
      1, a, NULL, 0);
  /* personal data to erase: free text on every referral, reasons in the event log, session notes,
   * outcome notes, a notice with a police identifier */
  sql(c,
      "UPDATE referrals SET offence_description = 'Broke a window', offence_location = '1 High St',"
      " suitability_notes = 'Works outdoors', victim_contact = '07700 900000', reason = 'Moved'"
      " WHERE area = $1",
      1, a, NULL, 0);
  sql(c,
      "UPDATE people SET phone = '07700 900001', police_id = 'P' || left(id::text, 8),"
      " risk_notes = 'none' WHERE area = $1",
      1, a, NULL, 0);
  sql(c,
      "INSERT INTO referral_events (referral_id, seq, area, at, event, from_state, to_state,"
      " actor_sub, actor_name, actor_role, reason, request_id)"
      " SELECT id, 1, area, created_at, 'create', NULL, state, 'pc-1', 'PC 1', 'officer',"
      " 'Said sorry', 'seed' FROM referrals WHERE area = $1",
      1, a, NULL, 0);
  sql(c, "UPDATE bookings SET notes = 'Arrived late' WHERE area = $1", 1, a, NULL, 0);
  /* every booking entered late from a paper register, with why */
  sql(c,
      "UPDATE bookings SET walk_in = false, late_entry_reason = 'Register kept on paper'"
      " WHERE area = $1",
      1, a, NULL, 0);
  sql(c,
      "INSERT INTO booking_outcomes (booking_id, seq, area, at, status, penalty_minutes,"
      " minutes_credited, notes, actor_sub, actor_name, actor_role, request_id) SELECT id, 1,"
      " area, updated_at, status, 0, minutes_credited, 'Good work',"
      " 'sup-1', 'Sup', 'supervisor', 'seed' FROM bookings WHERE area = $1",
      1, a, NULL, 0);
  sql(c,
      "INSERT INTO notices (id, area, referral_id, kind, event, payload, created_at,"
      " next_attempt_at, delivered_at) SELECT gen_random_uuid(), area, id, 'outcome', 'completed',"
      " jsonb_build_object('police_id', 'P1', 'disposal', disposal), now(), now(), now()"
      " FROM referrals WHERE area = $1 AND state = 'closed'",
      1, a, NULL, 0);
  long long ended = count(c, "SELECT count(*) FROM referrals WHERE area = $1"
                             " AND state IN ('closed', 'rejected', 'withdrawn')");
  long long kept = count(c, "SELECT count(*) FROM referrals WHERE area = $1"
                            " AND state NOT IN ('closed', 'rejected', 'withdrawn')");
  ck_assert_int_ge(ended, 10);
  ck_assert_int_ge(kept, 10);

  /* every figure the dashboard shows, before */
  char *comm = ts_token("commissioner", AREA, "pcc-1");
  time_t now = time(NULL), start = now - 400 * 86400;
  char from[16], to[16], reoff[256];
  strftime(from, sizeof from, "%Y-%m-%d", gmtime(&start));
  strftime(to, sizeof to, "%Y-%m-%d", gmtime(&now));
  snprintf(reoff, sizeof reoff, "%s?from=%s&to=%s", R_REOFFENDING, from, to);
  const char *paths[][2] = {
      {R_SUMMARY, "/v1/stats/summary?from=2025-01-01&to=2025-03-31"},
      {R_SUMMARY, "/v1/stats/summary?from=2025-01-01&to=2025-03-31&age_band=10-17"},
      {R_SUMMARY, "/v1/stats/summary?from=2025-01-01&to=2025-03-31&age_band=25%2B"},
      {R_SUMMARY, "/v1/stats/summary?from=2025-01-01&to=2025-03-31&ward=ward-b"},
      {R_SUMMARY, "/v1/stats/summary?from=2025-01-01&to=2025-03-31&placement_type=gardening"},
      {R_REOFFENDING, reoff},
  };
  enum { NPATHS = sizeof paths / sizeof paths[0] };
  char *before[NPATHS];
  for (int i = 0; i < NPATHS; i++)
    before[i] = figures_text(paths[i][0], paths[i][1], comm);
  json_t *before_reoff = json_loads(before[NPATHS - 1], 0, NULL);
  ck_assert_ptr_nonnull(before_reoff);
  json_decref(before_reoff);

  /* retention as the service runs it (its role, area by area), in batches of 3 */
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  ij_time_us at = (ij_time_us)ts.tv_sec * IJ_US_PER_SECOND;
  ij_retention_totals t;
  ck_assert_int_eq(ij_ops_retention(S->service, AREA, 1, 3, at, &t), IJ_OK);
  ck_assert_int_eq(t.referrals, ended);
  ck_assert_int_gt(t.people, 0);

  /* the figures are the same */
  for (int i = 0; i < NPATHS; i++) {
    char *after = figures_text(paths[i][0], paths[i][1], comm);
    ck_assert_msg(strcmp(before[i], after) == 0, "%s changed:\n%s\n%s", paths[i][1], before[i],
                  after);
    free(after);
    free(before[i]);
  }
  free(comm);

  /* nothing personal is left of the ended referrals and of their people; the others are whole */
  ck_assert_int_eq(count(c, "SELECT count(*) FROM referrals WHERE area = $1 AND erased_at IS NULL"
                            " AND state IN ('closed', 'rejected', 'withdrawn')"),
                   0);
  ck_assert_int_eq(count(c, "SELECT count(*) FROM referrals WHERE area = $1 AND erased_at IS NOT"
                            " NULL AND (offence_description IS NOT NULL OR offence_location IS NOT"
                            " NULL OR suitability_notes IS NOT NULL OR victim_contact IS NOT NULL"
                            " OR reason IS NOT NULL)"),
                   0);
  ck_assert_int_eq(count(c, "SELECT count(*) FROM referrals WHERE area = $1 AND erased_at IS NULL"
                            " AND offence_description = 'Broke a window'"),
                   kept);
  ck_assert_int_eq(count(c, "SELECT count(*) FROM people p WHERE area = $1 AND NOT EXISTS (SELECT"
                            " FROM referrals r WHERE r.person_id = p.id AND r.erased_at IS NULL)"
                            " AND (p.erased_at IS NULL OR p.date_of_birth IS NOT NULL OR p.phone"
                            " IS NOT NULL OR p.police_id IS NOT NULL OR p.risk_notes IS NOT NULL"
                            " OR p.name <> 'erased')"),
                   0);
  ck_assert_int_eq(count(c, "SELECT count(*) FROM people p WHERE area = $1 AND EXISTS (SELECT"
                            " FROM referrals r WHERE r.person_id = p.id AND r.erased_at IS NULL)"
                            " AND (p.erased_at IS NOT NULL OR p.date_of_birth IS NULL)"),
                   0);
  ck_assert_int_eq(count(c, "SELECT count(*) FROM referral_events e JOIN referrals r ON r.id ="
                            " e.referral_id WHERE r.area = $1 AND r.erased_at IS NOT NULL AND"
                            " e.reason IS NOT NULL"),
                   0);
  ck_assert_int_eq(count(c, "SELECT count(*) FROM bookings b JOIN referrals r ON r.id ="
                            " b.referral_id WHERE r.area = $1 AND r.erased_at IS NOT NULL AND"
                            " b.notes IS NOT NULL"),
                   0);
  ck_assert_int_eq(count(c, "SELECT count(*) FROM booking_outcomes o JOIN bookings b ON b.id ="
                            " o.booking_id JOIN referrals r ON r.id = b.referral_id WHERE r.area ="
                            " $1 AND r.erased_at IS NOT NULL AND o.notes IS NOT NULL"),
                   0);
  /* a late entry's reason is replaced with the placeholder: the booking stays a late entry */
  long long erased_bookings = count(c, "SELECT count(*) FROM bookings b JOIN referrals r ON r.id ="
                                       " b.referral_id WHERE r.area = $1 AND r.erased_at IS NOT"
                                       " NULL");
  ck_assert_int_gt(erased_bookings, 0);
  ck_assert_int_eq(count(c, "SELECT count(*) FROM bookings b JOIN referrals r ON r.id ="
                            " b.referral_id WHERE r.area = $1 AND r.erased_at IS NOT NULL AND"
                            " b.late_entry_reason = 'erased'"),
                   erased_bookings);
  ck_assert_int_eq(count(c, "SELECT count(*) FROM bookings b JOIN referrals r ON r.id ="
                            " b.referral_id WHERE r.area = $1 AND r.erased_at IS NULL AND"
                            " b.late_entry_reason IS DISTINCT FROM 'Register kept on paper'"),
                   0);
  ck_assert_int_eq(count(c, "SELECT count(*) FROM notices n JOIN referrals r ON r.id ="
                            " n.referral_id WHERE r.area = $1 AND n.payload ? 'police_id'"),
                   0);
  /* the append-only tables still refuse a change outside erasure */
  PGresult *res = PQexecParams(c, "UPDATE referral_events SET reason = NULL WHERE area = $1", 1,
                               NULL, a, NULL, NULL, 0);
  ck_assert_int_eq(PQresultStatus(res), PGRES_FATAL_ERROR);
  PQclear(res);

  /* an erased referral through the API: no name, no date of birth, when it was erased */
  char id[IJ_UUID_BUF];
  sql(c,
      "SELECT r.id FROM referrals r JOIN people p ON p.id = r.person_id WHERE r.area = $1"
      " AND p.erased_at IS NOT NULL LIMIT 1",
      1, a, id, sizeof id);
  char *coord = ts_token("coordinator", AREA, "coord-1"), path[128];
  snprintf(path, sizeof path, "/v1/referrals/%s", id);
  ts_response *r = get("/v1/referrals/{id}", path, coord);
  ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
  json_t *person = json_object_get(r->json, "person");
  ck_assert_str_eq(json_string_value(json_object_get(person, "name")), "erased");
  ck_assert(json_is_null(json_object_get(person, "date_of_birth")));
  ck_assert(json_is_null(json_object_get(person, "police_id")));
  ck_assert(json_is_string(json_object_get(r->json, "erased_at")));
  ck_assert(json_is_null(json_object_get(json_object_get(r->json, "offence"), "description")));
  ts_response_free(r);
  r = get("/v1/referrals", "/v1/referrals?state=rejected", coord);
  ck_assert_int_eq(r->status, 200);
  ts_response_free(r);
  free(coord);

  /* a second run finds nothing more */
  ck_assert_int_eq(ij_ops_retention(S->service, AREA, 1, 3, at, &t), IJ_OK);
  ck_assert_int_eq(t.referrals, 0);
  ck_assert_int_eq(t.people, 0);
  PQfinish(c);
}
END_TEST

/* The figures from the raw rows (bookings, sessions and placements joined; not the values kept on
 * the referral), for one area or, when area is NULL, for every area: what the API must answer. */
static const char SQL_RAW_FIGURES[] =
    "WITH r AS (SELECT * FROM referrals WHERE ($1::text IS NULL OR area = $1)"
    " AND created_at >= '2025-01-01' AND created_at < '2025-04-01'),"
    " b AS (SELECT b.status, b.minutes_credited, p.type FROM r JOIN bookings b ON b.referral_id ="
    " r.id JOIN sessions s ON s.id = b.session_id JOIN placements p ON p.id = s.placement_id)"
    " SELECT (SELECT count(*) FROM r), (SELECT count(*) FROM r WHERE state = 'rejected'),"
    " (SELECT count(r.first_attended_at) FROM r), (SELECT count(r.completed_at) FROM r),"
    " (SELECT coalesce(sum(minutes_credited), 0) FROM r),"
    " (SELECT count(*) FROM b WHERE status IN ('attended_complied', 'attended_failed_to_comply',"
    "  'sent_home_behaviour', 'sent_home_service_issue')),"
    " (SELECT count(*) FROM b WHERE status IN ('attended_complied', 'attended_failed_to_comply',"
    "  'sent_home_behaviour', 'sent_home_service_issue', 'absent_unacceptable')),"
    " (SELECT coalesce(sum(minutes_credited), 0) FROM b WHERE type = 'gardening')";

static void expect_raw_figures(PGconn *c, const char *area, ts_response *r) {
  PGresult *raw = PQexecParams(c, SQL_RAW_FIGURES, 1, NULL, &area, NULL, NULL, 0);
  ck_assert_int_eq(PQresultStatus(raw), PGRES_TUPLES_OK);
  long long v[8];
  for (int i = 0; i < 8; i++)
    v[i] = atoll(PQgetvalue(raw, 0, i));
  PQclear(raw);
  ck_assert_int_gt(v[0], 0);
  expect_count(fig(r, "referrals"), v[0]);
  expect_count(fig(r, "rejected"), v[1]);
  expect_count(fig(r, "started"), v[2]);
  expect_count(fig(r, "completed"), v[3]);
  expect_number(fig(r, "hours_delivered"), (double)v[4] / 60.0);
  expect_rate(fig(r, "attendance_rate"), v[5], v[6]);
  json_t *types = json_object_get(r->json, "hours_by_placement_type");
  json_t *gardening = json_object_get(json_array_get(types, 0), "hours");
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(types, 0), "placement_type")),
                   "gardening");
  expect_number(gardening, (double)v[7] / 60.0);
}

/* A national commissioner sees every area's figures together, equal to those computed from the
 * raw rows of every area; nobody else may ask for them, and a ward (an area's) cannot filter them.
 */
START_TEST(the_national_scope_adds_up_every_area_from_the_raw_rows) {
  seed_summary();
  char first[IJ_AREA_MAX];
  snprintf(first, sizeof first, "%s", AREA);
  ij_conn *conn;
  ck_assert_int_eq(ij_store_acquire(S->store, &conn), IJ_OK);
  ts_new_area(conn, AREA); /* a second area with the same referrals */
  ij_store_release(S->store, conn);
  seed_summary();
  PGconn *c = db();
  char *national = ts_token("national_commissioner", first, "ncc-1");
  ts_response *r = summary(national, "scope=national");
  ck_assert_str_eq(json_string_value(json_object_get(r->json, "scope")), "national");
  ck_assert_str_eq(json_string_value(json_object_get(r->json, "area")), "national");
  expect_raw_figures(c, NULL, r);
  /* at least both areas' 31 referrals each */
  ck_assert_int_ge(json_integer_value(json_object_get(fig(r, "referrals"), "value")), 62);
  ts_response_free(r);
  /* without the scope, their own area's; equal to its raw rows too */
  r = summary(national, NULL);
  ck_assert_str_eq(json_string_value(json_object_get(r->json, "scope")), "area");
  expect_count(fig(r, "referrals"), 31);
  expect_raw_figures(c, first, r);
  ts_response_free(r);
  char path[256];
  snprintf(path, sizeof path, "%s?%s&scope=national", R_REOFFENDING, PERIOD);
  r = get(R_REOFFENDING, path, national);
  ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
  ts_response_free(r);

  /* a ward belongs to an area; an unknown scope is refused */
  snprintf(path, sizeof path, "%s?%s&scope=national&ward=ward-a", R_SUMMARY, PERIOD);
  r = get(R_SUMMARY, path, national);
  ck_assert_int_eq(r->status, 422);
  ts_response_free(r);
  snprintf(path, sizeof path, "%s?%s&scope=country", R_SUMMARY, PERIOD);
  r = get(R_SUMMARY, path, national);
  ck_assert_int_eq(r->status, 422);
  ts_response_free(r);
  free(national);

  /* an area's commissioner, coordinator and admin may not */
  const char *const others[] = {"commissioner", "coordinator", "admin"};
  for (int i = 0; i < 3; i++) {
    char *t = ts_token(others[i], first, "someone");
    const char *routes[2] = {R_SUMMARY, R_REOFFENDING};
    for (int k = 0; k < 2; k++) {
      snprintf(path, sizeof path, "%s?%s&scope=national", routes[k], PERIOD);
      r = get(routes[k], path, t);
      ck_assert_msg(r->status == 403, "%s %s: %ld", others[i], routes[k], r->status);
      ts_response_free(r);
    }
    free(t);
  }
  PQfinish(c);
}
END_TEST

/* ---- turns ---- */

typedef struct {
  ts_server *server;
  const char *token;
  ts_response *r;
} stats_call;

static void *call_summary(void *arg) {
  stats_call *c = arg;
  c->r = ts_http(c->server, "GET", R_SUMMARY, "/v1/stats/summary", c->token, NULL, NULL);
  return NULL;
}

/* Statistics take turns: with one turn and no worker thread to spare for waiting, a request that
 * finds the turn taken gets 503 with Retry-After at once; the turn is given back afterwards. The
 * first request is held inside its turn by a lock on the kept figures. */
START_TEST(statistics_take_turns) {
  PGconn *holder = db();
  sql(holder, "BEGIN", 0, NULL, NULL, 0);
  sql(holder, "LOCK TABLE stats_agg IN ACCESS EXCLUSIVE MODE", 0, NULL, NULL, 0);
  ts_server t = {S->store, S->service, S->auth, NULL, 0};
  ij_http_options ho = {"127.0.0.1",    0, 2,  100, 30,    65536, 65536,
                        {2, 20, 7, 48}, 5, 10, 1,   30000, 10,    0};
  ck_assert_int_eq(ij_http_start(&ho, S->service, S->auth, &t.server), IJ_OK);
  t.port = ij_http_port(t.server);
  char *comm = ts_token("commissioner", AREA, "pcc-1");
  stats_call first = {&t, comm, NULL};
  pthread_t th;
  ck_assert_int_eq(pthread_create(&th, NULL, call_summary, &first), 0);
  /* until the first request waits for the lock, holding the turn */
  PGconn *c = db();
  char waiting[16] = "0";
  for (int i = 0; i < 500 && strcmp(waiting, "0") == 0; i++) {
    sql(c,
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
        " AND datname = current_database()",
        0, NULL, waiting, sizeof waiting);
    if (strcmp(waiting, "0") == 0)
      usleep(20000);
  }
  ck_assert_str_ne(waiting, "0");
  ts_response *r = ts_http(&t, "GET", R_SUMMARY, "/v1/stats/summary", comm, NULL, NULL);
  ck_assert_msg(r->status == 503, "%ld %s", r->status, r->body);
  ck_assert_str_eq(r->retry_after, "2");
  ts_response_free(r);
  sql(holder, "ROLLBACK", 0, NULL, NULL, 0);
  pthread_join(th, NULL);
  ck_assert_msg(first.r->status == 200, "%ld %s", first.r->status, first.r->body);
  ts_response_free(first.r);
  r = ts_http(&t, "GET", R_SUMMARY, "/v1/stats/summary", comm, NULL, NULL);
  ck_assert_msg(r->status == 200, "the turn was not given back: %ld", r->status);
  ts_response_free(r);
  free(comm);
  ij_http_stop(t.server);
  PQfinish(c);
  PQfinish(holder);
}
END_TEST

Suite *http_stats_suite(void) {
  Suite *s = suite_create("http_stats");
  TCase *tc = tcase_create("stats");
  tcase_set_timeout(tc, 300);
  tcase_add_checked_fixture(tc, http_setup, http_teardown);
  tcase_add_test(tc, summary_figures_are_exact_and_small_numbers_suppressed);
  tcase_add_test(tc, filters_change_the_figures);
  tcase_add_test(tc, csv_by_path_and_by_accept_equals_json);
  tcase_add_test(tc, accept_chooses_json_or_csv);
  tcase_add_test(tc, the_page_its_files_and_the_metrics_negotiate_too);
  tcase_add_test(tc, bad_filters_are_refused);
  tcase_add_test(tc, only_commissioners_coordinators_and_admins);
  tcase_add_test(tc, a_commissioner_is_refused_every_personal_data_route);
  tcase_add_test(tc, reoffending_counts_elapsed_windows_and_pending_ones);
  tcase_add_test(tc, retention_erases_personal_data_and_keeps_the_figures);
  tcase_add_test(tc, the_national_scope_adds_up_every_area_from_the_raw_rows);
  tcase_add_test(tc, statistics_take_turns);
  suite_add_tcase(s, tc);
  return s;
}
