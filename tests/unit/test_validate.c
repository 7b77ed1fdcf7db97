/* Validation of a new referral: a valid one passes, each rule fails on its own field, every
 * problem is reported at once, and the age and date boundaries. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "ij/domain.h"

Suite *validate_suite(void);

static const ij_area_rules k_rules = {2, 20, 7, 48};

/* "now" for these tests: 2026-11-22T12:00:00Z */
static ij_time_us now_time(void) {
  ij_time_us t = 0;
  ck_assert_int_eq(ij_time_parse("2026-11-22T12:00:00Z", &t), IJ_OK);
  return t;
}

static ij_date date_of(const char *s) {
  ij_date d = 0;
  ck_assert_int_eq(ij_date_parse(s, &d), IJ_OK);
  return d;
}

static ij_referral_input valid_input(void) {
  ij_referral_input in = {
      .person =
          {
              .name = "Jordan Smith",
              .date_of_birth = "2004-05-01",
              .phone = "07700 900123",
              .email = "jordan@example.org",
              .address = "1 Example Street, Derby",
              .postcode = "DE1 1AA",
              .police_id = "22/123456X",
              .needs_notes = "Works best in the mornings.",
              .risk_notes = "None known.",
          },
      .offence_date = "2026-11-20",
      .offence_category = "asb",
      .offence_description = "Threw bottles at a bus shelter.",
      .offence_location = "Market Place",
      .ward = "arboretum",
      .disposal = "community_resolution",
      .consent_recorded = 1,
      .has_hours_proposed = true,
      .hours_proposed = 7,
      .has_victim = true,
      .victim_consulted = 1,
      .victim_preference = "Clean the shelter",
      .victim_keep_updated = 1,
      .victim_contact = "via PC 101",
      /* kept whatever the age; required under 18 (the age tests below use minors) */
      .has_guardian = true,
      .guardian = {"Pat Smith", "parent", "07700 900456", "pat@example.org", 1},
  };
  return in;
}

static const ij_field_error *find_error(const ij_field_errors *errs, const char *field) {
  for (int i = 0; i < errs->count; i++) {
    if (strcmp(errs->items[i].field, field) == 0) {
      return &errs->items[i];
    }
  }
  return NULL;
}

typedef struct {
  ij_err err;
  ij_referral_derived out;
  ij_field_errors errs;
} result;

static result validate(const ij_referral_input *in, const ij_area_rules *rules) {
  result r;
  memset(&r, 0, sizeof r);
  ij_field_errors_init(&r.errs);
  r.err = ij_domain_referral_validate(in, rules, now_time(), &r.out, &r.errs);
  return r;
}

/* Strings longer than the limits; filled once per test process (each test forks). */
static char s_long_note[IJ_MAX_NOTE + 2];
static char s_max_note[IJ_MAX_NOTE + 1];
static char s_long_name[IJ_MAX_NAME + 2];
static char s_max_name[IJ_MAX_NAME + 8];
static char s_code65[66];
static char s_long_email[260];

static void fill_strings(void) {
  memset(s_long_note, 'x', IJ_MAX_NOTE + 1);
  memset(s_max_note, 'x', IJ_MAX_NOTE);
  memset(s_long_name, 'n', IJ_MAX_NAME + 1);
  /* the maximum length, inside surrounding spaces that trimming removes */
  snprintf(s_max_name, sizeof s_max_name, "  %*s  ", IJ_MAX_NAME, "");
  memset(s_max_name + 2, 'n', IJ_MAX_NAME);
  memset(s_code65, 'w', 65);
  memset(s_long_email, 'a', 245);
  memcpy(s_long_email + 245, "@example.org", 13); /* 257 characters */
}

/* ---- one rule at a time: each mutation of a valid input gives exactly one error ------------ */

typedef struct {
  const char *field; /* the one field expected in error */
  const char *what;
  void (*mutate)(ij_referral_input *in);
} mutation;

