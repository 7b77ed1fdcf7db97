/* Reoffending follow-up operations: recording a check's result, which closes the referral when
 * it is the last one (the checks themselves are made by an exit: ops/referral.c), and reading
 * the checks. */
#include <stdio.h>
#include <string.h>

#include "ij/store/audit.h"
#include "ij/store/followups.h"
#include "ij/store/notices.h"
#include "ij/str.h"
#include "ops_internal.h"

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
  ij_str_copy(referral_id, sizeof referral_id, page.items[0].referral_id);
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
  /* the last check closes the referral by itself */
  if (err == IJ_OK)
    err = ij_ops_follow_on(conn, op, actor, &r, ij_domain_followup_closes(f->window_months), errs);
done:
  ij_followup_page_clear(&page);
  ij_referral_clear(&r);
  return err;
}

ij_err ij_ops_record_followup(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                              const char *followup_id, int expected_version,
                              const ij_followup_input *in, const char *import_id,
                              ij_followup_page *out, int *current_version, ij_field_errors *errs) {
  if (out)
    memset(out, 0, sizeof *out);
  ij_err err = ij_store_begin(conn);
  if (err != IJ_OK)
    return err;
  err = ij_ops_record_followup_in_tx(conn, op, actor, followup_id, expected_version, in, import_id,
                                     current_version, errs);
  if (err == IJ_OK)
    err = ij_store_commit(conn);
  if (err != IJ_OK)
    ij_store_rollback(conn);
  if (err == IJ_OK && out)
    err = ij_store_followup_get(conn, op->area, followup_id, false, out);
  return err;
}

ij_err ij_ops_followup_list(ij_conn *conn, const ij_followup_filter *f, ij_followup_page *out) {
  return ij_store_followups_list(conn, f, out);
}

ij_err ij_ops_followup_get(ij_conn *conn, const ij_op_ctx *op, const char *id,
                           ij_followup_page *out) {
  return ij_store_followup_get(conn, op->area, id, false, out);
}
