/* The store layer: the only code that includes libpq. A pool of connections, migrations, and one
 * set of functions per aggregate. All SQL is static text with bound parameters. PostgreSQL errors
 * come back as ij_err (SQLSTATE mapped), with field errors where a constraint names a field. */
#ifndef IJ_STORE_H
#define IJ_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "ij/domain.h"
#include "ij/error.h"
#include "ij/ids.h"

/* ---- pool ------------------------------------------------------------------------------------ */
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
 * *out is owned by the caller: ij_store_close. */
ij_err ij_store_open(const ij_store_options *opts, ij_store **out);
void ij_store_close(ij_store *store);
/* A connection for this thread; reconnects a broken one. IJ_ERR_UNAVAILABLE when none is free in
 * time or the database cannot be reached; IJ_ERR_FORBIDDEN when the pool is `unprivileged` and
 * the role it connects as is not (the connection is closed and the reason logged). Give it back
 * with ij_store_release. */
ij_err ij_store_acquire(ij_store *store, ij_conn **out);
void ij_store_release(ij_store *store, ij_conn *conn);
void ij_store_stats(ij_store *store, int *size, int *in_use, int *waiting);

/* The area a checked-out connection works in, for row-level security: every statement it runs
 * outside a transaction, and every transaction it begins, first sets `ij.area` for that
 * transaction only, in the same round trip (a libpq pipeline). NULL or "" clears it; so does
 * ij_store_release. A connection of the service's role without an area sees no row of an area. */
void ij_store_scope(ij_conn *conn, const char *area);
/* The SQLSTATE of the connection's last failed statement ("" when none failed or the connection
 * was lost): what an IJ_ERR_* answer came from. */
const char *ij_store_sqlstate(const ij_conn *conn);

/* Transactions on a checked-out connection. */
ij_err ij_store_begin(ij_conn *conn);
/* A read-only transaction on one snapshot (REPEATABLE READ): figures read by several statements
 * agree with each other. */
ij_err ij_store_begin_snapshot(ij_conn *conn);
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
  int breaches;                    /* unacceptable absences and failures to comply recorded */
  int warnings;                    /* enforcement warnings given */
  int active_bookings;             /* bookings holding a place */
  char rereferral_of[IJ_UUID_BUF]; /* "" when this is not a re-referral */
  int rereferral_months;           /* 3, 6 or 12; 0 when not a re-referral */
  ij_time_us erased_at;            /* when retention erased its personal data; 0: not erased */
  bool person_erased;              /* the person's data is erased (no name or date of birth) */
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

/* Records an Idempotency-Key for this actor and area with the response to give a retry, in the
 * caller's transaction: *claimed false (nothing written) when the key is recorded already, or was
 * by a concurrent request that has committed. */
ij_err ij_store_idempotency_claim(ij_conn *conn, const char *area, const char *actor_sub,
                                  const ij_idempotency *idem, const char *referral_id,
                                  ij_time_us at, bool *claimed);
/* The request hash and response kept for a key. IJ_ERR_NOT_FOUND when there is none. out->response
 * is owned by the caller (free()). */
ij_err ij_store_idempotency_get(ij_conn *conn, const char *area, const char *actor_sub,
                                const char *key, char request_hash[65], ij_replay *out);

/* Inserts r's person, or updates the person the area has already (same police identifier, else
 * the same name_key and date of birth: ij_domain_name_key) with the newer details; r->person_id
 * becomes the stored person's id. */
ij_err ij_store_person_upsert(ij_conn *conn, ij_referral *r, const char *name_key, ij_time_us at,
                              ij_field_errors *errs);
/* Inserts the referral (state submitted, version 1) and its "create" event. IJ_ERR_INVALID with
 * field "offence.ward" for a ward the area does not have. */
ij_err ij_store_referral_insert(ij_conn *conn, const ij_referral *r, const ij_audit *audit,
                                ij_field_errors *errs);

/* The person's latest exit (completed or non-compliant) at or before `before`, found by police
 * identifier when given, else by name_key and date of birth: the referral and the exit's date.
 * IJ_ERR_NOT_FOUND when they have none. */
ij_err ij_store_person_last_exit(ij_conn *conn, const char *area, const char *police_id,
                                 const char *name_key, ij_date date_of_birth, ij_time_us before,
                                 char referral_id[IJ_UUID_BUF], ij_date *exited_on);

