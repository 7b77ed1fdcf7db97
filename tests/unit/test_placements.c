/* Validation of placements and sessions: a valid input passes, each rule fails on its own field
 * (both sides of every bound), and an update needs at least one change. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "ij/domain.h"

Suite *placements_suite(void);

/* "now" for these tests: 2026-11-22T12:00:00Z */
static ij_time_us now_time(void) {
  ij_time_us t = 0;
  ck_assert_int_eq(ij_time_parse("2026-11-22T12:00:00Z", &t), IJ_OK);
  return t;
}

static bool has_error(const ij_field_errors *errs, const char *field) {
  for (int i = 0; i < errs->count; i++)
    if (strcmp(errs->items[i].field, field) == 0)
      return true;
  return false;
}

static ij_placement_input valid_placement(void) {
  ij_placement_input in = {
      .name = "Allotment tidy-up",
      .type = "gardening",
      .provider = "Arboretum Allotments Society",
      .ward = "arboretum",
      .has_location = true,
      .location = "Arboretum Park allotments",
      .has_min_age = true,
      .min_age = 16,
      .has_supervisor = true,
      .supervisor_sub = "sup-1",
      .supervisor_name = "Sam Supervisor",
      .active = 1,
  };
  return in;
}

/* Validates and checks the outcome: IJ_OK, or IJ_ERR_INVALID with an error on `field` only. */
static void expect_placement(const ij_placement_input *in, bool create, const char *field) {
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  ij_err err = ij_domain_placement_validate(in, create, &errs);
  if (!field) {
    ck_assert_msg(err == IJ_OK, "want valid, got %d errors, first %s %s", errs.count,
                  errs.count ? errs.items[0].field : "", errs.count ? errs.items[0].message : "");
    ck_assert_int_eq(errs.count, 0);
    return;
  }
  ck_assert_int_eq(err, IJ_ERR_INVALID);
  ck_assert_msg(has_error(&errs, field), "no error on %s (first: %s)", field,
                errs.count ? errs.items[0].field : "none");
  ck_assert_int_eq(errs.count, 1);
}

START_TEST(test_valid_placement) {
  ij_placement_input in = valid_placement();
  expect_placement(&in, true, NULL);
  /* the optional members may be left out */
  in.has_location = false;
  in.location = NULL;
  in.has_min_age = false;
  in.active = -1;
  expect_placement(&in, true, NULL);
  /* location given as null */
  in.has_location = true;
  expect_placement(&in, true, NULL);
  /* what to bring: up to 500 characters (not bytes), not blank; null leaves it out */
  char text[2048];
  memset(text, 'x', 500);
  text[500] = '\0';
  in.has_what_to_bring = true;
  in.what_to_bring = text;
  expect_placement(&in, true, NULL);
  text[500] = 'x';
  text[501] = '\0';
  expect_placement(&in, true, "what_to_bring");
  for (int i = 0; i < 500; i++)
    memcpy(text + 2 * i, "\xc3\xa9", 2); /* 500 characters of two bytes */
  text[1000] = '\0';
  expect_placement(&in, true, NULL);
  in.what_to_bring = "   ";
  expect_placement(&in, true, "what_to_bring");
  in.what_to_bring = "Boots\x01";
  expect_placement(&in, true, "what_to_bring");
  in.what_to_bring = NULL;
  expect_placement(&in, true, NULL);
  in.has_what_to_bring = false;
  /* every placement type */
  const char *types[] = {"gardening",        "litter_picking",     "charity_work",
                         "graffiti_removal", "community_clean_up", "other"};
  for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
    in.type = types[i];
    expect_placement(&in, true, NULL);
  }
}
END_TEST

START_TEST(test_placement_required_on_create) {
  ij_placement_input in = valid_placement();
  in.name = NULL;
  expect_placement(&in, true, "name");
  in = valid_placement();
  in.type = NULL;
  expect_placement(&in, true, "type");
  in = valid_placement();
  in.provider = NULL;
  expect_placement(&in, true, "provider");
  in = valid_placement();
  in.ward = NULL;
  expect_placement(&in, true, "ward");
  in = valid_placement();
  in.has_supervisor = false;
  in.supervisor_sub = in.supervisor_name = NULL;
  expect_placement(&in, true, "supervisor");
  in = valid_placement();
  in.supervisor_sub = NULL;
  expect_placement(&in, true, "supervisor.sub");
  in = valid_placement();
  in.supervisor_name = NULL;
  expect_placement(&in, true, "supervisor.name");

  /* all at once: every problem is reported */
  ij_placement_input empty;
  memset(&empty, 0, sizeof empty);
  empty.active = -1;
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  ck_assert_int_eq(ij_domain_placement_validate(&empty, true, &errs), IJ_ERR_INVALID);
  ck_assert_int_eq(errs.count, 5);
  const char *want[] = {"name", "type", "provider", "ward", "supervisor"};
  for (size_t i = 0; i < 5; i++)
    ck_assert(has_error(&errs, want[i]));
}
END_TEST

