/* Store tests on a real PostgreSQL: migrations, the pool, referrals, the event log. */
#include <libpq-fe.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uuid/uuid.h>

#include "../../service/store/db.h"
#include "ij/store/audit.h"
#include "ij/store/bookings.h"
#include "ij/domain_notices.h"
#include "ij/store/notices.h"
#include "ij/store/reference.h"
#include "ij/store/referrals.h"
#include "ij/store/stats.h"
#include "suites.h"
#include "support.h"

static ij_time_us now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (ij_time_us)ts.tv_sec * IJ_US_PER_SECOND + ts.tv_nsec / 1000;
}

static void uuid_text(char out[IJ_UUID_BUF]) {
  uuid_t u;
  uuid_generate_random(u);
  uuid_unparse_lower(u, out);
}

/* A minimal valid referral in area, made `age_hours` ago. Strings are static. */
static void make_referral(ij_referral *r, const char *area, const char *officer, int age_hours) {
  memset(r, 0, sizeof *r);
  uuid_text(r->id);
  uuid_text(r->person_id);
  r->area = area;
  r->state = IJ_STATE_SUBMITTED;
  r->version = 1;
  r->person_name = "Casey Brown";
  ij_date_parse("2003-02-01", &r->date_of_birth);
  ij_date_parse("2026-01-10", &r->offence_date);
  r->offence_category = "asb";
  r->ward = "ward-a";
  r->disposal = "community_resolution";
  r->consent_recorded = true;
  r->hours_proposed = 7;
  r->victim_consulted = r->victim_keep_updated = -1;
  r->officer_sub = officer;
  r->officer_name = officer;
  r->created_at = r->updated_at = now_us() - (ij_time_us)age_hours * IJ_US_PER_HOUR;
  r->target_start_by = r->created_at + 48 * IJ_US_PER_HOUR;
}

static ij_err create(ij_conn *c, ij_referral *r, const ij_idempotency *idem, ij_replay *replay) {
  ij_audit a = {"req-test", r->officer_sub, r->officer_name, "officer", r->created_at};
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  return ts_store_referral(c, r, &a, idem, replay, &errs);
}

/* Each read of a referral gets every text field back as it was written, whatever it holds: the
 * row comes as one record (ij_db_record), whose text quotes and doubles these characters. */
static void check_awkward(const ij_referral *got, const ij_referral *want) {
  ck_assert_str_eq(got->id, want->id);
  ck_assert_str_eq(got->person_id, want->person_id);
  ck_assert_str_eq(got->person_name, want->person_name);
  ck_assert_str_eq(got->address, want->address);
  ck_assert_str_eq(got->needs_notes, want->needs_notes);
  ck_assert_str_eq(got->risk_notes, want->risk_notes);
  ck_assert_str_eq(got->offence_description, want->offence_description);
  ck_assert_str_eq(got->offence_location, want->offence_location);
  ck_assert_str_eq(got->officer_name, want->officer_name);
  ck_assert_str_eq(got->ward, want->ward);
  ck_assert_ptr_null(got->email);
  ck_assert_ptr_null(got->reason);
  ck_assert_int_eq(got->date_of_birth, want->date_of_birth);
  ck_assert_int_eq(got->hours_proposed, want->hours_proposed);
  ck_assert(got->created_at == want->created_at);
  ck_assert(got->consent_recorded);
  ck_assert_int_eq(got->victim_consulted, -1);
  ck_assert_str_eq(got->rereferral_of, "");
  ck_assert_str_eq(got->next_booking_id, "");
}

START_TEST(text_with_quotes_commas_and_brackets_reads_back) {
  ij_store *s = ts_store(1);
  ij_conn *c;
  ck_assert_int_eq(ij_store_acquire(s, &c), IJ_OK);
  char area[IJ_AREA_MAX];
  ts_new_area(c, area);
  ij_referral r;
  make_referral(&r, area, "pc-1", 0);
  r.person_name = "O'Brien, \"Jo\" (Jr)";
  r.address = "Flat 2\\3, \"The Rise\"\n(rear)\tentrance";
  r.needs_notes = " ";
  r.risk_notes = "\"\"";
  r.offence_description = "a\\\\b \\\"c\\\" ,,)( \xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";
  r.offence_location = "()";
  r.officer_name = ",";
  ij_replay replay;
  ck_assert_int_eq(create(c, &r, NULL, &replay), IJ_OK);
  ij_referral got;
  ck_assert_int_eq(ij_store_referral_get(c, area, r.id, &got), IJ_OK);
  check_awkward(&got, &r);
  ij_referral_clear(&got);
  ij_referral_filter f;
  memset(&f, 0, sizeof f);
  f.area = area;
  f.overdue = -1;
  f.now = now_us();
  f.limit = 5;
  ij_referral_page page;
  ck_assert_int_eq(ij_store_referral_list(c, &f, &page), IJ_OK);
  ck_assert_int_eq(page.count, 1);
  check_awkward(&page.items[0], &r);
  ij_referral_page_clear(&page);
  ck_assert_int_eq(ij_store_referrals_of_person(c, area, r.person_id, 5, &page), IJ_OK);
  ck_assert_int_eq(page.count, 1);
  check_awkward(&page.items[0], &r);
  ij_referral_page_clear(&page);
  ij_store_release(s, c);
  ij_store_close(s);
}
END_TEST

START_TEST(migrate_is_repeatable) {
  ts_database_url();
  int applied = -1, version = 0;
  ck_assert_int_eq(ij_store_migrate(ts_database_url(), &applied, &version), IJ_OK);
  ck_assert_int_eq(applied, 0);
  ck_assert_int_eq(version, ij_store_schema_target());
}
END_TEST

static void *migrate_thread(void *arg) {
  int applied, version;
  *(int *)arg = ij_store_migrate(ts_database_url(), &applied, &version) == IJ_OK ? version : -1;
  return NULL;
}

START_TEST(migrate_concurrently) {
  pthread_t t[4];
  int versions[4];
  for (int i = 0; i < 4; i++)
    pthread_create(&t[i], NULL, migrate_thread, &versions[i]);
  for (int i = 0; i < 4; i++) {
    pthread_join(t[i], NULL);
    ck_assert_int_eq(versions[i], ij_store_schema_target());
  }
}
END_TEST

