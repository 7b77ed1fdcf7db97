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

/* ---- who gets a message, by which channel, in which language -------------------------------- */
typedef enum {
  IJ_RECIPIENT_PERSON,
  IJ_RECIPIENT_GUARDIAN,
  IJ_RECIPIENT_VICTIM
} ij_message_recipient;
typedef enum { IJ_CHANNEL_NONE, IJ_CHANNEL_SMS, IJ_CHANNEL_EMAIL } ij_message_channel;
typedef enum { IJ_LANGUAGE_EN, IJ_LANGUAGE_CY } ij_message_language;

/* Why a message is written but not sent (IJ_NOT_SENT_NONE: it is queued). */
typedef enum {
  IJ_NOT_SENT_NONE,
  IJ_NOT_SENT_NO_CONSENT,     /* the referral's contact_consent is false */
  IJ_NOT_SENT_DO_NOT_MESSAGE, /* the person is marked not to be messaged */
  IJ_NOT_SENT_NO_CONTACT,     /* no mobile and no e-mail for the recipient */
  IJ_NOT_SENT_NO_TEMPLATE     /* the area has no template for the kind and channel */
} ij_message_not_sent;

const char *ij_message_recipient_name(ij_message_recipient r); /* "person", "guardian", "victim" */
const char *ij_message_channel_name(ij_message_channel c);     /* "sms", "email"; NULL for none */
const char *ij_message_language_name(ij_message_language l);   /* "en", "cy" */
const char *ij_message_not_sent_name(ij_message_not_sent r);   /* "no_consent", ...; NULL: none */
/* "en" or "cy"; IJ_ERR_INVALID otherwise. */
ij_err ij_message_language_parse(const char *s, ij_message_language *out);
/* A referral's message_language as given on create or PATCH: "en" or "cy" (cy is allowed always;
 * the area's welsh setting decides at send time). A field error on `field` otherwise. */
ij_err ij_domain_message_language_check(const char *s, const char *field, ij_field_errors *errs);

/* Whether a phone number is a mobile that can take a text: after removing spaces, dashes and
 * brackets, a UK mobile (07 and 9 digits, +447 or 447 and 9 digits) or an international number
 * ("+", not +44, 8 to 15 digits). out (may be NULL) gets the number without those characters. */
#define IJ_PHONE_BUF 32
#define IJ_EMAIL_BUF 321
bool ij_domain_mobile(const char *phone, char out[IJ_PHONE_BUF]);
/* Whether s looks like an e-mail address: one "@", something before it, a dot in the part after
 * it (not at either end), no spaces or control characters, at most 320 bytes. */
bool ij_domain_email_address(const char *s);

/* What the routing needs to know about the referral, its person and its victim. Borrowed. */
typedef struct {
  ij_date date_of_birth;
  const char *person_name;
  const char *phone, *email;
  const char *guardian_name, *guardian_phone, *guardian_email;
  bool contact_consent;
  bool do_not_message;
  const char *message_language; /* "en" or "cy" (NULL: en) */
  int victim_keep_updated;      /* -1, 0, 1 */
  const char *victim_contact;
} ij_message_party;

/* An area's templates for one kind: template ids (NULL: none) by [language][channel - 1]. */
typedef struct {
  const char *ids[2][2];
} ij_message_templates;

/* The decision for one message. Strings point into the party, the templates or `to` itself. */
typedef struct {
  ij_message_recipient recipient;
  ij_message_channel channel; /* IJ_CHANNEL_NONE when not sent for no contact or before */
  char to[IJ_EMAIL_BUF];      /* the address ("" when none) */
  ij_message_language language;
  const char *template_id;    /* NULL when not sent */
  const char *recipient_name; /* the person's or the guardian's name; NULL for a victim */
  ij_message_not_sent not_sent;
} ij_message_route;

/* Routes a message of `kind` made on London day `today`. Person kinds: to the person, or to the
 * guardian when the person is under 18 on `today`; not sent (in this order) for no consent, do not
 * message, no mobile or e-mail (a mobile first), no template. Victim kinds: false (no message at
 * all) unless the victim asked to be kept updated and left a contact; not sent for no_contact
 * when that contact is neither a mobile nor an e-mail, then for no template. Language: cy when
 * the referral says cy and `welsh`, else en; no template in that language for the channel falls
 * back to en. Returns whether a message is written. */
bool ij_domain_message_route(ij_message_kind kind, const ij_message_party *party, bool welsh,
                             const ij_message_templates *templates, ij_date today,
                             ij_message_route *out);