#define MUT(name, body)                     \
  static void name(ij_referral_input *in) { \
    body;                                   \
  }

MUT(m_name_null, in->person.name = NULL)
MUT(m_name_blank, in->person.name = "   ")
MUT(m_name_empty, in->person.name = "")
MUT(m_name_control, in->person.name = "Jordan\tSmith")
MUT(m_name_newline, in->person.name = "Jordan\nSmith")
MUT(m_name_long, in->person.name = s_long_name)
MUT(m_dob_null, in->person.date_of_birth = NULL)
MUT(m_dob_shape, in->person.date_of_birth = "2004-5-01")
MUT(m_dob_not_a_day, in->person.date_of_birth = "2004-02-30")
MUT(m_dob_future, in->person.date_of_birth = "2026-11-23")
MUT(m_dob_too_young, in->person.date_of_birth = "2016-11-21")
MUT(m_dob_too_old, in->person.date_of_birth = "1900-01-01")
MUT(m_offence_null, in->offence_date = NULL)
MUT(m_offence_shape, in->offence_date = "2026-13-01")
MUT(m_offence_trailing, in->offence_date = "2026-11-20Z")
MUT(m_offence_future, in->offence_date = "2026-11-23")
MUT(m_offence_before_birth, in->offence_date = "2004-04-30")
MUT(m_category_null, in->offence_category = NULL)
MUT(m_category_case, in->offence_category = "ASB")
MUT(m_category_unknown, in->offence_category = "burglary")
MUT(m_disposal_null, in->disposal = NULL)
MUT(m_disposal_unknown, in->disposal = "caution")
MUT(m_ward_null, in->ward = NULL)
MUT(m_ward_upper, in->ward = "Arboretum")
MUT(m_ward_space, in->ward = "abbey ward")
MUT(m_ward_empty, in->ward = "")
MUT(m_ward_long, in->ward = s_code65)
MUT(m_consent_absent, in->consent_recorded = -1)
MUT(m_consent_false, in->consent_recorded = 0)
MUT(m_hours_low, in->hours_proposed = 1)
MUT(m_hours_high, in->hours_proposed = 21)
MUT(m_email_no_at, in->person.email = "jordan.example.org")
MUT(m_email_no_tld, in->person.email = "jordan@example")
MUT(m_email_no_local, in->person.email = "@example.org")
MUT(m_email_two_at, in->person.email = "a@b@example.org")
MUT(m_email_space, in->person.email = "jor dan@example.org")
MUT(m_email_dots, in->person.email = "jordan@example..org")
MUT(m_email_long, in->person.email = s_long_email)
MUT(m_phone_short, in->person.phone = "12345")
MUT(m_phone_letters, in->person.phone = "07700 9OO123")
MUT(m_phone_long, in->person.phone = "0770090012307700900123077009001234")
MUT(m_phone_no_digits, in->person.phone = "+() -- ()")
MUT(m_postcode_two_spaces, in->person.postcode = "DE1  1AA")
MUT(m_postcode_digits, in->person.postcode = "123 456")
MUT(m_postcode_short_inward, in->person.postcode = "DE1 1A")
MUT(m_postcode_bad_inward, in->person.postcode = "DE11AAA")
MUT(m_postcode_space_wrong, in->person.postcode = "D E11AA")
MUT(m_postcode_outward_no_digit, in->person.postcode = "DEF 1AA")
MUT(m_postcode_outward_long, in->person.postcode = "DE1AB 1AA")
MUT(m_police_id_empty, in->person.police_id = "")
MUT(m_police_id_long, in->person.police_id = s_code65)
MUT(m_police_id_control, in->person.police_id = "22/\x01")
MUT(m_address_long, in->person.address = s_long_note)
MUT(m_needs_long, in->person.needs_notes = s_long_note)
MUT(m_risk_long, in->person.risk_notes = s_long_note)
MUT(m_description_long, in->offence_description = s_long_note)
MUT(m_location_long, in->offence_location = s_long_note)
MUT(m_preference_long, in->victim_preference = s_long_note)
MUT(m_contact_long, in->victim_contact = s_long_note)
MUT(m_contact_missing, in->victim_contact = NULL)
MUT(m_contact_blank, in->victim_contact = "  ")
MUT(m_guardian_name_control, in->guardian.name = "Pat\tSmith")
MUT(m_guardian_name_long, in->guardian.name = s_long_name)
MUT(m_guardian_relationship, in->guardian.relationship = "neighbour")
MUT(m_guardian_phone, in->guardian.phone = "x")
MUT(m_guardian_email, in->guardian.email = "nope")

