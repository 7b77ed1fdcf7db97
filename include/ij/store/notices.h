/* The outcome-notice outbox: the notices and victim updates written when a referral exits, the
 * feed of them an area reads, and their delivery to each area's webhook by the outbox worker.
 *
 * Ownership: the connection is borrowed for the call; strings passed in are borrowed for the call
 * only. An ij_notice_page or ij_notice_batch owns its items and their strings until its *_clear;
 * area lists come back as ij_rows the caller owns until ij_rows_clear. */
#ifndef IJ_STORE_NOTICES_H
#define IJ_STORE_NOTICES_H

#include <stdbool.h>
#include <stdint.h>

#include "ij/domain.h"
#include "ij/error.h"
#include "ij/store/pool.h"
#include "ij/store/referrals.h"

/* A notice to write: a row of the domain's notice table (ij/domain_notices.h) with what it needs
 * of the change. Strings borrowed. */
typedef struct {
  const char *kind;        /* "progress", "outcome" or "victim_update" */
  const char *event;       /* the notice's event: the state the referral reached */
  bool for_victim;         /* a victim update (to r->victim_contact) rather than the force's */
  unsigned fields;         /* ij_notice_field bits: what the payload carries beyond the common */
  int hours_required;      /* with IJ_NOTICE_FIELD_HOURS */
  const char *reason_kind; /* with IJ_NOTICE_FIELD_REASON: the list r->reason_code is from */
} ij_notice_write;

/* Writes a notice about `r` (the referral after the change; read, not kept) in the caller's
 * transaction, unless the referral has one of that kind and event already (then nothing). Sent
 * with the transaction's next statement or its commit, which report a failure. */
ij_err ij_store_notice_add(ij_conn *conn, const ij_referral *r, const ij_notice_write *w,
                           ij_time_us at);

/* ---- the feed -------------------------------------------------------------------------------- */
/* A notice as the feed shows it. Strings live in the page's owner_ (ij_notice_page_clear). */
typedef struct {
  int64_t seq;
  const char *id;
  const char *kind;  /* "progress", "outcome" or "victim_update" */
  const char *event; /* the state the referral reached */
  const char *referral_id;
  ij_time_us created_at;
  ij_time_us delivered_at; /* 0 while not delivered */
  const char *payload;     /* a JSON object, as text */
} ij_notice;

typedef struct {
  int count;
  ij_notice *items;
  bool more; /* another page follows the last item */
  void *owner_;
} ij_notice_page;

/* The area's notices with seq > after_seq, ascending by seq, at most `limit`. With officer_sub,
 * only the progress and outcome notices of referrals that officer made (no victim updates); with
 * referral_id (a UUID), only that referral's. *out: ij_notice_page_clear. */
ij_err ij_store_notices_list(ij_conn *conn, const char *area, const char *officer_sub,
                             const char *referral_id, int64_t after_seq, int limit,
                             ij_notice_page *out);
/* Frees the items and their strings and zeroes the page (NULL and a zeroed page are ignored). */
void ij_notice_page_clear(ij_notice_page *page);

/* ---- delivery -------------------------------------------------------------------------------- */
/* One notice claimed for delivery. Strings live in the batch's owner_. */
typedef struct {
  const char *id;
  const char *url;  /* the area's webhook */
  const char *body; /* {"id","kind","event","referral_id","created_at","payload"} as JSON text */
  int attempts;     /* failed attempts so far */
  /* the area's signing secret, NULL when it has none: never to be logged or shown */
  const char *secret;
} ij_notice_delivery;

typedef struct {
  int count;
  ij_notice_delivery *items;
  void *owner_;
} ij_notice_batch;

/* The areas that have undelivered notices due and a webhook, by code (a function that returns no
 * row of a notice, so it needs no area). *out: ij_rows_clear. */
ij_err ij_store_notice_due_areas(ij_conn *conn, ij_rows *out);
/* In a transaction the caller has begun, on a connection scoped to an area (or the owner's, for
 * every area): locks up to `limit` undelivered notices that are due, of areas with a webhook,
 * oldest first, skipping those another transaction holds (so that several workers never send the
 * same notice at once). The locks last until the caller commits. *out: ij_notice_batch_clear. */
ij_err ij_store_notices_claim(ij_conn *conn, int limit, ij_notice_batch *out);
/* Frees the items and their strings and zeroes the batch (NULL and a zeroed batch are ignored). */
void ij_notice_batch_clear(ij_notice_batch *batch);
/* Marks a claimed notice delivered (now). */
ij_err ij_store_notice_delivered(ij_conn *conn, const char *id);
/* Counts a failed attempt on a claimed notice, keeps the error (borrowed; shortened to 500
 * characters) and puts the next attempt 2^attempts seconds (at most an hour) from now. */
ij_err ij_store_notice_failed(ij_conn *conn, const char *id, const char *error);
/* The outbox backlog, database-wide: undelivered notices of areas with a webhook (*count) and the
 * age in seconds of the oldest of them (*oldest_seconds, 0 when none). Counts over the partial
 * index of undelivered notices, so it stays cheap while deliveries keep up. */
ij_err ij_store_notices_backlog(ij_conn *conn, int64_t *count, double *oldest_seconds);

#endif
