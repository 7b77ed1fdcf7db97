/* Booking and attendance operations: each is one transaction in which the domain decides and
 * the store writes. The referral moves by itself through the domain's follow-on events: the first
 * booking schedules it, the first attended session puts it in progress, the attendance that
 * brings the credited hours up to those required completes it, and losing its last place with
 * nothing attended takes it back to accepted. And reading bookings, which a supervisor who does
 * not coordinate sees only on the sessions they supervise. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ij/store/audit.h"
#include "ij/store/bookings.h"
#include "ij/store/non_associations.h"
#include "ij/store/placements.h"
#include "ij/str.h"
#include "ops_internal.h"

void ij_booking_view_clear(ij_booking_view *v) {
  if (!v)
    return;
  ij_booking_list_clear(&v->booking);
  ij_rows_clear(&v->outcomes);
}

/* Whether the booking is on a session scope_sub supervises (NULL: any). */
static bool in_scope(const ij_booking *b, const char *scope_sub) {
  return !scope_sub || (b->supervisor_sub && strcmp(b->supervisor_sub, scope_sub) == 0);
}

ij_err ij_ops_booking_get(ij_conn *conn, const ij_op_ctx *op, const char *id, const char *scope_sub,
                          ij_booking_view *out) {
  memset(out, 0, sizeof *out);
  ij_err err = ij_store_booking_with_outcomes(conn, op->area, id, &out->booking, &out->outcomes);
  if (err == IJ_OK && !in_scope(&out->booking.items[0], scope_sub))
    err = IJ_ERR_NOT_FOUND;
  if (err != IJ_OK)
    ij_booking_view_clear(out);
  return err;
}

/* Commits a change of a booking and, when an answer is wanted, reads the booking for it in the
 * transaction, the COMMIT in the read's round trip (what the change wrote, and no round trip of
 * its own). On failure the transaction is rolled back. */
static ij_err commit_with_answer(ij_conn *conn, const ij_op_ctx *op, const char *booking_id,
                                 ij_booking_view *out) {
  ij_err err = IJ_OK;
  if (out) {
    ij_store_commit_with_next(conn);
    err = ij_ops_booking_get(conn, op, booking_id, NULL, out);
  }
  if (err == IJ_OK)
    err = ij_store_commit(conn);
  if (err != IJ_OK)
    ij_store_rollback(conn);
  return err;
}

ij_err ij_ops_referral_bookings(ij_conn *conn, const ij_op_ctx *op, const char *referral_id,
                                const char *scope_sub, ij_booking_list *out) {
  memset(out, 0, sizeof *out);
  ij_referral r;
  ij_err err = ij_store_referral_get(conn, op->area, referral_id, &r);
  if (err != IJ_OK)
    return err;
  ij_referral_clear(&r);
  err = ij_store_bookings_of_referral(conn, op->area, referral_id, out);
  if (err != IJ_OK || !scope_sub)
    return err;
  /* the items' strings live in the list's result, so dropping an item is moving the others up */
  int kept = 0;
  for (int i = 0; i < out->count; i++)
    if (in_scope(&out->items[i], scope_sub))
      out->items[kept++] = out->items[i];
  out->count = kept;
  return IJ_OK;
}

/* Takes a place for a referral locked in the caller's transaction, in a booking mode (the late
 * entry's reason with it). */
static ij_err place(ij_conn *conn, const ij_op_ctx *op, const ij_referral *r,
                    const char *session_id, ij_booking_mode mode, const char *late_entry_reason,
                    char booking_id[IJ_UUID_BUF], ij_field_errors *errs) {
  ij_session_facts session;
  /* the session's row lock first, so that what is read next includes every place taken by the
   * bookings that held it before: two people kept apart, booked at once, cannot both pass */
  bool apart = false;
  ij_err err = ij_store_session_lock_apart(conn, op->area, session_id, r->person_id, &apart);
  if (err == IJ_OK)
    err = ij_store_session_facts(conn, op->area, session_id, r->id, &session, NULL, 0);
  session.non_associated = apart;
  if (err == IJ_ERR_NOT_FOUND) {
    ij_field_errors_add(errs, "session_id", "is not a session of this area");
    return IJ_ERR_INVALID;
  }
  if (err == IJ_OK)
    err = ij_domain_booking_check_mode(mode, late_entry_reason, r->state, r->date_of_birth,
                                       &session, op->now, errs);
  if (err != IJ_OK)
    return err;
  ij_uuid_new(booking_id);
  err = ij_store_booking_insert(
      conn, op->area, booking_id, r->id, r->person_id, session_id, mode == IJ_BOOKING_WALK_IN,
      mode == IJ_BOOKING_LATE_ENTRY ? late_entry_reason : NULL, op->now, errs);
  if (err == IJ_OK)
    err = ij_store_referral_counters(conn, op->area, r->id, 0, 0, 1, 0, op->now);
  return err;
}

