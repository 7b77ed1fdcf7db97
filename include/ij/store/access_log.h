/* The personal-data access log: which actor consulted, altered or disclosed which referral's
 * (and so which person's) records, through which route, and the area's view of that log.
 *
 * Ownership: the connection is borrowed for the call; records, rows and filters passed in, and
 * every string they point to, are borrowed for the call only. An ij_access_page owns its items
 * and their strings until ij_access_page_clear. */
#ifndef IJ_STORE_ACCESS_LOG_H
#define IJ_STORE_ACCESS_LOG_H

#include <stdbool.h>
#include <stdint.h>

#include "ij/domain.h"
#include "ij/error.h"
#include "ij/store/pool.h"

/* One request's access to people's records: referral_ids[i] was consulted, altered or disclosed
 * (actions[i]: "consult", "alter", "disclose", "subject_access"). All strings borrowed. */
typedef struct {
  const char *area;
  ij_time_us at;
  const char *actor_sub;
  const char *actor_role; /* the actor's role names, comma-separated */
  const char *route;      /* the route template, as in openapi/openapi.yaml */
  const char *method;
  const char *request_id;
  int count;
  const char *const *referral_ids; /* canonical UUIDs */
  const char *const *actions;
} ij_access_record;

/* One access of one referral, for the batched log. Strings borrowed. */
typedef struct {
  ij_time_us at;
  const char *actor_sub;
  const char *actor_role;
  const char *action; /* consult, alter, disclose or subject_access */
  const char *referral_id;
  const char *route;
  const char *method;
  const char *request_id;
} ij_access_row;

/* Writes `count` access rows of one area in one statement and its own transaction (the
 * connection scoped to `area`; not inside a transaction), each with the person of its referral
 * in the area; ids of no referral in the area are left out. Commits without waiting for the WAL
 * flush (synchronous_commit off for that transaction). */
ij_err ij_store_access_log_rows(ij_conn *conn, const char *area, const ij_access_row *rows,
                                int count);

/* A logged access. Strings live in the page's owner_ (ij_access_page_clear); referral_id and
 * person_id NULL when the record names none. */
typedef struct {
  int64_t id;
  ij_time_us at;
  const char *actor_sub;
  const char *actor_role;
  const char *action;
  const char *referral_id;
  const char *person_id;
  const char *route;
  const char *method;
  const char *request_id;
} ij_access_entry;

/* A page's filter. Strings borrowed for the call. */
typedef struct {
  const char *area;
  const char *person_id;   /* canonical UUID or NULL */
  const char *referral_id; /* canonical UUID or NULL */
  const char *actor_sub;   /* or NULL */
  int limit;
  bool has_cursor; /* the page after (cursor_at, cursor_id), newest first */
  ij_time_us cursor_at;
  int64_t cursor_id;
} ij_access_filter;

typedef struct {
  int count;
  bool more;
  ij_access_entry *items;
  void *owner_;
} ij_access_page;

/* The area's access records, newest first (at, id descending), at most f->limit.
 * *out: ij_access_page_clear. */
ij_err ij_store_access_list(ij_conn *conn, const ij_access_filter *f, ij_access_page *out);
/* Frees the items and their strings and zeroes the page (NULL and a zeroed page are ignored). */
void ij_access_page_clear(ij_access_page *page);

#endif
