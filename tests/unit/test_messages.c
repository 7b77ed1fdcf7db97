/* Messages through GOV.UK Notify: who gets what by which channel (every kind, recipient case and
 * consent, do-not-message and contact combination), the mobile and e-mail checks, London time at
 * the BST boundaries, the reminder's due time, and the personalisation in English and Welsh. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "ij/domain_messages.h"

Suite *messages_suite(void);

static ij_date date_of(const char *s) {
  ij_date d = 0;
  ck_assert_msg(ij_date_parse(s, &d) == IJ_OK, "'%s' refused", s);
  return d;
}

static ij_time_us time_of(const char *s) {
  ij_time_us t = 0;
  ck_assert_msg(ij_time_parse(s, &t) == IJ_OK, "'%s' refused", s);
  return t;
}

START_TEST(test_kind_names_round_trip) {
  size_t n;
  const ij_message_kind_info *k = ij_domain_message_kinds(&n);
  ck_assert_uint_eq(n, IJ_MESSAGE_KIND_COUNT);
  for (size_t i = 0; i < n; i++) {
    ij_message_kind parsed;
    ck_assert_int_eq(ij_message_kind_parse(k[i].name, &parsed), IJ_OK);
    ck_assert_int_eq(parsed, k[i].kind);
    ck_assert_int_eq((int)k[i].kind, (int)i);
    /* a victim's message never carries the person's name */
    for (const char *const *f = k[i].fields; *f; f++)
      if (k[i].audience == IJ_MESSAGE_TO_VICTIM)
        ck_assert_msg(strcmp(*f, "name") != 0 && strcmp(*f, "person_name") != 0, "%s", k[i].name);
  }
  ij_message_kind parsed;
  ck_assert_int_eq(ij_message_kind_parse("Reminder", &parsed), IJ_ERR_INVALID);
  ck_assert_int_eq(ij_message_kind_parse(NULL, &parsed), IJ_ERR_INVALID);
}
END_TEST

START_TEST(test_mobiles) {
  static const struct {
    const char *in;
    bool mobile;
    const char *out;
  } k[] = {
      {"07700 900123", true, "07700900123"},
      {"07700-900-123", true, "07700900123"},
      {"(07700) 900123", true, "07700900123"},
      {"+44 7700 900123", true, "+447700900123"},
      {"447700900123", true, "447700900123"},
      {"+353 85 123 4567", true, "+353851234567"},
      {"+1 (555) 010-9999", true, "+15550109999"},
      {"+1234567", false, NULL},                      /* 7 digits */
      {"+12345678", true, "+12345678"},               /* 8 digits */
      {"+123456789012345", true, "+123456789012345"}, /* 15 */
      {"+1234567890123456", false, NULL},             /* 16 */
      {"+44 20 7946 0000", false, NULL},              /* a UK landline */
      {"020 7946 0000", false, NULL},
      {"0770090012", false, NULL},   /* 10 digits */
      {"077009001234", false, NULL}, /* 12 digits */
      {"08700 900123", false, NULL},
      {"07700 9OO123", false, NULL},
      {"07700+900123", false, NULL},
      {"", false, NULL},
      {NULL, false, NULL},
  };
  for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
    char out[IJ_PHONE_BUF];
    ck_assert_msg(ij_domain_mobile(k[i].in, out) == k[i].mobile, "%s", k[i].in ? k[i].in : "NULL");
    if (k[i].mobile)
      ck_assert_str_eq(out, k[i].out);
  }
}
END_TEST

START_TEST(test_emails) {
  ck_assert(ij_domain_email_address("a@example.org"));
  ck_assert(ij_domain_email_address("first.last+tag@mail.example.co.uk"));
  ck_assert(!ij_domain_email_address("example.org"));
  ck_assert(!ij_domain_email_address("@example.org"));
  ck_assert(!ij_domain_email_address("a@b@example.org"));
  ck_assert(!ij_domain_email_address("a@example"));
  ck_assert(!ij_domain_email_address("a@.example"));
  ck_assert(!ij_domain_email_address("a@example."));
  ck_assert(!ij_domain_email_address("a b@example.org"));
  ck_assert(!ij_domain_email_address(""));
  ck_assert(!ij_domain_email_address(NULL));
}
END_TEST

