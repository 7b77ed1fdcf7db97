/* The kept aggregates (migration 024) against the figures' definitions: random referrals,
 * bookings and follow-up checks in two areas over eight months, then random writes (transitions,
 * outcomes, cancellations, late entries, amendments of ward, offence and date of birth, placement
 * type corrections, checks recorded and removed, retention, folds), all from a fixed seed; then,
 * for many random filters (national or an area, any period of days, ward, offence category, age
 * band, placement type, today), every figure of the summary's three statements and of
 * reoffending is compared with the same figure computed from the raw rows (referrals, bookings,
 * sessions, placements, follow-up checks) by the plain SQL below, written apart from the
 * migration. The median is defined as the median of the whole hours (rounded down) from referral
 * to first session. */
#include <libpq-fe.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ij/ops.h"
#include "suites.h"

static uint64_t g_rng;

static uint32_t rnd(uint32_t n) {
  g_rng = g_rng * 6364136223846793005ULL + 1442695040888963407ULL;
  return (uint32_t)(g_rng >> 33) % n;
}

static PGconn *owner(void) {
  PGconn *c = PQconnectdb(ts_database_url());
  ck_assert_msg(PQstatus(c) == CONNECTION_OK, "%s", PQerrorMessage(c));
  return c;
}

/* Runs q; copies the first value into out (when out). */
static void run(PGconn *c, const char *q, int n, const char *const *p, char *out, size_t size) {
  PGresult *r = PQexecParams(c, q, n, NULL, p, NULL, NULL, 0);
  ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK,
                "%s: %s", q, PQresultErrorMessage(r));
  if (out) {
    ck_assert_int_ge(PQntuples(r), 1);
    snprintf(out, size, "%s", PQgetisnull(r, 0, 0) ? "" : PQgetvalue(r, 0, 0));
  }
  PQclear(r);
}

static const char *const k_types[] = {"gardening",        "litter_picking",     "charity_work",
                                      "graffiti_removal", "community_clean_up", "other"};
static const char *const k_statuses[] = {"booked",
                                         "attended_complied",
                                         "attended_failed_to_comply",
                                         "sent_home_behaviour",
                                         "sent_home_service_issue",
                                         "absent_acceptable",
                                         "absent_unacceptable",
                                         "rescheduled",
                                         "cancelled"};
static const char *const k_states[] = {"submitted", "accepted",      "rejected",
                                       "scheduled", "in_progress",   "completed",
                                       "closed",    "non_compliant", "withdrawn"};
static const char *const k_categories[] = {"asb", "shop_theft", "criminal_damage"};
static const char *const k_wards[] = {"ward-a", "ward-b"};

/* $1 area, $2 date of birth, $3 state, $4 created (days after 2024-10-01), $5 minutes into that
 * day, $6 category, $7 ward, $8 hours confirmed (bool), $9 minutes to the first session (0: none),
 * $10 minutes credited, $11 exit (0 none, 1 completed, 2 non-compliant), $12 re-referral of */
static const char SQL_REFERRAL[] =
    "WITH pe AS (INSERT INTO people (id, area, name, date_of_birth, created_at, updated_at)"
    " VALUES (gen_random_uuid(), $1, 'Exact Person', $2::date, now(), now()) RETURNING id),"
    " t AS (SELECT TIMESTAMPTZ '2024-10-01 00:00:00+00' + make_interval(days => $4::int,"
    " mins => $5::int) AS at)"
    " INSERT INTO referrals (id, area, person_id, state, version, officer_sub, officer_name,"
    " offence_date, offence_category, ward, disposal, consent_recorded, hours_proposed,"
    " hours_confirmed, target_start_by, first_attended_at, minutes_credited, completed_at,"
    " exited_at, rereferral_of, rereferral_months, created_at, updated_at)"
    " SELECT gen_random_uuid(), $1, pe.id, $3, 1, 'pc-1', 'PC 1', (t.at)::date - 3, $6, $7,"
    " 'community_resolution', true, 7, CASE WHEN $8::boolean THEN 7 END,"
    " t.at + interval '5 days',"
    " CASE WHEN $9::int > 0 THEN t.at + make_interval(mins => $9::int) END, $10::int,"
    " CASE WHEN $11::int = 1 THEN t.at + interval '40 days' END,"
    " CASE WHEN $11::int > 0 THEN t.at + interval '40 days' END, $12::uuid,"
    " CASE WHEN $12::uuid IS NOT NULL THEN 3 END, t.at, t.at FROM pe, t RETURNING id";

