/* Keeping people apart, and the parent or guardian of a person under 18: the rules of both, as
 * tables where they are lists. Whether two people booked together are non-associated is a fact
 * the booking check reads (bookings.c); the guardian's fields are checked with the rest of a new
 * referral (validate.c), through the table here. */
#include <stdio.h>
#include <string.h>

#include "domain_internal.h"

bool ij_domain_guardian_required(ij_date date_of_birth, ij_date referred_on) {
  int age = ij_age_years(date_of_birth, referred_on);
  return age >= 0 && age < IJ_ADULT_AGE;
}

static bool name_given(const ij_guardian_input *g) {
  return !ij_text_is_blank(g->name);
}
static bool relationship_given(const ij_guardian_input *g) {
  return g->relationship != NULL;
}
static bool contact_given(const ij_guardian_input *g) {
  return !ij_text_is_blank(g->phone) || !ij_text_is_blank(g->email);
}
static bool consent_given(const ij_guardian_input *g) {
  return g->consent == 1;
}

static const ij_guardian_rule k_guardian_rules[] = {
    {"guardian.name", name_given, "a person under 18 needs a parent or guardian: their name"},
    {"guardian.relationship", relationship_given,
     "a person under 18 needs a parent or guardian: their relationship to the person"},
    {"guardian.phone", contact_given,
     "a person under 18 needs a parent or guardian who can be contacted: a phone number or an "
     "e-mail address (guardian.email)"},
    {"guardian.consent", consent_given,
     "a person under 18 takes part only with their parent or guardian's consent, recorded as "
     "true"},
};

const ij_guardian_rule *ij_domain_guardian_rules(int *count) {
  *count = (int)(sizeof k_guardian_rules / sizeof k_guardian_rules[0]);
  return k_guardian_rules;
}

static const char *const k_reasons[] = {
#define IJ_REASON_ENTRY(name) name,
    IJ_NON_ASSOCIATION_REASON_LIST(IJ_REASON_ENTRY)
#undef IJ_REASON_ENTRY
};

static bool reason_known(const char *s) {
  for (size_t i = 0; i < sizeof k_reasons / sizeof k_reasons[0]; i++)
    if (strcmp(s, k_reasons[i]) == 0)
      return true;
  return false;
}

ij_err ij_domain_non_association_validate(const ij_non_association_input *in,
                                          ij_field_errors *errs) {
  if (in == NULL)
    return IJ_ERR_INTERNAL;
  int problems = 0;
  const char *field = in->ids_field ? in->ids_field : "person_ids";
  if (in->id_count < 0) {
    ij_field_errors_add(errs, "person_ids",
                        "give the two people as person_ids, or their referrals as referral_ids");
    problems++;
  } else if (in->id_count != 2) {
    ij_field_errors_add(errs, field, "must list exactly two ids");
    problems++;
  } else {
    for (int i = 0; i < 2; i++) {
      if (in->ids[i] == NULL) {
        char item[64];
        snprintf(item, sizeof item, "%s[%d]", field, i);
        ij_field_errors_add(errs, item, "must be a UUID");
        problems++;
      }
    }
    if (in->ids[0] && in->ids[1] && strcmp(in->ids[0], in->ids[1]) == 0) {
      ij_field_errors_add(errs, field, "must name two different ids");
      problems++;
    }
  }
  if (in->reason == NULL) {
    ij_field_errors_add(errs, "reason", "is required");
    problems++;
  } else if (!reason_known(in->reason)) {
    ij_field_errors_add(errs, "reason",
                        "must be one of: co_offenders, victim, safeguarding, other");
    problems++;
  }
  if (in->notes != NULL && strlen(in->notes) > IJ_MAX_NOTE) {
    ij_field_errors_add(errs, "notes", "is too long (at most %d bytes)", IJ_MAX_NOTE);
    problems++;
  } else if (in->reason && strcmp(in->reason, "other") == 0 && ij_text_is_blank(in->notes)) {
    ij_field_errors_add(errs, "notes", "say why when the reason is other");
    problems++;
  }
  return problems ? IJ_ERR_INVALID : IJ_OK;
}

ij_err ij_domain_non_association_people(const char *person_a, const char *person_b,
                                        const char *ids_field, ij_field_errors *errs) {
  if (!person_a || !person_b)
    return IJ_ERR_INTERNAL;
  if (strcmp(person_a, person_b) == 0) {
    ij_field_errors_add(errs, ids_field ? ids_field : "person_ids",
                        "both name the same person; a person cannot be kept apart from themselves");
    return IJ_ERR_INVALID;
  }
  return IJ_OK;
}

/* Characters (code points) of well-formed UTF-8: the bytes that do not continue a sequence. */
static size_t utf8_chars(const char *s) {
  size_t n = 0;
  for (; *s; s++)
    if (((unsigned char)*s & 0xC0) != 0x80)
      n++;
  return n;
}

ij_err ij_domain_non_association_end_reason(const char *reason, ij_field_errors *errs) {
  const char *problem = NULL;
  if (reason == NULL)
    return IJ_OK;
  if (!ij_text_utf8_valid(reason))
    problem = "must be UTF-8 text";
  else if (ij_text_is_blank(reason))
    problem = "must not be blank: leave it out, or say why the non-association ends";
  else if (utf8_chars(reason) > IJ_NON_ASSOCIATION_END_REASON_MAX)
    problem = "is too long (at most 500 characters)";
  else if (ij_text_has_control(reason))
    problem = "must not contain control characters";
  if (problem == NULL)
    return IJ_OK;
  ij_field_errors_add(errs, "reason", "%s", problem);
  return IJ_ERR_INVALID;
}
