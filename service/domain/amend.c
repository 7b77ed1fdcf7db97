/* Amending a referral: the table of who may correct which fields in which states, and the checks
 * on the new values. Officers correct their own referrals: everything amendable until a
 * coordinator has triaged it, and how to reach the person for as long as the referral is open.
 * Coordinators correct any referral of the area while it is open, except the hours proposed,
 * which acceptance replaces by the hours confirmed. How to reach the parent or guardian of a person
 * under 18 is corrected like the person's own contact details, and checked as when the referral is
 * made; such a referral keeps a guardian's name, relationship and a phone or e-mail address. Their
 * consent is not amended: it was given for the referral as made. Nobody amends an ended referral
 * (rejected, withdrawn, closed): its record is what retention will erase. The person's name, date
 * of birth and police identifier are not amended here: they decide who the person is (one record
 * across referrals), so a wrong one means withdrawing the referral as made in error and referring
 * again.
 */
#include <string.h>

#include "domain_internal.h"
#include "ij/amend.h"

static const struct {
  const char *path;
  ij_amend_group group;
  bool nullable;
} k_fields[IJ_AMEND__COUNT] = {
#define IJ_AMEND_FIELD_ENTRY(code, path, group, nullable) [code] = {path, group, nullable},
    IJ_AMEND_FIELD_LIST(IJ_AMEND_FIELD_ENTRY)
#undef IJ_AMEND_FIELD_ENTRY
};

#define BIT(s) (1u << (s))
#define SUBMITTED BIT(IJ_STATE_SUBMITTED)
/* Every state but the ended ones (rejected, withdrawn, closed). */
#define OPEN                                                                    \
  (BIT(IJ_STATE_SUBMITTED) | BIT(IJ_STATE_ACCEPTED) | BIT(IJ_STATE_SCHEDULED) | \
   BIT(IJ_STATE_IN_PROGRESS) | BIT(IJ_STATE_COMPLETED) | BIT(IJ_STATE_NON_COMPLIANT))

static const ij_amend_rule k_rules[] = {
    {IJ_AMEND_GROUP_CONTACT, IJ_ROLE_OFFICER, true, OPEN},
    {IJ_AMEND_GROUP_NOTES, IJ_ROLE_OFFICER, true, SUBMITTED},
    {IJ_AMEND_GROUP_OFFENCE, IJ_ROLE_OFFICER, true, SUBMITTED},
    {IJ_AMEND_GROUP_VICTIM, IJ_ROLE_OFFICER, true, SUBMITTED},
    {IJ_AMEND_GROUP_HOURS, IJ_ROLE_OFFICER, true, SUBMITTED},
    {IJ_AMEND_GROUP_GUARDIAN, IJ_ROLE_OFFICER, true, OPEN},
    {IJ_AMEND_GROUP_CONTACT, IJ_ROLE_COORDINATOR, false, OPEN},
    {IJ_AMEND_GROUP_NOTES, IJ_ROLE_COORDINATOR, false, OPEN},
    {IJ_AMEND_GROUP_OFFENCE, IJ_ROLE_COORDINATOR, false, OPEN},
    {IJ_AMEND_GROUP_VICTIM, IJ_ROLE_COORDINATOR, false, OPEN},
    {IJ_AMEND_GROUP_HOURS, IJ_ROLE_COORDINATOR, false, SUBMITTED},
    {IJ_AMEND_GROUP_GUARDIAN, IJ_ROLE_COORDINATOR, false, OPEN},
    {IJ_AMEND_GROUP_MESSAGES, IJ_ROLE_OFFICER, true, OPEN},
    {IJ_AMEND_GROUP_MESSAGES, IJ_ROLE_COORDINATOR, false, OPEN},
};

/* Fields of a referral that are not amended here, and why. */
static const struct {
  const char *path;
  const char *why;
} k_fixed[] = {
    {"person.name", "identifies the person and is not amended; if it is wrong, withdraw the "
                    "referral as made_in_error and refer again"},
    {"person.date_of_birth", "identifies the person and is not amended; if it is wrong, withdraw "
                             "the referral as made_in_error and refer again"},
    {"person.police_id", "identifies the person and is not amended; if it is wrong, withdraw the "
                         "referral as made_in_error and refer again"},
    {"offence.date", "fixes the age at the offence and is not amended; if it is wrong, withdraw "
                     "the referral as made_in_error and refer again"},
    {"disposal", "is the disposal the referral rests on and is not amended"},
    {"consent_recorded", "is recorded once, when the referral is made"},
    {"victim.consulted", "is recorded once, when the referral is made"},
    {"victim.keep_updated", "is recorded once, when the referral is made"},
    {"victim.contact", "is recorded once, when the referral is made"},
    {"guardian.consent", "is given once, for the referral as made, and is not amended; a new "
                         "consent means a new referral (withdraw this one and refer again)"},
};

