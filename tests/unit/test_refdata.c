/* Reference data: the table of what each change may do to a record in each state, in use or not,
 * shared or the area's own; and the validation of wards, reason codes, the area's settings and
 * supervisors. */
#include <check.h>
#include <string.h>

#include "ij/refdata.h"

Suite *refdata_suite(void);

/* The whole table, written out: change x state x in use x shared -> verdict. */
START_TEST(test_every_change_in_every_state) {
  enum { OK, NOOP, NF, CONFLICT };
  static const struct {
    ij_ref_change change;
    int absent, active, retired;      /* not in use, the area's own */
    int active_in_use, active_shared; /* the two facts beyond the state */
  } k_table[] = {
      {IJ_REF_ADD, OK, CONFLICT, CONFLICT, CONFLICT, CONFLICT},
      {IJ_REF_CHANGE, NF, OK, OK, OK, CONFLICT},
      {IJ_REF_RETIRE, NF, OK, NOOP, OK, OK},
      {IJ_REF_REINSTATE, NF, NOOP, OK, NOOP, NOOP},
      {IJ_REF_DELETE, NF, OK, OK, CONFLICT, CONFLICT},
  };
  ck_assert_int_eq(sizeof k_table / sizeof k_table[0], IJ_REF__CHANGE_COUNT);
  for (size_t i = 0; i < sizeof k_table / sizeof k_table[0]; i++) {
    ck_assert_int_eq(k_table[i].change, (int)i);
    const struct {
      ij_ref_facts facts;
      int expected;
    } cells[] = {
        {{IJ_REF_ABSENT, false, false}, k_table[i].absent},
        {{IJ_REF_ACTIVE, false, false}, k_table[i].active},
        {{IJ_REF_RETIRED, false, false}, k_table[i].retired},
        {{IJ_REF_ACTIVE, true, false}, k_table[i].active_in_use},
        {{IJ_REF_ACTIVE, false, true}, k_table[i].active_shared},
    };
    for (size_t c = 0; c < sizeof cells / sizeof cells[0]; c++) {
      bool noop = true;
      const char *why = "unset";
      ij_err err = ij_domain_ref_change(k_table[i].change, &cells[c].facts, &noop, &why);
      int got = err == IJ_ERR_NOT_FOUND  ? NF
                : err == IJ_ERR_CONFLICT ? CONFLICT
                : err == IJ_OK && noop   ? NOOP
                : err == IJ_OK           ? OK
                                         : -1;
      ck_assert_msg(got == cells[c].expected, "%s, cell %zu: got %d, expected %d",
                    ij_ref_change_name(k_table[i].change), c, got, cells[c].expected);
      /* a refusal says why; an answer that writes says nothing */
      if (got == CONFLICT)
        ck_assert_ptr_nonnull(why);
      else
        ck_assert_ptr_null(why);
    }
  }
  /* a deleted record that is retired but in use is still refused */
  bool noop;
  const char *why;
  ij_ref_facts retired_used = {IJ_REF_RETIRED, true, false};
  ck_assert_int_eq(ij_domain_ref_change(IJ_REF_DELETE, &retired_used, &noop, &why),
                   IJ_ERR_CONFLICT);
  ck_assert_ptr_nonnull(strstr(why, "in use"));
  ij_ref_facts bad = {IJ_REF__STATE_COUNT, false, false};
  ck_assert_int_eq(ij_domain_ref_change(IJ_REF_ADD, &bad, &noop, &why), IJ_ERR_INVALID);
  ck_assert_int_eq(ij_domain_ref_change(IJ_REF__CHANGE_COUNT, &retired_used, &noop, &why),
                   IJ_ERR_INVALID);
  ck_assert_str_eq(ij_ref_change_name(IJ_REF_RETIRE), "retire");
  ck_assert_str_eq(ij_ref_change_name(IJ_REF__CHANGE_COUNT), "unknown");
}
END_TEST

