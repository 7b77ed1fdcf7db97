/* Booking a referral onto a session: the bookable states, each refusal with both sides of its
 * boundary (start == now, capacity, age on the day before and on the birthday), and their order. */
#include <check.h>
#include <string.h>

#include "ij/domain.h"

Suite *bookings_suite(void);

static ij_time_us at(const char *text) {
  ij_time_us t = 0;
  ck_assert_msg(ij_time_parse(text, &t) == IJ_OK, "bad time %s", text);
  return t;
}

static ij_date day(const char *text) {
  ij_date d = 0;
  ck_assert_msg(ij_date_parse(text, &d) == IJ_OK, "bad date %s", text);
  return d;
}

/* A session on 25 November 2026, 09:00-16:00 UTC, 8 places, 3 taken, from 16. */
static ij_session_facts good_session(void) {
  ij_session_facts s = {
      .starts_at = at("2026-11-25T09:00:00Z"),
      .ends_at = at("2026-11-25T16:00:00Z"),
      .cancelled = false,
      .capacity = 8,
      .booked = 3,
      .min_age = 16,
  };
  return s;
}

#define NOW "2026-11-22T19:51:40Z"
#define ADULT "1990-05-17"

typedef struct {
  ij_err err;
  ij_field_errors errs;
} result;

static result check(ij_state state, const char *dob, const ij_session_facts *s, const char *now) {
  result r;
  ij_field_errors_init(&r.errs);
  r.err = ij_domain_booking_check(state, day(dob), s, at(now), &r.errs);
  return r;
}

/* A refusal with exactly one field error on `field`, whose message holds `words`. */
static void assert_refused(result r, ij_err err, const char *field, const char *words) {
  ck_assert_msg(r.err == err, "got %s, want %s", ij_err_name(r.err), ij_err_name(err));
  ck_assert_int_eq(r.errs.count, 1);
  ck_assert_str_eq(r.errs.items[0].field, field);
  ck_assert_msg(strstr(r.errs.items[0].message, words) != NULL, "\"%s\" lacks \"%s\"",
                r.errs.items[0].message, words);
}

static void assert_ok(result r) {
  ck_assert_msg(r.err == IJ_OK, "got %s: %s", ij_err_name(r.err),
                r.errs.count > 0 ? r.errs.items[0].message : "");
  ck_assert_int_eq(r.errs.count, 0);
}

START_TEST(test_bookable_states) {
  /* written from docs/api-contract.md: accepted, scheduled and in_progress referrals */
  static const bool bookable[IJ_STATE__COUNT] = {
      [IJ_STATE_ACCEPTED] = true,
      [IJ_STATE_SCHEDULED] = true,
      [IJ_STATE_IN_PROGRESS] = true,
  };
  for (int s = 0; s < IJ_STATE__COUNT; s++) {
    ck_assert_msg(ij_domain_state_bookable((ij_state)s) == bookable[s], "%s",
                  ij_state_name((ij_state)s));
  }
  ck_assert(!ij_domain_state_bookable((ij_state)IJ_STATE__COUNT));
  ck_assert(!ij_domain_state_bookable((ij_state)-1));
}
END_TEST

START_TEST(test_booking_ok) {
  ij_session_facts s = good_session();
  for (int st = 0; st < IJ_STATE__COUNT; st++) {
    result r = check((ij_state)st, ADULT, &s, NOW);
    if (ij_domain_state_bookable((ij_state)st)) {
      assert_ok(r);
    }
  }
  /* errs is optional */
  ck_assert_int_eq(ij_domain_booking_check(IJ_STATE_ACCEPTED, day(ADULT), &s, at(NOW), NULL),
                   IJ_OK);
}
END_TEST

START_TEST(test_booking_state_refused) {
  /* _i is a state; the ones that cannot be booked are refused as a transition, naming it */
  ij_state st = (ij_state)_i;
  if (ij_domain_state_bookable(st)) {
    return;
  }
  ij_session_facts s = good_session();
  assert_refused(check(st, ADULT, &s, NOW), IJ_ERR_TRANSITION, "referral", ij_state_name(st));
  /* before anything about the session */
  s.cancelled = true;
  s.booked = s.capacity;
  s.starts_at = at("2026-11-01T09:00:00Z");
  assert_refused(check(st, "2020-01-01", &s, NOW), IJ_ERR_TRANSITION, "referral",
                 ij_state_name(st));
  ck_assert_int_eq(ij_domain_booking_check(st, day(ADULT), &s, at(NOW), NULL), IJ_ERR_TRANSITION);
}
END_TEST