static const mutation k_mutations[] = {
    {"person.name", "missing", m_name_null},
    {"person.name", "blank", m_name_blank},
    {"person.name", "empty", m_name_empty},
    {"person.name", "a tab", m_name_control},
    {"person.name", "a newline", m_name_newline},
    {"person.name", "too long", m_name_long},
    {"person.date_of_birth", "missing", m_dob_null},
    {"person.date_of_birth", "not YYYY-MM-DD", m_dob_shape},
    {"person.date_of_birth", "30 February", m_dob_not_a_day},
    {"person.date_of_birth", "in the future", m_dob_future},
    {"person.date_of_birth", "9 on the offence date", m_dob_too_young},
    {"person.date_of_birth", "over 120", m_dob_too_old},
    {"offence.date", "missing", m_offence_null},
    {"offence.date", "month 13", m_offence_shape},
    {"offence.date", "trailing characters", m_offence_trailing},
    {"offence.date", "in the future", m_offence_future},
    {"offence.date", "before birth", m_offence_before_birth},
    {"offence.category", "missing", m_category_null},
    {"offence.category", "upper case", m_category_case},
    {"offence.category", "unknown", m_category_unknown},
    {"disposal", "missing", m_disposal_null},
    {"disposal", "unknown", m_disposal_unknown},
    {"offence.ward", "missing", m_ward_null},
    {"offence.ward", "upper case", m_ward_upper},
    {"offence.ward", "a space", m_ward_space},
    {"offence.ward", "empty", m_ward_empty},
    {"offence.ward", "65 characters", m_ward_long},
    {"consent_recorded", "absent", m_consent_absent},
    {"consent_recorded", "false", m_consent_false},
    {"hours_proposed", "below the minimum", m_hours_low},
    {"hours_proposed", "above the maximum", m_hours_high},
    {"person.email", "no @", m_email_no_at},
    {"person.email", "no top-level domain", m_email_no_tld},
    {"person.email", "no local part", m_email_no_local},
    {"person.email", "two @", m_email_two_at},
    {"person.email", "a space", m_email_space},
    {"person.email", "an empty label", m_email_dots},
    {"person.email", "over 254", m_email_long},
    {"person.phone", "5 characters", m_phone_short},
    {"person.phone", "letters", m_phone_letters},
    {"person.phone", "over 32", m_phone_long},
    {"person.phone", "no digits", m_phone_no_digits},
    {"person.postcode", "two spaces", m_postcode_two_spaces},
    {"person.postcode", "digits only", m_postcode_digits},
    {"person.postcode", "short inward code", m_postcode_short_inward},
    {"person.postcode", "letters in the inward digit", m_postcode_bad_inward},
    {"person.postcode", "a space in the outward code", m_postcode_space_wrong},
    {"person.postcode", "no digit in the outward code", m_postcode_outward_no_digit},
    {"person.postcode", "5-character outward code", m_postcode_outward_long},
    {"person.police_id", "empty", m_police_id_empty},
    {"person.police_id", "65 characters", m_police_id_long},
    {"person.police_id", "a control character", m_police_id_control},
    {"person.address", "too long", m_address_long},
    {"person.needs_notes", "too long", m_needs_long},
    {"person.risk_notes", "too long", m_risk_long},
    {"offence.description", "too long", m_description_long},
    {"offence.location", "too long", m_location_long},
    {"victim.preference", "too long", m_preference_long},
    {"victim.contact", "too long", m_contact_long},
    {"victim.contact", "missing though kept updated", m_contact_missing},
    {"victim.contact", "blank though kept updated", m_contact_blank},
    {"guardian.name", "control character", m_guardian_name_control},
    {"guardian.name", "too long", m_guardian_name_long},
    {"guardian.relationship", "not in the list", m_guardian_relationship},
    {"guardian.phone", "not a phone number", m_guardian_phone},
    {"guardian.email", "not an address", m_guardian_email},
};
#define N_MUTATIONS ((int)(sizeof k_mutations / sizeof k_mutations[0]))

