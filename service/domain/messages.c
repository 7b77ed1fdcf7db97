/* Messages to people through GOV.UK Notify: the kinds, what each carries and for whom. */
#include <string.h>

#include "domain_internal.h"
#include "ij/domain_messages.h"

/* The fields of a message about a session, about the work's end, and of a victim's update (which
 * never name the person who did the work). */
static const char *const k_session_fields[] = {
    "name", "person_name", "date", "start_time", "end_time", "place", "what_to_bring", NULL};
static const char *const k_moved_fields[] = {
    "name",  "person_name",   "date",          "start_time",          "end_time",
    "place", "what_to_bring", "previous_date", "previous_start_time", NULL};
static const char *const k_completed_fields[] = {"name", "person_name", "hours", NULL};
static const char *const k_victim_fields[] = {"work_type", "date", NULL};

#define PERSON IJ_MESSAGE_TO_PERSON
#define VICTIM IJ_MESSAGE_TO_VICTIM
/* clang-format off */
static const ij_message_kind_info k_kinds[IJ_MESSAGE_KIND_COUNT] = {
  {IJ_MESSAGE_BOOKING_CONFIRMATION, "booking_confirmation", PERSON, k_session_fields},
  {IJ_MESSAGE_REMINDER, "reminder", PERSON, k_session_fields},
  {IJ_MESSAGE_SESSION_CANCELLED, "session_cancelled", PERSON, k_session_fields},
  {IJ_MESSAGE_SESSION_MOVED, "session_moved", PERSON, k_moved_fields},
  {IJ_MESSAGE_HOURS_COMPLETED, "hours_completed", PERSON, k_completed_fields},
  {IJ_MESSAGE_VICTIM_WORK_STARTED, "victim_work_started", VICTIM, k_victim_fields},
  {IJ_MESSAGE_VICTIM_WORK_COMPLETED, "victim_work_completed", VICTIM, k_victim_fields},
};
/* clang-format on */
#undef PERSON
#undef VICTIM

const ij_message_kind_info *ij_domain_message_kinds(size_t *count) {
  *count = IJ_MESSAGE_KIND_COUNT;
  return k_kinds;
}

const char *ij_message_kind_name(ij_message_kind k) {
  return (unsigned)k < IJ_MESSAGE_KIND_COUNT ? k_kinds[k].name : "unknown";
}

ij_err ij_message_kind_parse(const char *s, ij_message_kind *out) {
  for (size_t i = 0; s && i < IJ_MESSAGE_KIND_COUNT; i++)
    if (strcmp(s, k_kinds[i].name) == 0) {
      *out = k_kinds[i].kind;
      return IJ_OK;
    }
  return IJ_ERR_INVALID;
}
