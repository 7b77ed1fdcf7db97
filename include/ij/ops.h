/* Operations: the domain's decisions and the store's writes for one business operation, in one
 * transaction. Used by the HTTP handlers and by the demo data, so that both follow the same rules.
 * No HTTP here and no clock reads: the caller passes "now". */
#ifndef IJ_OPS_H
#define IJ_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ij/domain.h"
#include "ij/error.h"
#include "ij/ids.h"
#include "ij/store/pool.h"
#include "ij/store/referrals.h"

typedef struct {
  const char *area;
  const char *request_id;
  ij_time_us now;
} ij_op_ctx;

/* The facts the domain decides on, from a stored referral. */
void ij_ops_facts(const ij_referral *r, ij_referral_facts *f);

/* Decides `event` for `actor` on a referral locked in the caller's transaction and persists it;
 * *r becomes the updated referral (the old one is cleared). An exit (completed, non_compliant)
 * writes the outcome notices. */
ij_err ij_ops_apply_event(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor, ij_referral *r,
                          ij_event event, ij_field_errors *errs);

/* Books a referral onto a session; the first booking schedules the referral. IJ_ERR_NOT_FOUND
 * (no such referral), IJ_ERR_INVALID (field session_id: no such session), IJ_ERR_TRANSITION
 * (*allowed_events set), IJ_ERR_CONFLICT (field errors say why). booking_id gets the new id. */
ij_err ij_ops_book(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                   const char *referral_id, const char *session_id, char booking_id[IJ_UUID_BUF],
                   unsigned *allowed_events, ij_field_errors *errs);

/* Records an outcome on a booking at expected_version (else IJ_ERR_STALE with *current_version
 * set), and moves the referral by itself: in progress on the first attended session, completed
 * when the credited hours reach those required (with outcome notices), back to accepted when no
 * booking holds a place and nothing was attended. rescheduled_session: the session of the new
 * booking for a rescheduled outcome (else NULL). referral_id: the booking's referral when the
 * caller has read the booking already (else NULL: it is read here). */
ij_err ij_ops_record_outcome(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                             const char *booking_id, const char *referral_id, int expected_version,
                             const ij_outcome_input *in, const char *rescheduled_session,
                             int *current_version, ij_field_errors *errs);

/* What an exit (completed, non_compliant) owes, in the caller's transaction: the outcome notices
 * and the three reoffending checks, due 3, 6 and 12 months after the exit's date. */
ij_err ij_ops_on_exit(ij_conn *conn, const ij_op_ctx *op, const ij_referral *r);

/* Records a reoffending check's result at expected_version (0: any; else IJ_ERR_STALE with
 * *current_version set); the last check (12 months) closes the referral. import_id: the import
 * it came from, or NULL. */
ij_err ij_ops_record_followup(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                              const char *followup_id, int expected_version,
                              const ij_followup_input *in, const char *import_id,
                              int *current_version, ij_field_errors *errs);

/* The same, inside the caller's transaction. */
ij_err ij_ops_record_followup_in_tx(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                                    const char *followup_id, int expected_version,
                                    const ij_followup_input *in, const char *import_id,
                                    int *current_version, ij_field_errors *errs);

/* ---- importing checks from a CSV file ---- */
#define IJ_IMPORT_ERRORS_MAX 200
typedef struct {
  int row; /* the line's record number; the header is row 1 */
  char column[32];
  char message[160];
} ij_import_error;
typedef struct {
  int total; /* every problem found; items holds the first IJ_IMPORT_ERRORS_MAX */
  int count;
  ij_import_error items[IJ_IMPORT_ERRORS_MAX];
} ij_import_errors;
typedef struct {
  char import_id[IJ_UUID_BUF];
  int rows;
  int recorded;  /* checks recorded by this file */
  int unchanged; /* rows that repeat a result recorded already */
  bool replayed; /* the same file was imported before: nothing was done again */
} ij_import_report;

/* The columns, in any order: window_months and reoffended, and one of police_id, person_id or
 * referral_id (a referral id picks one referral when a person has several); optionally
 * first_reoffence_on and reoffence_category. All or nothing: IJ_ERR_INVALID with every problem
 * in errs (row, column, message) and nothing changed, or every row recorded in one transaction
 * (the last checks closing their referrals). The same file again (same sha256) changes nothing. */
ij_err ij_ops_import_followups(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                               const char *data, size_t len, const char *sha256,
                               ij_import_report *report, ij_import_errors *errs);

/* ---- retention ---- */

typedef struct {
  int areas;         /* areas visited */
  int64_t referrals; /* referrals whose personal data was erased */
  int64_t people;    /* people erased */
} ij_retention_totals;

/* Erases the personal data of referrals that ended more than `months` calendar months before
 * `now` (ij_domain_retention_cutoff), and of people none of whose referrals is kept: area by area
 * (only `area` when not NULL), each on a connection scoped to that area, in transactions of at
 * most `batch` referrals, until none is left. Figures the statistics use are kept (see
 * migrations/007_retention.sql). *out: what was erased, also when an error stops the run. */
ij_err ij_ops_retention(ij_store *store, const char *area, int months, int batch, ij_time_us now,
                        ij_retention_totals *out);

#endif
