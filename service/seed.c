/* The demo data set: the Derbyshire area with Derby's wards, a second area to show isolation, and
 * referrals in several states, made through the operations and the store. */
#include <stdio.h>
#include <string.h>

#include "ij/cli.h"
#include "ij/ops.h"
#include "ij/log.h"
#include "ij/store/audit.h"
#include "ij/store/demo.h"
#include "ij/store/placements.h"
#include "ij/store/reference.h"
#include "ij/store/referrals.h"

static const char *const DERBY_WARDS[][2] = {
    {"abbey", "Abbey"},           {"allestree", "Allestree"},   {"alvaston", "Alvaston"},
    {"arboretum", "Arboretum"},   {"blagreaves", "Blagreaves"}, {"boulton", "Boulton"},
    {"chaddesden", "Chaddesden"}, {"chellaston", "Chellaston"}, {"darley", "Darley"},
    {"derwent", "Derwent"},       {"littleover", "Littleover"}, {"mackworth", "Mackworth"},
    {"mickleover", "Mickleover"}, {"normanton", "Normanton"},   {"oakwood", "Oakwood"},
    {"sinfin", "Sinfin"},         {"spondon", "Spondon"},
};

typedef struct {
  const char *name, *dob, *postcode, *ward, *category, *disposal, *location;
  int days_ago;            /* when the referral was made */
  ij_event events[2];      /* applied in order; IJ_EVENT_CREATE ends the list */
  const char *reason_code; /* for reject or withdraw */
  int plan;                /* what happens after: see PLAN_* */
} demo_referral;

/* Attendance after the referral's own events (the sessions come from the store's demo data). */
enum { PLAN_NONE, PLAN_SCHEDULED, PLAN_IN_PROGRESS, PLAN_COMPLETED, PLAN_NON_COMPLIANT };

/* Fictional people. */
static const demo_referral DEMO[] = {
    {"Jordan Smith",
     "2005-03-14",
     "DE1 1AA",
     "arboretum",
     "asb",
     "community_resolution",
     "Market Place",
     0,
     {IJ_EVENT_CREATE},
     NULL,
     PLAN_NONE},
    {"Casey Brown",
     "2008-07-02",
     "DE22 3BB",
     "darley",
     "criminal_damage",
     "outcome_22",
     "Darley Park",
     1,
     {IJ_EVENT_CREATE},
     NULL,
     PLAN_NONE},
    {"Riley Green",
     "1999-11-23",
     "DE23 6CC",
     "normanton",
     "public_order",
     "conditional_caution",
     "Normanton Road",
     4,
     {IJ_EVENT_CREATE},
     NULL,
     PLAN_NONE},
    {"Morgan Taylor",
     "2002-01-30",
     "DE24 8DD",
     "sinfin",
     "drunk_and_disorderly",
     "community_resolution",
     "Sinfin Lane",
     2,
     {IJ_EVENT_ACCEPT, IJ_EVENT_CREATE},
     NULL,
     PLAN_NONE},
    {"Alex Walker",
     "2009-05-19",
     "DE21 4EE",
     "chaddesden",
     "asb",
     "youth_conditional_caution",
     "Chaddesden Park",
     3,
     {IJ_EVENT_ACCEPT, IJ_EVENT_CREATE},
     NULL,
     PLAN_NONE},
    {"Sam Hughes",
     "1995-09-08",
     "DE3 9FF",
     "mickleover",
     "shop_theft",
     "outcome_22",
     "Station Road",
     6,
     {IJ_EVENT_REJECT, IJ_EVENT_CREATE},
     "unsuitable",
     PLAN_NONE},
    {"Jamie Clarke",
     "2006-12-12",
     "DE73 5GG",
     "chellaston",
     "cannabis_possession",
     "diversionary_caution",
     "Chellaston Park",
     8,
     {IJ_EVENT_WITHDRAW, IJ_EVENT_CREATE},
     "moved_out_of_area",
     PLAN_NONE},
    {"Taylor Evans",
     "2001-04-04",
     "DE1 2HH",
     "abbey",
     "harassment",
     "community_caution",
     "Abbey Street",
     5,
     {IJ_EVENT_ACCEPT, IJ_EVENT_WITHDRAW},
     "not_engaged",
     PLAN_NONE},
    {"Drew Patel",
     "2003-08-21",
     "DE22 1JJ",
     "darley",
     "asb",
     "community_resolution",
     "Darley Abbey",
     6,
     {IJ_EVENT_ACCEPT, IJ_EVENT_CREATE},
     NULL,
     PLAN_SCHEDULED},
    {"Kai Morris",
     "2000-02-11",
     "DE23 8KK",
     "arboretum",
     "criminal_damage",
     "outcome_22",
     "Arboretum Square",
     6,
     {IJ_EVENT_ACCEPT, IJ_EVENT_CREATE},
     NULL,
     PLAN_IN_PROGRESS},
    {"Robin Lee",
     "1998-10-05",
     "DE1 3LL",
     "arboretum",
     "public_order",
     "community_resolution",
     "Cathedral Quarter",
     7,
     {IJ_EVENT_ACCEPT, IJ_EVENT_CREATE},
     NULL,
     PLAN_COMPLETED},
    {"Charlie Wood",
     "2004-06-17",
     "DE24 9MM",
     "normanton",
     "asb",
     "conditional_caution",
     "Peartree Road",
     7,
     {IJ_EVENT_ACCEPT, IJ_EVENT_CREATE},
     NULL,
     PLAN_NON_COMPLIANT},
};