START_TEST(test_booking_cancelled_session) {
  ij_session_facts s = good_session();
  s.cancelled = true;
  assert_refused(check(IJ_STATE_ACCEPTED, ADULT, &s, NOW), IJ_ERR_CONFLICT, "session_id",
                 "cancelled");
  /* before started, full and age */
  s.starts_at = at("2026-11-01T09:00:00Z");
  s.booked = s.capacity;
  assert_refused(check(IJ_STATE_SCHEDULED, "2020-01-01", &s, NOW), IJ_ERR_CONFLICT, "session_id",
                 "cancelled");
}
END_TEST

START_TEST(test_booking_session_started) {
  ij_session_facts s = good_session();
  const char *start = "2026-11-25T09:00:00Z";
  /* a microsecond before the start: bookable; at the start or after: too late */
  assert_ok(check(IJ_STATE_ACCEPTED, ADULT, &s, "2026-11-25T08:59:59.999999Z"));
  assert_refused(check(IJ_STATE_ACCEPTED, ADULT, &s, start), IJ_ERR_CONFLICT, "session_id",
                 "already started");
  assert_refused(check(IJ_STATE_ACCEPTED, ADULT, &s, "2026-11-25T09:00:00.000001Z"),
                 IJ_ERR_CONFLICT, "session_id", "already started");
  assert_refused(check(IJ_STATE_IN_PROGRESS, ADULT, &s, "2026-11-26T09:00:00Z"), IJ_ERR_CONFLICT,
                 "session_id", "already started");
  /* before full and age */
  s.booked = s.capacity;
  assert_refused(check(IJ_STATE_ACCEPTED, "2020-01-01", &s, start), IJ_ERR_CONFLICT, "session_id",
                 "already started");
}
END_TEST

START_TEST(test_booking_capacity) {
  ij_session_facts s = good_session();
  s.booked = s.capacity - 1; /* the last place */
  assert_ok(check(IJ_STATE_ACCEPTED, ADULT, &s, NOW));
  s.booked = s.capacity;
  assert_refused(check(IJ_STATE_ACCEPTED, ADULT, &s, NOW), IJ_ERR_CONFLICT, "session_id", "full");
  assert_refused(check(IJ_STATE_ACCEPTED, ADULT, &s, NOW), IJ_ERR_CONFLICT, "session_id", "8 of 8");
  s.booked = s.capacity + 1; /* over-full (capacity lowered below the places held) */
  assert_refused(check(IJ_STATE_ACCEPTED, ADULT, &s, NOW), IJ_ERR_CONFLICT, "session_id", "full");
  s.capacity = 1;
  s.booked = 0;
  assert_ok(check(IJ_STATE_ACCEPTED, ADULT, &s, NOW));
  s.booked = 1;
  assert_refused(check(IJ_STATE_ACCEPTED, ADULT, &s, NOW), IJ_ERR_CONFLICT, "session_id", "full");
  /* before age */
  assert_refused(check(IJ_STATE_ACCEPTED, "2020-01-01", &s, NOW), IJ_ERR_CONFLICT, "session_id",
                 "full");
}
END_TEST

/* Booked on the session already: said so, also when that booking took the last place. */
START_TEST(test_booking_twice) {
  ij_session_facts s = good_session();
  s.referral_booked = true;
  assert_refused(check(IJ_STATE_SCHEDULED, ADULT, &s, NOW), IJ_ERR_CONFLICT, "session_id",
                 "booked on this session already");
  s.booked = s.capacity; /* before full and age */
  assert_refused(check(IJ_STATE_SCHEDULED, "2020-01-01", &s, NOW), IJ_ERR_CONFLICT, "session_id",
                 "booked on this session already");
  s.starts_at = at("2026-11-01T09:00:00Z"); /* after started */
  assert_refused(check(IJ_STATE_SCHEDULED, ADULT, &s, NOW), IJ_ERR_CONFLICT, "session_id",
                 "already started");
}
END_TEST