/* $1 referral, $2 exit (1 completed, 2 non-compliant), $3 0: recorded, reoffending found; 1:
 * recorded, none; else not recorded */
static const char SQL_CHECKS[] =
    "INSERT INTO followup_checks (id, area, referral_id, person_id, window_months, exit_state,"
    " exited_on, due_on, recorded_at, reoffended, first_reoffence_on, created_at, updated_at)"
    " SELECT gen_random_uuid(), r.area, r.id, r.person_id, w.m,"
    " CASE WHEN $2::int = 1 THEN 'completed' ELSE 'non_compliant' END,"
    " (r.created_at + interval '40 days')::date,"
    " ((r.created_at + interval '40 days')::date + make_interval(months => w.m))::date,"
    " CASE WHEN $3::int < 2 THEN now() END, CASE WHEN $3::int < 2 THEN $3::int = 0 END,"
    " CASE WHEN $3::int = 0 THEN (r.created_at + interval '50 days')::date END, now(), now()"
    " FROM referrals r, (VALUES (3), (6), (12)) w (m) WHERE r.id = $1::uuid";

/* $1 area, $2 type, $3 referral, $4 hours after its creation, $5 status, $6 minutes */
static const char SQL_BOOKING[] =
    "WITH pl AS (INSERT INTO placements (id, area, name, type, provider, ward, supervisor_sub,"
    " supervisor_name, created_at, updated_at) VALUES (gen_random_uuid(), $1, 'Placement', $2,"
    " 'Provider', 'ward-a', 'sup-1', 'Sup', now(), now()) RETURNING id),"
    " r AS (SELECT id, person_id, created_at + make_interval(hours => $4::int) AS at"
    " FROM referrals WHERE id = $3::uuid),"
    " s AS (INSERT INTO sessions (id, area, placement_id, starts_at, ends_at, capacity,"
    " supervisor_sub, supervisor_name, created_at, updated_at) SELECT gen_random_uuid(), $1, pl.id,"
    " r.at, r.at + interval '3 hours', 10, 'sup-1', 'Sup', now(), now() FROM pl, r RETURNING id)"
    " INSERT INTO bookings (id, area, referral_id, session_id, person_id, starts_at, ends_at,"
    " status, minutes_credited, created_at, updated_at) SELECT gen_random_uuid(), $1, r.id, s.id,"
    " r.person_id, r.at, r.at + interval '3 hours', $5, $6::int, now(), now() FROM s, r";

typedef struct {
  char area[IJ_AREA_MAX];
  char ids[400][IJ_UUID_BUF];
  int n;
  int slots[400]; /* bookings made per referral (their start days do not overlap) */
} area_data;

static void add_booking(PGconn *c, area_data *a, int i, bool late) {
  const char *type = k_types[rnd(6)];
  const char *status = k_statuses[rnd(9)];
  int minutes = strncmp(status, "attended", 8) == 0 ? 30 * (int)(1 + rnd(8)) : 0;
  char hours[16], m[16];
  /* a late entry: a session before the others, recorded after them */
  int slot = late ? -(a->slots[i] + 1) : a->slots[i];
  a->slots[i]++;
  snprintf(hours, sizeof hours, "%d", 24 * 4 * (slot + 40) + (int)rnd(60));
  snprintf(m, sizeof m, "%d", minutes);
  const char *p[6] = {a->area, type, a->ids[i], hours, status, m};
  run(c, SQL_BOOKING, 6, p, NULL, 0);
}

