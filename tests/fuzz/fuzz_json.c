/* libFuzzer harness: request bodies. Arbitrary bytes are parsed as the HTTP layer parses a body
 * (json_loadb with JSON_REJECT_DUPLICATES); an object is then decoded into the input of every
 * domain validator a request reaches (referrals, transitions, outcomes, follow-ups, placements,
 * sessions) the way service/http decodes it, and each string member goes through the date and
 * time parsers. The http layer's decoders are static beside their handlers and use ulfius, so the
 * small decoder here repeats their rules (ij_json_str/int/bool/obj in service/http/respond.c). */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ij/domain.h"

#define NOW_US (INT64_C(1767268800) * IJ_US_PER_SECOND) /* 2026-01-01T12:00:00Z */

/* The rules of service/http/respond.c's ij_json_* helpers; errors go to errs. */
static const char *jstr(json_t *obj, const char *key, ij_field_errors *errs) {
  json_t *v = json_object_get(obj, key);
  if (!v || json_is_null(v))
    return NULL;
  if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v)) {
    ij_field_errors_add(errs, key, "must be a string without NUL");
    return NULL;
  }
  return json_string_value(v);
}

static int jbool(json_t *obj, const char *key, ij_field_errors *errs) {
  json_t *v = json_object_get(obj, key);
  if (!v || json_is_null(v))
    return -1;
  if (!json_is_boolean(v)) {
    ij_field_errors_add(errs, key, "must be true or false");
    return -1;
  }
  return json_is_true(v);
}

static bool jint(json_t *obj, const char *key, int *out, ij_field_errors *errs) {
  json_t *v = json_object_get(obj, key);
  if (!v || json_is_null(v))
    return false;
  if (!json_is_integer(v) || json_integer_value(v) < -1000000 || json_integer_value(v) > 1000000) {
    ij_field_errors_add(errs, key, "must be a whole number");
    return false;
  }
  *out = (int)json_integer_value(v);
  return true;
}

static json_t *jobj(json_t *obj, const char *key, ij_field_errors *errs) {
  json_t *v = json_object_get(obj, key);
  if (!v || json_is_null(v))
    return NULL;
  if (!json_is_object(v)) {
    ij_field_errors_add(errs, key, "must be an object");
    return NULL;
  }
  return v;
}

static const ij_area_rules RULES = {2, 20, 7, 48};

/* Every field error is a NUL-terminated string inside its array. */
static void check_errors(const ij_field_errors *errs) {
  if (errs->count < 0 || errs->count > IJ_FIELD_ERRORS_MAX)
    abort();
  for (int i = 0; i < errs->count; i++)
    if (!memchr(errs->items[i].field, 0, sizeof errs->items[i].field) ||
        !memchr(errs->items[i].message, 0, sizeof errs->items[i].message))
      abort();
}

