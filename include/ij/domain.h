/* The domain layer: pure C. The referral state machine as a transition table, role permissions,
 * validation, the hours and clock rules. No jansson, libpq or ulfius; no clock reads ("now" is
 * always passed in); never logs. Strings passed in are borrowed for the duration of the call. */
#ifndef IJ_DOMAIN_H
#define IJ_DOMAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ij/error.h"

/* ---- time ------------------------------------------------------------------------------------ */
typedef int64_t ij_time_us; /* microseconds since 1970-01-01T00:00:00Z */
typedef int32_t ij_date;    /* days since 1970-01-01 */

#define IJ_US_PER_SECOND INT64_C(1000000)
#define IJ_US_PER_HOUR (INT64_C(3600) * IJ_US_PER_SECOND)
#define IJ_US_PER_DAY (INT64_C(86400) * IJ_US_PER_SECOND)
#define IJ_TIME_BUF 32 /* "2026-11-22T19:51:40.123456Z" plus NUL, with room */
#define IJ_DATE_BUF 11 /* "2026-11-22" plus NUL */

/* Strict "YYYY-MM-DD" (a real calendar date, years 1900-2999). IJ_ERR_INVALID otherwise. */
ij_err ij_date_parse(const char *s, ij_date *out);
void ij_date_format(ij_date d, char out[IJ_DATE_BUF]);
/* RFC 3339 with a "Z" or numeric offset, optional fraction up to microseconds. */
ij_err ij_time_parse(const char *s, ij_time_us *out);
/* Always UTC, always with six fraction digits: "2026-11-22T19:51:40.123456Z". */
void ij_time_format(ij_time_us t, char out[IJ_TIME_BUF]);
ij_date ij_time_date(ij_time_us t); /* the UTC calendar date of an instant */
/* Whole years of age on a date (birthdays on 29 February count on 28 February in common years
 * is not assumed: they count on 1 March). Negative when `on` precedes `dob`. */
int ij_age_years(ij_date dob, ij_date on);

/* ---- field errors ---------------------------------------------------------------------------- */
#define IJ_FIELD_ERRORS_MAX 32
typedef struct {
  char field[64];    /* JSON path of the field, dotted: "person.date_of_birth" */
  char message[192]; /* a sentence a person can act on */
} ij_field_error;
typedef struct {
  int count; /* entries past IJ_FIELD_ERRORS_MAX are dropped; count stops at the max */
  ij_field_error items[IJ_FIELD_ERRORS_MAX];
} ij_field_errors;