START_TEST(test_ward_validation) {
  static const struct {
    const char *code, *name;
    int active;
    bool create;
    const char *failing; /* the fields named, joined by ',', or "" */
  } k_cases[] = {
      {"ward-d", "Dockside", -1, true, ""},
      {"ward_e", "East", -1, true, ""},
      {NULL, NULL, -1, true, "code,name"},
      {"Ward D", "   ", -1, true, "code,name"},
      {"w\x01", "Dock\nside", -1, true, "code,name"},
      {NULL, "Renamed", -1, false, ""},
      {NULL, NULL, 0, false, ""},
      {NULL, NULL, -1, false, "name"},
      {NULL, "", 1, false, "name"},
  };
  for (size_t i = 0; i < sizeof k_cases / sizeof k_cases[0]; i++) {
    ij_field_errors errs;
    ij_field_errors_init(&errs);
    ij_err err = ij_domain_ward_validate(k_cases[i].code, k_cases[i].name, k_cases[i].active,
                                         k_cases[i].create, &errs);
    char got[64] = "";
    for (int k = 0; k < errs.count; k++) {
      if (k)
        strcat(got, ",");
      strcat(got, errs.items[k].field);
    }
    ck_assert_msg(strcmp(got, k_cases[i].failing) == 0, "case %zu: %s", i, got);
    ck_assert_int_eq(err, *k_cases[i].failing ? IJ_ERR_INVALID : IJ_OK);
  }
}
END_TEST

/* Every state a ward can have in the area, with and without a problem already on its field. */
START_TEST(test_ward_in_use) {
  static const struct {
    int state;
    bool named_already;
    const char *message; /* NULL: nothing added */
  } k_cases[] = {
      {1, false, NULL},
      {2, false, "is retired: it is kept for existing records only"},
      {0, false, "is not a ward of this area"},
      {1, true, NULL},
      {2, true, NULL},
      {0, true, NULL},
  };
  for (size_t i = 0; i < sizeof k_cases / sizeof k_cases[0]; i++) {
    ij_field_errors errs;
    ij_field_errors_init(&errs);
    if (k_cases[i].named_already)
      ij_field_errors_add(&errs, "offence.ward", "must be a ward code");
    ij_field_errors_add(&errs, "person.name", "is required");
    int before = errs.count;
    ij_domain_ward_in_use(k_cases[i].state, "offence.ward", &errs);
    if (!k_cases[i].message) {
      ck_assert_msg(errs.count == before, "case %zu: %d problems", i, errs.count);
      continue;
    }
    ck_assert_int_eq(errs.count, before + 1);
    ck_assert_str_eq(errs.items[before].field, "offence.ward");
    ck_assert_str_eq(errs.items[before].message, k_cases[i].message);
  }
}
END_TEST

START_TEST(test_reason_code_validation) {
  static const struct {
    const char *kind, *code, *label;
    int active;
    bool create;
    const char *failing;
  } k_cases[] = {
      {"withdraw", "emigrated", "Emigrated", -1, true, ""},
      {"reject", "x", "X", -1, true, ""},
      {"warning", "late", "Late", -1, true, ""},
      {"non_compliance", "other_2", "Other", -1, true, ""},
      {"praise", "x", "X", -1, true, "kind"},
      {NULL, NULL, NULL, -1, true, "kind,code,label"},
      {"withdraw", "with-dash", "L", -1, true, "code"},
      {NULL, NULL, "Relabelled", -1, false, ""},
      {NULL, NULL, NULL, 0, false, ""},
      {NULL, NULL, NULL, -1, false, "label"},
  };
  for (size_t i = 0; i < sizeof k_cases / sizeof k_cases[0]; i++) {
    ij_field_errors errs;
    ij_field_errors_init(&errs);
    ij_err err = ij_domain_reason_code_validate(k_cases[i].kind, k_cases[i].code, k_cases[i].label,
                                                k_cases[i].active, k_cases[i].create, &errs);
    char got[64] = "";
    for (int k = 0; k < errs.count; k++) {
      if (k)
        strcat(got, ",");
      strcat(got, errs.items[k].field);
    }
    ck_assert_msg(strcmp(got, k_cases[i].failing) == 0, "case %zu: %s", i, got);
    ck_assert_int_eq(err, *k_cases[i].failing ? IJ_ERR_INVALID : IJ_OK);
  }
}
END_TEST

