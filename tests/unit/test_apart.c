/* Keeping people apart and under-18s: the guardian table walked row by row (each missing field
 * named, all at once when none is given, none required from the 18th birthday), the
 * non-association input rules, and the booking check refusing a non-associated session without
 * naming anyone. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "ij/domain.h"

Suite *apart_suite(void);

static const ij_area_rules k_rules = {2, 20, 7, 48};

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

#define NOW "2026-11-22T12:00:00Z"
#define SEVENTEEN "2009-11-23" /* 18 tomorrow */
#define EIGHTEEN "2008-11-22"  /* 18 today */

static const ij_guardian_input k_guardian = {"Pat Smith", "parent", "07700 900456", NULL, 1};

static ij_referral_input minor(const char *dob) {
  ij_referral_input in = {
      .person = {.name = "Jordan Smith", .date_of_birth = dob},
      .offence_date = "2026-11-20",
      .offence_category = "asb",
      .ward = "arboretum",
      .disposal = "youth_conditional_caution",
      .consent_recorded = 1,
      .victim_consulted = -1,
      .victim_keep_updated = -1,
      .has_guardian = true,
      .guardian = k_guardian,
  };
  return in;
}

static bool has_error(const ij_field_errors *errs, const char *field) {
  for (int i = 0; i < errs->count; i++)
    if (strcmp(errs->items[i].field, field) == 0)
      return true;
  return false;
}

START_TEST(test_guardian_required_by_age_on_referral_day) {
  ck_assert(ij_domain_guardian_required(day(SEVENTEEN), day("2026-11-22")));
  ck_assert(!ij_domain_guardian_required(day(EIGHTEEN), day("2026-11-22")));
  ck_assert(!ij_domain_guardian_required(day("1990-01-01"), day("2026-11-22")));
  ck_assert(ij_domain_guardian_required(day("2016-11-20"), day("2026-11-22")));
  /* a date of birth after the day is not a person under 18: the date rules refuse it */
  ck_assert(!ij_domain_guardian_required(day("2027-01-01"), day("2026-11-22")));
}
END_TEST

START_TEST(test_guardian_table_each_row) {
  /* _i: a row of the table; a guardian that lacks only what the row asks for gives exactly that
   * row's field error, for a person of 17 */
  int n = 0;
  const ij_guardian_rule *rules = ij_domain_guardian_rules(&n);
  ck_assert_int_eq(n, 4);
  const ij_guardian_rule *row = &rules[_i];
  ck_assert(row->given(&k_guardian));
  ij_guardian_input g = k_guardian;
  if (strcmp(row->field, "guardian.name") == 0)
    g.name = "  ";
  else if (strcmp(row->field, "guardian.relationship") == 0)
    g.relationship = NULL;
  else if (strcmp(row->field, "guardian.phone") == 0)
    g.phone = NULL; /* and no e-mail */
  else if (strcmp(row->field, "guardian.consent") == 0)
    g.consent = 0;
  else
    ck_abort_msg("a row the test does not know: %s", row->field);
  ck_assert(!row->given(&g));
  ij_referral_input in = minor(SEVENTEEN);
  in.guardian = g;
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  ck_assert_int_eq(ij_domain_referral_validate(&in, &k_rules, at(NOW), NULL, &errs),
                   IJ_ERR_INVALID);
  ck_assert_int_eq(errs.count, 1);
  ck_assert_str_eq(errs.items[0].field, row->field);
  ck_assert_str_eq(errs.items[0].message, row->message);
  /* the same guardian for a person of 18 is kept as given: nothing is required */
  in = minor(EIGHTEEN);
  in.guardian = g;
  ij_field_errors_init(&errs);
  ck_assert_int_eq(ij_domain_referral_validate(&in, &k_rules, at(NOW), NULL, &errs), IJ_OK);
}
END_TEST

