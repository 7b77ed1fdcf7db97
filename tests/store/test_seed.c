/* The demo data set (`ij seed`) made in two fresh areas at a fixed "now": eighteen months of a
 * county scheme whose figures a commissioner can read (referrals in the hundreds, completion and
 * reoffending rates not suppressed, every placement type used, under-18s with guardians), made the
 * same way every time, with reoffending checks recorded only where their windows have passed, and
 * a second `ij seed` that changes nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uuid/uuid.h>

#include "../../service/store/db.h"
#include "ij/cli.h"
#include "ij/ops.h"
#include "ij/store/bookings.h"
#include "ij/store/notices.h"
#include "ij/store/referrals.h"
#include "suites.h"
#include "support.h"

/* 2026-06-15T12:00:00Z: a fixed day, so that two runs can be compared */
static const ij_time_us NOW = INT64_C(1781524800) * IJ_US_PER_SECOND;

static void new_code(const char *prefix, char out[IJ_AREA_MAX]) {
  uuid_t u;
  char text[37];
  uuid_generate_random(u);
  uuid_unparse_lower(u, text);
  snprintf(out, IJ_AREA_MAX, "%s%.8s", prefix, text);
}

/* What the seed left in an area, as text: equal texts, equal data (ids and clock aside). */
static char *fingerprint(const char *area) {
  const char *p[1] = {area};
  return ts_sql(
      "SELECT concat_ws(' | ',"
      " (SELECT string_agg(state || '=' || n, ',' ORDER BY state) FROM"
      "   (SELECT state, count(*) n FROM referrals WHERE area = $1 GROUP BY 1) x),"
      " (SELECT string_agg(status || '=' || n, ',' ORDER BY status) FROM"
      "   (SELECT status, count(*) n FROM bookings WHERE area = $1 GROUP BY 1) x),"
      " (SELECT sum(minutes_credited) || ' min, versions ' || sum(version) || ', warnings '"
      "   || sum(warnings) FROM referrals WHERE area = $1),"
      " (SELECT count(*) || ' sessions' FROM sessions WHERE area = $1),"
      " (SELECT count(*) || ' placements' FROM placements WHERE area = $1),"
      " (SELECT count(*) || ' people' FROM people WHERE area = $1),"
      " (SELECT count(*) || ' events' FROM referral_events WHERE area = $1),"
      " (SELECT count(recorded_at) || ' checks, ' || count(*) FILTER (WHERE reoffended)"
      "   || ' reoffended' FROM followup_checks WHERE area = $1),"
      " (SELECT string_agg(ward || '=' || n, ',' ORDER BY ward) FROM"
      "   (SELECT ward, count(*) n FROM referrals WHERE area = $1 GROUP BY 1) x))",
      1, p);
}

static long long count(const char *sql, const char *area) {
  const char *p[2] = {area, "2026-06-15"};
  char *v = ts_sql(sql, 2, p);
  long long n = v ? atoll(v) : -1;
  free(v);
  return n;
}

static void seed(ij_conn *c, const char *demo, const char *second, int *created) {
  ij_seed_areas areas = {demo, "Demo county", second, "Second county"};
  ck_assert_int_eq(ij_seed_demo_areas(c, NULL, NOW, &areas, created), IJ_OK);
}