/* IJ_ERR_NOT_FOUND when there is no such referral in the area. *out: ij_referral_clear. */
ij_err ij_store_referral_get(ij_conn *conn, const char *area, const char *id, ij_referral *out);

/* A decided event to write: the decision (with its effects on the referral's own columns: the
 * warning count, exited_at, completed_at), the request's data and who. Borrowed. */
typedef struct {
  const ij_decision *decision;
  const ij_transition_request *request;
  const ij_audit *audit;
} ij_transition_write;
#define IJ_TRANSITIONS_MAX 8

/* Writes decided events one after another in one round trip, each moving the version on by one:
 * state, version, the event's data and its event row, only if the referral is still at
 * `expected_version` (else IJ_ERR_STALE, nothing written). IJ_ERR_INVALID with field
 * "reason_code" for a code not in the decision's reason list. *out: the referral after the last
 * (ij_referral_clear). */
ij_err ij_store_referral_transitions(ij_conn *conn, const char *area, const char *id,
                                     int expected_version, const ij_transition_write *writes, int n,
                                     ij_referral *out, ij_field_errors *errs);
/* One decided event, as ij_store_referral_transitions. */
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
/* A placement as stored. In a record the store returns, the strings live in owner_ until
 * ij_placement_clear. */
typedef struct {
  char id[IJ_UUID_BUF];
  const char *area;
  const char *name, *type, *provider, *ward;
  const char *location; /* NULL when not given */
  int min_age;
  const char *supervisor_sub, *supervisor_name;
  bool active;
  int version;
  ij_time_us created_at, updated_at;
  void *owner_;
} ij_placement;

void ij_placement_clear(ij_placement *p);

/* Creates a placement (version 1) with id `id` from a validated input; min_age and active take
 * their defaults when absent. IJ_ERR_INVALID with field "ward" for a ward the area does not have
 * ("type" for an unknown type). *out: ij_placement_clear. */
ij_err ij_store_placement_create(ij_conn *conn, const char *area, const char *id,
                                 const ij_placement_input *in, ij_time_us at, ij_placement *out,
                                 ij_field_errors *errs);

/* IJ_ERR_NOT_FOUND when there is no such placement in the area. *out: ij_placement_clear. */
ij_err ij_store_placement_get(ij_conn *conn, const char *area, const char *id, ij_placement *out);

/* Applies validated changes (the members given in `changes`), version + 1, only if the placement
 * is still at `expected_version` (else IJ_ERR_STALE; IJ_ERR_NOT_FOUND when not in the area).
 * IJ_ERR_INVALID with field "ward" as for create. *out: the updated placement. */
ij_err ij_store_placement_update(ij_conn *conn, const char *area, const char *id,
                                 int expected_version, const ij_placement_input *changes,
                                 ij_time_us at, ij_placement *out, ij_field_errors *errs);

typedef struct {
  const char *area;
  const char *type;           /* NULL: any */
  const char *ward;           /* NULL: any */
  const char *supervisor_sub; /* NULL: any (the supervisor filter) */
  const char *scope_sub;      /* NULL: every placement; else only those this subject supervises */
  int active;                 /* -1 any, 0, 1 */
  bool has_cursor;
  ij_time_us cursor_created_at;
  char cursor_id[IJ_UUID_BUF];
  int limit;
} ij_placement_filter;

typedef struct {
  int count;
  ij_placement *items;
  bool more; /* another page follows the last item */
  void *owner_;
} ij_placement_page;

/* Newest first (created_at, id descending). */
ij_err ij_store_placement_list(ij_conn *conn, const ij_placement_filter *f, ij_placement_page *out);
void ij_placement_page_clear(ij_placement_page *page);

/* Who is booked on a session (BookingSummary). Strings live as long as the session record. */
typedef struct {
  char id[IJ_UUID_BUF];
  char referral_id[IJ_UUID_BUF];
  const char *person_name;
  const char *status; /* "booked" or an outcome name */
  int minutes_credited;
} ij_session_booking;

/* A session as stored, with its placement's name, type, ward and minimum age. The strings live
 * in the record until ij_session_clear. */