static ij_err make_one(ij_conn *conn, const demo_referral *d, const ij_area_rules *rules,
                       ij_time_us now, char id[IJ_UUID_BUF]) {
  static const ij_actor officer = {"pc-101", "PC 101", "derbyshire", IJ_ROLE_OFFICER};
  static const ij_actor coordinator = {"coord-1", "Coordinator 1", "derbyshire",
                                       IJ_ROLE_COORDINATOR};
  ij_time_us at = now - (ij_time_us)d->days_ago * IJ_US_PER_DAY;
  ij_referral_input in;
  memset(&in, 0, sizeof in);
  in.person.name = d->name;
  in.person.date_of_birth = d->dob;
  in.person.postcode = d->postcode;
  in.offence_date = NULL;
  char offence_date[IJ_DATE_BUF];
  ij_date_format(ij_time_date(at) - 1, offence_date);
  in.offence_date = offence_date;
  in.offence_category = d->category;
  in.offence_location = d->location;
  in.ward = d->ward;
  in.disposal = d->disposal;
  in.consent_recorded = 1;
  in.victim_consulted = -1;
  in.victim_keep_updated = -1;
  ij_referral_derived derived;
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  ij_err err = ij_domain_referral_validate(&in, rules, at, &derived, &errs);
  if (err != IJ_OK) {
    ij_log(IJ_LOG_ERROR, "seed: %s: %s %s", d->name, errs.items[0].field, errs.items[0].message);
    return err;
  }
  ij_referral r;
  memset(&r, 0, sizeof r);
  ij_uuid_new(r.id);
  ij_uuid_new(r.person_id);
  r.area = "derbyshire";
  r.person_name = d->name;
  r.date_of_birth = derived.date_of_birth;
  r.postcode = d->postcode;
  r.offence_date = derived.offence_date;
  r.offence_category = d->category;
  r.offence_location = d->location;
  r.ward = d->ward;
  r.disposal = d->disposal;
  r.consent_recorded = true;
  r.hours_proposed = derived.hours_proposed;
  r.victim_consulted = r.victim_keep_updated = -1;
  r.officer_sub = officer.sub;
  r.officer_name = officer.name;
  r.target_start_by = derived.target_start_by;
  r.created_at = r.updated_at = at;
  ij_audit audit = {"seed", officer.sub, officer.name, "officer", at};
  ij_replay replay;
  err = ij_store_referral_create(conn, &r, &audit, NULL, &replay, &errs);
  if (err != IJ_OK)
    return err;
  memcpy(id, r.id, IJ_UUID_BUF);
  int version = 1;
  for (int i = 0; i < 2 && d->events[i] != IJ_EVENT_CREATE; i++) {
    ij_referral current;
    err = ij_store_referral_get(conn, "derbyshire", r.id, &current);
    if (err != IJ_OK)
      return err;
    ij_referral_facts facts;
    memset(&facts, 0, sizeof facts);
    facts.state = current.state;
    facts.officer_sub = current.officer_sub;
    facts.hours_required = current.hours_proposed;
    ij_transition_request req;
    memset(&req, 0, sizeof req);
    req.event = d->events[i];
    if (req.event == IJ_EVENT_ACCEPT) {
      req.has_hours_confirmed = true;
      req.hours_confirmed = rules->hours_default;
      req.suitability_notes = "Suitable for group work outdoors.";
    } else {
      req.reason_code = d->reason_code;
    }
    const ij_actor *actor = req.event == IJ_EVENT_WITHDRAW && i == 0 ? &officer : &coordinator;
    ij_decision decision;
    err = ij_domain_decide(actor, &facts, &req, rules, true, &decision, NULL, &errs);
    if (err == IJ_OK) {
      ij_audit a = {"seed", actor->sub, actor->name, ij_role_name(decision.acting_role),
                    at + (i + 1) * IJ_US_PER_HOUR};
      ij_referral updated;
      err = ij_store_referral_transition(conn, "derbyshire", r.id, version, &decision, &req, &a,
                                         &updated, &errs);
      ij_referral_clear(&updated);
      version++;
    }
    ij_referral_clear(&current);
    if (err != IJ_OK)
      return err;
  }
  return IJ_OK;
}

