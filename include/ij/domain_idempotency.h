/* The Idempotency-Key rules: which keys are accepted, which answers are kept for a replay, and
 * what a request meets when its key was seen before. Pure: the caller gives every time.
 *
 * A key is remembered per area and caller (the token's subject). The first request with it runs;
 * a repeat of the same request (the same method, route, {id}, If-Match and body) gets the first
 * answer again; the same key with another request is refused. */
#ifndef IJ_DOMAIN_IDEMPOTENCY_H
#define IJ_DOMAIN_IDEMPOTENCY_H

#include <stdbool.h>

#include "ij/domain.h"

/* The longest key, in bytes. */
#define IJ_IDEM_KEY_MAX 200
/* What a key must be, as a field error's message. */
#define IJ_IDEM_KEY_RULE "must be 1 to 200 printable ASCII characters, no space"

/* How long a repeat waits for the first request with its key to be answered, in milliseconds,
 * before it is told to retry (409 with Retry-After). */
#define IJ_IDEM_WAIT_MS 5000
/* The Retry-After, in seconds, of a repeat that waited in vain. */
#define IJ_IDEM_RETRY_AFTER_SECONDS 1
/* A claim left unanswered this long belongs to a request that will never answer (its process
 * died between its operation and keeping the answer): a repeat may take it over and run again. */
#define IJ_IDEM_TAKE_OVER_US (60LL * 1000000)

/* 1 to IJ_IDEM_KEY_MAX bytes, each printable ASCII other than space (0x21 to 0x7e). NULL is not
 * a key. */
bool ij_domain_idem_key_ok(const char *key);

/* Whether an answer with this status is kept for a replay: a success or a refusal of the
 * request itself is; an answer that says "try again" (a server error, 408, 425, 429) is not, so
 * that the retry it asks for runs again. */
bool ij_domain_idem_keeps(int status);

/* One row of the keeping table: the statuses lo..hi and whether they are kept. */
typedef struct {
  int lo, hi;
  bool keep;
  const char *why;
} ij_idem_keep_rule;
/* The table ij_domain_idem_keeps reads (borrowed, static), *n its rows: every status from 100
 * to 599 falls in exactly one row. */
const ij_idem_keep_rule *ij_domain_idem_keep_rules(int *n);

/* What is known of a key already recorded for the caller. */
typedef struct {
  bool same_request;     /* its request hash is this request's */
  bool answered;         /* its answer is kept (else a request holds the claim) */
  ij_time_us claimed_at; /* when the request holding it claimed it (pending claims only) */
} ij_idem_seen;

typedef enum {
  IJ_IDEM_REPLAY,   /* send the kept answer */
  IJ_IDEM_MISMATCH, /* the key came with another request: refuse (IJ_ERR_IDEMPOTENCY) */
  IJ_IDEM_RUNNING,  /* the first request is still running: wait for it, or tell to retry */
  IJ_IDEM_TAKE_OVER /* the claim was abandoned: take it over and run the request */
} ij_idem_verdict;

/* What a request whose key is recorded (seen) meets at `now`. */
ij_idem_verdict ij_domain_idem_judge(const ij_idem_seen *seen, ij_time_us now);

#endif
