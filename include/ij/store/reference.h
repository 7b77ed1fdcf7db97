/* Areas and their reference data: an area's rules (its settings over the service's defaults), its
 * wards, and the reason codes events cite. Areas hold no personal data.
 *
 * Ownership: the connection is borrowed for the call; strings passed in are borrowed for the call
 * only. Rules are copied into the caller's struct; lists come back as ij_rows the caller owns
 * until ij_rows_clear. */
#ifndef IJ_STORE_REFERENCE_H
#define IJ_STORE_REFERENCE_H

#include "ij/domain.h"
#include "ij/error.h"
#include "ij/store/pool.h"

/* The area's rules, its own settings over `defaults`, copied into *out (no strings to free).
 * IJ_ERR_NOT_FOUND for an unknown area. */
ij_err ij_store_area_rules(ij_conn *conn, const char *area, const ij_area_rules *defaults,
                           ij_area_rules *out);
/* Creates the area, or renames it when it exists. */
ij_err ij_store_area_upsert(ij_conn *conn, const char *code, const char *name);
/* Creates a ward of the area, or renames and reactivates it when it exists. */
ij_err ij_store_ward_upsert(ij_conn *conn, const char *area, const char *code, const char *name);
/* Every area's code, in order (no area is needed to read them). *out: ij_rows_clear. */
ij_err ij_store_area_codes(ij_conn *conn, ij_rows *out);

/* *exists: the area has a ward with this code (what a placement's or referral's ward must be). */
ij_err ij_store_ward_exists(ij_conn *conn, const char *area, const char *code, bool *exists);
/* code, name of the area's active wards, by code. *out: ij_rows_clear. */
ij_err ij_store_wards_list(ij_conn *conn, const char *area, ij_rows *out);
/* kind, code, label of active reason codes (kind NULL: every kind), by kind and code.
 * *out: ij_rows_clear. */
ij_err ij_store_reason_codes_list(ij_conn *conn, const char *kind, ij_rows *out);

#endif
