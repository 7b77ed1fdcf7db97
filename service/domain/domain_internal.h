/* Private to the domain layer: helpers shared by its sources. Not part of the public API. */
#ifndef IJ_DOMAIN_INTERNAL_H
#define IJ_DOMAIN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "ij/domain.h"

/* True when `s` is 1..max_len characters of a-z, 0-9 and any character of `extra` (may be ""). */
bool ij_text_is_code(const char *s, size_t max_len, const char *extra);
/* True when `s` is NULL, empty or only ASCII white space. */
bool ij_text_is_blank(const char *s);
/* True when `s` holds an ASCII control character (0x00-0x1f or 0x7f). */
bool ij_text_has_control(const char *s);

/* The shapes validate.c checks a person's contact details against (amend.c checks them too). */
bool ij_domain_phone_ok(const char *s);
bool ij_domain_email_ok(const char *s);
bool ij_domain_postcode_ok(const char *s);
/* The shape checks on a parent or guardian's given (non-NULL) fields, made when a referral is
 * made (validate.c) and when it is amended (amend.c): adds a field error for each that fails and
 * returns how many failed. */
int ij_domain_guardian_shape(const ij_guardian_input *g, ij_field_errors *errs);

/* The states for which `holds` is true, bit (1u << state) for each (names.c). */
unsigned ij_domain_state_set(bool (*holds)(ij_state));

/* The actor's roles under which it may fire the rule's event on this referral (transitions.c):
 * the rule's roles it holds, less officer on a referral another officer made. */
ij_roles ij_domain_effective_roles(const ij_transition_rule *rule, const ij_actor *actor,
                                   const ij_referral_facts *facts);

#endif
