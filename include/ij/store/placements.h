/* Placements and their sessions: where community work is done (a placement of an area, with its
 * type, ward and supervisor) and the dated sessions on it that bookings take places on.
 *
 * Ownership: the connection is borrowed for the call; strings and inputs passed in are borrowed
 * for the call only. An ij_placement or ij_session the store fills owns its strings (and a
 * session its bookings) until ij_placement_clear or ij_session_clear. A page owns its items and
 * their strings until its *_clear; the items must not be cleared one by one. */
#ifndef IJ_STORE_PLACEMENTS_H
#define IJ_STORE_PLACEMENTS_H

#include <stdbool.h>
#include <stddef.h>

#include "ij/domain.h"
#include "ij/error.h"
#include "ij/ids.h"
#include "ij/store/audit.h"
#include "ij/store/pool.h"

/* ---- placements ------------------------------------------------------------------------------ */
/* A placement as stored. In a record the store returns, the strings live in owner_ until
 * ij_placement_clear. */
typedef struct {
  char id[IJ_UUID_BUF];
  const char *area;
  const char *name, *type, *provider, *ward;
  const char *location;      /* NULL when not given */
  const char *what_to_bring; /* NULL when not given */
  int min_age;
  const char *supervisor_sub, *supervisor_name;
  bool active;
  int version;
  ij_time_us created_at, updated_at;
  void *owner_;
} ij_placement;

/* Frees the strings and zeroes the record (NULL and a zeroed record are ignored). */
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
 * IJ_ERR_INVALID with field "ward" as for create. *out: the updated placement
 * (ij_placement_clear). */
ij_err ij_store_placement_update(ij_conn *conn, const char *area, const char *id,
                                 int expected_version, const ij_placement_input *changes,
                                 ij_time_us at, ij_placement *out, ij_field_errors *errs);

/* A page's filter. Strings borrowed for the call. */
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

/* Newest first (created_at, id descending). *out: ij_placement_page_clear. */
ij_err ij_store_placement_list(ij_conn *conn, const ij_placement_filter *f, ij_placement_page *out);
/* Frees the items and their strings and zeroes the page (NULL and a zeroed page are ignored). */
void ij_placement_page_clear(ij_placement_page *page);

/* ---- sessions -------------------------------------------------------------------------------- */
/* Who is booked on a session (BookingSummary). Strings live as long as the session record. */
typedef struct {
  char id[IJ_UUID_BUF];
  char referral_id[IJ_UUID_BUF];
  const char *person_name;
  const char *status; /* "booked" or an outcome name */
  int minutes_credited;
} ij_session_booking;

/* A session as stored, with its placement's name, type, ward and minimum age. The strings and
 * the bookings live in the record until ij_session_clear. */
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
  const char *late_entry_reason; /* entered after it was over, from a paper register; or NULL */
  int nbookings;                 /* with bookings only (ij_store_session_get) */
  ij_session_booking *bookings;  /* by booking time; NULL otherwise */
  void *owner_;
  void *bookings_owner_;
} ij_session;

/* Frees the strings and bookings and zeroes the record (NULL and a zeroed record are ignored). */
void ij_session_clear(ij_session *s);

/* Creates a session (version 1) of a placement of the area. The supervisor defaults to the
 * placement's when supervisor_sub is NULL. IJ_ERR_NOT_FOUND when the placement is not in the
 * area; IJ_ERR_CONFLICT with field "placement" when it is not active. *out: ij_session_clear. */
ij_err ij_store_session_create(ij_conn *conn, const char *area, const char *placement_id,
                               const char *id, const ij_session_times *times, int capacity,
                               const char *supervisor_sub, const char *supervisor_name,
                               const char *late_entry_reason, ij_time_us at, ij_session *out,
                               ij_field_errors *errs);

/* IJ_ERR_NOT_FOUND when there is no such session in the area; with_bookings also reads who is
 * booked. *out: ij_session_clear. */
ij_err ij_store_session_get(ij_conn *conn, const char *area, const char *id, bool with_bookings,
                            ij_session *out);

/* The register of a session of the area: its bookings that hold a place or have an outcome, by
 * name, as rows of booking id, referral id, person's name, needs notes, risk notes, phone,
 * status, minutes credited, walk_in ("t"/"f"), late-entry reason, booking version. Reads no
 * session: the caller has checked that there is one. *out: ij_rows_clear. */
ij_err ij_store_session_register(ij_conn *conn, const char *area, const char *session_id,
                                 ij_rows *out);

/* A session as a booking needs it, copied into *out (no strings to free), with whether
 * referral_id (may be NULL: no) holds a place on it already. supervisor_sub (may be NULL) gets a
 * copy of the session's supervisor, cut to sub_size bytes (IJ_CLAIM_MAX holds any).
 * IJ_ERR_NOT_FOUND when there is no such session in the area. */
ij_err ij_store_session_facts(ij_conn *conn, const char *area, const char *session_id,
                              const char *referral_id, ij_session_facts *out, char *supervisor_sub,
                              size_t sub_size);

/* A page's filter. Strings borrowed for the call. */
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
  ij_session *items; /* without bookings */
  bool more;
  void *owner_;
} ij_session_page;

/* By start time (starts_at, id ascending). *out: ij_session_page_clear. */
ij_err ij_store_session_list(ij_conn *conn, const ij_session_filter *f, ij_session_page *out);
/* Frees the items and their strings and zeroes the page (NULL and a zeroed page are ignored). */
void ij_session_page_clear(ij_session_page *page);

/* Changes an open session at expected_version (else IJ_ERR_STALE; IJ_ERR_NOT_FOUND when not in
 * the area): capacity and supervisor, and with `move` (NULL: none) its times and its bookings'
 * copies of them, version + 1. IJ_ERR_CONFLICT with field "capacity" when the capacity would fall
 * below the places held, with field "cancelled" when the session is cancelled, with field
 * "starts_at" when a move would overlap another booking of a person booked on it. *out: the
 * updated session, without bookings. Cancelling is the two calls below. */
ij_err ij_store_session_update(ij_conn *conn, const char *area, const char *id,
                               int expected_version, const ij_session_input *changes,
                               const ij_session_times *move, ij_time_us at, ij_session *out,
                               ij_field_errors *errs);

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

#endif
