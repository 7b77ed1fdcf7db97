/* The store's pool: connections to PostgreSQL, the area a connection works in (row-level
 * security), transactions, migrations and readiness, and ij_rows, the plain rows of text several
 * queries return. The store is the only code that includes libpq; all SQL is static text with
 * bound parameters, and PostgreSQL errors come back as ij_err (SQLSTATE mapped).
 *
 * Ownership: the pool (ij_store) is the caller's from ij_store_open to ij_store_close. A
 * connection (ij_conn) is borrowed from the pool between ij_store_acquire and ij_store_release
 * and used by one thread at a time. Strings passed in are borrowed for the call only. An ij_rows
 * the store fills owns its cells until ij_rows_clear. */
#ifndef IJ_STORE_POOL_H
#define IJ_STORE_POOL_H

#include <stdbool.h>

#include "ij/error.h"

typedef struct ij_store ij_store; /* the pool: thread-safe */
typedef struct ij_conn ij_conn;   /* one checked-out connection: used by one thread at a time */

typedef struct {
  const char *conninfo;   /* libpq URI or key=value string (borrowed during open) */
  int size;               /* connections, 1-256 */
  int acquire_timeout_ms; /* how long acquire waits for a free connection */
  bool prepare;           /* server-side prepared statements (off behind a transaction pooler) */
  bool unprivileged;      /* refuse a role that row-level security does not bind: a superuser,
                             a role with BYPASSRLS, or one with the tables' owner's rights */
} ij_store_options;

/* Opens the pool; connections are made on first use, so open succeeds with the database down.
 * opts is borrowed for the call (conninfo is copied). *out is owned by the caller: ij_store_close.
 */
ij_err ij_store_open(const ij_store_options *opts, ij_store **out);
/* Closes every connection and frees the pool (NULL is ignored). No connection may be checked out.
 */
void ij_store_close(ij_store *store);
/* A connection for this thread; reconnects a broken one. IJ_ERR_UNAVAILABLE when none is free in
 * time or the database cannot be reached; IJ_ERR_FORBIDDEN when the pool is `unprivileged` and
 * the role it connects as is not (the connection is closed and the reason logged). *out is
 * borrowed from the pool: give it back with ij_store_release. */
ij_err ij_store_acquire(ij_store *store, ij_conn **out);
/* Gives a connection back (NULL is ignored), rolling back a transaction left open and clearing
 * its area; the caller must not use it afterwards. */
void ij_store_release(ij_store *store, ij_conn *conn);
/* The pool's size, connections checked out and threads waiting for one (each out may be NULL). */
void ij_store_stats(ij_store *store, int *size, int *in_use, int *waiting);

/* The area a checked-out connection works in, for row-level security: every statement it runs
 * outside a transaction, and every transaction it begins, first sets `ij.area` for that
 * transaction only, in the same round trip (a libpq pipeline). NULL or "" clears it; so does
 * ij_store_release. `area` is copied. A connection of the service's role without an area sees no
 * row of an area. */
void ij_store_scope(ij_conn *conn, const char *area);
/* The SQLSTATE of the connection's last failed statement ("" when none failed or the connection
 * was lost): what an IJ_ERR_* answer came from. Borrowed from the connection: valid until its
 * next statement. */
const char *ij_store_sqlstate(const ij_conn *conn);

/* Transactions on a checked-out connection. */
ij_err ij_store_begin(ij_conn *conn);
/* A read-only transaction on one snapshot (REPEATABLE READ): figures read by several statements
 * agree with each other. */
ij_err ij_store_begin_snapshot(ij_conn *conn);
ij_err ij_store_commit(ij_conn *conn);
/* Ends the transaction with the next statements the connection runs: their round trip carries the
 * COMMIT after them, so that reading what the transaction wrote (an operation's answer) costs no
 * round trip of its own and sees exactly that. A failure of theirs, or of the COMMIT, fails that
 * call (the caller then rolls back, as after any failure). ij_store_commit must still follow: it
 * commits when nothing was run in between, and is otherwise done at once. */
void ij_store_commit_with_next(ij_conn *conn);
void ij_store_rollback(ij_conn *conn);

/* ---- schema ---------------------------------------------------------------------------------- */
/* Applies the embedded migrations in order, each in its own transaction, under an advisory lock
 * (instances starting together wait for each other), on a connection of its own to `conninfo`
 * (borrowed). *applied: how many this call applied. */
ij_err ij_store_migrate(const char *conninfo, int *applied, int *schema_version);
/* The newest migration compiled into this binary. */
int ij_store_schema_target(void);
/* IJ_OK when the database answers and its schema is at least this binary's. */
ij_err ij_store_ready(ij_conn *conn, int *schema_version);

/* ---- rows of text ---------------------------------------------------------------------------- */
/* Rows of text; the cells live as long as the list (ij_rows_clear). */
typedef struct {
  int count;
  int columns;
  const char **cells; /* count * columns; NULL for SQL NULL */
  void *owner_;
} ij_rows;
/* Frees the cells and zeroes the list (NULL and a zeroed list are ignored). */
void ij_rows_clear(ij_rows *rows);
/* The cell at (row, col), borrowed from the list; NULL for SQL NULL. */
static inline const char *ij_rows_get(const ij_rows *rows, int row, int col) {
  return rows->cells[row * rows->columns + col];
}

#endif
