/* Messages on their way to GOV.UK Notify: the outbox's claim of an area's due messages, what
 * Notify answered, and its delivery receipts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ij/store/message_delivery.h"
#include "db.h"

static const ij_stmt STMT_MESSAGE_AREAS = {"message_areas",
                                           "SELECT area FROM ij_message_areas() AS area", 0};

ij_err ij_store_message_areas(ij_conn *conn, ij_rows *out) {
  memset(out, 0, sizeof *out);
  PGresult *res;
  ij_err err = ij_db_exec(conn, &STMT_MESSAGE_AREAS, NULL, &res);
  return err == IJ_OK ? ij_db_rows(res, out) : err;
}

/* The area's settings and secret come with each message (one row each: both tables are keyed by
 * area), and a reminder's booking and session, which decide whether it is still wanted. Only the
 * messages are locked: a booking being cancelled meanwhile is not held up, and its cancellation
 * is seen by the next claim if not by this one. */
static const ij_stmt STMT_MESSAGES_CLAIM = {
    "messages_claim",
    "SELECT m.id, m.kind, m.channel, m.to_address, m.template_id,"
    " coalesce(m.personalisation, '{}'::jsonb)::text, m.attempts,"
    " n.base_url, n.service_id, s.secret_key, b.status, coalesce(se.cancelled, false),"
    " ij_us(se.starts_at)"
    " FROM messages m"
    " LEFT JOIN area_notify n ON n.area = m.area"
    " LEFT JOIN area_notify_secrets s ON s.area = m.area"
    " LEFT JOIN bookings b ON b.id = m.booking_id"
    " LEFT JOIN sessions se ON se.id = b.session_id"
    " WHERE m.area = $1 AND m.status = 'queued' AND m.next_attempt_at <= $2::timestamptz"
    " ORDER BY m.next_attempt_at, m.seq LIMIT $3 FOR UPDATE OF m SKIP LOCKED",
    3};

ij_err ij_store_messages_claim(ij_conn *conn, const char *area, ij_time_us now, int limit,
                               ij_message_batch *out) {
  memset(out, 0, sizeof *out);
  char at[IJ_TIME_BUF], lim[16];
  ij_time_format(now, at);
  snprintf(lim, sizeof lim, "%d", limit);
  const char *p[3] = {area, at, lim};
  PGresult *res;
  ij_err err = ij_db_exec(conn, &STMT_MESSAGES_CLAIM, p, &res);
  if (err != IJ_OK)
    return err;
  out->items = ij_db_items(res, sizeof *out->items, &out->count);
  if (!out->items)
    return IJ_ERR_NOMEM;
  for (int i = 0; i < out->count; i++) {
    ij_message_delivery *m = &out->items[i];
    m->id = ij_db_str(res, i, 0);
    m->kind = ij_db_str(res, i, 1);
    m->channel = ij_db_str(res, i, 2);
    m->to_address = ij_db_str(res, i, 3);
    m->template_id = ij_db_str(res, i, 4);
    m->personalisation = ij_db_str(res, i, 5);
    m->attempts = (int)ij_db_i64(res, i, 6);
    m->base_url = ij_db_str(res, i, 7);
    m->service_id = ij_db_str(res, i, 8);
    m->secret_key = ij_db_str(res, i, 9);
    m->booking_status = ij_db_str(res, i, 10);
    m->session_cancelled = ij_db_bool(res, i, 11);
    m->session_starts_at = ij_db_i64(res, i, 12);
  }
  out->owner_ = res;
  return IJ_OK;
}

void ij_message_batch_clear(ij_message_batch *batch) {
  if (!batch)
    return;
  free(batch->items);
  if (batch->owner_)
    PQclear(batch->owner_);
  memset(batch, 0, sizeof *batch);
}

/* Each result is written only over a message still queued: the claim's lock makes that the
 * claimed one. */
static const ij_stmt STMT_MESSAGE_SENT = {
    "message_sent",
    "UPDATE messages SET status = 'sending', notify_id = $2::uuid, sent_at = $3::timestamptz,"
    " status_at = $3::timestamptz, last_error = NULL"
    " WHERE id = $1 AND status = 'queued'",
    3};

ij_err ij_store_message_sent(ij_conn *conn, const char *id, const char *notify_id, ij_time_us at) {
  char when[IJ_TIME_BUF];
  ij_time_format(at, when);
  const char *p[3] = {id, notify_id, when};
  return ij_db_run(conn, &STMT_MESSAGE_SENT, p);
}

static const ij_stmt STMT_MESSAGE_RETRY = {
    "message_retry",
    "UPDATE messages SET attempts = $2::integer, next_attempt_at = $3::timestamptz,"
    " last_error = left($4, 500)"
    " WHERE id = $1 AND status = 'queued'",
    4};

