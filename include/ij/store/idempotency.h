/* Idempotency-Key records of the routes the dispatcher answers once per key: a claim made before
 * the operation runs, and the answer kept after it (status, body, and the headers a replay
 * repeats). POST /v1/referrals writes its records answered, with the referral
 * (ij/store/referrals.h); both kinds share the table and the key space.
 *
 * Ownership: the connection is borrowed for the call; strings passed in are borrowed for the call
 * only; an ij_idem_row the store fills owns its strings until ij_idem_row_clear. */
#ifndef IJ_STORE_IDEMPOTENCY_H
#define IJ_STORE_IDEMPOTENCY_H

#include <stdbool.h>

#include "ij/domain.h"
#include "ij/error.h"
#include "ij/store/pool.h"

/* Who a key belongs to and what request it came with. */
typedef struct {
  const char *area;
  const char *actor_sub;
  const char *key;
  const char *request_hash; /* hex SHA-256 of the request */
} ij_idem_key;

/* A recorded key. The strings are owned (NULL when absent or while pending). */
typedef struct {
  char request_hash[65];
  bool answered;         /* the answer is kept; else a request holds the claim */
  ij_time_us claimed_at; /* the pending claim's time (0 for a record written answered) */
  int status;
  char *body;
  char *etag;
  char *location;
  char *content_type;
} ij_idem_row;
/* Frees the strings and zeroes the row (NULL and a zeroed row are ignored). */
void ij_idem_row_clear(ij_idem_row *row);

/* Records the key as claimed at `at` for `route`, pending, when it is not recorded yet: *claimed
 * says whether this call recorded it. */
ij_err ij_store_idem_claim(ij_conn *conn, const ij_idem_key *k, const char *route, ij_time_us at,
                           bool *claimed);

/* The record of the key: IJ_ERR_NOT_FOUND when there is none. *out: ij_idem_row_clear. */
ij_err ij_store_idem_read(ij_conn *conn, const ij_idem_key *k, ij_idem_row *out);

/* Moves a pending claim of the same request made before `stale_before` to `at`, so that the
 * caller holds it: *taken says whether it did (another request may have taken it first). */
ij_err ij_store_idem_take_over(ij_conn *conn, const ij_idem_key *k, ij_time_us stale_before,
                               ij_time_us at, bool *taken);

/* Keeps the answer on the pending claim made at `claimed_at` (a claim since taken over is left
 * alone): etag, location and content_type may be NULL. */
ij_err ij_store_idem_keep(ij_conn *conn, const ij_idem_key *k, ij_time_us claimed_at, int status,
                          const char *body, const char *etag, const char *location,
                          const char *content_type);

/* Forgets the pending claim made at `claimed_at`, so that a retry runs the request again. */
ij_err ij_store_idem_release(ij_conn *conn, const ij_idem_key *k, ij_time_us claimed_at);

#endif
