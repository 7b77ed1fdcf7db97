/* Operations: the domain's decisions and the store's writes for one business operation, in one
 * transaction, and the reads the API offers. Used by the HTTP handlers and by the demo data, so
 * that both follow the same rules; a handler calls one of these per request. No HTTP here and no
 * clock reads: the caller passes "now".
 *
 * Ownership, unless a function says otherwise: the connection, op, actor and every input (strings,
 * filters, cursors) are borrowed for the call only; what a function fills in *out is owned by the
 * caller until the *_clear its store header names (ij_referral_clear, ij_rows_clear, ...), and is
 * left zeroed (safe to clear) when it fails. A list's scope_sub, where there is one, is the
 * supervisor whose records the caller may see (NULL: every record of op's area); a record outside
 * it is answered IJ_ERR_NOT_FOUND, as if it did not exist. */
#ifndef IJ_OPS_H
#define IJ_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ij/amend.h"
#include "ij/domain.h"
#include "ij/error.h"
#include "ij/ids.h"
#include "ij/store/access_log.h"
#include "ij/store/bookings.h"
#include "ij/store/followups.h"
#include "ij/store/non_associations.h"
#include "ij/store/notices.h"
#include "ij/store/people.h"
#include "ij/store/placements.h"
#include "ij/store/pool.h"
#include "ij/store/referrals.h"
#include "ij/store/stats.h"
#include "ij/store/stats_areas.h"
#include "ij/store/worklists.h"

/* Where and when an operation runs. Strings borrowed. */
typedef struct {
  const char *area;
  const char *request_id;
  ij_time_us now;
  const ij_area_rules *area_defaults; /* the rules of an area without its own; NULL: the domain's */
} ij_op_ctx;

/* The facts the domain decides on, from a stored referral. */
void ij_ops_facts(const ij_referral *r, ij_referral_facts *f);

/* ---- referrals ---- */

/* What making a referral needs beyond its data: the Idempotency-Key (or NULL) with a hash of the
 * request, and how to render the 201 response (kept with the key, so that a retry gets the same
 * one): render returns a new malloc'd string for the referral made, or NULL when out of memory. */
typedef struct {
  const char *idempotency_key;
  const char *request_hash; /* hex SHA-256 of the body, when a key is given */
  char *(*render)(const ij_referral *r, void *arg);
  void *render_arg;
} ij_create_request;

typedef struct {
  ij_referral referral; /* as made; its strings are borrowed from the input (not when replayed) */
  bool replayed;        /* the key was used before with the same request: nothing was made */
  int status;           /* 201, or the kept response's */
  char *response;       /* the response to send (owned: ij_created_clear) */
} ij_created;
void ij_created_clear(ij_created *c);

/* Makes a referral (submitted, version 1) for an officer in op's area, with its person (the same
 * person as an earlier referral with the same police identifier, else name and date of birth) and
 * a note when it is a re-referral within 12 months of an exit, in one transaction with the key.
 * IJ_ERR_FORBIDDEN for an area the service does not know (no field errors); IJ_ERR_INVALID with
 * every problem in errs; IJ_ERR_IDEMPOTENCY when the key came with another request. */
ij_err ij_ops_referral_create(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                              const ij_referral_input *in, const ij_create_request *req,
                              ij_created *out, ij_field_errors *errs);

/* A client's event on a referral at expected_version, decided by the domain and written with its
 * effects (the bookings a withdrawal or non-compliance ends, an exit's notices and reoffending
 * checks) in one transaction. *out: the referral after it (ij_referral_clear; also set, to the
 * referral as read, on IJ_ERR_STALE when it was read at another version). IJ_ERR_NOT_FOUND,
 * IJ_ERR_STALE, IJ_ERR_FORBIDDEN (the role, with a field error on "event"; or the area unknown,
 * without), IJ_ERR_TRANSITION (*allowed_events set), IJ_ERR_INVALID, IJ_ERR_CONFLICT. */