/* Every mutation, each on a fresh valid input; all failures reported together (one Check
 * assertion at the end rather than hundreds, each of which costs a write to the runner). */
START_TEST(test_each_rule) {
  fill_strings();
  char text[3000] = "";
  size_t used = 0;
  int wrong = 0;
  for (int i = 0; i < N_MUTATIONS; i++) {
    const mutation *m = &k_mutations[i];
    ij_referral_input in = valid_input();
    m->mutate(&in);
    result r = validate(&in, &k_rules);
    bool ok = r.err == IJ_ERR_INVALID && r.errs.count == 1 &&
              strcmp(r.errs.items[0].field, m->field) == 0 && r.errs.items[0].message[0] != '\0';
    if (!ok) {
      wrong++;
      if (used < sizeof text) {
        int n = snprintf(text + used, sizeof text - used, "\n  %s %s: %s, %d errors, first %s %s",
                         m->field, m->what, ij_err_name(r.err), r.errs.count,
                         r.errs.count > 0 ? r.errs.items[0].field : "-",
                         r.errs.count > 0 ? r.errs.items[0].message : "");
        used += n > 0 ? (size_t)n : 0;
      }
    }
  }
  ck_assert_msg(wrong == 0, "%d of %d rules wrong:%s", wrong, N_MUTATIONS, text);
}
END_TEST

/* ---- passing sides -------------------------------------------------------------------------- */

START_TEST(test_valid_referral) {
  ij_referral_input in = valid_input();
  result r = validate(&in, &k_rules);
  ck_assert_int_eq(r.err, IJ_OK);
  ck_assert_int_eq(r.errs.count, 0);
  ck_assert_int_eq(r.out.date_of_birth, date_of("2004-05-01"));
  ck_assert_int_eq(r.out.offence_date, date_of("2026-11-20"));
  ck_assert_int_eq(r.out.hours_proposed, 7);
  ck_assert_int_eq(r.out.target_start_by, now_time() + 48 * IJ_US_PER_HOUR);
}
END_TEST

START_TEST(test_minimal_referral_and_defaults) {
  ij_referral_input in = {
      .person = {.name = "A", .date_of_birth = "1990-01-01"},
      .offence_date = "2026-11-22", /* today is allowed */
      .offence_category = "other",
      .ward = "abbey_2-north",
      .disposal = "youth_conditional_caution",
      .consent_recorded = 1,
      .victim_consulted = -1,
      .victim_keep_updated = -1,
  };
  const ij_area_rules custom = {3, 12, 5, 24};
  result r = validate(&in, &custom);
  ck_assert_int_eq(r.err, IJ_OK);
  ck_assert_int_eq(r.out.hours_proposed, 5);
  ck_assert_int_eq(r.out.target_start_by, now_time() + 24 * IJ_US_PER_HOUR);
  /* without rules, the defaults */
  r = validate(&in, NULL);
  ck_assert_int_eq(r.err, IJ_OK);
  ck_assert_int_eq(r.out.hours_proposed, 7);
  ck_assert_int_eq(r.out.target_start_by, now_time() + 48 * IJ_US_PER_HOUR);
  /* A victim's details are only read when there is a victim. */
  in.victim_keep_updated = 1;
  ck_assert_int_eq(validate(&in, &k_rules).err, IJ_OK);
  in.has_victim = true;
  ck_assert_str_eq(validate(&in, &k_rules).errs.items[0].field, "victim.contact");
  in.victim_keep_updated = 0;
  ck_assert_int_eq(validate(&in, &k_rules).err, IJ_OK);
}
END_TEST