static void add_referral(PGconn *c, area_data *a, int day) {
  char dob[16], created[16], mins[16], to_first[16], credited[16], exit[8];
  snprintf(dob, sizeof dob, "%d-%02d-15", 1980 + (int)rnd(32), 1 + (int)rnd(12));
  snprintf(created, sizeof created, "%d", day);
  snprintf(mins, sizeof mins, "%d", (int)rnd(1440));
  int first = rnd(3) ? (int)rnd(20000) : 0;
  snprintf(to_first, sizeof to_first, "%d", first);
  snprintf(credited, sizeof credited, "%d", first ? 30 * (int)rnd(20) : 0);
  const char *state = k_states[rnd(9)];
  snprintf(exit, sizeof exit, "%d",
           strcmp(state, "completed") == 0       ? 1
           : strcmp(state, "non_compliant") == 0 ? 2
                                                 : 0);
  const char *p[12] = {a->area,
                       dob,
                       state,
                       created,
                       mins,
                       k_categories[rnd(3)],
                       k_wards[rnd(2)],
                       rnd(2) ? "true" : "false",
                       to_first,
                       credited,
                       exit,
                       a->n > 0 && rnd(6) == 0 ? a->ids[rnd((uint32_t)a->n)] : NULL};
  ck_assert_int_lt(a->n, 400);
  run(c, SQL_REFERRAL, 12, p, a->ids[a->n], IJ_UUID_BUF);
  a->slots[a->n] = 0;
  a->n++;
  if (exit[0] != '0') { /* its three follow-up checks, some recorded */
    char rec[8];
    snprintf(rec, sizeof rec, "%u", rnd(4));
    const char *q[3] = {a->ids[a->n - 1], exit, rec};
    run(c, SQL_CHECKS, 3, q, NULL, 0);
  }
  int bookings = (int)rnd(4);
  for (int k = 0; k < bookings; k++)
    add_booking(c, a, a->n - 1, false);
}