typedef struct {
  char id[IJ_UUID_BUF];
  const char *area;
  char placement_id[IJ_UUID_BUF];
  const char *placement_name, *placement_type, *placement_ward;
  int placement_min_age;
  ij_time_us starts_at, ends_at;
  int capacity;
  int booked; /* places held */
  const char *supervisor_sub, *supervisor_name;
  bool cancelled;
  int version;
  ij_time_us created_at, updated_at;
  int nbookings;                /* with bookings only (ij_store_session_get) */
  ij_session_booking *bookings; /* by booking time; NULL otherwise */
  void *owner_;
  void *bookings_owner_;
} ij_session;

void ij_session_clear(ij_session *s);

/* Creates a session (version 1) of a placement of the area. The supervisor defaults to the
 * placement's when supervisor_sub is NULL. IJ_ERR_NOT_FOUND when the placement is not in the
 * area; IJ_ERR_CONFLICT with field "placement" when it is not active. *out: ij_session_clear. */
ij_err ij_store_session_create(ij_conn *conn, const char *area, const char *placement_id,
                               const char *id, const ij_session_times *times, int capacity,
                               const char *supervisor_sub, const char *supervisor_name,
                               ij_time_us at, ij_session *out, ij_field_errors *errs);

/* IJ_ERR_NOT_FOUND when there is no such session in the area; with_bookings also reads who is
 * booked. *out: ij_session_clear. */
ij_err ij_store_session_get(ij_conn *conn, const char *area, const char *id, bool with_bookings,
                            ij_session *out);

typedef struct {
  const char *area;
  const char *placement_id;   /* NULL: any */
  const char *ward;           /* the placement's; NULL: any */
  const char *type;           /* the placement's; NULL: any */
  const char *supervisor_sub; /* NULL: any (the supervisor filter) */
  const char *scope_sub;      /* NULL: every session; else only those this subject supervises */
  bool has_from;
  ij_time_us from; /* starts_at >= from */
  bool has_to;
  ij_time_us to; /* starts_at < to */
  bool has_cursor;
  ij_time_us cursor_starts_at;
  char cursor_id[IJ_UUID_BUF];
  int limit;
} ij_session_filter;

typedef struct {
  int count;
  ij_session *items;
  bool more;
  void *owner_;
} ij_session_page;

/* By start time (starts_at, id ascending). */
ij_err ij_store_session_list(ij_conn *conn, const ij_session_filter *f, ij_session_page *out);
void ij_session_page_clear(ij_session_page *page);

/* Changes an open session at expected_version (else IJ_ERR_STALE; IJ_ERR_NOT_FOUND when not in
 * the area): capacity and supervisor, version + 1. IJ_ERR_CONFLICT with field "capacity" when the
 * capacity would fall below the places held, with field "cancelled" when the session is
 * cancelled. *out: the updated session, without bookings. Cancelling is the two calls below. */
ij_err ij_store_session_update(ij_conn *conn, const char *area, const char *id,
                               int expected_version, const ij_session_input *changes, ij_time_us at,
                               ij_session *out, ij_field_errors *errs);

/* Cancelling a session, in the caller's transaction. First the locks, in the order the bookings
 * code takes them: the referrals holding open bookings on the session (waiting), then the
 * session (waiting), then its open bookings and the referrals of any booked meanwhile without
 * waiting, since holding the session, waiting for anything else could close a cycle. IJ_ERR_STALE,
 * IJ_ERR_NOT_FOUND, IJ_ERR_CONFLICT with field "cancelled" when it is cancelled already, or
 * IJ_ERR_CONFLICT with *busy when a row was busy: roll back and try again. */
ij_err ij_store_session_cancel_lock(ij_conn *conn, const char *area, const char *id,
                                    int expected_version, bool *busy, ij_field_errors *errs);
/* Then the change: every booking still `booked` cancelled (version + 1), their places freed and
 * counted off their referrals, the session cancelled with any other change sent (version + 1).
 * *referral_ids: the referrals whose bookings were cancelled, one column (ij_rows_clear). */
ij_err ij_store_session_cancel_apply(ij_conn *conn, const char *area, const char *id,
                                     const ij_session_input *changes, ij_time_us at,
                                     ij_rows *referral_ids, ij_field_errors *errs);
/* END PLACEMENTS-SECTION */

/* NOTICES-SECTION: the outcome-notice outbox, its feed and delivery, and the work lists (owned by
 * the notices work). */