START_TEST(test_hours_edges) {
  const ij_area_rules custom = {3, 12, 5, 24};
  const ij_area_rules *sets[] = {&k_rules, &custom};
  for (size_t i = 0; i < 2; i++) {
    const ij_area_rules *rules = sets[i];
    ij_referral_input in = valid_input();
    const int values[] = {rules->hours_min - 1, rules->hours_min, rules->hours_max,
                          rules->hours_max + 1};
    for (int k = 0; k < 4; k++) {
      in.hours_proposed = values[k];
      result r = validate(&in, rules);
      bool ok = k == 1 || k == 2;
      ck_assert_msg((r.err == IJ_OK) == ok, "hours %d", values[k]);
      if (ok) {
        ck_assert_int_eq(r.out.hours_proposed, values[k]);
      } else {
        ck_assert_str_eq(r.errs.items[0].field, "hours_proposed");
      }
    }
  }
}
END_TEST

START_TEST(test_good_shapes) {
  fill_strings();
  static const char *const postcodes[] = {"DE1 1AA", "de1 1aa", "SW1A 1AA", "SW1A1AA",
                                          "M1 1AE",  "B33 8TH", "CR2 6XH",  "EC1A 1BB",
                                          "W1A 0AX", "m11ae",   "DN55 1PT", "Ls1 4aP"};
  static const char *const emails[] = {"a@b.co", "first.last+tag@sub.example.org.uk",
                                       "o'neil@x-y.example"};
  static const char *const phones[] = {"07700 900123", "+44 (0)7700-900123", "123456",
                                       "01332 123456"};
  static const char *const names[] = {"Zoë O'Brien-Łukasz", "A", s_max_name};
  static const char *const categories[] = {
      "asb",        "harassment",          "public_order",    "drunk_and_disorderly",
      "shop_theft", "cannabis_possession", "criminal_damage", "other"};
  static const char *const disposals[] = {"community_resolution", "outcome_22",
                                          "conditional_caution",  "youth_conditional_caution",
                                          "diversionary_caution", "community_caution"};
  ij_referral_input in;
#define EACH_PASSES(list, assign)                                 \
  for (size_t i = 0; i < sizeof list / sizeof list[0]; i++) {     \
    in = valid_input();                                           \
    assign = list[i];                                             \
    result r = validate(&in, &k_rules);                           \
    ck_assert_msg(r.err == IJ_OK, "'%s' refused: %s %s", list[i], \
                  r.errs.count ? r.errs.items[0].field : "",      \
                  r.errs.count ? r.errs.items[0].message : "");   \
  }
  EACH_PASSES(postcodes, in.person.postcode)
  EACH_PASSES(emails, in.person.email)
  EACH_PASSES(phones, in.person.phone)
  EACH_PASSES(names, in.person.name)
  EACH_PASSES(categories, in.offence_category)
  EACH_PASSES(disposals, in.disposal)
#undef EACH_PASSES
  /* notes at exactly the limit */
  in = valid_input();
  in.person.address = in.person.needs_notes = in.person.risk_notes = s_max_note;
  in.offence_description = in.offence_location = s_max_note;
  in.victim_preference = in.victim_contact = s_max_note;
  ck_assert_int_eq(validate(&in, &k_rules).err, IJ_OK);
  /* optional fields absent */
  in = valid_input();
  in.person.phone = in.person.email = in.person.postcode = in.person.police_id = NULL;
  in.person.address = in.person.needs_notes = in.person.risk_notes = NULL;
  in.offence_description = in.offence_location = NULL;
  in.has_hours_proposed = false;
  in.has_victim = false;
  ck_assert_int_eq(validate(&in, &k_rules).err, IJ_OK);
}
END_TEST