static const char *const k_categories[] = {
#define IJ_AMEND_CATEGORY_ENTRY(name) name,
    IJ_OFFENCE_CATEGORY_LIST(IJ_AMEND_CATEGORY_ENTRY)
#undef IJ_AMEND_CATEGORY_ENTRY
};

const char *ij_amend_field_path(ij_amend_field f) {
  return (unsigned)f < IJ_AMEND__COUNT ? k_fields[f].path : NULL;
}

ij_amend_group ij_amend_field_group(ij_amend_field f) {
  return (unsigned)f < IJ_AMEND__COUNT ? k_fields[f].group : IJ_AMEND_GROUP__COUNT;
}

ij_err ij_amend_field_parse(const char *path, ij_amend_field *out) {
  for (int f = 0; path != NULL && f < IJ_AMEND__COUNT; f++) {
    if (strcmp(path, k_fields[f].path) == 0) {
      *out = (ij_amend_field)f;
      return IJ_OK;
    }
  }
  return IJ_ERR_INVALID;
}

const char *ij_domain_amend_fixed(const char *path) {
  for (size_t i = 0; path != NULL && i < sizeof k_fixed / sizeof k_fixed[0]; i++) {
    if (strcmp(path, k_fixed[i].path) == 0) {
      return k_fixed[i].why;
    }
  }
  return NULL;
}

const ij_amend_rule *ij_domain_amend_rules(size_t *count) {
  *count = sizeof k_rules / sizeof k_rules[0];
  return k_rules;
}

static bool is_category(const char *s) {
  for (size_t i = 0; i < sizeof k_categories / sizeof k_categories[0]; i++) {
    if (strcmp(s, k_categories[i]) == 0) {
      return true;
    }
  }
  return false;
}

/* The value of a text field that is given and not null: its shape. */
static void check_text(ij_amend_field f, const char *v, ij_field_errors *errs) {
  const char *path = k_fields[f].path;
  if (ij_text_is_blank(v)) {
    ij_field_errors_add(errs, path,
                        k_fields[f].nullable ? "must not be blank (null clears it)"
                                             : "must not be blank");
    return;
  }
  switch (f) {
  case IJ_AMEND_PHONE:
    if (!ij_domain_phone_ok(v)) {
      ij_field_errors_add(
          errs, path, "must be a phone number of 6 to 32 characters: digits, spaces, +, ( ) and -");
    }
    break;
  case IJ_AMEND_EMAIL:
    if (!ij_domain_email_ok(v)) {
      ij_field_errors_add(errs, path, "must be an e-mail address like name@example.org");
    }
    break;
  case IJ_AMEND_POSTCODE:
    if (!ij_domain_postcode_ok(v)) {
      ij_field_errors_add(errs, path, "must be a UK postcode like DE1 1AA");
    }
    break;
  case IJ_AMEND_OFFENCE_CATEGORY:
    if (!is_category(v)) {
      ij_field_errors_add(errs, path,
                          "must be one of: asb, harassment, public_order, drunk_and_disorderly, "
                          "shop_theft, cannabis_possession, criminal_damage, other");
    }
    break;
  case IJ_AMEND_CONTACT_CONSENT:
  case IJ_AMEND_DO_NOT_MESSAGE:
    if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0) {
      ij_field_errors_add(errs, path, "must be true or false");
    }
    break;
  case IJ_AMEND_MESSAGE_LANGUAGE:
    if (strcmp(v, "en") != 0 && strcmp(v, "cy") != 0) {
      ij_field_errors_add(errs, path, "must be \"en\" or \"cy\"");
    }
    break;
  case IJ_AMEND_OFFENCE_WARD:
    if (!ij_text_is_code(v, IJ_MAX_CODE, "_-")) {
      ij_field_errors_add(errs, path, "must be a ward code of 1 to %d characters a-z, 0-9, _ and -",
                          IJ_MAX_CODE);
    }
    break;
  case IJ_AMEND_GUARDIAN_NAME:
  case IJ_AMEND_GUARDIAN_RELATIONSHIP:
  case IJ_AMEND_GUARDIAN_PHONE:
  case IJ_AMEND_GUARDIAN_EMAIL: {
    /* the checks made when the referral is made, on this field alone */
    ij_guardian_input g = {NULL, NULL, NULL, NULL, -1};
    const char **slot = f == IJ_AMEND_GUARDIAN_NAME           ? &g.name
                        : f == IJ_AMEND_GUARDIAN_RELATIONSHIP ? &g.relationship
                        : f == IJ_AMEND_GUARDIAN_PHONE        ? &g.phone
                                                              : &g.email;
    *slot = v;
    ij_domain_guardian_shape(&g, errs);
    break;
  }
  default:
    if (strlen(v) > IJ_MAX_NOTE) {
      ij_field_errors_add(errs, path, "is too long (at most %d bytes)", IJ_MAX_NOTE);
    } else if (ij_text_has_control(v) && f != IJ_AMEND_ADDRESS && f != IJ_AMEND_NEEDS_NOTES &&
               f != IJ_AMEND_RISK_NOTES && f != IJ_AMEND_OFFENCE_DESCRIPTION &&
               f != IJ_AMEND_VICTIM_PREFERENCE) {
      ij_field_errors_add(errs, path, "must not contain control characters");
    }
    break;
  }
}

