/* A session's register: what its supervisor needs to run it safely, for each person on it. */
#include "ij/store/placements.h"
#include "db.h"

/* Only the columns the register shows: no offence, victim, address or date of birth. The
 * bookings that hold a place or have an outcome; cancelled and rescheduled ones are not on it. */
static const ij_stmt STMT_SESSION_REGISTER = {
    "session_register",
    "SELECT b.id, b.referral_id, pe.name, pe.needs_notes, pe.risk_notes, pe.phone, b.status,"
    " b.minutes_credited, b.walk_in, b.late_entry_reason, b.version"
    " FROM bookings b JOIN people pe ON pe.id = b.person_id"
    " WHERE b.session_id = $1 AND b.area = $2 AND b.status NOT IN ('cancelled', 'rescheduled')"
    " ORDER BY pe.name, b.id",
    2};

ij_err ij_store_session_register(ij_conn *conn, const char *area, const char *session_id,
                                 ij_rows *out) {
  const char *p[2] = {session_id, area};
  PGresult *res;
  ij_err err = ij_db_exec(conn, &STMT_SESSION_REGISTER, p, &res);
  if (err != IJ_OK)
    return err;
  return ij_db_rows(res, out);
}