/* One random write of the kinds the service makes. */
static void random_write(PGconn *c, area_data *a) {
  int i = (int)rnd((uint32_t)a->n);
  const char *id = a->ids[i];
  switch (rnd(13)) {
  case 11: { /* a check recorded, or its record amended */
    const char *p[2] = {id, rnd(2) ? "true" : "false"};
    run(c,
        "UPDATE followup_checks SET recorded_at = now(), reoffended = $2::boolean,"
        " first_reoffence_on = CASE WHEN $2::boolean THEN exited_on + 20 END,"
        " version = version + 1, updated_at = now() WHERE id = (SELECT id FROM followup_checks"
        " WHERE referral_id = $1::uuid ORDER BY window_months DESC LIMIT 1)",
        2, p, NULL, 0);
    break;
  }
  case 12: { /* an exit undone: its checks go */
    const char *p[1] = {id};
    run(c, "DELETE FROM followup_checks WHERE referral_id = $1::uuid", 1, p, NULL, 0);
    break;
  }
  case 0: { /* a transition (an exit sets its times) */
    const char *state = k_states[rnd(9)];
    const char *p[3] = {id, state, rnd(2) ? "true" : "false"};
    run(c,
        "UPDATE referrals SET state = $2, version = version + 1, updated_at = now(),"
        " hours_confirmed = CASE WHEN $3::boolean THEN 7 END,"
        " completed_at = CASE WHEN $2 IN ('completed', 'closed') THEN created_at + interval"
        " '60 days' END,"
        " exited_at = CASE WHEN $2 IN ('completed', 'closed', 'non_compliant') THEN created_at +"
        " interval '60 days' END WHERE id = $1::uuid",
        3, p, NULL, 0);
    break;
  }
  case 1: { /* a cancellation or reschedule of one of its bookings */
    const char *p[2] = {id, rnd(2) ? "cancelled" : "rescheduled"};
    run(c,
        "UPDATE bookings SET status = $2, minutes_credited = 0, updated_at = now()"
        " WHERE id = (SELECT id FROM bookings WHERE referral_id = $1::uuid ORDER BY id LIMIT 1)",
        2, p, NULL, 0);
    break;
  }
  case 2: { /* an outcome: minutes credited, and the first session if earlier */
    const char *p[1] = {id};
    run(c,
        "WITH b AS (UPDATE bookings SET status = 'attended_complied',"
        " minutes_credited = minutes_credited + 60, updated_at = now() WHERE id = (SELECT id FROM"
        " bookings WHERE referral_id = $1::uuid ORDER BY starts_at DESC LIMIT 1)"
        " RETURNING referral_id, starts_at)"
        " UPDATE referrals r SET minutes_credited = r.minutes_credited + 60,"
        " first_attended_at = least(r.first_attended_at, b.starts_at) FROM b"
        " WHERE r.id = b.referral_id",
        1, p, NULL, 0);
    break;
  }
  case 3: /* a late entry: a booking before the others, recorded now */
    add_booking(c, a, i, true);
    {
      const char *p[1] = {id};
      run(c,
          "UPDATE referrals r SET first_attended_at = (SELECT min(starts_at) FROM bookings b"
          " WHERE b.referral_id = r.id AND b.status LIKE 'attended%') WHERE r.id = $1::uuid",
          1, p, NULL, 0);
    }
    break;
  case 4: { /* an amendment of ward and offence */
    const char *p[3] = {id, k_wards[rnd(2)], k_categories[rnd(3)]};
    run(c,
        "UPDATE referrals SET ward = $2, offence_category = $3, updated_at = now()"
        " WHERE id = $1::uuid",
        3, p, NULL, 0);
    break;
  }
  case 5: { /* a corrected date of birth: the age on the offence date follows (migration 007) */
    char dob[16];
    snprintf(dob, sizeof dob, "%d-06-01", 1985 + (int)rnd(25));
    const char *p[2] = {id, dob};
    run(c,
        "UPDATE people SET date_of_birth = $2::date WHERE id = (SELECT person_id FROM referrals"
        " WHERE id = $1::uuid)",
        2, p, NULL, 0);
    break;
  }
  case 6: { /* a placement's type corrected */
    const char *p[2] = {id, k_types[rnd(6)]};
    run(c,
        "UPDATE placements SET type = $2 WHERE id = (SELECT s.placement_id FROM bookings b JOIN"
        " sessions s ON s.id = b.session_id WHERE b.referral_id = $1::uuid ORDER BY b.id LIMIT 1)",
        2, p, NULL, 0);
    break;
  }
  case 7: /* a referral entered late, in an earlier month */
    add_referral(c, a, (int)rnd(200));
    break;
  case 8: { /* retention erases some ended referrals (and people no longer referred) */
    const char *p[1] = {a->area};
    run(c,
        "SELECT * FROM ij_retention_erase($1, ARRAY['completed', 'closed', 'rejected',"
        " 'withdrawn', 'non_compliant'], now() + interval '1 day', now(), 3)",
        1, p, NULL, 0);
    break;
  }
  case 9: /* the deltas folded */
    run(c, "SELECT ij_stats_fold()", 0, NULL, NULL, 0);
    break;
  default: /* another booking */
    add_booking(c, a, i, false);
    break;
  }
}

/* ---- the definitions, from the raw rows ---- */

/* The filtered referrals: $1 area (NULL national), $2/$3 the period's days (inclusive, UTC),
 * $4 ward, $5 offence category, $6/$7 age band on the offence date, $8 a placement type booked
 * (a booking not cancelled or rescheduled on a placement of that type). */