START_TEST(test_consent_message) {
  ij_referral_input in = valid_input();
  in.consent_recorded = 0;
  result r = validate(&in, &k_rules);
  ck_assert_str_eq(find_error(&r.errs, "consent_recorded")->message,
                   "consent to take part must be recorded before referral");
  in.consent_recorded = -1;
  r = validate(&in, &k_rules);
  ck_assert_str_eq(find_error(&r.errs, "consent_recorded")->message, "is required");
}
END_TEST

START_TEST(test_all_errors_at_once) {
  ij_referral_input in = {
      .consent_recorded = -1, .victim_consulted = -1, .victim_keep_updated = -1};
  result r = validate(&in, &k_rules);
  ck_assert_int_eq(r.err, IJ_ERR_INVALID);
  static const char *const required[] = {"person.name",      "person.date_of_birth", "offence.date",
                                         "offence.category", "offence.ward",         "disposal",
                                         "consent_recorded"};
  for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
    const ij_field_error *fe = find_error(&r.errs, required[i]);
    ck_assert_msg(fe != NULL, "no error on %s", required[i]);
    ck_assert_str_eq(fe->message, "is required");
  }
  ck_assert_int_eq(r.errs.count, (int)(sizeof required / sizeof required[0]));

  /* many bad values at once */
  in = valid_input();
  in.person.name = "";
  in.person.email = "nope";
  in.person.phone = "x";
  in.person.postcode = "nope";
  in.offence_category = "nope";
  in.disposal = "nope";
  in.ward = "NOPE";
  in.consent_recorded = 0;
  in.hours_proposed = 0;
  in.victim_contact = NULL;
  r = validate(&in, &k_rules);
  ck_assert_int_eq(r.err, IJ_ERR_INVALID);
  ck_assert_int_eq(r.errs.count, 10);
  /* the fields that are valid are still derived */
  ck_assert_int_eq(r.out.date_of_birth, date_of("2004-05-01"));
  ck_assert_int_eq(r.out.offence_date, date_of("2026-11-20"));

  /* without an error list the answer is the same */
  ck_assert_int_eq(ij_domain_referral_validate(&in, &k_rules, now_time(), NULL, NULL),
                   IJ_ERR_INVALID);
  in = valid_input();
  ck_assert_int_eq(ij_domain_referral_validate(&in, &k_rules, now_time(), NULL, NULL), IJ_OK);
  ck_assert_int_eq(ij_domain_referral_validate(NULL, &k_rules, now_time(), NULL, NULL),
                   IJ_ERR_INTERNAL);
}
END_TEST

START_TEST(test_choice_message_lists_values) {
  ij_referral_input in = valid_input();
  in.offence_category = "burglary";
  in.disposal = "fine";
  result r = validate(&in, &k_rules);
  ck_assert_str_eq(find_error(&r.errs, "offence.category")->message,
                   "must be one of: asb, harassment, public_order, drunk_and_disorderly, "
                   "shop_theft, cannabis_possession, criminal_damage, other");
  ck_assert_str_eq(find_error(&r.errs, "disposal")->message,
                   "must be one of: community_resolution, outcome_22, conditional_caution, "
                   "youth_conditional_caution, diversionary_caution, community_caution");
}
END_TEST

/* ---- age and dates -------------------------------------------------------------------------- */

static result with_dates(const char *dob, const char *offence) {
  ij_referral_input in = valid_input();
  in.person.date_of_birth = dob;
  in.offence_date = offence;
  return validate(&in, &k_rules);
}