ij_err ij_domain_amend_validate(const ij_amend_values *in, const ij_area_rules *rules,
                                ij_field_errors *errs) {
  if (in == NULL) {
    return IJ_ERR_INTERNAL;
  }
  rules = ij_domain_rules_or_default(rules);
  if ((in->given & (BIT(IJ_AMEND__COUNT) - 1)) == 0) {
    ij_field_errors_add(errs, "body", "give at least one field to amend");
    return IJ_ERR_INVALID;
  }
  /* the caller's list may hold errors already, or be full: count this call's own */
  ij_field_errors mine;
  ij_field_errors_init(&mine);
  for (int f = 0; f < IJ_AMEND__COUNT; f++) {
    if (!(in->given & BIT(f))) {
      continue;
    }
    if (f == IJ_AMEND_HOURS_PROPOSED) {
      if (in->hours_proposed < rules->hours_min || in->hours_proposed > rules->hours_max) {
        ij_field_errors_add(&mine, k_fields[f].path, "must be between %d and %d hours",
                            rules->hours_min, rules->hours_max);
      }
    } else if (in->text[f] == NULL) {
      if (!k_fields[f].nullable) {
        ij_field_errors_add(&mine, k_fields[f].path, "must not be null");
      }
    } else {
      check_text((ij_amend_field)f, in->text[f], &mine);
    }
  }
  for (int i = 0; errs != NULL && i < mine.count; i++) {
    ij_field_errors_add(errs, mine.items[i].field, "%s", mine.items[i].message);
  }
  return mine.count > 0 ? IJ_ERR_INVALID : IJ_OK;
}

/* The roles of the actor that have a rule for the group on this referral, in any state
 * (*anywhere) and in its state (the return). */
static ij_roles roles_for(const ij_actor *actor, const ij_referral_facts *facts,
                          ij_amend_group group, ij_roles *anywhere) {
  ij_roles now = 0;
  *anywhere = 0;
  for (size_t i = 0; i < sizeof k_rules / sizeof k_rules[0]; i++) {
    const ij_amend_rule *r = &k_rules[i];
    if (r->group != group || !(actor->roles & r->role)) {
      continue;
    }
    if (r->own_only && (actor->sub == NULL || facts->officer_sub == NULL ||
                        strcmp(actor->sub, facts->officer_sub) != 0)) {
      continue;
    }
    *anywhere |= r->role;
    if (r->states & BIT(facts->state)) {
      now |= r->role;
    }
  }
  return now;
}