ij_err ij_ops_book(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                   const char *referral_id, const char *session_id, char booking_id[IJ_UUID_BUF],
                   ij_booking_view *out, unsigned *allowed_events, ij_field_errors *errs) {
  return ij_ops_book_as(conn, op, actor, IJ_BOOKING_ORDINARY, NULL, NULL, referral_id, session_id,
                        booking_id, out, allowed_events, errs);
}

ij_err ij_ops_book_as(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                      ij_booking_mode mode, const char *late_entry_reason, const char *scope_sub,
                      const char *referral_id, const char *session_id, char booking_id[IJ_UUID_BUF],
                      ij_booking_view *out, unsigned *allowed_events, ij_field_errors *errs) {
  ij_referral r;
  memset(&r, 0, sizeof r);
  if (out)
    memset(out, 0, sizeof *out);
  /* the events the booking causes say how it was entered */
  ij_entry_marks marks = {mode == IJ_BOOKING_WALK_IN,
                          mode == IJ_BOOKING_LATE_ENTRY ? late_entry_reason : NULL};
  ij_err err = IJ_OK;
  if (mode != IJ_BOOKING_ORDINARY &&
      (err = ij_domain_booking_mode_may(mode, actor->roles, errs)) != IJ_OK)
    return err;
  if (mode == IJ_BOOKING_WALK_IN) {
    /* the session is the resource: one the caller may not use is not there */
    ij_session_facts facts;
    char sub[256];
    err = ij_store_session_facts(conn, op->area, session_id, NULL, &facts, sub, sizeof sub);
    if (err == IJ_OK && scope_sub && strcmp(scope_sub, sub) != 0)
      err = IJ_ERR_NOT_FOUND;
    if (err == IJ_ERR_INVALID)
      err = IJ_ERR_NOT_FOUND;
    if (err != IJ_OK)
      return err;
  }
  if ((err = ij_store_begin(conn)) != IJ_OK)
    return err;
  err = ij_store_referral_lock(conn, op->area, referral_id, &r);
  if (err == IJ_ERR_NOT_FOUND && mode == IJ_BOOKING_WALK_IN) {
    ij_field_errors_add(errs, "referral_id", "is not a referral of this area");
    err = IJ_ERR_INVALID;
  }
  if (err == IJ_OK)
    err = place(conn, op, &r, session_id, mode, late_entry_reason, booking_id, errs);
  if (err == IJ_ERR_TRANSITION && allowed_events) {
    ij_referral_facts facts;
    ij_ops_facts(&r, &facts);
    *allowed_events = ij_domain_allowed_events(actor, &facts);
  }
  if (err == IJ_OK) {
    r.active_bookings++; /* as ij_store_referral_counters counted it */
    err = ij_ops_follow_on_marked(conn, op, actor, &r, false, &marks, errs);
  }
  /* an ordinary booking is confirmed to the person (a walk-in or a late entry is not) */
  if (err == IJ_OK && mode == IJ_BOOKING_ORDINARY) {
    ij_message_context ctx;
    err = ij_ops_message_context(conn, op, &ctx);
    if (err == IJ_OK)
      err = ij_ops_message_write(conn, op, &ctx, &r, IJ_MESSAGE_BOOKING_CONFIRMATION, booking_id, 0,
                                 NULL);
  }
  if (err == IJ_OK)
    err = commit_with_answer(conn, op, booking_id, out);
  else
    ij_store_rollback(conn);
  ij_referral_clear(&r);
  return err;
}

static void booking_facts(const ij_booking *b, ij_booking_facts *out) {
  ij_outcome previous = IJ_OUTCOME_CANCELLED;
  bool booked = strcmp(b->status, "booked") == 0;
  bool has_previous = !booked && ij_outcome_parse(b->status, &previous) == IJ_OK &&
                      !ij_outcome_frees_place(previous);
  memset(out, 0, sizeof *out);
  out->has_outcome = has_previous;
  out->previous = previous;
  out->previous_minutes = b->minutes_credited;
  out->holds_place = booked || has_previous;
  out->starts_at = b->starts_at;
  out->ends_at = b->ends_at;
  out->signed_in_at = b->signed_in_at;
  out->started_at = b->started_at;
  out->finished_at = b->finished_at;
}

