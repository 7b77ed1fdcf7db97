/* Private to the store: statements, execution and error mapping over one pooled connection. */
#ifndef IJ_STORE_DB_H
#define IJ_STORE_DB_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ij/domain.h"
#include "ij/error.h"
#include "ij/ids.h"
#include "ij/store/pool.h"

/* A statement: a unique name (for server-side preparation), its SQL and parameter count. */
typedef struct {
  const char *name;
  const char *sql;
  int nparams;
} ij_stmt;

#define IJ_MAX_PREPARED 256

/* Sent first in every statistics transaction (stats.c, stats_areas.c, stats_quarterly.c): $1 each
 * statement's bound in milliseconds (0: none of ours), $2 "national" or "area". */
extern const ij_stmt IJ_STMT_STATS_SCOPE;

/* A ward's state in an area (refdata.c): $1 the area, $2 the code; one row, 1 current or 2 retired,
 * or none when the area has no such ward. */
extern const ij_stmt IJ_STMT_WARD_STATE;
/* One statement of a batch: its parameters, and where its result goes (NULL: not needed). */
typedef struct {
  const ij_stmt *stmt;
  const char *const *params;
  PGresult **out;
} ij_db_step;

/* Writes deferred to a transaction's next round trip (ij_db_defer): how many, how many
 * parameters each may have, and the room for their values. */
#define IJ_DEFER_MAX 6
#define IJ_DEFER_PARAMS 16
#define IJ_DEFER_ARENA 8192

struct ij_conn {
  PGconn *pg;
  bool broken;
  bool in_use;
  bool prepare;
  int nprepared;
  const ij_stmt *prepared[IJ_MAX_PREPARED];
  char area[IJ_AREA_MAX]; /* the area its statements run in ("" for none): ij_store_scope */
  const ij_stmt *begin;   /* a BEGIN not sent yet: it goes with the transaction's first statement */
  bool commit_next;       /* ij_store_commit_with_next: COMMIT goes after the next statements */
  char sqlstate[6];       /* of the last failed statement */
  char constraint[64];    /* constraint named by the last failed statement, if any */
  /* writes whose results nobody needs, sent ahead of the transaction's next statement or with its
   * COMMIT (ij_db_defer); their parameters are copied into the arena */
  int ndeferred;
  ij_db_step deferred[IJ_DEFER_MAX];
  const char *deferred_params[IJ_DEFER_MAX][IJ_DEFER_PARAMS];
  size_t arena_used;
  char arena[IJ_DEFER_ARENA];
};

/* Runs a statement with text parameters (NULL for SQL NULL). IJ_OK with *out set (the caller
 * clears it) for tuples or command results; otherwise the mapped error, *out NULL, and
 * conn->sqlstate / conn->constraint set. */
ij_err ij_db_exec(ij_conn *conn, const ij_stmt *stmt, const char *const *params, PGresult **out);
/* Runs up to 14 statements in one round trip (a libpq pipeline). Outside a transaction they form
 * one implicit transaction, all or nothing, preceded by the connection's area when it has one;
 * inside the caller's transaction they run in it. On success each step's *out is set (the
 * caller clears it); on failure every *out is NULL and the first failure is mapped as ij_db_exec
 * maps it. */
ij_err ij_db_batch(ij_conn *conn, const ij_db_step *steps, int n);

/* Like ij_db_exec, planned for these parameters every time (plan_cache_mode force_custom_plan for
 * the transaction, in the same round trip): for statements whose optional filters ("$n IS NULL OR
 * ...") and keyset cursor only use the right index when the planner sees the values. */
ij_err ij_db_exec_custom_plan(ij_conn *conn, const ij_stmt *stmt, const char *const *params,
                              PGresult **out);

/* Like ij_db_exec for a statement whose result is not needed. */
ij_err ij_db_run(ij_conn *conn, const ij_stmt *stmt, const char *const *params);

/* A write whose result is not needed, inside the caller's transaction: not sent at once but in
 * the same round trip as the transaction's next statement or its COMMIT, as BEGIN is. Its
 * parameters are copied. A failure is reported by that later call, as that statement's (the
 * transaction is then aborted: the caller rolls back). Outside a transaction it runs at once, as
 * ij_db_run. */
ij_err ij_db_defer(ij_conn *conn, const ij_stmt *stmt, const char *const *params);

/* Runs a statement that reads one row by id, a malformed id reading as none: IJ_OK with *out set
 * (the caller clears it) when there is exactly one row; else IJ_ERR_NOT_FOUND or the error, *out
 * NULL. */
