/* Reference data an area's admins maintain: what a change may do to a record (a table over the
 * change and the record's state), and the validation of wards, reason codes, the area's settings
 * and supervisors. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "domain_internal.h"
#include "ij/refdata.h"

/* ---- what a change may do ---- */

typedef enum { V_OK, V_NOOP, V_NOT_FOUND, V_EXISTS, V_RETIRED_EXISTS } verdict;

static const verdict k_verdicts[IJ_REF__CHANGE_COUNT][IJ_REF__STATE_COUNT] = {
    /*                    ABSENT       ACTIVE       RETIRED */
    [IJ_REF_ADD] = {V_OK, V_EXISTS, V_RETIRED_EXISTS},
    [IJ_REF_CHANGE] = {V_NOT_FOUND, V_OK, V_OK},
    [IJ_REF_RETIRE] = {V_NOT_FOUND, V_OK, V_NOOP},
    [IJ_REF_REINSTATE] = {V_NOT_FOUND, V_NOOP, V_OK},
    [IJ_REF_DELETE] = {V_NOT_FOUND, V_OK, V_OK},
};

/* Beyond the state: what use and sharing forbid. */
static const struct {
  const char *name;
  bool refused_in_use; /* a record something names is never deleted */
  bool refused_shared; /* the national list is not the area's to relabel or delete */
} k_changes[IJ_REF__CHANGE_COUNT] = {
    [IJ_REF_ADD] = {"add", false, false},       [IJ_REF_CHANGE] = {"change", false, true},
    [IJ_REF_RETIRE] = {"retire", false, false}, [IJ_REF_REINSTATE] = {"reinstate", false, false},
    [IJ_REF_DELETE] = {"delete", true, true},
};

const char *ij_ref_change_name(ij_ref_change change) {
  return (unsigned)change < IJ_REF__CHANGE_COUNT ? k_changes[change].name : "unknown";
}

ij_err ij_domain_ref_change(ij_ref_change change, const ij_ref_facts *facts, bool *noop,
                            const char **why) {
  *noop = false;
  *why = NULL;
  if ((unsigned)change >= IJ_REF__CHANGE_COUNT || (unsigned)facts->state >= IJ_REF__STATE_COUNT) {
    *why = "not a change of reference data";
    return IJ_ERR_INVALID;
  }
  switch (k_verdicts[change][facts->state]) {
  case V_NOT_FOUND:
    return IJ_ERR_NOT_FOUND;
  case V_EXISTS:
    *why = "it already exists";
    return IJ_ERR_CONFLICT;
  case V_RETIRED_EXISTS:
    *why = "it already exists, retired: reinstate it instead";
    return IJ_ERR_CONFLICT;
  case V_NOOP:
    *noop = true;
    return IJ_OK;
  case V_OK:
    break;
  }
  if (k_changes[change].refused_shared && facts->shared) {
    *why = "it belongs to the national list: an area may retire it for itself, not change or "
           "delete it";
    return IJ_ERR_CONFLICT;
  }
  if (k_changes[change].refused_in_use && facts->in_use) {
    *why = "it is in use by existing records and is never deleted: retire it instead";
    return IJ_ERR_CONFLICT;
  }
  return IJ_OK;
}

/* ---- validation ---- */

static void check_text(ij_field_errors *errs, const char *field, const char *value, bool required,
                       size_t max) {
  if (value == NULL) {
    if (required && !ij_field_errors_has(errs, field))
      ij_field_errors_add(errs, field, "is required");
    return;
  }
  if (ij_field_errors_has(errs, field))
    return;
  if (ij_text_has_control(value))
    ij_field_errors_add(errs, field, "must not contain control characters");
  else if (ij_text_is_blank(value))
    ij_field_errors_add(errs, field, "must not be blank");
  else if (strlen(value) > max)
    ij_field_errors_add(errs, field, "is too long (at most %zu bytes)", max);
}

static ij_err verdict_of(const ij_field_errors *errs) {
  return errs->count ? IJ_ERR_INVALID : IJ_OK;
}

ij_err ij_domain_ward_validate(const char *code, const char *name, int active, bool create,
                               ij_field_errors *errs) {
  if (create) {
    if (code == NULL) {
      if (!ij_field_errors_has(errs, "code"))
        ij_field_errors_add(errs, "code", "is required");
    } else if (!ij_field_errors_has(errs, "code") && !ij_text_is_code(code, IJ_MAX_CODE, "_-")) {
      ij_field_errors_add(errs, "code", "must be 1 to %d characters of a-z, 0-9, _ and -",
                          IJ_MAX_CODE);
    }
  } else if (name == NULL && active < 0 && errs->count == 0) {
    ij_field_errors_add(errs, "name", "name or active is required");
  }
  check_text(errs, "name", name, create, IJ_MAX_NAME);
  return verdict_of(errs);
}

