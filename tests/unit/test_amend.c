/* Amending a referral: the rules table walked whole (every field x state x role, on the caller's
 * own referral and on another officer's) against an expectation written here from the rules
 * (officers: their own referrals, everything before triage, contact details until the referral
 * ends, the guardian's like the person's; coordinators: any referral of the area until it ends,
 * hours only before acceptance), then the checks on new values and which fields a request changes.
 */
#include <check.h>
#include <string.h>

#include "ij/amend.h"

Suite *amend_suite(void);

static bool ended(ij_state s) {
  return s == IJ_STATE_REJECTED || s == IJ_STATE_WITHDRAWN || s == IJ_STATE_CLOSED;
}

static bool is_contact(ij_amend_field f) {
  return f == IJ_AMEND_PHONE || f == IJ_AMEND_EMAIL || f == IJ_AMEND_ADDRESS ||
         f == IJ_AMEND_POSTCODE || f == IJ_AMEND_GUARDIAN_NAME ||
         f == IJ_AMEND_GUARDIAN_RELATIONSHIP || f == IJ_AMEND_GUARDIAN_PHONE ||
         f == IJ_AMEND_GUARDIAN_EMAIL || f == IJ_AMEND_CONTACT_CONSENT ||
         f == IJ_AMEND_MESSAGE_LANGUAGE || f == IJ_AMEND_DO_NOT_MESSAGE;
}

/* IJ_OK, IJ_ERR_FORBIDDEN or IJ_ERR_CONFLICT for one field, from the rules as stated. */
static ij_err expected(ij_roles role, bool own, ij_amend_field f, ij_state s) {
  if (role == IJ_ROLE_COORDINATOR) {
    if (ended(s))
      return IJ_ERR_CONFLICT;
    if (f == IJ_AMEND_HOURS_PROPOSED && s != IJ_STATE_SUBMITTED)
      return IJ_ERR_CONFLICT;
    return IJ_OK;
  }
  if (role == IJ_ROLE_OFFICER) {
    if (!own)
      return IJ_ERR_FORBIDDEN;
    if (is_contact(f))
      return ended(s) ? IJ_ERR_CONFLICT : IJ_OK;
    return s == IJ_STATE_SUBMITTED ? IJ_OK : IJ_ERR_CONFLICT;
  }
  return IJ_ERR_FORBIDDEN;
}

START_TEST(test_table_walk) {
  const ij_roles roles[] = {IJ_ROLE_OFFICER,      IJ_ROLE_COORDINATOR, IJ_ROLE_SUPERVISOR,
                            IJ_ROLE_COMMISSIONER, IJ_ROLE_ADMIN,       IJ_ROLE_NATIONAL,
                            IJ_ROLE_SYSTEM};
  int checked = 0;
  for (size_t r = 0; r < sizeof roles / sizeof roles[0]; r++) {
    for (int own = 0; own <= 1; own++) {
      ij_actor actor = {own ? "pc-1" : "pc-2", "Someone", "west", roles[r]};
      for (int s = 0; s < IJ_STATE__COUNT; s++) {
        ij_referral_facts facts;
        memset(&facts, 0, sizeof facts);
        facts.state = (ij_state)s;
        facts.officer_sub = "pc-1";
        for (int f = 0; f < IJ_AMEND__COUNT; f++) {
          ij_field_errors errs;
          ij_field_errors_init(&errs);
          ij_roles acting = 99;
          ij_err got = ij_domain_amend_decide(&actor, &facts, true, true, 1u << f, &acting, &errs);
          ij_err want = expected(roles[r], own, (ij_amend_field)f, (ij_state)s);
          ck_assert_msg(got == want, "%s own=%d %s %s: got %d want %d", ij_role_name(roles[r]), own,
                        ij_state_name((ij_state)s), ij_amend_field_path((ij_amend_field)f), got,
                        want);
          if (want == IJ_OK) {
            ck_assert_uint_eq(acting, roles[r]);
            ck_assert_int_eq(errs.count, 0);
          } else {
            ck_assert_uint_eq(acting, 0);
            ck_assert_int_eq(errs.count, 1);
            ck_assert_str_eq(errs.items[0].field, ij_amend_field_path((ij_amend_field)f));
          }
          checked++;
        }
      }
    }
  }
  ck_assert_int_eq(checked, 7 * 2 * IJ_STATE__COUNT * IJ_AMEND__COUNT);
}
END_TEST

