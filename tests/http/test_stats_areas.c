/* The national commissioner's comparison of areas through the real path: two fresh areas seeded
 * by SQL with known referrals and bookings (one too small to show); every area's row equal to
 * that area's own summary and the totals equal to the national summary, with and without filters;
 * suppression; the areas' names (here and in the summary's envelope); CSV equal to JSON; refused
 * for every role but the national commissioner's. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ij/ops.h"
#include "suites.h"

static const char *const R_AREAS = "/v1/stats/areas";
static const char *const R_AREAS_CSV = "/v1/stats/areas.csv";
static const char *const R_SUMMARY = "/v1/stats/summary";
static const char *const PERIOD = "from=2025-01-01&to=2025-03-31";
static const char *const RATES[] = {"acceptance_rate", "started_within_target_rate",
                                    "completion_rate", "non_compliance_rate", "attendance_rate"};
#define NRATES 5

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

/* A referral of area $1 in state $2 made at $3 for offence category $4: accepted ($5), started
 * 24 hours after it (within the 48-hour target) when $6, exit $7 (0 none, 1 completed, 2
 * non-compliant). Returns its id. */
static const char SQL_REFERRAL[] =
    "WITH pe AS (INSERT INTO people (id, area, name, date_of_birth, created_at, updated_at)"
    " VALUES (gen_random_uuid(), $1, 'Statistics Person', '1990-06-01', now(), now())"
    " RETURNING id)"
    " INSERT INTO referrals (id, area, person_id, state, version, officer_sub, officer_name,"
    " offence_date, offence_category, ward, disposal, consent_recorded, hours_proposed,"
    " hours_confirmed, target_start_by, first_attended_at, minutes_credited, completed_at,"
    " exited_at, created_at, updated_at)"
    " SELECT gen_random_uuid(), $1, pe.id, $2, 1, 'pc-1', 'PC 1', ($3::timestamptz)::date - 2,"
    " $4, 'ward-a', 'community_resolution', true, 7, CASE WHEN $5::boolean THEN 7 END,"
    " $3::timestamptz + interval '48 hours',"
    " CASE WHEN $6::boolean THEN $3::timestamptz + interval '24 hours' END,"
    " CASE WHEN $6::boolean THEN 420 ELSE 0 END,"
    " CASE WHEN $7::int = 1 THEN $3::timestamptz + interval '20 days' END,"
    " CASE WHEN $7::int > 0 THEN $3::timestamptz + interval '20 days' END, $3::timestamptz,"
    " $3::timestamptz FROM pe RETURNING id";

/* A booking of referral $5 (area $1) on a new placement's session at $2 with status $3. */
static const char SQL_BOOKING[] =
    "WITH pl AS (INSERT INTO placements (id, area, name, type, provider, ward, supervisor_sub,"
    " supervisor_name, created_at, updated_at) VALUES (gen_random_uuid(), $1, 'Placement',"
    " 'gardening', 'Provider', 'ward-a', 'sup-1', 'Sup', now(), now()) RETURNING id),"
    " s AS (INSERT INTO sessions (id, area, placement_id, starts_at, ends_at, capacity,"
    " supervisor_sub, supervisor_name, created_at, updated_at) SELECT gen_random_uuid(), $1, pl.id,"
    " $2::timestamptz, $2::timestamptz + interval '7 hours', 10, 'sup-1', 'Sup', now(), now()"
    " FROM pl RETURNING id)"
    " INSERT INTO bookings (id, area, referral_id, session_id, person_id, starts_at, ends_at,"
    " status, minutes_credited, created_at, updated_at) SELECT gen_random_uuid(), $1, r.id, s.id,"
    " r.person_id, $2::timestamptz, $2::timestamptz + interval '7 hours', $3, $4::int, now(),"
    " now() FROM s, referrals r WHERE r.id = $5::uuid";