START_TEST(create_and_read_back) {
  ij_store *s = ts_store(2);
  ij_conn *c;
  ck_assert_int_eq(ij_store_acquire(s, &c), IJ_OK);
  char area[IJ_AREA_MAX];
  ts_new_area(c, area);
  ij_referral r;
  make_referral(&r, area, "pc-1", 0);
  r.phone = "07700 900123";
  r.has_victim = true;
  r.victim_consulted = 1;
  r.victim_keep_updated = 0;
  ij_replay replay;
  ck_assert_int_eq(create(c, &r, NULL, &replay), IJ_OK);
  ck_assert(!replay.replayed);
  ij_referral got;
  ck_assert_int_eq(ij_store_referral_get(c, area, r.id, &got), IJ_OK);
  ck_assert_str_eq(got.id, r.id);
  ck_assert_int_eq(got.state, IJ_STATE_SUBMITTED);
  ck_assert_int_eq(got.version, 1);
  ck_assert_str_eq(got.person_name, "Casey Brown");
  ck_assert_int_eq(got.date_of_birth, r.date_of_birth);
  ck_assert_int_eq(got.offence_date, r.offence_date);
  ck_assert_str_eq(got.phone, "07700 900123");
  ck_assert_ptr_null(got.email);
  ck_assert_int_eq(got.victim_consulted, 1);
  ck_assert_int_eq(got.victim_keep_updated, 0);
  ck_assert(got.created_at == r.created_at);
  ck_assert(got.target_start_by == r.target_start_by);
  ck_assert(got.first_attended_at == 0);
  ij_referral_clear(&got);
  /* another area cannot see it */
  char other[IJ_AREA_MAX];
  ts_new_area(c, other);
  ck_assert_int_eq(ij_store_referral_get(c, other, r.id, &got), IJ_ERR_NOT_FOUND);
  ck_assert_int_eq(ij_store_referral_get(c, area, "not-a-uuid", &got), IJ_ERR_NOT_FOUND);
  ij_store_release(s, c);
  ij_store_close(s);
}
END_TEST

START_TEST(unknown_ward_is_a_field_error) {
  ij_store *s = ts_store(1);
  ij_conn *c;
  ck_assert_int_eq(ij_store_acquire(s, &c), IJ_OK);
  char area[IJ_AREA_MAX];
  ts_new_area(c, area);
  ij_referral r;
  make_referral(&r, area, "pc-1", 0);
  r.ward = "nowhere";
  ij_audit a = {"req", "pc-1", "pc-1", "officer", r.created_at};
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  ij_replay replay;
  ck_assert_int_eq(ts_store_referral(c, &r, &a, NULL, &replay, &errs), IJ_ERR_INVALID);
  ck_assert_int_eq(errs.count, 1);
  ck_assert_str_eq(errs.items[0].field, "offence.ward");
  /* nothing was written, and the connection is usable */
  ij_referral got;
  ck_assert_int_eq(ij_store_referral_get(c, area, r.id, &got), IJ_ERR_NOT_FOUND);
  ij_store_release(s, c);
  ij_store_close(s);
}
END_TEST

START_TEST(idempotency_replays_and_refuses_mismatch) {
  ij_store *s = ts_store(1);
  ij_conn *c;
  ck_assert_int_eq(ij_store_acquire(s, &c), IJ_OK);
  char area[IJ_AREA_MAX];
  ts_new_area(c, area);
  ij_referral r;
  make_referral(&r, area, "pc-1", 0);
  ij_idempotency idem = {"key-1", "hash-a", 201, "{\"first\":true}"};
  ij_replay replay;
  ck_assert_int_eq(create(c, &r, &idem, &replay), IJ_OK);
  ck_assert(!replay.replayed);
  ij_referral again;
  make_referral(&again, area, "pc-1", 0);
  ck_assert_int_eq(create(c, &again, &idem, &replay), IJ_OK);
  ck_assert(replay.replayed);
  ck_assert_int_eq(replay.status, 201);
  ck_assert_str_eq(replay.response, "{\"first\":true}");
  free(replay.response);
  ij_referral got;
  ck_assert_int_eq(ij_store_referral_get(c, area, again.id, &got), IJ_ERR_NOT_FOUND);
  ij_idempotency other = {"key-1", "hash-b", 201, "{}"};
  ck_assert_int_eq(create(c, &again, &other, &replay), IJ_ERR_IDEMPOTENCY);
  /* the same key from another officer is another key */
  again.officer_sub = "pc-2";
  ck_assert_int_eq(create(c, &again, &other, &replay), IJ_OK);
  ck_assert(!replay.replayed);
  ij_store_release(s, c);
  ij_store_close(s);
}
END_TEST

/* One person per police identifier, and per name and date of birth without one, whether the
 * referral comes with an Idempotency-Key or not (the four forms of the creating statement). */
START_TEST(same_police_id_is_one_person) {
  ij_store *s = ts_store(1);
  ij_conn *c;
  ck_assert_int_eq(ij_store_acquire(s, &c), IJ_OK);
  char area[IJ_AREA_MAX];
  ts_new_area(c, area);
  ij_referral a, b, keyed, named, named_keyed;
  make_referral(&a, area, "pc-1", 0);
  make_referral(&b, area, "pc-1", 0);
  make_referral(&keyed, area, "pc-1", 0);
  a.police_id = b.police_id = keyed.police_id = "22/999999Z";
  keyed.phone = "07700 900123";
  make_referral(&named, area, "pc-1", 0);
  make_referral(&named_keyed, area, "pc-1", 0);
  ij_replay replay;
  ck_assert_int_eq(create(c, &a, NULL, &replay), IJ_OK);
  ck_assert_int_eq(create(c, &b, NULL, &replay), IJ_OK);
  ck_assert_str_eq(a.person_id, b.person_id);
  ij_idempotency idem = {"key-person", "hash-a", 201, "{}"};
  ck_assert_int_eq(create(c, &keyed, &idem, &replay), IJ_OK);
  ck_assert(!replay.replayed);
  ck_assert_str_eq(keyed.person_id, a.person_id);
  ck_assert_int_eq(create(c, &named, NULL, &replay), IJ_OK);
  ck_assert_str_ne(named.person_id, a.person_id);
  idem.key = "key-named";
  ck_assert_int_eq(create(c, &named_keyed, &idem, &replay), IJ_OK);
  ck_assert(!replay.replayed);
  ck_assert_str_eq(named_keyed.person_id, named.person_id);
  /* each referral reads back with its person, the newer details kept */
  ij_referral got;
  ck_assert_int_eq(ij_store_referral_get(c, area, b.id, &got), IJ_OK);
  ck_assert_str_eq(got.person_id, a.person_id);
  ck_assert_str_eq(got.phone, "07700 900123");
  ij_referral_clear(&got);
  ck_assert_int_eq(ij_store_referral_get(c, area, named_keyed.id, &got), IJ_OK);
  ck_assert_str_eq(got.person_id, named.person_id);
  ck_assert_int_eq(got.version, 1);
  ij_referral_clear(&got);
  ij_store_release(s, c);
  ij_store_close(s);
}
END_TEST

/* What a new referral is checked against, in one round trip: the ward's state in the area, and
 * the person's latest exit at or before the time given, by police identifier or by name key and
 * date of birth. */
