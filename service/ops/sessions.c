/* Session operations: making a session, changing one, and cancelling one, which ends its
 * bookings and takes back to accepted each referral left with no place and nothing attended; and
 * reading sessions. */
#include <string.h>
#include <time.h>

#include "ops_internal.h"

/* One attempt at cancelling, in a transaction of its own. *busy: a row to lock while holding the
 * session was busy; try again. */
static ij_err cancel_once(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor, const char *id,
                          int expected_version, const ij_session_input *changes, ij_session *out,
                          ij_rows *referrals, bool *busy, ij_field_errors *errs) {
  ij_rows_clear(referrals);
  ij_err err = ij_store_begin(conn);
  if (err != IJ_OK)
    return err;
  err = ij_store_session_cancel_lock(conn, op->area, id, expected_version, busy, errs);
  /* the bookings it cancels, locked now, are told (when the area sends messages) */
  ij_message_context ctx;
  ij_rows booked = {0};
  if (err == IJ_OK)
    err = ij_ops_message_context(conn, op, &ctx);
  if (err == IJ_OK && ctx.configured)
    err = ij_store_session_booked(conn, op->area, id, &booked);
  if (err == IJ_OK)
    err = ij_store_session_cancel_apply(conn, op->area, id, changes, op->now, referrals, errs);
  /* each referral that lost its bookings follows on: unbooked when nothing is left */
  for (int i = 0; err == IJ_OK && i < referrals->count; i++) {
    ij_referral r;
    err = ij_store_referral_get(conn, op->area, ij_rows_get(referrals, i, 0), &r);
    if (err == IJ_OK)
      err = ij_ops_follow_on(conn, op, actor, &r, false, errs);
    ij_referral_clear(&r);
    if (err == IJ_ERR_STALE)
      err = IJ_ERR_CONFLICT; /* locked since the first step: cannot happen */
  }
  for (int i = 0; err == IJ_OK && i < booked.count; i++)
    err = ij_ops_message_write_for(conn, op, &ctx, ij_rows_get(&booked, i, 1),
                                   IJ_MESSAGE_SESSION_CANCELLED, ij_rows_get(&booked, i, 0), 0);
  ij_rows_clear(&booked);
  if (err == IJ_OK)
    err = ij_store_session_get(conn, op->area, id, false, out);
  if (err == IJ_OK) {
    err = ij_store_commit(conn);
    if (err != IJ_OK)
      ij_session_clear(out);
  }
  if (err != IJ_OK) {
    ij_store_rollback(conn);
    ij_rows_clear(referrals);
  }
  return err;
}

/* A change other than a cancellation, in a transaction of its own: capacity, supervisor, and a
 * move (times given: `move`), which tells each booking still booked on the session. */
static ij_err update_once(ij_conn *conn, const ij_op_ctx *op, const char *id, int expected_version,
                          const ij_session_input *changes, const ij_session_times *move,
                          ij_session *out, ij_field_errors *errs) {
  ij_err err = ij_store_begin(conn);
  if (err != IJ_OK)
    return err;
  ij_session before;
  memset(&before, 0, sizeof before);
  if (move) {
    err = ij_store_session_get(conn, op->area, id, false, &before);
    if (err == IJ_OK && before.version != expected_version)
      err = IJ_ERR_STALE;
    if (err == IJ_OK)
      err = ij_domain_session_move_check(before.starts_at, op->now, errs);
  }
  if (err == IJ_OK)
    err = ij_store_session_update(conn, op->area, id, expected_version, changes, move, op->now, out,
                                  errs);
  ij_message_context ctx;
  ctx.configured = false;
  if (err == IJ_OK && move &&
      (before.starts_at != out->starts_at || before.ends_at != out->ends_at))
    err = ij_ops_message_context(conn, op, &ctx);
  ij_rows booked = {0};
  if (err == IJ_OK && ctx.configured)
    err = ij_store_session_booked(conn, op->area, id, &booked);
  for (int i = 0; err == IJ_OK && i < booked.count; i++)
    err = ij_ops_message_write_for(conn, op, &ctx, ij_rows_get(&booked, i, 1),
                                   IJ_MESSAGE_SESSION_MOVED, ij_rows_get(&booked, i, 0),
                                   before.starts_at);
  ij_rows_clear(&booked);
  ij_session_clear(&before);
  if (err == IJ_OK)
    err = ij_store_commit(conn);
  if (err != IJ_OK) {
    ij_store_rollback(conn);
    ij_session_clear(out);
  }
  return err;
}

