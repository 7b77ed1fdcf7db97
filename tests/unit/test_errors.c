/* The error list and field-error lists. */
#include <check.h>
#include <string.h>

#include "ij/domain.h"
#include "ij/error.h"

Suite *errors_suite(void);

START_TEST(test_every_code_has_a_name_and_message) {
  for (int e = 0; e < IJ_ERR__COUNT; e++) {
    const char *name = ij_err_name((ij_err)e);
    const char *message = ij_err_message((ij_err)e);
    ck_assert_ptr_nonnull(name);
    ck_assert_ptr_nonnull(message);
    ck_assert_uint_gt(strlen(name), 0);
    ck_assert_uint_gt(strlen(message), 0);
    for (int k = 0; k < e; k++) {
      ck_assert_msg(strcmp(name, ij_err_name((ij_err)k)) != 0, "name '%s' used twice", name);
    }
    /* names are slugs: lower case and underscores */
    for (const char *p = name; *p != '\0'; p++) {
      ck_assert_msg((*p >= 'a' && *p <= 'z') || *p == '_', "name '%s'", name);
    }
  }
}
END_TEST

START_TEST(test_known_names) {
  ck_assert_str_eq(ij_err_name(IJ_OK), "ok");
  ck_assert_str_eq(ij_err_name(IJ_ERR_INVALID), "invalid");
  ck_assert_str_eq(ij_err_name(IJ_ERR_FORBIDDEN), "forbidden");
  ck_assert_str_eq(ij_err_name(IJ_ERR_TRANSITION), "illegal_transition");
  ck_assert_str_eq(ij_err_name(IJ_ERR_CONFLICT), "conflict");
  ck_assert_str_eq(ij_err_name(IJ_ERR_STALE), "stale_version");
  ck_assert_str_eq(ij_err_name(IJ_ERR_INTERNAL), "internal");
  ck_assert_str_eq(ij_err_message(IJ_ERR_TRANSITION),
                   "this event is not allowed in the current state");
  ck_assert_str_eq(ij_err_message(IJ_ERR_IDEMPOTENCY),
                   "the Idempotency-Key was already used with a different request");
}
END_TEST

START_TEST(test_out_of_range_codes) {
  ck_assert_ptr_nonnull(ij_err_name(IJ_ERR__COUNT));
  ck_assert_ptr_nonnull(ij_err_message(IJ_ERR__COUNT));
  ck_assert_ptr_nonnull(ij_err_name((ij_err)-1));
  ck_assert_ptr_nonnull(ij_err_message((ij_err)1000));
}
END_TEST

START_TEST(test_field_errors_add) {
  ij_field_errors errs;
  memset(&errs, 0x5a, sizeof errs);
  ij_field_errors_init(&errs);
  ck_assert_int_eq(errs.count, 0);
  ij_field_errors_add(&errs, "person.name", "is required");
  ij_field_errors_add(&errs, "hours", "must be between %d and %d hours", 2, 20);
  ck_assert_int_eq(errs.count, 2);
  ck_assert_str_eq(errs.items[0].field, "person.name");
  ck_assert_str_eq(errs.items[0].message, "is required");
  ck_assert_str_eq(errs.items[1].message, "must be between 2 and 20 hours");
  /* NULL lists and fields are tolerated */
  ij_field_errors_add(NULL, "x", "y");
  ij_field_errors_init(NULL);
  ij_field_errors_add(&errs, NULL, "no field");
  ck_assert_str_eq(errs.items[2].field, "");
  /* which fields are named already */
  ck_assert(ij_field_errors_has(&errs, "hours"));
  ck_assert(ij_field_errors_has(&errs, "person.name"));
  ck_assert(!ij_field_errors_has(&errs, "person"));
  ck_assert(!ij_field_errors_has(&errs, NULL));
  ck_assert(!ij_field_errors_has(NULL, "hours"));
}
END_TEST

START_TEST(test_field_errors_stop_at_max) {
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  for (int i = 0; i < IJ_FIELD_ERRORS_MAX + 10; i++) {
    ij_field_errors_add(&errs, "f", "error %d", i);
  }
  ck_assert_int_eq(errs.count, IJ_FIELD_ERRORS_MAX);
  ck_assert_str_eq(errs.items[IJ_FIELD_ERRORS_MAX - 1].message, "error 31");
}
END_TEST

START_TEST(test_field_errors_truncate) {
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  char long_text[1000];
  memset(long_text, 'a', sizeof long_text - 1);
  long_text[sizeof long_text - 1] = '\0';
  ij_field_errors_add(&errs, long_text, "%s", long_text);
  ck_assert_uint_eq(strlen(errs.items[0].field), sizeof errs.items[0].field - 1);
  ck_assert_uint_eq(strlen(errs.items[0].message), sizeof errs.items[0].message - 1);

  /* a multi-byte character cut by the limit is dropped whole: "é" is 2 bytes, placed so that
   * its second byte would fall beyond the buffer */
  char text[400];
  size_t cap = sizeof errs.items[0].message - 1; /* 191 bytes fit */
  memset(text, 'b', cap - 1);
  memcpy(text + cap - 1, "\xc3\xa9zz", 5);
  ij_field_errors_add(&errs, "f", "%s", text);
  ck_assert_uint_eq(strlen(errs.items[1].message), cap - 1);
  /* a 3-byte character ("€") cut after one or two bytes */
  memset(text, 'c', cap - 2);
  memcpy(text + cap - 2, "\xe2\x82\xac", 4);
  ij_field_errors_add(&errs, "f", "%s", text);
  ck_assert_uint_eq(strlen(errs.items[2].message), cap - 2);
  /* one that fits exactly stays */
  memset(text, 'd', cap - 3);
  memcpy(text + cap - 3, "\xe2\x82\xac", 4);
  ij_field_errors_add(&errs, "f", "%s", text);
  ck_assert_uint_eq(strlen(errs.items[3].message), cap);
}
END_TEST

Suite *errors_suite(void) {
  Suite *s = suite_create("errors");
  TCase *tc = tcase_create("codes");
  tcase_add_test(tc, test_every_code_has_a_name_and_message);
  tcase_add_test(tc, test_known_names);
  tcase_add_test(tc, test_out_of_range_codes);
  suite_add_tcase(s, tc);
  tc = tcase_create("field_errors");
  tcase_add_test(tc, test_field_errors_add);
  tcase_add_test(tc, test_field_errors_stop_at_max);
  tcase_add_test(tc, test_field_errors_truncate);
  suite_add_tcase(s, tc);
  return s;
}
