/* Referral operations a person asks for: making a referral, the lifecycle events a client sends
 * (accept, reject, withdraw, declare non-compliance, warnings), and reading referrals. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops_internal.h"
#include "ij/str.h"

/* The rules of the caller's area; an area the service does not know is refused. */
static ij_err rules_of(ij_conn *conn, const ij_op_ctx *op, ij_area_rules *rules) {
  ij_err err = ij_ops_area_rules(conn, op, rules);
  return err == IJ_ERR_NOT_FOUND ? IJ_ERR_FORBIDDEN : err;
}

static void referral_of(const ij_op_ctx *op, const ij_actor *actor, const ij_referral_input *in,
                        const ij_referral_derived *derived, ij_referral *r) {
  memset(r, 0, sizeof *r);
  ij_uuid_new(r->id);
  ij_uuid_new(r->person_id);
  r->area = op->area;
  r->state = IJ_STATE_SUBMITTED;
  r->version = 1;
  r->person_name = in->person.name;
  r->date_of_birth = derived->date_of_birth;
  r->phone = in->person.phone;
  r->email = in->person.email;
  r->address = in->person.address;
  r->postcode = in->person.postcode;
  r->police_id = in->person.police_id;
  r->needs_notes = in->person.needs_notes;
  r->risk_notes = in->person.risk_notes;
  r->offence_date = derived->offence_date;
  r->offence_category = in->offence_category;
  r->offence_description = in->offence_description;
  r->offence_location = in->offence_location;
  r->ward = in->ward;
  r->disposal = in->disposal;
  r->consent_recorded = true;
  r->hours_proposed = derived->hours_proposed;
  r->has_victim = in->has_victim;
  r->victim_consulted = in->victim_consulted;
  r->victim_preference = in->victim_preference;
  r->victim_keep_updated = in->victim_keep_updated;
  r->victim_contact = in->victim_contact;
  r->guardian_consent = -1;
  if (in->has_guardian) {
    r->guardian_name = in->guardian.name;
    r->guardian_relationship = in->guardian.relationship;
    r->guardian_phone = in->guardian.phone;
    r->guardian_email = in->guardian.email;
    r->guardian_consent = in->guardian.consent;
  }
  r->contact_consent = in->contact_consent == 1;
  r->message_language = in->message_language ? in->message_language : "en";
  r->do_not_message = in->person.do_not_message == 1;
  r->officer_sub = actor->sub;
  r->officer_name = actor->name;
  r->target_start_by = derived->target_start_by;
  r->created_at = r->updated_at = op->now;
}

/* The role an actor makes a referral under: officer when they hold it. */
static const char *creating_role(const ij_actor *actor) {
  ij_roles r = actor->roles & IJ_ROLE_OFFICER;
  if (!r)
    r = actor->roles;
  return ij_role_name(r & (~r + 1)); /* the lowest bit */
}

/* A retry of a request whose key is recorded: the kept response, or IJ_ERR_IDEMPOTENCY when the
 * key came with another request. */
static ij_err replay_of(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                        const ij_create_request *req, ij_created *out) {
  char hash[65];
  ij_replay kept;
  ij_err err =
      ij_store_idempotency_get(conn, op->area, actor->sub, req->idempotency_key, hash, &kept);
  if (err == IJ_ERR_NOT_FOUND)
    return IJ_ERR_CONFLICT; /* recorded and gone again: cannot happen, keys are kept */
  if (err != IJ_OK)
    return err;
  if (strcmp(hash, req->request_hash) != 0) {
    free(kept.response);
    return IJ_ERR_IDEMPOTENCY;
  }
  out->replayed = true;
  out->status = kept.status;
  out->response = kept.response;
  return IJ_OK;
}

