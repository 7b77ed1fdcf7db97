/* An area's GOV.UK Notify service as its admins set it (migration 023): the settings
 * (area_notify), the secrets (area_notify_secrets: the API key's secret, and the SHA-256 of the
 * receipts' token) and the template ids (message_templates). Nothing in this header returns a
 * secret: the settings say only whether each is set.
 *
 * The settings' rows (ij_store_notify_settings and _lock), one row: configured ("t"/"f": a
 * service id is set), service_id, key_name (NULL when no key), api_key_set, callback_token_set
 * ("t"/"f"), base_url, reminder_time ("HH:MM"), welsh ("t"/"f"), version, and the record as JSON
 * text without any secret (what a reference change keeps). An area that has never set them reads
 * as the defaults, version 1.
 *
 * Ownership: the connection and every string are borrowed for the call; ij_rows are the
 * caller's until ij_rows_clear (zeroed on failure). */
#ifndef IJ_STORE_NOTIFY_SETTINGS_H
#define IJ_STORE_NOTIFY_SETTINGS_H

#include <stdbool.h>

#include "ij/domain.h"
#include "ij/domain_notify.h"
#include "ij/error.h"
#include "ij/store/pool.h"

enum {
  IJ_NOTIFY_COL_CONFIGURED,
  IJ_NOTIFY_COL_SERVICE_ID,
  IJ_NOTIFY_COL_KEY_NAME,
  IJ_NOTIFY_COL_API_KEY_SET,
  IJ_NOTIFY_COL_TOKEN_SET,
  IJ_NOTIFY_COL_BASE_URL,
  IJ_NOTIFY_COL_REMINDER_TIME,
  IJ_NOTIFY_COL_WELSH,
  IJ_NOTIFY_COL_VERSION,
  IJ_NOTIFY_COL_JSON
};

/* The area's settings (the defaults when it has none). */
ij_err ij_store_notify_settings(ij_conn *conn, const char *area, ij_rows *out);
/* In the caller's transaction: makes the area's settings row when there is none (the defaults,
 * version 1, updated at `at`), then reads and locks it until the transaction ends. */
ij_err ij_store_notify_settings_lock(ij_conn *conn, const char *area, ij_time_us at, ij_rows *out);

/* What becomes of the API key in a change of the settings. */
typedef enum { IJ_NOTIFY_KEY_KEEP, IJ_NOTIFY_KEY_SET, IJ_NOTIFY_KEY_REMOVE } ij_notify_key_change;

/* In the caller's transaction, on the locked row: sets the settings and the version one up.
 * key_name and service_id are written for IJ_NOTIFY_KEY_SET, cleared for _REMOVE. */
ij_err ij_store_notify_settings_set(ij_conn *conn, const char *area, const char *base_url,
                                    const char *reminder_time, bool welsh, ij_notify_key_change key,
                                    const char *key_name, const char *service_id, ij_time_us at);
/* The API key's secret (NULL removes it; never logged, never read back here). */
ij_err ij_store_notify_secret_key_set(ij_conn *conn, const char *area, const char *secret,
                                      ij_time_us at);
/* The SHA-256 of the receipts' token as 64 hex digits (NULL removes it): the token itself never
 * reaches the database. */
ij_err ij_store_notify_token_sha256_set(ij_conn *conn, const char *area, const char *sha256_hex,
                                        ij_time_us at);

/* The area's templates by kind, language and channel: kind, language, channel, template_id. */
ij_err ij_store_notify_templates(ij_conn *conn, const char *area, ij_rows *out);
/* One row, one cell: the area's templates as JSON, {"templates": [...]} (what a reference change
 * keeps). */
ij_err ij_store_notify_templates_json(ij_conn *conn, const char *area, ij_rows *out);
/* In the caller's transaction: replaces the area's whole list of templates with rows[0..n). */
ij_err ij_store_notify_templates_replace(ij_conn *conn, const char *area,
                                         const ij_notify_template_input *rows, int n,
                                         ij_time_us at);

#endif