static char *repeat(char *buf, size_t n, char c) {
  memset(buf, c, n);
  buf[n] = 0;
  return buf;
}

START_TEST(test_placement_bounds) {
  static char buf[IJ_MAX_NOTE + 2];
  ij_placement_input in = valid_placement();
  /* name and provider: 1 to 200 bytes, not blank, no control characters */
  in.name = repeat(buf, IJ_MAX_NAME, 'n');
  expect_placement(&in, true, NULL);
  in.name = repeat(buf, IJ_MAX_NAME + 1, 'n');
  expect_placement(&in, true, "name");
  in.name = "x";
  expect_placement(&in, true, NULL);
  in.name = "";
  expect_placement(&in, true, "name");
  in.name = "   ";
  expect_placement(&in, true, "name");
  in.name = "tab\there";
  expect_placement(&in, true, "name");
  in = valid_placement();
  in.provider = repeat(buf, IJ_MAX_NAME, 'p');
  expect_placement(&in, true, NULL);
  in.provider = repeat(buf, IJ_MAX_NAME + 1, 'p');
  expect_placement(&in, true, "provider");
  in.provider = "";
  expect_placement(&in, true, "provider");

  /* type: one of the list, exactly */
  in = valid_placement();
  in.type = "Gardening";
  expect_placement(&in, true, "type");
  in.type = "knitting";
  expect_placement(&in, true, "type");

  /* min_age: 10 to 99 */
  in = valid_placement();
  in.min_age = 10;
  expect_placement(&in, true, NULL);
  in.min_age = 9;
  expect_placement(&in, true, "min_age");
  in.min_age = 99;
  expect_placement(&in, true, NULL);
  in.min_age = 100;
  expect_placement(&in, true, "min_age");

  /* location: at most IJ_MAX_NOTE bytes */
  in = valid_placement();
  in.location = repeat(buf, IJ_MAX_NOTE, 'l');
  expect_placement(&in, true, NULL);
  in.location = repeat(buf, IJ_MAX_NOTE + 1, 'l');
  expect_placement(&in, true, "location");
  in.location = " ";
  expect_placement(&in, true, "location");

  /* supervisor: sub and name 1 to 128 bytes */
  in = valid_placement();
  in.supervisor_sub = repeat(buf, IJ_MAX_SUPERVISOR, 's');
  expect_placement(&in, true, NULL);
  in.supervisor_sub = repeat(buf, IJ_MAX_SUPERVISOR + 1, 's');
  expect_placement(&in, true, "supervisor.sub");
  in.supervisor_sub = "";
  expect_placement(&in, true, "supervisor.sub");
  in = valid_placement();
  in.supervisor_name = repeat(buf, IJ_MAX_SUPERVISOR, 'm');
  expect_placement(&in, true, NULL);
  in.supervisor_name = repeat(buf, IJ_MAX_SUPERVISOR + 1, 'm');
  expect_placement(&in, true, "supervisor.name");

  /* ward: [a-z0-9_-]{1,64} */
  in = valid_placement();
  in.ward = "ward_a-1";
  expect_placement(&in, true, NULL);
  in.ward = repeat(buf, IJ_MAX_CODE, 'w');
  expect_placement(&in, true, NULL);
  in.ward = repeat(buf, IJ_MAX_CODE + 1, 'w');
  expect_placement(&in, true, "ward");
  in.ward = "Ward A";
  expect_placement(&in, true, "ward");
  in.ward = "";
  expect_placement(&in, true, "ward");

  /* active: a boolean */
  in = valid_placement();
  in.active = 0;
  expect_placement(&in, true, NULL);
  in.active = 2;
  expect_placement(&in, true, "active");
}
END_TEST

START_TEST(test_placement_update_is_partial) {
  ij_placement_input in;
  memset(&in, 0, sizeof in);
  in.active = -1;
  /* nothing to change */
  expect_placement(&in, false, "body");
  /* one member at a time is enough */
  in.name = "New name";
  expect_placement(&in, false, NULL);
  memset(&in, 0, sizeof in);
  in.active = 0;
  expect_placement(&in, false, NULL);
  memset(&in, 0, sizeof in);
  in.active = -1;
  in.has_location = true; /* location: null clears it */
  expect_placement(&in, false, NULL);
  memset(&in, 0, sizeof in);
  in.active = -1;
  in.has_min_age = true;
  in.min_age = 18;
  expect_placement(&in, false, NULL);
  in.min_age = 5;
  expect_placement(&in, false, "min_age");
  /* the rules of each member still hold */
  memset(&in, 0, sizeof in);
  in.active = -1;
  in.type = "juggling";
  expect_placement(&in, false, "type");
  in.type = NULL;
  in.has_supervisor = true;
  in.supervisor_sub = "sup-2";
  expect_placement(&in, false, "supervisor.name");
  in.supervisor_name = "Sky Supervisor";
  expect_placement(&in, false, NULL);
  in.ward = "NOT A WARD";
  expect_placement(&in, false, "ward");
}
END_TEST

