/* An area's GOV.UK Notify settings, secrets and templates (migration 023). */
#include <stdlib.h>
#include <string.h>

#include "ij/store/notify_settings.h"
#include "db.h"

/* The settings of $1 as the columns of ij/store/notify_settings.h: the defaults (the columns'
 * defaults in migration 023) when the area has no row. Never a secret, only whether it is set. */
#define SETTINGS_SELECT(JOIN)                                                                  \
  "SELECT n.service_id IS NOT NULL, n.service_id::text, n.key_name, s.secret_key IS NOT NULL," \
  " s.callback_token_sha256 IS NOT NULL,"                                                      \
  " coalesce(n.base_url, '" IJ_NOTIFY_DEFAULT_BASE_URL "'),"                                   \
  " to_char(coalesce(n.reminder_time, '18:00'), 'HH24:MI'), coalesce(n.welsh, false),"         \
  " coalesce(n.version, 1),"                                                                   \
  " json_build_object('base_url', coalesce(n.base_url, '" IJ_NOTIFY_DEFAULT_BASE_URL "'),"     \
  "   'reminder_time', to_char(coalesce(n.reminder_time, '18:00'), 'HH24:MI'),"                \
  "   'welsh', coalesce(n.welsh, false), 'service_id', n.service_id, 'key_name', n.key_name,"  \
  "   'api_key_set', s.secret_key IS NOT NULL,"                                                \
  "   'callback_token_set', s.callback_token_sha256 IS NOT NULL)::text"                        \
  " FROM (SELECT $1::text AS area) a"                                                          \
  " " JOIN " area_notify n ON n.area = a.area"                                                 \
  " LEFT JOIN area_notify_secrets s ON s.area = a.area"

static const ij_stmt STMT_SETTINGS = {"notify_settings", SETTINGS_SELECT("LEFT JOIN"), 1};
static const ij_stmt STMT_SETTINGS_LOCK = {"notify_settings_lock",
                                           SETTINGS_SELECT("JOIN") " FOR UPDATE OF n", 1};
static const ij_stmt STMT_SETTINGS_MAKE = {"notify_settings_make",
                                           "INSERT INTO area_notify (area, base_url, updated_at)"
                                           " VALUES ($1, '" IJ_NOTIFY_DEFAULT_BASE_URL
                                           "', $2) ON CONFLICT (area) DO NOTHING",
                                           2};

static ij_err rows_of(ij_conn *conn, const ij_stmt *stmt, const char *const *params, ij_rows *out) {
  memset(out, 0, sizeof *out);
  PGresult *res;
  ij_err err = ij_db_exec(conn, stmt, params, &res);
  return err == IJ_OK ? ij_db_rows(res, out) : err;
}

ij_err ij_store_notify_settings(ij_conn *conn, const char *area, ij_rows *out) {
  const char *p[1] = {area};
  return rows_of(conn, &STMT_SETTINGS, p, out);
}

ij_err ij_store_notify_settings_lock(ij_conn *conn, const char *area, ij_time_us at, ij_rows *out) {
  memset(out, 0, sizeof *out);
  char when[IJ_TIME_BUF];
  ij_time_format(at, when);
  const char *make[2] = {area, when};
  ij_err err = ij_db_run(conn, &STMT_SETTINGS_MAKE, make);
  if (err != IJ_OK)
    return err;
  const char *p[1] = {area};
  return rows_of(conn, &STMT_SETTINGS_LOCK, p, out);
}

static const ij_stmt STMT_SETTINGS_SET = {
    "notify_settings_set",
    "UPDATE area_notify SET base_url = $2, reminder_time = $3::time, welsh = $4::boolean,"
    " key_name = CASE $5 WHEN 'set' THEN $6 WHEN 'remove' THEN NULL ELSE key_name END,"
    " service_id = CASE $5 WHEN 'set' THEN $7::uuid WHEN 'remove' THEN NULL ELSE service_id END,"
    " version = version + 1, updated_at = $8 WHERE area = $1",
    8};

