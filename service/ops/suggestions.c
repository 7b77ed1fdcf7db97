/* Booking suggestions: the referral read, the domain's window, one statement for the sessions
 * within it, and the domain's ranking over them, which applies the booking's own check to each. */
#include <string.h>

#include "ij/ops_suggest.h"
#include "ops_internal.h"

void ij_suggestions_clear(ij_suggestions *s) {
  if (!s)
    return;
  ij_suggested_sessions_clear(&s->rows);
  memset(s, 0, sizeof *s);
}

ij_err ij_ops_session_suggestions(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                                  const char *referral_id, int limit, ij_suggestions *out,
                                  unsigned *allowed_events, ij_field_errors *errs) {
  memset(out, 0, sizeof *out);
  if (limit < 1 || limit > IJ_SUGGEST_LIMIT_MAX)
    return IJ_ERR_INTERNAL;
  ij_referral r;
  ij_err err = ij_store_referral_get(conn, op->area, referral_id, &r);
  if (err != IJ_OK)
    return err;
  err = ij_domain_suggest_state(r.state, errs);
  if (err == IJ_ERR_TRANSITION && allowed_events) {
    ij_referral_facts facts;
    ij_ops_facts(&r, &facts);
    *allowed_events = ij_domain_allowed_events(actor, &facts);
  }
  ij_suggest_window w;
  if (err == IJ_OK) {
    ij_domain_suggest_window(op->now, r.date_of_birth, IJ_SUGGEST_DAYS, &w);
    err = ij_store_session_suggestions(conn, op->area, r.person_id, r.ward, &w, limit, &out->rows);
  }
  if (err == IJ_OK) {
    ij_suggest_candidate c[IJ_SUGGEST_LIMIT_MAX];
    int n = out->rows.count < limit ? out->rows.count : limit;
    for (int i = 0; i < n; i++) {
      const ij_suggested_session *s = &out->rows.items[i];
      memset(&c[i], 0, sizeof c[i]);
      c[i].id = s->id;
      c[i].ref = i;
      c[i].facts.starts_at = s->starts_at;
      c[i].facts.ends_at = s->ends_at;
      c[i].facts.cancelled = s->cancelled;
      c[i].facts.capacity = s->capacity;
      c[i].facts.booked = s->booked;
      c[i].facts.min_age = s->min_age;
      /* the statement kept only sessions without an overlap or anyone kept apart on them */
      c[i].same_ward = s->ward && r.ward && strcmp(s->ward, r.ward) == 0;
    }
    ij_suggest_for who = {r.state, r.date_of_birth, r.target_start_by, op->now};
    out->count = ij_domain_suggest_rank(&who, c, n, limit);
    for (int i = 0; i < out->count; i++) {
      out->items[i].session = &out->rows.items[c[i].ref];
      out->items[i].within_target = c[i].within_target;
    }
  }
  ij_referral_clear(&r);
  if (err != IJ_OK)
    ij_suggestions_clear(out);
  return err;
}