ij_err ij_ops_referral_create(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                              const ij_referral_input *in, const ij_create_request *req,
                              ij_created *out, ij_field_errors *errs) {
  memset(out, 0, sizeof *out);
  ij_area_rules rules;
  ij_err err = rules_of(conn, op, &rules);
  if (err != IJ_OK)
    return err;
  ij_referral_derived derived;
  err = ij_domain_referral_validate(in, &rules, op->now, &derived, errs);
  if (err != IJ_OK && err != IJ_ERR_INVALID)
    return err;
  /* the ward is named with every other problem; a valid referral's person is looked up for an
   * earlier exit in the same round trip */
  bool valid = err == IJ_OK;
  bool ward = in->ward && !ij_field_errors_has(errs, "offence.ward");
  if (!valid && !ward)
    return err;
  ij_referral *r = &out->referral;
  char name_key[IJ_MAX_NAME + 1] = "";
  if (valid) {
    referral_of(op, actor, in, &derived, r);
    ij_domain_name_key(r->person_name, name_key, sizeof name_key);
  }
  int ward_state = 0;
  char earlier[IJ_UUID_BUF];
  ij_date exited_on;
  ij_err read = ij_store_referral_prior(
      conn, op->area, ward ? in->ward : NULL, valid ? r->police_id : NULL, valid ? name_key : NULL,
      r->date_of_birth, op->now, &ward_state, earlier, &exited_on);
  if (read != IJ_OK)
    return read;
  if (ward)
    ij_domain_ward_in_use(ward_state, "offence.ward", errs);
  if (!valid || errs->count)
    return IJ_ERR_INVALID;
  /* a person referred again within 12 months of an earlier exit: recorded by the service */
  int months = earlier[0] ? ij_domain_rereferral_window(exited_on, ij_time_date(op->now)) : 0;
  if (months) {
    ij_str_copy(r->rereferral_of, sizeof r->rereferral_of, earlier);
    r->rereferral_months = months;
  }
  /* the response is made before the write, so that a retry can be given the same one */
  out->status = 201;
  if (req->render) {
    out->response = req->render(r, req->render_arg);
    if (!out->response)
      return IJ_ERR_NOMEM;
  } else if (req->idempotency_key) {
    return IJ_ERR_INTERNAL; /* a key keeps the response: there must be one */
  }
  ij_audit audit = {op->request_id, actor->sub, actor->name, creating_role(actor), op->now};
  ij_idempotency idem = {req->idempotency_key, req->request_hash, 201, out->response};
  bool claimed = false;
  err = ij_store_referral_create(conn, r, name_key, &audit, req->idempotency_key ? &idem : NULL,
                                 &claimed, errs);
  if (err == IJ_OK && !claimed) {
    ij_created_clear(out);
    return replay_of(conn, op, actor, req, out);
  }
  return err;
}

void ij_created_clear(ij_created *c) {
  free(c->response);
  c->response = NULL;
}

ij_err ij_ops_referral_transition(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                                  const char *id, int expected_version,
                                  const ij_transition_request *req, ij_referral *out,
                                  unsigned *allowed_events, ij_field_errors *errs) {
  memset(out, 0, sizeof *out);
  *allowed_events = 0;
  /* read without a lock: the write below is conditional on the version; a reason code's state in
   * the area comes with it */
  const char *kind = req->reason_code ? ij_domain_reason_kind(req->event) : NULL;
  int code_state = 0;
  ij_err err = kind ? ij_store_referral_get_with_code(conn, op->area, id, kind, req->reason_code,
                                                      out, &code_state)
                    : ij_store_referral_get(conn, op->area, id, out);
  if (err != IJ_OK)
    return err;
  if (expected_version != out->version)
    return IJ_ERR_STALE;
  ij_area_rules rules;
  if ((err = rules_of(conn, op, &rules)) != IJ_OK)
    return err;
  ij_referral_facts facts;
  ij_ops_facts(out, &facts);
  ij_decision d;
  err = ij_domain_decide(actor, &facts, req, &rules, true, &d, allowed_events, errs);
  if (err != IJ_OK)
    return err;
  /* the reason code must be one of the area's for the event's kind, and not retired (read with
   * the referral: the decision's kind is the event's, from the same row of the table) */
  if (req->reason_code && d.reason_kind) {
    int state = code_state;
    if (state == 0)
      ij_field_errors_add(errs, "reason_code", "is not a reason code for this event");
    else if (state == 2)
      ij_field_errors_add(errs, "reason_code",
                          "is retired in this area: choose a current %s code (GET "
                          "/v1/reason-codes?kind=%s)",
                          d.reason_kind, d.reason_kind);
    if (state != 1)
      return IJ_ERR_INVALID;
  }
  /* an event with no effect beyond the referral's own row is one statement, its own transaction
   * (one round trip); otherwise the change and what it owes (its notices among them) commit
   * together */
  const ij_notice_rule *notices[IJ_NOTICES_PER_EVENT_MAX];
  if ((d.effects & ~(unsigned)(IJ_EFFECT_WARNING | IJ_EFFECT_COMPLETION)) ||
      ij_domain_notices_for(req->event, true, notices) > 0) {
    if ((err = ij_store_begin(conn)) != IJ_OK)
      return err;
    err = ij_ops_apply(conn, op, actor, out, &d, req, errs);
    if (err == IJ_OK)
      err = ij_ops_follow_on(conn, op, actor, out, false, errs);
    if (err == IJ_OK)
      err = ij_store_commit(conn);
    if (err != IJ_OK)
      ij_store_rollback(conn);
    return err;
  }
  return ij_ops_apply(conn, op, actor, out, &d, req, errs);
}

ij_err ij_ops_referral_get(ij_conn *conn, const ij_op_ctx *op, const char *id, ij_referral *out) {
  return ij_store_referral_get(conn, op->area, id, out);
}

ij_err ij_ops_referral_list(ij_conn *conn, const ij_referral_filter *f, ij_referral_page *out) {
  /* which states count as overdue is the domain's: the store only puts them in the query */
  ij_referral_filter with_clock = *f;
  with_clock.clock_states = ij_domain_clock_states();
  return ij_store_referral_list(conn, &with_clock, out);
}

ij_err ij_ops_referral_events(ij_conn *conn, const ij_op_ctx *op, const char *id, int after_seq,
                              int limit, ij_event_page *out) {
  return ij_store_referral_events(conn, op->area, id, after_seq, limit, out);
}