static void referral(PGconn *c, const char *area, const char *state, int day, const char *category,
                     bool accepted, bool started, int exit) {
  char created[40], ex[4], id[IJ_UUID_BUF];
  /* days from 2025-01-02, about two a week, all inside the period */
  snprintf(created, sizeof created, "2025-01-02T09:00:00Z");
  char offset[16];
  snprintf(offset, sizeof offset, "%d", day);
  const char *q[2] = {created, offset};
  char when[40];
  sql(c,
      "SELECT to_char(($1::timestamptz + make_interval(days => $2::int)) AT TIME ZONE 'UTC',"
      " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
      2, q, when, sizeof when);
  snprintf(ex, sizeof ex, "%d", exit);
  const char *p[7] = {
      area, state, when, category, accepted ? "true" : "false", started ? "true" : "false", ex};
  sql(c, SQL_REFERRAL, 7, p, id, sizeof id);
  if (started) {
    const char *b[5] = {area, "2025-06-01T09:00:00Z", "attended_complied", "420", id};
    sql(c, SQL_BOOKING, 5, b, NULL, 0);
  }
  if (exit == 2) {
    const char *b[5] = {area, "2025-06-02T09:00:00Z", "absent_unacceptable", "0", id};
    sql(c, SQL_BOOKING, 5, b, NULL, 0);
  }
}

/* The big area (AREA, "Northshire"): 12 completed (4 of them shop theft), 6 non-compliant and 5
 * rejected, all in January to March 2025: 23 referrals, 18 accepted, 18 started within the
 * target, 18 attended bookings of 24 counted. The small one (`small`, "Small Dale, \"East\""): 3
 * completed, too few to show. */
static void seed(char small[IJ_AREA_MAX]) {
  PGconn *c = db();
  int day = 0;
  for (int i = 0; i < 12; i++)
    referral(c, AREA, "completed", day += 3, i < 4 ? "shop_theft" : "asb", true, true, 1);
  for (int i = 0; i < 6; i++)
    referral(c, AREA, "non_compliant", day += 3, "asb", true, true, 2);
  for (int i = 0; i < 5; i++)
    referral(c, AREA, "rejected", day += 3, "asb", false, false, 0);
  ij_conn *conn;
  ck_assert_int_eq(ij_store_acquire(S->store, &conn), IJ_OK);
  ts_new_area(conn, small);
  ij_store_release(S->store, conn);
  for (int i = 0; i < 3; i++)
    referral(c, small, "completed", 10 + i, "shop_theft", true, true, 1);
  const char *p[2] = {AREA, "Northshire"};
  sql(c, "UPDATE areas SET name = $2 WHERE code = $1", 2, p, NULL, 0);
  const char *q[2] = {small, "Small Dale, \"East\""};
  sql(c, "UPDATE areas SET name = $2 WHERE code = $1", 2, q, NULL, 0);
  PQfinish(c);
}

/* ---- reading the answers ---- */

static ts_response *get(const char *route, const char *path, const char *token) {
  return ts_http(S, "GET", route, path, token, NULL, NULL);
}

static ts_response *get_ok(const char *route, const char *path, const char *token) {
  ts_response *r = get(route, path, token);
  ck_assert_msg(r->status == 200, "%s: %ld %s", path, r->status, r->body);
  return r;
}

static json_t *area_row(ts_response *r, const char *code) {
  size_t i;
  json_t *row;
  json_array_foreach(json_object_get(r->json, "areas"), i, row) {
    if (strcmp(json_string_value(json_object_get(row, "area")), code) == 0)
      return row;
  }
  ck_abort_msg("no row for area %s in %s", code, r->body);
  return NULL;
}

static void expect_equal(json_t *a, json_t *b, const char *what, const char *area) {
  ck_assert_msg(a && b && json_equal(a, b), "%s of %s: %s against the summary's %s", what, area,
                json_dumps(a, JSON_COMPACT | JSON_ENCODE_ANY),
                json_dumps(b, JSON_COMPACT | JSON_ENCODE_ANY));
}

/* A row (or the totals) against a summary's figures: referrals and every rate the same. */
static void expect_row_is_summary(json_t *row, ts_response *summary, const char *area) {
  json_t *f = json_object_get(summary->json, "figures");
  expect_equal(json_object_get(row, "referrals"), json_object_get(f, "referrals"), "referrals",
               area);
  for (int k = 0; k < NRATES; k++)
    expect_equal(json_object_get(row, RATES[k]), json_object_get(f, RATES[k]), RATES[k], area);
}

/* Every area's row equals its own commissioner's summary with the same query, and the totals the
 * national summary. */