START_TEST(test_age_ten_boundary) {
  /* tenth birthday on the offence date: old enough */
  ck_assert_int_eq(with_dates("2016-11-20", "2026-11-20").err, IJ_OK);
  /* the day before the tenth birthday: too young */
  result r = with_dates("2016-11-21", "2026-11-20");
  ck_assert_int_eq(r.err, IJ_ERR_INVALID);
  ck_assert_ptr_nonnull(find_error(&r.errs, "person.date_of_birth"));
  ck_assert_ptr_nonnull(strstr(find_error(&r.errs, "person.date_of_birth")->message, "10"));
  /* 120 is allowed, 121 is not */
  ck_assert_int_eq(with_dates("1906-11-20", "2026-11-20").err, IJ_OK);
  r = with_dates("1905-11-20", "2026-11-20");
  ck_assert_int_eq(r.err, IJ_ERR_INVALID);
  ck_assert_ptr_nonnull(find_error(&r.errs, "person.date_of_birth"));
  /* a born-today person offending today: one error, on the date of birth (age) */
  r = with_dates("2026-11-22", "2026-11-22");
  ck_assert_int_eq(r.errs.count, 1);
  ck_assert_str_eq(r.errs.items[0].field, "person.date_of_birth");
  /* the age counts on the offence date, not today */
  ck_assert_int_eq(with_dates("2016-01-01", "2025-12-31").err, IJ_ERR_INVALID);
  ck_assert_int_eq(with_dates("2016-01-01", "2026-01-01").err, IJ_OK);
}
END_TEST

START_TEST(test_leap_day_birthday) {
  /* born 29 February 2012: tenth birthday in 2022 (a common year) counts on 1 March */
  ck_assert_int_eq(with_dates("2012-02-29", "2022-02-28").err, IJ_ERR_INVALID);
  ck_assert_int_eq(with_dates("2012-02-29", "2022-03-01").err, IJ_OK);
  /* born 29 February 2008: in 2018 the same; in leap 2024 the birthday itself */
  ck_assert_int_eq(with_dates("2008-02-29", "2018-02-28").err, IJ_ERR_INVALID);
  ck_assert_int_eq(with_dates("2008-02-29", "2018-03-01").err, IJ_OK);
  /* 29 February in a common year is not a date */
  result r = with_dates("2011-02-29", "2022-03-01");
  ck_assert_str_eq(r.errs.items[0].field, "person.date_of_birth");
  ck_assert_str_eq(r.errs.items[0].message, "must be a date YYYY-MM-DD");
}
END_TEST

START_TEST(test_future_dates_against_now) {
  /* "today" is the UTC date of now, 2026-11-22 */
  ck_assert_int_eq(with_dates("2004-05-01", "2026-11-22").err, IJ_OK);
  result r = with_dates("2004-05-01", "2026-11-23");
  ck_assert_str_eq(find_error(&r.errs, "offence.date")->message, "must not be in the future");
  r = with_dates("2027-01-01", "2026-11-20");
  ck_assert_str_eq(find_error(&r.errs, "person.date_of_birth")->message,
                   "must not be in the future");
  ck_assert_int_eq(r.errs.count, 1);
}
END_TEST

Suite *validate_suite(void) {
  Suite *s = suite_create("validate");
  TCase *tc = tcase_create("rules");
  tcase_add_test(tc, test_each_rule);
  tcase_add_test(tc, test_consent_message);
  tcase_add_test(tc, test_all_errors_at_once);
  tcase_add_test(tc, test_choice_message_lists_values);
  suite_add_tcase(s, tc);

  tc = tcase_create("passing");
  tcase_add_test(tc, test_valid_referral);
  tcase_add_test(tc, test_minimal_referral_and_defaults);
  tcase_add_test(tc, test_hours_edges);
  tcase_add_test(tc, test_good_shapes);
  suite_add_tcase(s, tc);

  tc = tcase_create("dates");
  tcase_add_test(tc, test_age_ten_boundary);
  tcase_add_test(tc, test_leap_day_birthday);
  tcase_add_test(tc, test_future_dates_against_now);
  suite_add_tcase(s, tc);
  return s;
}
