/* Walk-ins and paper registers: every booking mode at every point of a session's time, for every
 * role, against expectations written out here independently of the table; the late-entry reason's
 * form; late-entry outcomes and sessions. */
#include <check.h>
#include <string.h>

#include "ij/domain.h"

Suite *register_suite(void);

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
static ij_session_facts session(void) {
  ij_session_facts s = {.starts_at = at("2026-11-25T09:00:00Z"),
                        .ends_at = at("2026-11-25T16:00:00Z"),
                        .capacity = 8,
                        .booked = 3,
                        .min_age = 16};
  return s;
}

/* The instants tried against it, and where each falls. */
static const struct {
  const char *now;
  bool started, ended;
} k_times[] = {
    {"2026-11-25T08:59:59.999999Z", false, false}, {"2026-11-25T09:00:00Z", true, false},
    {"2026-11-25T12:00:00Z", true, false},         {"2026-11-25T15:59:59.999999Z", true, false},
    {"2026-11-25T16:00:00Z", true, true},          {"2027-01-01T00:00:00Z", true, true},
};

static const ij_roles k_roles[] = {IJ_ROLE_OFFICER,      IJ_ROLE_COORDINATOR, IJ_ROLE_SUPERVISOR,
                                   IJ_ROLE_COMMISSIONER, IJ_ROLE_ADMIN,       IJ_ROLE_NATIONAL};

/* Written from the issue: a booking is made before the session starts, by a coordinator; a
 * walk-in while it is under way, by a coordinator or a supervisor; a late entry once it is over,
 * by a coordinator, with a reason. */
static bool expect_time(ij_booking_mode mode, bool started, bool ended) {
  switch (mode) {
  case IJ_BOOKING_ORDINARY:
    return !started;
  case IJ_BOOKING_WALK_IN:
    return started && !ended;
  case IJ_BOOKING_LATE_ENTRY:
    return ended;
  default:
    return false;
  }
}

static bool expect_role(ij_booking_mode mode, ij_roles role) {
  if (mode == IJ_BOOKING_WALK_IN)
    return role == IJ_ROLE_COORDINATOR || role == IJ_ROLE_SUPERVISOR;
  return role == IJ_ROLE_COORDINATOR;
}

START_TEST(test_modes_table) {
  size_t n = 0;
  const ij_booking_mode_rule *rules = ij_domain_booking_modes(&n);
  ck_assert_uint_eq(n, IJ_BOOKING_MODE__COUNT);
  for (size_t i = 0; i < n; i++) {
    ck_assert_int_eq(rules[i].mode, (int)i); /* rows in the enum's order */
    ck_assert_ptr_nonnull(rules[i].name);
    ck_assert_int_eq(rules[i].reason, rules[i].mode == IJ_BOOKING_LATE_ENTRY);
    ck_assert_uint_eq(rules[i].roles & IJ_ROLE_SYSTEM, 0);
  }
}
END_TEST

START_TEST(test_modes_roles) {
  for (int m = 0; m < IJ_BOOKING_MODE__COUNT; m++) {
    for (size_t r = 0; r < sizeof k_roles / sizeof k_roles[0]; r++) {
      ij_field_errors errs;
      ij_field_errors_init(&errs);
      ij_err err = ij_domain_booking_mode_may((ij_booking_mode)m, k_roles[r], &errs);
      bool may = expect_role((ij_booking_mode)m, k_roles[r]);
      ck_assert_msg(err == (may ? IJ_OK : IJ_ERR_FORBIDDEN), "mode %d role %s: %s", m,
                    ij_role_name(k_roles[r]), ij_err_name(err));
      ck_assert_int_eq(errs.count, may ? 0 : 1);
    }
    ck_assert_int_eq(ij_domain_booking_mode_may((ij_booking_mode)m, 0, NULL), IJ_ERR_FORBIDDEN);
  }
  ck_assert_int_eq(ij_domain_booking_mode_may(IJ_BOOKING_MODE__COUNT, IJ_ROLES_HUMAN, NULL),
                   IJ_ERR_INTERNAL);
}
END_TEST

/* Every mode at every instant: allowed exactly where the session's time fits; refused with one
 * error on session_id otherwise. The other rules hold in every mode: full, booked already, age. */