#define RAW_REFERRALS                                                                             \
  "WITH r AS (SELECT * FROM referrals r WHERE ($1::text IS NULL OR r.area = $1)"                  \
  " AND r.created_at >= ($2::date)::timestamp AT TIME ZONE 'UTC'"                                 \
  " AND r.created_at < ($3::date + 1)::timestamp AT TIME ZONE 'UTC'"                              \
  " AND ($4::text IS NULL OR r.ward = $4) AND ($5::text IS NULL OR r.offence_category = $5)"      \
  " AND ($6::int IS NULL OR r.age_at_offence BETWEEN $6::int AND $7::int)"                        \
  " AND ($8::text IS NULL OR EXISTS (SELECT 1 FROM bookings b JOIN sessions s"                    \
  " ON s.id = b.session_id JOIN placements p ON p.id = s.placement_id WHERE b.referral_id = r.id" \
  " AND p.type = $8 AND b.status NOT IN ('cancelled', 'rescheduled')))) "

static const char RAW_FIGURES[] = RAW_REFERRALS
    "SELECT row(count(*), count(*) FILTER (WHERE state IN ('accepted', 'scheduled',"
    " 'in_progress', 'completed', 'non_compliant', 'closed') OR (state = 'withdrawn' AND"
    " hours_confirmed IS NOT NULL)), count(*) FILTER (WHERE state = 'rejected'),"
    " count(first_attended_at), count(*) FILTER (WHERE first_attended_at <= target_start_by),"
    " count(completed_at), count(*) FILTER (WHERE exited_at IS NOT NULL AND completed_at IS NULL),"
    " count(rereferral_of), coalesce(sum(minutes_credited), 0),"
    " count(*) FILTER (WHERE minutes_credited > 0),"
    " percentile_cont(0.5) WITHIN GROUP (ORDER BY"
    " floor(extract(epoch FROM first_attended_at - created_at) / 3600)))::text FROM r";

static const char RAW_MONTHLY[] = RAW_REFERRALS
    "SELECT string_agg(format('%s:%s:%s', m.month::date,"
    " (SELECT count(*) FROM r WHERE date_trunc('month', r.created_at AT TIME ZONE 'UTC') ="
    " m.month), (SELECT count(r.completed_at) FROM r WHERE date_trunc('month', r.created_at AT"
    " TIME ZONE 'UTC') = m.month)), ';' ORDER BY m.month)"
    " FROM generate_series(date_trunc('month', $2::date::timestamp), $3::date::timestamp,"
    " interval '1 month') m (month)";

static const char RAW_BOOKINGS[] = RAW_REFERRALS
    "SELECT coalesce(string_agg(format('%s:%s:%s:%s', kind, key, amount, refs), ';'"
    " ORDER BY kind, key), '') FROM ("
    " SELECT 'status' AS kind, b.status AS key, count(*) AS amount, 0 AS refs"
    " FROM r JOIN bookings b ON b.referral_id = r.id GROUP BY b.status"
    " UNION ALL SELECT 'type', p.type, sum(b.minutes_credited), count(DISTINCT r.id)"
    " FROM r JOIN bookings b ON b.referral_id = r.id JOIN sessions s ON s.id = b.session_id"
    " JOIN placements p ON p.id = s.placement_id WHERE b.minutes_credited > 0 GROUP BY p.type) x";

/* Checks of exits in [$2, $3] (days), by window and exit; $9 today. */
static const char RAW_REOFFENDING[] =
    "SELECT coalesce(string_agg(format('%s:%s:%s:%s:%s', window_months, exit_state, cohort,"
    " reoffended, pending), ';' ORDER BY window_months, exit_state), '') FROM ("
    " SELECT f.window_months, f.exit_state,"
    " count(*) FILTER (WHERE f.due_on <= $9::date AND f.recorded_at IS NOT NULL) AS cohort,"
    " count(*) FILTER (WHERE f.due_on <= $9::date AND f.recorded_at IS NOT NULL AND"
    " f.reoffended) AS reoffended,"
    " count(*) FILTER (WHERE f.due_on > $9::date OR f.recorded_at IS NULL) AS pending"
    " FROM followup_checks f JOIN referrals r ON r.id = f.referral_id"
    " WHERE ($1::text IS NULL OR f.area = $1) AND f.exited_on BETWEEN $2::date AND $3::date"
    " AND ($4::text IS NULL OR r.ward = $4) AND ($5::text IS NULL OR r.offence_category = $5)"
    " AND ($6::int IS NULL OR r.age_at_offence BETWEEN $6::int AND $7::int)"
    " AND ($8::text IS NULL OR EXISTS (SELECT 1 FROM bookings b JOIN sessions s"
    " ON s.id = b.session_id JOIN placements p ON p.id = s.placement_id WHERE b.referral_id = r.id"
    " AND p.type = $8 AND b.status NOT IN ('cancelled', 'rescheduled')))"
    " GROUP BY f.window_months, f.exit_state) x";