/* POST /v1/referrals (decode_referral in service/http/referrals.c). */
static void fuzz_referral(json_t *body) {
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  ij_referral_input in;
  memset(&in, 0, sizeof in);
  in.consent_recorded = in.victim_consulted = in.victim_keep_updated = -1;
  json_t *person = jobj(body, "person", &errs);
  if (person) {
    ij_person_input *p = &in.person;
    p->name = jstr(person, "name", &errs);
    p->date_of_birth = jstr(person, "date_of_birth", &errs);
    p->phone = jstr(person, "phone", &errs);
    p->email = jstr(person, "email", &errs);
    p->address = jstr(person, "address", &errs);
    p->postcode = jstr(person, "postcode", &errs);
    p->police_id = jstr(person, "police_id", &errs);
    p->needs_notes = jstr(person, "needs_notes", &errs);
    p->risk_notes = jstr(person, "risk_notes", &errs);
  }
  json_t *offence = jobj(body, "offence", &errs);
  if (offence) {
    in.offence_date = jstr(offence, "date", &errs);
    in.offence_category = jstr(offence, "category", &errs);
    in.offence_description = jstr(offence, "description", &errs);
    in.offence_location = jstr(offence, "location", &errs);
    in.ward = jstr(offence, "ward", &errs);
  }
  in.disposal = jstr(body, "disposal", &errs);
  in.consent_recorded = jbool(body, "consent_recorded", &errs);
  in.has_hours_proposed = jint(body, "hours_proposed", &in.hours_proposed, &errs);
  json_t *victim = jobj(body, "victim", &errs);
  if (victim) {
    in.has_victim = true;
    in.victim_consulted = jbool(victim, "consulted", &errs);
    in.victim_preference = jstr(victim, "preference", &errs);
    in.victim_keep_updated = jbool(victim, "keep_updated", &errs);
    in.victim_contact = jstr(victim, "contact", &errs);
  }
  /* the handler validates even when decoding found problems only if there were none; do both */
  ij_referral_derived out;
  ij_field_errors verrs;
  ij_field_errors_init(&verrs);
  ij_err err = ij_domain_referral_validate(&in, &RULES, NOW_US, &out, &verrs);
  check_errors(&errs);
  check_errors(&verrs);
  if (err == IJ_OK && (verrs.count != 0 || out.hours_proposed < RULES.hours_min ||
                       out.hours_proposed > RULES.hours_max || out.target_start_by <= NOW_US))
    abort();
  if (err != IJ_OK && err != IJ_ERR_INVALID)
    abort();
}

/* POST /v1/referrals/{id}/transitions, against every state and a spread of actors. */
static void fuzz_transition(json_t *body) {
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  ij_transition_request req;
  memset(&req, 0, sizeof req);
  const char *event = jstr(body, "event", &errs);
  if (!event || ij_event_parse(event, &req.event) != IJ_OK)
    return;
  req.has_hours_confirmed = jint(body, "hours_confirmed", &req.hours_confirmed, &errs);
  req.suitability_notes = jstr(body, "suitability_notes", &errs);
  req.reason_code = jstr(body, "reason_code", &errs);
  req.reason = jstr(body, "reason", &errs);
  static const ij_actor actors[] = {
      {"officer-1", "Officer One", "derbyshire", IJ_ROLE_OFFICER},
      {"officer-2", "Officer Two", "derbyshire", IJ_ROLE_OFFICER},
      {"coord-1", "Coordinator", "derbyshire", IJ_ROLE_COORDINATOR},
      {"super-1", "Supervisor", "derbyshire", IJ_ROLE_SUPERVISOR},
      {"admin-1", "Admin", "derbyshire", IJ_ROLE_ADMIN | IJ_ROLE_COMMISSIONER},
      {"both-1", "Both", "derbyshire", IJ_ROLE_OFFICER | IJ_ROLE_COORDINATOR},
  };
  for (int s = 0; s < IJ_STATE__COUNT; s++) {
    for (size_t a = 0; a < sizeof actors / sizeof actors[0]; a++) {
      for (int breaches = 0; breaches <= 2; breaches++) {
        ij_referral_facts facts = {(ij_state)s,   "officer-1",  7,
                                   60 * breaches, breaches,     breaches,
                                   breaches,      breaches > 0, s == IJ_STATE_CLOSED};
        ij_decision d;
        unsigned allowed = 0;
        ij_field_errors derrs;
        ij_field_errors_init(&derrs);
        ij_err err = ij_domain_decide(&actors[a], &facts, &req, &RULES, true, &d, &allowed, &derrs);
        check_errors(&derrs);
        if (err == IJ_OK) {
          /* a decided event is one the table allows: the roles and the state agree */
          if ((unsigned)d.to >= IJ_STATE__COUNT || !(d.acting_role & actors[a].roles))
            abort();
          if (!(ij_domain_allowed_events(&actors[a], &facts) & (1u << req.event)))
            abort();
        }
      }
    }
  }
}