START_TEST(test_guardian_absent_names_every_field_with_the_others) {
  int n = 0;
  const ij_guardian_rule *rules = ij_domain_guardian_rules(&n);
  ij_referral_input in = minor(SEVENTEEN);
  in.has_guardian = false;
  memset(&in.guardian, 0, sizeof in.guardian);
  in.guardian.consent = -1;
  in.disposal = "fine"; /* another field's error in the same answer */
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  ck_assert_int_eq(ij_domain_referral_validate(&in, &k_rules, at(NOW), NULL, &errs),
                   IJ_ERR_INVALID);
  ck_assert_int_eq(errs.count, n + 1);
  ck_assert(has_error(&errs, "disposal"));
  for (int i = 0; i < n; i++)
    ck_assert_msg(has_error(&errs, rules[i].field), "no error on %s", rules[i].field);
  /* an e-mail address alone is a contact */
  in = minor(SEVENTEEN);
  in.guardian.phone = NULL;
  in.guardian.email = "pat@example.org";
  ck_assert_int_eq(ij_domain_referral_validate(&in, &k_rules, at(NOW), NULL, NULL), IJ_OK);
  /* 18 today: no guardian needed */
  in = minor(EIGHTEEN);
  in.has_guardian = false;
  ck_assert_int_eq(ij_domain_referral_validate(&in, &k_rules, at(NOW), NULL, NULL), IJ_OK);
}
END_TEST

/* ---- non-associations ----------------------------------------------------------------------- */

#define A "6f1c7a52-6b0e-4c54-9a4e-0d6b2f3c1a01"
#define B "6f1c7a52-6b0e-4c54-9a4e-0d6b2f3c1a02"

typedef struct {
  const char *what;
  ij_non_association_input in;
  ij_err err;
  const char *fields[3]; /* the fields in error, in order */
} na_case;

static const na_case k_non_association_cases[] = {
    {"two people, co-offenders", {{A, B}, 2, "person_ids", "co_offenders", NULL}, IJ_OK, {NULL}},
    {"two referrals, victim", {{A, B}, 2, "referral_ids", "victim", "n"}, IJ_OK, {NULL}},
    {"other with a note", {{A, B}, 2, "person_ids", "other", "met in court"}, IJ_OK, {NULL}},
    {"no ids", {{NULL, NULL}, -1, NULL, "victim", NULL}, IJ_ERR_INVALID, {"person_ids"}},
    {"one id", {{A, NULL}, 1, "person_ids", "victim", NULL}, IJ_ERR_INVALID, {"person_ids"}},
    {"three ids", {{A, B}, 3, "referral_ids", "victim", NULL}, IJ_ERR_INVALID, {"referral_ids"}},
    {"not a uuid", {{A, NULL}, 2, "person_ids", "victim", NULL}, IJ_ERR_INVALID, {"person_ids[1]"}},
    {"the same twice", {{A, A}, 2, "person_ids", "victim", NULL}, IJ_ERR_INVALID, {"person_ids"}},
    {"no reason", {{A, B}, 2, "person_ids", NULL, NULL}, IJ_ERR_INVALID, {"reason"}},
    {"unknown reason", {{A, B}, 2, "person_ids", "feud", NULL}, IJ_ERR_INVALID, {"reason"}},
    {"other without a note", {{A, B}, 2, "person_ids", "other", " "}, IJ_ERR_INVALID, {"notes"}},
    {"everything at once",
     {{A, A}, 2, "person_ids", NULL, NULL},
     IJ_ERR_INVALID,
     {"person_ids", "reason"}},
};

START_TEST(test_non_association_cases) {
  const na_case *c = &k_non_association_cases[_i];
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  ij_err err = ij_domain_non_association_validate(&c->in, &errs);
  ck_assert_msg(err == c->err, "%s: got %s", c->what, ij_err_name(err));
  int want = 0;
  while (want < 3 && c->fields[want])
    want++;
  ck_assert_msg(errs.count == want, "%s: %d errors, want %d", c->what, errs.count, want);
  for (int i = 0; i < want; i++)
    ck_assert_str_eq(errs.items[i].field, c->fields[i]);
}
END_TEST

