/* The store layer: the only code that includes libpq. A pool of connections, migrations, and one
 * set of functions per aggregate. All SQL is static text with bound parameters. PostgreSQL errors
 * come back as ij_err (SQLSTATE mapped), with field errors where a constraint names a field. */
#ifndef IJ_STORE_H
#define IJ_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "ij/domain.h"
#include "ij/error.h"

/* ---- pool ------------------------------------------------------------------------------------ */
typedef struct ij_store ij_store; /* the pool: thread-safe */
typedef struct ij_conn ij_conn;   /* one checked-out connection: used by one thread at a time */

typedef struct {
  const char *conninfo;   /* libpq URI or key=value string (borrowed during open) */
  int size;               /* connections, 1-256 */
  int acquire_timeout_ms; /* how long acquire waits for a free connection */
  bool prepare;           /* server-side prepared statements (off behind a transaction pooler) */
} ij_store_options;

/* Opens the pool; connections are made on first use, so open succeeds with the database down.
 * *out is owned by the caller: ij_store_close. */
ij_err ij_store_open(const ij_store_options *opts, ij_store **out);
void ij_store_close(ij_store *store);
/* A connection for this thread; reconnects a broken one. IJ_ERR_UNAVAILABLE when none is free in
 * time or the database cannot be reached. Give it back with ij_store_release. */
ij_err ij_store_acquire(ij_store *store, ij_conn **out);
void ij_store_release(ij_store *store, ij_conn *conn);
void ij_store_stats(ij_store *store, int *size, int *in_use, int *waiting);

/* Transactions on a checked-out connection. */
ij_err ij_store_begin(ij_conn *conn);
ij_err ij_store_commit(ij_conn *conn);
void ij_store_rollback(ij_conn *conn);

/* ---- schema ---------------------------------------------------------------------------------- */
/* Applies the embedded migrations in order, each in its own transaction, under an advisory lock
 * (instances starting together wait for each other). *applied: how many this call applied. */
ij_err ij_store_migrate(const char *conninfo, int *applied, int *schema_version);
/* The newest migration compiled into this binary. */
int ij_store_schema_target(void);
/* IJ_OK when the database answers and its schema is at least this binary's. */
ij_err ij_store_ready(ij_conn *conn, int *schema_version);

/* ---- areas and reference data ---------------------------------------------------------------- */
/* The area's rules, its own settings over `defaults`. IJ_ERR_NOT_FOUND for an unknown area. */
ij_err ij_store_area_rules(ij_conn *conn, const char *area, const ij_area_rules *defaults,
                           ij_area_rules *out);
ij_err ij_store_area_upsert(ij_conn *conn, const char *code, const char *name);
ij_err ij_store_ward_upsert(ij_conn *conn, const char *area, const char *code, const char *name);

/* Rows of text; strings live as long as the list (ij_rows_clear). */
typedef struct {
  int count;
  int columns;
  const char **cells; /* count * columns; NULL for SQL NULL */
  void *owner_;
} ij_rows;
void ij_rows_clear(ij_rows *rows);
static inline const char *ij_rows_get(const ij_rows *rows, int row, int col) {
  return rows->cells[row * rows->columns + col];
}
/* code, name of the area's active wards, by code */
ij_err ij_store_wards_list(ij_conn *conn, const char *area, ij_rows *out);
/* kind, code, label of active reason codes (kind NULL: every kind), by kind and code */
ij_err ij_store_reason_codes_list(ij_conn *conn, const char *kind, ij_rows *out);

/* ---- referrals ------------------------------------------------------------------------------- */
#define IJ_UUID_BUF 37

/* A referral as stored. Strings are NULL when absent. In a record the store returns, the strings
 * live in owner_ until ij_referral_clear; in one the caller builds, they are the caller's. */
typedef struct {
  char id[IJ_UUID_BUF];
  char person_id[IJ_UUID_BUF];
  const char *area;
  ij_state state;
  int version;
  const char *person_name;
  ij_date date_of_birth;
  const char *phone, *email, *address, *postcode, *police_id, *needs_notes, *risk_notes;
  ij_date offence_date;
  const char *offence_category, *offence_description, *offence_location, *ward;
  const char *disposal;
  bool consent_recorded;
  int hours_proposed;
  int hours_confirmed; /* 0 when not confirmed */
  const char *suitability_notes;
  int64_t minutes_credited;
  bool has_victim;
  int victim_consulted; /* -1 unknown, 0, 1 */
  const char *victim_preference;
  int victim_keep_updated; /* -1 unknown, 0, 1 */
  const char *victim_contact;
  const char *officer_sub, *officer_name;
  const char *reason_code, *reason;
  ij_time_us target_start_by;
  ij_time_us first_attended_at; /* 0 when nothing attended */
  ij_time_us created_at, updated_at;
  int breaches;        /* unacceptable absences and failures to comply recorded */
  int warnings;        /* enforcement warnings given */
  int active_bookings; /* bookings holding a place */
  void *owner_;
} ij_referral;

