/* Referrals: a person's referral, its lifecycle state and version, its event log, its counters
 * (minutes credited, breaches, bookings) and the idempotency records of its creation.
 *
 * Ownership: the connection is borrowed for the call; strings passed in are borrowed for the call
 * only. An ij_referral the store fills owns its strings (in owner_) until ij_referral_clear; one
 * the caller builds holds the caller's strings. A page (ij_referral_page, ij_event_page) owns its
 * items and their strings until its *_clear; the items must not be cleared one by one. */
#ifndef IJ_STORE_REFERRALS_H
#define IJ_STORE_REFERRALS_H

#include <stdbool.h>
#include <stdint.h>

#include "ij/domain.h"
#include "ij/error.h"
#include "ij/ids.h"
#include "ij/store/audit.h"
#include "ij/store/pool.h"

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
  /* the parent or guardian (under-18s; NULL name: none recorded) and their consent (-1: none) */
  const char *guardian_name, *guardian_relationship, *guardian_phone, *guardian_email;
  int guardian_consent;
  /* the next session: the earliest open booking on a session not over yet ("" booking id: none) */
  char next_booking_id[IJ_UUID_BUF];
  char next_session_id[IJ_UUID_BUF];
  ij_time_us next_starts_at, next_ends_at;
  const char *next_placement_name;
  /* messages: the consent to be contacted, the language asked for ("en"/"cy"; NULL reads as en)
   * and whether the person is marked not to be messaged */
  bool contact_consent;
  const char *message_language;
  bool do_not_message;
  void *owner_;
} ij_referral;

/* Frees the strings of a record the store filled and zeroes it (NULL and a zeroed record are
 * ignored). */
void ij_referral_clear(ij_referral *r);

/* An idempotent request: the key, a hash of the request, and the response to keep. Strings
 * borrowed. */
typedef struct {
  const char *key;
  const char *request_hash;
  int status;
  const char *response;
} ij_idempotency;

/* When a key was seen before: the kept response (owned by the caller: free()). */
typedef struct {
  bool replayed;
  int status;
  char *response;
} ij_replay;

/* What a new referral is checked against, read in one round trip: the state of its ward in the
 * area (*ward_state 0 when the area has no such ward, 1 current, 2 retired; not read, and 0, when
 * ward is NULL) and the person's latest exit (completed or non-compliant) at or before `before`,
 * found by police identifier when given, else by name_key and date of birth (not read when both
 * are NULL): the earlier referral and the exit's date, or "" and 0 when there is none. */
ij_err ij_store_referral_prior(ij_conn *conn, const char *area, const char *ward,
                               const char *police_id, const char *name_key, ij_date date_of_birth,
                               ij_time_us before, int *ward_state, char earlier[IJ_UUID_BUF],
                               ij_date *exited_on);

/* Writes a new referral (state submitted, version 1) with its "create" event and its person, as
 * one statement, its own transaction: the person is inserted, or the area's person already known
 * (same police identifier, else the same name_key and date of birth: ij_domain_name_key) takes
 * the newer details, and r->person_id becomes the stored person's id. With idem, the key is first
 * recorded for audit's actor, at audit's time, with the response to give a retry; when the key is
 * recorded already (or by a concurrent request that has committed) nothing is written and
 * *claimed is false. Without idem *claimed is true on success. IJ_ERR_INVALID with field
 * "offence.ward" for a ward the area does not have. */
ij_err ij_store_referral_create(ij_conn *conn, ij_referral *r, const char *name_key,
                                const ij_audit *audit, const ij_idempotency *idem, bool *claimed,
                                ij_field_errors *errs);
/* The request hash and response kept for a key. IJ_ERR_NOT_FOUND when there is none. out->response
 * is owned by the caller (free()). */
ij_err ij_store_idempotency_get(ij_conn *conn, const char *area, const char *actor_sub,
                                const char *key, char request_hash[65], ij_replay *out);

/* IJ_ERR_NOT_FOUND when there is no such referral in the area. *out: ij_referral_clear. */
ij_err ij_store_referral_get(ij_conn *conn, const char *area, const char *id, ij_referral *out);
/* As ij_store_referral_get, and in the same statement the state of a reason code of `kind` in the
 * area (*code_state: 1 current, 2 retired, 0 not a code of the area for that kind), so that a
 * transition with a reason costs no extra round trip. *out: ij_referral_clear. */
ij_err ij_store_referral_get_with_code(ij_conn *conn, const char *area, const char *id,
                                       const char *kind, const char *code, ij_referral *out,
                                       int *code_state);
/* As ij_store_referral_get, and locks the referral for the rest of the caller's transaction.
 * *out: ij_referral_clear. */
ij_err ij_store_referral_lock(ij_conn *conn, const char *area, const char *id, ij_referral *out);