START_TEST(test_table_rows) {
  /* every row names a known group and one human role; every group has a coordinator's row */
  size_t n = 0;
  const ij_amend_rule *rules = ij_domain_amend_rules(&n);
  ck_assert_uint_gt(n, 0);
  bool coordinator[IJ_AMEND_GROUP__COUNT] = {false};
  for (size_t i = 0; i < n; i++) {
    ck_assert_int_lt(rules[i].group, IJ_AMEND_GROUP__COUNT);
    ck_assert(ij_role_name(rules[i].role) != NULL);
    ck_assert_uint_eq(rules[i].role & ~(unsigned)IJ_ROLES_HUMAN, 0);
    ck_assert_uint_ne(rules[i].states, 0);
    if (rules[i].role == IJ_ROLE_COORDINATOR)
      coordinator[rules[i].group] = true;
  }
  for (int g = 0; g < IJ_AMEND_GROUP__COUNT; g++)
    ck_assert(coordinator[g]);
}
END_TEST

START_TEST(test_several_fields) {
  ij_referral_facts facts;
  memset(&facts, 0, sizeof facts);
  facts.state = IJ_STATE_ACCEPTED;
  facts.officer_sub = "pc-1";
  /* the officer's own accepted referral: the phone may change, the risk notes may not (409) */
  ij_actor officer = {"pc-1", "PC One", "west", IJ_ROLE_OFFICER};
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  ij_roles acting = 0;
  unsigned both = (1u << IJ_AMEND_PHONE) | (1u << IJ_AMEND_RISK_NOTES);
  ck_assert_int_eq(ij_domain_amend_decide(&officer, &facts, true, true, both, &acting, &errs),
                   IJ_ERR_CONFLICT);
  ck_assert_int_eq(errs.count, 1);
  ck_assert_str_eq(errs.items[0].field, "person.risk_notes");
  /* officer and coordinator in one token: the coordinator's rule allows both */
  ij_actor both_roles = {"pc-1", "PC One", "west", IJ_ROLE_OFFICER | IJ_ROLE_COORDINATOR};
  ij_field_errors_init(&errs);
  ck_assert_int_eq(ij_domain_amend_decide(&both_roles, &facts, true, true, both, &acting, &errs),
                   IJ_OK);
  ck_assert_uint_eq(acting, IJ_ROLE_COORDINATOR);
  /* another officer on an ended referral: 403 comes before 409 */
  facts.state = IJ_STATE_CLOSED;
  ij_actor other = {"pc-9", "PC Nine", "west", IJ_ROLE_OFFICER};
  ij_field_errors_init(&errs);
  ck_assert_int_eq(ij_domain_amend_decide(&other, &facts, true, true, both, &acting, &errs),
                   IJ_ERR_FORBIDDEN);
  ck_assert_int_eq(errs.count, 2);
  /* the victim's preference needs a victim on record, whoever asks and whatever the state */
  facts.state = IJ_STATE_SUBMITTED;
  unsigned victim = 1u << IJ_AMEND_VICTIM_PREFERENCE;
  ij_field_errors_init(&errs);
  ck_assert_int_eq(ij_domain_amend_decide(&both_roles, &facts, false, true, victim, &acting, &errs),
                   IJ_ERR_CONFLICT);
  ck_assert_str_eq(errs.items[0].field, "victim.preference");
  ck_assert_uint_eq(acting, 0);
  ij_field_errors_init(&errs);
  ck_assert_int_eq(ij_domain_amend_decide(&both_roles, &facts, false, true, 1u << IJ_AMEND_PHONE,
                                          &acting, &errs),
                   IJ_OK);
}
END_TEST