ij_err ij_store_notify_settings_set(ij_conn *conn, const char *area, const char *base_url,
                                    const char *reminder_time, bool welsh, ij_notify_key_change key,
                                    const char *key_name, const char *service_id, ij_time_us at) {
  char when[IJ_TIME_BUF];
  ij_time_format(at, when);
  const char *change = key == IJ_NOTIFY_KEY_SET      ? "set"
                       : key == IJ_NOTIFY_KEY_REMOVE ? "remove"
                                                     : "keep";
  const char *p[8] = {area,   base_url, reminder_time, welsh ? "true" : "false",
                      change, key_name, service_id,    when};
  return ij_db_run(conn, &STMT_SETTINGS_SET, p);
}

static const ij_stmt STMT_SECRET_KEY_SET = {
    "notify_secret_key_set",
    "INSERT INTO area_notify_secrets (area, secret_key, updated_at) VALUES ($1, $2, $3)"
    " ON CONFLICT (area) DO UPDATE SET secret_key = EXCLUDED.secret_key,"
    " updated_at = EXCLUDED.updated_at",
    3};

ij_err ij_store_notify_secret_key_set(ij_conn *conn, const char *area, const char *secret,
                                      ij_time_us at) {
  char when[IJ_TIME_BUF];
  ij_time_format(at, when);
  const char *p[3] = {area, secret, when};
  return ij_db_run(conn, &STMT_SECRET_KEY_SET, p);
}

static const ij_stmt STMT_TOKEN_SET = {
    "notify_token_sha256_set",
    "INSERT INTO area_notify_secrets (area, callback_token_sha256, updated_at)"
    " VALUES ($1, decode($2, 'hex'), $3)"
    " ON CONFLICT (area) DO UPDATE SET callback_token_sha256 = EXCLUDED.callback_token_sha256,"
    " updated_at = EXCLUDED.updated_at",
    3};

ij_err ij_store_notify_token_sha256_set(ij_conn *conn, const char *area, const char *sha256_hex,
                                        ij_time_us at) {
  char when[IJ_TIME_BUF];
  ij_time_format(at, when);
  const char *p[3] = {area, sha256_hex, when};
  return ij_db_run(conn, &STMT_TOKEN_SET, p);
}

static const ij_stmt STMT_TEMPLATES = {
    "notify_templates",
    "SELECT kind, language, channel, template_id::text FROM message_templates WHERE area = $1"
    " ORDER BY kind, language, channel",
    1};

ij_err ij_store_notify_templates(ij_conn *conn, const char *area, ij_rows *out) {
  const char *p[1] = {area};
  return rows_of(conn, &STMT_TEMPLATES, p, out);
}

static const ij_stmt STMT_TEMPLATES_JSON = {
    "notify_templates_json",
    "SELECT json_build_object('templates', coalesce(json_agg(json_build_object('kind', kind,"
    " 'language', language, 'channel', channel, 'template_id', template_id)"
    " ORDER BY kind, language, channel), '[]'))::text FROM message_templates WHERE area = $1",
    1};

ij_err ij_store_notify_templates_json(ij_conn *conn, const char *area, ij_rows *out) {
  const char *p[1] = {area};
  return rows_of(conn, &STMT_TEMPLATES_JSON, p, out);
}

static const ij_stmt STMT_TEMPLATES_DELETE = {"notify_templates_delete",
                                              "DELETE FROM message_templates WHERE area = $1", 1};
static const ij_stmt STMT_TEMPLATE_ADD = {
    "notify_template_add",
    "INSERT INTO message_templates (area, kind, language, channel, template_id, updated_at)"
    " VALUES ($1, $2, $3, $4, lower($5)::uuid, $6)",
    6};

ij_err ij_store_notify_templates_replace(ij_conn *conn, const char *area,
                                         const ij_notify_template_input *rows, int n,
                                         ij_time_us at) {
  const char *p[1] = {area};
  ij_err err = ij_db_run(conn, &STMT_TEMPLATES_DELETE, p);
  char when[IJ_TIME_BUF];
  ij_time_format(at, when);
  for (int i = 0; err == IJ_OK && i < n; i++) {
    const char *q[6] = {area, rows[i].kind, rows[i].language, rows[i].channel, rows[i].template_id,
                        when};
    err = ij_db_run(conn, &STMT_TEMPLATE_ADD, q);
  }
  return err;
}