/* ---- sessions ---- */

static ij_session_input valid_session(void) {
  ij_session_input in = {
      .starts_at = "2026-11-25T09:00:00Z",
      .ends_at = "2026-11-25T16:00:00Z",
      .has_capacity = true,
      .capacity = 8,
      .cancelled = -1,
  };
  return in;
}

static ij_session_times expect_session(const ij_session_input *in, bool create, const char *field) {
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  ij_session_times t;
  ij_err err = ij_domain_session_validate(in, create, now_time(), &t, &errs);
  if (!field) {
    ck_assert_msg(err == IJ_OK, "want valid, got %s %s", errs.count ? errs.items[0].field : "",
                  errs.count ? errs.items[0].message : "");
    return t;
  }
  ck_assert_int_eq(err, IJ_ERR_INVALID);
  ck_assert_msg(has_error(&errs, field), "no error on %s (first: %s)", field,
                errs.count ? errs.items[0].field : "none");
  ck_assert_int_eq(errs.count, 1);
  ck_assert_int_eq(t.starts_at, 0);
  return t;
}

START_TEST(test_valid_session) {
  ij_session_input in = valid_session();
  ij_session_times t = expect_session(&in, true, NULL);
  ij_time_us want = 0;
  ck_assert_int_eq(ij_time_parse("2026-11-25T09:00:00Z", &want), IJ_OK);
  ck_assert_int_eq(t.starts_at, want);
  ck_assert_int_eq(t.ends_at, want + 7 * IJ_US_PER_HOUR);
  /* with a supervisor of its own, and an offset */
  in.has_supervisor = true;
  in.supervisor_sub = "sup-2";
  in.supervisor_name = "Sky Supervisor";
  in.ends_at = "2026-11-25T17:00:00+01:00";
  t = expect_session(&in, true, NULL);
  ck_assert_int_eq(t.ends_at, want + 7 * IJ_US_PER_HOUR);
}
END_TEST

START_TEST(test_session_times) {
  ij_session_input in = valid_session();
  in.starts_at = NULL;
  expect_session(&in, true, "starts_at");
  in = valid_session();
  in.ends_at = NULL;
  expect_session(&in, true, "ends_at");
  in = valid_session();
  in.starts_at = "25/11/2026 09:00";
  expect_session(&in, true, "starts_at");
  in = valid_session();
  in.ends_at = "2026-11-25";
  expect_session(&in, true, "ends_at");

  /* ends after it starts */
  in = valid_session();
  in.ends_at = in.starts_at;
  expect_session(&in, true, "ends_at");
  in.ends_at = "2026-11-25T08:59:59Z";
  expect_session(&in, true, "ends_at");
  in.ends_at = "2026-11-25T09:00:00.000001Z";
  expect_session(&in, true, NULL);

  /* at most 24 hours */
  in.ends_at = "2026-11-26T09:00:00Z";
  expect_session(&in, true, NULL);
  in.ends_at = "2026-11-26T09:00:00.000001Z";
  expect_session(&in, true, "ends_at");

  /* not in the past: an hour's grace for same-day entry (now is 12:00) */
  in = valid_session();
  in.starts_at = "2026-11-22T11:00:00Z";
  in.ends_at = "2026-11-22T15:00:00Z";
  expect_session(&in, true, NULL);
  in.starts_at = "2026-11-22T10:59:59.999999Z";
  expect_session(&in, true, "starts_at");
  in.starts_at = "2025-11-22T11:00:00Z";
  expect_session(&in, true, "starts_at");
}
END_TEST

