/* Non-associations: two people of an area who must not be placed on one session, and the facts
 * a booking reads about them under the session's row lock.
 *
 * Ownership: the connection is borrowed for the call; strings passed in are borrowed for the call
 * only. An ij_non_association_list owns its items and their strings until
 * ij_non_association_list_clear. */
#ifndef IJ_STORE_NON_ASSOCIATIONS_H
#define IJ_STORE_NON_ASSOCIATIONS_H

#include <stdbool.h>

#include "ij/domain.h"
#include "ij/error.h"
#include "ij/ids.h"
#include "ij/store/pool.h"

/* One side of a non-association: the person, their name (NULL once erased) and their latest
 * referral (NULL when none is left in the area). */
typedef struct {
  char person_id[IJ_UUID_BUF];
  const char *name;
  const char *referral_id;
} ij_non_association_side;

/* A non-association as stored. Strings live in the list (ij_non_association_list_clear). */
typedef struct {
  char id[IJ_UUID_BUF];
  ij_non_association_side people[2];
  const char *reason, *notes;
  ij_time_us created_at;
  const char *created_by_sub, *created_by_name;
  ij_time_us ended_at; /* 0 while it holds */
  const char *ended_by_sub, *ended_by_name, *end_reason;
} ij_non_association;

typedef struct {
  int count;
  ij_non_association *items;
  void *owner_;
} ij_non_association_list;
/* Frees the items and their strings and zeroes the list (NULL and a zeroed list are ignored). */
void ij_non_association_list_clear(ij_non_association_list *list);

/* The person a person id (by_referral false) or a referral id (true) names in the area, into
 * person_id. IJ_ERR_NOT_FOUND when there is none. */
ij_err ij_store_person_of(ij_conn *conn, const char *area, bool by_referral, const char *id,
                          char person_id[IJ_UUID_BUF]);

/* A non-association to insert. Strings borrowed. */
typedef struct {
  const char *id;
  const char *person_a, *person_b; /* either order */
  const char *reason, *notes;
  ij_time_us at;
  const char *actor_sub, *actor_name, *request_id;
} ij_non_association_record;

/* Inserts one. IJ_ERR_CONFLICT (with a field error on ids_field) when the pair has one in force
 * already. */
ij_err ij_store_non_association_insert(ij_conn *conn, const char *area,
                                       const ij_non_association_record *rec, const char *ids_field,
                                       ij_field_errors *errs);
/* One, by id. IJ_ERR_NOT_FOUND when not in the area. *out: ij_non_association_list_clear. */
ij_err ij_store_non_association_get(ij_conn *conn, const char *area, const char *id,
                                    ij_non_association_list *out);
/* Every one a person is part of, in force first, then by when recorded. *out: clear it. */
ij_err ij_store_non_associations_of_person(ij_conn *conn, const char *area, const char *person_id,
                                           ij_non_association_list *out);
/* Ends one in force: who, when, why (reason may be NULL). IJ_ERR_NOT_FOUND when not in the area;
 * IJ_ERR_CONFLICT with a field error when it has ended already. */
ij_err ij_store_non_association_end(ij_conn *conn, const char *area, const char *id, ij_time_us at,
                                    const char *actor_sub, const char *actor_name,
                                    const char *reason, ij_field_errors *errs);

/* In the caller's transaction: takes the session's row lock (the lock a booking's place is taken
 * under, so bookings of one session queue here), then, on a snapshot taken after it, whether
 * anyone holding a place on the session has a non-association in force with person_id.
 * IJ_ERR_NOT_FOUND when the session is not in the area. */
ij_err ij_store_session_lock_apart(ij_conn *conn, const char *area, const char *session_id,
                                   const char *person_id, bool *non_associated);

#endif