START_TEST(a_scheme_a_commissioner_can_read) {
  ij_store *s = ts_store(1);
  ij_conn *c;
  ck_assert_int_eq(ij_store_acquire(s, &c), IJ_OK);
  char a[IJ_AREA_MAX], a2[IJ_AREA_MAX], b[IJ_AREA_MAX], b2[IJ_AREA_MAX];
  new_code("sd", a);
  new_code("sn", a2);
  new_code("sd", b);
  new_code("sn", b2);
  int created = 0;
  seed(c, a, a2, &created);
  ck_assert_int_gt(created, 700);

  /* seeding again changes nothing */
  char *before = fingerprint(a), *before2 = fingerprint(a2);
  int again = -1;
  seed(c, a, a2, &again);
  ck_assert_int_eq(again, 0);
  char *after = fingerprint(a), *after2 = fingerprint(a2);
  ck_assert_str_eq(before, after);
  ck_assert_str_eq(before2, after2);

  /* the same scheme every time */
  int created_b = 0;
  seed(c, b, b2, &created_b);
  ck_assert_int_eq(created_b, created);
  char *other = fingerprint(b), *other2 = fingerprint(b2);
  ck_assert_str_eq(after, other);
  ck_assert_str_eq(after2, other2);

  /* the commissioner's figures for the last eighteen months */
  ij_stats_filter f;
  memset(&f, 0, sizeof f);
  f.area = a;
  f.to = ij_time_date(NOW);
  f.from = f.to - 548;
  f.today = f.to;
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  ij_stats_summary sum;
  ij_store_scope(c, a);
  ck_assert_int_eq(ij_ops_stats_summary(c, &f, &errs, &sum), IJ_OK);
  ck_assert_int_ge(sum.referrals, 600);
  ck_assert_int_le(sum.referrals, 800);
  ij_suppress_rules rules = {5, 10};
  ij_stat_cell completed = {(double)sum.completed, sum.completed, false};
  ij_stat_cell exits = {(double)(sum.completed + sum.non_compliant),
                        sum.completed + sum.non_compliant, false};
  ij_suppress_cell(&rules, &completed);
  ij_suppress_cell(&rules, &exits);
  ij_stat_rate completion = ij_suppress_rate(&rules, &completed, &exits);
  ck_assert(!completion.suppressed);
  /* a plausible completion rate, and non-compliance a real share */
  ck_assert(completion.value > 0.7 && completion.value < 0.97);
  ck_assert_int_ge(sum.non_compliant, 20);
  ck_assert_int_ge(sum.rejected, 20);
  ck_assert_int_ge(sum.rereferrals, 10);
  ck_assert(sum.has_median);
  ck_assert(sum.started_within_target > 0 && sum.started_within_target < sum.started);
  ck_assert_int_ge(sum.nmonths, 18);
  for (int i = 1; i < sum.nmonths - 1; i++) /* every whole month has real numbers */
    ck_assert_int_ge(sum.months[i].referrals, 15);
  for (int t = 0; t < IJ_STATS_TYPES; t++) { /* every placement type used by enough people */
    ck_assert_int_ge(sum.hours_by_type[t].referrals, 20);
    ck_assert_int_gt(sum.hours_by_type[t].minutes, 0);
  }
  ck_assert_int_gt(sum.bookings_by_outcome[IJ_OUTCOME_ABSENT_ACCEPTABLE], 20);
  ck_assert_int_gt(sum.bookings_by_outcome[IJ_OUTCOME_ABSENT_UNACCEPTABLE], 20);
  ck_assert_int_gt(sum.bookings_by_outcome[IJ_OUTCOME_SENT_HOME_BEHAVIOUR], 5);
  ck_assert_int_gt(sum.bookings_by_outcome[IJ_OUTCOME_RESCHEDULED], 5);
  ij_stats_summary_clear(&sum);

  /* reoffending: rates shown, lower for completers */
  ij_stats_window w[IJ_FOLLOWUP_WINDOW_COUNT];
  ij_field_errors_init(&errs);
  ck_assert_int_eq(ij_ops_stats_reoffending(c, &f, &errs, w), IJ_OK);
  ij_store_scope(c, NULL);
  for (int i = 0; i < IJ_FOLLOWUP_WINDOW_COUNT; i++) {
    const ij_stats_cohort *k = &w[i].completers;
    ij_stat_cell num = {(double)k->reoffended, k->reoffended, false};
    ij_stat_cell den = {(double)k->cohort, k->cohort, false};
    ij_suppress_cell(&rules, &num);
    ij_suppress_cell(&rules, &den);
    ij_stat_rate rate = ij_suppress_rate(&rules, &num, &den);
    ck_assert_msg(!rate.suppressed, "completers' %d-month rate suppressed", w[i].months);
    ck_assert(rate.value > 0.02 && rate.value < 0.35);
    ck_assert_int_gt(k->pending, 0); /* recent exits still wait */
  }
  const ij_stats_cohort *nc = &w[2].non_completers, *cc = &w[2].completers;
  ck_assert_int_ge(nc->cohort, 10);
  ck_assert_int_ge(nc->reoffended, 5);
  ck_assert(nc->reoffended * cc->cohort > cc->reoffended * nc->cohort);

  /* checks recorded only once due, never for a window that has not passed */
  ck_assert_int_eq(count("SELECT count(*) FROM followup_checks WHERE area = $1 AND"
                         " recorded_at IS NOT NULL AND (due_on > $2::date"
                         " OR recorded_at::date < due_on) AND $2::text IS NOT NULL",
                         a),
                   0);
  ck_assert_int_gt(count("SELECT count(*) FROM followup_checks WHERE area = $1 AND"
                         " recorded_at IS NULL AND due_on > $2::date",
                         a),
                   100);
  /* placements of every type; under-18s, each with a guardian */
  ck_assert_int_eq(count("SELECT count(*) FROM (SELECT type FROM placements WHERE area = $1"
                         " GROUP BY type HAVING count(*) >= 3) x WHERE $2::text IS NOT NULL",
                         a),
                   6);
  ck_assert_int_ge(count("SELECT count(*) FROM referrals r JOIN people p ON p.id = r.person_id"
                         " WHERE r.area = $1 AND age(r.created_at::date, p.date_of_birth)"
                         " < interval '18 years' AND r.guardian_name IS NOT NULL"
                         " AND $2::text IS NOT NULL",
                         a),
                   100);
  ck_assert_int_eq(
      count("SELECT count(*) FROM referrals r JOIN people p ON p.id = r.person_id"
            " WHERE r.area = $1 AND age(r.created_at::date, p.date_of_birth)"
            " < interval '18 years' AND r.guardian_name IS NULL AND $2::text IS NOT NULL",
            a),
      0);
  ck_assert_int_ge(count("SELECT count(DISTINCT officer_sub) FROM referrals WHERE area = $1"
                         " AND $2::text IS NOT NULL",
                         a),
                   10);
  /* every thing at its time: no booking on a session before the referral was made, no event
   * before it either, no exit before it */
  ck_assert_int_eq(count("SELECT count(*) FROM bookings b JOIN referrals r ON r.id = b.referral_id"
                         " WHERE r.area = $1 AND (b.starts_at < r.created_at"
                         " OR b.created_at < r.created_at) AND $2::text IS NOT NULL",
                         a),
                   0);
  ck_assert_int_eq(count("SELECT count(*) FROM referral_events e JOIN referrals r"
                         " ON r.id = e.referral_id WHERE r.area = $1 AND (e.at < r.created_at"
                         " OR e.at > $2::date + 1) ",
                         a),
                   0);
  ck_assert_int_eq(count("SELECT count(*) FROM followup_checks f JOIN referrals r"
                         " ON r.id = f.referral_id WHERE r.area = $1 AND"
                         " f.exited_on < r.created_at::date AND $2::text IS NOT NULL",
                         a),
                   0);
  /* the second area: smaller, for the national view to compare */
  long long second =
      count("SELECT count(*) FROM referrals WHERE area = $1 AND $2::text IS NOT NULL", a2);
  ck_assert(second >= 60 && second <= 200);
  /* the kept statistics, deferred during the seed and rebuilt at its end (migration 039), are
   * what the rows say, and no setting is left behind on the connection */
  ck_assert_int_eq(count("SELECT (SELECT count(*) FROM stats_kept_vs_raw)"
                         " + (SELECT count(*) FROM stats_kept_days_vs_raw)"
                         " + (SELECT count(*) FROM stats_kept_exit_months_vs_raw)"
                         " + (SELECT count(*) FROM stats_kept_bands_vs_hours)"
                         " WHERE $1::text IS NOT NULL AND $2::text IS NOT NULL",
                         a),
                   0);
  /* this week's work for the practitioners' pages: one awaiting triage made today */
  ck_assert_int_ge(count("SELECT count(*) FROM referrals WHERE area = $1 AND state = 'submitted'"
                         " AND created_at::date = $2::date",
                         a),
                   1);

  free(before);
  free(before2);
  free(after);
  free(after2);
  free(other);
  free(other2);
  ij_store_release(s, c);
  ij_store_close(s);
}
END_TEST

