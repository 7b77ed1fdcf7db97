/* The demo data set: the Derbyshire area with Derby's wards, a second area to show isolation, and
 * referrals in each state this release reaches, made through the same operations (service/ops) as
 * the API's, at the times they would have happened. */
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

static const ij_actor OFFICER = {"pc-101", "PC 101", "derbyshire", IJ_ROLE_OFFICER};
static const ij_actor COORDINATOR = {"coord-1", "Coordinator 1", "derbyshire", IJ_ROLE_COORDINATOR};

/* A client's event on a referral, as it was sent at `at`. */
static ij_err send_event(ij_conn *conn, const char *id, const ij_actor *actor,
                         const ij_transition_request *req, const ij_area_rules *defaults,
                         ij_time_us at) {
  ij_op_ctx op = {"derbyshire", "seed", at, defaults};
  ij_referral current, updated;
  ij_err err = ij_ops_referral_get(conn, &op, id, &current);
  if (err != IJ_OK)
    return err;
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  unsigned allowed;
  err = ij_ops_referral_transition(conn, &op, actor, id, current.version, req, &updated, &allowed,
                                   &errs);
  if (err != IJ_OK && errs.count)
    ij_log(IJ_LOG_ERROR, "seed: %s: %s %s", ij_event_name(req->event), errs.items[0].field,
           errs.items[0].message);
  ij_referral_clear(&current);
  ij_referral_clear(&updated);
  return err;
}

static ij_err make_one(ij_conn *conn, const demo_referral *d, const ij_area_rules *defaults,
                       ij_time_us now, char id[IJ_UUID_BUF]) {
  ij_time_us at = now - (ij_time_us)d->days_ago * IJ_US_PER_DAY;
  ij_referral_input in;
  memset(&in, 0, sizeof in);
  in.person.name = d->name;
  in.person.date_of_birth = d->dob;
  in.person.postcode = d->postcode;
  char offence_date[IJ_DATE_BUF];
  ij_date_format(ij_time_date(at) - 1, offence_date);
  in.offence_date = offence_date;
  in.offence_category = d->category;
  in.offence_location = d->location;
  in.ward = d->ward;
  in.disposal = d->disposal;
  in.consent_recorded = 1;
  /* most agreed to be told about their sessions by text or e-mail; one in five did not */
  in.contact_consent = (d - DEMO) % 5 == 4 ? 0 : 1;
  in.victim_consulted = -1;
  in.victim_keep_updated = -1;
  in.guardian.consent = -1;
  ij_date dob;
  if (ij_date_parse(d->dob, &dob) == IJ_OK && ij_domain_guardian_required(dob, ij_time_date(at))) {
    in.has_guardian = true;
    in.guardian = (ij_guardian_input){"Sam Walker", "parent", "01332 000000", NULL, 1};
  }
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  ij_op_ctx op = {"derbyshire", "seed", at, defaults};
  ij_create_request req = {NULL, NULL, NULL, NULL};
  ij_created made;
  ij_err err = ij_ops_referral_create(conn, &op, &OFFICER, &in, &req, &made, &errs);
  if (err != IJ_OK) {
    if (errs.count)
      ij_log(IJ_LOG_ERROR, "seed: %s: %s %s", d->name, errs.items[0].field, errs.items[0].message);
    ij_created_clear(&made);
    return err;
  }
  memcpy(id, made.referral.id, IJ_UUID_BUF);
  ij_created_clear(&made);
  for (int i = 0; i < 2 && d->events[i] != IJ_EVENT_CREATE; i++) {
    ij_transition_request t;
    memset(&t, 0, sizeof t);
    t.event = d->events[i];
    if (t.event == IJ_EVENT_ACCEPT) {
      t.has_hours_confirmed = true;
      t.hours_confirmed = ij_domain_rules_or_default(defaults)->hours_default;
      t.suitability_notes = "Suitable for group work outdoors.";
    } else {
      t.reason_code = d->reason_code;
    }
    const ij_actor *actor = t.event == IJ_EVENT_WITHDRAW && i == 0 ? &OFFICER : &COORDINATOR;
    err = send_event(conn, id, actor, &t, defaults, at + (i + 1) * IJ_US_PER_HOUR);
    if (err != IJ_OK)
      return err;
  }
  return IJ_OK;
}