/* The comparison of areas (scope national, no ward): the two areas $9/$10 of this test only,
 * since other suites write other areas meanwhile. */
static const char RAW_AREAS[] = RAW_REFERRALS
    "SELECT coalesce(string_agg(format('%s:%s:%s:%s:%s:%s:%s:%s', a.code, x.n, x.accepted,"
    " x.rejected, x.started, x.within, x.completed, x.non_compliant), ';' ORDER BY a.code), '')"
    " FROM areas a CROSS JOIN LATERAL (SELECT count(*) AS n, count(*) FILTER (WHERE state IN"
    " ('accepted', 'scheduled', 'in_progress', 'completed', 'non_compliant', 'closed') OR"
    " (state = 'withdrawn' AND hours_confirmed IS NOT NULL)) AS accepted,"
    " count(*) FILTER (WHERE state = 'rejected') AS rejected, count(first_attended_at) AS started,"
    " count(*) FILTER (WHERE first_attended_at <= target_start_by) AS within,"
    " count(completed_at) AS completed,"
    " count(*) FILTER (WHERE exited_at IS NOT NULL AND completed_at IS NULL) AS non_compliant"
    " FROM r WHERE r.area = a.code) x WHERE a.code IN ($9, $10)";

static const char RAW_AREA_BOOKINGS[] = RAW_REFERRALS
    "SELECT coalesce(string_agg(format('%s:%s:%s', area, status, n), ';' ORDER BY area, status),"
    " '') FROM (SELECT r.area, b.status, count(*) AS n FROM r JOIN bookings b"
    " ON b.referral_id = r.id WHERE r.area IN ($9, $10) GROUP BY r.area, b.status) x";

/* ---- the service's statements (migration 024's functions, as the store calls them) ---- */

#define KEPT_ARGS                                                                                \
  "($1, ($2::date)::timestamp AT TIME ZONE 'UTC', ($3::date + 1)::timestamp AT TIME ZONE 'UTC'," \
  " $4, $5, $6::int, $7::int, $8)"

static const char KEPT_FIGURES[] = "SELECT row(f.*)::text FROM ij_stats_figures" KEPT_ARGS " f";
static const char KEPT_MONTHLY[] =
    "SELECT string_agg(format('%s:%s:%s', DATE '1970-01-01' + m.month_day, m.referrals,"
    " m.completed), ';' ORDER BY m.month_day) FROM ij_stats_monthly" KEPT_ARGS " m";
static const char KEPT_BOOKINGS[] =
    "SELECT coalesce(string_agg(format('%s:%s:%s:%s', kind, key, amount, referrals), ';'"
    " ORDER BY kind, key), '') FROM ij_stats_bookings" KEPT_ARGS " b";

#define KEPT_AREA_ARGS                                                                           \
  "(($2::date)::timestamp AT TIME ZONE 'UTC', ($3::date + 1)::timestamp AT TIME ZONE 'UTC', $5," \
  " $6::int, $7::int, $8)"

/* $1 and $4 (area, ward) are NULL here, and unused. */
static const char KEPT_AREAS[] =
    "SELECT coalesce(string_agg(format('%s:%s:%s:%s:%s:%s:%s:%s', area, referrals, accepted,"
    " rejected, started, started_within_target, completed, non_compliant), ';' ORDER BY area),"
    " '') FROM ij_stats_areas" KEPT_AREA_ARGS " WHERE $1::text IS NULL AND $4::text IS NULL"
    " AND area IN ($9, $10)";