/* The deferral is the owner's alone: a session of the service's role asks and is refused (a custom
 * setting is one any role may set), so its writes keep the figures one by one; the owner's session
 * is granted it, its writes leave the figures behind the rows until the rebuild. */
START_TEST(only_the_owner_may_defer_the_kept_statistics) {
  ij_store_options service = {ts_service_url(), 1, 10000, true, true};
  ij_store *s = NULL;
  ck_assert_int_eq(ij_store_open(&service, &s), IJ_OK);
  ij_conn *c;
  ck_assert_int_eq(ij_store_acquire(s, &c), IJ_OK);
  bool deferred = true;
  ck_assert_int_eq(ij_ops_demo_defer_stats(c, &deferred), IJ_OK);
  ck_assert(!deferred);
  ij_store_release(s, c);
  ij_store_close(s);

  s = ts_store(1);
  ck_assert_int_eq(ij_store_acquire(s, &c), IJ_OK);
  ck_assert_int_eq(ij_ops_demo_defer_stats(c, &deferred), IJ_OK);
  ck_assert(deferred);
  char area[IJ_AREA_MAX];
  ts_new_area(c, area);
  ij_referral r;
  memset(&r, 0, sizeof r);
  uuid_t u;
  uuid_generate_random(u);
  uuid_unparse_lower(u, r.id);
  uuid_generate_random(u);
  uuid_unparse_lower(u, r.person_id);
  r.area = area;
  r.state = IJ_STATE_SUBMITTED;
  r.version = 1;
  r.person_name = "Casey Brown";
  ij_date_parse("2003-02-01", &r.date_of_birth);
  ij_date_parse("2026-01-10", &r.offence_date);
  r.offence_category = "asb";
  r.ward = "ward-a";
  r.disposal = "community_resolution";
  r.consent_recorded = true;
  r.hours_proposed = 7;
  r.victim_consulted = r.victim_keep_updated = -1;
  r.officer_sub = r.officer_name = "pc-1";
  r.created_at = r.updated_at = NOW;
  r.target_start_by = r.created_at + 48 * IJ_US_PER_HOUR;
  ij_audit audit = {"req-defer", "pc-1", "pc-1", "officer", r.created_at};
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  ij_replay replay;
  ck_assert_int_eq(ts_store_referral(c, &r, &audit, NULL, &replay, &errs), IJ_OK);
  const char *lagging = "SELECT count(*) FROM stats_kept_vs_raw WHERE area = $1"
                        " AND $2::text IS NOT NULL";
  ck_assert_int_gt(count(lagging, area), 0);
  ck_assert_int_eq(ij_ops_demo_rebuild_stats(c), IJ_OK);
  ck_assert_int_eq(count(lagging, area), 0);
  ij_store_release(s, c);
  ij_store_close(s);
}
END_TEST