/* Writes, in the caller's transaction, the outcome notice for a referral that has just reached
 * `event` (the state's name), with the hours it required, and with tell_victim a victim update to
 * r->victim_contact, in one round trip. `r` is the referral after the change. IJ_ERR_INVALID
 * (nothing written) for an event other than "completed" and "non_compliant". */
ij_err ij_store_notices_add_exit(ij_conn *conn, const ij_referral *r, const char *event,
                                 int hours_required, bool tell_victim, ij_time_us at);

/* A notice as the feed shows it. Strings live in the page's owner_ (ij_notice_page_clear). */
typedef struct {
  int64_t seq;
  const char *id;
  const char *kind;  /* "outcome" or "victim_update" */
  const char *event; /* "completed" or "non_compliant" */
  const char *referral_id;
  ij_time_us created_at;
  ij_time_us delivered_at; /* 0 while not delivered */
  const char *payload;     /* a JSON object, as text */
} ij_notice;

typedef struct {
  int count;
  ij_notice *items;
  bool more; /* another page follows the last item */
  void *owner_;
} ij_notice_page;

/* The area's notices with seq > after_seq, ascending by seq, at most `limit`. With officer_sub,
 * only outcome notices of referrals that officer made (no victim updates). */
ij_err ij_store_notices_list(ij_conn *conn, const char *area, const char *officer_sub,
                             int64_t after_seq, int limit, ij_notice_page *out);
void ij_notice_page_clear(ij_notice_page *page);

/* One notice claimed for delivery. Strings live in the batch's owner_. */
typedef struct {
  const char *id;
  const char *url;  /* the area's webhook */
  const char *body; /* {"id","kind","event","referral_id","created_at","payload"} as JSON text */
  int attempts;     /* failed attempts so far */
} ij_notice_delivery;

typedef struct {
  int count;
  ij_notice_delivery *items;
  void *owner_;
} ij_notice_batch;

/* The areas that have undelivered notices due and a webhook, by code (a function that returns no
 * row of a notice, so it needs no area). *out: ij_rows_clear. */
ij_err ij_store_notice_due_areas(ij_conn *conn, ij_rows *out);
/* In a transaction the caller has begun, on a connection scoped to an area (or the owner's, for
 * every area): locks up to `limit` undelivered notices that are due, of areas with a webhook,
 * oldest first, skipping those another transaction holds (so that several workers never send the
 * same notice at once). The locks last until the caller commits. *out: ij_notice_batch_clear. */
ij_err ij_store_notices_claim(ij_conn *conn, int limit, ij_notice_batch *out);
void ij_notice_batch_clear(ij_notice_batch *batch);
/* Marks a claimed notice delivered (now). */
ij_err ij_store_notice_delivered(ij_conn *conn, const char *id);
/* Counts a failed attempt on a claimed notice, keeps the error (borrowed; shortened to 500
 * characters) and puts the next attempt 2^attempts seconds (at most an hour) from now. */
ij_err ij_store_notice_failed(ij_conn *conn, const char *id, const char *error);
/* The outbox backlog, database-wide: undelivered notices of areas with a webhook (*count) and the
 * age in seconds of the oldest of them (*oldest_seconds, 0 when none). Counts over the partial
 * index of undelivered notices, so it stays cheap while deliveries keep up. */
ij_err ij_store_notices_backlog(ij_conn *conn, int64_t *count, double *oldest_seconds);

/* ---- retention ---- */

/* Every area's code, in order (areas hold no personal data: no area is needed to read them). */
ij_err ij_store_area_codes(ij_conn *conn, ij_rows *out);
/* In one transaction (its own statement): erases the personal data of up to `limit` referrals of
 * `area` that ended (closed, rejected, withdrawn) before `ended_before`, oldest first, and of the
 * people none of whose referrals is kept any longer; drops idempotency records made before
 * `ended_before`. *referrals and *people: how many were erased. Referrals locked by another
 * transaction are skipped (a later run takes them). */
ij_err ij_store_retention_erase(ij_conn *conn, const char *area, ij_time_us ended_before,
                                ij_time_us now, int limit, int *referrals, int *people);

/* ---- work lists (coordinators) ---- */

/* A keyset position in a work list: the list's sort instant and the row's id. */
typedef struct {
  bool has;
  ij_time_us at;
  char id[IJ_UUID_BUF];
} ij_worklist_cursor;

