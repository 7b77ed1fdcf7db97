/* The referral state machine: one transition table, from which ij_domain_decide and
 * ij_domain_allowed_events are derived, plus the data each event carries and its guards. */
#include <string.h>

#include "domain_internal.h"

#define ST(s) (1u << (s))

/* One row per event, indexed by event: the referral lifecycle of README.md and
 * docs/api-contract.md. */
#define FROM_SUBMITTED ST(IJ_STATE_SUBMITTED)
#define FROM_ACCEPTED ST(IJ_STATE_ACCEPTED)
#define FROM_SCHEDULED ST(IJ_STATE_SCHEDULED)
#define FROM_IN_PROGRESS ST(IJ_STATE_IN_PROGRESS)
#define FROM_COMPLETED ST(IJ_STATE_COMPLETED)
#define FROM_NON_COMPLIANT ST(IJ_STATE_NON_COMPLIANT)
#define OFFICER IJ_ROLE_OFFICER
#define COORDINATOR IJ_ROLE_COORDINATOR
#define SUPERVISOR IJ_ROLE_SUPERVISOR
#define SYSTEM IJ_ROLE_SYSTEM
#define EXIT IJ_EFFECT_EXIT
#define COMPLETION IJ_EFFECT_COMPLETION
#define WARNING IJ_EFFECT_WARNING
#define CANCEL_BOOKINGS IJ_EFFECT_CANCEL_BOOKINGS
/* clang-format off */
static const ij_transition_rule k_transitions[IJ_EVENT__COUNT] = {
  /* [event] = {event, from states,
                to state, who may fire it, sent by a client, state stays, effects} */
  [IJ_EVENT_CREATE] = {
    IJ_EVENT_CREATE, 0u,
    IJ_STATE_SUBMITTED, OFFICER, false, false, 0},
  [IJ_EVENT_ACCEPT] = {
    IJ_EVENT_ACCEPT, FROM_SUBMITTED,
    IJ_STATE_ACCEPTED, COORDINATOR, true, false, 0},
  [IJ_EVENT_REJECT] = {
    IJ_EVENT_REJECT, FROM_SUBMITTED,
    IJ_STATE_REJECTED, COORDINATOR, true, false, 0},
  [IJ_EVENT_BOOK] = {
    IJ_EVENT_BOOK, FROM_ACCEPTED,
    IJ_STATE_SCHEDULED, COORDINATOR | SYSTEM, false, false, 0},
  [IJ_EVENT_UNBOOK] = {
    IJ_EVENT_UNBOOK, FROM_SCHEDULED,
    IJ_STATE_ACCEPTED, COORDINATOR | SYSTEM, false, false, 0},
  [IJ_EVENT_ATTEND] = {
    IJ_EVENT_ATTEND, FROM_SCHEDULED,
    IJ_STATE_IN_PROGRESS, COORDINATOR | SUPERVISOR | SYSTEM, false, false, 0},
  [IJ_EVENT_COMPLETE] = {
    IJ_EVENT_COMPLETE, FROM_SCHEDULED | FROM_IN_PROGRESS,
    IJ_STATE_COMPLETED, SYSTEM, false, false, EXIT | COMPLETION},
  [IJ_EVENT_DECLARE_NON_COMPLIANCE] = {
    IJ_EVENT_DECLARE_NON_COMPLIANCE, FROM_SCHEDULED | FROM_IN_PROGRESS,
    IJ_STATE_NON_COMPLIANT, COORDINATOR, true, false, EXIT | CANCEL_BOOKINGS},
  [IJ_EVENT_WITHDRAW] = {
    IJ_EVENT_WITHDRAW, FROM_SUBMITTED | FROM_ACCEPTED | FROM_SCHEDULED | FROM_IN_PROGRESS,
    IJ_STATE_WITHDRAWN, OFFICER | COORDINATOR, true, false, CANCEL_BOOKINGS},
  [IJ_EVENT_CLOSE] = {
    IJ_EVENT_CLOSE, FROM_COMPLETED | FROM_NON_COMPLIANT,
    IJ_STATE_CLOSED, SYSTEM, false, false, 0},
  /* Enforcement warnings: recorded in the history, the state stays as it is. */
  [IJ_EVENT_FIRST_WARNING] = {
    IJ_EVENT_FIRST_WARNING, FROM_SCHEDULED | FROM_IN_PROGRESS,
    IJ_STATE_SCHEDULED /* unused */, COORDINATOR, true, true, WARNING},
  [IJ_EVENT_SECOND_WARNING] = {
    IJ_EVENT_SECOND_WARNING, FROM_SCHEDULED | FROM_IN_PROGRESS,
    IJ_STATE_SCHEDULED /* unused */, COORDINATOR, true, true, WARNING},
};
/* clang-format on */
#undef FROM_SUBMITTED
#undef FROM_ACCEPTED
#undef FROM_SCHEDULED
#undef FROM_IN_PROGRESS
#undef FROM_COMPLETED
#undef FROM_NON_COMPLIANT
#undef OFFICER
#undef COORDINATOR
#undef SUPERVISOR
#undef SYSTEM
#undef EXIT
#undef COMPLETION
#undef WARNING
#undef CANCEL_BOOKINGS