/* Every kind x adult/minor x consent x do-not-message x contact (mobile, e-mail, landline only,
 * none) x victim keep-updated/contact x welsh/language x templates present: the route expected
 * from the rules, written out independently of the code. */
START_TEST(test_route_table) {
  static const char *const phones[] = {"07700 900123", NULL, "020 7946 0000", NULL};
  static const char *const emails[] = {"p@example.org", "p@example.org", NULL, NULL};
  static const char *const victim_contacts[] = {"07700 900999", "v@example.org", "by post", NULL};
  ij_date today = date_of("2026-12-05");
  ij_date adult = date_of("1990-01-01"), minor = date_of("2010-06-01");
  ij_date turns_18_today = date_of("2008-12-05"), turns_18_tomorrow = date_of("2008-12-06");
  int checked = 0;
  for (int kind = 0; kind < IJ_MESSAGE_KIND_COUNT; kind++)
    for (int age = 0; age < 4; age++)
      for (int consent = 0; consent < 2; consent++)
        for (int dnm = 0; dnm < 2; dnm++)
          for (int c = 0; c < 4; c++)
            for (int keep = -1; keep <= 1; keep++)
              for (int vc = 0; vc < 4; vc++)
                for (int lang = 0; lang < 4; lang++)
                  for (int tmpl = 0; tmpl < 4; tmpl++) {
                    ij_date dobs[] = {adult, minor, turns_18_today, turns_18_tomorrow};
                    bool is_minor = age == 1 || age == 3;
                    ij_message_party party = {dobs[age],
                                              "Sam Person",
                                              is_minor ? NULL : phones[c],
                                              is_minor ? NULL : emails[c],
                                              "Pat Guardian",
                                              is_minor ? phones[c] : "07700 900555",
                                              is_minor ? emails[c] : NULL,
                                              consent == 1,
                                              dnm == 1,
                                              (lang & 1) ? "cy" : "en",
                                              keep,
                                              victim_contacts[vc]};
                    bool welsh = (lang & 2) != 0;
                    /* tmpl: 0 every template, 1 English only, 2 Welsh only, 3 none */
                    ij_message_templates t;
                    memset(&t, 0, sizeof t);
                    for (int l = 0; l < 2; l++)
                      for (int ch = 0; ch < 2; ch++)
                        if (tmpl == 0 || (tmpl == 1 && l == 0) || (tmpl == 2 && l == 1))
                          t.ids[l][ch] = l ? "cy-template" : "en-template";
                    ij_message_route r;
                    bool written = ij_domain_message_route((ij_message_kind)kind, &party, welsh, &t,
                                                           today, &r);
                    bool victim_kind = kind == IJ_MESSAGE_VICTIM_WORK_STARTED ||
                                       kind == IJ_MESSAGE_VICTIM_WORK_COMPLETED;
                    /* expected */
                    bool want_written = true;
                    ij_message_not_sent want = IJ_NOT_SENT_NONE;
                    ij_message_channel want_ch = IJ_CHANNEL_NONE;
                    ij_message_recipient want_to = IJ_RECIPIENT_PERSON;
                    if (victim_kind) {
                      want_to = IJ_RECIPIENT_VICTIM;
                      if (keep != 1 || vc == 3)
                        want_written = false;
                      else if (vc == 2)
                        want = IJ_NOT_SENT_NO_CONTACT;
                      else
                        want_ch = vc == 0 ? IJ_CHANNEL_SMS : IJ_CHANNEL_EMAIL;
                    } else {
                      want_to = is_minor ? IJ_RECIPIENT_GUARDIAN : IJ_RECIPIENT_PERSON;
                      if (!consent)
                        want = IJ_NOT_SENT_NO_CONSENT;
                      else if (dnm)
                        want = IJ_NOT_SENT_DO_NOT_MESSAGE;
                      else if (c == 0)
                        want_ch = IJ_CHANNEL_SMS;
                      else if (c == 1)
                        want_ch = IJ_CHANNEL_EMAIL;
                      else if (c == 2)
                        want_ch = IJ_CHANNEL_EMAIL; /* landline, no e-mail: see below */
                      if (!consent || dnm)
                        want_ch = IJ_CHANNEL_NONE;
                      else if (c >= 2) {
                        want_ch = IJ_CHANNEL_NONE;
                        want = IJ_NOT_SENT_NO_CONTACT;
                      }
                    }
                    bool want_cy = (lang & 1) && welsh;
                    const char *want_template = NULL;
                    ij_message_language want_lang = want_cy ? IJ_LANGUAGE_CY : IJ_LANGUAGE_EN;
                    if (want_written && want == IJ_NOT_SENT_NONE) {
                      if (want_cy && (tmpl == 0 || tmpl == 2))
                        want_template = "cy-template";
                      else if (tmpl == 0 || tmpl == 1) {
                        want_template = "en-template";
                        want_lang = IJ_LANGUAGE_EN;
                      } else {
                        want = IJ_NOT_SENT_NO_TEMPLATE;
                        want_lang = IJ_LANGUAGE_EN;
                      }
                    }
                    ck_assert_msg(written == want_written, "kind %d keep %d vc %d", kind, keep, vc);
                    checked++;
                    if (!want_written)
                      continue;
                    ck_assert_msg(r.recipient == want_to, "kind %d age %d", kind, age);
                    ck_assert_msg(r.not_sent == want,
                                  "kind %d age %d consent %d dnm %d c %d tmpl %d: %d", kind, age,
                                  consent, dnm, c, tmpl, (int)r.not_sent);
                    if (want == IJ_NOT_SENT_NONE || want == IJ_NOT_SENT_NO_TEMPLATE)
                      ck_assert_int_eq(r.channel, want_ch);
                    else
                      ck_assert_int_eq(r.channel, IJ_CHANNEL_NONE);
                    if (want == IJ_NOT_SENT_NONE) {
                      ck_assert_str_eq(r.template_id, want_template);
                      ck_assert_int_eq(r.language, want_lang);
                      ck_assert_str_eq(r.to,
                                       want_ch == IJ_CHANNEL_SMS
                                           ? (victim_kind ? "07700900999" : "07700900123")
                                           : (victim_kind ? "v@example.org" : "p@example.org"));
                    } else {
                      ck_assert_ptr_null(r.template_id);
                    }
                    if (!victim_kind)
                      ck_assert_str_eq(r.recipient_name, is_minor ? "Pat Guardian" : "Sam Person");
                    else
                      ck_assert_ptr_null(r.recipient_name);
                  }
  ck_assert_int_eq(checked, IJ_MESSAGE_KIND_COUNT * 4 * 2 * 2 * 4 * 3 * 4 * 4 * 4);
}
END_TEST

