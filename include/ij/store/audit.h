/* Who made a change, as the event logs of referrals, sessions, bookings and follow-up checks
 * record it. Shared by every aggregate that writes such a log.
 *
 * Ownership: every string is borrowed for the call that takes the struct; the store copies what
 * it keeps into the database. */
#ifndef IJ_STORE_AUDIT_H
#define IJ_STORE_AUDIT_H

#include "ij/domain.h"

/* Who did it, for the event log. Strings borrowed. */
typedef struct {
  const char *request_id;
  const char *actor_sub;
  const char *actor_name;
  const char *actor_role;
  ij_time_us at;
} ij_audit;

#endif