static void expect_rows_are_summaries(const char *query) {
  char path[512];
  char *national = ts_token("national_commissioner", AREA, "ncc-1");
  snprintf(path, sizeof path, "%s?%s", R_AREAS, query);
  ts_response *areas = get_ok(R_AREAS, path, national);
  json_t *rows = json_object_get(areas->json, "areas");
  ck_assert_int_ge(json_array_size(rows), 2);
  size_t i;
  json_t *row;
  const char *previous = "";
  json_array_foreach(rows, i, row) {
    const char *code = json_string_value(json_object_get(row, "area"));
    ck_assert_msg(strcmp(previous, code) < 0, "rows not in code order");
    previous = code;
    char *comm = ts_token("commissioner", code, "pcc-1");
    snprintf(path, sizeof path, "%s?%s", R_SUMMARY, query);
    ts_response *s = get_ok(R_SUMMARY, path, comm);
    expect_row_is_summary(row, s, code);
    /* the summary names its area too */
    ck_assert_str_eq(json_string_value(json_object_get(s->json, "area_name")),
                     json_string_value(json_object_get(row, "area_name")));
    ts_response_free(s);
    free(comm);
  }
  snprintf(path, sizeof path, "%s?%s&scope=national", R_SUMMARY, query);
  ts_response *s = get_ok(R_SUMMARY, path, national);
  ck_assert(json_is_null(json_object_get(s->json, "area_name")));
  expect_row_is_summary(json_object_get(areas->json, "national"), s, "national");
  ts_response_free(s);
  ts_response_free(areas);
  free(national);
}

/* ---- tests ---- */

START_TEST(every_row_is_its_areas_summary_and_the_totals_the_national_one) {
  char small[IJ_AREA_MAX];
  seed(small);
  expect_rows_are_summaries(PERIOD);
  expect_rows_are_summaries("from=2025-01-01&to=2025-03-31&offence_category=shop_theft");
  expect_rows_are_summaries(
      "from=2025-01-01&to=2025-03-31&age_band=25%2B&placement_type=gardening");
  expect_rows_are_summaries("from=2024-01-01&to=2024-12-31");
}
END_TEST

START_TEST(known_figures_names_and_suppression) {
  char small[IJ_AREA_MAX];
  seed(small);
  char *national = ts_token("national_commissioner", AREA, "ncc-1");
  char path[256];
  snprintf(path, sizeof path, "%s?%s", R_AREAS, PERIOD);
  ts_response *r = get_ok(R_AREAS, path, national);
  ck_assert_str_eq(json_string_value(json_object_get(r->json, "scope")), "national");
  ck_assert_str_eq(json_string_value(json_object_get(r->json, "from")), "2025-01-01");
  ck_assert_str_eq(json_string_value(json_object_get(r->json, "to")), "2025-03-31");
  json_t *big = area_row(r, AREA);
  ck_assert_str_eq(json_string_value(json_object_get(big, "area_name")), "Northshire");
  json_t *referrals = json_object_get(big, "referrals");
  ck_assert(json_is_false(json_object_get(referrals, "suppressed")));
  ck_assert_int_eq(json_integer_value(json_object_get(referrals, "value")), 23);
  /* numerator/denominator of each rate */
  const long long want[NRATES][2] = {{18, 23}, {18, 18}, {12, 18}, {6, 18}, {18, 24}};
  for (int k = 0; k < NRATES; k++) {
    json_t *rate = json_object_get(big, RATES[k]);
    ck_assert_msg(json_is_false(json_object_get(rate, "suppressed")), "%s suppressed", RATES[k]);
    ck_assert_int_eq(json_integer_value(json_object_get(rate, "numerator")), want[k][0]);
    ck_assert_int_eq(json_integer_value(json_object_get(rate, "denominator")), want[k][1]);
    double v =
        (double)(long long)((double)want[k][0] / (double)want[k][1] * 10000.0 + 0.5) / 10000.0;
    ck_assert_double_eq_tol(json_number_value(json_object_get(rate, "value")), v, 1e-9);
  }
  /* three referrals: below the threshold, so the count and every rate are withheld */
  json_t *tiny = area_row(r, small);
  ck_assert_str_eq(json_string_value(json_object_get(tiny, "area_name")), "Small Dale, \"East\"");
  ck_assert(json_is_true(json_object_get(json_object_get(tiny, "referrals"), "suppressed")));
  ck_assert(json_is_null(json_object_get(json_object_get(tiny, "referrals"), "value")));
  for (int k = 0; k < NRATES; k++) {
    json_t *rate = json_object_get(tiny, RATES[k]);
    ck_assert_msg(json_is_true(json_object_get(rate, "suppressed")), "%s shown", RATES[k]);
    ck_assert(json_is_null(json_object_get(rate, "value")));
  }
  /* the totals hold both areas' (and any other's) referrals */
  json_t *total = json_object_get(json_object_get(r->json, "national"), "referrals");
  ck_assert_int_ge(json_integer_value(json_object_get(total, "value")), 26);
  ts_response_free(r);
  /* the area's own summary names it */
  char *comm = ts_token("commissioner", AREA, "pcc-1");
  snprintf(path, sizeof path, "%s?%s", R_SUMMARY, PERIOD);
  r = get_ok(R_SUMMARY, path, comm);
  ck_assert_str_eq(json_string_value(json_object_get(r->json, "area_name")), "Northshire");
  ts_response_free(r);
  r = get_ok("/v1/stats/reoffending", "/v1/stats/reoffending", comm);
  ck_assert_str_eq(json_string_value(json_object_get(r->json, "area_name")), "Northshire");
  ts_response_free(r);
  free(comm);
  free(national);
}
END_TEST