START_TEST(prior_reads_the_ward_and_the_last_exit) {
  ij_store *s = ts_store(1);
  ij_conn *c;
  ck_assert_int_eq(ij_store_acquire(s, &c), IJ_OK);
  char area[IJ_AREA_MAX];
  ts_new_area(c, area);
  ij_referral by_id, by_name;
  make_referral(&by_id, area, "pc-1", 48);
  make_referral(&by_name, area, "pc-1", 48);
  by_id.police_id = "22/123456A";
  by_name.person_name = "Robin Ash";
  ij_replay replay;
  ck_assert_int_eq(create(c, &by_id, NULL, &replay), IJ_OK);
  ck_assert_int_eq(create(c, &by_name, NULL, &replay), IJ_OK);
  int ward;
  char earlier[IJ_UUID_BUF];
  ij_date exited;
  ij_time_us now = now_us();
  /* nobody has exited yet */
  ck_assert_int_eq(ij_store_referral_prior(c, area, "ward-a", "22/123456A", NULL, 0, now, &ward,
                                           earlier, &exited),
                   IJ_OK);
  ck_assert_int_eq(ward, 1);
  ck_assert_str_eq(earlier, "");
  ck_assert_int_eq(exited, 0);
  /* both exited yesterday (an owner's update, as the lifecycle would) */
  const char *p[1] = {area};
  free(ts_sql("UPDATE referrals SET state = 'completed', exited_at = now() - interval '1 day'"
              " WHERE area = $1",
              1, p));
  free(ts_sql("UPDATE wards SET active = false WHERE area = $1 AND code = 'ward-a'", 1, p));
  ij_date today = ij_time_date(now);
  ck_assert_int_eq(ij_store_referral_prior(c, area, "ward-a", "22/123456A", NULL, 0, now, &ward,
                                           earlier, &exited),
                   IJ_OK);
  ck_assert_int_eq(ward, 2);
  ck_assert_str_eq(earlier, by_id.id);
  ck_assert_int_eq(exited, today - 1);
  char key[IJ_MAX_NAME + 1];
  ij_domain_name_key("Robin Ash", key, sizeof key);
  ck_assert_int_eq(ij_store_referral_prior(c, area, "nowhere", NULL, key, by_name.date_of_birth,
                                           now, &ward, earlier, &exited),
                   IJ_OK);
  ck_assert_int_eq(ward, 0);
  ck_assert_str_eq(earlier, by_name.id);
  /* not before the exit; and nothing read when nothing is asked */
  ck_assert_int_eq(ij_store_referral_prior(c, area, NULL, "22/123456A", NULL, 0,
                                           now - 3 * 24 * IJ_US_PER_HOUR, &ward, earlier, &exited),
                   IJ_OK);
  ck_assert_str_eq(earlier, "");
  ck_assert_int_eq(ward, 0);
  ck_assert_int_eq(
      ij_store_referral_prior(c, area, NULL, NULL, NULL, 0, now, &ward, earlier, &exited), IJ_OK);
  ck_assert_str_eq(earlier, "");
  ij_store_release(s, c);
  ij_store_close(s);
}
END_TEST

static ij_err transition(ij_conn *c, const char *area, const char *id, int version, ij_event ev,
                         ij_state from, ij_state to, const char *kind, const char *code,
                         ij_referral *out, ij_field_errors *errs) {
  /* the decision carries the hours an accept confirms */
  ij_decision d = {from, to, IJ_ROLE_COORDINATOR, kind, 7, ev == IJ_EVENT_ACCEPT ? 9 : 0, 0, 0};
  ij_transition_request req;
  memset(&req, 0, sizeof req);
  req.event = ev;
  req.reason_code = code;
  if (ev == IJ_EVENT_ACCEPT) {
    req.has_hours_confirmed = true;
    req.hours_confirmed = 9;
    req.suitability_notes = "fine";
  }
  ij_audit a = {"req-t", "coord-1", "Coord", "coordinator", now_us()};
  return ij_store_referral_transition(c, area, id, version, &d, &req, &a, out, errs);
}

START_TEST(transitions_are_versioned_and_logged) {
  ij_store *s = ts_store(1);
  ij_conn *c;
  ck_assert_int_eq(ij_store_acquire(s, &c), IJ_OK);
  char area[IJ_AREA_MAX];
  ts_new_area(c, area);
  ij_referral r, out;
  make_referral(&r, area, "pc-1", 0);
  ij_replay replay;
  ck_assert_int_eq(create(c, &r, NULL, &replay), IJ_OK);
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  ck_assert_int_eq(transition(c, area, r.id, 1, IJ_EVENT_ACCEPT, IJ_STATE_SUBMITTED,
                              IJ_STATE_ACCEPTED, NULL, NULL, &out, &errs),
                   IJ_OK);
  ck_assert_int_eq(out.version, 2);
  ck_assert_int_eq(out.state, IJ_STATE_ACCEPTED);
  ck_assert_int_eq(out.hours_confirmed, 9);
  ck_assert_str_eq(out.suitability_notes, "fine");
  ij_referral_clear(&out);
  /* stale */
  ck_assert_int_eq(transition(c, area, r.id, 1, IJ_EVENT_WITHDRAW, IJ_STATE_ACCEPTED,
                              IJ_STATE_WITHDRAWN, "withdraw", "other", &out, &errs),
                   IJ_ERR_STALE);
  /* a reason code that is not in the withdraw list */
  ck_assert_int_eq(transition(c, area, r.id, 2, IJ_EVENT_WITHDRAW, IJ_STATE_ACCEPTED,
                              IJ_STATE_WITHDRAWN, "withdraw", "not_eligible", &out, &errs),
                   IJ_ERR_INVALID);
  ck_assert_int_eq(errs.count, 1);
  ck_assert_str_eq(errs.items[0].field, "reason_code");
  ck_assert_int_eq(transition(c, area, r.id, 2, IJ_EVENT_WITHDRAW, IJ_STATE_ACCEPTED,
                              IJ_STATE_WITHDRAWN, "withdraw", "moved_out_of_area", &out, &errs),
                   IJ_OK);
  ck_assert_int_eq(out.version, 3);
  ck_assert_str_eq(out.reason_code, "moved_out_of_area");
  ij_referral_clear(&out);

  ij_event_page page;
  ck_assert_int_eq(ij_store_referral_events(c, area, r.id, 0, 100, &page), IJ_OK);
  ck_assert_int_eq(page.count, 3);
  ck_assert_str_eq(page.items[0].event, "create");
  ck_assert_ptr_null(page.items[0].from_state);
  ck_assert_str_eq(page.items[1].event, "accept");
  ck_assert_str_eq(page.items[2].to_state, "withdrawn");
  ck_assert_str_eq(page.items[2].reason_code, "moved_out_of_area");
  ij_event_page_clear(&page);
  ck_assert_int_eq(ij_store_referral_events(c, area, r.id, 1, 1, &page), IJ_OK);
  ck_assert_int_eq(page.count, 1);
  ck_assert(page.more);
  ck_assert_int_eq(page.items[0].seq, 2);
  ij_event_page_clear(&page);
  char other[IJ_UUID_BUF];
  uuid_text(other);
  ck_assert_int_eq(ij_store_referral_events(c, area, other, 0, 10, &page), IJ_ERR_NOT_FOUND);
  ck_assert_int_eq(ij_store_referral_events(c, area, other, 5, 10, &page), IJ_ERR_NOT_FOUND);
  int64_t bad;
  ck_assert_int_eq(ij_store_referral_inconsistencies(c, area, &bad), IJ_OK);
  ck_assert_int_eq(bad, 0);
  ij_store_release(s, c);
  ij_store_close(s);
}
END_TEST

