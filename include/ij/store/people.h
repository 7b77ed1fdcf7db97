/* People: finding them in an area (by name, police identifier, date of birth, postcode) and one
 * person's record.
 *
 * Ownership: the connection is borrowed for the call; strings passed in are borrowed for the call
 * only. A page owns its items and their strings until ij_person_page_clear. */
#ifndef IJ_STORE_PEOPLE_H
#define IJ_STORE_PEOPLE_H

#include <stdbool.h>
#include <stdint.h>

#include "ij/domain.h"
#include "ij/error.h"
#include "ij/ids.h"
#include "ij/store/pool.h"

/* A person as stored. Strings are NULL when absent; they live in the page. */
typedef struct {
  char id[IJ_UUID_BUF];
  const char *name;
  ij_date date_of_birth;
  bool erased; /* retention erased the person: no date of birth or contact details */
  const char *phone, *email, *address, *postcode, *police_id, *needs_notes, *risk_notes;
  ij_time_us created_at, updated_at;
  /* the person's referrals in the area, newest first: ids and states, comma-separated, in the
   * same order ("" when none) */
  const char *referral_ids;
  const char *referral_states;
  bool do_not_message; /* the person is not to be messaged (GOV.UK Notify) */
} ij_person;

typedef struct {
  int count;
  ij_person *items;
  bool more; /* another page follows the last item */
  void *owner_;
} ij_person_page;

/* A search. Every filter given must hold; NULL: any. Strings borrowed for the call. */
typedef struct {
  const char *area;
  const char *name_key;  /* ij_domain_name_key of the name asked for: trigram similarity */
  const char *police_id; /* exact */
  bool has_date_of_birth;
  ij_date date_of_birth;
  const char *postcode_key; /* ij_domain_postcode_key of the postcode asked for */
  bool has_cursor;
  ij_time_us cursor_created_at;
  char cursor_id[IJ_UUID_BUF];
  int limit;
} ij_person_filter;

/* People of f->area who match, not erased, newest first (keyset on created_at, id).
 * *out: ij_person_page_clear. */
ij_err ij_store_people_search(ij_conn *conn, const ij_person_filter *f, ij_person_page *out);
/* One person of the area (a page of one). IJ_ERR_NOT_FOUND when there is none.
 * *out: ij_person_page_clear. */
ij_err ij_store_person_get(ij_conn *conn, const char *area, const char *id, ij_person_page *out);
/* Frees the items and their strings and zeroes the page (NULL and a zeroed page are ignored). */
void ij_person_page_clear(ij_person_page *page);

/* Everything the area holds about one person, as one JSON object of sections (person, referrals,
 * referral_events, bookings, booking_outcomes, followup_checks, notices, messages,
 * non_associations, access_log; ij_subject_access in migrations/032_subject_access.sql), read in
 * one statement and so on one snapshot. *out: the JSON text, owned (free it); NULL on failure.
 * IJ_ERR_NOT_FOUND when the area has no such person. */
ij_err ij_store_subject_access(ij_conn *conn, const char *area, const char *id, char **out);

#endif