/* Referrals awaiting triage (submitted), oldest first (keyset on created_at, id). Items are
 * summaries as ij_store_referral_list gives them. *out: ij_referral_page_clear. */
ij_err ij_store_worklist_triage(ij_conn *conn, const char *area, const ij_worklist_cursor *after,
                                int limit, ij_referral_page *out);
/* Referrals whose start clock runs, with nothing attended, past target_start_by at `now`; most
 * overdue first (keyset on target_start_by, id). *out: ij_referral_page_clear. */
ij_err ij_store_worklist_overdue(ij_conn *conn, const char *area, ij_time_us now,
                                 const ij_worklist_cursor *after, int limit, ij_referral_page *out);

typedef struct {
  const char *id;
  const char *referral_id;
  const char *person_name;
  const char *status; /* "booked" or an outcome */
} ij_worklist_booking;

typedef struct {
  const char *id;
  ij_time_us starts_at, ends_at;
  int capacity, booked;
  const char *supervisor_sub, *supervisor_name;
  const char *placement_id, *placement_name, *placement_type, *ward;
  const char *location; /* NULL when the placement gives none */
  int nbookings;
  ij_worklist_booking *bookings; /* who holds (or held) a place: not cancelled or rescheduled */
} ij_worklist_session;

typedef struct {
  int count;
  ij_worklist_session *items;
  bool more;
  void *owner_;
} ij_worklist_session_page;

/* Sessions of the area starting in [from, to), not cancelled, by start time (keyset on
 * starts_at, id), each with its bookings. *out: ij_worklist_session_page_clear. */
ij_err ij_store_worklist_sessions(ij_conn *conn, const char *area, ij_time_us from, ij_time_us to,
                                  const ij_worklist_cursor *after, int limit,
                                  ij_worklist_session_page *out);
void ij_worklist_session_page_clear(ij_worklist_session_page *page);

typedef struct {
  const char *id; /* the booking's */
  int version;    /* the booking's, for If-Match on its outcome */
  const char *referral_id;
  const char *person_name;
  const char *session_id;
  ij_time_us starts_at, ends_at;
  const char *placement_id, *placement_name;
  const char *supervisor_sub, *supervisor_name; /* the session's */
} ij_outcome_due;

typedef struct {
  int count;
  ij_outcome_due *items;
  bool more;
  void *owner_;
} ij_outcome_due_page;

/* Bookings still "booked" whose session ended before `now`, oldest end first (keyset on ends_at,
 * id). *out: ij_outcome_due_page_clear. */
ij_err ij_store_worklist_outcomes_due(ij_conn *conn, const char *area, ij_time_us now,
                                      const ij_worklist_cursor *after, int limit,
                                      ij_outcome_due_page *out);
void ij_outcome_due_page_clear(ij_outcome_due_page *page);
/* END NOTICES-SECTION */

/* BOOKINGS-SECTION: bookings and attendance. */
/* Reads a referral and locks it for the rest of the caller's transaction. */
ij_err ij_store_referral_lock(ij_conn *conn, const char *area, const char *id, ij_referral *out);

/* Adds to a referral's counters in the caller's transaction (no new version: the version counts
 * lifecycle events). first_attended_at is set when given (non-zero) and not set yet. */
ij_err ij_store_referral_counters(ij_conn *conn, const char *area, const char *id,
                                  int minutes_delta, int breaches_delta, int bookings_delta,
                                  ij_time_us first_attended_at, ij_time_us at);

/* A session as a booking needs it. supervisor_sub is copied (IJ_CLAIM_MAX bytes at most). */
ij_err ij_store_session_facts(ij_conn *conn, const char *area, const char *session_id,
                              ij_session_facts *out, char *supervisor_sub, size_t sub_size);

/* Takes a place on the session and inserts the booking, in the caller's transaction.
 * IJ_ERR_CONFLICT with a field error on "session_id" when the session is full or cancelled, when
 * the person is booked on an overlapping session, or when the referral is booked on it already. */
ij_err ij_store_booking_insert(ij_conn *conn, const char *area, const char *booking_id,
                               const char *referral_id, const char *person_id,
                               const char *session_id, ij_time_us at, ij_field_errors *errs);