START_TEST(event_log_is_append_only) {
  ij_store *s = ts_store(1);
  ij_conn *c;
  ck_assert_int_eq(ij_store_acquire(s, &c), IJ_OK);
  char area[IJ_AREA_MAX];
  ts_new_area(c, area);
  ij_referral r;
  make_referral(&r, area, "pc-1", 0);
  ij_replay replay;
  ck_assert_int_eq(create(c, &r, NULL, &replay), IJ_OK);
  ij_store_release(s, c);
  ij_store_close(s);
  PGconn *pg = PQconnectdb(ts_database_url());
  ck_assert_int_eq(PQstatus(pg), CONNECTION_OK);
  const char *p[1] = {r.id};
  PGresult *res = PQexecParams(pg, "UPDATE referral_events SET reason = 'x' WHERE referral_id = $1",
                               1, NULL, p, NULL, NULL, 0);
  ck_assert_int_eq(PQresultStatus(res), PGRES_FATAL_ERROR);
  PQclear(res);
  res = PQexecParams(pg, "DELETE FROM referral_events WHERE referral_id = $1", 1, NULL, p, NULL,
                     NULL, 0);
  ck_assert_int_eq(PQresultStatus(res), PGRES_FATAL_ERROR);
  PQclear(res);
  PQfinish(pg);
}
END_TEST

START_TEST(list_filters_and_pages) {
  ij_store *s = ts_store(1);
  ij_conn *c;
  ck_assert_int_eq(ij_store_acquire(s, &c), IJ_OK);
  char area[IJ_AREA_MAX];
  ts_new_area(c, area);
  /* 7 referrals: 4 by pc-1 (2 of them 72 hours old, so overdue), 3 by pc-2 in ward-b */
  for (int i = 0; i < 7; i++) {
    ij_referral r;
    make_referral(&r, area, i < 4 ? "pc-1" : "pc-2", i < 2 ? 72 : 0);
    r.created_at -= i; /* distinct instants */
    if (i >= 4)
      r.ward = "ward-b";
    ij_replay replay;
    ck_assert_int_eq(create(c, &r, NULL, &replay), IJ_OK);
  }
  ij_referral_filter f;
  memset(&f, 0, sizeof f);
  f.area = area;
  f.overdue = -1;
  f.now = now_us();
  f.limit = 3;
  int seen = 0;
  char ids[8][IJ_UUID_BUF];
  ij_time_us last = INT64_MAX;
  for (;;) {
    ij_referral_page page;
    ck_assert_int_eq(ij_store_referral_list(c, &f, &page), IJ_OK);
    for (int i = 0; i < page.count; i++) {
      ck_assert(page.items[i].created_at <= last);
      last = page.items[i].created_at;
      for (int j = 0; j < seen; j++)
        ck_assert_str_ne(ids[j], page.items[i].id);
      ck_assert_int_lt(seen, 8);
      snprintf(ids[seen++], IJ_UUID_BUF, "%s", page.items[i].id);
    }
    bool more = page.more;
    if (more) {
      f.has_cursor = true;
      f.cursor_created_at = page.items[page.count - 1].created_at;
      snprintf(f.cursor_id, sizeof f.cursor_id, "%s", page.items[page.count - 1].id);
    }
    ij_referral_page_clear(&page);
    if (!more)
      break;
  }
  ck_assert_int_eq(seen, 7);

  struct {
    const char *ward, *officer;
    int overdue;
    int want;
  } cases[] = {{"ward-b", NULL, -1, 3},
               {NULL, "pc-1", -1, 4},
               {NULL, NULL, 1, 2},
               {NULL, NULL, 0, 5},
               {"ward-b", "pc-1", -1, 0}};
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    memset(&f, 0, sizeof f);
    f.area = area;
    f.now = now_us();
    f.limit = 100;
    f.ward = cases[k].ward;
    f.officer_sub = cases[k].officer;
    f.overdue = cases[k].overdue;
    f.clock_states = ij_domain_clock_states(); /* as ops passes it */
    ij_referral_page page;
    ck_assert_int_eq(ij_store_referral_list(c, &f, &page), IJ_OK);
    ck_assert_msg(page.count == cases[k].want, "case %zu: %d, want %d", k, page.count,
                  cases[k].want);
    ij_referral_page_clear(&page);
  }
  memset(&f, 0, sizeof f);
  f.area = area;
  f.now = now_us();
  f.limit = 100;
  f.overdue = -1;
  f.has_state = true;
  f.state = IJ_STATE_ACCEPTED;
  ij_referral_page page;
  ck_assert_int_eq(ij_store_referral_list(c, &f, &page), IJ_OK);
  ck_assert_int_eq(page.count, 0);
  ij_referral_page_clear(&page);
  ij_store_release(s, c);
  ij_store_close(s);
}
END_TEST

START_TEST(pool_reconnects_after_a_broken_connection) {
  ij_store *s = ts_store(1);
  ij_conn *c;
  ij_rows rows;
  ck_assert_int_eq(ij_store_acquire(s, &c), IJ_OK);
  ck_assert_int_eq(ij_store_reason_codes_list(c, "reject", &rows), IJ_OK);
  ij_rows_clear(&rows);
  ij_store_release(s, c);
  /* terminate the pool's idle connection from outside */
  PGconn *admin = PQconnectdb(ts_database_url());
  PGresult *res;
  res = PQexec(admin, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> "
                      "pg_backend_pid() AND datname = current_database() AND state = 'idle'"
                      " AND backend_type = 'client backend'");
  PQclear(res);
  PQfinish(admin);
  struct timespec pause = {0, 200 * 1000 * 1000};
  nanosleep(&pause, NULL); /* termination is asynchronous */
  /* the acquire finds that the server ended the idle connection (its FATAL message waits on the
   * socket) and opens it again, so its first use succeeds: no request pays for the stale one */
  ck_assert_int_eq(ij_store_acquire(s, &c), IJ_OK);
  ck_assert_int_eq(ij_store_reason_codes_list(c, "reject", &rows), IJ_OK);
  ck_assert_int_eq(rows.count, 5);
  ij_rows_clear(&rows);
  ij_store_release(s, c);
  /* a connection broken while in use (here: ended between its acquire and its use) still fails
   * that use, and the next acquire opens it again */
  ck_assert_int_eq(ij_store_acquire(s, &c), IJ_OK);
  admin = PQconnectdb(ts_database_url());
  res = PQexec(admin, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> "
                      "pg_backend_pid() AND datname = current_database() AND state = 'idle'"
                      " AND backend_type = 'client backend'");
  PQclear(res);
  PQfinish(admin);
  nanosleep(&pause, NULL);
  ck_assert_int_eq(ij_store_reason_codes_list(c, "reject", &rows), IJ_ERR_UNAVAILABLE);
  ij_store_release(s, c);
  ck_assert_int_eq(ij_store_acquire(s, &c), IJ_OK);
  ck_assert_int_eq(ij_store_reason_codes_list(c, "reject", &rows), IJ_OK);
  ck_assert_int_eq(rows.count, 5);
  ij_rows_clear(&rows);
  ij_store_release(s, c);
  ij_store_close(s);
}
END_TEST