/* Books a referral onto a session as it would have been the day before the session. */
static ij_err book_then(ij_conn *conn, const char *id, const char *session, ij_time_us starts_at,
                        char booking[IJ_UUID_BUF]) {
  static const ij_actor coordinator = {"coord-1", "Coordinator 1", "derbyshire",
                                       IJ_ROLE_COORDINATOR};
  ij_op_ctx op = {"derbyshire", "seed", starts_at - IJ_US_PER_DAY};
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  return ij_ops_book(conn, &op, &coordinator, id, session, booking, NULL, &errs);
}

/* Records an outcome as the session's supervisor would have at the end of the session. */
static ij_err outcome_then(ij_conn *conn, const char *booking, ij_outcome outcome,
                           ij_time_us ends_at) {
  static const ij_actor supervisor = {"sup-1", "Supervisor 1", "derbyshire", IJ_ROLE_SUPERVISOR};
  ij_op_ctx op = {"derbyshire", "seed", ends_at};
  ij_outcome_input in;
  memset(&in, 0, sizeof in);
  in.outcome = outcome;
  if (outcome == IJ_OUTCOME_ATTENDED_COMPLIED) {
    in.behaviour = "good";
    in.work_quality = "good";
  }
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  int version = 0;
  return ij_ops_record_outcome(conn, &op, &supervisor, booking, NULL, 0, &in, NULL, &version,
                               &errs);
}

static ij_err session_times(ij_conn *conn, const char *session, ij_time_us *starts,
                            ij_time_us *ends) {
  ij_session_facts f;
  ij_err err = ij_store_session_facts(conn, "derbyshire", session, &f, NULL, 0);
  *starts = f.starts_at;
  *ends = f.ends_at;
  return err;
}

