/* An area's GOV.UK Notify settings and templates: the API key split, every rule of the settings
 * and of the templates, every failing field named at once, and no message repeating a secret. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "ij/domain_notices.h"
#include "ij/domain_notify.h"

Suite *notify_suite(void);

#define SERVICE "26785a09-ab16-4eb0-8407-a37497a57506"
#define SECRET "3d844edf-8d35-48ac-975b-e847b4f122b0"
#define KEY "my_test_key-" SERVICE "-" SECRET
#define TOKEN "receipt-token-0123456789abcdef0123456789"
#define TEMPLATE "f33517ff-2a88-4f6e-b855-c550268ce08a"

static bool named(const ij_field_errors *e, const char *field) {
  return ij_field_errors_has(e, field);
}

/* No message of errs contains `secret`. */
static void no_secret_in(const ij_field_errors *e, const char *secret) {
  for (int i = 0; i < e->count; i++)
    ck_assert_msg(!strstr(e->items[i].message, secret), "%s: %s", e->items[i].field,
                  e->items[i].message);
}

START_TEST(key_is_split) {
  ij_notify_key k;
  ck_assert_int_eq(ij_domain_notify_key_parse(KEY, &k), IJ_OK);
  ck_assert_str_eq(k.key_name, "my_test_key");
  ck_assert_str_eq(k.service_id, SERVICE);
  ck_assert_str_eq(k.secret, SECRET);
  /* a key name with dashes of its own; an upper-case service id is kept in lower case */
  ck_assert_int_eq(
      ij_domain_notify_key_parse("live-key-2026-26785A09-AB16-4EB0-8407-A37497A57506-" SECRET, &k),
      IJ_OK);
  ck_assert_str_eq(k.key_name, "live-key-2026");
  ck_assert_str_eq(k.service_id, SERVICE);
  ck_assert_str_eq(k.secret, SECRET);
  /* a one-character name is enough */
  ck_assert_int_eq(ij_domain_notify_key_parse("k-" SERVICE "-" SECRET, &k), IJ_OK);
  ck_assert_str_eq(k.key_name, "k");
}
END_TEST

START_TEST(malformed_keys_are_refused) {
  char long_name[IJ_NOTIFY_KEY_NAME_MAX + 80];
  memset(long_name, 'n', IJ_NOTIFY_KEY_NAME_MAX + 1);
  snprintf(long_name + IJ_NOTIFY_KEY_NAME_MAX + 1, 80, "-%s-%s", SERVICE, SECRET);
  const char *bad[] = {
      NULL,
      "",
      SERVICE "-" SECRET,                                     /* no name */
      "-" SERVICE "-" SECRET,                                 /* an empty name */
      "my key-" SERVICE "-" SECRET,                           /* a space in the name */
      "name_" SERVICE "-" SECRET,                             /* no dash before the service */
      "name-" SERVICE "_" SECRET,                             /* no dash before the secret */
      "name-26785a09-ab16-4eb0-8407-a37497a5750g-" SECRET,    /* not hex */
      "name-26785a09ab16-4eb0-8407-a37497a57506--" SECRET,    /* dashes misplaced */
      "name-" SERVICE "-" SECRET "x",                         /* too long a secret */
      "name-" SERVICE "-3d844edf-8d35-48ac-975b-e847b4f122b", /* too short a secret */
      "name-" SERVICE,                                        /* no secret */
      long_name,                                              /* too long a name */
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    ij_notify_key k;
    memset(&k, 'x', sizeof k);
    ck_assert_msg(ij_domain_notify_key_parse(bad[i], &k) == IJ_ERR_INVALID, "key %zu", i);
    ck_assert_str_eq(k.secret, "");
    ck_assert_str_eq(k.key_name, "");
  }
  /* a name of exactly the most */
  long_name[IJ_NOTIFY_KEY_NAME_MAX] = 0;
  char ok[IJ_NOTIFY_KEY_NAME_MAX + 80];
  snprintf(ok, sizeof ok, "%s-%s-%s", long_name, SERVICE, SECRET);
  ij_notify_key k;
  ck_assert_int_eq(ij_domain_notify_key_parse(ok, &k), IJ_OK);
  ck_assert_int_eq(strlen(k.key_name), IJ_NOTIFY_KEY_NAME_MAX);
}
END_TEST