ij_err ij_ops_referral_transition(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                                  const char *id, int expected_version,
                                  const ij_transition_request *req, ij_referral *out,
                                  unsigned *allowed_events, ij_field_errors *errs);

/* One referral of op's area. IJ_ERR_NOT_FOUND when there is none. *out: ij_referral_clear. */
ij_err ij_ops_referral_get(ij_conn *conn, const ij_op_ctx *op, const char *id, ij_referral *out);

/* A page of the referrals of f->area (summaries), newest first; f->overdue is judged by the
 * domain's start clock (f->clock_states is set here, whatever the caller put in it).
 * *out: ij_referral_page_clear. */
ij_err ij_ops_referral_list(ij_conn *conn, const ij_referral_filter *f, ij_referral_page *out);

/* A referral's events with seq > after_seq, oldest first, at most `limit`. IJ_ERR_NOT_FOUND when
 * op's area has no such referral. *out: ij_event_page_clear. */
ij_err ij_ops_referral_events(ij_conn *conn, const ij_op_ctx *op, const char *id, int after_seq,
                              int limit, ij_event_page *out);

/* ---- bookings and attendance ---- */

/* A booking as the API shows it: the booking and its outcome history. Owned by the caller until
 * ij_booking_view_clear. */
typedef struct {
  ij_booking_list booking; /* one item, booking.items[0] */
  ij_rows outcomes;        /* oldest first, the columns of ij_store_booking_outcomes */
} ij_booking_view;
/* Frees both and zeroes the view (NULL and a zeroed view are ignored). */
void ij_booking_view_clear(ij_booking_view *v);

/* Books a referral onto a session; the first booking schedules the referral. IJ_ERR_NOT_FOUND
 * (no such referral), IJ_ERR_INVALID (field session_id: no such session), IJ_ERR_TRANSITION
 * (*allowed_events set), IJ_ERR_CONFLICT (field errors say why). booking_id gets the new id.
 * out (or NULL): the booking as made, read after the commit (ij_booking_view_clear); when that
 * read fails its error is returned, the booking made all the same. */
ij_err ij_ops_book(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                   const char *referral_id, const char *session_id, char booking_id[IJ_UUID_BUF],
                   ij_booking_view *out, unsigned *allowed_events, ij_field_errors *errs);

/* ij_ops_book in a mode (ij_booking_mode): a walk-in onto a session under way, or a late entry
 * onto a session that is over with its reason (late_entry_reason, NULL otherwise), each allowed
 * to the mode's roles (else IJ_ERR_FORBIDDEN) and marked on the booking and on the referral
 * events it causes. scope_sub: the supervisor whose sessions the caller may use (NULL: any);
 * another session, or none, is IJ_ERR_NOT_FOUND (a walk-in only: the session is the resource);
 * a walk-in's unknown referral is IJ_ERR_INVALID with a field error on "referral_id". Every other
 * rule and answer is ij_ops_book's: the same path. */
ij_err ij_ops_book_as(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                      ij_booking_mode mode, const char *late_entry_reason, const char *scope_sub,
                      const char *referral_id, const char *session_id, char booking_id[IJ_UUID_BUF],
                      ij_booking_view *out, unsigned *allowed_events, ij_field_errors *errs);

/* A session's register for the supervisor running it: the session (IJ_ERR_NOT_FOUND when op's
 * area has none, or scope_sub does not supervise it; *session: ij_session_clear) and, for each
 * booking holding a place or with an outcome, what ij_store_session_register reads (*rows:
 * ij_rows_clear). */
ij_err ij_ops_session_register(ij_conn *conn, const ij_op_ctx *op, const char *session_id,
                               const char *scope_sub, ij_session *session, ij_rows *rows);

