/* Messages to people through GOV.UK Notify: the kinds, what each carries and for whom. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain_internal.h"
#include "ij/domain_messages.h"
#include "ij/str.h"

/* The fields of a message about a session, about the work's end, and of a victim's update (which
 * never name the person who did the work). */
static const char *const k_session_fields[] = {
    "name", "person_name", "date", "start_time", "end_time", "place", "what_to_bring", NULL};
static const char *const k_moved_fields[] = {
    "name",  "person_name",   "date",          "start_time",          "end_time",
    "place", "what_to_bring", "previous_date", "previous_start_time", NULL};
static const char *const k_completed_fields[] = {"name", "person_name", "hours", NULL};
static const char *const k_victim_fields[] = {"work_type", "date", NULL};

#define PERSON IJ_MESSAGE_TO_PERSON
#define VICTIM IJ_MESSAGE_TO_VICTIM
/* clang-format off */
static const ij_message_kind_info k_kinds[IJ_MESSAGE_KIND_COUNT] = {
  {IJ_MESSAGE_BOOKING_CONFIRMATION, "booking_confirmation", PERSON, k_session_fields},
  {IJ_MESSAGE_REMINDER, "reminder", PERSON, k_session_fields},
  {IJ_MESSAGE_SESSION_CANCELLED, "session_cancelled", PERSON, k_session_fields},
  {IJ_MESSAGE_SESSION_MOVED, "session_moved", PERSON, k_moved_fields},
  {IJ_MESSAGE_HOURS_COMPLETED, "hours_completed", PERSON, k_completed_fields},
  {IJ_MESSAGE_VICTIM_WORK_STARTED, "victim_work_started", VICTIM, k_victim_fields},
  {IJ_MESSAGE_VICTIM_WORK_COMPLETED, "victim_work_completed", VICTIM, k_victim_fields},
};
/* clang-format on */
#undef PERSON
#undef VICTIM

const ij_message_kind_info *ij_domain_message_kinds(size_t *count) {
  *count = IJ_MESSAGE_KIND_COUNT;
  return k_kinds;
}

const char *ij_message_kind_name(ij_message_kind k) {
  return (unsigned)k < IJ_MESSAGE_KIND_COUNT ? k_kinds[k].name : "unknown";
}

ij_err ij_message_kind_parse(const char *s, ij_message_kind *out) {
  for (size_t i = 0; s && i < IJ_MESSAGE_KIND_COUNT; i++)
    if (strcmp(s, k_kinds[i].name) == 0) {
      *out = k_kinds[i].kind;
      return IJ_OK;
    }
  return IJ_ERR_INVALID;
}

/* ---- names ---- */

const char *ij_message_recipient_name(ij_message_recipient r) {
  static const char *const k[] = {"person", "guardian", "victim"};
  return (unsigned)r < 3 ? k[r] : "person";
}

const char *ij_message_channel_name(ij_message_channel c) {
  return c == IJ_CHANNEL_SMS ? "sms" : c == IJ_CHANNEL_EMAIL ? "email" : NULL;
}

const char *ij_message_language_name(ij_message_language l) {
  return l == IJ_LANGUAGE_CY ? "cy" : "en";
}

const char *ij_message_not_sent_name(ij_message_not_sent r) {
  static const char *const k[] = {NULL, "no_consent", "do_not_message", "no_contact",
                                  "no_template"};
  return (unsigned)r < 5 ? k[r] : NULL;
}

ij_err ij_message_language_parse(const char *s, ij_message_language *out) {
  if (s && strcmp(s, "en") == 0) {
    *out = IJ_LANGUAGE_EN;
    return IJ_OK;
  }
  if (s && strcmp(s, "cy") == 0) {
    *out = IJ_LANGUAGE_CY;
    return IJ_OK;
  }
  return IJ_ERR_INVALID;
}

ij_err ij_domain_message_language_check(const char *s, const char *field, ij_field_errors *errs) {
  ij_message_language l;
  if (ij_message_language_parse(s, &l) == IJ_OK)
    return IJ_OK;
  ij_field_errors_add(errs, field, "must be \"en\" or \"cy\"");
  return IJ_ERR_INVALID;
}

/* ---- addresses ---- */

bool ij_domain_mobile(const char *phone, char out[IJ_PHONE_BUF]) {
  char d[IJ_PHONE_BUF];
  size_t n = 0;
  if (out)
    out[0] = '\0';
  if (!phone)
    return false;
  for (const char *p = phone; *p; p++) {
    if (*p == ' ' || *p == '-' || *p == '(' || *p == ')')
      continue;
    bool plus = *p == '+' && n == 0;
    if (!plus && (*p < '0' || *p > '9'))
      return false;
    if (n + 1 >= sizeof d)
      return false;
    d[n++] = *p;
  }
  d[n] = '\0';
  bool ok = false;
  if (n == 11 && strncmp(d, "07", 2) == 0)
    ok = true;
  else if (n == 13 && strncmp(d, "+447", 4) == 0)
    ok = true;
  else if (n == 12 && strncmp(d, "447", 3) == 0)
    ok = true;
  else if (d[0] == '+' && strncmp(d, "+44", 3) != 0 && n - 1 >= 8 && n - 1 <= 15 && d[1] != '0')
    ok = true;
  if (ok && out)
    memcpy(out, d, n + 1);
  return ok;
}