START_TEST(test_session_capacity_and_supervisor) {
  ij_session_input in = valid_session();
  in.has_capacity = false;
  expect_session(&in, true, "capacity");
  in = valid_session();
  in.capacity = 1;
  expect_session(&in, true, NULL);
  in.capacity = 0;
  expect_session(&in, true, "capacity");
  in.capacity = 200;
  expect_session(&in, true, NULL);
  in.capacity = 201;
  expect_session(&in, true, "capacity");
  in.capacity = -3;
  expect_session(&in, true, "capacity");

  static char buf[IJ_MAX_SUPERVISOR + 2];
  in = valid_session();
  in.has_supervisor = true;
  in.supervisor_sub = "sup-1";
  expect_session(&in, true, "supervisor.name");
  in.supervisor_name = repeat(buf, IJ_MAX_SUPERVISOR + 1, 'n');
  expect_session(&in, true, "supervisor.name");
  in.supervisor_name = repeat(buf, IJ_MAX_SUPERVISOR, 'n');
  expect_session(&in, true, NULL);
  in.supervisor_sub = "";
  expect_session(&in, true, "supervisor.sub");

  /* a new session is not made cancelled */
  in = valid_session();
  in.cancelled = 1;
  expect_session(&in, true, "cancelled");
}
END_TEST

START_TEST(test_session_update) {
  ij_session_input in;
  memset(&in, 0, sizeof in);
  in.cancelled = -1;
  expect_session(&in, false, "body");
  in.has_capacity = true;
  in.capacity = 12;
  expect_session(&in, false, NULL);
  in.capacity = 0;
  expect_session(&in, false, "capacity");
  in.capacity = 201;
  expect_session(&in, false, "capacity");
  memset(&in, 0, sizeof in);
  in.cancelled = 1;
  expect_session(&in, false, NULL);
  in.cancelled = 0;
  expect_session(&in, false, "cancelled");
  memset(&in, 0, sizeof in);
  in.cancelled = -1;
  in.has_supervisor = true;
  in.supervisor_sub = "sup-9";
  in.supervisor_name = "Pat";
  expect_session(&in, false, NULL);
  in.supervisor_name = NULL;
  expect_session(&in, false, "supervisor.name");
  /* times change only together (a move), and not in the request that cancels */
  memset(&in, 0, sizeof in);
  in.cancelled = 1;
  in.starts_at = "2026-11-25T09:00:00Z";
  expect_session(&in, false, "starts_at");
  in.starts_at = NULL;
  in.ends_at = "2026-11-25T09:00:00Z";
  expect_session(&in, false, "ends_at");
  in.cancelled = -1;
  expect_session(&in, false, "ends_at");
  in.ends_at = NULL;
  in.starts_at = "2026-11-25T09:00:00Z";
  expect_session(&in, false, "starts_at");
  /* a move: checked as a new session's times, into the times */
  in.ends_at = "2026-11-25T12:30:00Z";
  ij_session_times moved = expect_session(&in, false, NULL);
  ij_time_us nine = 0;
  ck_assert_int_eq(ij_time_parse("2026-11-25T09:00:00Z", &nine), IJ_OK);
  ck_assert_int_eq(moved.starts_at, nine);
  ck_assert_int_eq(moved.ends_at, nine + 7 * IJ_US_PER_HOUR / 2);
  in.ends_at = "2026-11-25T08:00:00Z";
  expect_session(&in, false, "ends_at");
  in.starts_at = "2020-11-25T09:00:00Z";
  in.ends_at = "2020-11-25T10:00:00Z";
  expect_session(&in, false, "starts_at");
  /* a session moves until it starts */
  ij_field_errors moving;
  ij_field_errors_init(&moving);
  ck_assert_int_eq(ij_domain_session_move_check(nine, nine - 1, &moving), IJ_OK);
  ck_assert_int_eq(ij_domain_session_move_check(nine, nine, &moving), IJ_ERR_CONFLICT);
  ck_assert_str_eq(moving.items[0].field, "starts_at");
  /* an update is not bound by the clock: a past session's capacity may change */
  memset(&in, 0, sizeof in);
  in.cancelled = -1;
  in.has_capacity = true;
  in.capacity = 3;
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  ck_assert_int_eq(ij_domain_session_validate(&in, false, INT64_MAX / 2, NULL, &errs), IJ_OK);
  ck_assert_int_eq(ij_domain_session_validate(NULL, false, 0, NULL, &errs), IJ_ERR_INTERNAL);
  ck_assert_int_eq(ij_domain_placement_validate(NULL, true, &errs), IJ_ERR_INTERNAL);
}
END_TEST

Suite *placements_suite(void) {
  Suite *s = suite_create("placements");
  TCase *tc = tcase_create("validation");
  tcase_add_test(tc, test_valid_placement);
  tcase_add_test(tc, test_placement_required_on_create);
  tcase_add_test(tc, test_placement_bounds);
  tcase_add_test(tc, test_placement_update_is_partial);
  tcase_add_test(tc, test_valid_session);
  tcase_add_test(tc, test_session_times);
  tcase_add_test(tc, test_session_capacity_and_supervisor);
  tcase_add_test(tc, test_session_update);
  suite_add_tcase(s, tc);
  return s;
}
