/* Retention: erasing the personal data of referrals that ended long enough ago, and of the people
 * none of whose referrals is kept any longer. The figures the statistics use are kept.
 *
 * Ownership: the connection and `area` are borrowed for the call; results are counts copied into
 * the caller's ints. */
#ifndef IJ_STORE_RETENTION_H
#define IJ_STORE_RETENTION_H

#include "ij/domain.h"
#include "ij/error.h"
#include "ij/store/pool.h"

/* In one transaction (its own statement): erases the personal data of up to `limit` referrals of
 * `area` that ended (in a state of `ended_states`, bit 1u << state: ij_domain_ended_states)
 * before `ended_before`, oldest first, and of the people none of whose referrals is kept any
 * longer; drops idempotency records made before `ended_before`. *referrals and *people: how many
 * were erased. Referrals locked by another transaction are skipped (a later run takes them). */
ij_err ij_store_retention_erase(ij_conn *conn, const char *area, unsigned ended_states,
                                ij_time_us ended_before, ij_time_us now, int limit, int *referrals,
                                int *people);

/* In one transaction (its own statement): deletes up to `limit` rows of `area`'s personal-data
 * access log written before `before`, oldest first (ij_access_log_erase, migration 034; the
 * database refuses a `before` less than six months back). *erased: how many. Rows locked by
 * another transaction are skipped. */
ij_err ij_store_access_log_erase(ij_conn *conn, const char *area, ij_time_us before, int limit,
                                 int *erased);

#endif