void ij_field_errors_init(ij_field_errors *errs);
void ij_field_errors_add(ij_field_errors *errs, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Whether an error names the field already (a later check adds none beside a first one). */
bool ij_field_errors_has(const ij_field_errors *errs, const char *field);

/* ---- states, events, roles ------------------------------------------------------------------- */
#define IJ_STATE_LIST(X)                     \
  X(IJ_STATE_SUBMITTED, "submitted")         \
  X(IJ_STATE_ACCEPTED, "accepted")           \
  X(IJ_STATE_REJECTED, "rejected")           \
  X(IJ_STATE_SCHEDULED, "scheduled")         \
  X(IJ_STATE_IN_PROGRESS, "in_progress")     \
  X(IJ_STATE_COMPLETED, "completed")         \
  X(IJ_STATE_NON_COMPLIANT, "non_compliant") \
  X(IJ_STATE_WITHDRAWN, "withdrawn")         \
  X(IJ_STATE_CLOSED, "closed")

typedef enum {
#define IJ_STATE_ENUM(code, name) code,
  IJ_STATE_LIST(IJ_STATE_ENUM)
#undef IJ_STATE_ENUM
      IJ_STATE__COUNT
} ij_state;

/* Events. "create" has no from-state. Events marked client in the table can be sent to
 * POST /v1/referrals/{id}/transitions; the others are fired by other operations or the system. */
#define IJ_EVENT_LIST(X)                                       \
  X(IJ_EVENT_CREATE, "create")                                 \
  X(IJ_EVENT_ACCEPT, "accept")                                 \
  X(IJ_EVENT_REJECT, "reject")                                 \
  X(IJ_EVENT_BOOK, "book")                                     \
  X(IJ_EVENT_UNBOOK, "unbook")                                 \
  X(IJ_EVENT_ATTEND, "attend")                                 \
  X(IJ_EVENT_COMPLETE, "complete")                             \
  X(IJ_EVENT_DECLARE_NON_COMPLIANCE, "declare_non_compliance") \
  X(IJ_EVENT_WITHDRAW, "withdraw")                             \
  X(IJ_EVENT_CLOSE, "close")                                   \
  X(IJ_EVENT_FIRST_WARNING, "first_warning")                   \
  X(IJ_EVENT_SECOND_WARNING, "second_warning")

typedef enum {
#define IJ_EVENT_ENUM(code, name) code,
  IJ_EVENT_LIST(IJ_EVENT_ENUM)
#undef IJ_EVENT_ENUM
      IJ_EVENT__COUNT
} ij_event;

/* Roles are bits; a token may carry several. A national commissioner reads the statistics of
 * every area together (aggregates only) as well as those of their own. IJ_ROLE_SYSTEM is the
 * service acting by itself, is never granted by a token, and stays the highest bit. */
#define IJ_ROLE_LIST(X)                                 \
  X(IJ_ROLE_OFFICER, 1u << 0, "officer")                \
  X(IJ_ROLE_COORDINATOR, 1u << 1, "coordinator")        \
  X(IJ_ROLE_SUPERVISOR, 1u << 2, "supervisor")          \
  X(IJ_ROLE_COMMISSIONER, 1u << 3, "commissioner")      \
  X(IJ_ROLE_ADMIN, 1u << 4, "admin")                    \
  X(IJ_ROLE_NATIONAL, 1u << 5, "national_commissioner") \
  X(IJ_ROLE_SYSTEM, 1u << 6, "system")

typedef unsigned ij_roles;
enum {
#define IJ_ROLE_ENUM(code, bit, name) code = bit,
  IJ_ROLE_LIST(IJ_ROLE_ENUM)
#undef IJ_ROLE_ENUM
};
#define IJ_ROLES_HUMAN                                                                 \
  (IJ_ROLE_OFFICER | IJ_ROLE_COORDINATOR | IJ_ROLE_SUPERVISOR | IJ_ROLE_COMMISSIONER | \
   IJ_ROLE_ADMIN | IJ_ROLE_NATIONAL)

/* Names are static strings (borrowed); NULL for an out-of-range value. */
const char *ij_state_name(ij_state s);
const char *ij_event_name(ij_event e);
const char *ij_role_name(ij_roles single_role_bit);
/* Parsers return IJ_ERR_INVALID for an unknown name (exact, case-sensitive). */
ij_err ij_state_parse(const char *s, ij_state *out);
ij_err ij_event_parse(const char *s, ij_event *out);
ij_err ij_role_parse(const char *s, ij_roles *out_bit); /* "system" is refused */

/* ---- permissions ----------------------------------------------------------------------------- */
typedef enum {
  IJ_ACTION_REFERRAL_CREATE,
  IJ_ACTION_REFERRAL_READ, /* one referral, its data and its history */
  IJ_ACTION_REFERRAL_LIST,
  IJ_ACTION_REFERRAL_TRANSITION, /* may send some event; the event's own roles decide the rest */
  IJ_ACTION_PLACEMENT_WRITE,     /* coordinator */
  IJ_ACTION_PLACEMENT_READ,      /* coordinator, supervisor (their own placements) */
  IJ_ACTION_SESSION_WRITE,       /* coordinator */
  IJ_ACTION_SESSION_READ,        /* coordinator, supervisor (their own sessions) */
  IJ_ACTION_BOOKING_WRITE,       /* coordinator: book, cancel */
  IJ_ACTION_BOOKING_READ,        /* coordinator, supervisor (their sessions), officer (bookings of
                                    referrals in the area) */
  IJ_ACTION_OUTCOME_RECORD,      /* coordinator, supervisor (their sessions) */
  IJ_ACTION_WORKLIST_READ,       /* coordinator */
  IJ_ACTION_NOTICE_READ,         /* coordinator, admin, officer (their own referrals' notices) */
  IJ_ACTION_FOLLOWUP_READ,       /* coordinator: reoffending checks */
  IJ_ACTION_FOLLOWUP_WRITE,      /* coordinator: record and import checks */
  IJ_ACTION_STATS_READ,          /* commissioner, coordinator, admin: aggregates only */
  IJ_ACTION_STATS_NATIONAL,      /* national commissioner: every area's aggregates together */
  IJ_ACTION_ACCESS_LOG_READ,     /* admin: the personal-data access log */
  IJ_ACTION_NON_ASSOCIATION,     /* coordinator: record, read and end non-associations */
  IJ_ACTION_REFERRAL_AMEND,     /* officer, coordinator: which fields in which states, ij/amend.h */
  IJ_ACTION_PERSON_READ,        /* officer, coordinator: search people, a person's history */
  IJ_ACTION_REFDATA_WRITE,      /* admin: the area's wards, reason codes and rules */
  IJ_ACTION_REFDATA_AUDIT_READ, /* admin: the changes to the area's reference data */
  IJ_ACTION_AREA_RULES_READ,    /* admin, coordinator, officer: the area's rules */
  IJ_ACTION_SUPERVISOR_READ,    /* admin, coordinator: the directory of supervisors */
  IJ_ACTION_SUPERVISOR_WRITE,   /* admin: the directory of supervisors */
  IJ_ACTION_WALK_IN,            /* coordinator, supervisor (their sessions): add a walk-in */
  IJ_ACTION_REGISTER_READ,      /* coordinator, supervisor (their sessions): a session's register */
  IJ_ACTION_WEBHOOK_ADMIN,      /* admin: the area's webhook URL and signing secret */
  IJ_ACTION_MESSAGE_READ,       /* coordinator, admin: the messages sent about a referral */
  IJ_ACTION_SUBJECT_ACCESS,     /* admin: everything held about one person (right of access) */
  IJ_ACTION__COUNT
} ij_action;

bool ij_domain_may(ij_roles roles, ij_action action);

/* ---- area rules and the clock ---------------------------------------------------------------- */
typedef struct {
  int hours_min;          /* default 2 */
  int hours_max;          /* default 20 */
  int hours_default;      /* default 7 */
  int target_start_hours; /* default 48 */
} ij_area_rules;

/* The area rules to apply: `rules` itself, or the defaults (2, 20, 7, 48) when it is NULL.
 * Returns a borrowed pointer, never NULL. */
const ij_area_rules *ij_domain_rules_or_default(const ij_area_rules *rules);

ij_time_us ij_domain_target_start_by(ij_time_us referred_at, const ij_area_rules *rules);
/* The states in which the 48-hour start clock runs (a referral that is not yet attended). */
bool ij_domain_state_clock_runs(ij_state s);
/* The same states as a set, bit (1u << state) for each, for a query that selects the overdue
 * referrals in the database: the operation passes it, so that the store decides nothing. */
unsigned ij_domain_clock_states(void);
/* overdue: the clock runs, nothing attended yet, and now is past target_start_by */
bool ij_domain_referral_overdue(ij_state s, bool attended, ij_time_us target_start_by,
                                ij_time_us now);

/* ---- the transition table -------------------------------------------------------------------- */
/* What an event does besides moving the state: a column of the transition table, copied into the
 * decision, so that the operation persisting it and the SQL it runs decide nothing. */
typedef enum {
  IJ_EFFECT_EXIT = 1u << 0,            /* the referral leaves the scheme: exited_at is set, the
                                          referring force (and a victim who asked) is told the
                                          outcome and the reoffending checks fall due */
  IJ_EFFECT_COMPLETION = 1u << 1,      /* completed_at is set */
  IJ_EFFECT_WARNING = 1u << 2,         /* one more enforcement warning is counted */
  IJ_EFFECT_CANCEL_BOOKINGS = 1u << 3, /* every booking still holding a place is cancelled */
} ij_effect;

typedef struct {
  ij_event event;
  unsigned from_mask; /* bit (1u << state) for each state the event may fire from; 0 for create */
  ij_state to;
  ij_roles roles;   /* who may fire it */
  bool client;      /* sent by a client to POST .../transitions */
  bool stays;       /* the state does not change (enforcement warnings); `to` is unused */
  unsigned effects; /* ij_effect bits */
} ij_transition_rule;

/* The table itself (borrowed, static), for documentation and tests. */
const ij_transition_rule *ij_domain_transitions(size_t *count);

/* What the domain needs to know about a referral to decide an event. */
typedef struct {
  ij_state state;
  const char *officer_sub;   /* the referring officer's subject */
  int hours_required;        /* confirmed hours (proposed until accepted) */
  int64_t minutes_credited;  /* sum of credited minutes so far */
  int unacceptable_absences; /* absences without reason or failures to comply recorded */
  int warnings;              /* enforcement warnings given: 0, 1 or 2 */
  int active_bookings;       /* bookings that are not cancelled or resolved */
  bool attended;             /* at least one attended session */
  bool last_check_recorded;  /* the last reoffending check is recorded */
} ij_referral_facts;

/* The hours a referral requires: those confirmed at acceptance (0: not confirmed), else those
 * proposed. */
int ij_domain_hours_required(int hours_confirmed, int hours_proposed);
/* Whether a victim is told a referral's progress: they asked to be kept updated (keep_updated 1)
 * and left a contact. */
bool ij_domain_victim_updated(int keep_updated, bool has_contact);

typedef struct {
  const char *sub;
  const char *name;
  const char *area;
  ij_roles roles;
} ij_actor;

/* An event with its data, as a client or the system sends it. Absent strings are NULL. */
typedef struct {
  ij_event event;
  const char *reason_code; /* reject, withdraw, declare_non_compliance */
  const char *reason;      /* free text; required for declare_non_compliance */
  bool has_hours_confirmed;
  int hours_confirmed;           /* accept; the proposed hours when absent */
  const char *suitability_notes; /* accept: suitability and risk notes */
} ij_transition_request;

typedef struct {
  ij_state from;
  ij_state to;
  ij_roles acting_role; /* the single role bit under which the actor fires the event */
  const char
      *reason_kind;    /* "reject", "withdraw", "non_compliance" or NULL: the reason-code list */
  int hours_required;  /* the hours required after the event */
  int hours_confirmed; /* accept: the hours it confirms (given, else the proposed); else 0 */
  unsigned effects;    /* the event's ij_effect bits */
  int warnings_delta;  /* 1 for an enforcement warning, else 0 */
} ij_decision;

/* Decides an event. Order of checks: role (IJ_ERR_FORBIDDEN when no role of the actor may ever
 * fire the event, or an officer withdraws another officer's referral), client flag (IJ_ERR_INVALID
 * with field "event" when `from_client` and the event is not a client event), state
 * (IJ_ERR_TRANSITION; *allowed_events gets the mask (1u << event) of client events the actor may
 * send in this state), guards on the request (IJ_ERR_INVALID with field errors), guards on the
 * facts (IJ_ERR_CONFLICT with a field error on "event" saying why). */
ij_err ij_domain_decide(const ij_actor *actor, const ij_referral_facts *facts,
                        const ij_transition_request *req, const ij_area_rules *rules,
                        bool from_client, ij_decision *out, unsigned *allowed_events,
                        ij_field_errors *errs);

/* ---- follow-on events ------------------------------------------------------------------------ */
/* Events the service fires by itself as a consequence of another change (an outcome, a session's
 * cancellation, a reoffending check): one row each, in the order they are tried, with the
 * conditions on the referral's facts under which it fires. The states it fires from are the
 * transition table's. */
typedef enum {
  IJ_FACT_ANY, /* not looked at */
  IJ_FACT_YES,
  IJ_FACT_NO
} ij_fact_test;

typedef struct {
  ij_event event;
  ij_fact_test attended;      /* facts.attended */
  ij_fact_test hours_met;     /* facts.minutes_credited >= facts.hours_required * 60 */
  ij_fact_test bookings_open; /* facts.active_bookings > 0 */
  ij_fact_test last_check;    /* facts.last_check_recorded */
} ij_followon_rule;

/* The table itself (borrowed, static), for documentation and tests. */
const ij_followon_rule *ij_domain_followons(size_t *count);

/* The event that follows on a referral with these facts: the first row of the follow-on table
 * whose event the transition table allows from facts->state and whose conditions hold. True with
 * *event set, and *by_cause set when `cause` (the person whose change caused it; may be NULL) may
 * fire it under one of their roles (then it is recorded as theirs: attend by the supervisor who
 * recorded the attendance), else the service fires it. False when nothing follows. The caller
 * decides the event with ij_domain_decide, applies it and asks again until nothing follows. */
bool ij_domain_followon_next(const ij_actor *cause, const ij_referral_facts *facts, ij_event *event,
                             bool *by_cause);

/* The mask of client events the actor may send now: allowed in the facts' state, to one of the
 * actor's roles (an officer on their own referral), and not refused by the facts' guards. */
unsigned ij_domain_allowed_events(const ij_actor *actor, const ij_referral_facts *facts);

/* The reason-code kind an event needs ("reject", "withdraw", "non_compliance") or NULL. */
const char *ij_domain_reason_kind(ij_event e);

/* ---- referral creation ----------------------------------------------------------------------- */
#define IJ_OFFENCE_CATEGORY_LIST(X) \
  X("asb")                          \
  X("harassment")                   \
  X("public_order")                 \
  X("drunk_and_disorderly")         \
  X("shop_theft")                   \
  X("cannabis_possession")          \
  X("criminal_damage")              \
  X("other")
#define IJ_DISPOSAL_LIST(X)      \
  X("community_resolution")      \
  X("outcome_22")                \
  X("conditional_caution")       \
  X("youth_conditional_caution") \
  X("diversionary_caution")      \
  X("community_caution")

typedef struct {
  const char *name;
  const char *date_of_birth; /* YYYY-MM-DD */
  const char *phone;
  const char *email;
  const char *address;
  const char *postcode;
  const char *police_id;
  const char *needs_notes;
  const char *risk_notes;
  int do_not_message; /* 1: the person is not to be messaged; else (0 or -1 absent) they may be */
} ij_person_input;

/* The parent or guardian of a person under 18 (ij_domain_guardian_required). */
typedef struct {
  const char *name;
  const char *relationship; /* IJ_GUARDIAN_RELATIONSHIP_LIST */
  const char *phone;
  const char *email;
  int consent; /* -1 absent, 0 false, 1 true: consent to the person taking part */
} ij_guardian_input;

typedef struct {
  ij_person_input person;
  const char *offence_date; /* YYYY-MM-DD */
  const char *offence_category;
  const char *offence_description;
  const char *offence_location;
  const char *ward; /* ward code; that it exists in the area is checked by the store */
  const char *disposal;
  int consent_recorded; /* -1 absent, 0 false, 1 true */
  bool has_hours_proposed;
  int hours_proposed;
  bool has_victim;
  int victim_consulted; /* -1 absent, 0, 1 */
  const char *victim_preference;
  int victim_keep_updated; /* -1 absent, 0, 1 */
  const char *victim_contact;
  bool has_guardian; /* a "guardian" object was given */
  ij_guardian_input guardian;
  int contact_consent;          /* 1: consent to be contacted by text or e-mail; else none */
  const char *message_language; /* "en" or "cy"; NULL: en */
} ij_referral_input;

typedef struct {
  ij_date date_of_birth;
  ij_date offence_date;
  int hours_proposed; /* the default applied when absent */
  ij_time_us target_start_by;
} ij_referral_derived;

/* Validates a new referral made at `now`. IJ_OK, or IJ_ERR_INVALID with every problem in errs. */
ij_err ij_domain_referral_validate(const ij_referral_input *in, const ij_area_rules *rules,
                                   ij_time_us now, ij_referral_derived *out, ij_field_errors *errs);

/* True when s (NUL-terminated; NULL is) is well-formed UTF-8: no stray continuation byte, no
 * truncated sequence, no overlong form, surrogate or code point past U+10FFFF. */
bool ij_text_utf8_valid(const char *s);
/* After a truncating copy: drops a trailing UTF-8 sequence that was cut short. */
void ij_text_utf8_trim(char *buf);

/* Reason codes, free-text notes and other short strings: limits shared by the layers. */
#define IJ_MAX_NAME 200
#define IJ_MAX_NOTE 4000
#define IJ_MAX_CODE 64

/* ---- placements and sessions (validation) -----------------------------------------------------
 */
#define IJ_PLACEMENT_TYPE_LIST(X) \
  X("gardening")                  \
  X("litter_picking")             \
  X("charity_work")               \
  X("graffiti_removal")           \
  X("community_clean_up")         \
  X("other")

/* ---- placements and sessions: input validation ----------------------------------------------- */
#define IJ_MAX_SUPERVISOR 128   /* a supervisor's subject and display name, in bytes */
#define IJ_MIN_AGE_DEFAULT 10   /* a placement's minimum age when none is given */
#define IJ_SESSION_MAX_HOURS 24 /* the longest session */
#define IJ_SESSION_CAPACITY_MAX 200
#define IJ_SESSION_PAST_GRACE_US IJ_US_PER_HOUR /* a new session may start this long ago */

/* A placement as a coordinator sends it: on create the whole placement, on update only the
 * members to change. Absent strings are NULL. */
typedef struct {
  const char *name;
  const char *type; /* one of IJ_PLACEMENT_TYPE_LIST */
  const char *provider;
  const char *ward;  /* a ward code; that the area has it is checked by the store */
  bool has_location; /* location was given; on update a NULL location then clears it */
  const char *location;
  bool has_min_age;
  int min_age;         /* 10-99; IJ_MIN_AGE_DEFAULT on create when absent */
  bool has_supervisor; /* the supervisor object was given: both members are then required */
  const char *supervisor_sub;
  const char *supervisor_name;
  int active;                /* -1 absent (true on create), 0, 1 */
  bool has_what_to_bring;    /* what_to_bring was given; on update a NULL then clears it */
  const char *what_to_bring; /* what to wear and bring, at most 500 characters */
} ij_placement_input;

/* Validates a new placement (`create`) or the changes to one (at least one member). IJ_OK, or
 * IJ_ERR_INVALID with every problem in errs, on dotted paths ("supervisor.sub"); an update that
 * changes nothing is reported on "body". */
ij_err ij_domain_placement_validate(const ij_placement_input *in, bool create,
                                    ij_field_errors *errs);

/* A session as a coordinator sends it: on create the times and capacity (supervisor optional:
 * the placement's by default), on update any of capacity, supervisor and cancelled, or both times
 * together (a move: validated as a new session's times, into *out). */
typedef struct {
  const char *starts_at; /* RFC 3339; on update with ends_at (a move) */
  const char *ends_at;   /* RFC 3339; on update with starts_at (a move) */
  bool has_capacity;
  int capacity; /* 1 to IJ_SESSION_CAPACITY_MAX */
  bool has_supervisor;
  const char *supervisor_sub;
  const char *supervisor_name;
  int cancelled; /* -1 absent, 0, 1; update only, and only true (a session is not reopened) */
  const char *late_entry_reason; /* create only: a session that is over, entered from a paper
                                    register afterwards (ij_domain_late_entry_reason) */
} ij_session_input;

typedef struct {
  ij_time_us starts_at;
  ij_time_us ends_at;
} ij_session_times;

/* Validates a new session made at `now` (`create`: starts_at before ends_at, at most
 * IJ_SESSION_MAX_HOURS later, starting no earlier than now - IJ_SESSION_PAST_GRACE_US unless it
 * is a late entry, which must be over by now and give its reason) or the
 * changes to one. IJ_OK with *out set on create, or IJ_ERR_INVALID with every problem in errs. */
ij_err ij_domain_session_validate(const ij_session_input *in, bool create, ij_time_us now,
                                  ij_session_times *out, ij_field_errors *errs);
/* Whether a session may move (its times change) at `now`: not once it has started.
 * IJ_ERR_CONFLICT with a field error on "starts_at" otherwise. */
ij_err ij_domain_session_move_check(ij_time_us current_starts_at, ij_time_us now,
                                    ij_field_errors *errs);

/* ---- bookings, attendance and enforcement ---------------------------------------------------- */
/* The states in which a referral may be booked onto a session: accepted, scheduled, in_progress. */
bool ij_domain_state_bookable(ij_state s);

/* What the domain needs to know about a session to book someone onto it. */
typedef struct {
  ij_time_us starts_at;
  ij_time_us ends_at;
  bool cancelled;
  int capacity;
  int booked; /* places already held */
  int min_age;
  bool referral_booked; /* the referral being booked holds a place on this session already */
  bool non_associated;  /* someone holding a place on it must not be placed with this person */
} ij_session_facts;

/* A booking: the referral's state, the person's date of birth, the session, at `now`.
 * IJ_ERR_TRANSITION when the referral's state cannot be booked; IJ_ERR_CONFLICT with a field
 * error on "session_id" saying why (cancelled, already started, booked on it already, someone on
 * it to be kept apart from this person (never named), full, under the minimum age on the
 * session's date) otherwise. Overlaps with the person's other bookings are
 * refused by the store (a constraint), as is capacity under concurrency; the check here is the
 * early answer. */
ij_err ij_domain_booking_check(ij_state state, ij_date date_of_birth, const ij_session_facts *s,
                               ij_time_us now, ij_field_errors *errs);

#define IJ_OUTCOME_LIST(X)                                             \
  X(IJ_OUTCOME_ATTENDED_COMPLIED, "attended_complied")                 \
  X(IJ_OUTCOME_ATTENDED_FAILED_TO_COMPLY, "attended_failed_to_comply") \
  X(IJ_OUTCOME_SENT_HOME_BEHAVIOUR, "sent_home_behaviour")             \
  X(IJ_OUTCOME_SENT_HOME_SERVICE_ISSUE, "sent_home_service_issue")     \
  X(IJ_OUTCOME_ABSENT_ACCEPTABLE, "absent_acceptable")                 \
  X(IJ_OUTCOME_ABSENT_UNACCEPTABLE, "absent_unacceptable")             \
  X(IJ_OUTCOME_RESCHEDULED, "rescheduled")                             \
  X(IJ_OUTCOME_CANCELLED, "cancelled")

typedef enum {
#define IJ_OUTCOME_ENUM(code, name) code,
  IJ_OUTCOME_LIST(IJ_OUTCOME_ENUM)
#undef IJ_OUTCOME_ENUM
      IJ_OUTCOME__COUNT
} ij_outcome;

#define IJ_ABSENCE_REASON_LIST(X) \
  X("medical")                    \
  X("family_childcare")           \
  X("employment")                 \
  X("court_legal")                \
  X("stood_down")
#define IJ_RATING_LIST(X) \
  X("excellent")          \
  X("good")               \
  X("satisfactory")       \
  X("unsatisfactory")     \
  X("poor")

const char *ij_outcome_name(ij_outcome o); /* static; NULL when out of range */
ij_err ij_outcome_parse(const char *s, ij_outcome *out);
bool ij_outcome_attended(ij_outcome o);    /* the four attended outcomes: hours may be credited */
bool ij_outcome_breach(ij_outcome o);      /* absent_unacceptable, failed_to_comply, sent home for
                                              behaviour: counts towards enforcement */
bool ij_outcome_frees_place(ij_outcome o); /* rescheduled, cancelled */

/* An outcome as a coordinator or supervisor records it. Absent strings are NULL. */
typedef struct {
  ij_outcome outcome;
  const char *absence_reason; /* required for absent_acceptable, refused otherwise */
  bool has_penalty;
  int penalty_minutes;   /* attended outcomes only; 0 to the session's length */
  const char *behaviour; /* ratings: attended outcomes only */
  const char *work_quality;
  const char *notes;
  bool has_rescheduled_session;  /* required for rescheduled, refused otherwise */
  const char *amendment_reason;  /* required when the booking has an outcome already */
  const char *late_entry_reason; /* entered afterwards from a paper register: see
                                    ij_domain_outcome_late_entry */
  bool has_worked;               /* a sign-out: the actual times worked are given */
  ij_time_us started_at;         /* with has_worked: when work started and finished */
  ij_time_us finished_at;
} ij_outcome_input;

/* The booking as it stands. */
typedef struct {
  bool has_outcome;     /* an outcome (not cancelled/rescheduled) is recorded already */
  ij_outcome previous;  /* valid when has_outcome */
  int previous_minutes; /* minutes credited by the previous outcome */
  bool holds_place;     /* booked or an outcome that holds its place */
  ij_time_us starts_at;
  ij_time_us ends_at;
  ij_time_us signed_in_at; /* when the person was signed in on arrival; 0: not signed in */
  ij_time_us started_at;   /* the times worked a sign-out recorded; 0: none recorded */
  ij_time_us finished_at;
} ij_booking_facts;

/* What recording the outcome does. */
typedef struct {
  int minutes_credited; /* for this booking: (end - start) - penalty, attended only, capped at
                           what the referral still owes (counting back this booking's previous
                           minutes) */
  int minutes_delta;    /* change to the referral's total */
  int breaches_delta;   /* -1, 0 or 1 */
  int places_delta;     /* -1 when the booking stops holding its place, else 0 */
  bool attended;
} ij_outcome_effect;

/* Decides an outcome on a booking of a referral, at `now`. IJ_ERR_INVALID with field errors for
 * bad or missing data ("outcome", "absence_reason", "penalty_minutes", "behaviour",
 * "work_quality", "rescheduled_session_id", "amendment_reason"); IJ_ERR_CONFLICT with a field
 * error on "outcome" when the session has not started (attended and absent outcomes), when the
 * referral is not scheduled or in progress, when an amendment would change a rescheduled or
 * cancelled booking or make one so. */
ij_err ij_domain_outcome_decide(const ij_outcome_input *in, const ij_booking_facts *booking,
                                const ij_referral_facts *referral, ij_time_us now,
                                ij_outcome_effect *out, ij_field_errors *errs);

/* ---- walk-ins and paper registers ------------------------------------------------------------ */
/* How a booking is made: ahead of the session (ordinary), onto a session under way (a walk-in),
 * or onto a session that is over, entered afterwards from a paper register (a late entry). Every
 * other booking rule (state, capacity, one place per session, overlap, minimum age) is the same
 * for all three; only the session's time relative to now and who may do it differ. */
typedef enum {
  IJ_BOOKING_ORDINARY,
  IJ_BOOKING_WALK_IN,
  IJ_BOOKING_LATE_ENTRY,
  IJ_BOOKING_MODE__COUNT
} ij_booking_mode;

#define IJ_LATE_ENTRY_REASON_MAX 500 /* bytes */

typedef struct {
  ij_booking_mode mode;
  const char *name;
  ij_roles roles;         /* who may book this way */
  bool reason;            /* a late-entry reason is required (and only then accepted) */
  ij_fact_test started;   /* the session's start is at or before now */
  ij_fact_test ended;     /* the session's end is at or before now */
  const char *hint_early; /* what to do instead when the session is too early for this mode */
  const char *hint_late;  /* ... and when it is too late */
} ij_booking_mode_rule;

/* The table itself (borrowed, static), one row per mode in enum order. */
const ij_booking_mode_rule *ij_domain_booking_modes(size_t *count);

/* Whether `roles` may book in this mode: IJ_OK, or IJ_ERR_FORBIDDEN with a field error. */
ij_err ij_domain_booking_mode_may(ij_booking_mode mode, ij_roles roles, ij_field_errors *errs);

/* ij_domain_booking_check for a mode: the late-entry reason (field "late_entry_reason": required
 * for a late entry, refused otherwise, IJ_ERR_INVALID) first, then the referral's state, then the
 * session's time against the mode's row (IJ_ERR_CONFLICT, field "session_id"), then the rest. */
ij_err ij_domain_booking_check_mode(ij_booking_mode mode, const char *late_entry_reason,
                                    ij_state state, ij_date date_of_birth,
                                    const ij_session_facts *s, ij_time_us now,
                                    ij_field_errors *errs);

/* A late-entry reason's own form: IJ_OK when reason is NULL and not required, or when it is
 * 1 to IJ_LATE_ENTRY_REASON_MAX bytes, not blank, without control characters; else
 * IJ_ERR_INVALID with a field error on "late_entry_reason". */
ij_err ij_domain_late_entry_reason(const char *reason, bool required, ij_field_errors *errs);

/* Whether an outcome is a late entry, and whether it may be recorded as one, at `now`: on a
 * booking made as a late entry (booking_late) it always is, and needs a reason; otherwise it is
 * one when a reason is given, which is accepted only once the session is over. Only a coordinator
 * records a late entry (IJ_ERR_FORBIDDEN, field "late_entry_reason"); a missing or bad reason, or
 * one on a session not over, is IJ_ERR_INVALID. *late: the outcome is a late entry. */
ij_err ij_domain_outcome_late_entry(ij_roles roles, bool booking_late, const char *reason,
                                    ij_time_us session_ends_at, ij_time_us now, bool *late,
                                    ij_field_errors *errs);

/* ---- attendance as it happens: sign-in, sign-out, time already worked ----------------------- */
#define IJ_SIGN_IN_OPENS_US (30 * 60 * IJ_US_PER_SECOND)   /* sign-in opens before the start */
#define IJ_START_TOLERANCE_US (15 * 60 * IJ_US_PER_SECOND) /* work may start before sign-in */

/* Why a sign-in is refused (IJ_SIGN_IN_OK: it is not), in the order they are tried. */
typedef enum {
  IJ_SIGN_IN_OK,
  IJ_SIGN_IN_REFERRAL_STATE, /* the referral is not scheduled or in progress */
  IJ_SIGN_IN_NOT_BOOKED,     /* the booking has an outcome, or was cancelled or rescheduled */
  IJ_SIGN_IN_TOO_EARLY,      /* more than IJ_SIGN_IN_OPENS_US before the session's start */
  IJ_SIGN_IN_ENDED,          /* the session has ended: record its outcome instead */
  IJ_SIGN_IN__COUNT
} ij_sign_in_refusal;

/* The refusal's message (static), for documentation and tests. */
const char *ij_domain_sign_in_message(ij_sign_in_refusal r);

/* Signs a person in on arrival at `now`. IJ_OK with *already set when the booking is signed in
 * already (a second sign-in changes nothing and keeps the first arrival time); IJ_ERR_CONFLICT
 * with a field error on "booking" saying why otherwise (*refusal, when not NULL, says which). */
ij_err ij_domain_sign_in_check(ij_state referral_state, const ij_booking_facts *b, ij_time_us now,
                               bool *already, ij_sign_in_refusal *refusal, ij_field_errors *errs);

/* The times worked a sign-out gives. */
typedef struct {
  ij_time_us started_at;
  ij_time_us finished_at;
  ij_time_us signed_in_at; /* the booking's */
  ij_time_us now;
} ij_worked_times;

/* One rule on the times a sign-out gives: `field` is refused with `message` when `broken`. */
typedef struct {
  const char *field;
  bool (*broken)(const ij_worked_times *t);
  const char *message;
} ij_worked_rule;

/* The table itself (borrowed, static), for documentation and tests. */
const ij_worked_rule *ij_domain_worked_rules(size_t *count);
/* Every rule the times break, one field error each (a field named once); the number of them. */
int ij_domain_worked_check(const ij_worked_times *t, ij_field_errors *errs);
/* Whole minutes worked by `now`: from started_at to the earlier of finished_at and now, 0 when
 * that is not after started_at. */
int ij_domain_minutes_worked(ij_time_us started_at, ij_time_us finished_at, ij_time_us now);
/* Whole minutes of a session elapsed by `now`: from its start, at most its length, 0 before it. */
int ij_domain_session_elapsed_minutes(ij_time_us starts_at, ij_time_us ends_at, ij_time_us now);

/* The same outcome for several bookings of one session in one request. */
#define IJ_BULK_OUTCOME_MAX 30
/* What a bulk outcome allows beyond each booking's own checks: 1 to IJ_BULK_OUTCOME_MAX bookings
 * ("booking_ids") and an outcome other than rescheduled, which moves each person to a session of
 * their own ("outcome"). IJ_ERR_INVALID with every problem in errs. */
ij_err ij_domain_bulk_outcome_check(const ij_outcome_input *in, int n, ij_field_errors *errs);

/* ---- reoffending follow-up ---------------------------------------------------------------------
 */
/* The follow-up windows, in months after a referral's exit (completed or non-compliant). These
 * are local measures: the Ministry of Justice's proven reoffending rate (12 months plus a 6-month
 * wait, cautions and convictions only) does not count community resolutions. */
#define IJ_FOLLOWUP_WINDOW_COUNT 3
extern const int ij_followup_windows[IJ_FOLLOWUP_WINDOW_COUNT]; /* 3, 6, 12 */

/* Retention: a referral that ended (closed, rejected or withdrawn) before this instant has its
 * personal data erased: the start (00:00 UTC) of the day `months` calendar months before now's
 * UTC date. Months must be at least 1. */
ij_time_us ij_domain_retention_cutoff(ij_time_us now, int months);
/* Whether a referral in this state has ended, so that retention applies to it. */
bool ij_domain_state_ended(ij_state s);
/* The ended states as a set, bit (1u << state) for each, for the erasure query. */
unsigned ij_domain_ended_states(void);

/* A date plus whole calendar months, clamped to the last day of a shorter month. */
ij_date ij_date_add_months(ij_date d, int months);
/* The day a window's check falls due: the exit date plus the window's months. */
ij_date ij_domain_followup_due(ij_date exited_on, int window_months);
/* Recording the check of this window closes the referral (the last one: 12 months). */
bool ij_domain_followup_closes(int window_months);

/* A check's result as a coordinator or an import gives it. Absent strings are NULL. */
typedef struct {
  int reoffended;                 /* -1 absent, 0, 1 */
  const char *first_reoffence_on; /* YYYY-MM-DD; required when reoffended, refused otherwise */
  const char *category;           /* an IJ_OFFENCE_CATEGORY_LIST value; as the date */
  const char *source;             /* "pnc_check" (default) or "police_import" */
} ij_followup_input;

typedef struct {
  ij_date exited_on;
  ij_date due_on;
  bool recorded;
} ij_followup_facts;

typedef struct {
  bool reoffended;
  ij_date first_reoffence_on; /* when reoffended */
  const char *source;         /* static */
} ij_followup_result;

/* Validates a check's result on `today`. IJ_ERR_INVALID with field errors ("reoffended",
 * "first_reoffence_on": a real date, after the exit, within the window, not in the future;
 * "reoffence_category", "source"); IJ_ERR_CONFLICT (field "check") when it is recorded already or
 * not due yet. */
ij_err ij_domain_followup_validate(const ij_followup_input *in, const ij_followup_facts *facts,
                                   ij_date today, ij_followup_result *out, ij_field_errors *errs);

/* Re-referral: the smallest window (3, 6 or 12 months) after an earlier exit in which a new
 * referral made on `referred_on` falls, or 0 when it falls in none. */
int ij_domain_rereferral_window(ij_date earlier_exit, ij_date referred_on);

/* A name for matching people without a police identifier: ASCII letters lowered, digits kept, every
 * run of other ASCII characters one space, trimmed; bytes of multi-byte characters kept as they
 * are. */
void ij_domain_name_key(const char *name, char *out, size_t size);

/* ---- CSV (RFC 4180) ------------------------------------------------------------------------- */
typedef struct {
  const char *data;
  size_t len;
  size_t pos;
  int record; /* records read so far (the header is record 1) */
} ij_csv;

/* Reads the next record: comma-separated fields, optionally double-quoted (a quote inside a
 * quoted field doubled), records ended by CRLF or LF; a final record may lack its end. The fields
 * are copied, NUL-terminated, into buf; fields[i] point into it. IJ_OK with *nfields set,
 * IJ_ERR_NOT_FOUND at the end of the data, IJ_ERR_MALFORMED for a bad quote, a NUL byte, more
 * than max_fields fields or a record longer than buf. */
ij_err ij_csv_next(ij_csv *csv, char *buf, size_t size, const char **fields, int max_fields,
                   int *nfields);

/* ---- statistics: small-number suppression ----------------------------------------------------
 */
/* Official-statistics disclosure control for the commissioners' figures. Rates are computed from
 * the unsuppressed data and shown only where neither part is suppressed. */
typedef struct {
  int min_count;       /* counts 1..min_count-1 are suppressed (default 5) */
  int min_denominator; /* rates on a denominator under this are withheld (default 10) */
} ij_suppress_rules;

/* One figure. `basis` is the number of people (or bookings) behind it: for a count, the count
 * itself; for hours, the referrals whose hours they are. Zero is never suppressed. */
typedef struct {
  double value;
  int64_t basis;
  bool suppressed; /* set by the functions below */
} ij_stat_cell;

/* A rate numerator / denominator; value valid only when !suppressed. */
typedef struct {
  double value;                   /* 0.0-1.0 */
  int64_t numerator, denominator; /* the raw parts */
  bool numerator_shown;           /* the numerator's cell is not suppressed */
  bool denominator_shown;         /* the denominator's cell is not suppressed */
  bool suppressed;                /* withheld */
} ij_stat_rate;

/* A count cell (value = basis = count). */
ij_stat_cell ij_stat_count(int64_t count);
/* Primary suppression: basis from 1 to min_count - 1. */
bool ij_suppress_primary(const ij_suppress_rules *rules, int64_t basis);
void ij_suppress_cell(const ij_suppress_rules *rules, ij_stat_cell *cell);
/* Secondary suppression within a group of cells (already primarily suppressed) that add up to a
 * shown total: when exactly one is suppressed, the next smallest non-zero cell (by value, then
 * basis, then position) is suppressed too. Returns the index suppressed, or -1. */
int ij_suppress_group(ij_stat_cell *cells, size_t n);
/* A rate from a numerator cell and a denominator cell (suppression already applied to both): the
 * value is computed from the raw counts and withheld when either part is suppressed, or the
 * denominator is under min_denominator. */
ij_stat_rate ij_suppress_rate(const ij_suppress_rules *rules, const ij_stat_cell *numerator,
                              const ij_stat_cell *denominator);

/* Age bands of the statistics filter ("10-17", "18-24", "25+": age on the offence date):
 * IJ_OK with the inclusive bounds, IJ_ERR_INVALID for another string. */
ij_err ij_stats_age_band_parse(const char *s, int *min_age, int *max_age);
/* Outcomes that count towards the attendance rate's denominator: every outcome except
 * cancelled, rescheduled and absent_acceptable (the numerator: ij_outcome_attended). */
bool ij_stats_attendance_counted(ij_outcome o);
/* The default statistics period: the 12 months to `today` (from = today - 12 months + 1 day). */
ij_date ij_stats_default_from(ij_date today);
#define IJ_STATS_MAX_MONTHS 120 /* the longest period the statistics accept */
/* Months from the month of `from` to the month of `to`, both counted (1 for the same month). */
int ij_stats_months_between(ij_date from, ij_date to);

/* ---- under-18s and non-associations --------------------------------------------------------- */
/* Relationships a parent or guardian may have to the person. */
#define IJ_GUARDIAN_RELATIONSHIP_LIST(X) \
  X("parent")                            \
  X("step_parent")                       \
  X("grandparent")                       \
  X("other_relative")                    \
  X("foster_carer")                      \
  X("special_guardian")                  \
  X("local_authority")                   \
  X("other")

#define IJ_ADULT_AGE 18
/* Whether a referral made on `referred_on` of a person born on `date_of_birth` must record a
 * parent or guardian and their consent: under IJ_ADULT_AGE on the day of referral (the day the
 * consent to take part is given), not on the offence date. */
bool ij_domain_guardian_required(ij_date date_of_birth, ij_date referred_on);

/* What one guardian field must hold when a guardian is required, one row per field (the fields
 * named in a 422): a table the validator walks. */
typedef struct {
  const char *field;                         /* its JSON path, e.g. "guardian.name" */
  bool (*given)(const ij_guardian_input *g); /* whether g holds what the row asks for */
  const char *message;                       /* the field error when it does not */
} ij_guardian_rule;
/* The rows (borrowed, static) and how many. */
const ij_guardian_rule *ij_domain_guardian_rules(int *count);

/* Why two people are kept apart. */
#define IJ_NON_ASSOCIATION_REASON_LIST(X) \
  X("co_offenders")                       \
  X("victim")                             \
  X("safeguarding")                       \
  X("other")

/* A non-association to record, as decoded: the two ids (of people or of referrals, as given),
 * the reason and notes. */
typedef struct {
  const char *ids[2];    /* canonical UUIDs, or NULL where not one */
  int id_count;          /* how many ids were given (-1: none of person_ids/referral_ids) */
  const char *ids_field; /* "person_ids" or "referral_ids" */
  const char *reason;
  const char *notes;
} ij_non_association_input;

/* Validates a non-association: exactly two ids, both valid and different; a reason of
 * IJ_NON_ASSOCIATION_REASON_LIST; notes at most IJ_MAX_NOTE bytes, required for "other". IJ_OK, or
 * IJ_ERR_INVALID with every problem in errs. */
ij_err ij_domain_non_association_validate(const ij_non_association_input *in,
                                          ij_field_errors *errs);
/* Whether two people (resolved from the ids) may be kept apart: not one person. IJ_ERR_INVALID
 * with a field error on ids_field when the two ids name one person. */
ij_err ij_domain_non_association_people(const char *person_a, const char *person_b,
                                        const char *ids_field, ij_field_errors *errs);
/* Why a non-association is ended, optional (NULL is IJ_OK): else 1 to
 * IJ_NON_ASSOCIATION_END_REASON_MAX characters of well-formed UTF-8, not blank, without control
 * characters. IJ_ERR_INVALID with a field error on "reason". */
#define IJ_NON_ASSOCIATION_END_REASON_MAX 500 /* characters */
ij_err ij_domain_non_association_end_reason(const char *reason, ij_field_errors *errs);

#endif