/* The plan PostgreSQL makes for the service's GET of a referral (the prepared statement the store
 * made on its connection), custom or generic, as the service's role with its area set, in JSON. */
static char *referral_get_plan(PGconn *pg, const char *area, const char *id, const char *mode) {
  char *a = PQescapeLiteral(pg, area, strlen(area)), *i = PQescapeLiteral(pg, id, strlen(id));
  char sql[512];
  snprintf(sql, sizeof sql,
           "BEGIN; SELECT set_config('ij.area', %s, true);"
           " SELECT set_config('plan_cache_mode', '%s', true)",
           a, mode);
  PQclear(PQexec(pg, sql));
  snprintf(sql, sizeof sql, "EXPLAIN (FORMAT JSON) EXECUTE referral_get(%s, %s)", i, a);
  PGresult *res = PQexec(pg, sql);
  ck_assert_int_eq(PQresultStatus(res), PGRES_TUPLES_OK);
  char *plan = strdup(PQgetvalue(res, 0, 0));
  PQclear(res);
  PQclear(PQexec(pg, "ROLLBACK"));
  PQfreemem(a);
  PQfreemem(i);
  return plan;
}

/* The indexes a plan in JSON reads, each with a space either side: " a  b ". */
static void plan_indexes(const char *plan, char *out, size_t size) {
  static const char key[] = "\"Index Name\": \"";
  size_t len = 0;
  out[0] = '\0';
  for (const char *at = strstr(plan, key); at; at = strstr(at, key)) {
    at += sizeof key - 1;
    const char *end = strchr(at, '"');
    if (!end)
      break;
    int n = snprintf(out + len, size - len, " %.*s ", (int)(end - at), at);
    if (n < 0 || (size_t)n >= size - len)
      break;
    len += (size_t)n;
  }
}