START_TEST(test_names_and_language_check) {
  ck_assert_str_eq(ij_message_recipient_name(IJ_RECIPIENT_GUARDIAN), "guardian");
  ck_assert_str_eq(ij_message_channel_name(IJ_CHANNEL_SMS), "sms");
  ck_assert_ptr_null(ij_message_channel_name(IJ_CHANNEL_NONE));
  ck_assert_str_eq(ij_message_not_sent_name(IJ_NOT_SENT_DO_NOT_MESSAGE), "do_not_message");
  ck_assert_ptr_null(ij_message_not_sent_name(IJ_NOT_SENT_NONE));
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  ck_assert_int_eq(ij_domain_message_language_check("cy", "message_language", &errs), IJ_OK);
  ck_assert_int_eq(ij_domain_message_language_check("en", "message_language", &errs), IJ_OK);
  ck_assert_int_eq(ij_domain_message_language_check("fr", "message_language", &errs),
                   IJ_ERR_INVALID);
  ck_assert_int_eq(ij_domain_message_language_check("EN", "message_language", &errs),
                   IJ_ERR_INVALID);
  ck_assert_int_eq(errs.count, 2);
  ck_assert_str_eq(errs.items[0].field, "message_language");
}
END_TEST

/* The BST boundaries of 2026 (29 March, 25 October) and 2027 (28 March, 31 October). */
START_TEST(test_london_offset_boundaries) {
  static const struct {
    const char *at;
    int offset_hours;
  } k[] = {
      {"2026-03-29T00:59:59.999999Z", 0}, {"2026-03-29T01:00:00Z", 1},
      {"2026-10-25T00:59:59.999999Z", 1}, {"2026-10-25T01:00:00Z", 0},
      {"2027-03-28T00:59:59Z", 0},        {"2027-03-28T01:00:00Z", 1},
      {"2027-10-31T00:59:59Z", 1},        {"2027-10-31T01:00:00Z", 0},
      {"2026-01-15T12:00:00Z", 0},        {"2026-07-15T12:00:00Z", 1},
      {"2026-03-22T12:00:00Z", 0}, /* a Sunday in March, not the last */
      {"2026-10-18T12:00:00Z", 1}, /* a Sunday in October, not the last */
      {"2024-03-31T01:00:00Z", 1},        {"2024-03-30T23:00:00Z", 0},
  };
  for (size_t i = 0; i < sizeof k / sizeof k[0]; i++)
    ck_assert_msg(ij_london_offset(time_of(k[i].at)) == k[i].offset_hours * IJ_US_PER_HOUR, "%s",
                  k[i].at);
  /* the wall clock around the changes */
  ck_assert_int_eq(ij_london_minutes(time_of("2026-03-29T00:59:00Z")), 59);
  ck_assert_int_eq(ij_london_minutes(time_of("2026-03-29T01:00:00Z")), 120);
  ck_assert_int_eq(ij_london_minutes(time_of("2026-10-25T00:59:00Z")), 119);
  ck_assert_int_eq(ij_london_minutes(time_of("2026-10-25T01:00:00Z")), 60);
  ck_assert_int_eq(ij_london_date(time_of("2026-07-15T23:30:00Z")), date_of("2026-07-16"));
  ck_assert_int_eq(ij_london_date(time_of("2026-12-15T23:30:00Z")), date_of("2026-12-15"));
  /* wall clock to instant */
  ck_assert(ij_london_instant(date_of("2026-07-15"), 18 * 60) == time_of("2026-07-15T17:00:00Z"));
  ck_assert(ij_london_instant(date_of("2026-12-15"), 18 * 60) == time_of("2026-12-15T18:00:00Z"));
  ck_assert(ij_london_instant(date_of("2026-03-29"), 30) == time_of("2026-03-29T00:30:00Z"));
  ck_assert(ij_london_instant(date_of("2026-03-29"), 150) == time_of("2026-03-29T01:30:00Z"));
  ck_assert(ij_london_instant(date_of("2026-10-25"), 90) == time_of("2026-10-25T00:30:00Z"));
  ck_assert(ij_london_instant(date_of("2026-10-25"), 18 * 60) == time_of("2026-10-25T18:00:00Z"));
  ck_assert(ij_london_instant(date_of("2026-10-24"), 18 * 60) == time_of("2026-10-24T17:00:00Z"));
  /* every minute of the changes' days round-trips */
  const char *days[] = {"2026-03-29", "2026-10-25", "2026-06-01", "2026-12-01"};
  for (int d = 0; d < 4; d++)
    for (int m = 0; m < 24 * 60; m++) {
      ij_time_us t = ij_london_instant(date_of(days[d]), m);
      if (d == 0 && m >= 60 && m < 120)
        continue; /* the skipped hour */
      ck_assert_msg(ij_london_minutes(t) == m && ij_london_date(t) == date_of(days[d]), "%s %d",
                    days[d], m);
    }
}
END_TEST