/* Records an outcome on a booking at expected_version (else IJ_ERR_STALE with *current_version
 * set); in->late_entry_reason marks it as entered afterwards (ij_domain_outcome_late_entry, which
 * also requires it on a booking made as a late entry), and moves the referral by itself: in
 * progress on the first attended session, completed when the credited hours reach those required
 * (with outcome notices), back to accepted when no booking holds a place and nothing was attended.
 * scope_sub: the supervisor who may record on it (NULL: anyone), else IJ_ERR_NOT_FOUND.
 * rescheduled_session: the session of the new booking for a rescheduled outcome (else NULL). out
 * (or NULL): the booking after it, read after the commit, as ij_ops_book's. */
ij_err ij_ops_record_outcome(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                             const char *booking_id, const char *scope_sub, int expected_version,
                             const ij_outcome_input *in, const char *rescheduled_session,
                             ij_booking_view *out, int *current_version, ij_field_errors *errs);

/* Signs the person of a booking in on arrival at op->now: the first sign-in of a referral is its
 * first attendance (the attend follow-on puts a scheduled referral in progress). *already: the
 * booking was signed in already, and nothing changed. IJ_ERR_NOT_FOUND (also outside scope_sub),
 * IJ_ERR_CONFLICT with a field error on "booking" (ij_domain_sign_in_check). out (or NULL): the
 * booking after it (ij_booking_view_clear). A sign-out is ij_ops_record_outcome with the times
 * worked in `in` (has_worked). */
ij_err ij_ops_sign_in(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                      const char *booking_id, const char *scope_sub, ij_booking_view *out,
                      bool *already, ij_field_errors *errs);

/* Records the same outcome on n bookings of a session, all or nothing in one transaction: the
 * referrals are locked, then their bookings, in the order of their ids. IJ_ERR_NOT_FOUND when the
 * session is not op's area's or not scope_sub's; IJ_ERR_INVALID or IJ_ERR_CONFLICT (422 when any
 * booking's problem is bad data) with every failing booking's errors on "booking_ids[i]", and
 * nothing recorded. out (or NULL): n views, the bookings after it (each ij_booking_view_clear). */
ij_err ij_ops_record_outcomes(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                              const char *session_id, const char *scope_sub,
                              const char *const *booking_ids, int n, const ij_outcome_input *in,
                              ij_booking_view *out, ij_field_errors *errs);

/* One booking of op's area with its outcome history; IJ_ERR_NOT_FOUND when there is none, or
 * when its session is not scope_sub's. *out: ij_booking_view_clear. */
ij_err ij_ops_booking_get(ij_conn *conn, const ij_op_ctx *op, const char *id, const char *scope_sub,
                          ij_booking_view *out);

/* Every booking of a referral of op's area, by start time, less those on sessions scope_sub does
 * not supervise. IJ_ERR_NOT_FOUND when there is no such referral. *out: ij_booking_list_clear. */
ij_err ij_ops_referral_bookings(ij_conn *conn, const ij_op_ctx *op, const char *referral_id,
                                const char *scope_sub, ij_booking_list *out);

/* Records a reoffending check's result at expected_version (0: any; else IJ_ERR_STALE with
 * *current_version set); the last check (12 months) closes the referral. import_id: the import
 * it came from, or NULL. out (or NULL): the check after it, a page of one item read after the
 * commit (ij_followup_page_clear); when that read fails its error is returned, the result
 * recorded all the same. */
ij_err ij_ops_record_followup(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                              const char *followup_id, int expected_version,
                              const ij_followup_input *in, const char *import_id,
                              ij_followup_page *out, int *current_version, ij_field_errors *errs);

/* A page of f->area's reoffending checks, by due date. *out: ij_followup_page_clear. */
ij_err ij_ops_followup_list(ij_conn *conn, const ij_followup_filter *f, ij_followup_page *out);

/* One check of op's area, as a page of one item; IJ_ERR_NOT_FOUND when there is none.
 * *out: ij_followup_page_clear. */
