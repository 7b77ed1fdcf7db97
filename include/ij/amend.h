/* Amending a referral (PATCH /v1/referrals/{id}): which of its fields may be corrected, by whom
 * and in which states, as one table; the checks on the new values; which fields a request
 * changes. Part of the domain layer: pure C, no I/O. Strings passed in are borrowed for the call;
 * names returned are static. */
#ifndef IJ_AMEND_H
#define IJ_AMEND_H

#include <stdbool.h>
#include <stddef.h>

#include "ij/domain.h"
#include "ij/error.h"

/* What a rule of the table covers: fields that go together in practice. */
typedef enum {
  IJ_AMEND_GROUP_CONTACT,  /* how to reach the person */
  IJ_AMEND_GROUP_NOTES,    /* the person's needs and risk notes */
  IJ_AMEND_GROUP_OFFENCE,  /* what happened and where (not when: the date fixes the age) */
  IJ_AMEND_GROUP_VICTIM,   /* the victim's preference about the reparation */
  IJ_AMEND_GROUP_HOURS,    /* the hours proposed, until a coordinator confirms hours */
  IJ_AMEND_GROUP_GUARDIAN, /* how to reach the parent or guardian (not their consent) */
  IJ_AMEND_GROUP_MESSAGES, /* whether and in which language the person is messaged */
  IJ_AMEND_GROUP__COUNT
} ij_amend_group;

/* The amendable fields: code, JSON path in the referral, group, and whether null (clearing it) is
 * allowed. */
#define IJ_AMEND_FIELD_LIST(X)                                                              \
  X(IJ_AMEND_PHONE, "person.phone", IJ_AMEND_GROUP_CONTACT, true)                           \
  X(IJ_AMEND_EMAIL, "person.email", IJ_AMEND_GROUP_CONTACT, true)                           \
  X(IJ_AMEND_ADDRESS, "person.address", IJ_AMEND_GROUP_CONTACT, true)                       \
  X(IJ_AMEND_POSTCODE, "person.postcode", IJ_AMEND_GROUP_CONTACT, true)                     \
  X(IJ_AMEND_NEEDS_NOTES, "person.needs_notes", IJ_AMEND_GROUP_NOTES, true)                 \
  X(IJ_AMEND_RISK_NOTES, "person.risk_notes", IJ_AMEND_GROUP_NOTES, true)                   \
  X(IJ_AMEND_OFFENCE_CATEGORY, "offence.category", IJ_AMEND_GROUP_OFFENCE, false)           \
  X(IJ_AMEND_OFFENCE_DESCRIPTION, "offence.description", IJ_AMEND_GROUP_OFFENCE, true)      \
  X(IJ_AMEND_OFFENCE_LOCATION, "offence.location", IJ_AMEND_GROUP_OFFENCE, true)            \
  X(IJ_AMEND_OFFENCE_WARD, "offence.ward", IJ_AMEND_GROUP_OFFENCE, false)                   \
  X(IJ_AMEND_VICTIM_PREFERENCE, "victim.preference", IJ_AMEND_GROUP_VICTIM, true)           \
  X(IJ_AMEND_HOURS_PROPOSED, "hours_proposed", IJ_AMEND_GROUP_HOURS, false)                 \
  X(IJ_AMEND_GUARDIAN_NAME, "guardian.name", IJ_AMEND_GROUP_GUARDIAN, false)                \
  X(IJ_AMEND_GUARDIAN_RELATIONSHIP, "guardian.relationship", IJ_AMEND_GROUP_GUARDIAN, true) \
  X(IJ_AMEND_GUARDIAN_PHONE, "guardian.phone", IJ_AMEND_GROUP_GUARDIAN, true)               \
  X(IJ_AMEND_GUARDIAN_EMAIL, "guardian.email", IJ_AMEND_GROUP_GUARDIAN, true)               \
  X(IJ_AMEND_CONTACT_CONSENT, "contact_consent", IJ_AMEND_GROUP_MESSAGES, false)            \
  X(IJ_AMEND_MESSAGE_LANGUAGE, "message_language", IJ_AMEND_GROUP_MESSAGES, false)          \
  X(IJ_AMEND_DO_NOT_MESSAGE, "person.do_not_message", IJ_AMEND_GROUP_MESSAGES, false)

