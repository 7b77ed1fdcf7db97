/* Messages to people through GOV.UK Notify: which change sends what to whom, by which channel,
 * and when the day-before reminder falls due. Pure domain: no I/O, no clock reads; strings passed
 * in are borrowed for the call. */
#ifndef IJ_DOMAIN_MESSAGES_H
#define IJ_DOMAIN_MESSAGES_H

#include <stdbool.h>
#include <stddef.h>

#include "ij/domain.h"

/* What a message is about. Each kind has a Notify template per language and channel, set by the
 * area's admins (message_templates), and a fixed set of personalisation fields. */
typedef enum {
  IJ_MESSAGE_BOOKING_CONFIRMATION, /* a session was booked */
  IJ_MESSAGE_REMINDER,             /* the day before a booked session */
  IJ_MESSAGE_SESSION_CANCELLED,    /* a booked session was cancelled */
  IJ_MESSAGE_SESSION_MOVED,        /* a booked session's date or times changed */
  IJ_MESSAGE_HOURS_COMPLETED,      /* the referral completed: every hour done */
  IJ_MESSAGE_VICTIM_WORK_STARTED,  /* to a victim who asked: the work has started */
  IJ_MESSAGE_VICTIM_WORK_COMPLETED /* to a victim who asked: the work is complete */
} ij_message_kind;
#define IJ_MESSAGE_KIND_COUNT 7

/* Who a kind is for: the person (or, under 18, their parent or guardian), or the victim. */
typedef enum { IJ_MESSAGE_TO_PERSON, IJ_MESSAGE_TO_VICTIM } ij_message_audience;

typedef struct {
  ij_message_kind kind;
  const char *name; /* "booking_confirmation", ... as the API and message_templates spell it */
  ij_message_audience audience;
  const char *const *fields; /* the personalisation fields it carries, NULL-terminated */
} ij_message_kind_info;

/* The table of kinds (borrowed, static), in enum order. */
const ij_message_kind_info *ij_domain_message_kinds(size_t *count);
const char *ij_message_kind_name(ij_message_kind k);
/* IJ_ERR_INVALID for an unknown name (exact, case-sensitive). */
ij_err ij_message_kind_parse(const char *s, ij_message_kind *out);

/* Languages and channels, as the API and the tables spell them. */
#define IJ_MESSAGE_LANGUAGES "en", "cy"
#define IJ_MESSAGE_CHANNELS "sms", "email"

#endif
