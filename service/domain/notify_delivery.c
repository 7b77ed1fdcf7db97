/* Delivering messages through GOV.UK Notify: the meaning of an answer, the backoff, and the
 * receipts accepted. */
#include <string.h>

#include "domain_internal.h"
#include "ij/domain_notify_delivery.h"

ij_notify_outcome ij_domain_notify_classify(long status) {
  if (status >= 200 && status <= 299)
    return IJ_NOTIFY_SENT;
  /* no answer, too many requests, or Notify's own trouble: the same request may pass later */
  if (status == 0 || status == 429 || (status >= 500 && status <= 599))
    return IJ_NOTIFY_RETRY;
  /* a 4xx (bad template, bad number, bad key, trial mode ...) and any answer a client cannot
   * act on (1xx, 3xx: Notify redirects nothing): sending it again changes nothing */
  return IJ_NOTIFY_PERMANENT;
}

long ij_domain_notify_backoff_seconds(int attempts) {
  if (attempts < 1)
    attempts = 1;
  /* 2^12 is past the cap already: the exponent is bounded before it is raised */
  if (attempts > 12)
    return IJ_NOTIFY_BACKOFF_CAP_SECONDS;
  long s = 1L << attempts;
  return s > IJ_NOTIFY_BACKOFF_CAP_SECONDS ? IJ_NOTIFY_BACKOFF_CAP_SECONDS : s;
}

bool ij_domain_notify_retry(ij_notify_outcome outcome, int attempts_before, ij_time_us now,
                            int *attempts_after, ij_time_us *next) {
  int after = attempts_before < 0 ? 1 : attempts_before + 1;
  *attempts_after = after;
  *next = 0;
  if (outcome != IJ_NOTIFY_RETRY || after >= IJ_NOTIFY_MAX_ATTEMPTS)
    return false;
  *next = now + (ij_time_us)ij_domain_notify_backoff_seconds(after) * IJ_US_PER_SECOND;
  return true;
}

static const char *const k_receipt_statuses[] = {IJ_NOTIFY_RECEIPT_STATUSES, NULL};

static const char *receipt_status(const char *status) {
  for (int i = 0; status && k_receipt_statuses[i]; i++)
    if (strcmp(status, k_receipt_statuses[i]) == 0)
      return k_receipt_statuses[i];
  return NULL;
}

bool ij_domain_notify_receipt_status(const char *status) {
  return receipt_status(status) != NULL;
}

/* A UUID in its 8-4-4-4-12 hex form, either case, copied in lower case. */
static bool uuid_lower(const char *s, char out[IJ_NOTIFY_UUID_BUF]) {
  if (!s || strlen(s) != 36)
    return false;
  for (int i = 0; i < 36; i++) {
    char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-')
        return false;
    } else if (c >= 'A' && c <= 'F') {
      c = (char)(c - 'A' + 'a');
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
    out[i] = c;
  }
  out[36] = 0;
  return true;
}

ij_err ij_domain_notify_receipt_check(const ij_notify_receipt_input *in, ij_time_us now,
                                      ij_notify_receipt *out, ij_field_errors *errs) {
  memset(out, 0, sizeof *out);
  if (in->body_error != IJ_OK)
    return in->body_error;
  int before = errs->count;
  if (!in->id_type_ok)
    ij_field_errors_add(errs, "id", "must be a string: Notify's notification id");
  else if (!in->id)
    ij_field_errors_add(errs, "id", "is required: Notify's notification id");
  else if (!uuid_lower(in->id, out->notify_id))
    ij_field_errors_add(errs, "id", "must be a UUID: Notify's notification id");

  if (!in->reference_type_ok)
    ij_field_errors_add(errs, "reference", "must be a string or null");
  else
    out->has_reference = uuid_lower(in->reference, out->reference);

  if (!in->status_type_ok)
    ij_field_errors_add(errs, "status", "must be a string");
  else if (!in->status)
    ij_field_errors_add(errs, "status", "is required");
  else if (!(out->status = receipt_status(in->status)))
    ij_field_errors_add(errs, "status",
                        "must be one of delivered, permanent-failure, temporary-failure, "
                        "technical-failure");

  out->status_at = now;
  if (!in->completed_at_type_ok)
    ij_field_errors_add(errs, "completed_at", "must be a date and time or null");
  else if (in->completed_at && ij_time_parse(in->completed_at, &out->status_at) != IJ_OK)
    ij_field_errors_add(errs, "completed_at",
                        "must be a date and time such as 2026-12-05T18:00:00.000000Z");
  return errs->count > before ? IJ_ERR_INVALID : IJ_OK;
}