START_TEST(times_of_day) {
  const char *good[] = {"00:00", "18:00", "23:59", "09:05"};
  const char *bad[] = {NULL,    "",     "24:00",    "23:60", "9:00",  "09:0",
                       "09-00", "0900", "09:00:00", "ab:cd", " 9:00", "18:00 "};
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
    ck_assert_msg(ij_domain_notify_time_ok(good[i]), "%s", good[i]);
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    ck_assert_msg(!ij_domain_notify_time_ok(bad[i]), "%zu", i);
}
END_TEST

static ij_notify_settings_input settings(void) {
  ij_notify_settings_input in = {true, KEY, true, TOKEN, IJ_NOTIFY_DEFAULT_BASE_URL, "18:00", 0};
  return in;
}

START_TEST(settings_pass) {
  ij_field_errors e;
  ij_field_errors_init(&e);
  ij_notify_key k;
  ij_notify_settings_input in = settings();
  ck_assert_int_eq(ij_domain_notify_settings_validate(&in, &k, &e), IJ_OK);
  ck_assert_int_eq(e.count, 0);
  ck_assert_str_eq(k.service_id, SERVICE);
  /* the key and the token kept (not sent), or removed (null); http to the loopback host */
  in.has_api_key = false;
  in.api_key = NULL;
  in.has_callback_token = true;
  in.callback_token = NULL;
  in.base_url = "http://127.0.0.1:8123";
  in.welsh = 1;
  ck_assert_int_eq(ij_domain_notify_settings_validate(&in, &k, &e), IJ_OK);
  ck_assert_str_eq(k.secret, "");
  /* the shortest and the longest token */
  char token[IJ_NOTIFY_TOKEN_MAX + 1];
  memset(token, 'T', sizeof token);
  token[IJ_NOTIFY_TOKEN_MAX] = 0;
  in.callback_token = token;
  ck_assert_int_eq(ij_domain_notify_settings_validate(&in, &k, &e), IJ_OK);
  token[IJ_NOTIFY_TOKEN_MIN] = 0;
  ck_assert_int_eq(ij_domain_notify_settings_validate(&in, &k, &e), IJ_OK);
  ck_assert_int_eq(e.count, 0);
}
END_TEST

START_TEST(settings_name_every_field_at_once) {
  ij_field_errors e;
  ij_field_errors_init(&e);
  ij_notify_key k;
  ij_notify_settings_input in = {true,
                                 "name-" SERVICE "-not-a-secret-at-all-but-secret-ish",
                                 true,
                                 "short-token",
                                 "http://api.example.org",
                                 "24:00",
                                 -1};
  ck_assert_int_eq(ij_domain_notify_settings_validate(&in, &k, &e), IJ_ERR_INVALID);
  ck_assert_int_eq(e.count, 5);
  const char *fields[] = {"api_key", "callback_token", "base_url", "reminder_time", "welsh"};
  for (int i = 0; i < 5; i++)
    ck_assert_msg(named(&e, fields[i]), "%s", fields[i]);
  no_secret_in(&e, "secret-ish");
  no_secret_in(&e, "short-token");
  no_secret_in(&e, SERVICE);
  ck_assert_str_eq(k.secret, "");

  /* required: base_url, reminder_time, welsh */
  ij_field_errors_init(&e);
  ij_notify_settings_input none = {false, NULL, false, NULL, NULL, NULL, -1};
  ck_assert_int_eq(ij_domain_notify_settings_validate(&none, &k, &e), IJ_ERR_INVALID);
  ck_assert_int_eq(e.count, 3);
  ck_assert(named(&e, "base_url") && named(&e, "reminder_time") && named(&e, "welsh"));

  /* a token too long, with a space, or with a non-ASCII byte; a URL with a user */
  char token[IJ_NOTIFY_TOKEN_MAX + 2];
  memset(token, 'T', sizeof token);
  token[IJ_NOTIFY_TOKEN_MAX + 1] = 0;
  const char *tokens[] = {token, "0123456789abcdef 0123456789abcdef",
                          "0123456789abcdef\xc3\xa9"
                          "0123456789abcdef"};
  for (size_t i = 0; i < 3; i++) {
    ij_field_errors_init(&e);
    in = settings();
    in.callback_token = tokens[i];
    in.base_url = "https://user:pw@api.example.org";
    ck_assert_int_eq(ij_domain_notify_settings_validate(&in, &k, &e), IJ_ERR_INVALID);
    ck_assert_int_eq(e.count, 2);
    ck_assert(named(&e, "callback_token") && named(&e, "base_url"));
    no_secret_in(&e, "0123456789abcdef");
    no_secret_in(&e, "pw@");
    ck_assert_str_eq(k.secret, ""); /* the key was good, but nothing is handed out on a refusal */
  }

  /* a field the decoding already named is not named twice */
  ij_field_errors_init(&e);
  ij_field_errors_add(&e, "welsh", "must be a boolean");
  ij_field_errors_add(&e, "api_key", "must be a string");
  in = settings();
  in.welsh = -1;
  in.api_key = NULL;
  ck_assert_int_eq(ij_domain_notify_settings_validate(&in, &k, &e), IJ_ERR_INVALID);
  ck_assert_int_eq(e.count, 2);
}
END_TEST