ij_err ij_db_one(ij_conn *conn, const ij_stmt *stmt, const char *const *params, PGresult **out);

/* Wraps a result as rows of text cells, NULL for SQL NULL (takes the result, also on failure). */
ij_err ij_db_rows(PGresult *res, ij_rows *out);

/* Items for every row of res: *count set, and a zeroed array of *count + 1 items of item_size
 * bytes (the caller frees it); NULL when out of memory, the result then cleared. */
void *ij_db_items(PGresult *res, size_t item_size, int *count);

/* ---- keyset pages: the query fetches LIMIT limit + 1, the extra row tells that there is more */

/* The LIMIT parameter for a page of `limit`: limit + 1 as text. */
void ij_db_page_limit(int limit, char out[16]);
/* The keyset parameters of a cursor (at, id): both NULL when there is none. `at_param` points
 * into the struct itself. */
typedef struct {
  char at[IJ_TIME_BUF];
  const char *at_param;
  const char *id_param;
} ij_db_keyset;
void ij_db_keyset_of(bool has, ij_time_us at, const char *id, ij_db_keyset *out);
/* A page's items from a result fetched with ij_db_page_limit: *count (at most limit) and *more
 * set, and a zeroed array of *count + 1 items of item_size bytes (the caller frees it); NULL when
 * out of memory, the result then cleared. */
void *ij_db_page_items(PGresult *res, int limit, size_t item_size, int *count, bool *more);

/* '{a,b,...}': the states of a set (bit 1u << state, as the operation passed it), as a text[]
 * parameter. Which states a query asks for is the caller's to say, never the store's. */
void ij_db_state_array(unsigned states, char *buf, size_t size);

/* ---- rows read as one record (ROW(...) in the statement's select list)
 *
 * libpq reads a description of every column of a result with each execution (the extended
 * protocol describes the portal every time), and then each value of each row apart: for a wide
 * row that is most of the client's work of a read. A row selected as one record is described as
 * one column, and its values come as PostgreSQL's text of the record: '(' the fields, separated by
 * ',', ')'; a field with nothing in it is NULL; a field is quoted ("...") when it is empty or holds
 * a quote, a backslash, a parenthesis, a comma or white space, and inside the quotes '"' and '\\'
 * are doubled. Reading it accepts everything PostgreSQL's own reading of a record accepts (a
 * backslash escapes the next character, quoted and unquoted parts may follow each other). */

/* Decodes the record text into buf (which must hold strlen(text) + 1 bytes: a decoded record is
 * never longer than its text), each field there ending with a zero byte: fields[i] points at field
 * i, or is NULL for SQL NULL. Returns the number of fields, or -1 when the text is not a record or
 * has more than max fields. */
int ij_db_record(const char *text, char *buf, const char **fields, int max);

/* Decodes column 0 (where a statement selects its record) of rows 0 to nrows - 1 of res, each a
 * record of exactly nfields fields, into one block the caller frees: fields[r * nfields + i] is
 * row r's field i. NULL when a row is not such a record (a fault of the statement) or when out of
 * memory. */
char *ij_db_records(const PGresult *res, int nrows, const char **fields, int nfields);

/* ij_db_records over the first count rows, with an array made for the field pointers:
 * returns the block and sets *fields (count * nfields pointers); the caller frees both, the array
 * once the fields are read. NULL as ij_db_records, *fields then NULL. */
char *ij_db_record_rows(const PGresult *res, int count, int nfields, const char ***fields);

/* Helpers to read a decoded field: as ij_db_i64, ij_db_bool and ij_db_tristate read a cell. */
const char *ij_db_field_text(const char *field); /* "" for NULL, as PQgetvalue reads it */
int64_t ij_db_field_i64(const char *field);      /* 0 for NULL */
bool ij_db_field_bool(const char *field);        /* false for NULL */
int ij_db_field_tristate(const char *field);     /* -1 NULL, 0, 1 */

/* Helpers to read a text cell: NULL for SQL NULL. */
const char *ij_db_str(const PGresult *res, int row, int col);
int64_t ij_db_i64(const PGresult *res, int row, int col);  /* 0 for NULL */
bool ij_db_bool(const PGresult *res, int row, int col);    /* false for NULL */
int ij_db_tristate(const PGresult *res, int row, int col); /* -1 NULL, 0, 1 */

#endif
