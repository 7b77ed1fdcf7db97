/* Names of states, events and roles, generated from the X-macro lists in ij/domain.h, and sets
 * of states as bit masks. */
#include <limits.h>
#include <string.h>

#include "domain_internal.h"

/* A set of states is an unsigned with a bit per state. */
_Static_assert(IJ_STATE__COUNT <= sizeof(unsigned) * CHAR_BIT, "a state has no bit in a set");

static const char *const k_state_names[IJ_STATE__COUNT] = {
#define IJ_STATE_NAME_ENTRY(code, name) [code] = name,
    IJ_STATE_LIST(IJ_STATE_NAME_ENTRY)
#undef IJ_STATE_NAME_ENTRY
};

static const char *const k_event_names[IJ_EVENT__COUNT] = {
#define IJ_EVENT_NAME_ENTRY(code, name) [code] = name,
    IJ_EVENT_LIST(IJ_EVENT_NAME_ENTRY)
#undef IJ_EVENT_NAME_ENTRY
};

static const struct {
  ij_roles bit;
  const char *name;
} k_roles[] = {
#define IJ_ROLE_NAME_ENTRY(code, bit, name) {code, name},
    IJ_ROLE_LIST(IJ_ROLE_NAME_ENTRY)
#undef IJ_ROLE_NAME_ENTRY
};

const char *ij_state_name(ij_state s) {
  return (unsigned)s < IJ_STATE__COUNT ? k_state_names[s] : NULL;
}

unsigned ij_domain_state_set(bool (*holds)(ij_state)) {
  unsigned set = 0;
  for (int s = 0; s < IJ_STATE__COUNT; s++) {
    if (holds((ij_state)s)) {
      set |= 1u << s;
    }
  }
  return set;
}

const char *ij_event_name(ij_event e) {
  return (unsigned)e < IJ_EVENT__COUNT ? k_event_names[e] : NULL;
}

const char *ij_role_name(ij_roles single_role_bit) {
  for (size_t i = 0; i < sizeof k_roles / sizeof k_roles[0]; i++) {
    if (k_roles[i].bit == single_role_bit) {
      return k_roles[i].name;
    }
  }
  return NULL;
}

ij_err ij_state_parse(const char *s, ij_state *out) {
  for (int i = 0; s != NULL && i < IJ_STATE__COUNT; i++) {
    if (strcmp(s, k_state_names[i]) == 0) {
      if (out != NULL) {
        *out = (ij_state)i;
      }
      return IJ_OK;
    }
  }
  return IJ_ERR_INVALID;
}

ij_err ij_event_parse(const char *s, ij_event *out) {
  for (int i = 0; s != NULL && i < IJ_EVENT__COUNT; i++) {
    if (strcmp(s, k_event_names[i]) == 0) {
      if (out != NULL) {
        *out = (ij_event)i;
      }
      return IJ_OK;
    }
  }
  return IJ_ERR_INVALID;
}

ij_err ij_role_parse(const char *s, ij_roles *out_bit) {
  for (size_t i = 0; s != NULL && i < sizeof k_roles / sizeof k_roles[0]; i++) {
    /* The system role is the service acting by itself; no token or input may claim it. */
    if (k_roles[i].bit != IJ_ROLE_SYSTEM && strcmp(s, k_roles[i].name) == 0) {
      if (out_bit != NULL) {
        *out_bit = k_roles[i].bit;
      }
      return IJ_OK;
    }
  }
  return IJ_ERR_INVALID;
}