bool ij_domain_email_address(const char *s) {
  if (!s)
    return false;
  size_t n = strlen(s);
  if (n < 3 || n > 320)
    return false;
  const char *at = strchr(s, '@');
  if (!at || at == s || strchr(at + 1, '@'))
    return false;
  for (const char *p = s; *p; p++)
    if ((unsigned char)*p <= ' ' || *p == 0x7f)
      return false;
  const char *host = at + 1;
  const char *dot = strchr(host, '.');
  return dot && dot != host && host[strlen(host) - 1] != '.';
}

/* ---- routing ---- */

static bool pick_contact(const char *phone, const char *email, ij_message_route *out) {
  char mobile[IJ_PHONE_BUF];
  if (ij_domain_mobile(phone, mobile)) {
    out->channel = IJ_CHANNEL_SMS;
    ij_str_copy(out->to, sizeof out->to, mobile);
    return true;
  }
  if (ij_domain_email_address(email)) {
    out->channel = IJ_CHANNEL_EMAIL;
    ij_str_copy(out->to, sizeof out->to, email);
    return true;
  }
  return false;
}

/* A victim's single contact: a mobile, else an e-mail address. */
static bool pick_victim_contact(const char *contact, ij_message_route *out) {
  return pick_contact(contact, contact, out);
}

bool ij_domain_message_route(ij_message_kind kind, const ij_message_party *party, bool welsh,
                             const ij_message_templates *templates, ij_date today,
                             ij_message_route *out) {
  memset(out, 0, sizeof *out);
  if ((unsigned)kind >= IJ_MESSAGE_KIND_COUNT)
    return false;
  ij_message_language asked = IJ_LANGUAGE_EN;
  ij_message_language_parse(party->message_language, &asked);
  out->language = asked == IJ_LANGUAGE_CY && welsh ? IJ_LANGUAGE_CY : IJ_LANGUAGE_EN;
  bool found;
  if (k_kinds[kind].audience == IJ_MESSAGE_TO_VICTIM) {
    if (!ij_domain_victim_updated(party->victim_keep_updated, party->victim_contact != NULL))
      return false;
    out->recipient = IJ_RECIPIENT_VICTIM;
    found = pick_victim_contact(party->victim_contact, out);
  } else {
    bool minor = ij_age_years(party->date_of_birth, today) < IJ_ADULT_AGE;
    out->recipient = minor ? IJ_RECIPIENT_GUARDIAN : IJ_RECIPIENT_PERSON;
    out->recipient_name = minor ? party->guardian_name : party->person_name;
    if (!party->contact_consent) {
      out->not_sent = IJ_NOT_SENT_NO_CONSENT;
      return true;
    }
    if (party->do_not_message) {
      out->not_sent = IJ_NOT_SENT_DO_NOT_MESSAGE;
      return true;
    }
    found = minor ? pick_contact(party->guardian_phone, party->guardian_email, out)
                  : pick_contact(party->phone, party->email, out);
  }
  if (!found) {
    out->channel = IJ_CHANNEL_NONE;
    out->to[0] = '\0';
    out->not_sent = IJ_NOT_SENT_NO_CONTACT;
    return true;
  }
  const char *id = templates ? templates->ids[out->language][out->channel - 1] : NULL;
  if (!id && out->language != IJ_LANGUAGE_EN) {
    out->language = IJ_LANGUAGE_EN;
    id = templates->ids[IJ_LANGUAGE_EN][out->channel - 1];
  }
  if (!id) {
    out->not_sent = IJ_NOT_SENT_NO_TEMPLATE;
    return true;
  }
  out->template_id = id;
  return true;
}

/* ---- personalisation ---- */

static void ymd_of(ij_date d, int *y, int *m, int *day) {
  char buf[IJ_DATE_BUF];
  ij_date_format(d, buf);
  *y = atoi(buf);
  *m = atoi(buf + 5);
  *day = atoi(buf + 8);
}

