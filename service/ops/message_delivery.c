/* Messages through GOV.UK Notify: delivering an area's due messages (one transaction per area and
 * batch, the claimed rows locked until the results are recorded) and applying Notify's delivery
 * receipts, authenticated by the area's callback token. */
#include <stdio.h>
#include <string.h>

#include "ij/digest.h"
#include "ij/domain_messages.h"
#include "ij/ops_message_delivery.h"

ij_err ij_ops_message_areas(ij_conn *conn, ij_rows *out) {
  return ij_store_message_areas(conn, out);
}

/* The outcome of one claimed message, recorded in the caller's transaction; *abandoned when the
 * sender gave it up unsent (the service is stopping). */
static ij_err deliver_one(ij_conn *conn, const ij_message_delivery *m, ij_time_us now,
                          ij_message_sender send, void *arg, bool *abandoned,
                          ij_message_round *out) {
  *abandoned = false;
  if (strcmp(m->kind, "reminder") == 0 &&
      !ij_domain_reminder_still_wanted(m->booking_status, m->session_cancelled,
                                       m->session_starts_at, now)) {
    ij_err err = ij_store_message_cancelled(conn, m->id, now);
    if (err == IJ_OK)
      out->cancelled++;
    return err;
  }
  ij_notify_answer answer;
  memset(&answer, 0, sizeof answer);
  if (!m->to_address) {
    /* erased with its referral while it waited: there is nobody to send it to, now or later */
    ij_err err = ij_store_message_failed(conn, m->id, m->attempts, "the address was erased", now);
    if (err == IJ_OK)
      out->failed++;
    return err;
  }
  if (!m->base_url || !m->service_id || !m->secret_key) {
    /* the area's key was removed since the message was written: it may be set again */
    snprintf(answer.error, sizeof answer.error, "the area has no Notify API key");
  } else {
    send(m, arg, &answer);
    if (answer.abandoned) {
      *abandoned = true;
      return IJ_OK;
    }
  }
  ij_notify_outcome outcome = ij_domain_notify_classify(answer.status);
  if (outcome == IJ_NOTIFY_SENT) {
    ij_err err =
        ij_store_message_sent(conn, m->id, answer.notify_id[0] ? answer.notify_id : NULL, now);
    if (err == IJ_OK)
      out->sent++;
    return err;
  }
  int attempts;
  ij_time_us next;
  if (!answer.error[0])
    snprintf(answer.error, sizeof answer.error, "HTTP status %ld", answer.status);
  if (ij_domain_notify_retry(outcome, m->attempts, now, &attempts, &next)) {
    ij_err err = ij_store_message_retry(conn, m->id, attempts, next, answer.error);
    if (err == IJ_OK)
      out->retried++;
    return err;
  }
  ij_err err = ij_store_message_failed(conn, m->id, attempts, answer.error, now);
  if (err == IJ_OK)
    out->failed++;
  return err;
}

ij_err ij_ops_deliver_messages(ij_conn *conn, const char *area, ij_time_us now, int batch,
                               ij_message_sender send, void *arg, ij_message_round *out) {
  memset(out, 0, sizeof *out);
  ij_message_batch claim;
  memset(&claim, 0, sizeof claim);
  ij_store_scope(conn, area);
  ij_err err = ij_store_begin(conn);
  if (err == IJ_OK)
    err = ij_store_messages_claim(conn, area, now, batch, &claim);
  if (err == IJ_OK)
    out->claimed = claim.count;
  for (int i = 0; err == IJ_OK && i < claim.count; i++) {
    bool abandoned;
    err = deliver_one(conn, &claim.items[i], now, send, arg, &abandoned, out);
    if (abandoned)
      break; /* this one and the rest stay due */
  }
  if (err == IJ_OK)
    err = ij_store_commit(conn);
  if (err != IJ_OK) {
    ij_store_rollback(conn);
    int claimed = out->claimed;
    memset(out, 0, sizeof *out); /* nothing recorded: every message of the batch stays due */
    out->claimed = claimed;
  }
  ij_message_batch_clear(&claim);
  ij_store_scope(conn, NULL);
  return err;
}

ij_err ij_ops_notify_receipt(ij_conn *conn, const char *area, const char *bearer_token,
                             const ij_notify_receipt_input *in, ij_time_us now,
                             bool *unknown_message, ij_field_errors *errs) {
  *unknown_message = false;
  bool known = false, has_hash = false;
  unsigned char hash[32];
  /* the secrets are read in the area's own scope */
  ij_store_scope(conn, area);
  ij_err err = ij_store_notify_callback_hash(conn, area, &known, &has_hash, hash);
  if (err == IJ_OK && !known)
    err = IJ_ERR_NOT_FOUND;
  else if (err == IJ_OK && (!has_hash || !bearer_token || !ij_sha256_matches(bearer_token, hash)))
    err = IJ_ERR_UNAUTHENTICATED;
  memset(hash, 0, sizeof hash); /* the hash of a secret: not left on the stack */
  ij_notify_receipt r;
  if (err == IJ_OK)
    err = ij_domain_notify_receipt_check(in, now, &r, errs);
  if (err == IJ_OK) {
    err = ij_store_message_receipt(conn, area, r.has_reference ? r.reference : NULL, r.notify_id,
                                   r.status, r.status_at);
    if (err == IJ_ERR_NOT_FOUND)
      *unknown_message = true;
  }
  ij_store_scope(conn, NULL);
  return err;
}