void ij_domain_ward_in_use(int state, const char *field, ij_field_errors *errs) {
  if (state == 1 || ij_field_errors_has(errs, field))
    return;
  if (state == 2)
    ij_field_errors_add(errs, field, "is retired: it is kept for existing records only");
  else
    ij_field_errors_add(errs, field, "is not a ward of this area");
}

static const char *const k_reason_kinds[] = {"reject", "withdraw", "non_compliance", "warning"};

bool ij_domain_reason_kind_valid(const char *kind) {
  for (size_t i = 0; kind && i < sizeof k_reason_kinds / sizeof k_reason_kinds[0]; i++)
    if (strcmp(kind, k_reason_kinds[i]) == 0)
      return true;
  return false;
}

ij_err ij_domain_reason_code_validate(const char *kind, const char *code, const char *label,
                                      int active, bool create, ij_field_errors *errs) {
  if (create) {
    if (kind == NULL) {
      if (!ij_field_errors_has(errs, "kind"))
        ij_field_errors_add(errs, "kind", "is required");
    } else if (!ij_field_errors_has(errs, "kind") && !ij_domain_reason_kind_valid(kind)) {
      ij_field_errors_add(errs, "kind", "must be reject, withdraw, non_compliance or warning");
    }
    if (code == NULL) {
      if (!ij_field_errors_has(errs, "code"))
        ij_field_errors_add(errs, "code", "is required");
    } else if (!ij_field_errors_has(errs, "code") && !ij_text_is_code(code, IJ_MAX_CODE, "_")) {
      ij_field_errors_add(errs, "code", "must be 1 to %d characters of a-z, 0-9 and _",
                          IJ_MAX_CODE);
    }
  } else if (label == NULL && active < 0 && errs->count == 0) {
    ij_field_errors_add(errs, "label", "label or active is required");
  }
  check_text(errs, "label", label, create, IJ_MAX_NAME);
  return verdict_of(errs);
}

/* One setting: 0 (the default) or within 1..max. */
static void check_setting(ij_field_errors *errs, const char *field, int value, int max) {
  if (value != 0 && (value < 1 || value > max) && !ij_field_errors_has(errs, field))
    ij_field_errors_add(errs, field, "must be between 1 and %d, or null for the service's default",
                        max);
}

ij_err ij_domain_area_settings_validate(const ij_area_settings *in, const ij_area_rules *defaults,
                                        ij_area_rules *out, ij_field_errors *errs) {
  defaults = ij_domain_rules_or_default(defaults);
  check_setting(errs, "target_start_hours", in->target_start_hours, IJ_TARGET_START_HOURS_MAX);
  check_setting(errs, "hours_min", in->hours_min, IJ_HOURS_BOUND_MAX);
  check_setting(errs, "hours_max", in->hours_max, IJ_HOURS_BOUND_MAX);
  check_setting(errs, "hours_default", in->hours_default, IJ_HOURS_BOUND_MAX);
  out->target_start_hours =
      in->target_start_hours ? in->target_start_hours : defaults->target_start_hours;
  out->hours_min = in->hours_min ? in->hours_min : defaults->hours_min;
  out->hours_max = in->hours_max ? in->hours_max : defaults->hours_max;
  out->hours_default = in->hours_default ? in->hours_default : defaults->hours_default;
  if (errs->count)
    return IJ_ERR_INVALID;
  /* the rules they make must hold together, the defaults filling what is not set */
  if (out->hours_min > out->hours_max)
    ij_field_errors_add(errs, "hours_min", "must not be above hours_max (%d)", out->hours_max);
  if (out->hours_default < out->hours_min || out->hours_default > out->hours_max)
    ij_field_errors_add(errs, "hours_default", "must be between hours_min (%d) and hours_max (%d)",
                        out->hours_min, out->hours_max);
  return verdict_of(errs);
}

ij_err ij_domain_supervisor_validate(const ij_supervisor_input *in, bool create,
                                     ij_field_errors *errs) {
  if (create)
    check_text(errs, "sub", in->sub, true, IJ_MAX_SUPERVISOR);
  else if (!in->name && !in->has_organisation && !in->has_phone && in->active < 0 &&
           errs->count == 0)
    ij_field_errors_add(errs, "name", "one of name, organisation, phone or active is required");
  check_text(errs, "name", in->name, create, IJ_MAX_SUPERVISOR);
  check_text(errs, "organisation", in->organisation, false, IJ_MAX_NAME);
  if (in->phone) {
    check_text(errs, "phone", in->phone, false, 32);
    if (!ij_field_errors_has(errs, "phone"))
      for (const char *c = in->phone; *c; c++)
        if (!((*c >= '0' && *c <= '9') || *c == ' ' || *c == '+' || *c == '-' || *c == '(' ||
              *c == ')')) {
          ij_field_errors_add(errs, "phone", "must be digits, spaces and + - ( ) only");
          break;
        }
  }
  return verdict_of(errs);
}