static const char KEPT_AREA_BOOKINGS[] =
    "SELECT coalesce(string_agg(format('%s:%s:%s', area, status, bookings), ';'"
    " ORDER BY area, status), '') FROM ij_stats_areas_bookings" KEPT_AREA_ARGS
    " WHERE $1::text IS NULL AND $4::text IS NULL AND area IN ($9, $10)";

static const char KEPT_REOFFENDING[] =
    "SELECT coalesce(string_agg(format('%s:%s:%s:%s:%s', window_months, exit_state, cohort,"
    " reoffended, pending), ';' ORDER BY window_months, exit_state), '') FROM"
    " ij_stats_reoffending($1, $2::date, $3::date, $4, $5, $6::int, $7::int, $8, $9::date)";

static int g_reoffending_seen; /* comparisons of reoffending with checks in them */
static int g_areas_seen;       /* comparisons of the areas' figures */

static int check_filters(PGconn *c, const area_data *areas, int nfilters, const char *when) {
  int nonempty = 0;
  for (int f = 0; f < nfilters; f++) {
    int which = (int)rnd(3);
    const char *area = which == 0 ? NULL : areas[which - 1].area;
    char from[16], to[16], age_min[8], age_max[8];
    /* from 2024-09-15 to 2025-06-15; a third of the bounds on month boundaries */
    int d0 = (int)rnd(240), len = (int)rnd(260);
    char q[256];
    snprintf(q, sizeof q,
             "SELECT CASE WHEN %d = 0 THEN date_trunc('month', d)::date ELSE d END"
             " FROM (SELECT DATE '2024-09-15' + %d AS d) x",
             (int)rnd(3), d0);
    run(c, q, 0, NULL, from, sizeof from);
    snprintf(q, sizeof q,
             "SELECT CASE WHEN %d = 0 THEN (date_trunc('month', d) + interval '1 month' -"
             " interval '1 day')::date ELSE d END FROM (SELECT DATE '%s' + %d AS d) x",
             (int)rnd(3), from, len);
    run(c, q, 0, NULL, to, sizeof to);
    const char *ward = area && rnd(3) == 0 ? k_wards[rnd(2)] : NULL;
    const char *category = rnd(4) == 0 ? k_categories[rnd(3)] : NULL;
    bool age = rnd(4) == 0;
    int amin = 10 + (int)rnd(30);
    snprintf(age_min, sizeof age_min, "%d", amin);
    snprintf(age_max, sizeof age_max, "%d", amin + (int)rnd(15));
    const char *type = rnd(4) == 0 ? k_types[rnd(6)] : NULL;
    char today[16];
    snprintf(q, sizeof q, "SELECT DATE '2025-01-01' + %d", (int)rnd(450));
    run(c, q, 0, NULL, today, sizeof today);
    const char *p[9] = {area, from, to, ward, category, age ? age_min : NULL, age ? age_max : NULL,
                        type, today};
    const char *scope[1] = {area ? area : ""};
    run(c, "SELECT set_config('ij.area', $1, false)", 1, scope, NULL, 0);
    const char *named[1] = {area ? "area" : "national"};
    run(c, "SELECT set_config('ij.stats_scope', $1, false)", 1, named, NULL, 0);
    const char *kept[4] = {KEPT_FIGURES, KEPT_MONTHLY, KEPT_BOOKINGS, KEPT_REOFFENDING};
    const char *raw[4] = {RAW_FIGURES, RAW_MONTHLY, RAW_BOOKINGS, RAW_REOFFENDING};
    for (int s = 0; s < 4; s++) {
      char a[8192], b[8192];
      run(c, kept[s], s == 3 ? 9 : 8, p, a, sizeof a);
      run(c, raw[s], s == 3 ? 9 : 8, p, b, sizeof b);
      ck_assert_msg(strcmp(a, b) == 0,
                    "%s, filter %d (area %s, %s to %s, ward %s, category %s, age %s-%s, type %s),"
                    " today %s, statement %d:\n kept %s\n  raw %s",
                    when, f, area ? area : "national", from, to, ward ? ward : "-",
                    category ? category : "-", age ? age_min : "-", age ? age_max : "-",
                    type ? type : "-", today, s, a, b);
      if (s == 0 && strncmp(a, "(0,", 3) != 0)
        nonempty++;
      if (s == 3 && a[0])
        g_reoffending_seen++;
    }
    if (area || ward)
      continue;
    /* the national commissioner's comparison of areas, over the same period and filters */
    const char *q2[10] = {NULL, from, to,   NULL,          category,
                          p[5], p[6], type, areas[0].area, areas[1].area};
    const char *kept2[2] = {KEPT_AREAS, KEPT_AREA_BOOKINGS};
    const char *raw2[2] = {RAW_AREAS, RAW_AREA_BOOKINGS};
    for (int s = 0; s < 2; s++) {
      char a[8192], b[8192];
      run(c, kept2[s], 10, q2, a, sizeof a);
      run(c, raw2[s], 10, q2, b, sizeof b);
      ck_assert_msg(strcmp(a, b) == 0,
                    "%s, filter %d (areas, %s to %s, category %s, age %s-%s, type %s),"
                    " statement %d:\n kept %s\n  raw %s",
                    when, f, from, to, category ? category : "-", age ? age_min : "-",
                    age ? age_max : "-", type ? type : "-", s, a, b);
      if (s == 0)
        g_areas_seen++;
    }
  }
  return nonempty;
}