START_TEST(test_area_settings) {
  const ij_area_rules defaults = {2, 20, 7, 48};
  static const struct {
    ij_area_settings in;
    const char *failing;
    ij_area_rules effective; /* when valid */
  } k_cases[] = {
      {{0, 0, 0, 0}, "", {2, 20, 7, 48}},
      {{72, 0, 0, 0}, "", {2, 20, 7, 72}},
      {{24, 4, 12, 6}, "", {4, 12, 6, 24}},
      {{0, 10, 10, 10}, "", {10, 10, 10, 48}},
      {{721, 0, 0, 0}, "target_start_hours", {0}},
      {{-1, 201, -5, 300}, "target_start_hours,hours_min,hours_max,hours_default", {0}},
      {{0, 12, 4, 0}, "hours_min,hours_default", {0}},
      {{0, 0, 5, 0}, "hours_default", {0}},            /* the default 7 above a max of 5 */
      {{0, 21, 0, 0}, "hours_min,hours_default", {0}}, /* above the default max of 20 */
      {{0, 8, 10, 0}, "hours_default", {0}},           /* the default 7 below the min */
  };
  for (size_t i = 0; i < sizeof k_cases / sizeof k_cases[0]; i++) {
    ij_field_errors errs;
    ij_field_errors_init(&errs);
    ij_area_rules out;
    ij_err err = ij_domain_area_settings_validate(&k_cases[i].in, &defaults, &out, &errs);
    char got[128] = "";
    for (int k = 0; k < errs.count; k++) {
      if (k)
        strcat(got, ",");
      strcat(got, errs.items[k].field);
    }
    ck_assert_msg(strcmp(got, k_cases[i].failing) == 0, "case %zu: %s", i, got);
    if (*k_cases[i].failing) {
      ck_assert_int_eq(err, IJ_ERR_INVALID);
    } else {
      ck_assert_int_eq(err, IJ_OK);
      ck_assert_int_eq(out.hours_min, k_cases[i].effective.hours_min);
      ck_assert_int_eq(out.hours_max, k_cases[i].effective.hours_max);
      ck_assert_int_eq(out.hours_default, k_cases[i].effective.hours_default);
      ck_assert_int_eq(out.target_start_hours, k_cases[i].effective.target_start_hours);
    }
  }
}
END_TEST

START_TEST(test_supervisor_validation) {
  static const struct {
    ij_supervisor_input in;
    bool create;
    const char *failing;
  } k_cases[] = {
      {{"sup-9", "Sam", "Parks Trust", "0113 496 0000", -1, true, true}, true, ""},
      {{"sup-9", "Sam", NULL, NULL, -1, false, false}, true, ""},
      {{NULL, NULL, NULL, NULL, -1, false, false}, true, "sub,name"},
      {{"sup-9", "Sam", " ", "call me", -1, true, true}, true, "organisation,phone"},
      {{NULL, NULL, NULL, NULL, 0, false, false}, false, ""},
      {{NULL, NULL, NULL, NULL, -1, false, false}, false, "name"},
      {{NULL, NULL, NULL, "+44 (0)113-496", -1, false, true}, false, ""},
  };
  for (size_t i = 0; i < sizeof k_cases / sizeof k_cases[0]; i++) {
    ij_field_errors errs;
    ij_field_errors_init(&errs);
    ij_err err = ij_domain_supervisor_validate(&k_cases[i].in, k_cases[i].create, &errs);
    char got[64] = "";
    for (int k = 0; k < errs.count; k++) {
      if (k)
        strcat(got, ",");
      strcat(got, errs.items[k].field);
    }
    ck_assert_msg(strcmp(got, k_cases[i].failing) == 0, "case %zu: %s", i, got);
    ck_assert_int_eq(err, *k_cases[i].failing ? IJ_ERR_INVALID : IJ_OK);
  }
}
END_TEST

Suite *refdata_suite(void) {
  Suite *s = suite_create("refdata");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_every_change_in_every_state);
  tcase_add_test(tc, test_ward_validation);
  tcase_add_test(tc, test_ward_in_use);
  tcase_add_test(tc, test_reason_code_validation);
  tcase_add_test(tc, test_area_settings);
  tcase_add_test(tc, test_supervisor_validation);
  suite_add_tcase(s, tc);
  return s;
}
