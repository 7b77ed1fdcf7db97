/* Whether a queued reminder is still wanted when the outbox comes to send it. */
#include <string.h>

#include "domain_internal.h"
#include "ij/domain_notify_delivery.h"

bool ij_domain_reminder_still_wanted(const char *booking_status, bool session_cancelled,
                                     ij_time_us session_starts_at, ij_time_us now) {
  /* a booking cancelled, attended or otherwise ended since, a session cancelled, or one that has
   * started: reminding of it would mislead */
  return booking_status && strcmp(booking_status, "booked") == 0 && !session_cancelled &&
         session_starts_at > now;
}
