/* Validation of a new referral: every problem is collected, each on its field's JSON path. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "domain_internal.h"

#define MIN_AGE 10 /* the age of criminal responsibility in England and Wales */
#define MAX_AGE 120
#define MAX_EMAIL 254
#define MAX_POLICE_ID 64

static const char *const k_categories[] = {
#define IJ_CATEGORY_ENTRY(name) name,
    IJ_OFFENCE_CATEGORY_LIST(IJ_CATEGORY_ENTRY)
#undef IJ_CATEGORY_ENTRY
};

static const char *const k_disposals[] = {
#define IJ_DISPOSAL_ENTRY(name) name,
    IJ_DISPOSAL_LIST(IJ_DISPOSAL_ENTRY)
#undef IJ_DISPOSAL_ENTRY
};

typedef struct {
  ij_field_errors *errs; /* may be NULL */
  int count;             /* problems found, also past the list's capacity */
} problems;

static void problem(problems *p, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void problem(problems *p, const char *field, const char *fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n < 0) {
    buf[0] = '\0';
  }
  ij_field_errors_add(p->errs, field, "%s", buf);
  p->count++;
}

static bool in_list(const char *s, const char *const *list, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (strcmp(s, list[i]) == 0) {
      return true;
    }
  }
  return false;
}

/* A required value from a fixed list of codes. */
static void check_choice(problems *p, const char *field, const char *value, const char *const *list,
                         size_t n) {
  if (value == NULL) {
    problem(p, field, "is required");
    return;
  }
  if (in_list(value, list, n)) {
    return;
  }
  char choices[256] = "";
  size_t used = 0;
  for (size_t i = 0; i < n && used < sizeof choices; i++) {
    int w = snprintf(choices + used, sizeof choices - used, "%s%s", i > 0 ? ", " : "", list[i]);
    if (w < 0) {
      break;
    }
    used += (size_t)w;
  }
  problem(p, field, "must be one of: %s", choices);
}

static void check_note(problems *p, const char *field, const char *value) {
  if (value != NULL && strlen(value) > IJ_MAX_NOTE) {
    problem(p, field, "is too long (at most %d bytes)", IJ_MAX_NOTE);
  }
}

static bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

/* local@domain.tld: a plain local part, dot-separated domain labels of letters, digits and
 * hyphens, and a top-level label of at least two letters. Deliberately simple. */
static bool looks_like_email(const char *s) {
  const char *at = strchr(s, '@');
  if (at == NULL || at == s || strchr(at + 1, '@') != NULL || at - s > 64) {
    return false;
  }
  for (const char *c = s; c < at; c++) {
    if (*c <= ' ' || *c >= 0x7f) {
      return false;
    }
  }
  int labels = 0;
  size_t label_len = 0;
  bool tld_alpha = true;
  for (const char *c = at + 1;; c++) {
    if (*c == '.' || *c == '\0') {
      if (label_len == 0 || label_len > 63 || c[-1] == '-') {
        return false;
      }
      labels++;
      if (*c == '\0') {
        break;
      }
      label_len = 0;
      tld_alpha = true;
      continue;
    }
    if (!is_alpha(*c) && !is_digit(*c) && !(*c == '-' && label_len > 0)) {
      return false;
    }
    if (!is_alpha(*c)) {
      tld_alpha = false;
    }
    label_len++;
  }
  return labels >= 2 && tld_alpha && label_len >= 2;
}

/* Digits, spaces, +, (, ) and -; 6 to 32 characters with at least 6 digits. */
static bool looks_like_phone(const char *s) {
  size_t len = strlen(s);
  int digits = 0;
  if (len < 6 || len > 32) {
    return false;
  }
  for (const char *c = s; *c != '\0'; c++) {
    if (is_digit(*c)) {
      digits++;
    } else if (strchr(" +()-", *c) == NULL) {
      return false;
    }
  }
  return digits >= 6;
}

/* A UK postcode's shape, any case, with at most one space before the inward code: outward
 * A9, A99, AA9, AA99, A9A or AA9A; inward 9AA. */
static bool looks_like_postcode(const char *s) {
  size_t len = strlen(s);
  char compact[8];
  size_t n = 0;
  if (len < 5 || len > 8) {
    return false;
  }
  for (size_t i = 0; i < len; i++) {
    if (s[i] == ' ') {
      if (i != len - 4 || i == 0) { /* only one space, right before the inward code */
        return false;
      }
      continue;
    }
    if (n >= 7) {
      return false;
    }
    compact[n++] = s[i];
  }
  if (n < 5) {
    return false;
  }
  const char *in = compact + n - 3;
  if (!is_digit(in[0]) || !is_alpha(in[1]) || !is_alpha(in[2])) {
    return false;
  }
  size_t out_len = n - 3;
  size_t i = 0;
  if (!is_alpha(compact[i++])) {
    return false;
  }
  if (i < out_len && is_alpha(compact[i])) {
    i++;
  }
  if (i >= out_len || !is_digit(compact[i++])) {
    return false;
  }
  if (i < out_len && (is_digit(compact[i]) || is_alpha(compact[i]))) {
    i++;
  }
  return i == out_len;
}