ij_err ij_ops_followup_get(ij_conn *conn, const ij_op_ctx *op, const char *id,
                           ij_followup_page *out);

/* ---- placements ---- */

/* Makes a placement (version 1) in op's area from an input the domain validates here.
 * IJ_ERR_INVALID with every problem in errs (also a ward or type the area does not have).
 * *out: the placement made (ij_placement_clear). */
ij_err ij_ops_placement_create(ij_conn *conn, const ij_op_ctx *op, const ij_placement_input *in,
                               ij_placement *out, ij_field_errors *errs);

/* One placement of op's area; IJ_ERR_NOT_FOUND when there is none, or when scope_sub does not
 * supervise it. *out: ij_placement_clear. */
ij_err ij_ops_placement_get(ij_conn *conn, const ij_op_ctx *op, const char *id,
                            const char *scope_sub, ij_placement *out);

/* Changes a placement at expected_version (a negative one never matches: IJ_ERR_STALE, or
 * IJ_ERR_NOT_FOUND when there is no such placement), the changes validated by the domain here:
 * IJ_ERR_INVALID with every problem in errs. *out: the placement after it (ij_placement_clear). */
ij_err ij_ops_placement_update(ij_conn *conn, const ij_op_ctx *op, const char *id,
                               int expected_version, const ij_placement_input *changes,
                               ij_placement *out, ij_field_errors *errs);

/* A page of f->area's placements, newest first. *out: ij_placement_page_clear. */
ij_err ij_ops_placement_list(ij_conn *conn, const ij_placement_filter *f, ij_placement_page *out);

/* ---- sessions ---- */

/* Changes a session at expected_version (a negative one never matches: IJ_ERR_STALE, or
 * IJ_ERR_NOT_FOUND when there is no such session): capacity, supervisor, or cancelled, which
 * cancels every booking still holding a place and takes back to accepted (the unbook follow-on,
 * as `actor`) each referral left with none and nothing attended, in one transaction, tried again
 * while rows it must lock are busy (then IJ_ERR_CONFLICT). IJ_ERR_INVALID with every problem in
 * errs, those the request's decoding put there first included: with any, conn may be NULL, and
 * nothing is read. *out: the session after it, without bookings (ij_session_clear);
 * *altered: the referrals whose bookings a cancellation ended, one column, for the access log
 * (ij_rows_clear; empty otherwise). */
ij_err ij_ops_session_update(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                             const char *id, int expected_version, const ij_session_input *changes,
                             ij_session *out, ij_rows *altered, ij_field_errors *errs);

/* Makes a session (version 1) of a placement of op's area from an input the domain validates
 * here against op->now: IJ_ERR_INVALID with every problem in errs; IJ_ERR_NOT_FOUND (no such
 * placement); IJ_ERR_CONFLICT (field placement: not active). The supervisor is the placement's
 * unless the input names one. *out: the session made, without bookings (ij_session_clear). */
/* Makes a session; IJ_ERR_INVALID with every problem in errs, those the request's decoding put
 * there first included (with any, conn may be NULL: nothing is written). */
ij_err ij_ops_session_create(ij_conn *conn, const ij_op_ctx *op, const char *placement_id,
                             const ij_session_input *in, ij_session *out, ij_field_errors *errs);

/* One session of op's area, with who is booked on it when with_bookings; IJ_ERR_NOT_FOUND when
 * there is none, or when scope_sub does not supervise it. *out: ij_session_clear. */
ij_err ij_ops_session_get(ij_conn *conn, const ij_op_ctx *op, const char *id, const char *scope_sub,
                          bool with_bookings, ij_session *out);

/* A page of f->area's sessions (without bookings), by start time. *out: ij_session_page_clear. */
ij_err ij_ops_session_list(ij_conn *conn, const ij_session_filter *f, ij_session_page *out);