/* The past sessions come three a day (one per placement) for the three days before today. */
static ij_err attend(ij_conn *conn, int plan, const char *id, const ij_rows *past,
                     const ij_rows *future, ij_time_us now) {
  char booking[IJ_UUID_BUF];
  ij_time_us starts = 0, ends = 0;
  ij_err err = IJ_OK;
  if (past->count < 9 || future->count < 1)
    return IJ_ERR_INTERNAL;
  switch (plan) {
  case PLAN_SCHEDULED:
    return ij_ops_book(conn, &(ij_op_ctx){"derbyshire", "seed", now},
                       &(ij_actor){"coord-1", "Coordinator 1", "derbyshire", IJ_ROLE_COORDINATOR},
                       id, ij_rows_get(future, 0, 0), booking, NULL,
                       &(ij_field_errors){0, {{{0}, {0}}}});
  case PLAN_IN_PROGRESS:
  case PLAN_COMPLETED:
    /* four hours on day -3 (in progress); four more on day -2 reach the seven required */
    for (int day = 0; day < (plan == PLAN_COMPLETED ? 2 : 1) && err == IJ_OK; day++) {
      const char *session = ij_rows_get(past, day * 3, 0);
      err = session_times(conn, session, &starts, &ends);
      if (err == IJ_OK)
        err = book_then(conn, id, session, starts, booking);
      if (err == IJ_OK)
        err = outcome_then(conn, booking, IJ_OUTCOME_ATTENDED_COMPLIED, ends);
    }
    return err;
  case PLAN_NON_COMPLIANT: {
    const char *session = ij_rows_get(past, 4, 0);
    err = session_times(conn, session, &starts, &ends);
    if (err == IJ_OK)
      err = book_then(conn, id, session, starts, booking);
    if (err == IJ_OK)
      err = outcome_then(conn, booking, IJ_OUTCOME_ABSENT_UNACCEPTABLE, ends);
    if (err != IJ_OK)
      return err;
    /* the coordinator declares non-compliance the next morning */
    ij_referral r;
    err = ij_store_referral_get(conn, "derbyshire", id, &r);
    if (err != IJ_OK)
      return err;
    static const ij_actor coordinator = {"coord-1", "Coordinator 1", "derbyshire",
                                         IJ_ROLE_COORDINATOR};
    ij_referral_facts facts;
    ij_ops_facts(&r, &facts);
    ij_transition_request req;
    memset(&req, 0, sizeof req);
    req.event = IJ_EVENT_DECLARE_NON_COMPLIANCE;
    req.reason_code = "unacceptable_absence";
    req.reason = "Did not attend and gave no reason.";
    ij_decision d;
    ij_field_errors errs;
    ij_field_errors_init(&errs);
    ij_time_us at = ends + 20 * IJ_US_PER_HOUR;
    err = ij_domain_decide(&coordinator, &facts, &req, NULL, true, &d, NULL, &errs);
    ij_referral updated;
    memset(&updated, 0, sizeof updated);
    if (err == IJ_OK)
      err = ij_store_begin(conn);
    if (err == IJ_OK) {
      ij_audit audit = {"seed", coordinator.sub, coordinator.name, "coordinator", at};
      err = ij_store_referral_transition(conn, "derbyshire", id, r.version, &d, &req, &audit,
                                         &updated, &errs);
      ij_op_ctx op = {"derbyshire", "seed", at};
      if (err == IJ_OK)
        err = ij_ops_on_exit(conn, &op, &updated);
      if (err == IJ_OK)
        err = ij_store_commit(conn);
      else
        ij_store_rollback(conn);
    }
    ij_referral_clear(&updated);
    ij_referral_clear(&r);
    return err;
  }
  }
  return IJ_OK;
}

ij_err ij_seed_demo(ij_conn *conn, const ij_area_rules *defaults, ij_time_us now, int *created) {
  *created = 0;
  ij_err err = ij_store_area_upsert(conn, "derbyshire", "Derbyshire");
  if (err == IJ_OK)
    err = ij_store_area_upsert(conn, "nottinghamshire", "Nottinghamshire");
  for (size_t i = 0; err == IJ_OK && i < sizeof DERBY_WARDS / sizeof DERBY_WARDS[0]; i++)
    err = ij_store_ward_upsert(conn, "derbyshire", DERBY_WARDS[i][0], DERBY_WARDS[i][1]);
  if (err == IJ_OK)
    err = ij_store_ward_upsert(conn, "nottinghamshire", "castle", "Castle");
  if (err != IJ_OK)
    return err;
  ij_referral_filter f;
  memset(&f, 0, sizeof f);
  f.area = "derbyshire";
  f.overdue = -1;
  f.now = now;
  f.limit = 1;
  ij_referral_page page;
  err = ij_store_referral_list(conn, &f, &page);
  if (err != IJ_OK)
    return err;
  int existing = page.count;
  ij_referral_page_clear(&page);
  if (existing)
    return IJ_OK;
  ij_area_rules rules;
  err = ij_store_area_rules(conn, "derbyshire", defaults, &rules);
  ij_rows past, future;
  memset(&past, 0, sizeof past);
  memset(&future, 0, sizeof future);
  if (err == IJ_OK)
    err = ij_store_demo_sessions(conn, "derbyshire", now, &past, &future);
  for (size_t i = 0; err == IJ_OK && i < sizeof DEMO / sizeof DEMO[0]; i++) {
    char id[IJ_UUID_BUF];
    err = make_one(conn, &DEMO[i], &rules, now, id);
    if (err == IJ_OK && DEMO[i].plan != PLAN_NONE)
      err = attend(conn, DEMO[i].plan, id, &past, &future, now);
    if (err == IJ_OK)
      (*created)++;
  }
  ij_rows_clear(&past);
  ij_rows_clear(&future);
  return err;
}
