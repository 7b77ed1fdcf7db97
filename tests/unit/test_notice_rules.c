/* The notices table walked whole: every event x whether the victim asked to be kept updated,
 * against an expectation written here from issue 14 and the lifecycle, independently of the
 * table; the table's own invariants (one notice per kind and name, the name is the state reached,
 * victims hear of exits only); and the rules of an area's webhook. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "ij/domain_notices.h"

Suite *notice_rules_suite(void);

/* What each change tells, as "kind/name" in order, joined by spaces; "" for nothing. */
static const char *expected(ij_event e, bool victim) {
  switch (e) {
  case IJ_EVENT_ACCEPT:
    return "progress/accepted";
  case IJ_EVENT_REJECT:
    return "progress/rejected";
  case IJ_EVENT_BOOK:
    return "progress/scheduled";
  case IJ_EVENT_WITHDRAW:
    return "progress/withdrawn";
  case IJ_EVENT_COMPLETE:
    return victim ? "outcome/completed victim_update/completed" : "outcome/completed";
  case IJ_EVENT_DECLARE_NON_COMPLIANCE:
    return victim ? "outcome/non_compliant victim_update/non_compliant" : "outcome/non_compliant";
  default: /* create, unbook, attend, close and the warnings tell nobody */
    return "";
  }
}

static unsigned expected_fields(const char *kind, const char *name) {
  if (strcmp(kind, "victim_update") == 0)
    return 0;
  if (strcmp(name, "accepted") == 0)
    return IJ_NOTICE_FIELD_HOURS;
  if (strcmp(name, "rejected") == 0)
    return IJ_NOTICE_FIELD_REASON;
  if (strcmp(name, "scheduled") == 0)
    return IJ_NOTICE_FIELD_HOURS | IJ_NOTICE_FIELD_SESSION;
  if (strcmp(name, "withdrawn") == 0)
    return IJ_NOTICE_FIELD_REASON | IJ_NOTICE_FIELD_HOURS | IJ_NOTICE_FIELD_CREDITED;
  return IJ_NOTICE_FIELD_HOURS | IJ_NOTICE_FIELD_CREDITED; /* the exits */
}

START_TEST(every_event_tells_what_it_should) {
  int walked = 0;
  for (int e = 0; e < IJ_EVENT__COUNT; e++)
    for (int v = 0; v < 2; v++) {
      const ij_notice_rule *got[IJ_NOTICES_PER_EVENT_MAX];
      int n = ij_domain_notices_for((ij_event)e, v == 1, got);
      ck_assert_int_ge(n, 0);
      ck_assert_int_le(n, IJ_NOTICES_PER_EVENT_MAX);
      char joined[256] = "";
      for (int i = 0; i < n; i++) {
        ck_assert_int_eq(got[i]->event, e);
        size_t len = strlen(joined);
        snprintf(joined + len, sizeof joined - len, "%s%s/%s", i ? " " : "", got[i]->kind,
                 got[i]->name);
        ck_assert_uint_eq(got[i]->fields, expected_fields(got[i]->kind, got[i]->name));
        ck_assert_int_eq(got[i]->audience, strcmp(got[i]->kind, "victim_update") == 0
                                               ? IJ_NOTICE_VICTIM
                                               : IJ_NOTICE_FORCE);
      }
      ck_assert_msg(strcmp(joined, expected((ij_event)e, v == 1)) == 0, "%s (victim %d): %s",
                    ij_event_name((ij_event)e), v, joined);
      walked++;
    }
  ck_assert_int_eq(walked, 2 * IJ_EVENT__COUNT);
}
END_TEST

START_TEST(table_invariants) {
  size_t n;
  const ij_notice_rule *t = ij_domain_notice_rules(&n);
  size_t tcount;
  const ij_transition_rule *tr = ij_domain_transitions(&tcount);
  ck_assert_uint_eq(n, 8);
  for (size_t i = 0; i < n; i++) {
    /* the notice names the state its change reaches */
    ck_assert_str_eq(t[i].name, ij_state_name(tr[t[i].event].to));
    ck_assert(!tr[t[i].event].stays);
    /* an exit is an outcome for the force; victims hear of exits only */
    bool exit = (tr[t[i].event].effects & IJ_EFFECT_EXIT) != 0;
    if (t[i].audience == IJ_NOTICE_VICTIM)
      ck_assert(exit);
    else
      ck_assert_str_eq(t[i].kind, exit ? "outcome" : "progress");
    /* at most one notice per kind and name for a referral: no two rows share them (a state is
     * reached by one event only among the rows) */
    for (size_t j = 0; j < i; j++)
      ck_assert_msg(strcmp(t[i].kind, t[j].kind) != 0 || strcmp(t[i].name, t[j].name) != 0,
                    "%s/%s twice", t[i].kind, t[i].name);
  }
}
END_TEST