START_TEST(templates_pass) {
  ij_notify_template_input all[IJ_NOTIFY_TEMPLATES_MAX];
  size_t nk;
  const ij_message_kind_info *kinds = ij_domain_message_kinds(&nk);
  const char *langs[] = {"en", "cy"}, *channels[] = {"sms", "email"};
  int n = 0;
  for (size_t k = 0; k < nk; k++)
    for (int l = 0; l < 2; l++)
      for (int c = 0; c < 2; c++)
        all[n++] = (ij_notify_template_input){kinds[k].name, langs[l], channels[c], TEMPLATE};
  ck_assert_int_eq(n, IJ_NOTIFY_TEMPLATES_MAX);
  ij_field_errors e;
  ij_field_errors_init(&e);
  ck_assert_int_eq(ij_domain_notify_templates_validate(all, n, true, &e), IJ_OK);
  ck_assert_int_eq(ij_domain_notify_templates_validate(all, 0, false, &e), IJ_OK);
  /* the same template id may serve several rows; upper-case hex is a UUID too */
  ij_notify_template_input two[] = {
      {"reminder", "en", "sms", "F33517FF-2A88-4F6E-B855-C550268CE08A"},
      {"reminder", "en", "email", TEMPLATE}};
  ck_assert_int_eq(ij_domain_notify_templates_validate(two, 2, false, &e), IJ_OK);
  ck_assert_int_eq(e.count, 0);
}
END_TEST