/* A page of the sessions of the placement f->placement_id, as ij_ops_session_list, after reading
 * the placement: IJ_ERR_NOT_FOUND when f->area has no such placement or f->scope_sub does not
 * supervise it. *out: ij_session_page_clear. */
ij_err ij_ops_placement_sessions(ij_conn *conn, const ij_session_filter *f, ij_session_page *out);

/* ---- work lists ---- */

/* Referrals of op's area awaiting triage, oldest first. *out: ij_referral_page_clear. */
ij_err ij_ops_worklist_triage(ij_conn *conn, const ij_op_ctx *op, const ij_worklist_cursor *after,
                              int limit, ij_referral_page *out);
/* Referrals of op's area overdue at op->now by the domain's start clock, most overdue first.
 * *out: ij_referral_page_clear. */
ij_err ij_ops_worklist_overdue(ij_conn *conn, const ij_op_ctx *op, const ij_worklist_cursor *after,
                               int limit, ij_referral_page *out);
/* The open sessions of op's area starting on `day` (UTC), with who is booked, by start time.
 * *out: ij_worklist_session_page_clear. */
ij_err ij_ops_worklist_sessions(ij_conn *conn, const ij_op_ctx *op, ij_date day,
                                const ij_worklist_cursor *after, int limit,
                                ij_worklist_session_page *out);
/* Bookings of op's area whose outcome is due at op->now, by session end.
 * *out: ij_outcome_due_page_clear. */
ij_err ij_ops_worklist_outcomes_due(ij_conn *conn, const ij_op_ctx *op,
                                    const ij_worklist_cursor *after, int limit,
                                    ij_outcome_due_page *out);

/* ---- notices and the access log ---- */

/* The notices of op's area with seq > after_seq, ascending, at most `limit`; with officer_sub,
 * only the outcome notices of the referrals that officer made; with referral_id (a UUID), only
 * that referral's. *out: ij_notice_page_clear. */
ij_err ij_ops_notice_list(ij_conn *conn, const ij_op_ctx *op, const char *officer_sub,
                          const char *referral_id, int64_t after_seq, int limit,
                          ij_notice_page *out);
/* The outbox backlog, database-wide: undelivered notices (*count) and the age of the oldest in
 * seconds (*oldest_seconds), copied into the caller's variables. */
ij_err ij_ops_notice_backlog(ij_conn *conn, int64_t *count, double *oldest_seconds);

/* A page of f->area's access log, newest first. *out: ij_access_page_clear. */
ij_err ij_ops_access_log_list(ij_conn *conn, const ij_access_filter *f, ij_access_page *out);

/* ---- reference data and the demo data set ---- */

/* Defines an area (code, display name), or renames it. */
ij_err ij_ops_area_define(ij_conn *conn, const char *code, const char *name);
/* Defines a ward of an area, or renames it. */
ij_err ij_ops_ward_define(ij_conn *conn, const char *area, const char *code, const char *name);
/* *any: op's area has at least one referral. */
ij_err ij_ops_area_has_referrals(ij_conn *conn, const ij_op_ctx *op, bool *any);
/* code, name of op's area's active wards, by code. *out: ij_rows_clear. */
ij_err ij_ops_ward_list(ij_conn *conn, const ij_op_ctx *op, ij_rows *out);
/* kind, code, label of the active reason codes of `kind` (NULL: every kind), by kind and code.
 * *out: ij_rows_clear. */
ij_err ij_ops_reason_code_list(ij_conn *conn, const char *kind, ij_rows *out);
/* IJ_OK with the schema's version in *schema_version when the database answers and is migrated;
 * for readiness probes. */
ij_err ij_ops_schema_ready(ij_conn *conn, int *schema_version);
/* The demo placements of op's area and their sessions from three days before op->now to four
 * days after; *past and *future: the ids of the sessions ended before and starting after op->now,
 * in time order, one column each (ij_rows_clear). */