/* A referral's next session (read with every GET of a referral) is found from the referral's own
 * booked bookings (migration 041), not by walking every upcoming booking of its area, which the
 * row-level policy's area made the planner do: on a scheme seeded today, with sessions booked
 * ahead and the table's statistics fresh, both the custom and the generic plan read the referral's
 * index and not the area's. */
/* A scheme seeded at today's date (sessions booked ahead of now) in a new area, with the bookings'
 * statistics fresh; returns now. */
static ij_time_us seed_today(char area[IJ_AREA_MAX]) {
  ij_store *owner = ts_store(1);
  ij_conn *c;
  ck_assert_int_eq(ij_store_acquire(owner, &c), IJ_OK);
  char second[IJ_AREA_MAX];
  new_code("sp", area);
  new_code("sq", second);
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  ij_time_us now = (ij_time_us)ts.tv_sec * IJ_US_PER_SECOND;
  ij_seed_areas areas = {area, "Plan county", second, "Plan second county"};
  int created = 0;
  ck_assert_int_eq(ij_seed_demo_areas(c, NULL, now, &areas, &created), IJ_OK);
  ij_store_release(owner, c);
  ij_store_close(owner);
  free(ts_sql("ANALYZE bookings", 0, NULL));
  return now;
}

START_TEST(a_referrals_next_session_is_read_by_the_referral) {
  char area[IJ_AREA_MAX];
  seed_today(area);
  ij_conn *c;
  const char *p[1] = {area};
  char *upcoming = ts_sql("SELECT count(*) FROM bookings WHERE area = $1 AND status = 'booked'"
                          " AND ends_at > now()",
                          1, p);
  ck_assert_int_gt(atoi(upcoming), 0); /* an area with a session booked ahead */
  free(upcoming);
  char *id = ts_sql("SELECT referral_id FROM bookings WHERE area = $1 AND status = 'booked'"
                    " AND ends_at > now() ORDER BY referral_id LIMIT 1",
                    1, p);
  ck_assert_ptr_nonnull(id);

  ij_store_options service = {ts_service_url(), 1, 10000, true, true};
  ij_store *s = NULL;
  ck_assert_int_eq(ij_store_open(&service, &s), IJ_OK);
  ck_assert_int_eq(ij_store_acquire(s, &c), IJ_OK);
  ij_store_scope(c, area);
  ij_referral r;
  ck_assert_int_eq(ij_store_referral_get(c, area, id, &r), IJ_OK); /* prepares the statement */
  ij_referral_clear(&r);
  const char *modes[] = {"force_custom_plan", "force_generic_plan"};
  for (int m = 0; m < 2; m++) {
    char *plan = referral_get_plan(c->pg, area, id, modes[m]);
    char used[256];
    plan_indexes(plan, used, sizeof used);
    free(plan);
    ck_assert_msg(strstr(used, " bookings_referral_booked ") != NULL, "%s reads:%s", modes[m],
                  used);
    ck_assert_msg(strstr(used, " bookings_outcome_due ") == NULL, "%s reads:%s", modes[m], used);
  }
  ij_store_release(s, c);
  ij_store_close(s);
  free(id);
}
END_TEST