START_TEST(templates_name_every_row_and_field) {
  ij_notify_template_input rows[] = {
      {"reminder", "en", "sms", TEMPLATE},          /* 0: good */
      {"birthday", "fr", "fax", "not-a-uuid"},      /* 1: every field wrong */
      {NULL, NULL, NULL, NULL},                     /* 2: every field missing */
      {"reminder", "en", "sms", TEMPLATE},          /* 3: repeats 0 */
      {"hours_completed", "cy", "email", TEMPLATE}, /* 4: Welsh, not on */
      {"Reminder", "EN", "SMS", TEMPLATE "0"},      /* 5: case matters, too long */
      {"victim_work_started", "en", "email", "f33517ff2a884f6eb855c550268ce08a"}, /* 6: no dashes */
  };
  ij_field_errors e;
  ij_field_errors_init(&e);
  ck_assert_int_eq(ij_domain_notify_templates_validate(rows, 7, false, &e), IJ_ERR_INVALID);
  const char *expected[] = {
      "templates[1].kind",        "templates[1].language",    "templates[1].channel",
      "templates[1].template_id", "templates[2].kind",        "templates[2].language",
      "templates[2].channel",     "templates[2].template_id", "templates[3]",
      "templates[4].language",    "templates[5].kind",        "templates[5].language",
      "templates[5].channel",     "templates[5].template_id", "templates[6].template_id"};
  size_t n = sizeof expected / sizeof expected[0];
  ck_assert_int_eq(e.count, (int)n);
  for (size_t i = 0; i < n; i++)
    ck_assert_str_eq(e.items[i].field, expected[i]);
  ck_assert_ptr_nonnull(strstr(e.items[8].message, "templates[0]"));
  ck_assert_ptr_nonnull(strstr(e.items[9].message, "Welsh"));
  ck_assert(!named(&e, "templates[0].kind"));

  /* with Welsh on, the Welsh row passes; a Welsh repeat is still a repeat */
  ij_notify_template_input welsh[] = {{"hours_completed", "cy", "email", TEMPLATE},
                                      {"hours_completed", "en", "email", TEMPLATE},
                                      {"hours_completed", "cy", "email", TEMPLATE}};
  ij_field_errors_init(&e);
  ck_assert_int_eq(ij_domain_notify_templates_validate(welsh, 2, true, &e), IJ_OK);
  ck_assert_int_eq(ij_domain_notify_templates_validate(welsh, 3, true, &e), IJ_ERR_INVALID);
  ck_assert_int_eq(e.count, 1);
  ck_assert_str_eq(e.items[0].field, "templates[2]");

  /* too many rows: refused whole */
  ij_notify_template_input many[IJ_NOTIFY_TEMPLATES_MAX + 1];
  for (int i = 0; i <= IJ_NOTIFY_TEMPLATES_MAX; i++)
    many[i] = rows[0];
  ij_field_errors_init(&e);
  ck_assert_int_eq(ij_domain_notify_templates_validate(many, IJ_NOTIFY_TEMPLATES_MAX + 1, true, &e),
                   IJ_ERR_INVALID);
  ck_assert_int_eq(e.count, 1);
  ck_assert_str_eq(e.items[0].field, "templates");

  /* a path the decoding named already is not named again */
  ij_field_errors_init(&e);
  ij_field_errors_add(&e, "templates[0].template_id", "must be a string");
  ij_notify_template_input decoded[] = {{"reminder", "en", "sms", NULL}};
  ck_assert_int_eq(ij_domain_notify_templates_validate(decoded, 1, false, &e), IJ_ERR_INVALID);
  ck_assert_int_eq(e.count, 1);
}
END_TEST

START_TEST(url_rule_is_the_webhooks) {
  const char *bad[] = {"ftp://api.example.org", "http://api.example.org", "https://",
                       "https://u@api.example.org", "https://api example.org"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    ij_field_errors e;
    ij_field_errors_init(&e);
    ij_domain_url_check(bad[i], "base_url", &e);
    ck_assert_msg(e.count == 1 && named(&e, "base_url"), "%s", bad[i]);
    ij_field_errors_init(&e);
    ij_webhook_input w = {true, bad[i], false, NULL};
    ck_assert_int_eq(ij_domain_webhook_validate(&w, &e), IJ_ERR_INVALID);
    ck_assert(named(&e, "url"));
  }
  const char *good[] = {IJ_NOTIFY_DEFAULT_BASE_URL, "http://localhost:9999", "http://[::1]:80/x"};
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    ij_field_errors e;
    ij_field_errors_init(&e);
    ij_domain_url_check(good[i], "base_url", &e);
    ck_assert_int_eq(e.count, 0);
  }
}
END_TEST

Suite *notify_suite(void) {
  Suite *s = suite_create("notify");
  TCase *tc = tcase_create("notify");
  tcase_add_test(tc, key_is_split);
  tcase_add_test(tc, malformed_keys_are_refused);
  tcase_add_test(tc, times_of_day);
  tcase_add_test(tc, settings_pass);
  tcase_add_test(tc, settings_name_every_field_at_once);
  tcase_add_test(tc, templates_pass);
  tcase_add_test(tc, templates_name_every_row_and_field);
  tcase_add_test(tc, url_rule_is_the_webhooks);
  suite_add_tcase(s, tc);
  return s;
}
