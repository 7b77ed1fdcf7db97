/* Booking suggestions: the states that may have them, the window a query reads (with and without
 * a birthday in it, on both sides of each bound), and the ranking: each reason the booking would
 * refuse a session leaves it out, and the order is within target, earliest, own ward, id. */
#include <check.h>
#include <string.h>

#include "ij/domain_suggest.h"

Suite *suggest_suite(void);

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

#define NOW "2026-11-22T19:51:40Z"

START_TEST(only_bookable_states_have_suggestions) {
  for (int s = 0; s < IJ_STATE__COUNT; s++) {
    ij_field_errors errs;
    ij_field_errors_init(&errs);
    ij_err err = ij_domain_suggest_state((ij_state)s, &errs);
    if (ij_domain_state_bookable((ij_state)s)) {
      ck_assert_int_eq(err, IJ_OK);
      ck_assert_int_eq(errs.count, 0);
    } else {
      ck_assert_int_eq(err, IJ_ERR_TRANSITION);
      ck_assert_int_eq(errs.count, 1);
      ck_assert_str_eq(errs.items[0].field, "referral");
      ck_assert_ptr_nonnull(strstr(errs.items[0].message, ij_state_name((ij_state)s)));
    }
  }
}
END_TEST

START_TEST(window_without_a_birthday) {
  ij_suggest_window w;
  ij_domain_suggest_window(at(NOW), day("2000-01-15"), 28, &w);
  ck_assert_int_eq(w.after, at(NOW));
  ck_assert_int_eq(w.before, at("2026-12-20T19:51:40Z"));
  ck_assert_int_eq(w.age_now, 26);
  ck_assert_int_eq(w.age_later, 26);
  ck_assert_int_eq(w.age_later_from, w.before);
}
END_TEST

START_TEST(window_with_a_birthday) {
  ij_suggest_window w;
  /* 18 on 1 December 2026, inside the window */
  ij_domain_suggest_window(at(NOW), day("2008-12-01"), 28, &w);
  ck_assert_int_eq(w.age_now, 17);
  ck_assert_int_eq(w.age_later, 18);
  ck_assert_int_eq(w.age_later_from, at("2026-12-01T00:00:00Z"));
  /* a birthday on the window's last day counts; one the day after does not */
  ij_domain_suggest_window(at(NOW), day("2008-12-20"), 28, &w);
  ck_assert_int_eq(w.age_later, 18);
  ck_assert_int_eq(w.age_later_from, at("2026-12-20T00:00:00Z"));
  ij_domain_suggest_window(at(NOW), day("2008-12-21"), 28, &w);
  ck_assert_int_eq(w.age_later, 17);
  ck_assert_int_eq(w.age_later_from, w.before);
  /* a birthday today is already counted in age_now */
  ij_domain_suggest_window(at(NOW), day("2008-11-22"), 28, &w);
  ck_assert_int_eq(w.age_now, 18);
  ck_assert_int_eq(w.age_later, 18);
}
END_TEST

/* The window agrees with the booking's age rule on every day of it, for every minimum age near
 * the person's: a session passes the window's bounds exactly when the booking check accepts its
 * age. */
START_TEST(window_matches_the_age_rule) {
  const char *births[] = {"2008-12-01", "2008-11-22", "2008-11-23", "2008-02-29", "1990-05-17"};
  ij_time_us now = at(NOW);
  for (size_t b = 0; b < sizeof births / sizeof births[0]; b++) {
    ij_suggest_window w;
    ij_domain_suggest_window(now, day(births[b]), 28, &w);
    for (ij_time_us t = now + IJ_US_PER_HOUR; t < w.before; t += 6 * IJ_US_PER_HOUR) {
      for (int min_age = 10; min_age <= 40; min_age++) {
        ij_session_facts s = {t, t + IJ_US_PER_HOUR, false, 8, 0, min_age, false, false};
        ij_field_errors errs;
        ij_field_errors_init(&errs);
        bool booking =
            ij_domain_booking_check(IJ_STATE_ACCEPTED, day(births[b]), &s, now, &errs) == IJ_OK;
        bool window = min_age <= w.age_now || (min_age <= w.age_later && t >= w.age_later_from);
        ck_assert_msg(booking == window, "%s, min %d", births[b], min_age);
      }
    }
  }
}
END_TEST

static ij_suggest_candidate cand(const char *id, const char *starts, int min_age) {
  ij_suggest_candidate c;
  memset(&c, 0, sizeof c);
  c.id = id;
  c.facts.starts_at = at(starts);
  c.facts.ends_at = c.facts.starts_at + 3 * IJ_US_PER_HOUR;
  c.facts.capacity = 8;
  c.facts.booked = 2;
  c.facts.min_age = min_age;
  return c;
}

static ij_suggest_for who_for(ij_state state) {
  ij_suggest_for w = {state, day("2008-12-01"), at("2026-11-24T19:51:40Z"), at(NOW)};
  return w;
}