START_TEST(test_reminder_due) {
  /* a session at 10:00 London on Saturday 12 December 2026: due at 18:00 on Friday 11th */
  ij_time_us starts = time_of("2026-12-12T10:00:00Z");
  ck_assert(ij_domain_reminder_due_at(starts, 18 * 60) == time_of("2026-12-11T18:00:00Z"));
  /* in summer, 18:00 BST is 17:00 UTC */
  ck_assert(ij_domain_reminder_due_at(time_of("2026-07-04T09:00:00Z"), 18 * 60) ==
            time_of("2026-07-03T17:00:00Z"));
  /* a session at 00:30 BST (23:30 UTC the day before) is on the London day after */
  ck_assert(ij_domain_reminder_due_at(time_of("2026-07-03T23:30:00Z"), 18 * 60) ==
            time_of("2026-07-03T17:00:00Z"));
  /* the Sunday the clocks go back: due the Saturday in BST */
  ck_assert(ij_domain_reminder_due_at(time_of("2026-10-25T10:00:00Z"), 18 * 60) ==
            time_of("2026-10-24T17:00:00Z"));
  /* the Monday after: due the Sunday in GMT */
  ck_assert(ij_domain_reminder_due_at(time_of("2026-10-26T10:00:00Z"), 18 * 60) ==
            time_of("2026-10-25T18:00:00Z"));
  ck_assert(ij_domain_reminder_due_at(time_of("2026-03-30T09:00:00Z"), 18 * 60) ==
            time_of("2026-03-29T17:00:00Z"));
  ij_time_us due = time_of("2026-12-11T18:00:00Z");
  ij_time_us booked = time_of("2026-12-01T09:00:00Z");
  ck_assert(!ij_domain_reminder_due("booked", false, starts, booked, 18 * 60, due - 1));
  ck_assert(ij_domain_reminder_due("booked", false, starts, booked, 18 * 60, due));
  ck_assert(ij_domain_reminder_due("booked", false, starts, booked, 18 * 60, starts - 1));
  ck_assert(!ij_domain_reminder_due("booked", false, starts, booked, 18 * 60, starts));
  ck_assert(!ij_domain_reminder_due("cancelled", false, starts, booked, 18 * 60, due));
  ck_assert(!ij_domain_reminder_due("attended", false, starts, booked, 18 * 60, due));
  ck_assert(!ij_domain_reminder_due("booked", true, starts, booked, 18 * 60, due));
  ck_assert(!ij_domain_reminder_due(NULL, false, starts, booked, 18 * 60, due));
  /* booked after its due time: its confirmation told them; booked at the due time: reminded */
  ck_assert(!ij_domain_reminder_due("booked", false, starts, due + 1, 18 * 60, due + 2));
  ck_assert(ij_domain_reminder_due("booked", false, starts, due, 18 * 60, due + 2));
  /* still wanted when the outbox claims it */
  ck_assert(ij_domain_reminder_still_wanted("booked", false, starts, starts - 1));
  ck_assert(!ij_domain_reminder_still_wanted("booked", false, starts, starts));
  ck_assert(!ij_domain_reminder_still_wanted("booked", true, starts, due));
  ck_assert(!ij_domain_reminder_still_wanted("cancelled", false, starts, due));
  ck_assert(!ij_domain_reminder_still_wanted("rescheduled", false, starts, due));
  ck_assert(!ij_domain_reminder_still_wanted(NULL, false, starts, due));
  ck_assert(ij_domain_cancellation_told(starts, starts - 1));
  ck_assert(!ij_domain_cancellation_told(starts, starts));
  /* the lookahead covers every due time */
  for (int m = 0; m < 24 * 60; m += 15)
    for (int sm = 0; sm < 24 * 60; sm += 15) {
      const char *days[] = {"2026-03-29", "2026-03-30", "2026-10-25", "2026-10-26", "2026-12-12"};
      for (int d = 0; d < 5; d++) {
        ij_time_us s = ij_london_instant(date_of(days[d]), sm);
        ij_time_us at = ij_domain_reminder_due_at(s, m);
        ck_assert(s - at <= IJ_REMINDER_LOOKAHEAD_US && at < s);
      }
    }
}
END_TEST

