/* An area's webhook: where its notices are delivered, the secret deliveries are signed with, and
 * the log of every change to them. The secret is written here and read only by the outbox's claim
 * (ij/store/notices.h): nothing in this header returns it.
 *
 * Ownership: the connection is borrowed for the call; strings passed in are borrowed for the call
 * only. An ij_webhook the store fills owns its strings until ij_webhook_clear. */
#ifndef IJ_STORE_WEBHOOKS_H
#define IJ_STORE_WEBHOOKS_H

#include <stdbool.h>

#include "ij/domain.h"
#include "ij/error.h"
#include "ij/store/audit.h"
#include "ij/store/pool.h"

/* An area's webhook as an admin may see it: never the secret. */
typedef struct {
  const char *area;
  const char *url; /* NULL: none (the feed only) */
  bool secret_set;
  ij_time_us secret_updated_at; /* 0 when no secret is set */
  ij_time_us updated_at;        /* the last change (0: never changed through the API) */
  const char *updated_by;       /* its actor's subject, NULL when never changed */
  void *owner_;
} ij_webhook;

/* Frees the strings and zeroes the record (NULL and a zeroed record are ignored). */
void ij_webhook_clear(ij_webhook *w);

/* The area's webhook. IJ_ERR_NOT_FOUND for an unknown area. *out: ij_webhook_clear. */
ij_err ij_store_webhook_get(ij_conn *conn, const char *area, ij_webhook *out);

/* In the caller's transaction, on a connection scoped to the area: sets the area's webhook URL
 * (NULL: none) and locks the area until the transaction ends. *before: the URL it replaced
 * (malloc'd, the caller frees; NULL when there was none). IJ_ERR_NOT_FOUND for an unknown area. */
ij_err ij_store_webhook_set_url(ij_conn *conn, const char *url, char **before);
/* Sets the area's secret (borrowed; never logged). *had: one was set before. */
ij_err ij_store_webhook_secret_put(ij_conn *conn, const char *area, const char *secret,
                                   ij_time_us at, bool *had);
/* Removes the area's secret. *had: one was set. */
ij_err ij_store_webhook_secret_delete(ij_conn *conn, const char *area, bool *had);
/* *had: the area has a secret. */
ij_err ij_store_webhook_secret_exists(ij_conn *conn, const char *area, bool *had);

/* Appends a change to the area's webhook log: who, the URL before and after (NULL: none), and
 * what became of the secret ("kept", "set", "replaced" or "removed"). */
ij_err ij_store_webhook_change_add(ij_conn *conn, const char *area, const ij_audit *audit,
                                   const char *url_before, const char *url_after,
                                   const char *secret_change);

#endif