/* The data fields of a transition request. */
enum {
  F_REASON_CODE = 1u << 0,
  F_REASON = 1u << 1,
  F_HOURS_CONFIRMED = 1u << 2,
  F_SUITABILITY_NOTES = 1u << 3,
};

/* What each event carries: the fields it uses, those it requires, and its reason-code list.
 * Any field an event does not use must be absent. */
static const struct {
  unsigned uses;
  unsigned required;
  const char *reason_kind;
} k_event_data[IJ_EVENT__COUNT] = {
    /* the hours confirmed are the proposed ones when not given */
    [IJ_EVENT_ACCEPT] = {F_HOURS_CONFIRMED | F_SUITABILITY_NOTES, F_SUITABILITY_NOTES, NULL},
    [IJ_EVENT_REJECT] = {F_REASON_CODE | F_REASON, F_REASON_CODE, "reject"},
    [IJ_EVENT_DECLARE_NON_COMPLIANCE] = {F_REASON_CODE | F_REASON, F_REASON_CODE | F_REASON,
                                         "non_compliance"},
    [IJ_EVENT_WITHDRAW] = {F_REASON_CODE | F_REASON, F_REASON_CODE, "withdraw"},
    [IJ_EVENT_FIRST_WARNING] = {F_REASON_CODE | F_REASON, F_REASON_CODE, "warning"},
    [IJ_EVENT_SECOND_WARNING] = {F_REASON_CODE | F_REASON, F_REASON_CODE, "warning"},
};

const ij_transition_rule *ij_domain_transitions(size_t *count) {
  if (count != NULL) {
    *count = sizeof k_transitions / sizeof k_transitions[0];
  }
  return k_transitions;
}

const char *ij_domain_reason_kind(ij_event e) {
  return (unsigned)e < IJ_EVENT__COUNT ? k_event_data[e].reason_kind : NULL;
}

static bool owns_referral(const ij_actor *actor, const ij_referral_facts *facts) {
  return actor->sub != NULL && facts->officer_sub != NULL &&
         strcmp(actor->sub, facts->officer_sub) == 0;
}

/* The actor's roles under which it may fire the rule's event on this referral. An officer acts
 * only on their own referrals (of the events on an existing referral, that is withdraw). */
ij_roles ij_domain_effective_roles(const ij_transition_rule *rule, const ij_actor *actor,
                                   const ij_referral_facts *facts) {
  ij_roles roles = rule->roles & actor->roles;
  if (rule->from_mask != 0 && (roles & IJ_ROLE_OFFICER) && !owns_referral(actor, facts)) {
    roles &= ~(ij_roles)IJ_ROLE_OFFICER;
  }
  return roles;
}

static bool check_facts(ij_event event, const ij_referral_facts *facts, ij_field_errors *errs);

/* What may be sent now: the state allows it, a role of the actor may send it, and the referral's
 * recorded facts would not refuse it (a second warning needs a first one and a further breach). */
unsigned ij_domain_allowed_events(const ij_actor *actor, const ij_referral_facts *facts) {
  if (actor == NULL || facts == NULL || (unsigned)facts->state >= IJ_STATE__COUNT) {
    return 0;
  }
  unsigned mask = 0;
  for (size_t i = 0; i < sizeof k_transitions / sizeof k_transitions[0]; i++) {
    const ij_transition_rule *rule = &k_transitions[i];
    if (rule->client && (rule->from_mask & ST(facts->state)) != 0 &&
        ij_domain_effective_roles(rule, actor, facts) != 0 &&
        check_facts(rule->event, facts, NULL)) {
      mask |= 1u << rule->event;
    }
  }
  return mask;
}