START_TEST(pool_times_out_when_exhausted) {
  ij_store_options o = {ts_database_url(), 1, 200, true, false};
  ij_store *s;
  ck_assert_int_eq(ij_store_open(&o, &s), IJ_OK);
  ij_conn *a, *b;
  ck_assert_int_eq(ij_store_acquire(s, &a), IJ_OK);
  ck_assert_int_eq(ij_store_acquire(s, &b), IJ_ERR_UNAVAILABLE);
  int size, in_use, waiting;
  ij_store_stats(s, &size, &in_use, &waiting);
  ck_assert_int_eq(size, 1);
  ck_assert_int_eq(in_use, 1);
  ij_store_release(s, a);
  ck_assert_int_eq(ij_store_acquire(s, &b), IJ_OK);
  ij_store_release(s, b);
  ij_store_close(s);
}
END_TEST

START_TEST(unreachable_database_is_unavailable) {
  ij_store_options o = {"postgresql://127.0.0.1:1/none?connect_timeout=2", 1, 200, true, false};
  ij_store *s;
  ck_assert_int_eq(ij_store_open(&o, &s), IJ_OK);
  ij_conn *c;
  ck_assert_int_eq(ij_store_acquire(s, &c), IJ_ERR_UNAVAILABLE);
  ij_store_close(s);
}
END_TEST

/* ---- row-level security ---- */

/* A pool as the service's role (row-level security binds it). */
static ij_store *service_store(void) {
  ij_store_options o = {ts_service_url(), 1, 10000, true, true};
  ij_store *s = NULL;
  ck_assert_int_eq(ij_store_open(&o, &s), IJ_OK);
  return s;
}

/* The national view is named, never implied (migration 035): a filter with neither an area nor
 * the national scope is refused before any SQL, and the database refuses every area's figures to
 * a transaction that did not name the national scope, whatever its area. */
START_TEST(statistics_of_every_area_need_the_national_scope_named) {
  ij_store *s = service_store();
  ij_conn *c;
  ck_assert_int_eq(ij_store_acquire(s, &c), IJ_OK);
  ij_store_scope(c, "derbyshire");
  ij_stats_summary sum;
  ij_stats_window w[IJ_FOLLOWUP_WINDOW_COUNT];
  ij_stats_filter forgot = {.area = NULL, .from = 20000, .to = 20400, .today = 20400};
  ck_assert_int_eq(ij_store_stats_summary(c, &forgot, &sum), IJ_ERR_INTERNAL);
  ck_assert_int_eq(ij_store_stats_reoffending(c, &forgot, w), IJ_ERR_INTERNAL);
  ij_stats_filter both = {
      .area = "derbyshire", .national = true, .from = 20000, .to = 20400, .today = 20400};
  ck_assert_int_eq(ij_store_stats_summary(c, &both, &sum), IJ_ERR_INTERNAL);
  ij_stats_filter area = {.area = "derbyshire", .from = 20000, .to = 20400, .today = 20400};
  ck_assert_int_eq(ij_store_stats_summary(c, &area, &sum), IJ_OK);
  ij_stats_summary_clear(&sum);
  ij_stats_filter nation = {.national = true, .from = 20000, .to = 20400, .today = 20400};
  ck_assert_int_eq(ij_store_stats_summary(c, &nation, &sum), IJ_OK);
  ij_stats_summary_clear(&sum);
  ck_assert_int_eq(ij_store_stats_reoffending(c, &nation, w), IJ_OK);
  ij_store_release(s, c);
  ij_store_close(s);

  /* in the database, as the service's role: a NULL area without the scope named is refused */
  PGconn *svc = PQconnectdb(ts_service_url());
  ck_assert_int_eq(PQstatus(svc), CONNECTION_OK);
  const char *calls[] = {
      "SELECT * FROM ij_stats_figures(NULL, now() - interval '1 year', now(), NULL, NULL, NULL,"
      " NULL, NULL)",
      "SELECT * FROM ij_stats_monthly(NULL, now() - interval '1 year', now(), NULL, NULL, NULL,"
      " NULL, NULL)",
      "SELECT * FROM ij_stats_bookings(NULL, now() - interval '1 year', now(), NULL, NULL, NULL,"
      " NULL, NULL)",
      "SELECT * FROM ij_stats_reoffending(NULL, current_date - 365, current_date, NULL, NULL,"
      " NULL, NULL, NULL, current_date)"};
  const char *scopes[] = {NULL, "area", "national"};
  for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
    for (size_t k = 0; k < sizeof scopes / sizeof scopes[0]; k++) {
      PQclear(PQexec(svc, "BEGIN"));
      PQclear(PQexec(svc, "SELECT set_config('ij.area', 'derbyshire', true)"));
      if (scopes[k]) {
        const char *p[1] = {scopes[k]};
        PQclear(PQexecParams(svc, "SELECT set_config('ij.stats_scope', $1, true)", 1, NULL, p, NULL,
                             NULL, 0));
      }
      PGresult *res = PQexec(svc, calls[i]);
      bool national = scopes[k] && strcmp(scopes[k], "national") == 0;
      if (national)
        ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK, "%s: %s", calls[i],
                      PQerrorMessage(svc));
      else
        ck_assert_msg(PQresultStatus(res) == PGRES_FATAL_ERROR &&
                          strcmp(PQresultErrorField(res, PG_DIAG_SQLSTATE), "42501") == 0,
                      "%s answered every area without the national scope (scope %s)", calls[i],
                      scopes[k] ? scopes[k] : "unset");
      PQclear(res);
      PQclear(PQexec(svc, "ROLLBACK"));
    }
  }
  PQfinish(svc);
}
END_TEST

/* A statistics statement that runs past its bound (here: waiting for a lock another transaction
 * holds on what it reads: the kept aggregates, migrations 024 and 026) is
 * cancelled and answered as unavailable, rather than holding its connection. */
