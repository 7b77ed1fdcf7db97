/* Configuration: defaults, bounds, and a clear message for every bad value. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "ij/config.h"
#include "ij/log.h"

Suite *config_suite(void);

static void clear_env(void) {
  const char *names[] = {"DATABASE_URL", "IJ_LISTEN",     "IJ_THREADS",        "IJ_DB_POOL",
                         "IJ_JWKS_FILE", "IJ_HOURS_MIN",  "IJ_HOURS_MAX",      "IJ_HOURS_DEFAULT",
                         "IJ_LOG_LEVEL", "IJ_DB_PREPARE", "IJ_MAX_BODY_BYTES", NULL};
  for (const char **n = names; *n; n++)
    unsetenv(*n);
  unsetenv("IJ_LOG_FORMAT");
  unsetenv("IJ_ACCESS_LOG_RETENTION_MONTHS");
}

START_TEST(defaults) {
  clear_env();
  ij_config c;
  char problems[1024];
  ck_assert_int_eq(ij_config_load(&c, 0, problems, sizeof problems), IJ_OK);
  ck_assert_str_eq(c.listen_host, "127.0.0.1");
  ck_assert_int_eq(c.listen_port, 8080);
  ck_assert_int_eq(c.threads, 4);
  ck_assert_int_eq(c.db_pool, 4); /* one per thread */
  ck_assert(c.db_prepare);
  ck_assert_int_eq(c.max_body_bytes, 1048576);
  ck_assert_int_eq(c.area_defaults.target_start_hours, 48);
  ck_assert_int_eq(c.area_defaults.hours_min, 2);
  ck_assert_int_eq(c.area_defaults.hours_max, 20);
  ck_assert_int_eq(c.area_defaults.hours_default, 7);
  ck_assert_str_eq(c.jwt_issuer, "ij-dev");
  ck_assert_int_eq(c.log_format, IJ_LOG_FORMAT_JSON);
  ck_assert_int_eq(c.retention_months, 36);
  ck_assert_int_eq(c.access_log_retention_months, 24);
}
END_TEST

START_TEST(every_bad_value_is_named) {
  clear_env();
  setenv("IJ_LISTEN", "localhost", 1);
  setenv("IJ_THREADS", "0", 1);
  setenv("IJ_DB_POOL", "many", 1);
  setenv("IJ_LOG_LEVEL", "loud", 1);
  setenv("IJ_LOG_FORMAT", "xml", 1);
  setenv("IJ_DB_PREPARE", "perhaps", 1);
  setenv("IJ_ACCESS_LOG_RETENTION_MONTHS", "3", 1); /* the database keeps the log six months */
  ij_config c;
  char problems[2048];
  ck_assert_int_eq(ij_config_load(&c, IJ_NEED_DATABASE | IJ_NEED_JWKS, problems, sizeof problems),
                   IJ_ERR_INVALID);
  const char *named[] = {"DATABASE_URL: required",
                         "IJ_JWKS_FILE: required",
                         "IJ_LISTEN",
                         "IJ_THREADS: must be a whole number from 1 to 64 (got \"0\")",
                         "IJ_DB_POOL",
                         "IJ_LOG_LEVEL",
                         "IJ_LOG_FORMAT: must be json or text (got \"xml\")",
                         "IJ_DB_PREPARE",
                         "IJ_ACCESS_LOG_RETENTION_MONTHS: must be a whole number from 6 to 1200"};
  for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
    ck_assert_msg(strstr(problems, named[i]), "missing %s in:\n%s", named[i], problems);
  clear_env();
}
END_TEST

START_TEST(hours_must_be_consistent) {
  clear_env();
  setenv("IJ_HOURS_MIN", "10", 1);
  setenv("IJ_HOURS_MAX", "5", 1);
  ij_config c;
  char problems[1024];
  ck_assert_int_eq(ij_config_load(&c, 0, problems, sizeof problems), IJ_ERR_INVALID);
  ck_assert_ptr_nonnull(strstr(problems, "IJ_HOURS_MIN"));
  setenv("IJ_HOURS_MIN", "2", 1);
  setenv("IJ_HOURS_MAX", "20", 1);
  setenv("IJ_HOURS_DEFAULT", "30", 1);
  ck_assert_int_eq(ij_config_load(&c, 0, problems, sizeof problems), IJ_ERR_INVALID);
  ck_assert_ptr_nonnull(strstr(problems, "IJ_HOURS_DEFAULT"));
  setenv("IJ_HOURS_DEFAULT", "7", 1);
  setenv("IJ_LISTEN", "0.0.0.0:9000", 1);
  ck_assert_int_eq(ij_config_load(&c, 0, problems, sizeof problems), IJ_OK);
  ck_assert_str_eq(c.listen_host, "0.0.0.0");
  ck_assert_int_eq(c.listen_port, 9000);
  clear_env();
}
END_TEST

START_TEST(the_thresholds_are_settings) {
  unsetenv("IJ_SUPPRESS_MIN_COUNT");
  unsetenv("IJ_SUPPRESS_MIN_DENOMINATOR");
  ij_config c;
  char problems[2048];
  ck_assert_int_eq(ij_config_load(&c, 0, problems, sizeof problems), IJ_OK);
  ck_assert_int_eq(c.suppress_min_count, 5);
  ck_assert_int_eq(c.suppress_min_denominator, 10);
  setenv("IJ_SUPPRESS_MIN_COUNT", "3", 1);
  setenv("IJ_SUPPRESS_MIN_DENOMINATOR", "20", 1);
  ck_assert_int_eq(ij_config_load(&c, 0, problems, sizeof problems), IJ_OK);
  ck_assert_int_eq(c.suppress_min_count, 3);
  ck_assert_int_eq(c.suppress_min_denominator, 20);
  setenv("IJ_SUPPRESS_MIN_COUNT", "0", 1);
  ck_assert_int_eq(ij_config_load(&c, 0, problems, sizeof problems), IJ_ERR_INVALID);
  ck_assert_ptr_nonnull(strstr(problems, "IJ_SUPPRESS_MIN_COUNT"));
  unsetenv("IJ_SUPPRESS_MIN_COUNT");
  unsetenv("IJ_SUPPRESS_MIN_DENOMINATOR");
}
END_TEST

Suite *config_suite(void) {
  Suite *s = suite_create("config");
  TCase *tc = tcase_create("config");
  tcase_add_test(tc, defaults);
  tcase_add_test(tc, every_bad_value_is_named);
  tcase_add_test(tc, hours_must_be_consistent);
  tcase_add_test(tc, the_thresholds_are_settings);
  suite_add_tcase(s, tc);
  return s;
}