START_TEST(test_non_association_same_person) {
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  ck_assert_int_eq(ij_domain_non_association_people(A, B, "referral_ids", &errs), IJ_OK);
  ck_assert_int_eq(ij_domain_non_association_people(A, A, "referral_ids", &errs), IJ_ERR_INVALID);
  ck_assert_int_eq(errs.count, 1);
  ck_assert_str_eq(errs.items[0].field, "referral_ids");
  ck_assert_int_eq(ij_domain_non_association_validate(NULL, NULL), IJ_ERR_INTERNAL);
}
END_TEST

/* Why a non-association ends: optional, 1 to 500 characters (not bytes), no control characters. */
static char k_500_chars[1001], k_501_chars[503];

typedef struct {
  const char *what;
  const char *reason;
  ij_err err;
} end_reason_case;

static const end_reason_case k_end_reason_cases[] = {
    {"none", NULL, IJ_OK},
    {"a reason", "The victim has moved away", IJ_OK},
    {"one character", "x", IJ_OK},
    {"500 two-byte characters", k_500_chars, IJ_OK},
    {"501 characters", k_501_chars, IJ_ERR_INVALID},
    {"empty", "", IJ_ERR_INVALID},
    {"blank", "   ", IJ_ERR_INVALID},
    {"a newline", "moved\naway", IJ_ERR_INVALID},
    {"a tab", "moved\taway", IJ_ERR_INVALID},
    {"not UTF-8", "moved \xff away", IJ_ERR_INVALID},
};

START_TEST(test_end_reason_cases) {
  for (int i = 0; i < 500; i++)
    memcpy(k_500_chars + 2 * i, "\xc3\xa9", 2); /* U+00E9, two bytes each */
  memset(k_501_chars, 'a', 501);
  const end_reason_case *c = &k_end_reason_cases[_i];
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  ij_err err = ij_domain_non_association_end_reason(c->reason, &errs);
  ck_assert_msg(err == c->err, "%s: got %s", c->what, ij_err_name(err));
  ck_assert_int_eq(errs.count, c->err == IJ_OK ? 0 : 1);
  if (errs.count)
    ck_assert_str_eq(errs.items[0].field, "reason");
}
END_TEST

START_TEST(test_booking_refused_when_non_associated) {
  ij_session_facts s = {.starts_at = at("2026-11-25T09:00:00Z"),
                        .ends_at = at("2026-11-25T16:00:00Z"),
                        .capacity = 8,
                        .booked = 3,
                        .min_age = 16};
  ck_assert_int_eq(ij_domain_booking_check(IJ_STATE_ACCEPTED, day("1990-01-01"), &s, at(NOW), NULL),
                   IJ_OK);
  s.non_associated = true;
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  ck_assert_int_eq(
      ij_domain_booking_check(IJ_STATE_ACCEPTED, day("1990-01-01"), &s, at(NOW), &errs),
      IJ_ERR_CONFLICT);
  ck_assert_int_eq(errs.count, 1);
  ck_assert_str_eq(errs.items[0].field, "session_id");
  ck_assert_ptr_nonnull(strstr(errs.items[0].message, "cannot be placed on this session"));
  /* the state is refused first, as a transition */
  ck_assert_int_eq(
      ij_domain_booking_check(IJ_STATE_SUBMITTED, day("1990-01-01"), &s, at(NOW), NULL),
      IJ_ERR_TRANSITION);
}
END_TEST

Suite *apart_suite(void) {
  Suite *s = suite_create("apart");
  TCase *tc = tcase_create("rules");
  int n = 0;
  ij_domain_guardian_rules(&n);
  tcase_add_test(tc, test_guardian_required_by_age_on_referral_day);
  tcase_add_loop_test(tc, test_guardian_table_each_row, 0, n);
  tcase_add_test(tc, test_guardian_absent_names_every_field_with_the_others);
  tcase_add_loop_test(tc, test_non_association_cases, 0,
                      (int)(sizeof k_non_association_cases / sizeof k_non_association_cases[0]));
  tcase_add_test(tc, test_non_association_same_person);
  tcase_add_test(tc, test_booking_refused_when_non_associated);
  tcase_add_loop_test(tc, test_end_reason_cases, 0,
                      (int)(sizeof k_end_reason_cases / sizeof k_end_reason_cases[0]));
  suite_add_tcase(s, tc);
  return s;
}