static bool is_printable_ascii(const char *s) {
  for (const char *c = s; *c != '\0'; c++) {
    if (*c < 0x20 || *c > 0x7e) {
      return false;
    }
  }
  return true;
}

static size_t trimmed_length(const char *s) {
  const char *end = s + strlen(s);
  while (*s == ' ') {
    s++;
  }
  while (end > s && end[-1] == ' ') {
    end--;
  }
  return (size_t)(end - s);
}

static void check_person(problems *p, const ij_person_input *person) {
  if (person->name == NULL) {
    problem(p, "person.name", "is required");
  } else if (ij_text_has_control(person->name)) {
    problem(p, "person.name", "must not contain control characters");
  } else if (trimmed_length(person->name) == 0) {
    problem(p, "person.name", "must not be blank");
  } else if (trimmed_length(person->name) > IJ_MAX_NAME) {
    problem(p, "person.name", "is too long (at most %d bytes)", IJ_MAX_NAME);
  }

  if (person->email != NULL) {
    if (strlen(person->email) > MAX_EMAIL) {
      problem(p, "person.email", "is too long (at most %d characters)", MAX_EMAIL);
    } else if (!looks_like_email(person->email)) {
      problem(p, "person.email", "must be an e-mail address like name@example.org");
    }
  }
  if (person->phone != NULL && !looks_like_phone(person->phone)) {
    problem(p, "person.phone",
            "must be a phone number of 6 to 32 characters: digits, spaces, +, ( ) and -");
  }
  if (person->postcode != NULL && !looks_like_postcode(person->postcode)) {
    problem(p, "person.postcode", "must be a UK postcode like DE1 1AA");
  }
  if (person->police_id != NULL &&
      (person->police_id[0] == '\0' || strlen(person->police_id) > MAX_POLICE_ID ||
       !is_printable_ascii(person->police_id) || ij_text_is_blank(person->police_id))) {
    problem(p, "person.police_id", "must be 1 to %d printable characters", MAX_POLICE_ID);
  }
  check_note(p, "person.address", person->address);
  check_note(p, "person.needs_notes", person->needs_notes);
  check_note(p, "person.risk_notes", person->risk_notes);
}

/* A required date, not after `today`; true (with *out set) when it is usable. */
static bool check_date(problems *p, const char *field, const char *value, ij_date today,
                       ij_date *out) {
  if (value == NULL) {
    problem(p, field, "is required");
    return false;
  }
  if (ij_date_parse(value, out) != IJ_OK) {
    problem(p, field, "must be a date YYYY-MM-DD");
    return false;
  }
  if (*out > today) {
    problem(p, field, "must not be in the future");
    return false;
  }
  return true;
}

static void check_dates(problems *p, const ij_referral_input *in, ij_time_us now,
                        ij_referral_derived *out) {
  ij_date today = ij_time_date(now);
  ij_date dob = 0, offence = 0;
  bool dob_ok = check_date(p, "person.date_of_birth", in->person.date_of_birth, today, &dob);
  bool offence_ok = check_date(p, "offence.date", in->offence_date, today, &offence);
  if (dob_ok && offence_ok) {
    if (offence < dob) {
      problem(p, "offence.date", "must not be before the person's date of birth");
      offence_ok = false;
    } else {
      int age = ij_age_years(dob, offence);
      if (age < MIN_AGE) {
        problem(p, "person.date_of_birth",
                "the person must be at least %d on the offence date (the age of criminal "
                "responsibility)",
                MIN_AGE);
        dob_ok = false;
      } else if (age > MAX_AGE) {
        problem(p, "person.date_of_birth", "gives an age over %d on the offence date", MAX_AGE);
        dob_ok = false;
      }
    }
  }
  if (out != NULL && dob_ok) {
    out->date_of_birth = dob;
  }
  if (out != NULL && offence_ok) {
    out->offence_date = offence;
  }
}

static void check_victim(problems *p, const ij_referral_input *in) {
  if (!in->has_victim) {
    return;
  }
  if (in->victim_consulted < -1 || in->victim_consulted > 1) {
    problem(p, "victim.consulted", "must be true or false");
  }
  if (in->victim_keep_updated < -1 || in->victim_keep_updated > 1) {
    problem(p, "victim.keep_updated", "must be true or false");
  }
  check_note(p, "victim.preference", in->victim_preference);
  if (in->victim_keep_updated == 1 && ij_text_is_blank(in->victim_contact)) {
    problem(p, "victim.contact", "a victim who asks to be kept updated needs a contact");
  } else {
    check_note(p, "victim.contact", in->victim_contact);
  }
}

static const char *const k_relationships[] = {
#define IJ_RELATIONSHIP_ENTRY(name) name,
    IJ_GUARDIAN_RELATIONSHIP_LIST(IJ_RELATIONSHIP_ENTRY)
#undef IJ_RELATIONSHIP_ENTRY
};