ij_err ij_ops_demo_sessions(ij_conn *conn, const ij_op_ctx *op, ij_rows *past, ij_rows *future);
/* For `ij seed` only: this connection's commits stop waiting for the disk (synchronous_commit
 * off, for the session), so that thousands of small operations take seconds. */
ij_err ij_ops_demo_fast_writes(ij_conn *conn);
/* For `ij seed` only: a bulk load's kept statistics. Deferring stops this connection's writes
 * from adding to the kept figures one by one, where the database allows it (a session of the
 * tables' owner: *deferred says); the rebuild then computes them all from the rows, set-based. */
ij_err ij_ops_demo_defer_stats(ij_conn *conn, bool *deferred);
ij_err ij_ops_demo_rebuild_stats(ij_conn *conn);

/* ---- the outbox ---- */

/* What became of one notice handed to a sender. */
typedef enum {
  IJ_DELIVERY_DELIVERED, /* the receiver acknowledged it */
  IJ_DELIVERY_FAILED,    /* not this time: error says why; it is tried again later, with backoff */
  IJ_DELIVERY_ABANDONED  /* the service is stopping: it stays due, unrecorded */
} ij_delivery;
/* Posts one notice (borrowed for the call) to its receiver; on failure writes why into error. */
typedef ij_delivery (*ij_notice_sender)(const ij_notice_delivery *n, void *arg, char *error,
                                        size_t error_size);

/* Delivers up to `batch` of an area's due notices in one transaction on a connection scoped to
 * the area (the scope is cleared afterwards): claims them, hands each to send, records each
 * result. *claimed: how many were due; *delivered and *failed: what was recorded (0 when the
 * transaction failed: then every one stays due). */
ij_err ij_ops_deliver_notices(ij_conn *conn, const char *area, int batch, ij_notice_sender send,
                              void *arg, int *delivered, int *failed, int *claimed);

/* ---- statistics ---- */

/* Both take the field errors the request's decoding found (errs) and add to them a ward filter
 * that is not one of the area's; with any error they read no figures and answer IJ_ERR_INVALID,
 * so that one 422 names every failing field. */
/* The summary's figures for the filter, read on one snapshot, with the attendance rate's parts
 * counted by the domain's rules. *out: ij_stats_summary_clear. */
ij_err ij_ops_stats_summary(ij_conn *conn, const ij_stats_filter *f, ij_field_errors *errs,
                            ij_stats_summary *out);
/* Reoffending by window and exit, for exits in the period. */
ij_err ij_ops_stats_reoffending(ij_conn *conn, const ij_stats_filter *f, ij_field_errors *errs,
                                ij_stats_window out[IJ_FOLLOWUP_WINDOW_COUNT]);
/* Every area's figures for the filter (ignoring f->area and f->ward) and their totals (the
 * national figures: the sums of the areas'), read on one snapshot, with the attendance rate's
 * parts counted by the domain's rules, as ij_ops_stats_summary's. *rows: ij_stats_areas_free. */
ij_err ij_ops_stats_areas(ij_conn *conn, const ij_stats_filter *f, ij_stats_area **rows, int *n,
                          ij_stats_summary *totals);
/* The area's name (areas.name) into out; "" for an area the service does not know. */
ij_err ij_ops_area_name(ij_conn *conn, const char *area, char *out, size_t size);

/* ---- importing checks from a CSV file ---- */
#define IJ_IMPORT_ERRORS_MAX 200
typedef struct {
  int row; /* the line's record number; the header is row 1 */
  char column[32];
  char message[160];
} ij_import_error;
typedef struct {
  int total; /* every problem found; items holds the first IJ_IMPORT_ERRORS_MAX */
  int count;
  ij_import_error items[IJ_IMPORT_ERRORS_MAX];
} ij_import_errors;
typedef struct {
  char import_id[IJ_UUID_BUF];
  int rows;
  int recorded;  /* checks recorded by this file */
  int unchanged; /* rows that repeat a result recorded already */
  bool replayed; /* the same file was imported before: nothing was done again */
  /* the referrals whose checks this file recorded (one column, at most referrals_max), for the
   * access log; empty on a replay. Owned: ij_import_report_clear. */
  ij_rows referrals;
  bool referrals_unread; /* recorded, but reading them back failed: referrals is empty */
} ij_import_report;
/* Frees report->referrals (a zeroed report is ignored). */
void ij_import_report_clear(ij_import_report *report);