/* A prepared statement's plans on the connection so far: made without its values (generic) and
 * for them (custom). */
static void plan_counts(PGconn *pg, const char *name, long *generic, long *custom) {
  const char *p[1] = {name};
  PGresult *res = PQexecParams(pg,
                               "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
                               " WHERE name = $1",
                               1, NULL, p, NULL, NULL, 0);
  ck_assert_int_eq(PQresultStatus(res), PGRES_TUPLES_OK);
  ck_assert_msg(PQntuples(res) == 1, "%s was not prepared", name);
  *generic = atol(PQgetvalue(res, 0, 0));
  *custom = atol(PQgetvalue(res, 0, 1));
  PQclear(res);
}

/* The writes' statements whose values used to change what the planner could remove (migration
 * 042, issue 19) keep one plan: PostgreSQL plans a prepared statement for its first five calls'
 * values and then keeps a plan made without them unless that one looks dearer. Each is called
 * eight times on one connection of the service's role, as the service calls it (the writes in a
 * transaction rolled back), with the pair of events written as one update (issue 19); at most
 * five plans were made for the values. */
START_TEST(the_writes_statements_keep_one_plan) {
  char area[IJ_AREA_MAX];
  ij_time_us now = seed_today(area);
  const char *p[1] = {area};
  /* two bookings, whatever their outcomes (the store records any over any) */
  char *kept = ts_sql("SELECT id FROM bookings WHERE area = $1 ORDER BY id LIMIT 1", 1, p);
  char *freed = ts_sql("SELECT id FROM bookings WHERE area = $1 ORDER BY id DESC LIMIT 1", 1, p);
  ck_assert_ptr_nonnull(kept);
  ck_assert_ptr_nonnull(freed);
  ck_assert_str_ne(kept, freed);
  const char *q[1] = {kept}, *f[1] = {freed};
  char *referral = ts_sql("SELECT referral_id FROM bookings WHERE id = $1", 1, q);
  char *v = ts_sql("SELECT version FROM bookings WHERE id = $1", 1, q);
  int kept_version = atoi(v);
  free(v);
  v = ts_sql("SELECT version FROM bookings WHERE id = $1", 1, f);
  int freed_version = atoi(v);
  free(v);
  /* room in the second's session for eight places freed */
  free(ts_sql("UPDATE sessions SET capacity = capacity + 8, booked = booked + 8"
              " WHERE id = (SELECT session_id FROM bookings WHERE id = $1)",
              1, f));

  ij_store_options service = {ts_service_url(), 1, 10000, true, true};
  ij_store *s = NULL;
  ck_assert_int_eq(ij_store_open(&service, &s), IJ_OK);
  ij_conn *c;
  ck_assert_int_eq(ij_store_acquire(s, &c), IJ_OK);
  ij_store_scope(c, area);
  ij_referral r;
  ck_assert_int_eq(ij_store_referral_get(c, area, referral, &r), IJ_OK);
  ij_audit audit = {"plan-test", "plan-coordinator", "Plan Coordinator", "coordinator", now};
  ij_booking_outcome_record rec = {
      "attended_complied", NULL, 0, 420, "good", "good", NULL, NULL, NULL, 0, 0};
  ij_notice_write notice = {"progress", "accepted", false, 0, 0, NULL};
  /* a first attendance that completes: two events in one update (the store writes what the
   * domain decided, whatever the referral's state) */
  ij_decision attend = {
      IJ_STATE_SCHEDULED, IJ_STATE_IN_PROGRESS, IJ_ROLE_COORDINATOR, NULL, 7, 0, 0, 0};
  ij_decision complete = {IJ_STATE_IN_PROGRESS,
                          IJ_STATE_COMPLETED,
                          IJ_ROLE_SYSTEM,
                          NULL,
                          7,
                          0,
                          IJ_EFFECT_EXIT | IJ_EFFECT_COMPLETION,
                          0};
  ij_transition_request attend_req = {.event = IJ_EVENT_ATTEND};
  ij_transition_request complete_req = {.event = IJ_EVENT_COMPLETE};
  ij_audit system = {"plan-test", "system", "Immediate Justice service", "system", now};
  ij_transition_write pair[2] = {{&attend, &attend_req, &audit, NULL},
                                 {&complete, &complete_req, &system, NULL}};
  ck_assert_int_eq(ij_store_begin(c), IJ_OK);
  for (int i = 0; i < 8; i++) {
    char earlier[IJ_UUID_BUF];
    ij_date exited;
    int ward;
    ck_assert_int_eq(
        ij_store_referral_prior(c, area, "ward-a", "PLAN/1", NULL, 0, now, &ward, earlier, &exited),
        IJ_OK);
    ck_assert_int_eq(ij_store_referral_prior(c, area, NULL, NULL, "plan person", 10000, now, &ward,
                                             earlier, &exited),
                     IJ_OK);
    ck_assert_int_eq(ij_store_booking_record(c, area, kept, kept_version + i, &rec, false, &audit),
                     IJ_OK);
    ck_assert_int_eq(ij_store_booking_record(c, area, freed, freed_version + i, &rec, true, &audit),
                     IJ_OK);
    ij_referral after;
    ck_assert_int_eq(
        ij_store_referral_transitions(c, area, referral, r.version + 2 * i, pair, 2, &after, NULL),
        IJ_OK);
    ck_assert_int_eq(after.version, r.version + 2 * i + 2);
    ck_assert_int_eq(after.state, IJ_STATE_COMPLETED);
    ij_referral_clear(&after);
    /* sent with the next statement (the next turn's, or the rollback's own) */
    ck_assert_int_eq(ij_store_notice_add(c, &r, &notice, now), IJ_OK);
  }
  char none[IJ_UUID_BUF];
  ij_date never;
  int ward;
  ck_assert_int_eq(
      ij_store_referral_prior(c, area, NULL, "PLAN/1", NULL, 0, now, &ward, none, &never), IJ_OK);
  ck_assert_str_eq(none, "");
  ij_store_rollback(c);
  const char *names[] = {"person_last_exit",    "person_last_exit_name",    "booking_record",
                         "booking_record_free", "referral_transition_pair", "notice_add"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    long generic, custom;
    plan_counts(c->pg, names[i], &generic, &custom);
    ck_assert_msg(custom <= 5 && generic >= 3, "%s: %ld plans for its values, %ld kept", names[i],
                  custom, generic);
  }
  ij_referral_clear(&r);
  ij_store_release(s, c);
  ij_store_close(s);
  free(kept);
  free(freed);
  free(referral);
}
END_TEST