START_TEST(test_fields_and_fixed) {
  for (int f = 0; f < IJ_AMEND__COUNT; f++) {
    ij_amend_field back;
    ck_assert_int_eq(ij_amend_field_parse(ij_amend_field_path((ij_amend_field)f), &back), IJ_OK);
    ck_assert_int_eq(back, f);
    ck_assert_ptr_null(ij_domain_amend_fixed(ij_amend_field_path((ij_amend_field)f)));
  }
  ij_amend_field f;
  ck_assert_int_eq(ij_amend_field_parse("person.name", &f), IJ_ERR_INVALID);
  ck_assert_int_eq(ij_amend_field_parse(NULL, &f), IJ_ERR_INVALID);
  const char *fixed[] = {"person.name", "person.date_of_birth", "person.police_id", "offence.date"};
  for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
    const char *why = ij_domain_amend_fixed(fixed[i]);
    ck_assert_ptr_nonnull(why);
    ck_assert_ptr_nonnull(strstr(why, "not amended"));
  }
  ck_assert_ptr_null(ij_domain_amend_fixed("person.shoe_size"));
}
END_TEST

START_TEST(test_validate) {
  const ij_area_rules rules = {2, 20, 7, 48};
  ij_amend_values v;
  memset(&v, 0, sizeof v);
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  ck_assert_int_eq(ij_domain_amend_validate(&v, &rules, &errs), IJ_ERR_INVALID);
  ck_assert_str_eq(errs.items[0].field, "body");

  /* every problem at once */
  v.given = (1u << IJ_AMEND_PHONE) | (1u << IJ_AMEND_EMAIL) | (1u << IJ_AMEND_POSTCODE) |
            (1u << IJ_AMEND_OFFENCE_CATEGORY) | (1u << IJ_AMEND_OFFENCE_WARD) |
            (1u << IJ_AMEND_HOURS_PROPOSED) | (1u << IJ_AMEND_RISK_NOTES);
  v.text[IJ_AMEND_PHONE] = "call me";
  v.text[IJ_AMEND_EMAIL] = "nobody";
  v.text[IJ_AMEND_POSTCODE] = "12345";
  v.text[IJ_AMEND_OFFENCE_CATEGORY] = "jaywalking";
  v.text[IJ_AMEND_OFFENCE_WARD] = NULL; /* cannot be cleared */
  v.text[IJ_AMEND_RISK_NOTES] = "  ";   /* blank: null clears instead */
  v.hours_proposed = 21;
  ij_field_errors_init(&errs);
  ck_assert_int_eq(ij_domain_amend_validate(&v, &rules, &errs), IJ_ERR_INVALID);
  ck_assert_int_eq(errs.count, 7);
  const char *want[] = {"person.phone", "person.postcode", "person.email",     "offence.category",
                        "offence.ward", "hours_proposed",  "person.risk_notes"};
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
    ck_assert_msg(ij_field_errors_has(&errs, want[i]), "%s", want[i]);

  /* all good; clearing a clearable field is fine */
  memset(&v, 0, sizeof v);
  v.given = (1u << IJ_AMEND_PHONE) | (1u << IJ_AMEND_POSTCODE) | (1u << IJ_AMEND_ADDRESS) |
            (1u << IJ_AMEND_OFFENCE_WARD) | (1u << IJ_AMEND_HOURS_PROPOSED) |
            (1u << IJ_AMEND_EMAIL);
  v.text[IJ_AMEND_PHONE] = "07700 900123";
  v.text[IJ_AMEND_POSTCODE] = "DE1 1AA";
  v.text[IJ_AMEND_ADDRESS] = NULL;
  v.text[IJ_AMEND_OFFENCE_WARD] = "ward-b";
  v.text[IJ_AMEND_EMAIL] = "j.smith@example.org";
  v.hours_proposed = 20;
  ij_field_errors_init(&errs);
  ck_assert_int_eq(ij_domain_amend_validate(&v, &rules, &errs), IJ_OK);
  ck_assert_int_eq(errs.count, 0);
  v.hours_proposed = 1;
  ck_assert_int_eq(ij_domain_amend_validate(&v, &rules, NULL), IJ_ERR_INVALID);
}
END_TEST

