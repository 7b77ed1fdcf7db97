/* Reoffending follow-up rules, the name key, and the CSV reader. */
#include <check.h>
#include <string.h>

#include "ij/domain.h"

Suite *followups_suite(void);

static ij_date d(const char *s) {
  ij_date out = 0;
  ck_assert_int_eq(ij_date_parse(s, &out), IJ_OK);
  return out;
}

START_TEST(months_are_calendar_months) {
  ck_assert_int_eq(ij_date_add_months(d("2026-01-31"), 1), d("2026-02-28"));
  ck_assert_int_eq(ij_date_add_months(d("2024-01-31"), 1), d("2024-02-29"));
  ck_assert_int_eq(ij_date_add_months(d("2026-11-15"), 3), d("2027-02-15"));
  ck_assert_int_eq(ij_date_add_months(d("2026-08-31"), 6), d("2027-02-28"));
  ck_assert_int_eq(ij_date_add_months(d("2026-03-01"), 12), d("2027-03-01"));
  ck_assert_int_eq(ij_date_add_months(d("2026-03-31"), -1), d("2026-02-28"));
  ck_assert_int_eq(ij_domain_followup_due(d("2026-05-10"), 12), d("2027-05-10"));
  ck_assert(ij_domain_followup_closes(12));
  ck_assert(!ij_domain_followup_closes(6));
  ck_assert(!ij_domain_followup_closes(3));
}
END_TEST

START_TEST(a_result_is_validated) {
  ij_followup_facts f = {d("2026-01-10"), d("2026-04-10"), false};
  ij_followup_result out;
  ij_field_errors errs;
  ij_followup_input none = {0, NULL, NULL, NULL};
  ij_field_errors_init(&errs);
  ck_assert_int_eq(ij_domain_followup_validate(&none, &f, d("2026-04-10"), &out, &errs), IJ_OK);
  ck_assert(!out.reoffended);
  ck_assert_str_eq(out.source, "pnc_check");
  /* not due until the window ends */
  ij_field_errors_init(&errs);
  ck_assert_int_eq(ij_domain_followup_validate(&none, &f, d("2026-04-09"), &out, &errs),
                   IJ_ERR_CONFLICT);
  ck_assert_str_eq(errs.items[0].field, "check");
  /* recorded already */
  ij_followup_facts done = f;
  done.recorded = true;
  ij_field_errors_init(&errs);
  ck_assert_int_eq(ij_domain_followup_validate(&none, &done, d("2026-05-01"), &out, &errs),
                   IJ_ERR_CONFLICT);
  struct {
    ij_followup_input in;
    const char *field; /* NULL: valid */
  } cases[] = {
      {{-1, NULL, NULL, NULL}, "reoffended"},
      {{1, NULL, "asb", NULL}, "first_reoffence_on"},
      {{1, "2026-02-01", NULL, NULL}, "reoffence_category"},
      {{1, "2026-02-01", "littering", NULL}, "reoffence_category"},
      {{1, "2026-02-30", "asb", NULL}, "first_reoffence_on"},
      {{1, "2026-01-10", "asb", NULL}, "first_reoffence_on"}, /* on the exit day */
      {{1, "2026-01-11", "asb", NULL}, NULL},                 /* the day after */
      {{1, "2026-04-10", "asb", NULL}, NULL},                 /* the window's last day */
      {{1, "2026-04-11", "asb", NULL}, "first_reoffence_on"}, /* after the window */
      {{0, "2026-02-01", NULL, NULL}, "first_reoffence_on"},
      {{0, NULL, "asb", NULL}, "reoffence_category"},
      {{0, NULL, NULL, "rumour"}, "source"},
      {{0, NULL, NULL, "police_import"}, NULL},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    ij_field_errors_init(&errs);
    ij_err err = ij_domain_followup_validate(&cases[i].in, &f, d("2026-05-01"), &out, &errs);
    if (!cases[i].field) {
      ck_assert_msg(err == IJ_OK, "case %zu: %s %s", i, errs.items[0].field, errs.items[0].message);
    } else {
      ck_assert_msg(err == IJ_ERR_INVALID, "case %zu: %d", i, err);
      ck_assert_str_eq(errs.items[0].field, cases[i].field);
    }
  }
  /* a reoffence date in the future, even inside the window */
  ij_followup_input future = {1, "2026-03-01", "asb", NULL};
  ij_field_errors_init(&errs);
  ck_assert_int_eq(ij_domain_followup_validate(&future, &f, d("2026-02-20"), &out, &errs),
                   IJ_ERR_INVALID);
}
END_TEST

START_TEST(rereferral_windows) {
  ij_date exit = d("2026-01-15");
  ck_assert_int_eq(ij_domain_rereferral_window(exit, d("2026-01-14")), 0);
  ck_assert_int_eq(ij_domain_rereferral_window(exit, d("2026-01-15")), 3);
  ck_assert_int_eq(ij_domain_rereferral_window(exit, d("2026-04-15")), 3);
  ck_assert_int_eq(ij_domain_rereferral_window(exit, d("2026-04-16")), 6);
  ck_assert_int_eq(ij_domain_rereferral_window(exit, d("2026-07-15")), 6);
  ck_assert_int_eq(ij_domain_rereferral_window(exit, d("2027-01-15")), 12);
  ck_assert_int_eq(ij_domain_rereferral_window(exit, d("2027-01-16")), 0);
}
END_TEST