/* POST /v1/bookings/{id}/outcome. */
static void fuzz_outcome(json_t *body) {
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  ij_outcome_input in;
  memset(&in, 0, sizeof in);
  const char *outcome = jstr(body, "outcome", &errs);
  if (!outcome || ij_outcome_parse(outcome, &in.outcome) != IJ_OK)
    return;
  in.absence_reason = jstr(body, "absence_reason", &errs);
  in.has_penalty = jint(body, "penalty_minutes", &in.penalty_minutes, &errs);
  in.behaviour = jstr(body, "behaviour", &errs);
  in.work_quality = jstr(body, "work_quality", &errs);
  in.notes = jstr(body, "notes", &errs);
  in.amendment_reason = jstr(body, "amendment_reason", &errs);
  in.has_rescheduled_session = jstr(body, "rescheduled_session_id", &errs) != NULL;
  const ij_time_us start = NOW_US - 4 * IJ_US_PER_HOUR, end = NOW_US - IJ_US_PER_HOUR;
  for (int previous = -1; previous < IJ_OUTCOME__COUNT; previous++) {
    ij_booking_facts booking = {.has_outcome = previous >= 0,
                                .previous = previous >= 0 ? (ij_outcome)previous : 0,
                                .previous_minutes = previous >= 0 ? 180 : 0,
                                .holds_place = true,
                                .starts_at = start,
                                .ends_at = end};
    for (int s = 0; s < IJ_STATE__COUNT; s++) {
      ij_referral_facts referral = {(ij_state)s, "officer-1", 7, 120, 1, 0, 1, true, false};
      ij_outcome_effect effect;
      ij_field_errors oerrs;
      ij_field_errors_init(&oerrs);
      ij_err err = ij_domain_outcome_decide(&in, &booking, &referral, NOW_US, &effect, &oerrs);
      check_errors(&oerrs);
      if (err == IJ_OK && (effect.minutes_credited < 0 || effect.minutes_credited > 180 ||
                           effect.breaches_delta < -1 || effect.breaches_delta > 1))
        abort();
    }
  }
}

/* PATCH /v1/followups/{id}. */
static void fuzz_followup(json_t *body) {
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  ij_followup_input in;
  memset(&in, 0, sizeof in);
  in.reoffended = jbool(body, "reoffended", &errs);
  in.first_reoffence_on = jstr(body, "first_reoffence_on", &errs);
  in.category = jstr(body, "reoffence_category", &errs);
  in.source = jstr(body, "source", &errs);
  ij_date exited = 0, today = ij_time_date(NOW_US);
  ij_date_parse("2025-06-01", &exited);
  for (int w = 0; w < IJ_FOLLOWUP_WINDOW_COUNT; w++) {
    for (int recorded = 0; recorded <= 1; recorded++) {
      ij_followup_facts facts = {exited, ij_domain_followup_due(exited, ij_followup_windows[w]),
                                 recorded};
      ij_followup_result res;
      ij_field_errors ferrs;
      ij_field_errors_init(&ferrs);
      ij_err err = ij_domain_followup_validate(&in, &facts, today, &res, &ferrs);
      check_errors(&ferrs);
      if (err == IJ_OK && res.reoffended &&
          (res.first_reoffence_on < exited || res.first_reoffence_on > today))
        abort();
    }
  }
}

/* POST /v1/placements and PATCH /v1/placements/{id} (decode_placement). */
static void fuzz_placement(json_t *body) {
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  ij_placement_input in;
  memset(&in, 0, sizeof in);
  in.name = jstr(body, "name", &errs);
  in.type = jstr(body, "type", &errs);
  in.provider = jstr(body, "provider", &errs);
  in.ward = jstr(body, "ward", &errs);
  if (json_object_get(body, "location")) {
    in.has_location = true;
    in.location = jstr(body, "location", &errs);
  }
  in.has_min_age = jint(body, "min_age", &in.min_age, &errs);
  in.active = jbool(body, "active", &errs);
  json_t *sup = jobj(body, "supervisor", &errs);
  if (sup) {
    in.has_supervisor = true;
    in.supervisor_sub = jstr(sup, "sub", &errs);
    in.supervisor_name = jstr(sup, "name", &errs);
  }
  for (int create = 0; create <= 1; create++) {
    ij_field_errors perrs;
    ij_field_errors_init(&perrs);
    ij_err err = ij_domain_placement_validate(&in, create, &perrs);
    check_errors(&perrs);
    if ((err == IJ_OK) != (perrs.count == 0))
      abort();
  }
}

