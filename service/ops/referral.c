/* What every operation on a referral shares: its facts for the domain, the service's own actor,
 * the area's rules, persisting a decision with its effects, and firing the follow-on events. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "ops_internal.h"
#include "ij/str.h"

void ij_ops_facts(const ij_referral *r, ij_referral_facts *f) {
  memset(f, 0, sizeof *f);
  f->state = r->state;
  f->officer_sub = r->officer_sub;
  f->hours_required = ij_domain_hours_required(r->hours_confirmed, r->hours_proposed);
  f->minutes_credited = r->minutes_credited;
  f->unacceptable_absences = r->breaches;
  f->warnings = r->warnings;
  f->active_bookings = r->active_bookings;
  f->attended = r->first_attended_at != 0;
}

const ij_actor *ij_ops_system_actor(const ij_op_ctx *op, ij_actor *out) {
  out->sub = "system";
  out->name = "Immediate Justice service";
  out->area = op->area;
  out->roles = IJ_ROLE_SYSTEM;
  return out;
}

/* ---- the area's rules, kept for a minute ---- */

#define AREA_RULES_CACHE 64
#define AREA_RULES_TTL_US (60 * IJ_US_PER_SECOND)
static struct {
  char area[IJ_AREA_MAX];
  ij_area_rules rules;
  ij_time_us until;
} rules_cache[AREA_RULES_CACHE];
static pthread_mutex_t rules_mu = PTHREAD_MUTEX_INITIALIZER;

static bool cached_rules(const char *area, ij_time_us now, ij_area_rules *out) {
  bool hit = false;
  pthread_mutex_lock(&rules_mu);
  for (int i = 0; i < AREA_RULES_CACHE && !hit; i++)
    if (rules_cache[i].until > now && strcmp(rules_cache[i].area, area) == 0) {
      *out = rules_cache[i].rules;
      hit = true;
    }
  pthread_mutex_unlock(&rules_mu);
  return hit;
}

static void cache_rules(const char *area, ij_time_us now, const ij_area_rules *rules) {
  pthread_mutex_lock(&rules_mu);
  int slot = 0; /* the same area's slot, else the one that expires first */
  for (int i = 0; i < AREA_RULES_CACHE; i++) {
    if (strcmp(rules_cache[i].area, area) == 0) {
      slot = i;
      break;
    }
    if (rules_cache[i].until < rules_cache[slot].until)
      slot = i;
  }
  ij_str_copy(rules_cache[slot].area, sizeof rules_cache[slot].area, area);
  rules_cache[slot].rules = *rules;
  rules_cache[slot].until = now + AREA_RULES_TTL_US;
  pthread_mutex_unlock(&rules_mu);
}

void ij_ops_area_rules_forget(const char *area) {
  pthread_mutex_lock(&rules_mu);
  for (int i = 0; i < AREA_RULES_CACHE; i++)
    if (strcmp(rules_cache[i].area, area) == 0)
      rules_cache[i].until = 0;
  pthread_mutex_unlock(&rules_mu);
}

ij_err ij_ops_area_rules(ij_conn *conn, const ij_op_ctx *op, ij_area_rules *out) {
  if (cached_rules(op->area, op->now, out))
    return IJ_OK;
  ij_err err =
      ij_store_area_rules(conn, op->area, ij_domain_rules_or_default(op->area_defaults), out);
  if (err == IJ_OK)
    cache_rules(op->area, op->now, out);
  return err;
}

/* ---- a decision and its effects ---- */

/* The area's message settings, read once an operation however many of its events owe messages
 * (a first attendance that completes the hours owes messages for both). */
typedef struct {
  bool read;
  ij_message_context ctx;
} message_settings;

/* The notices the domain's table names for a written event, on the referral after the change:
 * the force's, and a victim's when they asked to be kept updated. */
static ij_err event_notices(ij_conn *conn, const ij_op_ctx *op, const ij_referral *r, ij_event e,
                            const ij_decision *d, message_settings *settings) {
  const ij_notice_rule *rules[IJ_NOTICES_PER_EVENT_MAX];
  bool victim = ij_domain_victim_updated(r->victim_keep_updated, r->victim_contact != NULL);
  int n = ij_domain_notices_for(e, victim, rules);
  ij_err err = IJ_OK;
  for (int i = 0; err == IJ_OK && i < n; i++) {
    ij_notice_write w = {rules[i]->kind,
                         rules[i]->name,
                         rules[i]->audience == IJ_NOTICE_VICTIM,
                         rules[i]->fields,
                         ij_domain_hours_required(r->hours_confirmed, r->hours_proposed),
                         d->reason_kind};
    err = ij_store_notice_add(conn, r, &w, op->now);
  }
  /* and the messages the event owes the person and the victim, when the area sends them */
  ij_message_kind kinds[IJ_MESSAGES_PER_EVENT_MAX];
  int nkinds = ij_domain_messages_for_event(e, kinds);
  if (err == IJ_OK && nkinds > 0 && !settings->read) {
    err = ij_ops_message_context(conn, op, &settings->ctx);
    settings->read = err == IJ_OK;
  }
  for (int i = 0; err == IJ_OK && i < nkinds; i++)
    err = ij_ops_message_write(conn, op, &settings->ctx, r, kinds[i], NULL, 0, NULL);
  return err;
}