/* Checks the request's fields against what the event carries; returns the number of problems. */
static int check_request(const ij_transition_request *req, const ij_area_rules *rules,
                         ij_field_errors *errs) {
  const char *event = ij_event_name(req->event);
  unsigned uses = k_event_data[req->event].uses;
  unsigned required = k_event_data[req->event].required;
  int problems = 0;

  if (req->reason_code != NULL && !(uses & F_REASON_CODE)) {
    ij_field_errors_add(errs, "reason_code", "is not used by the %s event", event);
    problems++;
  } else if (req->reason_code == NULL && (required & F_REASON_CODE)) {
    ij_field_errors_add(errs, "reason_code", "is required");
    problems++;
  } else if (req->reason_code != NULL && !ij_text_is_code(req->reason_code, IJ_MAX_CODE, "_")) {
    ij_field_errors_add(errs, "reason_code",
                        "must be a reason code of 1 to %d characters a-z, 0-9 and _", IJ_MAX_CODE);
    problems++;
  }

  if (req->reason != NULL && !(uses & F_REASON)) {
    ij_field_errors_add(errs, "reason", "is not used by the %s event", event);
    problems++;
  } else if (req->reason == NULL && (required & F_REASON)) {
    ij_field_errors_add(errs, "reason", "is required");
    problems++;
  } else if (req->reason != NULL && (required & F_REASON) && ij_text_is_blank(req->reason)) {
    ij_field_errors_add(errs, "reason", "must not be blank");
    problems++;
  } else if (req->reason != NULL && strlen(req->reason) > IJ_MAX_NOTE) {
    ij_field_errors_add(errs, "reason", "is too long (at most %d bytes)", IJ_MAX_NOTE);
    problems++;
  }

  if (req->has_hours_confirmed && !(uses & F_HOURS_CONFIRMED)) {
    ij_field_errors_add(errs, "hours_confirmed", "is not used by the %s event", event);
    problems++;
  } else if (!req->has_hours_confirmed && (required & F_HOURS_CONFIRMED)) {
    ij_field_errors_add(errs, "hours_confirmed", "is required");
    problems++;
  } else if (req->has_hours_confirmed &&
             (req->hours_confirmed < rules->hours_min || req->hours_confirmed > rules->hours_max)) {
    ij_field_errors_add(errs, "hours_confirmed", "must be between %d and %d hours",
                        rules->hours_min, rules->hours_max);
    problems++;
  }

  if (req->suitability_notes != NULL && !(uses & F_SUITABILITY_NOTES)) {
    ij_field_errors_add(errs, "suitability_notes", "is not used by the %s event", event);
    problems++;
  } else if (req->suitability_notes == NULL && (required & F_SUITABILITY_NOTES)) {
    ij_field_errors_add(errs, "suitability_notes", "is required");
    problems++;
  } else if (req->suitability_notes != NULL && ij_text_is_blank(req->suitability_notes)) {
    ij_field_errors_add(errs, "suitability_notes", "must not be blank");
    problems++;
  } else if (req->suitability_notes != NULL && strlen(req->suitability_notes) > IJ_MAX_NOTE) {
    ij_field_errors_add(errs, "suitability_notes", "is too long (at most %d bytes)", IJ_MAX_NOTE);
    problems++;
  }
  return problems;
}

/* Checks what the referral's recorded facts require of the event; false with an error on
 * "event" when they do not allow it. */
