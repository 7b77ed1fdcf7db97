/* A session's register: what its supervisor needs to run it safely, for each person booked on it
 * (name, needs and risk notes, a contact number, the booking's status), and nothing else. Each
 * person read goes to the personal-data access log. */
#include <stdlib.h>
#include <string.h>

#include "ij/ops.h"
#include "internal.h"

/* ---- GET /v1/sessions/{id}/register ---- */

void ij_h_session_register(ij_ctx *ctx) {
  const char *id = ctx->id;
  bool supervisor_only =
      (ctx->actor.roles & IJ_ROLE_SUPERVISOR) && !(ctx->actor.roles & IJ_ROLE_COORDINATOR);
  ij_conn *conn = ij_ctx_conn(ctx);
  if (!conn)
    return;
  ij_op_ctx op = ij_ctx_op(ctx);
  ij_session s;
  ij_rows rows;
  ij_err err =
      ij_ops_session_register(conn, &op, id, supervisor_only ? ctx->actor.sub : NULL, &s, &rows);
  if (err != IJ_OK) {
    ij_send_store_error(ctx, err, NULL);
    return;
  }
  json_t *people = json_array();
  for (int i = 0; i < rows.count; i++) {
    const char *referral_id = ij_rows_get(&rows, i, 1);
    const char *walk_in = ij_rows_get(&rows, i, 8);
    json_array_append_new(people,
                          json_pack("{s:s, s:s, s:{s:s, s:o, s:o, s:o}, s:s, s:i, s:b, s:o, s:i}",
                                    "booking_id", ij_rows_get(&rows, i, 0), "referral_id",
                                    referral_id, "person", "name", ij_rows_get(&rows, i, 2),
                                    "needs_notes", ij_json_str_or_null(ij_rows_get(&rows, i, 3)),
                                    "risk_notes", ij_json_str_or_null(ij_rows_get(&rows, i, 4)),
                                    "phone", ij_json_str_or_null(ij_rows_get(&rows, i, 5)),
                                    "status", ij_rows_get(&rows, i, 6), "minutes_credited",
                                    atoi(ij_rows_get(&rows, i, 7)), "walk_in",
                                    walk_in && strcmp(walk_in, "t") == 0, "late_entry_reason",
                                    ij_json_str_or_null(ij_rows_get(&rows, i, 9)), "version",
                                    atoi(ij_rows_get(&rows, i, 10))));
    ij_ctx_accessed(ctx, referral_id);
  }
  json_t *j = json_pack("{s:s, s:o, s:o, s:{s:s, s:s}, s:b, s:o}", "session_id", s.id, "starts_at",
                        ij_json_time(s.starts_at), "ends_at", ij_json_time(s.ends_at), "supervisor",
                        "sub", s.supervisor_sub, "name", s.supervisor_name, "cancelled",
                        s.cancelled, "items", people);
  ij_session_clear(&s);
  ij_rows_clear(&rows);
  ij_send_json(ctx, 200, j);
}