/* What an exit owes, in the caller's transaction: the three reoffending checks, due 3, 6 and 12
 * months after the exit's date. */
static ij_err exit_effects(ij_conn *conn, const ij_op_ctx *op, const ij_referral *r) {
  ij_date exited_on = ij_time_date(op->now);
  ij_date due[IJ_FOLLOWUP_WINDOW_COUNT];
  for (int i = 0; i < IJ_FOLLOWUP_WINDOW_COUNT; i++)
    due[i] = ij_domain_followup_due(exited_on, ij_followup_windows[i]);
  return ij_store_followups_create(conn, r, ij_state_name(r->state), exited_on, due, op->now);
}

/* The effects of decisions already written, on the referral after them. */
static ij_err effects(ij_conn *conn, const ij_op_ctx *op, unsigned bits, ij_referral *r) {
  ij_err err = IJ_OK;
  if ((bits & IJ_EFFECT_CANCEL_BOOKINGS) && r->active_bookings > 0) {
    int cancelled = 0;
    err = ij_store_bookings_cancel_open(conn, op->area, r->id, op->now, &cancelled);
    r->active_bookings -= cancelled; /* as the statement counted them off the referral */
    if (cancelled > 0)
      r->next_booking_id[0] = '\0'; /* its open bookings were all cancelled: no next session */
  }
  if (err == IJ_OK && (bits & IJ_EFFECT_EXIT))
    err = exit_effects(conn, op, r);
  return err;
}

static void audit_of(const ij_op_ctx *op, const ij_actor *actor, const ij_decision *d,
                     ij_audit *out) {
  *out = (ij_audit){op->request_id, actor->sub, actor->name, ij_role_name(d->acting_role), op->now};
}

ij_err ij_ops_apply(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor, ij_referral *r,
                    const ij_decision *d, const ij_transition_request *req, ij_field_errors *errs) {
  ij_audit audit;
  audit_of(op, actor, d, &audit);
  ij_referral updated;
  ij_err err = ij_store_referral_transition(conn, op->area, r->id, r->version, d, req, &audit,
                                            &updated, errs);
  if (err != IJ_OK)
    return err;
  ij_referral_clear(r);
  *r = updated;
  message_settings settings = {false};
  err = event_notices(conn, op, r, req->event, d, &settings);
  return err == IJ_OK ? effects(conn, op, d->effects, r) : err;
}

/* At most this many follow-ons in a row (the table has five rows, and each changes the state). */
#define FOLLOW_ON_MAX 8

ij_err ij_ops_follow_on(ij_conn *conn, const ij_op_ctx *op, const ij_actor *cause, ij_referral *r,
                        bool last_check_recorded, ij_field_errors *errs) {
  return ij_ops_follow_on_marked(conn, op, cause, r, last_check_recorded, NULL, errs);
}

ij_err ij_ops_follow_on_marked(ij_conn *conn, const ij_op_ctx *op, const ij_actor *cause,
                               ij_referral *r, bool last_check_recorded,
                               const ij_entry_marks *marks, ij_field_errors *errs) {
  ij_actor system;
  ij_ops_system_actor(op, &system);
  ij_transition_request reqs[FOLLOW_ON_MAX];
  ij_decision decisions[FOLLOW_ON_MAX];
  ij_audit audits[FOLLOW_ON_MAX];
  ij_transition_write writes[FOLLOW_ON_MAX];
  ij_referral_facts facts;
  ij_ops_facts(r, &facts);
  facts.last_check_recorded = last_check_recorded;
  unsigned bits = 0;
  int n = 0;
  ij_event event;
  bool by_cause;
  /* decided one after another on the facts as each leaves them, then written together */
  while (ij_domain_followon_next(cause, &facts, &event, &by_cause)) {
    if (n == FOLLOW_ON_MAX)
      return IJ_ERR_INTERNAL;
    const ij_actor *actor = by_cause ? cause : &system;
    memset(&reqs[n], 0, sizeof reqs[n]);
    reqs[n].event = event;
    ij_err err = ij_domain_decide(actor, &facts, &reqs[n], NULL, false, &decisions[n], NULL, errs);
    if (err != IJ_OK)
      return err;
    audit_of(op, actor, &decisions[n], &audits[n]);
    writes[n] = (ij_transition_write){&decisions[n], &reqs[n], &audits[n], marks};
    bits |= decisions[n].effects;
    facts.state = decisions[n].to;
    n++;
  }
  if (n == 0)
    return IJ_OK;
  ij_referral updated;
  ij_err err =
      ij_store_referral_transitions(conn, op->area, r->id, r->version, writes, n, &updated, errs);
  if (err != IJ_OK)
    return err;
  ij_referral_clear(r);
  *r = updated;
  message_settings settings = {false};
  for (int i = 0; err == IJ_OK && i < n; i++)
    err = event_notices(conn, op, r, reqs[i].event, &decisions[i], &settings);
  return err == IJ_OK ? effects(conn, op, bits, r) : err;
}