typedef struct {
  char id[IJ_UUID_BUF];
  char referral_id[IJ_UUID_BUF];
  char session_id[IJ_UUID_BUF];
  char placement_id[IJ_UUID_BUF];
  const char *placement_name;
  const char *person_name;
  const char *supervisor_sub; /* the session's */
  ij_time_us starts_at, ends_at;
  const char *status; /* "booked" or an outcome name */
  const char *absence_reason;
  int penalty_minutes;
  int minutes_credited;
  const char *behaviour, *work_quality, *notes;
  const char *rescheduled_to;
  int version;
  ij_time_us created_at, updated_at;
} ij_booking;

typedef struct {
  int count;
  ij_booking *items;
  void *owner_;
} ij_booking_list;
void ij_booking_list_clear(ij_booking_list *list);

/* One booking (lock: FOR UPDATE within the caller's transaction). IJ_ERR_NOT_FOUND when not in
 * the area. The list owns the strings: ij_booking_list_clear. */
ij_err ij_store_booking_get(ij_conn *conn, const char *area, const char *id, bool lock,
                            ij_booking_list *out);
ij_err ij_store_bookings_of_referral(ij_conn *conn, const char *area, const char *referral_id,
                                     ij_booking_list *out);

/* The outcomes recorded on a booking, oldest first: seq, status, minutes_credited,
 * amendment_reason, actor_sub, actor_name, actor_role, at (microseconds). */
ij_err ij_store_booking_outcomes(ij_conn *conn, const char *area, const char *booking_id,
                                 ij_rows *out);

typedef struct {
  const char *status;
  const char *absence_reason;
  int penalty_minutes;
  int minutes_credited;
  const char *behaviour, *work_quality, *notes;
  const char *rescheduled_to; /* the new booking's id, or NULL */
  const char *amendment_reason;
} ij_booking_outcome_record;

/* Records an outcome on a booking at expected_version (else IJ_ERR_STALE), appends it to the
 * booking's outcome history, and frees the session place when `free_place`. */
ij_err ij_store_booking_record(ij_conn *conn, const char *area, const char *booking_id,
                               int expected_version, const ij_booking_outcome_record *rec,
                               bool free_place, const ij_audit *audit);

/* Cancels a referral's open bookings (status booked), frees their places, and lowers the
 * referral's active_bookings; in the caller's transaction. *cancelled: how many. */
ij_err ij_store_bookings_cancel_open(ij_conn *conn, const char *area, const char *referral_id,
                                     ij_time_us at, int *cancelled);
/* Demo data: three placements in the area with a session each day from three days before `now`
 * to four days after (09:00-13:00 UTC); the ids of the sessions that have ended and of those yet
 * to start, by start time. */
ij_err ij_store_demo_sessions(ij_conn *conn, const char *area, ij_time_us now, ij_rows *past,
                              ij_rows *future);
/* END BOOKINGS-SECTION */

/* ---- reoffending follow-up ------------------------------------------------------------------ */
typedef struct {
  char id[IJ_UUID_BUF];
  char referral_id[IJ_UUID_BUF];
  char person_id[IJ_UUID_BUF];
  const char *person_name;
  const char *police_id;
  int window_months;
  const char *exit_state;
  ij_date exited_on;
  ij_date due_on;
  ij_time_us recorded_at; /* 0 when not recorded */
  int reoffended;         /* -1 not recorded, 0, 1 */
  ij_date first_reoffence_on;
  const char *reoffence_category;
  const char *source;
  const char *checked_by_sub, *checked_by_name;
  int version;
  ij_time_us created_at, updated_at;
} ij_followup;

typedef struct {
  int count;
  ij_followup *items;
  bool more;
  void *owner_;
} ij_followup_page;
void ij_followup_page_clear(ij_followup_page *page);

/* Writes the three checks of a referral that has just exited on `exited_on`, in the caller's
 * transaction. due_on: the three due dates, in the order of ij_followup_windows. */
ij_err ij_store_followups_create(ij_conn *conn, const ij_referral *r, const char *exit_state,
                                 ij_date exited_on, const ij_date due_on[], ij_time_us at);

typedef enum {
  IJ_FOLLOWUPS_PENDING,  /* not recorded */
  IJ_FOLLOWUPS_DUE,      /* not recorded, due on or before today */
  IJ_FOLLOWUPS_OVERDUE,  /* not recorded, due more than 28 days before today */
  IJ_FOLLOWUPS_RECORDED, /* recorded */
  IJ_FOLLOWUPS_ALL
} ij_followup_status;