static bool check_facts(ij_event event, const ij_referral_facts *facts, ij_field_errors *errs) {
  switch (event) {
  case IJ_EVENT_UNBOOK:
    if (facts->active_bookings != 0 || facts->attended) {
      ij_field_errors_add(errs, "event",
                          "unbook needs every booking cancelled and no session attended");
      return false;
    }
    return true;
  case IJ_EVENT_COMPLETE:
    if (facts->minutes_credited < (int64_t)facts->hours_required * 60) {
      ij_field_errors_add(errs, "event",
                          "complete needs %d hours credited; %lld minutes are credited so far",
                          facts->hours_required, (long long)facts->minutes_credited);
      return false;
    }
    return true;
  case IJ_EVENT_DECLARE_NON_COMPLIANCE:
    if (facts->unacceptable_absences < 1) {
      ij_field_errors_add(errs, "event",
                          "at least one unacceptable absence or failure to comply must be "
                          "recorded before declaring non-compliance");
      return false;
    }
    return true;
  case IJ_EVENT_FIRST_WARNING:
    if (facts->warnings != 0) {
      ij_field_errors_add(errs, "event",
                          "a first warning has already been given (%d warnings recorded)",
                          facts->warnings);
      return false;
    }
    if (facts->unacceptable_absences < 1) {
      ij_field_errors_add(errs, "event",
                          "a first warning needs an unacceptable absence, failure to comply or "
                          "sending home for behaviour recorded");
      return false;
    }
    return true;
  case IJ_EVENT_SECOND_WARNING:
    if (facts->warnings != 1) {
      ij_field_errors_add(errs, "event",
                          facts->warnings < 1
                              ? "a second warning needs a first warning given before it"
                              : "a second warning has already been given");
      return false;
    }
    if (facts->unacceptable_absences < 2) {
      ij_field_errors_add(errs, "event",
                          "a second warning needs a further breach after the one first warned "
                          "about (%d recorded, 2 needed)",
                          facts->unacceptable_absences);
      return false;
    }
    return true;
  case IJ_EVENT_CLOSE:
    if (!facts->last_check_recorded) {
      ij_field_errors_add(errs, "event",
                          "the last reoffending check must be recorded before closing");
      return false;
    }
    return true;
  default:
    return true;
  }
}

ij_err ij_domain_decide(const ij_actor *actor, const ij_referral_facts *facts,
                        const ij_transition_request *req, const ij_area_rules *rules,
                        bool from_client, ij_decision *out, unsigned *allowed_events,
                        ij_field_errors *errs) {
  if (allowed_events != NULL) {
    *allowed_events = 0;
  }
  if (actor == NULL || facts == NULL || req == NULL || out == NULL ||
      (unsigned)facts->state >= IJ_STATE__COUNT) {
    return IJ_ERR_INTERNAL;
  }
  memset(out, 0, sizeof *out);
  rules = ij_domain_rules_or_default(rules);
  if ((unsigned)req->event >= IJ_EVENT__COUNT) {
    ij_field_errors_add(errs, "event", "is not a known event");
    return IJ_ERR_INVALID;
  }
  const ij_transition_rule *rule = &k_transitions[req->event];
  const char *event = ij_event_name(req->event);

  /* 1. role */
  ij_roles roles = ij_domain_effective_roles(rule, actor, facts);
  if (roles == 0) {
    if (rule->roles & actor->roles) {
      ij_field_errors_add(errs, "event", "only the referring officer or a coordinator may %s",
                          event);
    } else {
      ij_field_errors_add(errs, "event", "your role may not %s", event);
    }
    return IJ_ERR_FORBIDDEN;
  }

  /* 2. client flag */
  if (from_client && !rule->client) {
    ij_field_errors_add(errs, "event", "%s is done by the service itself and cannot be sent",
                        event);
    return IJ_ERR_INVALID;
  }

  /* 3. state */
  if ((rule->from_mask & ST(facts->state)) == 0) {
    if (allowed_events != NULL) {
      *allowed_events = ij_domain_allowed_events(actor, facts);
    }
    ij_field_errors_add(errs, "event", "%s is not allowed in state %s", event,
                        ij_state_name(facts->state));
    return IJ_ERR_TRANSITION;
  }

  /* 4. the request's data */
  if (check_request(req, rules, errs) > 0) {
    return IJ_ERR_INVALID;
  }

  /* 5. the referral's recorded facts */
  if (!check_facts(req->event, facts, errs)) {
    return IJ_ERR_CONFLICT;
  }

  out->from = facts->state;
  out->to = rule->stays ? facts->state : rule->to;
  out->acting_role = roles & (~roles + 1u); /* the lowest role bit */
  out->reason_kind = k_event_data[req->event].reason_kind;
  out->hours_required = req->event == IJ_EVENT_ACCEPT && req->has_hours_confirmed
                            ? req->hours_confirmed
                            : facts->hours_required;
  out->hours_confirmed = req->event == IJ_EVENT_ACCEPT ? out->hours_required : 0;
  out->effects = rule->effects;
  out->warnings_delta = (rule->effects & IJ_EFFECT_WARNING) ? 1 : 0;
  return IJ_OK;
}

int ij_domain_hours_required(int hours_confirmed, int hours_proposed) {
  return hours_confirmed > 0 ? hours_confirmed : hours_proposed;
}

bool ij_domain_victim_updated(int keep_updated, bool has_contact) {
  return keep_updated == 1 && has_contact;
}