/* The columns, in any order: window_months and reoffended, and one of police_id, person_id or
 * referral_id (a referral id picks one referral when a person has several); optionally
 * first_reoffence_on and reoffence_category. All or nothing: IJ_ERR_INVALID with every problem
 * in errs (row, column, message) and nothing changed, or every row recorded in one transaction
 * (the last checks closing their referrals). The same file again (same sha256) changes nothing.
 * After the commit, up to referrals_max of the referrals it changed are read into
 * report->referrals. *report: ij_import_report_clear, whatever is returned. */
ij_err ij_ops_import_followups(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                               const char *data, size_t len, const char *sha256, int referrals_max,
                               ij_import_report *report, ij_import_errors *errs);
/* The same checks of every row and the same answer as ij_ops_import_followups, writing nothing:
 * IJ_ERR_INVALID with every problem in errs, or IJ_OK with the rows it would record and find
 * unchanged (report->import_id empty), or the earlier import's report (report->replayed) when the
 * same file was imported before. What changes between this and the import is the import's to
 * find. *report: ij_import_report_clear. */
ij_err ij_ops_import_followups_dry_run(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                                       const char *data, size_t len, const char *sha256,
                                       ij_import_report *report, ij_import_errors *errs);

/* ---- corrections and finding people ---- */

/* Amends a referral at expected_version: the new values are checked against the area's rules
 * (IJ_ERR_INVALID with every problem in errs, also when errs held some already: the request's
 * members that are not amendable; IJ_ERR_FORBIDDEN without errors for an area the
 * service does not know), then the referral is read (IJ_ERR_NOT_FOUND), its version compared
 * (IJ_ERR_STALE), the actor's right to amend those fields in its state decided by the domain
 * (IJ_ERR_FORBIDDEN, IJ_ERR_CONFLICT, with field errors), and, for a referral of a person under
 * 18 on the day of referral, whether its guardian still has a name, a relationship and a phone or
 * e-mail address (IJ_ERR_INVALID naming each that would not). Fields whose value does not change
 * are left out; when none changes nothing is written (*changed 0) and *out is the referral as read.
 * Otherwise one statement writes the changes and an "amend" event naming the fields, the version
 * moving on by one, unless another change came first (IJ_ERR_STALE). *out: ij_referral_clear
 * (also set on IJ_ERR_STALE when it was read at another version). */
ij_err ij_ops_referral_amend(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                             const char *id, int expected_version, const ij_amend_values *in,
                             ij_referral *out, unsigned *changed, ij_field_errors *errs);

/* People of op's area matching the filter (f->area is op's; the name and postcode are normalised
 * here: give them as typed in f->name_key and f->postcode_key). *out: ij_person_page_clear. */
ij_err ij_ops_people_search(ij_conn *conn, const ij_op_ctx *op, const ij_person_filter *f,
                            ij_person_page *out);

/* A person's page: the person, their referrals (newest first, at most IJ_PERSON_REFERRALS_MAX)
 * and the bookings of each with its outcome. */
#define IJ_PERSON_REFERRALS_MAX 100
typedef struct {
  ij_person_page person;      /* one item */
  ij_referral_page referrals; /* newest first */
  ij_booking_list *bookings;  /* bookings[i]: those of referrals.items[i] (referrals.count) */
} ij_person_view;
void ij_person_view_clear(ij_person_view *v);
/* IJ_ERR_NOT_FOUND when op's area has no such person. *out: ij_person_view_clear. */
ij_err ij_ops_person_get(ij_conn *conn, const ij_op_ctx *op, const char *id, ij_person_view *out);