/* Each reason the booking refuses a session leaves it out; the one good session stays. */
START_TEST(every_refusal_leaves_a_session_out) {
  ij_suggest_candidate c[8];
  c[0] = cand("good", "2026-11-23T09:00:00Z", 16);
  c[1] = cand("full", "2026-11-23T09:00:00Z", 16);
  c[1].facts.booked = c[1].facts.capacity;
  c[2] = cand("cancelled", "2026-11-23T09:00:00Z", 16);
  c[2].facts.cancelled = true;
  c[3] = cand("past", "2026-11-22T09:00:00Z", 16);
  c[4] = cand("started", NOW, 16); /* starts at now: already started */
  c[5] = cand("too-young", "2026-11-30T09:00:00Z", 18);
  c[6] = cand("apart", "2026-11-23T09:00:00Z", 16);
  c[6].facts.non_associated = true;
  c[7] = cand("overlap", "2026-11-23T09:00:00Z", 16);
  c[7].overlaps = true;
  ij_suggest_for who = who_for(IJ_STATE_ACCEPTED);
  int n = ij_domain_suggest_rank(&who, c, 8, 20);
  ck_assert_int_eq(n, 1);
  ck_assert_str_eq(c[0].id, "good");
  ck_assert(c[0].within_target);
}
END_TEST

/* On the 18th birthday a placement from 18 may be suggested; the day before it may not. */
START_TEST(minimum_age_on_the_session_day) {
  ij_suggest_candidate c[2] = {cand("eve", "2026-11-30T23:00:00Z", 18),
                               cand("birthday", "2026-12-01T00:00:00Z", 18)};
  ij_suggest_for who = who_for(IJ_STATE_SCHEDULED);
  ck_assert_int_eq(ij_domain_suggest_rank(&who, c, 2, 5), 1);
  ck_assert_str_eq(c[0].id, "birthday");
}
END_TEST

START_TEST(no_suggestions_in_a_state_that_cannot_be_booked) {
  ij_suggest_candidate c[1] = {cand("good", "2026-11-23T09:00:00Z", 16)};
  for (int s = 0; s < IJ_STATE__COUNT; s++) {
    ij_suggest_for who = who_for((ij_state)s);
    int n = ij_domain_suggest_rank(&who, c, 1, 5);
    ck_assert_int_eq(n, ij_domain_state_bookable((ij_state)s) ? 1 : 0);
  }
}
END_TEST

/* Within target first, then earliest, then own ward among sessions starting together, then id;
 * the limit cuts the tail. */
START_TEST(ranking_order_and_limit) {
  ij_suggest_candidate c[6];
  c[0] = cand("late-b", "2026-11-30T09:00:00Z", 16);
  c[1] = cand("late-a", "2026-11-30T09:00:00Z", 16);
  c[2] = cand("soon-other-ward", "2026-11-23T09:00:00Z", 16);
  c[3] = cand("soon-own-ward", "2026-11-23T09:00:00Z", 16);
  c[3].same_ward = true;
  c[4] = cand("soonest", "2026-11-23T08:00:00Z", 16);
  c[5] = cand("edge", "2026-11-24T19:51:40Z", 16); /* at target_start_by: not within it */
  ij_suggest_for who = who_for(IJ_STATE_ACCEPTED);
  int n = ij_domain_suggest_rank(&who, c, 6, 20);
  ck_assert_int_eq(n, 6);
  const char *want[] = {"soonest", "soon-own-ward", "soon-other-ward", "edge", "late-a", "late-b"};
  const bool within[] = {true, true, true, false, false, false};
  for (int i = 0; i < 6; i++) {
    ck_assert_str_eq(c[i].id, want[i]);
    ck_assert_int_eq(c[i].within_target, within[i]);
  }
  c[0] = cand("late", "2026-11-30T09:00:00Z", 16);
  c[1] = cand("soon", "2026-11-23T09:00:00Z", 16);
  c[2] = cand("sooner", "2026-11-23T07:00:00Z", 16);
  ck_assert_int_eq(ij_domain_suggest_rank(&who, c, 3, 2), 2);
  ck_assert_str_eq(c[0].id, "sooner");
  ck_assert_str_eq(c[1].id, "soon");
  ck_assert_int_eq(ij_domain_suggest_rank(&who, c, 0, 2), 0);
  ck_assert_int_eq(ij_domain_suggest_rank(&who, c, 3, 0), 0);
}
END_TEST

Suite *suggest_suite(void) {
  Suite *s = suite_create("suggest");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, only_bookable_states_have_suggestions);
  tcase_add_test(tc, window_without_a_birthday);
  tcase_add_test(tc, window_with_a_birthday);
  tcase_add_test(tc, window_matches_the_age_rule);
  tcase_add_test(tc, every_refusal_leaves_a_session_out);
  tcase_add_test(tc, minimum_age_on_the_session_day);
  tcase_add_test(tc, no_suggestions_in_a_state_that_cannot_be_booked);
  tcase_add_test(tc, ranking_order_and_limit);
  suite_add_tcase(s, tc);
  return s;
}