void ij_referral_clear(ij_referral *r);

/* Who did it, for the event log. Strings borrowed. */
typedef struct {
  const char *request_id;
  const char *actor_sub;
  const char *actor_name;
  const char *actor_role;
  ij_time_us at;
} ij_audit;

/* An idempotent request: the key, a hash of the request, and the response to keep. */
typedef struct {
  const char *key;
  const char *request_hash;
  int status;
  const char *response;
} ij_idempotency;

/* When a key was seen before: the kept response (owned: free()). */
typedef struct {
  bool replayed;
  int status;
  char *response;
} ij_replay;

/* Creates a referral (state submitted, version 1) with its person and its "create" event, and
 * the idempotency record when `idem` is given, in one transaction. When the key exists already
 * for this actor and area: IJ_OK with replay->replayed and the kept response, or
 * IJ_ERR_IDEMPOTENCY when the request hash differs. A person with the same police identifier in
 * the area is the same person (updated with the newer details). IJ_ERR_INVALID with field
 * "offence.ward" for a ward the area does not have. */
ij_err ij_store_referral_create(ij_conn *conn, ij_referral *r, const ij_audit *audit,
                                const ij_idempotency *idem, ij_replay *replay,
                                ij_field_errors *errs);

/* IJ_ERR_NOT_FOUND when there is no such referral in the area. *out: ij_referral_clear. */
ij_err ij_store_referral_get(ij_conn *conn, const char *area, const char *id, ij_referral *out);

/* Applies a decided event: state, version + 1, the event's data, and the event row, atomically,
 * only if the referral is still at `expected_version` (else IJ_ERR_STALE). IJ_ERR_INVALID with
 * field "reason_code" for a code not in the decision's reason list. *out: the updated referral. */
ij_err ij_store_referral_transition(ij_conn *conn, const char *area, const char *id,
                                    int expected_version, const ij_decision *decision,
                                    const ij_transition_request *req, const ij_audit *audit,
                                    ij_referral *out, ij_field_errors *errs);

typedef struct {
  const char *area;
  bool has_state;
  ij_state state;
  const char *ward;        /* NULL: any */
  const char *officer_sub; /* NULL: any */
  int overdue;             /* -1 any, 0 not overdue, 1 overdue */
  ij_time_us now;          /* for overdue */
  bool has_cursor;
  ij_time_us cursor_created_at;
  char cursor_id[IJ_UUID_BUF];
  int limit;
} ij_referral_filter;

typedef struct {
  int count;
  ij_referral *items; /* summaries: person name and date of birth, offence date, category, ward */
  bool more;          /* another page follows the last item */
  void *owner_;
} ij_referral_page;

ij_err ij_store_referral_list(ij_conn *conn, const ij_referral_filter *f, ij_referral_page *out);
void ij_referral_page_clear(ij_referral_page *page);

typedef struct {
  int seq;
  const char *event;
  const char *from_state; /* NULL for create */
  const char *to_state;
  ij_time_us at;
  const char *actor_sub, *actor_name, *actor_role;
  const char *reason_code, *reason;
  const char *request_id;
} ij_event_record;

typedef struct {
  int count;
  ij_event_record *items;
  bool more;
  void *owner_;
} ij_event_page;

/* Events with seq > after_seq, oldest first. IJ_ERR_NOT_FOUND when the referral is not in area. */
ij_err ij_store_referral_events(ij_conn *conn, const char *area, const char *id, int after_seq,
                                int limit, ij_event_page *out);
void ij_event_page_clear(ij_event_page *page);

/* Counts for tests and demo data: referrals in the area whose state disagrees with the state of
 * their last event, or whose version differs from their number of events (0 when consistent). */
ij_err ij_store_referral_inconsistencies(ij_conn *conn, const char *area, int64_t *count);

/* PLACEMENTS-SECTION: placements and sessions (owned by the placements work). */
/* END PLACEMENTS-SECTION */

/* NOTICES-SECTION: the outcome-notice outbox, its feed and delivery, and the work lists (owned by
 * the notices work). */
/* Writes, in the caller's transaction, the outcome notice for a referral that has just reached
 * `event` ("completed" or "non_compliant"), and a victim update when the victim asked to be kept
 * updated and gave a contact. `r` is the referral after the change. */
ij_err ij_store_notices_add_exit(ij_conn *conn, const ij_referral *r, const char *event,
                                 ij_time_us at);
/* END NOTICES-SECTION */

/* BOOKINGS-SECTION: bookings and attendance. */
/* END BOOKINGS-SECTION */

#endif