START_TEST(test_booking_minimum_age) {
  ij_session_facts s = good_session(); /* 25 November 2026, from 16 */
  /* 16 on the session's date: the birthday is that day */
  assert_ok(check(IJ_STATE_ACCEPTED, "2010-11-25", &s, NOW));
  assert_ok(check(IJ_STATE_ACCEPTED, "2010-11-24", &s, NOW));
  /* the birthday is the day after the session: 15 on the day */
  result r = check(IJ_STATE_ACCEPTED, "2010-11-26", &s, NOW);
  assert_refused(r, IJ_ERR_CONFLICT, "session_id", "minimum age of 16");
  ck_assert_ptr_nonnull(strstr(r.errs.items[0].message, "15"));
  /* the age on the session's date, not today's: 15 today, 16 on the day */
  assert_ok(check(IJ_STATE_ACCEPTED, "2010-11-23", &s, NOW));
  /* the session's UTC date: late on the day before the birthday is still too young */
  s.starts_at = at("2026-11-24T23:59:59.999999Z");
  s.ends_at = at("2026-11-25T03:00:00Z");
  assert_refused(check(IJ_STATE_ACCEPTED, "2010-11-25", &s, NOW), IJ_ERR_CONFLICT, "session_id",
                 "minimum age");
  s.starts_at = at("2026-11-25T00:00:00Z");
  assert_ok(check(IJ_STATE_ACCEPTED, "2010-11-25", &s, NOW));
  /* the minimum is inclusive at both ends of the range */
  s = good_session();
  s.min_age = 10;
  assert_ok(check(IJ_STATE_ACCEPTED, "2016-11-25", &s, NOW));
  assert_refused(check(IJ_STATE_ACCEPTED, "2016-11-26", &s, NOW), IJ_ERR_CONFLICT, "session_id",
                 "minimum age of 10");
  s.min_age = 99;
  assert_ok(check(IJ_STATE_ACCEPTED, "1927-11-25", &s, NOW));
  assert_refused(check(IJ_STATE_ACCEPTED, "1927-11-26", &s, NOW), IJ_ERR_CONFLICT, "session_id",
                 "minimum age of 99");
}
END_TEST

START_TEST(test_booking_leap_day_birthday) {
  /* Born on 29 February: in a common year the birthday counts on 1 March. */
  ij_session_facts s = good_session();
  s.min_age = 18;
  s.starts_at = at("2026-02-28T09:00:00Z");
  s.ends_at = at("2026-02-28T16:00:00Z");
  assert_refused(check(IJ_STATE_ACCEPTED, "2008-02-29", &s, "2026-02-01T00:00:00Z"),
                 IJ_ERR_CONFLICT, "session_id", "minimum age of 18");
  s.starts_at = at("2026-03-01T09:00:00Z");
  s.ends_at = at("2026-03-01T16:00:00Z");
  assert_ok(check(IJ_STATE_ACCEPTED, "2008-02-29", &s, "2026-02-01T00:00:00Z"));
}
END_TEST

START_TEST(test_booking_born_after_session) {
  ij_session_facts s = good_session();
  s.min_age = 0;
  assert_refused(check(IJ_STATE_ACCEPTED, "2026-11-26", &s, NOW), IJ_ERR_CONFLICT, "session_id",
                 "date of birth");
}
END_TEST

START_TEST(test_booking_caller_bugs) {
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  ck_assert_int_eq(ij_domain_booking_check(IJ_STATE_ACCEPTED, day(ADULT), NULL, at(NOW), &errs),
                   IJ_ERR_INTERNAL);
  ij_session_facts s = good_session();
  ck_assert_int_eq(
      ij_domain_booking_check((ij_state)IJ_STATE__COUNT, day(ADULT), &s, at(NOW), &errs),
      IJ_ERR_INTERNAL);
  ck_assert_int_eq(errs.count, 0);
}
END_TEST

Suite *bookings_suite(void) {
  Suite *s = suite_create("bookings");
  TCase *tc = tcase_create("booking_check");
  tcase_add_test(tc, test_bookable_states);
  tcase_add_test(tc, test_booking_ok);
  tcase_add_loop_test(tc, test_booking_state_refused, 0, IJ_STATE__COUNT);
  tcase_add_test(tc, test_booking_cancelled_session);
  tcase_add_test(tc, test_booking_session_started);
  tcase_add_test(tc, test_booking_capacity);
  tcase_add_test(tc, test_booking_twice);
  tcase_add_test(tc, test_booking_minimum_age);
  tcase_add_test(tc, test_booking_leap_day_birthday);
  tcase_add_test(tc, test_booking_born_after_session);
  tcase_add_test(tc, test_booking_caller_bugs);
  suite_add_tcase(s, tc);
  return s;
}
