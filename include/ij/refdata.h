/* The rules of an area's reference data, as its admins maintain it through the API: wards,
 * reason codes, the area's rules (target start hours, hours bounds) and the directory of
 * supervisors. Pure: no I/O. What a change may do to a record depends on the record's state and
 * whether anything uses it, a table walked by the unit tests (tests/unit/test_refdata.c).
 *
 * Ownership: every string is borrowed for the call. */
#ifndef IJ_REFDATA_H
#define IJ_REFDATA_H

#include <stdbool.h>

#include "ij/domain.h"

/* A record of reference data as the change finds it. */
typedef enum {
  IJ_REF_ABSENT,  /* no such record in the area */
  IJ_REF_ACTIVE,  /* offered and accepted for new records */
  IJ_REF_RETIRED, /* kept for the records that name it, refused for new ones */
  IJ_REF__STATE_COUNT
} ij_ref_state;

/* What an admin asks for. */
typedef enum {
  IJ_REF_ADD,       /* a new record (a retired one is not re-added: reinstate it) */
  IJ_REF_CHANGE,    /* rename / relabel / new details, whatever its state */
  IJ_REF_RETIRE,    /* no longer offered or accepted for new records */
  IJ_REF_REINSTATE, /* offered again */
  IJ_REF_DELETE,    /* gone: only a record nothing uses, and only one the area owns */
  IJ_REF__CHANGE_COUNT
} ij_ref_change;

/* The facts a change is decided on. */
typedef struct {
  ij_ref_state state;
  bool in_use; /* a referral, event, placement or session names it */
  bool shared; /* not the area's own (a national reason code): the area may retire it for itself
                * but not delete or relabel it */
} ij_ref_facts;

/* The change's verdict: IJ_OK (write it), IJ_ERR_NOT_FOUND (no such record), IJ_ERR_CONFLICT (the
 * record's state or its use forbids it; *why says why, a static string). A change that would
 * leave the record as it is (retiring a retired one) is IJ_OK with *noop set: nothing is written
 * or audited. */
ij_err ij_domain_ref_change(ij_ref_change change, const ij_ref_facts *facts, bool *noop,
                            const char **why);
/* "add", "change", "retire", "reinstate", "delete": the audit row's action. */
const char *ij_ref_change_name(ij_ref_change change);

/* ---- validation: every problem named on its field ---- */

/* A ward: code (create only; ^[a-z0-9_-]{1,64}$) and name. `active` is -1 when not given. On
 * update at least one of name and active must be given. */
ij_err ij_domain_ward_validate(const char *code, const char *name, int active, bool create,
                               ij_field_errors *errs);

/* A ward named by a new record (a referral's offence, a placement), by its state in the area as
 * the store reads it: 0 not one of the area's, 1 current, 2 retired. Anything but a current ward
 * is named under `field` (unless that field has a problem already), so that it comes in the same
 * answer as every other problem. */
void ij_domain_ward_in_use(int state, const char *field, ij_field_errors *errs);

/* The kinds of reason code events cite: "reject", "withdraw", "non_compliance", "warning". */
bool ij_domain_reason_kind_valid(const char *kind);
/* A reason code: kind and code (create only; code ^[a-z0-9_]{1,64}$), label. */
ij_err ij_domain_reason_code_validate(const char *kind, const char *code, const char *label,
                                      int active, bool create, ij_field_errors *errs);

/* The area's own settings: each value, or 0 for "the service's default". */
typedef struct {
  int target_start_hours;
  int hours_min;
  int hours_max;
  int hours_default;
} ij_area_settings;

/* Bounds of the area's settings (as the database's checks have them). */
#define IJ_TARGET_START_HOURS_MAX 720
#define IJ_HOURS_BOUND_MAX 200

/* The settings each within its bounds, and the rules they make over `defaults` (the service's)
 * coherent: hours_min <= hours_max, hours_default within them. *out: the effective rules. */
ij_err ij_domain_area_settings_validate(const ij_area_settings *in, const ij_area_rules *defaults,
                                        ij_area_rules *out, ij_field_errors *errs);

/* A supervisor of the directory: sub (create only), name, organisation, phone (optional). */
typedef struct {
  const char *sub;
  const char *name;
  const char *organisation;
  const char *phone;
  int active; /* -1: not given */
  bool has_organisation, has_phone;
} ij_supervisor_input;
ij_err ij_domain_supervisor_validate(const ij_supervisor_input *in, bool create,
                                     ij_field_errors *errs);

#endif