START_TEST(kept_figures_equal_their_definitions_after_random_writes) {
  g_rng = 20261205;
  g_reoffending_seen = 0;
  g_areas_seen = 0;
  static area_data areas[2];
  memset(areas, 0, sizeof areas);
  snprintf(areas[0].area, sizeof areas[0].area, "%s", AREA);
  ij_conn *conn;
  ck_assert_int_eq(ij_store_acquire(S->store, &conn), IJ_OK);
  ts_new_area(conn, AREA); /* a second area */
  ij_store_release(S->store, conn);
  snprintf(areas[1].area, sizeof areas[1].area, "%s", AREA);
  PGconn *c = owner();
  for (int a = 0; a < 2; a++)
    for (int i = 0; i < 120; i++)
      add_referral(c, &areas[a], (int)rnd(240));
  int nonempty = check_filters(c, areas, 25, "after the inserts");
  for (int w = 0; w < 300; w++)
    random_write(c, &areas[rnd(2)]);
  char unfolded[32], folded[32];
  run(c, "SELECT count(*) FROM stats_agg WHERE NOT folded", 0, NULL, unfolded, sizeof unfolded);
  nonempty += check_filters(c, areas, 60, "after the writes");
  run(c, "SELECT ij_stats_fold()", 0, NULL, NULL, 0);
  run(c, "SELECT count(*) FROM stats_agg WHERE NOT folded", 0, NULL, folded, sizeof folded);
  ck_assert_str_eq(folded, "0");
  nonempty += check_filters(c, areas, 40, "after a fold");
  /* the median's 64-hour bands (migration 029) hold what their hours hold */
  char bands[32];
  run(c, "SELECT count(*) FROM stats_kept_bands_vs_hours", 0, NULL, bands, sizeof bands);
  ck_assert_str_eq(bands, "0");
  /* the comparisons were of real figures, and of deltas not yet folded */
  ck_assert_int_gt(nonempty, 60);
  ck_assert_int_gt(g_reoffending_seen, 40);
  ck_assert_int_gt(g_areas_seen, 20);
  ck_assert_int_gt(atoi(unfolded), 0);
  PQfinish(c);
}
END_TEST

Suite *http_stats_exact_suite(void) {
  Suite *s = suite_create("http_stats_exact");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 300);
  tcase_add_checked_fixture(tc, http_setup, http_teardown);
  tcase_add_test(tc, kept_figures_equal_their_definitions_after_random_writes);
  suite_add_tcase(s, tc);
  return s;
}