typedef enum {
#define IJ_AMEND_FIELD_ENUM(code, path, group, nullable) code,
  IJ_AMEND_FIELD_LIST(IJ_AMEND_FIELD_ENUM)
#undef IJ_AMEND_FIELD_ENUM
      IJ_AMEND__COUNT
} ij_amend_field;

/* A field's JSON path ("person.phone"), or NULL out of range. */
const char *ij_amend_field_path(ij_amend_field f);
ij_amend_group ij_amend_field_group(ij_amend_field f);
/* IJ_OK with *out for an amendable field's path; IJ_ERR_INVALID otherwise. */
ij_err ij_amend_field_parse(const char *path, ij_amend_field *out);
/* For a field of a referral that is not amendable here, why (a sentence a person can act on);
 * NULL for a path that is not a field of a referral at all. */
const char *ij_domain_amend_fixed(const char *path);

/* New values (a request) or current ones (the referral). Text fields: text[f], NULL when absent
 * or cleared; hours_proposed for IJ_AMEND_HOURS_PROPOSED; the booleans (contact_consent,
 * person.do_not_message) as "true" or "false". */
typedef struct {
  unsigned given; /* bit (1u << field) for each field the request sends; unused for current */
  const char *text[IJ_AMEND__COUNT];
  int hours_proposed;
} ij_amend_values;

/* One row of the table: a role may amend a group's fields in these states, of any referral of
 * the area, or only of those they referred (own_only). */
typedef struct {
  ij_amend_group group;
  ij_roles role;
  bool own_only;
  unsigned states; /* bit (1u << state) for each state */
} ij_amend_rule;

/* The table itself (borrowed, static), for documentation and tests. */
const ij_amend_rule *ij_domain_amend_rules(size_t *count);

/* Checks the new values. IJ_OK, or IJ_ERR_INVALID with every problem in errs: no field given
 * ("body"), null where a field cannot be cleared, a blank string (null clears), a phone, e-mail
 * address or postcode of the wrong shape, an unknown offence category, a ward code of the wrong
 * shape (that the area has it is the store's), notes too long, hours outside the area's rules, a
 * guardian's field failing the checks made when the referral is made. */
ij_err ij_domain_amend_validate(const ij_amend_values *in, const ij_area_rules *rules,
                                ij_field_errors *errs);

/* Whether the actor may amend the given fields of this referral now. IJ_OK with *acting_role (the
 * single role bit it is recorded under); IJ_ERR_FORBIDDEN when for some field no role of the actor
 * has a rule on this referral (in any state: a supervisor, an officer on another officer's
 * referral), IJ_ERR_CONFLICT when they have one but not in its state, or when the victim's
 * preference is given for a referral that records no victim (has_victim false: a victim is
 * recorded, with their consent, when the referral is made); a field error on each field refused.
 * FORBIDDEN is reported before CONFLICT. */
/* Likewise a guardian's field for a referral that records no parent or guardian (has_guardian
 * false: one is recorded, with their consent, when the referral is made). */
ij_err ij_domain_amend_decide(const ij_actor *actor, const ij_referral_facts *facts,
                              bool has_victim, bool has_guardian, unsigned given,
                              ij_roles *acting_role, ij_field_errors *errs);

/* Whether the referral's parent or guardian, with the new values over the current ones, still
 * holds what one must for a person under 18 (`required`: ij_domain_guardian_required on the day
 * of referral): each row of the guardian table whose field is amendable (a name, a relationship,
 * a phone or an e-mail address; the consent is not amended). IJ_OK when not required or when it
 * holds; IJ_ERR_INVALID with a field error per row that no longer holds. */
ij_err ij_domain_amend_guardian_keeps(const ij_amend_values *in, const ij_amend_values *current,
                                      bool required, ij_field_errors *errs);

/* The given fields whose new value differs from the current one (bit 1u << field each). */
unsigned ij_domain_amend_changes(const ij_amend_values *in, const ij_amend_values *current);

/* ---- finding people ---- */
/* A postcode as searches compare it: capitals, no spaces ("de1 1aa" -> "DE11AA"). */
void ij_domain_postcode_key(const char *postcode, char *out, size_t size);

#endif
