/* Messages to people through GOV.UK Notify: the area's context, the message rows, and what the
 * reminders and the work list read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ij/store/messages.h"
#include "ij/str.h"
#include "db.h"

static const ij_stmt STMT_MESSAGE_CONTEXT = {
    "message_context",
    "SELECT n.welsh, to_char(n.reminder_time, 'HH24\":\"MI'), t.kind, t.language, t.channel,"
    " t.template_id FROM area_notify n"
    " LEFT JOIN message_templates t ON t.area = n.area"
    " WHERE n.area = $1 AND n.service_id IS NOT NULL",
    1};

ij_err ij_store_message_context(ij_conn *conn, const char *area, ij_message_context *out) {
  memset(out, 0, sizeof *out);
  const char *p[1] = {area};
  PGresult *res;
  ij_err err = ij_db_exec(conn, &STMT_MESSAGE_CONTEXT, p, &res);
  if (err != IJ_OK)
    return err;
  int n = PQntuples(res);
  if (n > 0) {
    out->configured = true;
    out->welsh = ij_db_bool(res, 0, 0);
    if (ij_domain_clock_parse(PQgetvalue(res, 0, 1), &out->reminder_minutes) != IJ_OK)
      out->reminder_minutes = 18 * 60; /* the column's default; the type makes this unreachable */
  }
  for (int i = 0; i < n; i++) {
    ij_message_kind kind;
    ij_message_language lang;
    const char *channel = ij_db_str(res, i, 4);
    if (!channel || ij_message_kind_parse(PQgetvalue(res, i, 2), &kind) != IJ_OK ||
        ij_message_language_parse(PQgetvalue(res, i, 3), &lang) != IJ_OK)
      continue; /* no templates (the LEFT JOIN's one row), or a kind this build does not know */
    int ch = strcmp(channel, "sms") == 0 ? 0 : 1;
    ij_str_copy(out->ids[kind][lang][ch], IJ_UUID_BUF, PQgetvalue(res, i, 5));
  }
  PQclear(res);
  for (int k = 0; k < IJ_MESSAGE_KIND_COUNT; k++)
    for (int l = 0; l < 2; l++)
      for (int c = 0; c < 2; c++)
        out->templates[k].ids[l][c] = out->ids[k][l][c][0] ? out->ids[k][l][c] : NULL;
  return IJ_OK;
}

/* A text[] literal of n strings: each quoted, with '"' and '\' escaped. NULL when out of memory
 * (the caller frees the result). */
static char *text_array(const char *const *items, int n) {
  size_t size = 3;
  for (int i = 0; i < n; i++)
    size += 3 + 2 * strlen(items[i]);
  char *out = malloc(size);
  if (!out)
    return NULL;
  char *w = out;
  *w++ = '{';
  for (int i = 0; i < n; i++) {
    if (i)
      *w++ = ',';
    *w++ = '"';
    for (const char *p = items[i]; *p; p++) {
      if (*p == '"' || *p == '\\')
        *w++ = '\\';
      *w++ = *p;
    }
    *w++ = '"';
  }
  *w++ = '}';
  *w = '\0';
  return out;
}

/* The personalisation is built by the database from the keys and values, so that its JSON is
 * always well made. A second reminder of a booking for a recipient meets messages_reminder_once
 * and is not written. */
static const ij_stmt STMT_MESSAGE_ADD = {
    "message_add",
    "INSERT INTO messages (id, area, referral_id, booking_id, kind, recipient, channel,"
    " to_address, language, template_id, personalisation, status, reason, next_attempt_at,"
    " created_at, status_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,"
    " jsonb_object($11::text[], $12::text[]), $13, $14,"
    " CASE WHEN $13 = 'queued' THEN $15::timestamptz END, $15, $15)"
    " ON CONFLICT DO NOTHING RETURNING id",
    15};

ij_err ij_store_message_add(ij_conn *conn, const ij_message_write *m, ij_time_us at, bool *made) {
  *made = false;
  const char *keys[IJ_MESSAGE_FIELDS_MAX], *values[IJ_MESSAGE_FIELDS_MAX];
  int n = m->nfields < IJ_MESSAGE_FIELDS_MAX ? m->nfields : IJ_MESSAGE_FIELDS_MAX;
  for (int i = 0; i < n; i++) {
    keys[i] = m->fields[i].key;
    values[i] = m->fields[i].value;
  }
  char *k = text_array(keys, n), *v = text_array(values, n);
  ij_err err = IJ_ERR_NOMEM;
  if (k && v) {
    char id[IJ_UUID_BUF], when[IJ_TIME_BUF];
    ij_uuid_new(id);
    ij_time_format(at, when);
    const char *p[15] = {id,
                         m->area,
                         m->referral_id,
                         m->booking_id,
                         m->kind,
                         m->recipient,
                         m->channel,
                         m->to,
                         m->language,
                         m->template_id,
                         k,
                         v,
                         m->status,
                         m->reason,
                         when};
    PGresult *res;
    err = ij_db_exec(conn, &STMT_MESSAGE_ADD, p, &res);
    if (err == IJ_OK) {
      *made = PQntuples(res) == 1;
      PQclear(res);
    }
  }
  free(k);
  free(v);
  return err;
}

static ij_err rows_of(ij_conn *conn, const ij_stmt *stmt, const char *const *p, ij_rows *out) {
  memset(out, 0, sizeof *out);
  PGresult *res;
  ij_err err = ij_db_exec(conn, stmt, p, &res);
  return err == IJ_OK ? ij_db_rows(res, out) : err;
}

