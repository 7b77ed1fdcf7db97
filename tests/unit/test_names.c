/* Names of states, events and roles, and their parsers. */
#include <check.h>
#include <string.h>

#include "ij/domain.h"

Suite *names_suite(void);

static const char *const k_states[IJ_STATE__COUNT] = {"submitted",     "accepted",    "rejected",
                                                      "scheduled",     "in_progress", "completed",
                                                      "non_compliant", "withdrawn",   "closed"};
static const char *const k_events[IJ_EVENT__COUNT] = {
    "create",   "accept", "reject",        "book",
    "unbook",   "attend", "complete",      "declare_non_compliance",
    "withdraw", "close",  "first_warning", "second_warning"};

START_TEST(test_state_names) {
  for (int s = 0; s < IJ_STATE__COUNT; s++) {
    ck_assert_str_eq(ij_state_name((ij_state)s), k_states[s]);
    ij_state back = IJ_STATE__COUNT;
    ck_assert_int_eq(ij_state_parse(k_states[s], &back), IJ_OK);
    ck_assert_int_eq(back, s);
  }
  ck_assert_ptr_null(ij_state_name(IJ_STATE__COUNT));
  ck_assert_ptr_null(ij_state_name((ij_state)-1));
  ij_state out = IJ_STATE_CLOSED;
  ck_assert_int_eq(ij_state_parse("Submitted", &out), IJ_ERR_INVALID);
  ck_assert_int_eq(ij_state_parse("submitted ", &out), IJ_ERR_INVALID);
  ck_assert_int_eq(ij_state_parse("", &out), IJ_ERR_INVALID);
  ck_assert_int_eq(ij_state_parse(NULL, &out), IJ_ERR_INVALID);
  ck_assert_int_eq(out, IJ_STATE_CLOSED);
}
END_TEST

START_TEST(test_event_names) {
  for (int e = 0; e < IJ_EVENT__COUNT; e++) {
    ck_assert_str_eq(ij_event_name((ij_event)e), k_events[e]);
    ij_event back = IJ_EVENT__COUNT;
    ck_assert_int_eq(ij_event_parse(k_events[e], &back), IJ_OK);
    ck_assert_int_eq(back, e);
  }
  ck_assert_ptr_null(ij_event_name(IJ_EVENT__COUNT));
  ij_event out = IJ_EVENT_CLOSE;
  ck_assert_int_eq(ij_event_parse("ACCEPT", &out), IJ_ERR_INVALID);
  ck_assert_int_eq(ij_event_parse("declare-non-compliance", &out), IJ_ERR_INVALID);
  ck_assert_int_eq(ij_event_parse(NULL, &out), IJ_ERR_INVALID);
  ck_assert_int_eq(out, IJ_EVENT_CLOSE);
}
END_TEST

START_TEST(test_role_names) {
  static const struct {
    ij_roles bit;
    const char *name;
  } roles[] = {{IJ_ROLE_OFFICER, "officer"},       {IJ_ROLE_COORDINATOR, "coordinator"},
               {IJ_ROLE_SUPERVISOR, "supervisor"}, {IJ_ROLE_COMMISSIONER, "commissioner"},
               {IJ_ROLE_ADMIN, "admin"},           {IJ_ROLE_NATIONAL, "national_commissioner"},
               {IJ_ROLE_SYSTEM, "system"}};
  ij_roles all = 0;
  for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
    ck_assert_str_eq(ij_role_name(roles[i].bit), roles[i].name);
    ck_assert_uint_eq(all & roles[i].bit, 0); /* distinct single bits */
    all |= roles[i].bit;
    ij_roles back = 0;
    if (roles[i].bit == IJ_ROLE_SYSTEM) {
      ck_assert_int_eq(ij_role_parse("system", &back), IJ_ERR_INVALID); /* never from input */
      ck_assert_uint_eq(back, 0);
    } else {
      ck_assert_int_eq(ij_role_parse(roles[i].name, &back), IJ_OK);
      ck_assert_uint_eq(back, roles[i].bit);
    }
  }
  ck_assert_uint_eq(all & ~(ij_roles)IJ_ROLE_SYSTEM, IJ_ROLES_HUMAN);
  ck_assert_ptr_null(ij_role_name(0));
  ck_assert_ptr_null(ij_role_name(IJ_ROLE_OFFICER | IJ_ROLE_COORDINATOR));
  ck_assert_ptr_null(ij_role_name(1u << 20));
  ck_assert_int_eq(ij_role_parse("Officer", NULL), IJ_ERR_INVALID);
  ck_assert_int_eq(ij_role_parse("police", NULL), IJ_ERR_INVALID);
  ck_assert_int_eq(ij_role_parse(NULL, NULL), IJ_ERR_INVALID);
}
END_TEST

Suite *names_suite(void) {
  Suite *s = suite_create("names");
  TCase *tc = tcase_create("names");
  tcase_add_test(tc, test_state_names);
  tcase_add_test(tc, test_event_names);
  tcase_add_test(tc, test_role_names);
  suite_add_tcase(s, tc);
  return s;
}