START_TEST(statistics_give_up_after_their_timeout) {
  PGconn *holder = PQconnectdb(ts_database_url());
  ck_assert_int_eq(PQstatus(holder), CONNECTION_OK);
  PGresult *res =
      PQexec(holder, "BEGIN; LOCK TABLE stats_agg, stats_reoff IN ACCESS EXCLUSIVE MODE");
  ck_assert_int_eq(PQresultStatus(res), PGRES_COMMAND_OK);
  PQclear(res);
  ij_store *s = service_store();
  ij_conn *c;
  ck_assert_int_eq(ij_store_acquire(s, &c), IJ_OK);
  ij_store_scope(c, "derbyshire");
  ij_stats_filter f = {
      .area = "derbyshire", .from = 20000, .to = 20400, .today = 20400, .timeout_ms = 300};
  ij_stats_summary sum;
  ck_assert_int_eq(ij_store_stats_summary(c, &f, &sum), IJ_ERR_UNAVAILABLE);
  ck_assert_str_eq(ij_store_sqlstate(c), "57014"); /* cancelled by statement_timeout */
  ij_stats_window w[IJ_FOLLOWUP_WINDOW_COUNT];
  ck_assert_int_eq(ij_store_stats_reoffending(c, &f, w), IJ_ERR_UNAVAILABLE);
  ck_assert_str_eq(ij_store_sqlstate(c), "57014");
  ij_store_release(s, c);
  res = PQexec(holder, "ROLLBACK");
  PQclear(res);
  /* the lock gone, the same request is answered */
  ck_assert_int_eq(ij_store_acquire(s, &c), IJ_OK);
  ij_store_scope(c, "derbyshire");
  ck_assert_int_eq(ij_store_stats_summary(c, &f, &sum), IJ_OK);
  ij_stats_summary_clear(&sum);
  ij_store_release(s, c);
  ij_store_close(s);
  PQfinish(holder);
}
END_TEST

/* Two areas with one referral each, made as the owner. */
static void two_areas(char a[IJ_AREA_MAX], char b[IJ_AREA_MAX], ij_referral *ra, ij_referral *rb) {
  ij_store *s = ts_store(1);
  ij_conn *c;
  ck_assert_int_eq(ij_store_acquire(s, &c), IJ_OK);
  ts_new_area(c, a);
  ts_new_area(c, b);
  ij_replay replay;
  make_referral(ra, a, "pc-a", 0);
  ck_assert_int_eq(create(c, ra, NULL, &replay), IJ_OK);
  make_referral(rb, b, "pc-b", 0);
  ck_assert_int_eq(create(c, rb, NULL, &replay), IJ_OK);
  ij_store_release(s, c);
  ij_store_close(s);
}

START_TEST(row_security_scopes_the_pool_to_one_area) {
  char a[IJ_AREA_MAX], b[IJ_AREA_MAX];
  ij_referral ra, rb, got;
  two_areas(a, b, &ra, &rb);
  ij_store *s = service_store();
  ij_conn *c;
  ck_assert_int_eq(ij_store_acquire(s, &c), IJ_OK);
  /* no area: nothing at all, not even with the right filter */
  ck_assert_int_eq(ij_store_referral_get(c, a, ra.id, &got), IJ_ERR_NOT_FOUND);
  /* area a: its own referral, and not b's even when the query asks for b by area and id */
  ij_store_scope(c, a);
  ck_assert_int_eq(ij_store_referral_get(c, a, ra.id, &got), IJ_OK);
  ij_referral_clear(&got);
  ck_assert_int_eq(ij_store_referral_get(c, b, rb.id, &got), IJ_ERR_NOT_FOUND);
  ij_referral_filter f = {.area = b, .overdue = -1, .now = now_us(), .limit = 50};
  ij_referral_page page;
  ck_assert_int_eq(ij_store_referral_list(c, &f, &page), IJ_OK);
  ck_assert_int_eq(page.count, 0);
  ij_referral_page_clear(&page);
  /* inside a transaction too */
  ck_assert_int_eq(ij_store_begin(c), IJ_OK);
  ck_assert_int_eq(ij_store_referral_get(c, a, ra.id, &got), IJ_OK);
  ij_referral_clear(&got);
  ck_assert_int_eq(ij_store_referral_get(c, b, rb.id, &got), IJ_ERR_NOT_FOUND);
  ij_store_commit(c);
  /* writing into another area is refused, and changes nothing */
  make_referral(&got, b, "pc-a", 0);
  ij_replay replay;
  ck_assert_int_ne(create(c, &got, NULL, &replay), IJ_OK);
  /* the scope ends with the connection's loan */
  ij_store_release(s, c);
  ck_assert_int_eq(ij_store_acquire(s, &c), IJ_OK);
  ck_assert_int_eq(ij_store_referral_get(c, a, ra.id, &got), IJ_ERR_NOT_FOUND);
  ij_store_release(s, c);
  ij_store_close(s);
}
END_TEST

/* Counts the rows of every table with an area, as the service's role with `area` set for the
 * transaction and queries that forget the area filter: none of another area may show. */
START_TEST(row_security_hides_other_areas_from_queries_without_a_filter) {
  char a[IJ_AREA_MAX], b[IJ_AREA_MAX];
  ij_referral ra, rb;
  two_areas(a, b, &ra, &rb);
  PGconn *owner = PQconnectdb(ts_database_url());
  ck_assert_int_eq(PQstatus(owner), CONNECTION_OK);
  PGresult *tables = PQexec(owner, "SELECT c.relname FROM pg_class c"
                                   " JOIN pg_namespace n ON n.oid = c.relnamespace"
                                   " JOIN pg_attribute t ON t.attrelid = c.oid"
                                   " WHERE n.nspname = 'public' AND c.relkind = 'r'"
                                   " AND t.attname = 'area' AND NOT t.attisdropped ORDER BY 1");
  ck_assert_int_eq(PQresultStatus(tables), PGRES_TUPLES_OK);
  ck_assert_int_ge(PQntuples(tables), 13);
  PGconn *svc = PQconnectdb(ts_service_url());
  ck_assert_int_eq(PQstatus(svc), CONNECTION_OK);
  for (int i = 0; i < PQntuples(tables); i++) {
    const char *t = PQgetvalue(tables, i, 0);
    char *ident = PQescapeIdentifier(svc, t, strlen(t));
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FILTER (WHERE area <> $1), count(*) FILTER (WHERE area = $1)"
             " FROM %s",
             ident);
    PQfreemem(ident);
    PQclear(PQexec(svc, "BEGIN"));
    const char *p[1] = {a};
    PQclear(PQexecParams(svc, "SELECT set_config('ij.area', $1, true)", 1, NULL, p, NULL, NULL, 0));
    PGresult *res = PQexecParams(svc, sql, 1, NULL, p, NULL, NULL, 0);
    ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK, "%s: %s", t, PQerrorMessage(svc));
    ck_assert_msg(strcmp(PQgetvalue(res, 0, 0), "0") == 0, "%s shows rows of other areas", t);
    PQclear(res);
    PQclear(PQexec(svc, "COMMIT"));
    /* without an area: nothing */
    res = PQexecParams(svc, sql, 1, NULL, p, NULL, NULL, 0);
    ck_assert_int_eq(PQresultStatus(res), PGRES_TUPLES_OK);
    ck_assert_msg(strcmp(PQgetvalue(res, 0, 1), "0") == 0, "%s shows rows without an area", t);
    PQclear(res);
  }
  /* the area's referral shows, and only it */
  PQclear(PQexec(svc, "BEGIN"));
  const char *p[1] = {a};
  PQclear(PQexecParams(svc, "SELECT set_config('ij.area', $1, true)", 1, NULL, p, NULL, NULL, 0));
  PGresult *res = PQexec(svc, "SELECT count(*) FROM referrals");
  ck_assert_int_eq(PQresultStatus(res), PGRES_TUPLES_OK);
  ck_assert_str_eq(PQgetvalue(res, 0, 0), "1");
  PQclear(res);
  /* an update without a filter touches only the area's rows */
  res = PQexec(svc, "UPDATE referrals SET updated_at = updated_at");
  ck_assert_int_eq(PQresultStatus(res), PGRES_COMMAND_OK);
  ck_assert_str_eq(PQcmdTuples(res), "1");
  PQclear(res);
  PQclear(PQexec(svc, "ROLLBACK"));
  PQfinish(svc);
  PQclear(tables);
  PQfinish(owner);
}
END_TEST