START_TEST(test_messages_for_events) {
  int total = 0;
  for (int e = 0; e < IJ_EVENT__COUNT; e++) {
    ij_message_kind k[IJ_MESSAGES_PER_EVENT_MAX];
    int n = ij_domain_messages_for_event((ij_event)e, k);
    total += n;
    if (e == IJ_EVENT_COMPLETE) {
      ck_assert_int_eq(n, 2);
      ck_assert_int_eq(k[0], IJ_MESSAGE_HOURS_COMPLETED);
      ck_assert_int_eq(k[1], IJ_MESSAGE_VICTIM_WORK_COMPLETED);
    } else if (e == IJ_EVENT_ATTEND) {
      ck_assert_int_eq(n, 1);
      ck_assert_int_eq(k[0], IJ_MESSAGE_VICTIM_WORK_STARTED);
    } else {
      ck_assert_int_eq(n, 0);
    }
  }
  ck_assert_int_eq(total, 3);
}
END_TEST

START_TEST(test_clock_parse) {
  int m = -1;
  ck_assert_int_eq(ij_domain_clock_parse("18:00", &m), IJ_OK);
  ck_assert_int_eq(m, 18 * 60);
  ck_assert_int_eq(ij_domain_clock_parse("00:00:00", &m), IJ_OK);
  ck_assert_int_eq(m, 0);
  ck_assert_int_eq(ij_domain_clock_parse("23:59", &m), IJ_OK);
  ck_assert_int_eq(m, 23 * 60 + 59);
  ck_assert_int_eq(ij_domain_clock_parse("24:00", &m), IJ_ERR_INVALID);
  ck_assert_int_eq(ij_domain_clock_parse("18:60", &m), IJ_ERR_INVALID);
  ck_assert_int_eq(ij_domain_clock_parse("8:00", &m), IJ_ERR_INVALID);
  ck_assert_int_eq(ij_domain_clock_parse("18:00:", &m), IJ_ERR_INVALID);
  ck_assert_int_eq(ij_domain_clock_parse(NULL, &m), IJ_ERR_INVALID);
}
END_TEST