/* ---- CSV ---- */

/* Splits RFC 4180 text (quoted fields allowed) into rows of fields. The comparison of areas has a
 * row for every area of the test database, which every suite run against it adds to (the HTTP
 * suite twice, directly and behind PgBouncer): room for many times what a run makes. */
#define CSV_MAX_ROWS 20000
typedef struct {
  int nrows, ncols[CSV_MAX_ROWS];
  char *rows[CSV_MAX_ROWS][16];
  char *text;
} csv_table;

static void csv_parse(const char *body, csv_table *t) {
  memset(t, 0, sizeof *t);
  t->text = malloc(strlen(body) + 1);
  char *w = t->text;
  const char *p = body;
  while (*p) {
    ck_assert_int_lt(t->nrows, CSV_MAX_ROWS);
    int f = 0;
    for (;;) {
      ck_assert_int_lt(f, 16);
      t->rows[t->nrows][f++] = w;
      if (*p == '"') {
        for (p++;; p++) {
          ck_assert_msg(*p, "an unterminated quoted field");
          if (*p == '"' && p[1] == '"')
            *w++ = *p++;
          else if (*p == '"')
            break;
          else
            *w++ = *p;
        }
        p++;
      } else {
        while (*p && *p != ',' && *p != '\r')
          *w++ = *p++;
      }
      *w++ = 0;
      if (*p == ',') {
        p++;
        continue;
      }
      ck_assert_msg(p[0] == '\r' && p[1] == '\n', "a CSV record does not end in CRLF");
      p += 2;
      break;
    }
    t->ncols[t->nrows++] = f;
  }
}

static int column(csv_table *t, const char *name) {
  for (int c = 0; c < t->ncols[0]; c++)
    if (strcmp(t->rows[0][c], name) == 0)
      return c;
  ck_abort_msg("no column %s", name);
  return -1;
}

/* A JSON member as the CSV writes it. */
static void expect_field(const char *csv, json_t *v, const char *what) {
  if (!v || json_is_null(v)) {
    ck_assert_msg(strcmp(csv, "") == 0, "%s: CSV %s where JSON has null", what, csv);
  } else if (json_is_boolean(v)) {
    ck_assert_str_eq(csv, json_is_true(v) ? "true" : "false");
  } else {
    ck_assert_msg(*csv, "%s: CSV empty where JSON has a value", what);
    ck_assert_double_eq_tol(strtod(csv, NULL), json_number_value(v), 1e-9);
  }
}

