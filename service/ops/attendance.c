/* Booking and attendance operations: each is one transaction in which the domain decides and
 * the store writes. The referral moves by itself through the domain's follow-on events: the first
 * booking schedules it, the first attended session puts it in progress, the attendance that
 * brings the credited hours up to those required completes it, and losing its last place with
 * nothing attended takes it back to accepted. And reading bookings, which a supervisor who does
 * not coordinate sees only on the sessions they supervise. */
#include <stdio.h>
#include <string.h>

#include "ij/store/audit.h"
#include "ij/store/bookings.h"
#include "ij/store/non_associations.h"
#include "ij/store/placements.h"
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
  if (err == IJ_OK)
    err = ij_store_commit(conn);
  if (err != IJ_OK)
    ij_store_rollback(conn);
  ij_referral_clear(&r);
  if (err == IJ_OK && out)
    err = ij_ops_booking_get(conn, op, booking_id, NULL, out);
  return err;
}

ij_err ij_ops_record_outcome(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                             const char *booking_id, const char *scope_sub, int expected_version,
                             const ij_outcome_input *in, const char *rescheduled_session,
                             ij_booking_view *out, int *current_version, ij_field_errors *errs) {
  ij_booking_list bl;
  memset(&bl, 0, sizeof bl);
  ij_referral r;
  memset(&r, 0, sizeof r);
  if (out)
    memset(out, 0, sizeof *out);
  ij_entry_marks marks = {false, NULL}; /* a late entry marks the events it causes */
  /* which referral, and whether the caller may record on it: read without a lock, then lock the
   * referral before the booking */
  ij_err err = ij_store_booking_get(conn, op->area, booking_id, false, &bl);
  if (err != IJ_OK)
    return err;
  char referral_id[IJ_UUID_BUF];
  snprintf(referral_id, sizeof referral_id, "%s", bl.items[0].referral_id);
  bool visible = in_scope(&bl.items[0], scope_sub);
  ij_booking_list_clear(&bl);
  if (!visible)
    return IJ_ERR_NOT_FOUND;
  if ((err = ij_store_begin(conn)) != IJ_OK)
    return err;
  err = ij_store_referral_lock(conn, op->area, referral_id, &r);
  if (err == IJ_OK)
    err = ij_store_booking_get(conn, op->area, booking_id, true, &bl);
  if (err != IJ_OK)
    goto done;
  const ij_booking *b = &bl.items[0];
  *current_version = b->version;
  if (expected_version && expected_version != b->version) {
    err = IJ_ERR_STALE;
    goto done;
  }
  bool late = false;
  err = ij_domain_outcome_late_entry(actor->roles, b->late_entry_reason != NULL,
                                     in->late_entry_reason, b->ends_at, op->now, &late, errs);
  if (err != IJ_OK)
    goto done;
  if (late)
    marks.late_entry_reason = in->late_entry_reason;
  ij_outcome previous = IJ_OUTCOME_CANCELLED;
  bool booked = strcmp(b->status, "booked") == 0;
  bool has_previous = !booked && ij_outcome_parse(b->status, &previous) == IJ_OK &&
                      !ij_outcome_frees_place(previous);
  ij_booking_facts bf = {has_previous,           previous,     b->minutes_credited,
                         booked || has_previous, b->starts_at, b->ends_at};
  ij_referral_facts rf;
  ij_ops_facts(&r, &rf);
  ij_outcome_effect effect;
  err = ij_domain_outcome_decide(in, &bf, &rf, op->now, &effect, errs);
  if (err != IJ_OK)
    goto done;
  char new_booking[IJ_UUID_BUF];
  const char *rescheduled_to = NULL;
  if (in->outcome == IJ_OUTCOME_RESCHEDULED) {
    err = place(conn, op, &r, rescheduled_session, IJ_BOOKING_ORDINARY, NULL, new_booking, errs);
    if (err != IJ_OK)
      goto done;
    rescheduled_to = new_booking;
    r.active_bookings++;
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
                                   in->amendment_reason};
  err = ij_store_booking_record(conn, op->area, booking_id, b->version, &rec,
                                effect.places_delta < 0, &audit);
  bool first_attendance = effect.attended && !r.first_attended_at;
  if (err == IJ_OK &&
      (effect.minutes_delta || effect.breaches_delta || effect.places_delta || first_attendance))
    err = ij_store_referral_counters(conn, op->area, r.id, effect.minutes_delta,
                                     effect.breaches_delta, effect.places_delta,
                                     first_attendance ? b->starts_at : 0, op->now);
  if (err != IJ_OK)
    goto done;
  /* the referral's own events follow from the new totals */
  r.minutes_credited += effect.minutes_delta;
  r.breaches += effect.breaches_delta;
  r.active_bookings += effect.places_delta;
  if (first_attendance)
    r.first_attended_at = b->starts_at;
  err = ij_ops_follow_on_marked(conn, op, actor, &r, false, &marks, errs);
  if (err == IJ_OK)
    err = ij_store_commit(conn);
done:
  if (err != IJ_OK)
    ij_store_rollback(conn);
  ij_booking_list_clear(&bl);
  ij_referral_clear(&r);
  if (err == IJ_OK && out)
    err = ij_ops_booking_get(conn, op, booking_id, NULL, out);
  return err;
}
