/* Private to the store: statements, execution and error mapping over one pooled connection. */
#ifndef IJ_STORE_DB_H
#define IJ_STORE_DB_H

#include <libpq-fe.h>

#include "ij/store.h"

/* A statement: a unique name (for server-side preparation), its SQL and parameter count. */
typedef struct {
  const char *name;
  const char *sql;
  int nparams;
} ij_stmt;

#define IJ_MAX_PREPARED 256

struct ij_conn {
  PGconn *pg;
  bool broken;
  bool in_use;
  bool prepare;
  int nprepared;
  const ij_stmt *prepared[IJ_MAX_PREPARED];
  char sqlstate[6];    /* of the last failed statement */
  char constraint[64]; /* constraint named by the last failed statement, if any */
};

/* Runs a statement with text parameters (NULL for SQL NULL). IJ_OK with *out set (the caller
 * clears it) for tuples or command results; otherwise the mapped error, *out NULL, and
 * conn->sqlstate / conn->constraint set. */
ij_err ij_db_exec(ij_conn *conn, const ij_stmt *stmt, const char *const *params, PGresult **out);
/* Like ij_db_exec for a statement whose result is not needed. */
ij_err ij_db_run(ij_conn *conn, const ij_stmt *stmt, const char *const *params);

/* Helpers to read a text cell: NULL for SQL NULL. */
const char *ij_db_str(const PGresult *res, int row, int col);
int64_t ij_db_i64(const PGresult *res, int row, int col);  /* 0 for NULL */
bool ij_db_bool(const PGresult *res, int row, int col);    /* false for NULL */
int ij_db_tristate(const PGresult *res, int row, int col); /* -1 NULL, 0, 1 */

#endif