/* A guardian's fields are checked for shape whenever given; under 18 on the day of referral
 * (`required`), every row of the domain's guardian table must hold as well, each missing one
 * named. From 18 a guardian may be given (a carer, say) and is kept, but nothing is required. */
int ij_domain_guardian_shape(const ij_guardian_input *g, ij_field_errors *errs) {
  problems q = {errs, 0};
  problems *p = &q;
  if (g->name != NULL && ij_text_has_control(g->name)) {
    problem(p, "guardian.name", "must not contain control characters");
  } else if (g->name != NULL && trimmed_length(g->name) > IJ_MAX_NAME) {
    problem(p, "guardian.name", "is too long (at most %d bytes)", IJ_MAX_NAME);
  }
  if (g->relationship != NULL) {
    check_choice(p, "guardian.relationship", g->relationship, k_relationships,
                 sizeof k_relationships / sizeof k_relationships[0]);
  }
  if (g->phone != NULL && !looks_like_phone(g->phone)) {
    problem(p, "guardian.phone",
            "must be a phone number of 6 to 32 characters: digits, spaces, +, ( ) and -");
  }
  if (g->email != NULL && (strlen(g->email) > MAX_EMAIL || !looks_like_email(g->email))) {
    problem(p, "guardian.email", "must be an e-mail address like name@example.org");
  }
  return q.count;
}

static void check_guardian(problems *p, const ij_referral_input *in, bool required) {
  const ij_guardian_input *g = &in->guardian;
  if (in->has_guardian) {
    p->count += ij_domain_guardian_shape(g, p->errs);
  }
  if (!required) {
    return;
  }
  ij_guardian_input none = {NULL, NULL, NULL, NULL, -1};
  const ij_guardian_input *given = in->has_guardian ? g : &none;
  int n = 0;
  const ij_guardian_rule *rules = ij_domain_guardian_rules(&n);
  for (int i = 0; i < n; i++) {
    if (!rules[i].given(given)) {
      problem(p, rules[i].field, "%s", rules[i].message);
    }
  }
}

ij_err ij_domain_referral_validate(const ij_referral_input *in, const ij_area_rules *rules,
                                   ij_time_us now, ij_referral_derived *out,
                                   ij_field_errors *errs) {
  if (out != NULL) {
    memset(out, 0, sizeof *out);
  }
  if (in == NULL) {
    return IJ_ERR_INTERNAL;
  }
  rules = ij_domain_rules_or_default(rules);
  problems p = {errs, 0};

  check_person(&p, &in->person);
  check_dates(&p, in, now, out);

  check_choice(&p, "offence.category", in->offence_category, k_categories,
               sizeof k_categories / sizeof k_categories[0]);
  check_note(&p, "offence.description", in->offence_description);
  check_note(&p, "offence.location", in->offence_location);
  if (in->ward == NULL) {
    problem(&p, "offence.ward", "is required");
  } else if (!ij_text_is_code(in->ward, IJ_MAX_CODE, "_-")) {
    problem(&p, "offence.ward", "must be a ward code of 1 to %d characters a-z, 0-9, _ and -",
            IJ_MAX_CODE);
  }
  check_choice(&p, "disposal", in->disposal, k_disposals,
               sizeof k_disposals / sizeof k_disposals[0]);

  if (in->message_language && strcmp(in->message_language, "en") != 0 &&
      strcmp(in->message_language, "cy") != 0)
    problem(&p, "message_language", "must be \"en\" or \"cy\"");
  if (in->consent_recorded == -1) {
    problem(&p, "consent_recorded", "is required");
  } else if (in->consent_recorded != 1) {
    problem(&p, "consent_recorded", "consent to take part must be recorded before referral");
  }

  int hours = rules->hours_default;
  if (in->has_hours_proposed) {
    hours = in->hours_proposed;
    if (hours < rules->hours_min || hours > rules->hours_max) {
      problem(&p, "hours_proposed", "must be between %d and %d hours", rules->hours_min,
              rules->hours_max);
    } else if (out != NULL) {
      out->hours_proposed = hours;
    }
  } else if (out != NULL) {
    out->hours_proposed = hours;
  }

  check_victim(&p, in);

  ij_date dob = 0;
  bool dob_known = in->person.date_of_birth != NULL &&
                   ij_date_parse(in->person.date_of_birth, &dob) == IJ_OK &&
                   dob <= ij_time_date(now);
  check_guardian(&p, in, dob_known && ij_domain_guardian_required(dob, ij_time_date(now)));

  if (out != NULL) {
    out->target_start_by = ij_domain_target_start_by(now, rules);
  }
  return p.count > 0 ? IJ_ERR_INVALID : IJ_OK;
}

bool ij_domain_phone_ok(const char *s) {
  return s != NULL && looks_like_phone(s);
}

bool ij_domain_email_ok(const char *s) {
  return s != NULL && strlen(s) <= MAX_EMAIL && looks_like_email(s);
}

bool ij_domain_postcode_ok(const char *s) {
  return s != NULL && looks_like_postcode(s);
}