/* POST /v1/placements/{id}/sessions and PATCH /v1/sessions/{id} (decode_session). */
static void fuzz_session(json_t *body) {
  for (int create = 0; create <= 1; create++) {
    ij_field_errors errs;
    ij_field_errors_init(&errs);
    ij_session_input in;
    memset(&in, 0, sizeof in);
    in.cancelled = -1;
    if (create) {
      in.starts_at = jstr(body, "starts_at", &errs);
      in.ends_at = jstr(body, "ends_at", &errs);
    } else {
      in.cancelled = jbool(body, "cancelled", &errs);
    }
    in.has_capacity = jint(body, "capacity", &in.capacity, &errs);
    json_t *sup = jobj(body, "supervisor", &errs);
    if (sup) {
      in.has_supervisor = true;
      in.supervisor_sub = jstr(sup, "sub", &errs);
      in.supervisor_name = jstr(sup, "name", &errs);
    }
    ij_session_times times;
    ij_field_errors serrs;
    ij_field_errors_init(&serrs);
    ij_err err = ij_domain_session_validate(&in, create, NOW_US, create ? &times : NULL, &serrs);
    check_errors(&serrs);
    if (create && err == IJ_OK &&
        (times.ends_at <= times.starts_at ||
         times.ends_at - times.starts_at > IJ_SESSION_MAX_HOURS * IJ_US_PER_HOUR ||
         times.starts_at < NOW_US - IJ_SESSION_PAST_GRACE_US))
      abort();
  }
}

/* Dates and times: a parsed date formats back to the same text; a parsed time formats to text
 * that parses to the same instant. */
static void fuzz_string(const char *s) {
  ij_date d;
  if (ij_date_parse(s, &d) == IJ_OK) {
    char buf[IJ_DATE_BUF];
    ij_date_format(d, buf);
    if (strcmp(buf, s) != 0)
      abort();
  }
  ij_time_us t, again;
  if (ij_time_parse(s, &t) == IJ_OK) {
    char buf[IJ_TIME_BUF];
    ij_time_format(t, buf);
    if (ij_time_parse(buf, &again) != IJ_OK || again != t)
      abort();
  }
  ij_state st;
  ij_event ev;
  ij_roles role;
  ij_outcome oc;
  int lo, hi;
  (void)ij_state_parse(s, &st);
  (void)ij_event_parse(s, &ev);
  (void)ij_role_parse(s, &role);
  (void)ij_outcome_parse(s, &oc);
  if (ij_stats_age_band_parse(s, &lo, &hi) == IJ_OK && lo > hi)
    abort();
}

static void fuzz_strings(json_t *v, int depth) {
  if (depth > 8)
    return;
  if (json_is_string(v)) {
    fuzz_string(json_string_value(v));
  } else if (json_is_object(v)) {
    const char *key;
    json_t *m;
    json_object_foreach(v, key, m) {
      fuzz_string(key);
      fuzz_strings(m, depth + 1);
    }
  } else if (json_is_array(v)) {
    size_t i;
    json_t *m;
    json_array_foreach(v, i, m) fuzz_strings(m, depth + 1);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  json_error_t jerr;
  json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
  if (!body)
    return 0;
  if (json_is_object(body)) {
    fuzz_referral(body);
    fuzz_transition(body);
    fuzz_outcome(body);
    fuzz_followup(body);
    fuzz_placement(body);
    fuzz_session(body);
  }
  fuzz_strings(body, 0);
  json_decref(body);
  return 0;
}