static const ij_stmt STMT_MESSAGE_BOOKING = {
    "message_booking",
    "SELECT ij_us(s.starts_at), ij_us(s.ends_at), COALESCE(pl.location, pl.name),"
    " COALESCE(pl.what_to_bring, ''), b.status, s.cancelled, ij_us(b.created_at)"
    " FROM bookings b JOIN sessions s ON s.id = b.session_id"
    " JOIN placements pl ON pl.id = s.placement_id"
    " WHERE b.id = $1::uuid AND b.area = $2",
    2};

ij_err ij_store_message_booking(ij_conn *conn, const char *area, const char *booking_id,
                                ij_rows *out) {
  const char *p[2] = {booking_id, area};
  ij_err err = rows_of(conn, &STMT_MESSAGE_BOOKING, p, out);
  if (err == IJ_OK && out->count != 1) {
    ij_rows_clear(out);
    err = IJ_ERR_NOT_FOUND;
  }
  return err;
}

static const ij_stmt STMT_MESSAGE_WORK_TYPE = {
    "message_work_type",
    "SELECT (SELECT pt.label FROM bookings b JOIN sessions s ON s.id = b.session_id"
    " JOIN placements pl ON pl.id = s.placement_id JOIN placement_types pt ON pt.code = pl.type"
    " WHERE b.referral_id = $1::uuid AND b.area = $2"
    " ORDER BY (b.minutes_credited > 0) DESC, b.starts_at DESC LIMIT 1)",
    2};

ij_err ij_store_message_work_type(ij_conn *conn, const char *area, const char *referral_id,
                                  ij_rows *out) {
  const char *p[2] = {referral_id, area};
  return rows_of(conn, &STMT_MESSAGE_WORK_TYPE, p, out);
}

static const ij_stmt STMT_SESSION_BOOKED = {
    "session_booked",
    "SELECT b.id, b.referral_id FROM bookings b"
    " WHERE b.session_id = $1::uuid AND b.area = $2 AND b.status = 'booked' ORDER BY b.id",
    2};

ij_err ij_store_session_booked(ij_conn *conn, const char *area, const char *session_id,
                               ij_rows *out) {
  const char *p[2] = {session_id, area};
  return rows_of(conn, &STMT_SESSION_BOOKED, p, out);
}

static const ij_stmt STMT_REMINDER_CANDIDATES = {
    "reminder_candidates",
    "SELECT b.id, b.referral_id, b.status, ij_us(b.starts_at), ij_us(b.created_at)"
    " FROM bookings b JOIN sessions s ON s.id = b.session_id"
    " WHERE b.area = $1 AND b.status = 'booked' AND NOT s.cancelled"
    " AND b.starts_at > $2::timestamptz AND b.starts_at <= $3::timestamptz"
    " AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.booking_id = b.id"
    "   AND m.kind = 'reminder')"
    " ORDER BY b.starts_at, b.id",
    3};

ij_err ij_store_reminder_candidates(ij_conn *conn, const char *area, ij_time_us from, ij_time_us to,
                                    ij_rows *out) {
  char f[IJ_TIME_BUF], t[IJ_TIME_BUF];
  ij_time_format(from, f);
  ij_time_format(to, t);
  const char *p[3] = {area, f, t};
  return rows_of(conn, &STMT_REMINDER_CANDIDATES, p, out);
}

static const ij_stmt STMT_REFERRAL_EXISTS = {
    "message_referral_exists", "SELECT 1 FROM referrals WHERE id = $1::uuid AND area = $2", 2};

static const ij_stmt STMT_MESSAGES_OF_REFERRAL = {
    "messages_of_referral",
    "SELECT m.id, m.kind, m.recipient, m.channel, m.to_address, m.language, m.status, m.reason,"
    " m.booking_id, m.template_id, m.attempts, m.last_error, ij_us(m.created_at),"
    " ij_us(m.sent_at), ij_us(m.status_at)"
    " FROM messages m WHERE m.referral_id = $1::uuid AND m.area = $2 ORDER BY m.seq",
    2};

ij_err ij_store_messages_of_referral(ij_conn *conn, const char *area, const char *referral_id,
                                     ij_rows *out) {
  memset(out, 0, sizeof *out);
  const char *p[2] = {referral_id, area};
  PGresult *res;
  ij_err err = ij_db_one(conn, &STMT_REFERRAL_EXISTS, p, &res);
  if (err != IJ_OK)
    return err;
  PQclear(res);
  return rows_of(conn, &STMT_MESSAGES_OF_REFERRAL, p, out);
}

static const ij_stmt STMT_MESSAGES_FAILED = {
    "messages_failed",
    "SELECT m.id, m.referral_id, pe.name, pe.phone, m.booking_id, ij_us(b.starts_at),"
    " m.recipient, m.channel, m.status, m.reason, m.last_error, ij_us(m.status_at), m.kind,"
    " ij_us(b.ends_at), pl.name"
    " FROM messages m JOIN bookings b ON b.id = m.booking_id"
    " JOIN people pe ON pe.id = b.person_id"
    " JOIN sessions s ON s.id = b.session_id JOIN placements pl ON pl.id = s.placement_id"
    " WHERE m.area = $1 AND m.recipient <> 'victim' AND b.starts_at > $2::timestamptz"
    " AND (m.status IN ('failed', 'permanent-failure', 'temporary-failure', 'technical-failure')"
    " OR (m.kind = 'reminder' AND m.status = 'not_sent'))"
    " ORDER BY b.starts_at, m.id LIMIT $3",
    3};

ij_err ij_store_messages_failed(ij_conn *conn, const char *area, ij_time_us now, int limit,
                                ij_rows *out) {
  char t[IJ_TIME_BUF], lim[16];
  ij_time_format(now, t);
  snprintf(lim, sizeof lim, "%d", limit);
  const char *p[3] = {area, t, lim};
  return rows_of(conn, &STMT_MESSAGES_FAILED, p, out);
}