static ij_err record_locked(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                            ij_referral *r, const char *booking_id, int expected_version,
                            const ij_outcome_input *in, const char *rescheduled_session,
                            int *current_version, ij_field_errors *errs) {
  ij_booking_list bl;
  ij_err err = ij_store_booking_get(conn, op->area, booking_id, true, &bl);
  if (err != IJ_OK)
    return err;
  const ij_booking *b = &bl.items[0];
  if (current_version)
    *current_version = b->version;
  if (expected_version && expected_version != b->version) {
    err = IJ_ERR_STALE;
    goto done;
  }
  /* an outcome entered afterwards from a paper register marks the events it causes */
  ij_entry_marks marks = {false, NULL};
  bool late = false;
  err = ij_domain_outcome_late_entry(actor->roles, b->late_entry_reason != NULL,
                                     in->late_entry_reason, b->ends_at, op->now, &late, errs);
  if (err != IJ_OK)
    goto done;
  if (late)
    marks.late_entry_reason = in->late_entry_reason;
  ij_booking_facts bf;
  booking_facts(b, &bf);
  ij_referral_facts rf;
  ij_ops_facts(r, &rf);
  ij_outcome_effect effect;
  err = ij_domain_outcome_decide(in, &bf, &rf, op->now, &effect, errs);
  if (err != IJ_OK)
    goto done;
  char new_booking[IJ_UUID_BUF];
  const char *rescheduled_to = NULL;
  if (in->outcome == IJ_OUTCOME_RESCHEDULED) {
    err = place(conn, op, r, rescheduled_session, IJ_BOOKING_ORDINARY, NULL, new_booking, errs);
    if (err != IJ_OK)
      goto done;
    rescheduled_to = new_booking;
    r->active_bookings++;
  }
  const char *role =
      ij_role_name((actor->roles & IJ_ROLE_COORDINATOR) ? IJ_ROLE_COORDINATOR : IJ_ROLE_SUPERVISOR);
  ij_audit audit = {op->request_id, actor->sub, actor->name, role, op->now};
  ij_booking_outcome_record rec = {ij_outcome_name(in->outcome),
                                   in->absence_reason,
                                   in->has_penalty ? in->penalty_minutes : 0,
                                   effect.minutes_credited,
                                   in->behaviour,
                                   in->work_quality,
                                   in->notes,
                                   rescheduled_to,
                                   in->amendment_reason,
                                   in->has_worked ? in->started_at : 0,
                                   in->has_worked ? in->finished_at : 0};
  err = ij_store_booking_record(conn, op->area, booking_id, b->version, &rec,
                                effect.places_delta < 0, &audit);
  bool first_attendance = effect.attended && !r->first_attended_at;
  if (err == IJ_OK &&
      (effect.minutes_delta || effect.breaches_delta || effect.places_delta || first_attendance))
    err = ij_store_referral_counters(conn, op->area, r->id, effect.minutes_delta,
                                     effect.breaches_delta, effect.places_delta,
                                     first_attendance ? b->starts_at : 0, op->now);
  if (err != IJ_OK)
    goto done;
  /* the referral's own events follow from the new totals */
  r->minutes_credited += effect.minutes_delta;
  r->breaches += effect.breaches_delta;
  r->active_bookings += effect.places_delta;
  if (first_attendance)
    r->first_attended_at = b->starts_at;
  err = ij_ops_follow_on_marked(conn, op, actor, r, false, &marks, errs);
  /* a booking cancelled by its own outcome before its session: the person is told */
  if (err == IJ_OK && in->outcome == IJ_OUTCOME_CANCELLED &&
      ij_domain_cancellation_told(b->starts_at, op->now)) {
    ij_message_context ctx;
    err = ij_ops_message_context(conn, op, &ctx);
    if (err == IJ_OK)
      err = ij_ops_message_write(conn, op, &ctx, r, IJ_MESSAGE_SESSION_CANCELLED, booking_id, 0,
                                 NULL);
  }
done:
  ij_booking_list_clear(&bl);
  return err;
}

