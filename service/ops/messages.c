/* Messages to people through GOV.UK Notify: writing a referral's message of a kind in the
 * transaction of the change that causes it, the reminders an outbox round makes, and reading. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ij/ops_messages.h"
#include "ops_internal.h"

ij_err ij_ops_message_context(ij_conn *conn, const ij_op_ctx *op, ij_message_context *ctx) {
  return ij_store_message_context(conn, op->area, ctx);
}

static void party_of(const ij_referral *r, ij_message_party *out) {
  *out = (ij_message_party){r->date_of_birth,
                            r->person_name,
                            r->phone,
                            r->email,
                            r->guardian_name,
                            r->guardian_phone,
                            r->guardian_email,
                            r->contact_consent,
                            r->do_not_message,
                            r->message_language,
                            r->victim_keep_updated,
                            r->victim_contact};
}

static int64_t cell_i64(const ij_rows *rows, int row, int col) {
  const char *s = ij_rows_get(rows, row, col);
  return s ? strtoll(s, NULL, 10) : 0;
}

ij_err ij_ops_message_write(ij_conn *conn, const ij_op_ctx *op, const ij_message_context *ctx,
                            const ij_referral *r, ij_message_kind kind, const char *booking_id,
                            ij_time_us previous_starts_at, bool *made) {
  if (made)
    *made = false;
  if (!ctx->configured || r->erased_at)
    return IJ_OK;
  ij_message_party party;
  party_of(r, &party);
  ij_message_route route;
  if (!ij_domain_message_route(kind, &party, ctx->welsh, &ctx->templates[kind],
                               ij_london_date(op->now), &route))
    return IJ_OK;
  ij_message_facts facts;
  memset(&facts, 0, sizeof facts);
  facts.name = route.recipient_name;
  facts.person_name = r->person_name;
  facts.hours = ij_domain_hours_required(r->hours_confirmed, r->hours_proposed);
  facts.previous_starts_at = previous_starts_at;
  ij_rows session = {0}, work = {0};
  ij_err err = IJ_OK;
  if (booking_id) {
    err = ij_store_message_booking(conn, op->area, booking_id, &session);
    if (err != IJ_OK)
      return err;
    facts.starts_at = cell_i64(&session, 0, 0);
    facts.ends_at = cell_i64(&session, 0, 1);
    facts.place = ij_rows_get(&session, 0, 2);
    facts.what_to_bring = ij_rows_get(&session, 0, 3);
  }
  if (route.recipient == IJ_RECIPIENT_VICTIM) {
    err = ij_store_message_work_type(conn, op->area, r->id, &work);
    if (err != IJ_OK) {
      ij_rows_clear(&session);
      return err;
    }
    facts.work_type = work.count ? ij_rows_get(&work, 0, 0) : NULL;
    facts.work_date = kind == IJ_MESSAGE_VICTIM_WORK_STARTED && r->first_attended_at
                          ? r->first_attended_at
                          : op->now;
  }
  ij_message_field fields[IJ_MESSAGE_FIELDS_MAX];
  int n = ij_domain_message_personalise(kind, route.language, &facts, fields);
  bool queued = route.not_sent == IJ_NOT_SENT_NONE;
  ij_message_write w = {op->area,
                        r->id,
                        booking_id,
                        ij_message_kind_name(kind),
                        ij_message_recipient_name(route.recipient),
                        ij_message_channel_name(route.channel),
                        route.to[0] ? route.to : NULL,
                        ij_message_language_name(route.language),
                        route.template_id,
                        queued ? "queued" : "not_sent",
                        ij_message_not_sent_name(route.not_sent),
                        fields,
                        n};
  bool wrote = false;
  err = ij_store_message_add(conn, &w, op->now, &wrote);
  if (made)
    *made = wrote;
  ij_rows_clear(&session);
  ij_rows_clear(&work);
  return err;
}

ij_err ij_ops_message_write_for(ij_conn *conn, const ij_op_ctx *op, const ij_message_context *ctx,
                                const char *referral_id, ij_message_kind kind,
                                const char *booking_id, ij_time_us previous_starts_at) {
  if (!ctx->configured)
    return IJ_OK;
  ij_referral r;
  ij_err err = ij_store_referral_get(conn, op->area, referral_id, &r);
  if (err == IJ_OK)
    err = ij_ops_message_write(conn, op, ctx, &r, kind, booking_id, previous_starts_at, NULL);
  ij_referral_clear(&r);
  return err;
}

/* ---- reminders ---- */

static ij_err remind_in_tx(ij_conn *conn, const ij_op_ctx *op, int *made) {
  ij_message_context ctx;
  ij_err err = ij_ops_message_context(conn, op, &ctx);
  if (err != IJ_OK || !ctx.configured)
    return err;
  ij_rows due;
  err = ij_store_reminder_candidates(conn, op->area, op->now, op->now + IJ_REMINDER_LOOKAHEAD_US,
                                     &due);
  if (err != IJ_OK)
    return err;
  for (int i = 0; err == IJ_OK && i < due.count; i++) {
    if (!ij_domain_reminder_due(ij_rows_get(&due, i, 2), false, cell_i64(&due, i, 3),
                                cell_i64(&due, i, 4), ctx.reminder_minutes, op->now))
      continue;
    ij_referral r;
    err = ij_store_referral_get(conn, op->area, ij_rows_get(&due, i, 1), &r);
    bool wrote = false;
    if (err == IJ_OK)
      err = ij_ops_message_write(conn, op, &ctx, &r, IJ_MESSAGE_REMINDER, ij_rows_get(&due, i, 0),
                                 0, &wrote);
    ij_referral_clear(&r);
    if (wrote)
      (*made)++;
  }
  ij_rows_clear(&due);
  return err;
}

ij_err ij_ops_messages_remind(ij_conn *conn, const char *area, ij_time_us now, int *made) {
  *made = 0;
  ij_op_ctx op = {area, "reminders", now, NULL};
  ij_store_scope(conn, area);
  ij_err err = ij_store_begin(conn);
  if (err == IJ_OK) {
    err = remind_in_tx(conn, &op, made);
    if (err == IJ_OK)
      err = ij_store_commit(conn);
    if (err != IJ_OK) {
      ij_store_rollback(conn);
      *made = 0;
    }
  }
  ij_store_scope(conn, NULL);
  return err;
}

/* ---- reading ---- */

ij_err ij_ops_referral_messages(ij_conn *conn, const ij_op_ctx *op, const char *referral_id,
                                ij_rows *out) {
  return ij_store_messages_of_referral(conn, op->area, referral_id, out);
}

ij_err ij_ops_messages_failed(ij_conn *conn, const ij_op_ctx *op, ij_rows *out) {
  return ij_store_messages_failed(conn, op->area, op->now, IJ_MESSAGES_FAILED_MAX, out);
}
