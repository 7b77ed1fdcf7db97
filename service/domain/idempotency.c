/* The Idempotency-Key rules (include/ij/domain_idempotency.h). */
#include <string.h>

#include "ij/domain_idempotency.h"

bool ij_domain_idem_key_ok(const char *key) {
  if (!key)
    return false;
  size_t n = strlen(key);
  if (n < 1 || n > IJ_IDEM_KEY_MAX)
    return false;
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)key[i] < 0x21 || (unsigned char)key[i] > 0x7e)
      return false;
  return true;
}

/* Every status from 100 to 599, in order, in exactly one row. */
static const ij_idem_keep_rule KEEP_RULES[] = {
    {100, 199, false, "informational: never a final answer"},
    {200, 299, true, "the operation was done: a repeat must not do it again"},
    {300, 399, true, "a final answer about the request"},
    {400, 407, true, "the request was refused as it stands: a repeat is refused alike"},
    {408, 408, false, "request timeout: the client is asked to send it again"},
    {409, 424, true, "the request was refused as it stands: a repeat is refused alike"},
    {425, 425, false, "too early: the client is asked to send it again"},
    {426, 428, true, "the request was refused as it stands: a repeat is refused alike"},
    {429, 429, false, "too many requests: the client is asked to send it again"},
    {430, 499, true, "the request was refused as it stands: a repeat is refused alike"},
    {500, 599, false, "the service failed: the retry runs the request again"},
};

const ij_idem_keep_rule *ij_domain_idem_keep_rules(int *n) {
  *n = (int)(sizeof KEEP_RULES / sizeof KEEP_RULES[0]);
  return KEEP_RULES;
}

bool ij_domain_idem_keeps(int status) {
  for (size_t i = 0; i < sizeof KEEP_RULES / sizeof KEEP_RULES[0]; i++)
    if (status >= KEEP_RULES[i].lo && status <= KEEP_RULES[i].hi)
      return KEEP_RULES[i].keep;
  return false;
}

ij_idem_verdict ij_domain_idem_judge(const ij_idem_seen *seen, ij_time_us now) {
  if (!seen->same_request)
    return IJ_IDEM_MISMATCH;
  if (seen->answered)
    return IJ_IDEM_REPLAY;
  return now - seen->claimed_at >= IJ_IDEM_TAKE_OVER_US ? IJ_IDEM_TAKE_OVER : IJ_IDEM_RUNNING;
}