static ij_err booking_referral(ij_conn *conn, const ij_op_ctx *op, const char *booking_id,
                               const char *scope_sub, char referral_id[IJ_UUID_BUF],
                               char session_id[IJ_UUID_BUF]) {
  ij_booking_list bl;
  ij_err err = ij_store_booking_get(conn, op->area, booking_id, false, &bl);
  if (err != IJ_OK)
    return err;
  ij_str_copy(referral_id, IJ_UUID_BUF, bl.items[0].referral_id);
  if (session_id)
    ij_str_copy(session_id, IJ_UUID_BUF, bl.items[0].session_id);
  bool visible = in_scope(&bl.items[0], scope_sub);
  ij_booking_list_clear(&bl);
  return visible ? IJ_OK : IJ_ERR_NOT_FOUND;
}

/* Opens the transaction of a change of a booking: which referral the booking is of and whether the
 * caller may change it (read without a lock), then that referral locked into *r, before the
 * booking as every change of a booking locks them. On failure no transaction stays open. */
static ij_err begin_on_booking(ij_conn *conn, const ij_op_ctx *op, const char *booking_id,
                               const char *scope_sub, ij_referral *r) {
  char referral_id[IJ_UUID_BUF];
  ij_err err = booking_referral(conn, op, booking_id, scope_sub, referral_id, NULL);
  if (err != IJ_OK || (err = ij_store_begin(conn)) != IJ_OK)
    return err;
  err = ij_store_referral_lock(conn, op->area, referral_id, r);
  if (err != IJ_OK)
    ij_store_rollback(conn);
  return err;
}

ij_err ij_ops_record_outcome(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                             const char *booking_id, const char *scope_sub, int expected_version,
                             const ij_outcome_input *in, const char *rescheduled_session,
                             ij_booking_view *out, int *current_version, ij_field_errors *errs) {
  ij_referral r;
  memset(&r, 0, sizeof r);
  if (out)
    memset(out, 0, sizeof *out);
  ij_err err = begin_on_booking(conn, op, booking_id, scope_sub, &r);
  if (err != IJ_OK)
    return err;
  err = record_locked(conn, op, actor, &r, booking_id, expected_version, in, rescheduled_session,
                      current_version, errs);
  if (err == IJ_OK)
    err = commit_with_answer(conn, op, booking_id, out);
  else
    ij_store_rollback(conn);
  ij_referral_clear(&r);
  return err;
}

ij_err ij_ops_sign_in(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                      const char *booking_id, const char *scope_sub, ij_booking_view *out,
                      bool *already, ij_field_errors *errs) {
  ij_referral r;
  memset(&r, 0, sizeof r);
  ij_booking_list bl;
  memset(&bl, 0, sizeof bl);
  if (out)
    memset(out, 0, sizeof *out);
  *already = false;
  ij_err err = begin_on_booking(conn, op, booking_id, scope_sub, &r);
  if (err != IJ_OK)
    return err;
  err = ij_store_booking_get(conn, op->area, booking_id, true, &bl);
  if (err != IJ_OK)
    goto done;
  ij_booking_facts bf;
  booking_facts(&bl.items[0], &bf);
  err = ij_domain_sign_in_check(r.state, &bf, op->now, already, NULL, errs);
  if (err != IJ_OK || *already)
    goto done;
  err = ij_store_booking_sign_in(conn, op->area, booking_id, bl.items[0].version, op->now);
  /* arrival is the first attendance: the attend follow-on puts a scheduled referral in progress */
  if (err == IJ_OK && !r.first_attended_at) {
    err = ij_store_referral_counters(conn, op->area, r.id, 0, 0, 0, op->now, op->now);
    r.first_attended_at = op->now;
  }
  if (err == IJ_OK)
    err = ij_ops_follow_on(conn, op, actor, &r, false, errs);
  if (err == IJ_OK)
    err = ij_store_commit(conn);
done:
  if (err != IJ_OK || *already)
    ij_store_rollback(conn);
  ij_booking_list_clear(&bl);
  ij_referral_clear(&r);
  if (err == IJ_OK && out)
    err = ij_ops_booking_get(conn, op, booking_id, NULL, out);
  return err;
}

/* ---- the same outcome for several bookings of one session ---- */

typedef struct {
  int index; /* in the request's list */
  char referral_id[IJ_UUID_BUF];
  char booking_id[IJ_UUID_BUF];
} bulk_item;

/* The lock order: referrals, then their bookings, each by id, as every path locks a referral
 * before its booking. */
static int bulk_order(const void *a, const void *b) {
  const bulk_item *x = a, *y = b;
  int c = strcmp(x->referral_id, y->referral_id);
  return c ? c : strcmp(x->booking_id, y->booking_id);
}