/* Every table with an area has the policy, the service's role owns nothing, and a pool that must
 * be unprivileged refuses the owner. */
START_TEST(row_security_covers_every_area_table_and_binds_the_role) {
  PGconn *owner = PQconnectdb(ts_database_url());
  ck_assert_int_eq(PQstatus(owner), CONNECTION_OK);
  PGresult *res =
      PQexec(owner, "SELECT c.relname FROM pg_class c"
                    " JOIN pg_namespace n ON n.oid = c.relnamespace"
                    " JOIN pg_attribute t ON t.attrelid = c.oid AND t.attname = 'area'"
                    " WHERE n.nspname = 'public' AND c.relkind = 'r'"
                    " AND (NOT c.relrowsecurity OR NOT EXISTS (SELECT FROM pg_policy p"
                    "  WHERE p.polrelid = c.oid AND 'ij_service'::regrole = ANY (p.polroles)))");
  ck_assert_int_eq(PQresultStatus(res), PGRES_TUPLES_OK);
  ck_assert_msg(PQntuples(res) == 0, "%s has an area but no row-level security",
                PQntuples(res) ? PQgetvalue(res, 0, 0) : "");
  PQclear(res);
  res = PQexec(owner, "SELECT count(*) FROM pg_class c WHERE pg_has_role('ij_service', c.relowner,"
                      " 'USAGE') AND c.relnamespace = 'public'::regnamespace");
  ck_assert_int_eq(PQresultStatus(res), PGRES_TUPLES_OK);
  ck_assert_str_eq(PQgetvalue(res, 0, 0), "0");
  PQclear(res);
  PQfinish(owner);
  /* the owner (a superuser here) is refused by a pool that must be bound by the policies */
  ij_store_options o = {ts_database_url(), 1, 2000, true, true};
  ij_store *s;
  ck_assert_int_eq(ij_store_open(&o, &s), IJ_OK);
  ij_conn *c;
  ck_assert_int_eq(ij_store_acquire(s, &c), IJ_ERR_FORBIDDEN);
  ij_store_close(s);
  /* and the service's role is accepted */
  s = service_store();
  ck_assert_int_eq(ij_store_acquire(s, &c), IJ_OK);
  ij_store_release(s, c);
  ij_store_close(s);
}
END_TEST

/* Writes whose results are not needed wait for the transaction's next statement or its commit
 * (one round trip fewer each): they are there after the commit, gone after a rollback, and one that
 * fails makes the commit fail with its error and leaves nothing of the transaction. */
static char *count_notices(const char *referral_id) {
  const char *p[1] = {referral_id};
  return ts_sql("SELECT count(*) FROM notices WHERE referral_id = $1", 1, p);
}

static char *minutes_of(const char *referral_id) {
  const char *p[1] = {referral_id};
  return ts_sql("SELECT minutes_credited FROM referrals WHERE id = $1", 1, p);
}

static void expect_text(char *got, const char *want) {
  ck_assert_ptr_nonnull(got);
  ck_assert_str_eq(got, want);
  free(got);
}

/* The notice an outcome that completes a referral writes (a deferred write). */
static const ij_notice_write k_completed = {"outcome", "completed", false, IJ_NOTICE_FIELD_HOURS,
                                            7,         NULL};

/* A store of one connection (*c) scoped to a new area, with a referral stored there (*r) and read
 * back (*got). */
static ij_store *referral_in_new_area(ij_conn **c, char area[IJ_AREA_MAX], ij_referral *r,
                                      ij_referral *got) {
  ij_store *s = ts_store(1);
  ck_assert_int_eq(ij_store_acquire(s, c), IJ_OK);
  ts_new_area(*c, area);
  ij_store_scope(*c, area);
  make_referral(r, area, "pc-1", 0);
  ij_replay replay;
  ck_assert_int_eq(create(*c, r, NULL, &replay), IJ_OK);
  ck_assert_int_eq(ij_store_referral_get(*c, area, r->id, got), IJ_OK);
  return s;
}

/* Opens a transaction with two deferred writes: `minutes` credited to the referral r, and the
 * completing notice of `of` (r as read back, or a referral that does not exist). */
static void begin_with_deferred(ij_conn *c, const char *area, const ij_referral *r, int minutes,
                                const ij_referral *of) {
  ck_assert_int_eq(ij_store_begin(c), IJ_OK);
  ck_assert_int_eq(ij_store_referral_counters(c, area, r->id, minutes, 0, 0, 0, now_us()), IJ_OK);
  ck_assert_int_eq(ij_store_notice_add(c, of, &k_completed, now_us()), IJ_OK);
}

/* ij_store_commit_with_next: the next read sees what the transaction wrote and carries its COMMIT
 * (visible to another connection at once, nothing left to commit); with nothing read, the commit
 * that follows still commits; a write that fails on the way fails the read, and nothing stays. */