START_TEST(test_dates_en_cy) {
  static const char *const en_days[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                        "Friday", "Saturday", "Sunday"};
  static const char *const cy_days[] = {"Dydd Llun",   "Dydd Mawrth", "Dydd Mercher", "Dydd Iau",
                                        "Dydd Gwener", "Dydd Sadwrn", "Dydd Sul"};
  static const char *const en_months[] = {"January",   "February", "March",    "April",
                                          "May",       "June",     "July",     "August",
                                          "September", "October",  "November", "December"};
  static const char *const cy_months[] = {"Ionawr", "Chwefror", "Mawrth",     "Ebrill",
                                          "Mai",    "Mehefin",  "Gorffennaf", "Awst",
                                          "Medi",   "Hydref",   "Tachwedd",   "Rhagfyr"};
  char buf[IJ_MESSAGE_TEXT_BUF], want[IJ_MESSAGE_TEXT_BUF];
  ij_domain_message_date(date_of("2026-12-12"), IJ_LANGUAGE_EN, buf);
  ck_assert_str_eq(buf, "Saturday 12 December 2026");
  ij_domain_message_date(date_of("2026-12-12"), IJ_LANGUAGE_CY, buf);
  ck_assert_str_eq(buf, "Dydd Sadwrn 12 Rhagfyr 2026");
  /* 2 March 2026 was a Monday: every weekday of a week, and the 1st of every month */
  for (int i = 0; i < 7; i++) {
    char d[16];
    snprintf(d, sizeof d, "2026-03-%02d", 2 + i);
    ij_domain_message_date(date_of(d), IJ_LANGUAGE_EN, buf);
    snprintf(want, sizeof want, "%s %d March 2026", en_days[i], 2 + i);
    ck_assert_str_eq(buf, want);
    ij_domain_message_date(date_of(d), IJ_LANGUAGE_CY, buf);
    snprintf(want, sizeof want, "%s %d Mawrth 2026", cy_days[i], 2 + i);
    ck_assert_str_eq(buf, want);
  }
  for (int m = 0; m < 12; m++) {
    char d[16];
    snprintf(d, sizeof d, "2027-%02d-15", m + 1);
    ij_domain_message_date(date_of(d), IJ_LANGUAGE_EN, buf);
    ck_assert_msg(strstr(buf, en_months[m]) && strstr(buf, " 15 ") && strstr(buf, "2027"), "%s",
                  buf);
    ij_domain_message_date(date_of(d), IJ_LANGUAGE_CY, buf);
    snprintf(want, sizeof want, " 15 %s 2027", cy_months[m]);
    ck_assert_msg(strstr(buf, want) && strncmp(buf, "Dydd ", 5) == 0, "%s", buf);
  }
  /* times in London */
  ij_domain_message_time(time_of("2026-12-12T10:00:00Z"), buf);
  ck_assert_str_eq(buf, "10:00am");
  ij_domain_message_time(time_of("2026-12-12T14:30:00Z"), buf);
  ck_assert_str_eq(buf, "2:30pm");
  ij_domain_message_time(time_of("2026-07-12T13:30:00Z"), buf);
  ck_assert_str_eq(buf, "2:30pm");
  ij_domain_message_time(time_of("2026-12-12T12:00:00Z"), buf);
  ck_assert_str_eq(buf, "12:00pm");
  ij_domain_message_time(time_of("2026-12-12T00:05:00Z"), buf);
  ck_assert_str_eq(buf, "12:05am");
  ij_domain_message_time(time_of("2026-12-12T23:59:00Z"), buf);
  ck_assert_str_eq(buf, "11:59pm");
}
END_TEST