ij_err ij_domain_amend_decide(const ij_actor *actor, const ij_referral_facts *facts,
                              bool has_victim, bool has_guardian, unsigned given,
                              ij_roles *acting_role, ij_field_errors *errs) {
  *acting_role = 0;
  if (actor == NULL || facts == NULL || (unsigned)facts->state >= IJ_STATE__COUNT) {
    return IJ_ERR_INTERNAL;
  }
  ij_roles all = IJ_ROLES_HUMAN, any = 0;
  unsigned forbidden = 0, conflict = 0;
  for (int f = 0; f < IJ_AMEND__COUNT; f++) {
    if (!(given & BIT(f))) {
      continue;
    }
    ij_roles anywhere;
    ij_roles now = roles_for(actor, facts, k_fields[f].group, &anywhere);
    if (!anywhere) {
      forbidden |= BIT(f);
    } else if (!now) {
      conflict |= BIT(f);
    }
    all &= now;
    any |= now;
  }
  if (forbidden) {
    for (int f = 0; f < IJ_AMEND__COUNT; f++) {
      if (forbidden & BIT(f)) {
        ij_field_errors_add(errs, k_fields[f].path,
                            (actor->roles & IJ_ROLE_OFFICER)
                                ? "only the referring officer or a coordinator may amend it"
                                : "your role may not amend it");
      }
    }
    return IJ_ERR_FORBIDDEN;
  }
  for (int f = 0; f < IJ_AMEND__COUNT; f++) {
    if (conflict & BIT(f)) {
      ij_field_errors_add(errs, k_fields[f].path, "cannot be amended when the referral is %s",
                          ij_state_name(facts->state));
    } else if ((given & BIT(f)) && k_fields[f].group == IJ_AMEND_GROUP_VICTIM && !has_victim) {
      conflict |= BIT(f);
      ij_field_errors_add(errs, k_fields[f].path,
                          "the referral records no victim: a victim is recorded, with their "
                          "consent, when the referral is made");
    } else if ((given & BIT(f)) && k_fields[f].group == IJ_AMEND_GROUP_GUARDIAN && !has_guardian) {
      conflict |= BIT(f);
      ij_field_errors_add(errs, k_fields[f].path,
                          "the referral records no parent or guardian: one is recorded, with "
                          "their consent, when the referral is made");
    }
  }
  if (conflict) {
    return IJ_ERR_CONFLICT;
  }
  ij_roles pick = all ? all : any;
  *acting_role = pick & (~pick + 1); /* the lowest bit */
  return *acting_role ? IJ_OK : IJ_ERR_FORBIDDEN;
}

ij_err ij_domain_amend_guardian_keeps(const ij_amend_values *in, const ij_amend_values *current,
                                      bool required, ij_field_errors *errs) {
  if (!required) {
    return IJ_OK;
  }
  const ij_amend_field fields[] = {IJ_AMEND_GUARDIAN_NAME, IJ_AMEND_GUARDIAN_RELATIONSHIP,
                                   IJ_AMEND_GUARDIAN_PHONE, IJ_AMEND_GUARDIAN_EMAIL};
  const char *v[4];
  bool touched = false;
  for (int i = 0; i < 4; i++) {
    bool given = (in->given & BIT(fields[i])) != 0;
    touched = touched || given;
    v[i] = given ? in->text[fields[i]] : current->text[fields[i]];
  }
  if (!touched) {
    return IJ_OK; /* what it did not change is not this amendment's to answer for */
  }
  ij_guardian_input g = {v[0], v[1], v[2], v[3], 1};
  int n = 0, failed = 0;
  const ij_guardian_rule *rules = ij_domain_guardian_rules(&n);
  for (int i = 0; i < n; i++) {
    ij_amend_field f;
    /* the rows of fields amended here; the consent is not */
    if (ij_amend_field_parse(rules[i].field, &f) != IJ_OK || rules[i].given(&g)) {
      continue;
    }
    ij_field_errors_add(errs, rules[i].field, "%s (it may be corrected, not removed)",
                        rules[i].message);
    failed++;
  }
  return failed ? IJ_ERR_INVALID : IJ_OK;
}

static bool same_text(const char *a, const char *b) {
  if (a == NULL || b == NULL) {
    return a == b;
  }
  return strcmp(a, b) == 0;
}

unsigned ij_domain_amend_changes(const ij_amend_values *in, const ij_amend_values *current) {
  unsigned changed = 0;
  for (int f = 0; f < IJ_AMEND__COUNT; f++) {
    if (!(in->given & BIT(f))) {
      continue;
    }
    bool same = f == IJ_AMEND_HOURS_PROPOSED ? in->hours_proposed == current->hours_proposed
                                             : same_text(in->text[f], current->text[f]);
    if (!same) {
      changed |= BIT(f);
    }
  }
  return changed;
}

void ij_domain_postcode_key(const char *postcode, char *out, size_t size) {
  size_t n = 0;
  if (size == 0) {
    return;
  }
  for (const char *c = postcode; c != NULL && *c != '\0' && n + 1 < size; c++) {
    if (*c == ' ') {
      continue;
    }
    out[n++] = (*c >= 'a' && *c <= 'z') ? (char)(*c - 'a' + 'A') : *c;
  }
  out[n] = '\0';
}