START_TEST(test_modes_times) {
  for (int m = 0; m < IJ_BOOKING_MODE__COUNT; m++) {
    const char *reason = m == IJ_BOOKING_LATE_ENTRY ? "paper register from the site" : NULL;
    for (size_t t = 0; t < sizeof k_times / sizeof k_times[0]; t++) {
      ij_session_facts s = session();
      ij_field_errors errs;
      ij_field_errors_init(&errs);
      ij_time_us now = at(k_times[t].now);
      bool fits = expect_time((ij_booking_mode)m, k_times[t].started, k_times[t].ended);
      ij_err err = ij_domain_booking_check_mode((ij_booking_mode)m, reason, IJ_STATE_ACCEPTED,
                                                day("1990-05-17"), &s, now, &errs);
      ck_assert_msg(err == (fits ? IJ_OK : IJ_ERR_CONFLICT), "mode %d at %s: %s", m, k_times[t].now,
                    ij_err_name(err));
      ck_assert_int_eq(errs.count, fits ? 0 : 1);
      if (!fits) {
        ck_assert_str_eq(errs.items[0].field, "session_id");
        continue;
      }
      /* capacity, one place per session and age are the same rules in every mode */
      s.booked = s.capacity;
      ij_field_errors_init(&errs);
      ck_assert_int_eq(ij_domain_booking_check_mode((ij_booking_mode)m, reason, IJ_STATE_SCHEDULED,
                                                    day("1990-05-17"), &s, now, &errs),
                       IJ_ERR_CONFLICT);
      ck_assert_msg(strstr(errs.items[0].message, "full") != NULL, "%s", errs.items[0].message);
      s = session();
      s.referral_booked = true;
      ck_assert_int_eq(ij_domain_booking_check_mode((ij_booking_mode)m, reason, IJ_STATE_SCHEDULED,
                                                    day("1990-05-17"), &s, now, NULL),
                       IJ_ERR_CONFLICT);
      s = session();
      ck_assert_int_eq(ij_domain_booking_check_mode((ij_booking_mode)m, reason, IJ_STATE_ACCEPTED,
                                                    day("2012-01-01"), &s, now, NULL),
                       IJ_ERR_CONFLICT);
      ck_assert_int_eq(ij_domain_booking_check_mode((ij_booking_mode)m, reason, IJ_STATE_SUBMITTED,
                                                    day("1990-05-17"), &s, now, NULL),
                       IJ_ERR_TRANSITION);
      s.cancelled = true;
      ck_assert_int_eq(ij_domain_booking_check_mode((ij_booking_mode)m, reason, IJ_STATE_ACCEPTED,
                                                    day("1990-05-17"), &s, now, NULL),
                       IJ_ERR_CONFLICT);
    }
  }
}
END_TEST

/* The reason: required for a late entry and refused otherwise, before anything else. */
START_TEST(test_modes_reason) {
  ij_session_facts s = session();
  ij_time_us over = at("2026-11-26T09:00:00Z"), during = at("2026-11-25T12:00:00Z");
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  ck_assert_int_eq(ij_domain_booking_check_mode(IJ_BOOKING_LATE_ENTRY, NULL, IJ_STATE_ACCEPTED,
                                                day("1990-05-17"), &s, over, &errs),
                   IJ_ERR_INVALID);
  ck_assert_str_eq(errs.items[0].field, "late_entry_reason");
  ck_assert_int_eq(ij_domain_booking_check_mode(IJ_BOOKING_LATE_ENTRY, "  ", IJ_STATE_ACCEPTED,
                                                day("1990-05-17"), &s, over, NULL),
                   IJ_ERR_INVALID);
  ij_field_errors_init(&errs);
  ck_assert_int_eq(ij_domain_booking_check_mode(IJ_BOOKING_WALK_IN, "why", IJ_STATE_ACCEPTED,
                                                day("1990-05-17"), &s, during, &errs),
                   IJ_ERR_INVALID);
  ck_assert_str_eq(errs.items[0].field, "late_entry_reason");
  ck_assert_int_eq(ij_domain_booking_check_mode(IJ_BOOKING_ORDINARY, "why", IJ_STATE_ACCEPTED,
                                                day("1990-05-17"), &s, at("2026-11-24T00:00:00Z"),
                                                NULL),
                   IJ_ERR_INVALID);
  /* the reason's form */
  char long_reason[IJ_LATE_ENTRY_REASON_MAX + 2];
  memset(long_reason, 'a', sizeof long_reason - 1);
  long_reason[sizeof long_reason - 1] = '\0';
  ck_assert_int_eq(ij_domain_late_entry_reason(long_reason, true, NULL), IJ_ERR_INVALID);
  long_reason[IJ_LATE_ENTRY_REASON_MAX] = '\0';
  ck_assert_int_eq(ij_domain_late_entry_reason(long_reason, true, NULL), IJ_OK);
  ck_assert_int_eq(ij_domain_late_entry_reason("tab\there", true, NULL), IJ_ERR_INVALID);
  ck_assert_int_eq(ij_domain_late_entry_reason("", false, NULL), IJ_ERR_INVALID);
  ck_assert_int_eq(ij_domain_late_entry_reason(NULL, false, NULL), IJ_OK);
  ck_assert_int_eq(ij_domain_late_entry_reason(NULL, true, NULL), IJ_ERR_INVALID);
}
END_TEST