/* Adds one booking's errors to the request's, on "booking_ids[i]". */
static void bulk_errors(ij_field_errors *errs, int index, const ij_field_errors *one) {
  char field[48];
  snprintf(field, sizeof field, "booking_ids[%d]", index);
  for (int k = 0; k < one->count; k++)
    ij_field_errors_add(errs, field, "%s: %s", one->items[k].field, one->items[k].message);
}

ij_err ij_ops_record_outcomes(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                              const char *session_id, const char *scope_sub,
                              const char *const *booking_ids, int n, const ij_outcome_input *in,
                              ij_booking_view *out, ij_field_errors *errs) {
  if (out)
    memset(out, 0, sizeof *out * (size_t)(n > 0 ? n : 0));
  if (ij_domain_bulk_outcome_check(in, n, errs) != IJ_OK)
    return IJ_ERR_INVALID;
  ij_session_facts sf;
  char supervisor[IJ_MAX_SUPERVISOR + 1];
  ij_err err =
      ij_store_session_facts(conn, op->area, session_id, NULL, &sf, supervisor, sizeof supervisor);
  if (err != IJ_OK)
    return err;
  if (scope_sub && strcmp(supervisor, scope_sub) != 0)
    return IJ_ERR_NOT_FOUND;

  bulk_item items[IJ_BULK_OUTCOME_MAX];
  for (int i = 0; i < n; i++) {
    char session[IJ_UUID_BUF];
    items[i].index = i;
    ij_str_copy(items[i].booking_id, sizeof items[i].booking_id, booking_ids[i]);
    char field[48];
    snprintf(field, sizeof field, "booking_ids[%d]", i);
    bool twice = false;
    for (int k = 0; k < i && !twice; k++)
      twice = strcmp(booking_ids[k], booking_ids[i]) == 0;
    if (twice) {
      ij_field_errors_add(errs, field, "is listed twice");
      continue;
    }
    err = booking_referral(conn, op, booking_ids[i], NULL, items[i].referral_id, session);
    if (err == IJ_ERR_NOT_FOUND || (err == IJ_OK && strcmp(session, session_id) != 0)) {
      ij_field_errors_add(errs, field, "is not a booking of this session");
      continue;
    }
    if (err != IJ_OK)
      return err;
  }
  if (errs->count)
    return IJ_ERR_INVALID;

  qsort(items, (size_t)n, sizeof items[0], bulk_order);
  ij_referral refs[IJ_BULK_OUTCOME_MAX];
  memset(refs, 0, sizeof refs);
  int locked = 0;
  if ((err = ij_store_begin(conn)) != IJ_OK)
    return err;
  int ref_of[IJ_BULK_OUTCOME_MAX]; /* items[i]'s referral in refs */
  for (int i = 0; i < n && err == IJ_OK; i++) {
    if (locked && strcmp(refs[locked - 1].id, items[i].referral_id) == 0) {
      ref_of[i] = locked - 1;
      continue;
    }
    err = ij_store_referral_lock(conn, op->area, items[i].referral_id, &refs[locked]);
    if (err == IJ_OK)
      ref_of[i] = locked++;
  }
  /* every booking is decided, so that the answer names every one that fails; a refusal writes
   * nothing, and any refusal rolls back the others */
  bool invalid = false;
  for (int i = 0; i < n && err == IJ_OK; i++) {
    ij_field_errors one;
    ij_field_errors_init(&one);
    ij_err e = record_locked(conn, op, actor, &refs[ref_of[i]], items[i].booking_id, 0, in, NULL,
                             NULL, &one);
    if (e == IJ_ERR_INVALID || e == IJ_ERR_CONFLICT || e == IJ_ERR_TRANSITION) {
      invalid = invalid || e == IJ_ERR_INVALID;
      bulk_errors(errs, items[i].index, &one);
    } else {
      err = e;
    }
  }
  if (err == IJ_OK && errs->count)
    err = invalid ? IJ_ERR_INVALID : IJ_ERR_CONFLICT;
  if (err == IJ_OK)
    err = ij_store_commit(conn);
  if (err != IJ_OK)
    ij_store_rollback(conn);
  for (int i = 0; i < locked; i++)
    ij_referral_clear(&refs[i]);
  for (int i = 0; err == IJ_OK && out && i < n; i++)
    err = ij_ops_booking_get(conn, op, booking_ids[i], NULL, &out[i]);
  return err;
}