START_TEST(test_changes) {
  ij_amend_values cur, in;
  memset(&cur, 0, sizeof cur);
  memset(&in, 0, sizeof in);
  cur.text[IJ_AMEND_PHONE] = "01332 000000";
  cur.text[IJ_AMEND_OFFENCE_CATEGORY] = "asb";
  cur.hours_proposed = 7;
  in.given = (1u << IJ_AMEND_PHONE) | (1u << IJ_AMEND_OFFENCE_CATEGORY) |
             (1u << IJ_AMEND_HOURS_PROPOSED) | (1u << IJ_AMEND_EMAIL);
  in.text[IJ_AMEND_PHONE] = "01332 000000";
  in.text[IJ_AMEND_OFFENCE_CATEGORY] = "asb";
  in.text[IJ_AMEND_EMAIL] = NULL; /* null over null: no change */
  in.hours_proposed = 7;
  ck_assert_uint_eq(ij_domain_amend_changes(&in, &cur), 0);
  in.text[IJ_AMEND_PHONE] = NULL; /* clearing is a change */
  in.hours_proposed = 8;
  ck_assert_uint_eq(ij_domain_amend_changes(&in, &cur),
                    (1u << IJ_AMEND_PHONE) | (1u << IJ_AMEND_HOURS_PROPOSED));
  /* a field not given never counts, whatever its value */
  in.given = 1u << IJ_AMEND_OFFENCE_CATEGORY;
  ck_assert_uint_eq(ij_domain_amend_changes(&in, &cur), 0);
}
END_TEST