ij_err ij_store_message_retry(ij_conn *conn, const char *id, int attempts,
                              ij_time_us next_attempt_at, const char *error) {
  char n[16], when[IJ_TIME_BUF];
  snprintf(n, sizeof n, "%d", attempts);
  ij_time_format(next_attempt_at, when);
  const char *p[4] = {id, n, when, error ? error : "failed"};
  return ij_db_run(conn, &STMT_MESSAGE_RETRY, p);
}

static const ij_stmt STMT_MESSAGE_FAILED = {
    "message_failed",
    "UPDATE messages SET status = 'failed', attempts = $2::integer, last_error = left($3, 500),"
    " status_at = $4::timestamptz"
    " WHERE id = $1 AND status = 'queued'",
    4};

ij_err ij_store_message_failed(ij_conn *conn, const char *id, int attempts, const char *error,
                               ij_time_us at) {
  char n[16], when[IJ_TIME_BUF];
  snprintf(n, sizeof n, "%d", attempts);
  ij_time_format(at, when);
  const char *p[4] = {id, n, error ? error : "failed", when};
  return ij_db_run(conn, &STMT_MESSAGE_FAILED, p);
}

static const ij_stmt STMT_MESSAGE_CANCELLED = {
    "message_cancelled",
    "UPDATE messages SET status = 'cancelled', status_at = $2::timestamptz"
    " WHERE id = $1 AND status = 'queued'",
    2};

ij_err ij_store_message_cancelled(ij_conn *conn, const char *id, ij_time_us at) {
  char when[IJ_TIME_BUF];
  ij_time_format(at, when);
  const char *p[2] = {id, when};
  return ij_db_run(conn, &STMT_MESSAGE_CANCELLED, p);
}

/* Every area can be read (refdata_areas_read); the secrets only in the area's own scope. The hash
 * leaves as hex: a bytea's text form depends on the server's bytea_output. */
static const ij_stmt STMT_NOTIFY_CALLBACK_HASH = {
    "notify_callback_hash",
    "SELECT a.code, encode(s.callback_token_sha256, 'hex') FROM areas a"
    " LEFT JOIN area_notify_secrets s ON s.area = a.code WHERE a.code = $1",
    1};

static int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

ij_err ij_store_notify_callback_hash(ij_conn *conn, const char *area, bool *area_known,
                                     bool *has_hash, unsigned char hash[32]) {
  *area_known = *has_hash = false;
  memset(hash, 0, 32);
  const char *p[1] = {area};
  PGresult *res;
  ij_err err = ij_db_exec(conn, &STMT_NOTIFY_CALLBACK_HASH, p, &res);
  if (err != IJ_OK)
    return err;
  if (PQntuples(res) == 1) {
    *area_known = true;
    const char *hex = ij_db_str(res, 0, 1);
    if (hex && strlen(hex) == 64) {
      *has_hash = true;
      for (int i = 0; i < 32; i++) {
        int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
          *has_hash = false;
          break;
        }
        hash[i] = (unsigned char)(hi * 16 + lo);
      }
    }
  }
  PQclear(res);
  return IJ_OK;
}

/* A receipt for a message Notify was asked to send: a message queued with no notify_id may be
 * one whose sending transaction was lost after Notify took it (the receipt then records it, so it
 * is not sent twice); a message written not_sent or cancelled was never sent and cannot have
 * one. A receipt that arrives while the outbox still holds the message's row waits for it. */
static const ij_stmt STMT_MESSAGE_RECEIPT = {
    "message_receipt",
    "UPDATE messages SET status = $4, status_at = $5::timestamptz,"
    " notify_id = coalesce(notify_id, $3::uuid)"
    " WHERE area = $1 AND status NOT IN ('not_sent', 'cancelled')"
    " AND (($2::uuid IS NOT NULL AND id = $2::uuid)"
    "   OR ($2::uuid IS NULL AND notify_id = $3::uuid))"
    " RETURNING id",
    5};

ij_err ij_store_message_receipt(ij_conn *conn, const char *area, const char *reference,
                                const char *notify_id, const char *status, ij_time_us status_at) {
  char when[IJ_TIME_BUF];
  ij_time_format(status_at, when);
  const char *p[5] = {area, reference, notify_id, status, when};
  PGresult *res;
  ij_err err = ij_db_exec(conn, &STMT_MESSAGE_RECEIPT, p, &res);
  if (err != IJ_OK)
    return err;
  int n = PQntuples(res);
  PQclear(res);
  return n > 0 ? IJ_OK : IJ_ERR_NOT_FOUND;
}
