/* The notices the referring force (and a victim who asked) is sent as a referral moves, and the
 * rules of an area's webhook. Pure domain: no I/O; strings passed in are borrowed for the call. */
#ifndef IJ_DOMAIN_NOTICES_H
#define IJ_DOMAIN_NOTICES_H

#include <stdbool.h>
#include <stddef.h>

#include "ij/domain.h"

/* Who a notice is for. */
typedef enum {
  IJ_NOTICE_FORCE, /* the referring force: every notice of the table but victim updates */
  IJ_NOTICE_VICTIM /* a victim who asked to be kept updated and left a contact */
} ij_notice_audience;

/* What a notice's payload carries beyond what every notice has (referral_id, event, at; for the
 * force also area, officer_sub, police_id, disposal; for a victim their contact). */
typedef enum {
  IJ_NOTICE_FIELD_HOURS = 1u << 0,    /* hours_required */
  IJ_NOTICE_FIELD_CREDITED = 1u << 1, /* minutes_credited */
  IJ_NOTICE_FIELD_REASON = 1u << 2,   /* reason_code and its label (reason_text) */
  IJ_NOTICE_FIELD_SESSION = 1u << 3,  /* the first session: its date, times and place */
} ij_notice_field;

/* One notice a state change makes. A referral has at most one notice of each (kind, name). */
typedef struct {
  ij_event event;              /* the change that makes it */
  const char *kind;            /* "progress", "outcome" or "victim_update" */
  const char *name;            /* the notice's event: the state the referral reached */
  ij_notice_audience audience; /* a victim row is written only when the victim asked */
  unsigned fields;             /* ij_notice_field bits */
} ij_notice_rule;

#define IJ_NOTICES_PER_EVENT_MAX 2

/* The table itself (borrowed, static), for documentation and tests. */
const ij_notice_rule *ij_domain_notice_rules(size_t *count);

/* The notices `event` makes, in table order: the force's, then a victim's when victim_updated
 * (ij_domain_victim_updated). Fills out[0..n) with borrowed rows and returns n (at most
 * IJ_NOTICES_PER_EVENT_MAX; 0 for an event that tells nobody). */
int ij_domain_notices_for(ij_event event, bool victim_updated,
                          const ij_notice_rule *out[IJ_NOTICES_PER_EVENT_MAX]);

/* ---- an area's webhook ------------------------------------------------------------------------
 */
#define IJ_WEBHOOK_URL_MAX 2048
#define IJ_WEBHOOK_SECRET_MIN 32 /* bytes: at least 256 bits when it is random text */
#define IJ_WEBHOOK_SECRET_MAX 256

/* The webhook an admin sets. url NULL: no webhook (the feed only). has_secret false: the secret
 * stays as it is; secret NULL with has_secret: the secret is removed. */
typedef struct {
  bool has_url;
  const char *url;
  bool has_secret;
  const char *secret;
} ij_webhook_input;

/* Validates a webhook: the URL (when given) is https://host[...], or http:// only to the loopback
 * host (127.0.0.1, [::1] or localhost, for tests), at most IJ_WEBHOOK_URL_MAX bytes, no white
 * space or control characters, no user information; the secret (when given and not NULL) is
 * IJ_WEBHOOK_SECRET_MIN to IJ_WEBHOOK_SECRET_MAX printable ASCII characters; "url" must be given.
 * IJ_OK, or IJ_ERR_INVALID with every problem in errs (fields "url", "secret"; a message never
 * repeats the secret). */
ij_err ij_domain_webhook_validate(const ij_webhook_input *in, ij_field_errors *errs);

/* The URL rule of a webhook, for any URL the service calls out to (a webhook, an area's GOV.UK
 * Notify base URL): https://host[...], or http:// only to the loopback host; at most
 * IJ_WEBHOOK_URL_MAX bytes; no white space, control or non-ASCII characters; no user information.
 * Adds at most one error, on `field`, when it fails (the message never repeats the URL). */
void ij_domain_url_check(const char *url, const char *field, ij_field_errors *errs);

#endif