/* A subject access request: everything op's area holds about one person, as the JSON text of
 * ij_store_subject_access, read on one snapshot. *out: owned (free it). IJ_ERR_NOT_FOUND when op's
 * area has no such person. */
ij_err ij_ops_subject_access(ij_conn *conn, const ij_op_ctx *op, const char *id, char **out);

/* ---- retention ---- */

typedef struct {
  int areas;          /* areas visited */
  int64_t referrals;  /* referrals whose personal data was erased */
  int64_t people;     /* people erased */
  int64_t access_log; /* rows of the personal-data access log erased */
} ij_retention_totals;

/* What retention erases, and when. */
typedef struct {
  int months;            /* a referral's personal data, this many months after it ended (>= 1) */
  int access_log_months; /* the access log's rows, this many months after they were written
                          * (6 or more; 0: the log is not erased in this run) */
  int batch;             /* referrals, or access-log rows, per transaction (>= 1) */
} ij_retention_policy;

/* ij_ops_retention's erasure, and the access log's rows older than policy->access_log_months
 * (ij_domain_retention_cutoff), area by area on the same connection scoped to the area, in
 * transactions of at most policy->batch rows each. IJ_ERR_INVALID for a policy out of bounds.
 * *out: what was erased, also when an error stops the run. */
ij_err ij_ops_retention_run(ij_store *store, const char *area, const ij_retention_policy *policy,
                            ij_time_us now, ij_retention_totals *out);

/* Erases the personal data of referrals that ended more than `months` calendar months before
 * `now` (ij_domain_retention_cutoff), and of people none of whose referrals is kept: area by area
 * (only `area` when not NULL), each on a connection scoped to that area, in transactions of at
 * most `batch` referrals, until none is left. Figures the statistics use are kept (see
 * migrations/007_retention.sql). The access log is not erased (ij_ops_retention_run does).
 * *out: what was erased, also when an error stops the run. */
ij_err ij_ops_retention(ij_store *store, const char *area, int months, int batch, ij_time_us now,
                        ij_retention_totals *out);

/* ---- non-associations ---- */

/* Records that two people (ids of people or of referrals, as in->ids_field says) must not be
 * placed on one session; both must be the area's. IJ_ERR_INVALID with every problem in errs
 * (the input's, an id that names nothing of the area, the same person twice); IJ_ERR_CONFLICT
 * when the pair has one in force already. On IJ_OK *out holds the new one (clear it). */
ij_err ij_ops_non_association_create(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                                     const ij_non_association_input *in,
                                     ij_non_association_list *out, ij_field_errors *errs);
/* Every non-association of the person that id names (a referral's when by_referral), in force
 * first. IJ_ERR_NOT_FOUND when id names nothing of the area. *out: clear it. */
ij_err ij_ops_non_associations_of(ij_conn *conn, const ij_op_ctx *op, bool by_referral,
                                  const char *id, ij_non_association_list *out);
/* One, by id (IJ_ERR_NOT_FOUND when not the area's). *out: clear it. */
ij_err ij_ops_non_association_get(ij_conn *conn, const ij_op_ctx *op, const char *id,
                                  ij_non_association_list *out);
/* Ends one in force (the record stays, with who ended it, when and why: reason may be NULL).
 * IJ_ERR_INVALID (field "reason") when the reason is not one, nothing changed; IJ_ERR_NOT_FOUND;
 * IJ_ERR_CONFLICT when it has ended already. On IJ_OK *out holds it. */
ij_err ij_ops_non_association_end(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                                  const char *id, const char *reason, ij_non_association_list *out,
                                  ij_field_errors *errs);
#include "ij/ops_refdata.h" /* reference data maintained by admins */

#endif