/* The last plan auto_explain sent that names `statement`. */
typedef struct {
  const char *statement;
  char *plan;
} plan_log;

static void keep_plan(void *arg, const char *message) {
  plan_log *log = arg;
  if (!strstr(message, log->statement))
    return;
  free(log->plan);
  log->plan = strdup(message);
}

/* The plans PostgreSQL runs inside the database's own functions (migration 042), as auto_explain
 * shows them to a superuser's session: the booking trigger's summary of its referral, after five
 * bookings written, runs a plan made without the referral's id (its condition names a parameter,
 * not the id); the access log's batch runs one from its first call. */
START_TEST(the_triggers_statements_keep_one_plan) {
  char area[IJ_AREA_MAX];
  seed_today(area);
  const char *p[1] = {area};
  char *booking = ts_sql("SELECT id FROM bookings WHERE area = $1 AND status = 'booked'"
                         " ORDER BY id LIMIT 1",
                         1, p);
  ck_assert_ptr_nonnull(booking);
  const char *q[1] = {booking};
  char *referral = ts_sql("SELECT referral_id FROM bookings WHERE id = $1", 1, q);
  PGconn *pg = PQconnectdb(ts_database_url());
  ck_assert_int_eq(PQstatus(pg), CONNECTION_OK);
  plan_log log = {"UPDATE referrals r SET booking_statuses", NULL};
  PQsetNoticeProcessor(pg, keep_plan, &log);
  PGresult *res = PQexec(pg, "BEGIN; LOAD 'auto_explain';"
                             " SET LOCAL auto_explain.log_min_duration = 0;"
                             " SET LOCAL auto_explain.log_nested_statements = on;"
                             " SET LOCAL client_min_messages = log");
  ck_assert_msg(PQresultStatus(res) == PGRES_COMMAND_OK, "auto_explain (a superuser's): %s",
                PQerrorMessage(pg));
  PQclear(res);
  for (int i = 0; i < 7; i++) {
    res = PQexecParams(pg, "UPDATE bookings SET minutes_credited = minutes_credited WHERE id = $1",
                       1, NULL, q, NULL, NULL, 0);
    ck_assert_int_eq(PQresultStatus(res), PGRES_COMMAND_OK);
    PQclear(res);
  }
  ck_assert_ptr_nonnull(log.plan);
  ck_assert_msg(strstr(log.plan, "(id = $") && !strstr(log.plan, referral), "%.1500s", log.plan);

  free(log.plan);
  log = (plan_log){"INSERT INTO personal_data_access", NULL};
  const char *rows[2] = {area, referral};
  res = PQexecParams(pg,
                     "SELECT ij_log_access_rows($1, ARRAY[now()], ARRAY['plan-test'],"
                     " ARRAY['coordinator'], ARRAY['consult'], ARRAY[$2::uuid],"
                     " ARRAY['/v1/referrals/{id}'], ARRAY['GET'], ARRAY['plan-test'])",
                     2, NULL, rows, NULL, NULL, 0);
  ck_assert_int_eq(PQresultStatus(res), PGRES_TUPLES_OK);
  ck_assert_str_eq(PQgetvalue(res, 0, 0), "1");
  PQclear(res);
  ck_assert_ptr_nonnull(log.plan);
  ck_assert_msg(strstr(log.plan, "= $1") && !strstr(log.plan, area), "%.1500s", log.plan);
  free(log.plan);
  PQclear(PQexec(pg, "ROLLBACK"));
  PQfinish(pg);
  free(booking);
  free(referral);
}
END_TEST

Suite *store_seed_suite(void) {
  Suite *s = suite_create("store_seed");
  TCase *tc = tcase_create("seed");
  tcase_set_timeout(tc, 1200);
  tcase_add_test(tc, a_scheme_a_commissioner_can_read);
  tcase_add_test(tc, only_the_owner_may_defer_the_kept_statistics);
  tcase_add_test(tc, a_referrals_next_session_is_read_by_the_referral);
  tcase_add_test(tc, the_writes_statements_keep_one_plan);
  tcase_add_test(tc, the_triggers_statements_keep_one_plan);
  suite_add_tcase(s, tc);
  return s;
}