/* Attempts at a cancellation whose rows stay busy, and the pause before each further one. */
#define CANCEL_ATTEMPTS 10
#define CANCEL_PAUSE_MS 2

ij_err ij_ops_session_update(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                             const char *id, int expected_version, const ij_session_input *changes,
                             ij_session *out, ij_rows *altered, ij_field_errors *errs) {
  memset(out, 0, sizeof *out);
  memset(altered, 0, sizeof *altered);
  ij_session_times times;
  ij_err verdict = ij_domain_session_validate(changes, false, op->now, &times, errs);
  ij_ops_check_supervisor(conn, op, changes->has_supervisor, changes->supervisor_sub, errs);
  if (verdict != IJ_OK || errs->count)
    return IJ_ERR_INVALID;
  if (expected_version < 0) {
    /* an If-Match that names no version never matches: stale, or not found */
    ij_err err = ij_store_session_get(conn, op->area, id, false, out);
    ij_session_clear(out);
    return err == IJ_OK ? IJ_ERR_STALE : err;
  }
  if (changes->cancelled != 1)
    return update_once(conn, op, id, expected_version, changes,
                       changes->starts_at && changes->ends_at ? &times : NULL, out, errs);
  ij_err err = IJ_OK;
  bool busy = true;
  for (int attempt = 0; attempt < CANCEL_ATTEMPTS && busy; attempt++) {
    if (attempt > 0) {
      struct timespec pause = {0, CANCEL_PAUSE_MS * 1000000L * attempt}; /* 2 ms, 4 ms, ... */
      nanosleep(&pause, NULL);
    }
    ij_field_errors_init(errs);
    err = cancel_once(conn, op, actor, id, expected_version, changes, out, altered, &busy, errs);
  }
  return err; /* still busy: IJ_ERR_CONFLICT, for the caller to try again */
}

ij_err ij_ops_session_create(ij_conn *conn, const ij_op_ctx *op, const char *placement_id,
                             const ij_session_input *in, ij_session *out, ij_field_errors *errs) {
  memset(out, 0, sizeof *out);
  ij_session_times times;
  ij_err verdict = ij_domain_session_validate(in, true, op->now, &times, errs);
  ij_ops_check_supervisor(conn, op, in->has_supervisor, in->supervisor_sub, errs);
  if (verdict != IJ_OK || errs->count)
    return IJ_ERR_INVALID;
  char id[IJ_UUID_BUF];
  ij_uuid_new(id);
  return ij_store_session_create(conn, op->area, placement_id, id, &times, in->capacity,
                                 in->has_supervisor ? in->supervisor_sub : NULL,
                                 in->has_supervisor ? in->supervisor_name : NULL,
                                 in->late_entry_reason, op->now, out, errs);
}

ij_err ij_ops_session_get(ij_conn *conn, const ij_op_ctx *op, const char *id, const char *scope_sub,
                          bool with_bookings, ij_session *out) {
  ij_err err = ij_store_session_get(conn, op->area, id, with_bookings, out);
  if (err == IJ_OK && scope_sub && strcmp(scope_sub, out->supervisor_sub) != 0) {
    ij_session_clear(out);
    err = IJ_ERR_NOT_FOUND;
  }
  return err;
}

ij_err ij_ops_session_list(ij_conn *conn, const ij_session_filter *f, ij_session_page *out) {
  return ij_store_session_list(conn, f, out);
}

ij_err ij_ops_placement_sessions(ij_conn *conn, const ij_session_filter *f, ij_session_page *out) {
  memset(out, 0, sizeof *out);
  /* the placement itself must be one the caller may see, or its sessions are not asked for */
  ij_placement p;
  ij_err err = ij_store_placement_get(conn, f->area, f->placement_id, &p);
  if (err == IJ_OK && f->scope_sub && strcmp(f->scope_sub, p.supervisor_sub) != 0)
    err = IJ_ERR_NOT_FOUND;
  ij_placement_clear(&p);
  return err == IJ_OK ? ij_store_session_list(conn, f, out) : err;
}

ij_err ij_ops_session_register(ij_conn *conn, const ij_op_ctx *op, const char *session_id,
                               const char *scope_sub, ij_session *session, ij_rows *rows) {
  memset(rows, 0, sizeof *rows);
  ij_err err = ij_ops_session_get(conn, op, session_id, scope_sub, false, session);
  if (err == IJ_OK)
    err = ij_store_session_register(conn, op->area, session_id, rows);
  if (err != IJ_OK)
    ij_session_clear(session);
  return err;
}
