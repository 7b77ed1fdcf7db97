/* Reoffending follow-up checks: the three checks (3, 6 and 12 months) written when a referral
 * exits, their recorded results, and the CSV imports that record them in bulk.
 *
 * Ownership: the connection is borrowed for the call; strings and inputs passed in are borrowed
 * for the call only. An ij_followup_page owns its items and their strings until
 * ij_followup_page_clear; lists of columns come back as ij_rows the caller owns until
 * ij_rows_clear. */
#ifndef IJ_STORE_FOLLOWUPS_H
#define IJ_STORE_FOLLOWUPS_H

#include <stdbool.h>

#include "ij/domain.h"
#include "ij/error.h"
#include "ij/ids.h"
#include "ij/store/audit.h"
#include "ij/store/pool.h"
#include "ij/store/referrals.h"

/* A check as stored. Strings live in the page (ij_followup_page_clear). */
typedef struct {
  char id[IJ_UUID_BUF];
  char referral_id[IJ_UUID_BUF];
  char person_id[IJ_UUID_BUF];
  const char *person_name;
  const char *police_id;
  int window_months;
  const char *exit_state;
  ij_date exited_on;
  ij_date due_on;
  ij_time_us recorded_at; /* 0 when not recorded */
  int reoffended;         /* -1 not recorded, 0, 1 */
  ij_date first_reoffence_on;
  const char *reoffence_category;
  const char *source;
  const char *checked_by_sub, *checked_by_name;
  int version;
  ij_time_us created_at, updated_at;
} ij_followup;

typedef struct {
  int count;
  ij_followup *items;
  bool more;
  void *owner_;
} ij_followup_page;
/* Frees the items and their strings and zeroes the page (NULL and a zeroed page are ignored). */
void ij_followup_page_clear(ij_followup_page *page);

/* Writes the three checks of a referral that has just exited on `exited_on`, in the caller's
 * transaction, sent with its next statement or its commit (which report a failure). due_on: the
 * three due dates, in the order of ij_followup_windows. `r` is read, not kept. */
ij_err ij_store_followups_create(ij_conn *conn, const ij_referral *r, const char *exit_state,
                                 ij_date exited_on, const ij_date due_on[], ij_time_us at);

typedef enum {
  IJ_FOLLOWUPS_PENDING,  /* not recorded */
  IJ_FOLLOWUPS_DUE,      /* not recorded, due on or before today */
  IJ_FOLLOWUPS_OVERDUE,  /* not recorded, due more than 28 days before today */
  IJ_FOLLOWUPS_RECORDED, /* recorded */
  IJ_FOLLOWUPS_ALL
} ij_followup_status;

/* A page's filter. Strings borrowed for the call. */
typedef struct {
  const char *area;
  ij_followup_status status;
  ij_date today;
  const char *referral_id; /* NULL: any */
  bool has_cursor;
  ij_date cursor_due_on;
  char cursor_id[IJ_UUID_BUF];
  int limit;
} ij_followup_filter;

/* By due date (then id), earliest first. *out: ij_followup_page_clear. */
ij_err ij_store_followups_list(ij_conn *conn, const ij_followup_filter *f, ij_followup_page *out);
/* One check (locked FOR UPDATE in the caller's transaction when `lock`), as a page of one item;
 * IJ_ERR_NOT_FOUND when there is no such check in the area.
 * *out: ij_followup_page_clear. */
ij_err ij_store_followup_get(ij_conn *conn, const char *area, const char *id, bool lock,
                             ij_followup_page *out);
/* Records a result at expected_version (else IJ_ERR_STALE). */
ij_err ij_store_followup_record(ij_conn *conn, const char *area, const char *id,
                                int expected_version, const ij_followup_result *result,
                                const char *category, const char *import_id, const ij_audit *audit);

/* ---- imports --------------------------------------------------------------------------------- */
/* The checks an import may name: those of people with one of the police identifiers, of the
 * people, or of the referrals given (Postgres array literals, e.g. "{a,b}"). Columns: id,
 * version, window_months, referral_id, person_id, police_id, exited_on, due_on (days),
 * recorded (t/f), reoffended, first_reoffence_on (days), reoffence_category.
 * *out: ij_rows_clear. */
ij_err ij_store_followups_candidates(ij_conn *conn, const char *area, const char *police_ids,
                                     const char *person_ids, const char *referral_ids,
                                     ij_rows *out);
/* A file imported before, by its digest: id, rows, recorded, unchanged; IJ_ERR_NOT_FOUND if new.
 * *out: ij_rows_clear. */
ij_err ij_store_followup_import_find(ij_conn *conn, const char *area, const char *sha256,
                                     ij_rows *out);
/* Records an import in the caller's transaction; IJ_ERR_CONFLICT when the same file was
 * recorded meanwhile. */
ij_err ij_store_followup_import_add(ij_conn *conn, const char *area, const char *id,
                                    const char *sha256, int rows, int recorded, int unchanged,
                                    const ij_audit *audit);
/* referral_id of the area's follow-up checks an import recorded, at most `limit` (for the
 * import's personal-data access record). *out: ij_rows_clear. */
ij_err ij_store_import_referrals(ij_conn *conn, const char *area, const char *import_id, int limit,
                                 ij_rows *out);

#endif
