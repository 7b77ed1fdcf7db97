/* Reoffending follow-up operations: the checks an exit owes, and recording a check's result,
 * which closes the referral when it is the last one. */
#include <stdio.h>
#include <string.h>

#include "ij/ops.h"
#include "ij/store/audit.h"
#include "ij/store/followups.h"
#include "ij/store/notices.h"

ij_err ij_ops_on_exit(ij_conn *conn, const ij_op_ctx *op, const ij_referral *r) {
  ij_err err = ij_store_notices_add_exit(conn, r, ij_state_name(r->state), op->now);
  if (err != IJ_OK)
    return err;
  ij_date exited_on = ij_time_date(op->now);
  ij_date due[IJ_FOLLOWUP_WINDOW_COUNT];
  for (int i = 0; i < IJ_FOLLOWUP_WINDOW_COUNT; i++)
    due[i] = ij_domain_followup_due(exited_on, ij_followup_windows[i]);
  return ij_store_followups_create(conn, r, ij_state_name(r->state), exited_on, due, op->now);
}

/* The record-and-close core, in the caller's transaction (the referral is locked here). */
ij_err ij_ops_record_followup_in_tx(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                                    const char *followup_id, int expected_version,
                                    const ij_followup_input *in, const char *import_id,
                                    int *current_version, ij_field_errors *errs) {
  ij_followup_page page;
  memset(&page, 0, sizeof page);
  ij_referral r;
  memset(&r, 0, sizeof r);
  /* which referral: read without a lock, then lock the referral before the check */
  ij_err err = ij_store_followup_get(conn, op->area, followup_id, false, &page);
  if (err != IJ_OK)
    return err;
  char referral_id[IJ_UUID_BUF];
  snprintf(referral_id, sizeof referral_id, "%s", page.items[0].referral_id);
  ij_followup_page_clear(&page);
  err = ij_store_referral_lock(conn, op->area, referral_id, &r);
  if (err == IJ_OK)
    err = ij_store_followup_get(conn, op->area, followup_id, true, &page);
  if (err != IJ_OK)
    goto done;
  const ij_followup *f = &page.items[0];
  *current_version = f->version;
  if (expected_version && expected_version != f->version) {
    err = IJ_ERR_STALE;
    goto done;
  }
  ij_followup_facts facts = {f->exited_on, f->due_on, f->recorded_at != 0};
  ij_followup_result result;
  err = ij_domain_followup_validate(in, &facts, ij_time_date(op->now), &result, errs);
  if (err != IJ_OK)
    goto done;
  ij_audit audit = {op->request_id, actor->sub, actor->name, ij_role_name(IJ_ROLE_COORDINATOR),
                    op->now};
  err = ij_store_followup_record(conn, op->area, followup_id, f->version, &result, in->category,
                                 import_id, &audit);
  if (err == IJ_OK && ij_domain_followup_closes(f->window_months) &&
      (r.state == IJ_STATE_COMPLETED || r.state == IJ_STATE_NON_COMPLIANT)) {
    /* the last check: the referral closes by itself */
    ij_referral_facts rf;
    ij_ops_facts(&r, &rf);
    rf.last_check_recorded = true;
    ij_transition_request req;
    memset(&req, 0, sizeof req);
    req.event = IJ_EVENT_CLOSE;
    ij_actor sys = {"system", "Immediate Justice service", op->area, IJ_ROLE_SYSTEM};
    ij_decision d;
    err = ij_domain_decide(&sys, &rf, &req, NULL, false, &d, NULL, errs);
    ij_referral updated;
    memset(&updated, 0, sizeof updated);
    if (err == IJ_OK) {
      ij_audit close_audit = {op->request_id, sys.sub, sys.name, ij_role_name(d.acting_role),
                              op->now};
      err = ij_store_referral_transition(conn, op->area, r.id, r.version, &d, &req, &close_audit,
                                         &updated, errs);
    }
    ij_referral_clear(&updated);
  }
done:
  ij_followup_page_clear(&page);
  ij_referral_clear(&r);
  return err;
}

ij_err ij_ops_record_followup(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                              const char *followup_id, int expected_version,
                              const ij_followup_input *in, const char *import_id,
                              int *current_version, ij_field_errors *errs) {
  ij_err err = ij_store_begin(conn);
  if (err != IJ_OK)
    return err;
  err = ij_ops_record_followup_in_tx(conn, op, actor, followup_id, expected_version, in, import_id,
                                     current_version, errs);
  if (err == IJ_OK)
    err = ij_store_commit(conn);
  if (err != IJ_OK)
    ij_store_rollback(conn);
  return err;
}