/* Books a referral onto a session as it would have been the day before the session. */
static ij_err book_then(ij_conn *conn, const char *id, const char *session, ij_time_us starts_at,
                        char booking[IJ_UUID_BUF]) {
  ij_op_ctx op = {"derbyshire", "seed", starts_at - IJ_US_PER_DAY, NULL};
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  return ij_ops_book(conn, &op, &COORDINATOR, id, session, booking, NULL, NULL, &errs);
}

/* Records an outcome as the session's supervisor would have at the end of the session. */
static ij_err outcome_then(ij_conn *conn, const char *booking, ij_outcome outcome,
                           ij_time_us ends_at) {
  static const ij_actor supervisor = {"sup-1", "Supervisor 1", "derbyshire", IJ_ROLE_SUPERVISOR};
  ij_op_ctx op = {"derbyshire", "seed", ends_at, NULL};
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
  return ij_ops_record_outcome(conn, &op, &supervisor, booking, NULL, 0, &in, NULL, NULL, &version,
                               &errs);
}

static ij_err session_times(ij_conn *conn, const char *session, ij_time_us *starts,
                            ij_time_us *ends) {
  ij_session s;
  ij_err err = ij_ops_session_get(conn, &(ij_op_ctx){"derbyshire", "seed", 0, NULL}, session, NULL,
                                  false, &s);
  *starts = s.starts_at;
  *ends = s.ends_at;
  ij_session_clear(&s);
  return err;
}

/* The past sessions come three a day (one per placement) for the three days before today. */
static ij_err attend(ij_conn *conn, int plan, const char *id, const ij_rows *past,
                     const ij_rows *future, const ij_area_rules *defaults, ij_time_us now) {
  char booking[IJ_UUID_BUF];
  ij_time_us starts = 0, ends = 0;
  ij_err err = IJ_OK;
  if (past->count < 9 || future->count < 1)
    return IJ_ERR_INTERNAL;
  switch (plan) {
  case PLAN_SCHEDULED:
    return ij_ops_book(conn, &(ij_op_ctx){"derbyshire", "seed", now, NULL}, &COORDINATOR, id,
                       ij_rows_get(future, 0, 0), booking, NULL, NULL,
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
    ij_transition_request req;
    memset(&req, 0, sizeof req);
    req.event = IJ_EVENT_DECLARE_NON_COMPLIANCE;
    req.reason_code = "unacceptable_absence";
    req.reason = "Did not attend and gave no reason.";
    return send_event(conn, id, &COORDINATOR, &req, defaults, ends + 20 * IJ_US_PER_HOUR);
  }
  }
  return IJ_OK;
}

ij_err ij_seed_demo(ij_conn *conn, const ij_area_rules *defaults, ij_time_us now, int *created) {
  *created = 0;
  ij_op_ctx op = {"derbyshire", "seed", now, defaults};
  ij_err err = ij_ops_area_define(conn, "derbyshire", "Derbyshire");
  if (err == IJ_OK)
    err = ij_ops_area_define(conn, "nottinghamshire", "Nottinghamshire");
  for (size_t i = 0; err == IJ_OK && i < sizeof DERBY_WARDS / sizeof DERBY_WARDS[0]; i++)
    err = ij_ops_ward_define(conn, "derbyshire", DERBY_WARDS[i][0], DERBY_WARDS[i][1]);
  if (err == IJ_OK)
    err = ij_ops_ward_define(conn, "nottinghamshire", "castle", "Castle");
  /* the demo's sessions name sup-1: it is in the area's directory of supervisors */
  if (err == IJ_OK)
    err = ij_ops_supervisor_define(conn, "derbyshire", "sup-1", "Supervisor 1",
                                   "Derwent Valley Trust", now);
  if (err != IJ_OK)
    return err;
  bool any = false;
  err = ij_ops_area_has_referrals(conn, &op, &any);
  if (err != IJ_OK || any)
    return err;
  ij_rows past, future;
  memset(&past, 0, sizeof past);
  memset(&future, 0, sizeof future);
  err = ij_ops_demo_sessions(conn, &op, &past, &future);
  for (size_t i = 0; err == IJ_OK && i < sizeof DEMO / sizeof DEMO[0]; i++) {
    char id[IJ_UUID_BUF];
    err = make_one(conn, &DEMO[i], defaults, now, id);
    if (err == IJ_OK && DEMO[i].plan != PLAN_NONE)
      err = attend(conn, DEMO[i].plan, id, &past, &future, defaults, now);
    if (err == IJ_OK)
      (*created)++;
  }
  ij_rows_clear(&past);
  ij_rows_clear(&future);
  return err;
}