typedef struct {
  const char *area;
  ij_followup_status status;
  ij_date today;
  const char *referral_id; /* NULL: any */
  bool has_cursor;
  ij_date cursor_due_on;
  char cursor_id[IJ_UUID_BUF];
  int limit;
} ij_followup_filter;

/* By due date (then id), earliest first. */
ij_err ij_store_followups_list(ij_conn *conn, const ij_followup_filter *f, ij_followup_page *out);
/* One check (locked FOR UPDATE in the caller's transaction when `lock`). */
ij_err ij_store_followup_get(ij_conn *conn, const char *area, const char *id, bool lock,
                             ij_followup_page *out);
/* Records a result at expected_version (else IJ_ERR_STALE). */
ij_err ij_store_followup_record(ij_conn *conn, const char *area, const char *id,
                                int expected_version, const ij_followup_result *result,
                                const char *category, const char *import_id, const ij_audit *audit);

/* The checks an import may name: those of people with one of the police identifiers, of the
 * people, or of the referrals given (Postgres array literals, e.g. "{a,b}"). Columns: id,
 * version, window_months, referral_id, person_id, police_id, exited_on, due_on (days),
 * recorded (t/f), reoffended, first_reoffence_on (days), reoffence_category. */
ij_err ij_store_followups_candidates(ij_conn *conn, const char *area, const char *police_ids,
                                     const char *person_ids, const char *referral_ids,
                                     ij_rows *out);
/* A file imported before, by its digest: id, rows, recorded, unchanged; IJ_ERR_NOT_FOUND if new. */
ij_err ij_store_followup_import_find(ij_conn *conn, const char *area, const char *sha256,
                                     ij_rows *out);
/* Records an import in the caller's transaction; IJ_ERR_CONFLICT when the same file was
 * recorded meanwhile. */
ij_err ij_store_followup_import_add(ij_conn *conn, const char *area, const char *id,
                                    const char *sha256, int rows, int recorded, int unchanged,
                                    const ij_audit *audit);

/* ---- commissioners' statistics --------------------------------------------------------------- */
/* Aggregates only: counts, sums and a median over an area's referrals; nothing about a person. */
typedef struct {
  const char *area;             /* NULL: every area (the national view) */
  ij_date from, to;             /* inclusive: referrals made (summary) or exits (reoffending) */
  const char *ward;             /* NULL: any */
  const char *placement_type;   /* NULL: any; else referrals with a booking on such a placement */
  const char *offence_category; /* NULL: any */
  int age_min, age_max;         /* age on the offence date; age_max 0: any */
  ij_date today;                /* reoffending: windows due on or before today have elapsed */
  int timeout_ms;               /* each statement's bound (statement_timeout); 0: none */
} ij_stats_filter;

typedef struct {
  ij_date month; /* its first day */
  int64_t referrals;
  int64_t completed; /* of those referrals */
} ij_stats_month;

typedef struct {
  const char *placement_type; /* static: from IJ_PLACEMENT_TYPE_LIST */
  int64_t minutes;            /* credited on bookings of that type */
  int64_t referrals;          /* referrals with credited minutes of that type */
} ij_stats_type_hours;

#define IJ_STATS_TYPES 6

typedef struct {
  int64_t referrals, accepted, rejected, started, started_within_target;
  int64_t completed, non_compliant, rereferrals;
  int64_t minutes_credited, credited_referrals; /* referrals with any minutes credited */
  bool has_median;
  double median_hours_to_first_session;
  int64_t bookings_attended, bookings_counted; /* attendance rate's parts (ij_ops_stats_summary) */
  int64_t bookings_by_outcome[IJ_OUTCOME__COUNT]; /* bookings of the period by recorded outcome */
  int nmonths;
  ij_stats_month *months; /* every month of the period, oldest first (owned) */
  ij_stats_type_hours hours_by_type[IJ_STATS_TYPES]; /* in IJ_PLACEMENT_TYPE_LIST order */
} ij_stats_summary;

/* The raw figures of the summary, in one round trip, inside the caller's read-only snapshot
 * transaction (ij_store_begin_snapshot), so that the series add up to the figures. Leaves
 * bookings_attended and bookings_counted to the caller. *out: ij_stats_summary_clear. */
ij_err ij_store_stats_summary(ij_conn *conn, const ij_stats_filter *f, ij_stats_summary *out);
void ij_stats_summary_clear(ij_stats_summary *s);