/* Every record of the CSV is the JSON's, and every figure of the JSON has its record. */
static void expect_csv_is_json(ts_response *csv, ts_response *json) {
  ck_assert_msg(strncmp(csv->content_type, "text/csv", 8) == 0, "%s", csv->content_type);
  csv_table *t = malloc(sizeof *t);
  csv_parse(csv->body, t);
  const char *lead[] = {"area",   "area_name", "from",      "to",          "measure",   "value",
                        "ci_low", "ci_high",   "numerator", "denominator", "suppressed"};
  for (int c = 0; c < 11; c++)
    ck_assert_str_eq(t->rows[0][c], lead[c]);
  size_t nareas = json_array_size(json_object_get(json->json, "areas"));
  ck_assert_int_eq(t->nrows, 1 + (int)(nareas + 1) * (NRATES + 1));
  int cm = column(t, "measure");
  for (int i = 1; i < t->nrows; i++) {
    ck_assert_int_eq(t->ncols[i], t->ncols[0]);
    char **row = t->rows[i];
    json_t *figures;
    if (strcmp(row[0], "national") == 0) {
      figures = json_object_get(json->json, "national");
      ck_assert_str_eq(row[1], "");
    } else {
      figures = area_row(json, row[0]);
      ck_assert_str_eq(row[1], json_string_value(json_object_get(figures, "area_name")));
    }
    ck_assert_str_eq(row[2], json_string_value(json_object_get(json->json, "from")));
    ck_assert_str_eq(row[3], json_string_value(json_object_get(json->json, "to")));
    json_t *m = json_object_get(figures, row[cm]);
    ck_assert_msg(m != NULL, "no figure %s", row[cm]);
    for (int c = cm + 1; c < t->ncols[0]; c++)
      expect_field(row[c], json_object_get(m, t->rows[0][c]), t->rows[0][c]);
  }
  free(t->text);
  free(t);
}

START_TEST(csv_by_path_and_by_accept_equals_json) {
  char small[IJ_AREA_MAX];
  seed(small);
  char *national = ts_token("national_commissioner", AREA, "ncc-1");
  char path[256];
  snprintf(path, sizeof path, "%s?%s", R_AREAS, PERIOD);
  ts_response *json = get_ok(R_AREAS, path, national);
  snprintf(path, sizeof path, "%s?%s", R_AREAS_CSV, PERIOD);
  ts_response *csv = get_ok(R_AREAS_CSV, path, national);
  ck_assert_ptr_nonnull(strstr(csv->body, "\"Small Dale, \"\"East\"\"\""));
  expect_csv_is_json(csv, json);
  ts_response_free(csv);
  snprintf(path, sizeof path, "%s?%s", R_AREAS, PERIOD);
  const char *const headers[] = {"Accept: text/csv", NULL};
  csv = ts_http(S, "GET", R_AREAS, path, national, headers, NULL);
  ck_assert_int_eq(csv->status, 200);
  expect_csv_is_json(csv, json);
  ts_response_free(csv);
  ts_response_free(json);
  free(national);
}
END_TEST

/* ---- who may ask, and what ---- */

START_TEST(only_the_national_commissioner) {
  const char *const routes[2] = {R_AREAS, R_AREAS_CSV};
  const char *const refused[] = {"commissioner", "coordinator", "admin", "officer", "supervisor"};
  for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
    char *t = ts_token(refused[i], AREA, "someone");
    for (int k = 0; k < 2; k++) {
      ts_response *r = get(routes[k], routes[k], t);
      ck_assert_msg(r->status == 403, "%s %s: %ld", refused[i], routes[k], r->status);
      ts_response_free(r);
    }
    free(t);
  }
  ts_response *r = get(R_AREAS, R_AREAS, NULL);
  ck_assert_int_eq(r->status, 401);
  ts_response_free(r);
  char *national = ts_token("national_commissioner", AREA, "ncc-1");
  r = get_ok(R_AREAS, R_AREAS, national);
  ts_response_free(r);
  /* a ward is an area's, a scope is implied; bad filters are named */
  const char *const bad[] = {"/v1/stats/areas?ward=ward-a", "/v1/stats/areas?scope=national",
                             "/v1/stats/areas?age_band=9-99", "/v1/stats/areas?from=2025-13-01",
                             "/v1/stats/areas?from=2025-03-01&to=2025-01-01"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    r = get(R_AREAS, bad[i], national);
    ck_assert_msg(r->status == 422 || r->status == 400, "%s: %ld", bad[i], r->status);
    ts_response_free(r);
  }
  free(national);
}
END_TEST

Suite *http_stats_areas_suite(void) {
  Suite *s = suite_create("http_stats_areas");
  TCase *tc = tcase_create("stats_areas");
  tcase_set_timeout(tc, 300);
  tcase_add_checked_fixture(tc, http_setup, http_teardown);
  tcase_add_test(tc, every_row_is_its_areas_summary_and_the_totals_the_national_one);
  tcase_add_test(tc, known_figures_names_and_suppression);
  tcase_add_test(tc, csv_by_path_and_by_accept_equals_json);
  tcase_add_test(tc, only_the_national_commissioner);
  suite_add_tcase(s, tc);
  return s;
}