START_TEST(test_personalise) {
  ij_message_facts f = {"Pat Guardian",
                        "Sam Person",
                        time_of("2026-12-12T10:00:00Z"),
                        time_of("2026-12-12T14:30:00Z"),
                        time_of("2026-12-05T09:30:00Z"),
                        "Riverside Park gate",
                        NULL,
                        7,
                        "Litter picking",
                        time_of("2026-07-04T09:00:00Z")};
  ij_message_field out[IJ_MESSAGE_FIELDS_MAX];
  size_t nkinds;
  const ij_message_kind_info *kinds = ij_domain_message_kinds(&nkinds);
  for (size_t k = 0; k < nkinds; k++) {
    int n = ij_domain_message_personalise(kinds[k].kind, IJ_LANGUAGE_EN, &f, out);
    int want = 0;
    for (const char *const *fld = kinds[k].fields; *fld; fld++, want++)
      ck_assert_str_eq(out[want].key, *fld);
    ck_assert_int_eq(n, want);
  }
  int n = ij_domain_message_personalise(IJ_MESSAGE_SESSION_MOVED, IJ_LANGUAGE_EN, &f, out);
  const char *want[][2] = {{"name", "Pat Guardian"},
                           {"person_name", "Sam Person"},
                           {"date", "Saturday 12 December 2026"},
                           {"start_time", "10:00am"},
                           {"end_time", "2:30pm"},
                           {"place", "Riverside Park gate"},
                           {"what_to_bring", ""},
                           {"previous_date", "Saturday 5 December 2026"},
                           {"previous_start_time", "9:30am"}};
  ck_assert_int_eq(n, 9);
  for (int i = 0; i < n; i++) {
    ck_assert_str_eq(out[i].key, want[i][0]);
    ck_assert_str_eq(out[i].value, want[i][1]);
  }
  n = ij_domain_message_personalise(IJ_MESSAGE_VICTIM_WORK_COMPLETED, IJ_LANGUAGE_CY, &f, out);
  ck_assert_int_eq(n, 2);
  ck_assert_str_eq(out[0].value, "litter picking");
  ck_assert_str_eq(out[1].value, "Dydd Sadwrn 4 Gorffennaf 2026");
  n = ij_domain_message_personalise(IJ_MESSAGE_HOURS_COMPLETED, IJ_LANGUAGE_EN, &f, out);
  ck_assert_str_eq(out[2].key, "hours");
  ck_assert_str_eq(out[2].value, "7");
}
END_TEST

Suite *messages_suite(void) {
  Suite *s = suite_create("messages");
  TCase *tc = tcase_create("messages");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_kind_names_round_trip);
  tcase_add_test(tc, test_mobiles);
  tcase_add_test(tc, test_emails);
  tcase_add_test(tc, test_route_table);
  tcase_add_test(tc, test_names_and_language_check);
  tcase_add_test(tc, test_london_offset_boundaries);
  tcase_add_test(tc, test_reminder_due);
  tcase_add_test(tc, test_clock_parse);
  tcase_add_test(tc, test_messages_for_events);
  tcase_add_test(tc, test_dates_en_cy);
  tcase_add_test(tc, test_personalise);
  suite_add_tcase(s, tc);
  return s;
}