/* How a change was entered, marked in the data of the referral events it causes: a walk-in onto
 * a session under way, or a late entry from a paper register with its reason. Borrowed. */
typedef struct {
  bool walk_in;
  const char *late_entry_reason; /* NULL: not a late entry */
} ij_entry_marks;

/* A decided event to write: the decision (with its effects on the referral's own columns: the
 * warning count, exited_at, completed_at), the request's data and who. Borrowed. */
typedef struct {
  const ij_decision *decision;
  const ij_transition_request *request;
  const ij_audit *audit;
  const ij_entry_marks *marks; /* how the change was entered (the event's data), or NULL */
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

/* Adds to a referral's counters in the caller's transaction, on a referral it has locked (no new
 * version: the version counts lifecycle events). first_attended_at is set when given (non-zero)
 * and not set yet. Sent with the transaction's next statement or its commit, which report a
 * failure. */
ij_err ij_store_referral_counters(ij_conn *conn, const char *area, const char *id,
                                  int minutes_delta, int breaches_delta, int bookings_delta,
                                  ij_time_us first_attended_at, ij_time_us at);

/* A page's filter. Strings borrowed for the call. */
typedef struct {
  const char *area;
  bool has_state;
  ij_state state;
  const char *ward;        /* NULL: any */
  const char *officer_sub; /* NULL: any */
  int overdue;             /* -1 any, 0 not overdue, 1 overdue */
  ij_time_us now;          /* for overdue */
  unsigned clock_states;   /* for overdue: the states in which the start clock runs, bit
                              1u << state (ij_domain_clock_states) */
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

/* *out: ij_referral_page_clear. */
ij_err ij_store_referral_list(ij_conn *conn, const ij_referral_filter *f, ij_referral_page *out);
/* Frees the items and their strings and zeroes the page (NULL and a zeroed page are ignored). */
void ij_referral_page_clear(ij_referral_page *page);

/* One event of a referral's log. Strings live in the page (ij_event_page_clear). */
typedef struct {
  int seq;
  const char *event;
  const char *from_state; /* NULL for create */
  const char *to_state;
  ij_time_us at;
  const char *actor_sub, *actor_name, *actor_role;
  const char *reason_code, *reason;
  const char *request_id;
  const char *fields; /* an amendment's changed fields, a JSON array of their paths; else NULL */
  const char *data;   /* JSON object text (a walk-in's or a late entry's marks), or NULL */
} ij_event_record;

typedef struct {
  int count;
  ij_event_record *items;
  bool more;
  void *owner_;
} ij_event_page;

/* Events with seq > after_seq, oldest first. IJ_ERR_NOT_FOUND when the referral is not in area.
 * *out: ij_event_page_clear. */
ij_err ij_store_referral_events(ij_conn *conn, const char *area, const char *id, int after_seq,
                                int limit, ij_event_page *out);
/* Frees the items and their strings and zeroes the page (NULL and a zeroed page are ignored). */
void ij_event_page_clear(ij_event_page *page);

/* The new values of an amendment, its changed fields' paths (ij_amend_field_path) comma-separated,
 * and who: borrowed. */
typedef struct {
  const char *fields;
  const char *phone, *email, *address, *postcode, *needs_notes, *risk_notes;
  const char *offence_category, *offence_description, *offence_location, *ward;
  const char *victim_preference;
  const char *guardian_name, *guardian_relationship, *guardian_phone, *guardian_email;
  const char *contact_consent, *message_language, *do_not_message; /* "true"/"false", "en"/"cy" */
  int hours_proposed;
} ij_referral_amendment;

/* Writes an amendment of the named fields (the person's for person.*, the referral's for the
 * others) and its "amend" event (data {"fields": [...]}: the paths, never the values), moving the
 * version on by one, only if the referral is still at expected_version (else IJ_ERR_STALE, nothing
 * written). IJ_ERR_INVALID with field "offence.ward" for a ward the area does not have. *out: the
 * referral after it (ij_referral_clear). */
ij_err ij_store_referral_amend(ij_conn *conn, const char *area, const char *id,
                               int expected_version, const ij_referral_amendment *a,
                               const ij_audit *audit, ij_referral *out, ij_field_errors *errs);

/* Every referral of a person in the area, newest first (at most `limit`). *out:
 * ij_referral_page_clear. */
ij_err ij_store_referrals_of_person(ij_conn *conn, const char *area, const char *person_id,
                                    int limit, ij_referral_page *out);

/* Counts for tests and demo data: referrals in the area whose state disagrees with the state of
 * their last event, or whose version differs from their number of events (0 when consistent). */
ij_err ij_store_referral_inconsistencies(ij_conn *conn, const char *area, int64_t *count);

#endif