/* Outcomes: every role x late booking or not x reason or not x session over or not. */
START_TEST(test_outcome_late_entry) {
  ij_time_us ends = at("2026-11-25T16:00:00Z");
  const ij_time_us nows[] = {at("2026-11-25T12:00:00Z"), ends};
  const char *reasons[] = {NULL, "register kept on paper"};
  for (size_t r = 0; r < sizeof k_roles / sizeof k_roles[0]; r++)
    for (int booking_late = 0; booking_late < 2; booking_late++)
      for (size_t g = 0; g < 2; g++)
        for (size_t t = 0; t < 2; t++) {
          bool late = false;
          ij_field_errors errs;
          ij_field_errors_init(&errs);
          ij_err err = ij_domain_outcome_late_entry(k_roles[r], booking_late, reasons[g], ends,
                                                    nows[t], &late, &errs);
          bool want_late = booking_late || reasons[g];
          ij_err want = IJ_OK;
          if (want_late && k_roles[r] != IJ_ROLE_COORDINATOR)
            want = IJ_ERR_FORBIDDEN;
          else if (want_late && !reasons[g])
            want = IJ_ERR_INVALID; /* a late booking's outcome says why it is late */
          else if (reasons[g] && t == 0)
            want = IJ_ERR_INVALID; /* the session is not over */
          ck_assert_msg(err == want, "role %s late %d reason %zu time %zu: %s",
                        ij_role_name(k_roles[r]), booking_late, g, t, ij_err_name(err));
          ck_assert_int_eq(late, want_late);
          ck_assert_int_eq(errs.count, want == IJ_OK ? 0 : 1);
          if (want != IJ_OK)
            ck_assert_str_eq(errs.items[0].field, "late_entry_reason");
        }
}
END_TEST

/* A session entered afterwards: allowed in the past only with a reason, and only once over. */
START_TEST(test_session_late_entry) {
  ij_time_us now = at("2026-11-22T12:00:00Z");
  ij_session_input in = {.starts_at = "2026-11-20T09:00:00Z",
                         .ends_at = "2026-11-20T12:00:00Z",
                         .has_capacity = true,
                         .capacity = 4,
                         .cancelled = -1};
  ij_session_times times;
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  ck_assert_int_eq(ij_domain_session_validate(&in, true, now, &times, &errs), IJ_ERR_INVALID);
  ck_assert_str_eq(errs.items[0].field, "starts_at");
  ck_assert_msg(strstr(errs.items[0].message, "late_entry_reason"), "%s", errs.items[0].message);
  in.late_entry_reason = "register kept on paper: no signal on site";
  ij_field_errors_init(&errs);
  ck_assert_int_eq(ij_domain_session_validate(&in, true, now, &times, &errs), IJ_OK);
  ck_assert_int_eq(times.starts_at, at("2026-11-20T09:00:00Z"));
  /* ending exactly now is over; a microsecond later is not */
  in.starts_at = "2026-11-22T09:00:00Z";
  in.ends_at = "2026-11-22T12:00:00Z";
  ck_assert_int_eq(ij_domain_session_validate(&in, true, now, &times, NULL), IJ_OK);
  in.ends_at = "2026-11-22T12:00:00.000001Z";
  ij_field_errors_init(&errs);
  ck_assert_int_eq(ij_domain_session_validate(&in, true, now, &times, &errs), IJ_ERR_INVALID);
  ck_assert_str_eq(errs.items[0].field, "late_entry_reason");
  /* a blank reason, and the other fields' problems with it, in one answer */
  in.ends_at = "2026-11-22T11:00:00Z";
  in.late_entry_reason = " ";
  in.capacity = 0;
  ij_field_errors_init(&errs);
  ck_assert_int_eq(ij_domain_session_validate(&in, true, now, &times, &errs), IJ_ERR_INVALID);
  ck_assert_int_eq(errs.count, 2);
}
END_TEST

Suite *register_suite(void) {
  Suite *s = suite_create("register");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_modes_table);
  tcase_add_test(tc, test_modes_roles);
  tcase_add_test(tc, test_modes_times);
  tcase_add_test(tc, test_modes_reason);
  tcase_add_test(tc, test_outcome_late_entry);
  tcase_add_test(tc, test_session_late_entry);
  suite_add_tcase(s, tc);
  return s;
}