START_TEST(commit_goes_with_the_next_read) {
  ij_conn *c;
  char area[IJ_AREA_MAX];
  ij_referral r, got;
  ij_store *s = referral_in_new_area(&c, area, &r, &got);

  /* a read after deferred writes: it sees them, and the transaction is over with it */
  begin_with_deferred(c, area, &r, 30, &got);
  ij_store_commit_with_next(c);
  ij_booking_list bookings;
  ck_assert_int_eq(ij_store_bookings_of_referral(c, area, r.id, &bookings), IJ_OK);
  ij_booking_list_clear(&bookings);
  ck_assert_int_eq(PQtransactionStatus(c->pg), PQTRANS_IDLE);
  expect_text(count_notices(r.id), "1");
  expect_text(minutes_of(r.id), "30");
  ck_assert_int_eq(ij_store_commit(c), IJ_OK);
  ij_referral mid;
  ck_assert_int_eq(ij_store_referral_get(c, area, r.id, &mid), IJ_OK);
  ck_assert_int_eq(mid.minutes_credited, 30);
  ij_referral_clear(&mid);

  /* nothing read in between: the commit commits */
  ck_assert_int_eq(ij_store_begin(c), IJ_OK);
  ck_assert_int_eq(ij_store_referral_counters(c, area, r.id, 5, 0, 0, 0, now_us()), IJ_OK);
  ij_store_commit_with_next(c);
  ck_assert_int_eq(ij_store_commit(c), IJ_OK);
  ck_assert_int_eq(PQtransactionStatus(c->pg), PQTRANS_IDLE);
  expect_text(minutes_of(r.id), "35");

  /* a deferred write that breaks its foreign key fails the read that carries it, and the COMMIT
   * after it does not happen: nothing of the transaction stays */
  ij_referral ghost = got;
  ij_uuid_new(ghost.id);
  begin_with_deferred(c, area, &r, 7, &ghost);
  ij_store_commit_with_next(c);
  ck_assert_int_ne(ij_store_bookings_of_referral(c, area, r.id, &bookings), IJ_OK);
  ck_assert_str_eq(ij_store_sqlstate(c), "23503");
  ij_store_rollback(c);
  expect_text(minutes_of(r.id), "35");
  /* and the connection goes on, the request to commit with the next statements gone with it */
  ck_assert_int_eq(ij_store_begin(c), IJ_OK);
  ck_assert_int_eq(ij_store_referral_counters(c, area, r.id, 1, 0, 0, 0, now_us()), IJ_OK);
  ij_store_rollback(c);
  expect_text(minutes_of(r.id), "35");
  ij_referral_clear(&got);
  ij_store_release(s, c);
  ij_store_close(s);
}
END_TEST

START_TEST(deferred_writes_commit_roll_back_and_fail_together) {
  ij_conn *c;
  char area[IJ_AREA_MAX];
  ij_referral r, got;
  ij_store *s = referral_in_new_area(&c, area, &r, &got);

  /* rolled back: nothing */
  begin_with_deferred(c, area, &r, 30, &got);
  ij_store_rollback(c);
  expect_text(count_notices(r.id), "0");
  expect_text(minutes_of(r.id), "0");

  /* more than a pipeline holds, then a statement that reads them, then the commit */
  ck_assert_int_eq(ij_store_begin(c), IJ_OK);
  for (int i = 0; i < 20; i++)
    ck_assert_int_eq(ij_store_referral_counters(c, area, r.id, 1, 0, 0, 0, now_us()), IJ_OK);
  ij_referral mid;
  ck_assert_int_eq(ij_store_referral_get(c, area, r.id, &mid), IJ_OK);
  ck_assert_int_eq(mid.minutes_credited, 20); /* sent ahead of the read, in order */
  ij_referral_clear(&mid);
  ck_assert_int_eq(ij_store_notice_add(c, &got, &k_completed, now_us()), IJ_OK);
  ck_assert_int_eq(ij_store_commit(c), IJ_OK);
  expect_text(count_notices(r.id), "1");
  expect_text(minutes_of(r.id), "20");

  /* a second notice of the same kind and event is not written (notices_once), the rest is */
  ck_assert_int_eq(ij_store_begin(c), IJ_OK);
  ck_assert_int_eq(ij_store_notice_add(c, &got, &k_completed, now_us()), IJ_OK);
  ck_assert_int_eq(ij_store_commit(c), IJ_OK);
  expect_text(count_notices(r.id), "1");

  /* a notice of a referral that does not exist breaks its foreign key: the commit reports it,
   * nothing stays */
  ij_referral ghost = got;
  ij_uuid_new(ghost.id);
  begin_with_deferred(c, area, &r, 5, &ghost);
  ck_assert_int_ne(ij_store_commit(c), IJ_OK);
  ck_assert_str_eq(ij_store_sqlstate(c), "23503");
  ij_store_rollback(c);
  expect_text(count_notices(r.id), "1");
  expect_text(minutes_of(r.id), "20");
  /* and the connection goes on */
  ck_assert_int_eq(ij_store_referral_get(c, area, r.id, &mid), IJ_OK);
  ij_referral_clear(&mid);
  ij_referral_clear(&got);
  ij_store_release(s, c);
  ij_store_close(s);
}
END_TEST

static Suite *store_suite(void) {
  Suite *s = suite_create("store");
  TCase *tc = tcase_create("store");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, migrate_is_repeatable);
  tcase_add_test(tc, migrate_concurrently);
  tcase_add_test(tc, create_and_read_back);
  tcase_add_test(tc, unknown_ward_is_a_field_error);
  tcase_add_test(tc, idempotency_replays_and_refuses_mismatch);
  tcase_add_test(tc, same_police_id_is_one_person);
  tcase_add_test(tc, prior_reads_the_ward_and_the_last_exit);
  tcase_add_test(tc, transitions_are_versioned_and_logged);
  tcase_add_test(tc, deferred_writes_commit_roll_back_and_fail_together);
  tcase_add_test(tc, commit_goes_with_the_next_read);
  tcase_add_test(tc, event_log_is_append_only);
  tcase_add_test(tc, list_filters_and_pages);
  tcase_add_test(tc, text_with_quotes_commas_and_brackets_reads_back);
  tcase_add_test(tc, pool_reconnects_after_a_broken_connection);
  tcase_add_test(tc, pool_times_out_when_exhausted);
  tcase_add_test(tc, unreachable_database_is_unavailable);
  tcase_add_test(tc, statistics_give_up_after_their_timeout);
  tcase_add_test(tc, statistics_of_every_area_need_the_national_scope_named);
  tcase_add_test(tc, row_security_scopes_the_pool_to_one_area);
  tcase_add_test(tc, row_security_hides_other_areas_from_queries_without_a_filter);
  tcase_add_test(tc, row_security_covers_every_area_table_and_binds_the_role);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  ts_database_url(); /* migrate once, before the tests fork */
  SRunner *sr = srunner_create(store_suite());
  srunner_add_suite(sr, store_instances_suite());
  srunner_add_suite(sr, store_idempotency_suite());
  srunner_add_suite(sr, store_message_delivery_suite());
  srunner_add_suite(sr, store_seed_suite());
  srunner_add_suite(sr, store_record_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? 1 : 0;
}