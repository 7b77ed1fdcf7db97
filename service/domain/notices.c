/* The notices a referral's changes make, as one table (the force is told every step it takes
 * after triage; a victim who asked is told the outcome only), and the rules of an area's webhook.
 */
#include <string.h>

#include "domain_internal.h"
#include "ij/domain_notices.h"

#define FORCE IJ_NOTICE_FORCE
#define VICTIM IJ_NOTICE_VICTIM
#define HOURS IJ_NOTICE_FIELD_HOURS
#define CREDITED IJ_NOTICE_FIELD_CREDITED
#define REASON IJ_NOTICE_FIELD_REASON
#define SESSION IJ_NOTICE_FIELD_SESSION
/* "progress" notices report the referral's steps; "outcome" notices its exit, on which a force
 * records an Outcome 22 (done only once the activity is), so the two kinds stay apart. */
/* clang-format off */
static const ij_notice_rule k_notices[] = {
  /* change, kind, name, for whom, what it carries beyond the common fields */
  {IJ_EVENT_ACCEPT, "progress", "accepted", FORCE, HOURS},
  {IJ_EVENT_REJECT, "progress", "rejected", FORCE, REASON},
  {IJ_EVENT_BOOK, "progress", "scheduled", FORCE, HOURS | SESSION},
  {IJ_EVENT_WITHDRAW, "progress", "withdrawn", FORCE, REASON | HOURS | CREDITED},
  {IJ_EVENT_COMPLETE, "outcome", "completed", FORCE, HOURS | CREDITED},
  {IJ_EVENT_COMPLETE, "victim_update", "completed", VICTIM, 0},
  {IJ_EVENT_DECLARE_NON_COMPLIANCE, "outcome", "non_compliant", FORCE, HOURS | CREDITED},
  {IJ_EVENT_DECLARE_NON_COMPLIANCE, "victim_update", "non_compliant", VICTIM, 0},
};
/* clang-format on */
#undef FORCE
#undef VICTIM
#undef HOURS
#undef CREDITED
#undef REASON
#undef SESSION

const ij_notice_rule *ij_domain_notice_rules(size_t *count) {
  *count = sizeof k_notices / sizeof k_notices[0];
  return k_notices;
}

int ij_domain_notices_for(ij_event event, bool victim_updated,
                          const ij_notice_rule *out[IJ_NOTICES_PER_EVENT_MAX]) {
  int n = 0;
  for (size_t i = 0; i < sizeof k_notices / sizeof k_notices[0]; i++) {
    const ij_notice_rule *r = &k_notices[i];
    if (r->event != event || (r->audience == IJ_NOTICE_VICTIM && !victim_updated))
      continue;
    if (n == IJ_NOTICES_PER_EVENT_MAX)
      break; /* the table's test keeps every event within the bound */
    out[n++] = r;
  }
  return n;
}

/* ---- an area's webhook ---- */

static bool starts_with(const char *s, const char *prefix) {
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The host of an http(s) URL after its scheme: up to the first '/', '?' or '#'; a port after the
 * host, and brackets around an IPv6 address, are part of it. */
static size_t authority_length(const char *s) {
  return strcspn(s, "/?#");
}

static bool loopback_authority(const char *a, size_t len) {
  static const char *const hosts[] = {"127.0.0.1", "[::1]", "localhost"};
  for (size_t i = 0; i < sizeof hosts / sizeof hosts[0]; i++) {
    size_t h = strlen(hosts[i]);
    if (len >= h && strncmp(a, hosts[i], h) == 0 && (len == h || a[h] == ':'))
      return true;
  }
  return false;
}

void ij_domain_url_check(const char *url, const char *field, ij_field_errors *errs) {
  if (strlen(url) > IJ_WEBHOOK_URL_MAX) {
    ij_field_errors_add(errs, field, "must be at most %d bytes", IJ_WEBHOOK_URL_MAX);
    return;
  }
  for (const unsigned char *p = (const unsigned char *)url; *p; p++)
    if (*p <= 0x20 || *p >= 0x7f) {
      ij_field_errors_add(errs, field, "must not contain spaces, control or non-ASCII characters");
      return;
    }
  bool https = starts_with(url, "https://"), http = starts_with(url, "http://");
  if (!https && !http) {
    ij_field_errors_add(errs, field, "must be an https:// URL");
    return;
  }
  const char *a = url + (https ? 8 : 7);
  size_t len = authority_length(a);
  if (len == 0 || a[0] == ':') {
    ij_field_errors_add(errs, field, "must name a host");
    return;
  }
  if (memchr(a, '@', len)) {
    ij_field_errors_add(errs, field, "must not carry a user name or password");
    return;
  }
  if (http && !loopback_authority(a, len))
    ij_field_errors_add(errs, field,
                        "must be an https:// URL (http:// is allowed only to the loopback host)");
}

static void check_secret(const char *secret, ij_field_errors *errs) {
  size_t len = strlen(secret);
  bool printable = true;
  for (const unsigned char *p = (const unsigned char *)secret; *p; p++)
    if (*p < 0x21 || *p > 0x7e)
      printable = false;
  /* the message never repeats the secret, nor says which character was refused */
  if (len < IJ_WEBHOOK_SECRET_MIN || len > IJ_WEBHOOK_SECRET_MAX || !printable)
    ij_field_errors_add(errs, "secret",
                        "must be %d to %d printable ASCII characters without spaces",
                        IJ_WEBHOOK_SECRET_MIN, IJ_WEBHOOK_SECRET_MAX);
}

ij_err ij_domain_webhook_validate(const ij_webhook_input *in, ij_field_errors *errs) {
  int before = errs->count;
  if (!in->has_url)
    ij_field_errors_add(errs, "url", "is required (null removes the webhook)");
  else if (in->url)
    ij_domain_url_check(in->url, "url", errs);
  if (in->has_secret && in->secret)
    check_secret(in->secret, errs);
  return errs->count > before ? IJ_ERR_INVALID : IJ_OK;
}