void ij_domain_message_date(ij_date d, ij_message_language lang, char out[IJ_MESSAGE_TEXT_BUF]) {
  static const char *const k_days_en[] = {"Thursday", "Friday",  "Saturday", "Sunday",
                                          "Monday",   "Tuesday", "Wednesday"};
  static const char *const k_days_cy[] = {"Dydd Iau",  "Dydd Gwener", "Dydd Sadwrn", "Dydd Sul",
                                          "Dydd Llun", "Dydd Mawrth", "Dydd Mercher"};
  static const char *const k_months_en[] = {"January",   "February", "March",    "April",
                                            "May",       "June",     "July",     "August",
                                            "September", "October",  "November", "December"};
  static const char *const k_months_cy[] = {"Ionawr", "Chwefror", "Mawrth",     "Ebrill",
                                            "Mai",    "Mehefin",  "Gorffennaf", "Awst",
                                            "Medi",   "Hydref",   "Tachwedd",   "Rhagfyr"};
  int y, m, day;
  ymd_of(d, &y, &m, &day);
  int wd = (int)(((int64_t)d % 7 + 7) % 7); /* 1970-01-01 was a Thursday */
  bool cy = lang == IJ_LANGUAGE_CY;
  snprintf(out, IJ_MESSAGE_TEXT_BUF, "%s %d %s %d", cy ? k_days_cy[wd] : k_days_en[wd], day,
           cy ? k_months_cy[m - 1] : k_months_en[m - 1], y);
}

void ij_domain_message_time(ij_time_us t, char out[IJ_MESSAGE_TEXT_BUF]) {
  int minutes = ij_london_minutes(t);
  int h = minutes / 60, mm = minutes % 60;
  int h12 = h % 12 == 0 ? 12 : h % 12;
  snprintf(out, IJ_MESSAGE_TEXT_BUF, "%d:%02d%s", h12, mm, h < 12 ? "am" : "pm");
}

static void put(ij_message_field *f, const char *key, const char *value) {
  f->key = key;
  ij_str_copy(f->value, sizeof f->value, value ? value : "");
  ij_text_utf8_trim(f->value);
}

static void work_type_text(const char *label, char *out, size_t size) {
  ij_str_copy(out, size, label ? label : "");
  for (char *p = out; *p; p++) {
    if (*p >= 'A' && *p <= 'Z')
      *p = (char)(*p - 'A' + 'a');
    if (*p == '_')
      *p = ' ';
  }
}

int ij_domain_message_personalise(ij_message_kind kind, ij_message_language lang,
                                  const ij_message_facts *facts,
                                  ij_message_field out[IJ_MESSAGE_FIELDS_MAX]) {
  if ((unsigned)kind >= IJ_MESSAGE_KIND_COUNT)
    return 0;
  bool victim = k_kinds[kind].audience == IJ_MESSAGE_TO_VICTIM;
  int n = 0;
  for (const char *const *f = k_kinds[kind].fields; *f && n < IJ_MESSAGE_FIELDS_MAX; f++, n++) {
    char buf[IJ_MESSAGE_VALUE_BUF];
    const char *key = *f;
    if (strcmp(key, "name") == 0) {
      put(&out[n], key, facts->name);
    } else if (strcmp(key, "person_name") == 0) {
      put(&out[n], key, facts->person_name);
    } else if (strcmp(key, "date") == 0) {
      ij_time_us at = victim ? facts->work_date : facts->starts_at;
      ij_domain_message_date(ij_london_date(at), lang, buf);
      put(&out[n], key, buf);
    } else if (strcmp(key, "start_time") == 0) {
      ij_domain_message_time(facts->starts_at, buf);
      put(&out[n], key, buf);
    } else if (strcmp(key, "end_time") == 0) {
      ij_domain_message_time(facts->ends_at, buf);
      put(&out[n], key, buf);
    } else if (strcmp(key, "place") == 0) {
      put(&out[n], key, facts->place);
    } else if (strcmp(key, "what_to_bring") == 0) {
      put(&out[n], key, facts->what_to_bring);
    } else if (strcmp(key, "previous_date") == 0) {
      ij_domain_message_date(ij_london_date(facts->previous_starts_at), lang, buf);
      put(&out[n], key, buf);
    } else if (strcmp(key, "previous_start_time") == 0) {
      ij_domain_message_time(facts->previous_starts_at, buf);
      put(&out[n], key, buf);
    } else if (strcmp(key, "hours") == 0) {
      snprintf(buf, sizeof buf, "%d", facts->hours);
      put(&out[n], key, buf);
    } else if (strcmp(key, "work_type") == 0) {
      work_type_text(facts->work_type, buf, sizeof buf);
      put(&out[n], key, buf);
    } else {
      put(&out[n], key, "");
    }
  }
  return n;
}

int ij_domain_messages_for_event(ij_event e, ij_message_kind out[IJ_MESSAGES_PER_EVENT_MAX]) {
  switch (e) {
  case IJ_EVENT_COMPLETE:
    out[0] = IJ_MESSAGE_HOURS_COMPLETED;
    out[1] = IJ_MESSAGE_VICTIM_WORK_COMPLETED;
    return 2;
  case IJ_EVENT_ATTEND:
    out[0] = IJ_MESSAGE_VICTIM_WORK_STARTED;
    return 1;
  default:
    return 0;
  }
}