START_TEST(name_keys) {
  char k[64];
  ij_domain_name_key("  Jordan   SMITH ", k, sizeof k);
  ck_assert_str_eq(k, "jordan smith");
  ij_domain_name_key("O'Neil-Brown, Sam", k, sizeof k);
  ck_assert_str_eq(k, "o neil brown sam");
  ij_domain_name_key("Zoë Ward", k, sizeof k);
  ck_assert_str_eq(k, "zo\xc3\xab ward");
  ij_domain_name_key("...", k, sizeof k);
  ck_assert_str_eq(k, "");
  ij_domain_name_key("Abcdef", k, 4);
  ck_assert_str_eq(k, "abc");
}
END_TEST

static int read_all(const char *text, const char *out[][8], int *counts, int max) {
  static char bufs[8][256];
  ij_csv csv = {text, strlen(text), 0, 0};
  int n = 0;
  for (;;) {
    int nf = 0;
    ij_err err = ij_csv_next(&csv, bufs[n], sizeof bufs[n], out[n], 8, &nf);
    if (err == IJ_ERR_NOT_FOUND)
      return n;
    if (err != IJ_OK)
      return -1 - n;
    counts[n++] = nf;
    if (n == max)
      return n;
  }
}

START_TEST(csv_records) {
  const char *f[8][8];
  int c[8];
  ck_assert_int_eq(read_all("a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\n,,\n", f, c, 8), 3);
  ck_assert_int_eq(c[0], 3);
  ck_assert_str_eq(f[1][1], "x, y");
  ck_assert_str_eq(f[1][2], "say \"hi\"");
  ck_assert_int_eq(c[2], 3);
  ck_assert_str_eq(f[2][0], "");
  ck_assert_int_eq(read_all("a,b", f, c, 8), 1); /* no final line end */
  ck_assert_str_eq(f[0][1], "b");
  ck_assert_int_eq(read_all("\"multi\nline\",z\n", f, c, 8), 1);
  ck_assert_str_eq(f[0][0], "multi\nline");
  ck_assert_int_eq(read_all("", f, c, 8), 0);
  /* malformed: unterminated quote, quote inside a field, text after a closing quote, lone CR */
  ck_assert_int_lt(read_all("\"abc\n", f, c, 8), 0);
  ck_assert_int_lt(read_all("ab\"c,d\n", f, c, 8), 0);
  ck_assert_int_lt(read_all("\"ab\"c,d\n", f, c, 8), 0);
  ck_assert_int_lt(read_all("a\rb\n", f, c, 8), 0);
  ck_assert_int_lt(read_all("1,2,3,4,5,6,7,8,9\n", f, c, 8), 0); /* too many fields */
  char big[400];
  memset(big, 'x', sizeof big - 1);
  big[sizeof big - 1] = 0;
  ck_assert_int_lt(read_all(big, f, c, 8), 0); /* longer than the buffer */
}
END_TEST

/* Retention: the cut-off is the start of the day `months` calendar months back, and only ended
 * referrals are erased. */
START_TEST(retention_cutoff_and_ended_states) {
  ij_time_us now, want;
  ck_assert_int_eq(ij_time_parse("2026-11-22T15:30:00Z", &now), IJ_OK);
  ck_assert_int_eq(ij_time_parse("2023-11-22T00:00:00Z", &want), IJ_OK);
  ck_assert_int_eq(ij_domain_retention_cutoff(now, 36), want);
  ck_assert_int_eq(ij_time_parse("2026-03-31T23:59:59Z", &now), IJ_OK);
  ck_assert_int_eq(ij_time_parse("2026-02-28T00:00:00Z", &want), IJ_OK); /* clamped */
  ck_assert_int_eq(ij_domain_retention_cutoff(now, 1), want);
  ck_assert_int_eq(ij_domain_retention_cutoff(now, 0), want); /* never less than a month */
  for (int st = 0; st < IJ_STATE__COUNT; st++) {
    bool ended = st == IJ_STATE_CLOSED || st == IJ_STATE_REJECTED || st == IJ_STATE_WITHDRAWN;
    ck_assert_msg(ij_domain_state_ended((ij_state)st) == ended, "%s", ij_state_name((ij_state)st));
  }
}
END_TEST

Suite *followups_suite(void) {
  Suite *s = suite_create("followups");
  TCase *tc = tcase_create("followups");
  tcase_add_test(tc, months_are_calendar_months);
  tcase_add_test(tc, a_result_is_validated);
  tcase_add_test(tc, rereferral_windows);
  tcase_add_test(tc, name_keys);
  tcase_add_test(tc, csv_records);
  tcase_add_test(tc, retention_cutoff_and_ended_states);
  suite_add_tcase(s, tc);
  return s;
}