/* ---- the webhook ---- */

static int check(const char *url, bool has_secret, const char *secret, const char *fields) {
  ij_webhook_input in = {true, url, has_secret, secret};
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  ij_err err = ij_domain_webhook_validate(&in, &errs);
  char got[128] = "";
  for (int i = 0; i < errs.count; i++) {
    size_t len = strlen(got);
    snprintf(got + len, sizeof got - len, "%s%s", i ? "," : "", errs.items[i].field);
    if (secret)
      ck_assert_ptr_null(strstr(errs.items[i].message, secret));
  }
  ck_assert_msg(strcmp(got, fields) == 0, "%s: got [%s], want [%s]", url ? url : "(null)", got,
                fields);
  ck_assert_int_eq(err, fields[0] ? IJ_ERR_INVALID : IJ_OK);
  return errs.count;
}

#define GOOD_SECRET "0123456789abcdef0123456789abcdef"

START_TEST(webhook_urls) {
  const char *ok[] = {"https://force.example.org/ij/notices",
                      "https://force.example.org",
                      "https://10.0.0.1:8443/hook?x=1",
                      "http://127.0.0.1:5000/hook",
                      "http://localhost/hook",
                      "http://[::1]:80/h"};
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
    check(ok[i], false, NULL, "");
  const char *bad[] = {"http://force.example.org/hook", /* plain http beyond the loopback */
                       "http://127.0.0.1.example.org/hook",
                       "http://localhost.evil/hook",
                       "ftp://force.example.org",
                       "https://",
                       "https://:443/x",
                       "https://user:pw@force.example.org/",
                       "https://force.example.org/a b",
                       "https://force.example.org/\x01",
                       "force.example.org",
                       ""};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    check(bad[i], false, NULL, "url");
  char long_url[IJ_WEBHOOK_URL_MAX + 16] = "https://force.example.org/";
  memset(long_url + strlen(long_url), 'a', IJ_WEBHOOK_URL_MAX + 1 - strlen(long_url));
  long_url[IJ_WEBHOOK_URL_MAX + 1] = 0;
  check(long_url, false, NULL, "url");
  /* null removes the webhook; absent is refused */
  check(NULL, false, NULL, "");
  ij_webhook_input none = {false, NULL, false, NULL};
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  ck_assert_int_eq(ij_domain_webhook_validate(&none, &errs), IJ_ERR_INVALID);
  ck_assert_str_eq(errs.items[0].field, "url");
}
END_TEST

START_TEST(webhook_secrets) {
  check("https://force.example.org/hook", true, GOOD_SECRET, "");
  check("https://force.example.org/hook", true, NULL, ""); /* removes it */
  char s[IJ_WEBHOOK_SECRET_MAX + 2];
  memset(s, 'k', sizeof s);
  s[IJ_WEBHOOK_SECRET_MAX] = 0;
  check("https://force.example.org/hook", true, s, "");
  s[IJ_WEBHOOK_SECRET_MAX] = 'k';
  s[IJ_WEBHOOK_SECRET_MAX + 1] = 0;
  check("https://force.example.org/hook", true, s, "secret");
  s[IJ_WEBHOOK_SECRET_MIN - 1] = 0;
  check("https://force.example.org/hook", true, s, "secret");
  check("https://force.example.org/hook", true, "0123456789abcdef 123456789abcdef", "secret");
  check("https://force.example.org/hook", true,
        "0123456789abcdef\xc3\xa9"
        "123456789abcdef",
        "secret");
  /* both wrong: both named at once */
  ck_assert_int_eq(check("http://force.example.org/", true, "short", "url,secret"), 2);
}
END_TEST

Suite *notice_rules_suite(void) {
  Suite *s = suite_create("notice_rules");
  TCase *tc = tcase_create("notice_rules");
  tcase_add_test(tc, every_event_tells_what_it_should);
  tcase_add_test(tc, table_invariants);
  tcase_add_test(tc, webhook_urls);
  tcase_add_test(tc, webhook_secrets);
  suite_add_tcase(s, tc);
  return s;
}