typedef struct {
  int64_t cohort;     /* exits whose window has elapsed and whose check is recorded */
  int64_t reoffended; /* of the cohort */
  int64_t pending;    /* window not elapsed, or check not recorded yet */
} ij_stats_cohort;

typedef struct {
  int months;                     /* 3, 6, 12 */
  ij_stats_cohort completers;     /* exit completed */
  ij_stats_cohort non_completers; /* exit non_compliant */
} ij_stats_window;

/* Reoffending by window and exit, for exits in the period. */
ij_err ij_store_stats_reoffending(ij_conn *conn, const ij_stats_filter *f,
                                  ij_stats_window out[IJ_FOLLOWUP_WINDOW_COUNT]);

/* ---- personal-data access log ---------------------------------------------------------------- */
/* One request's access to people's records: referral_ids[i] was consulted, altered or disclosed
 * (actions[i]: "consult", "alter", "disclose"). All strings borrowed. */
typedef struct {
  const char *area;
  ij_time_us at;
  const char *actor_sub;
  const char *actor_role; /* the actor's role names, comma-separated */
  const char *route;      /* the route template, as in openapi.yaml */
  const char *method;
  const char *request_id;
  int count;
  const char *const *referral_ids; /* canonical UUIDs */
  const char *const *actions;
} ij_access_record;

/* One access of one referral, for the batched log. Strings borrowed. */
typedef struct {
  ij_time_us at;
  const char *actor_sub;
  const char *actor_role;
  const char *action; /* consult, alter or disclose */
  const char *referral_id;
  const char *route;
  const char *method;
  const char *request_id;
} ij_access_row;

/* Writes `count` access rows of one area in one statement and its own transaction (the
 * connection scoped to `area`; not inside a transaction), each with the person of its referral
 * in the area; ids of no referral in the area are left out. Commits without waiting for the WAL
 * flush (synchronous_commit off for that transaction). */
ij_err ij_store_access_log_rows(ij_conn *conn, const char *area, const ij_access_row *rows,
                                int count);
/* referral_id of the area's follow-up checks an import recorded, at most `limit` (for its access
 * record). */
ij_err ij_store_import_referrals(ij_conn *conn, const char *area, const char *import_id, int limit,
                                 ij_rows *out);

/* A logged access. Strings live in the page's owner_ (ij_access_page_clear); referral_id and
 * person_id NULL when the record names none. */
typedef struct {
  int64_t id;
  ij_time_us at;
  const char *actor_sub;
  const char *actor_role;
  const char *action;
  const char *referral_id;
  const char *person_id;
  const char *route;
  const char *method;
  const char *request_id;
} ij_access_entry;

typedef struct {
  const char *area;
  const char *person_id;   /* canonical UUID or NULL */
  const char *referral_id; /* canonical UUID or NULL */
  const char *actor_sub;   /* or NULL */
  int limit;
  bool has_cursor; /* the page after (cursor_at, cursor_id), newest first */
  ij_time_us cursor_at;
  int64_t cursor_id;
} ij_access_filter;

typedef struct {
  int count;
  bool more;
  ij_access_entry *items;
  void *owner_;
} ij_access_page;

/* The area's access records, newest first (at, id descending), at most f->limit.
 * *out: ij_access_page_clear. */
ij_err ij_store_access_list(ij_conn *conn, const ij_access_filter *f, ij_access_page *out);
void ij_access_page_clear(ij_access_page *page);

/* ---- read replicas (replica.c) ----------------------------------------------------------------
 */
/* How far the data a connection reads is behind the primary's. */
typedef struct {
  bool standby;          /* the server is a hot standby (in recovery) */
  bool known;            /* false: a standby that cannot tell (nothing replayed since it started,
                            and not caught up); lag_seconds and data_as_of are then 0 */
  double lag_seconds;    /* 0 on a primary, and on a standby that is connected to its primary and
                            has replayed all it received; else now - the last replayed commit */
  ij_time_us data_as_of; /* every transaction the primary committed before this is visible */
} ij_replica_lag;

/* One statement on its own (outside a transaction). Measured before the statements whose
 * staleness it states, it bounds them: replay only moves forward, so a snapshot taken after it
 * sees at least as much. */
ij_err ij_store_replica_lag(ij_conn *conn, ij_replica_lag *out);

#endif