/* ---- London time ---------------------------------------------------------------------------- */
/* The UK's offset from UTC at an instant: 3600 s (BST) from 01:00 UTC on the last Sunday of March
 * to 01:00 UTC on the last Sunday of October, else 0 (GMT). In microseconds. */
ij_time_us ij_london_offset(ij_time_us t);
/* The London wall-clock date of an instant, and minutes since its midnight. */
ij_date ij_london_date(ij_time_us t);
int ij_london_minutes(ij_time_us t);
/* The instant of a London wall-clock time (minutes since midnight) on a London date. */
ij_time_us ij_london_instant(ij_date d, int minutes);

/* When a session's reminder falls due: the area's reminder time (London minutes since midnight)
 * on the London day before the session's London start date. */
ij_time_us ij_domain_reminder_due_at(ij_time_us session_starts_at, int reminder_minutes);
/* Whether a booking's reminder is to be made at `now`: the booking is still booked, the session
 * is not cancelled and has not started, the reminder has fallen due, and the booking was made at
 * or before that due time (a later one had its confirmation instead). */
bool ij_domain_reminder_due(const char *booking_status, bool session_cancelled,
                            ij_time_us session_starts_at, ij_time_us booked_at,
                            int reminder_minutes, ij_time_us now);
/* Whether a queued reminder is still to be sent when the outbox claims it: its booking is still
 * booked, its session not cancelled and not started. */
bool ij_domain_reminder_still_wanted(const char *booking_status, bool session_cancelled,
                                     ij_time_us session_starts_at, ij_time_us now);
/* The messages a referral's event writes: complete -> hours_completed and victim_work_completed;
 * attend (the first attended session, which puts the referral in progress) ->
 * victim_work_started; none for the others. Returns how many (at most 2) in out. */
#define IJ_MESSAGES_PER_EVENT_MAX 2
int ij_domain_messages_for_event(ij_event e, ij_message_kind out[IJ_MESSAGES_PER_EVENT_MAX]);

/* Whether a booking cancelled (by its own outcome) is told to the person: its session has not
 * started. */
bool ij_domain_cancellation_told(ij_time_us session_starts_at, ij_time_us now);
/* How far ahead the reminder round looks for bookings: the latest due time is at most this long
 * before a session's start (reminder at 00:00 the day before a session at 23:59 and a clock
 * change). */
#define IJ_REMINDER_LOOKAHEAD_US (50 * IJ_US_PER_HOUR)
/* "HH:MM" (00:00-23:59) as minutes since midnight; IJ_ERR_INVALID otherwise (seconds ":SS" after
 * it are accepted as a database time gives them). */
ij_err ij_domain_clock_parse(const char *s, int *minutes);

/* ---- personalisation ------------------------------------------------------------------------- */
#define IJ_MESSAGE_TEXT_BUF 64
/* "Saturday 12 December 2026" (en) or "Dydd Sadwrn 12 Rhagfyr 2026" (cy) of a London date. */
void ij_domain_message_date(ij_date d, ij_message_language lang, char out[IJ_MESSAGE_TEXT_BUF]);
/* "10:00am", "2:30pm", "12:00pm" (noon), "12:00am" (midnight) of a London time of an instant. */
void ij_domain_message_time(ij_time_us t, char out[IJ_MESSAGE_TEXT_BUF]);

/* What the personalisation fields are made from. Borrowed; times 0 where unused. */
typedef struct {
  const char *name;        /* the recipient's name (person or guardian) */
  const char *person_name; /* the person's */
  ij_time_us starts_at, ends_at;
  ij_time_us previous_starts_at; /* session_moved: the start before the change */
  const char *place;             /* the placement's location, else its name */
  const char *what_to_bring;     /* NULL: "" */
  int hours;
  const char *work_type; /* the placement type's label */
  ij_time_us work_date;  /* victim kinds: the day the work started / completed */
} ij_message_facts;

#define IJ_MESSAGE_FIELDS_MAX 12
#define IJ_MESSAGE_VALUE_BUF 2048
#define IJ_WHAT_TO_BRING_MAX 500 /* characters */
/* The personalisation of a kind: the kind's own fields (ij_message_kind_info.fields), in order,
 * each with its value (a string; empty when the facts hold none). Returns how many. */
typedef struct {
  const char *key;
  char value[IJ_MESSAGE_VALUE_BUF];
} ij_message_field;
int ij_domain_message_personalise(ij_message_kind kind, ij_message_language lang,
                                  const ij_message_facts *facts,
                                  ij_message_field out[IJ_MESSAGE_FIELDS_MAX]);

#endif