START_TEST(test_guardian) {
  ij_referral_facts facts;
  memset(&facts, 0, sizeof facts);
  facts.state = IJ_STATE_IN_PROGRESS;
  facts.officer_sub = "pc-1";
  ij_actor officer = {"pc-1", "PC One", "west", IJ_ROLE_OFFICER};
  ij_field_errors errs;
  ij_roles acting = 0;
  unsigned phone = 1u << IJ_AMEND_GUARDIAN_PHONE;
  /* a referral that records no guardian: 409, whoever asks; with one, the officer may */
  ij_field_errors_init(&errs);
  ck_assert_int_eq(ij_domain_amend_decide(&officer, &facts, true, false, phone, &acting, &errs),
                   IJ_ERR_CONFLICT);
  ck_assert_str_eq(errs.items[0].field, "guardian.phone");
  ij_field_errors_init(&errs);
  ck_assert_int_eq(ij_domain_amend_decide(&officer, &facts, true, true, phone, &acting, &errs),
                   IJ_OK);
  /* the consent is fixed, with the reason */
  ij_amend_field f;
  ck_assert_int_eq(ij_amend_field_parse("guardian.consent", &f), IJ_ERR_INVALID);
  ck_assert_ptr_nonnull(strstr(ij_domain_amend_fixed("guardian.consent"), "new referral"));

  /* the checks made at creation: shape of each field, blank refused */
  const ij_area_rules rules = {2, 20, 7, 48};
  ij_amend_values v;
  memset(&v, 0, sizeof v);
  v.given = (1u << IJ_AMEND_GUARDIAN_NAME) | (1u << IJ_AMEND_GUARDIAN_RELATIONSHIP) |
            (1u << IJ_AMEND_GUARDIAN_PHONE) | (1u << IJ_AMEND_GUARDIAN_EMAIL);
  v.text[IJ_AMEND_GUARDIAN_NAME] = " ";
  v.text[IJ_AMEND_GUARDIAN_RELATIONSHIP] = "neighbour";
  v.text[IJ_AMEND_GUARDIAN_PHONE] = "call me";
  v.text[IJ_AMEND_GUARDIAN_EMAIL] = "nobody";
  ij_field_errors_init(&errs);
  ck_assert_int_eq(ij_domain_amend_validate(&v, &rules, &errs), IJ_ERR_INVALID);
  ck_assert_int_eq(errs.count, 4);
  v.text[IJ_AMEND_GUARDIAN_NAME] = "Pat Carer";
  v.text[IJ_AMEND_GUARDIAN_RELATIONSHIP] = "foster_carer";
  v.text[IJ_AMEND_GUARDIAN_PHONE] = "07700 900456";
  v.text[IJ_AMEND_GUARDIAN_EMAIL] = NULL;
  ck_assert_int_eq(ij_domain_amend_validate(&v, &rules, NULL), IJ_OK);

  /* under 18: what stays must still name the guardian, the relationship and one contact */
  ij_amend_values cur;
  memset(&cur, 0, sizeof cur);
  cur.text[IJ_AMEND_GUARDIAN_NAME] = "Sam Parent";
  cur.text[IJ_AMEND_GUARDIAN_RELATIONSHIP] = "parent";
  cur.text[IJ_AMEND_GUARDIAN_PHONE] = "07700 900123";
  memset(&v, 0, sizeof v);
  v.given = 1u << IJ_AMEND_GUARDIAN_PHONE; /* the only contact, cleared */
  ij_field_errors_init(&errs);
  ck_assert_int_eq(ij_domain_amend_guardian_keeps(&v, &cur, true, &errs), IJ_ERR_INVALID);
  ck_assert_int_eq(errs.count, 1);
  ck_assert_str_eq(errs.items[0].field, "guardian.phone");
  ck_assert_int_eq(ij_domain_amend_guardian_keeps(&v, &cur, false, NULL), IJ_OK); /* adult */
  v.given |= 1u << IJ_AMEND_GUARDIAN_EMAIL; /* the phone for an e-mail address: fine */
  v.text[IJ_AMEND_GUARDIAN_EMAIL] = "sam@example.org";
  ck_assert_int_eq(ij_domain_amend_guardian_keeps(&v, &cur, true, NULL), IJ_OK);
  memset(&v, 0, sizeof v);
  v.given = (1u << IJ_AMEND_GUARDIAN_NAME) | (1u << IJ_AMEND_GUARDIAN_RELATIONSHIP);
  ij_field_errors_init(&errs);
  ck_assert_int_eq(ij_domain_amend_guardian_keeps(&v, &cur, true, &errs), IJ_ERR_INVALID);
  ck_assert_int_eq(errs.count, 2);
  ck_assert(ij_field_errors_has(&errs, "guardian.name"));
  ck_assert(ij_field_errors_has(&errs, "guardian.relationship"));
  /* an amendment that leaves the guardian alone is not refused for it */
  memset(&cur, 0, sizeof cur);
  v.given = 1u << IJ_AMEND_PHONE;
  ck_assert_int_eq(ij_domain_amend_guardian_keeps(&v, &cur, true, NULL), IJ_OK);
}
END_TEST

START_TEST(test_postcode_key) {
  char key[16];
  ij_domain_postcode_key("de1 1aa", key, sizeof key);
  ck_assert_str_eq(key, "DE11AA");
  ij_domain_postcode_key(" NG1  5ff ", key, sizeof key);
  ck_assert_str_eq(key, "NG15FF");
  ij_domain_postcode_key("SW1A 1AA", key, 5); /* cut to fit */
  ck_assert_str_eq(key, "SW1A");
  ij_domain_postcode_key(NULL, key, sizeof key);
  ck_assert_str_eq(key, "");
}
END_TEST

Suite *amend_suite(void) {
  Suite *s = suite_create("amend");
  TCase *tc = tcase_create("amend");
  tcase_add_test(tc, test_table_walk);
  tcase_add_test(tc, test_table_rows);
  tcase_add_test(tc, test_several_fields);
  tcase_add_test(tc, test_fields_and_fixed);
  tcase_add_test(tc, test_validate);
  tcase_add_test(tc, test_changes);
  tcase_add_test(tc, test_guardian);
  tcase_add_test(tc, test_postcode_key);
  suite_add_tcase(s, tc);
  return s;
}
