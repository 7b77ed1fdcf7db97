/* The demo data set: the Derbyshire area with Derby's wards, a second area to show isolation, and
 * referrals in each state this release reaches, made through the same operations (service/ops) as
 * the API's, at the times they would have happened. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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

/* The demo area's code: "derbyshire" for `ij seed`, another for a test's own run. */
static const char *g_area = "derbyshire";
static ij_actor OFFICER = {"pc-101", "PC 101", "derbyshire", IJ_ROLE_OFFICER};
static ij_actor COORDINATOR = {"coord-1", "Coordinator 1", "derbyshire", IJ_ROLE_COORDINATOR};

/* A client's event on a referral, as it was sent at `at`. */
static ij_err send_event(ij_conn *conn, const char *id, const ij_actor *actor,
                         const ij_transition_request *req, const ij_area_rules *defaults,
                         ij_time_us at) {
  ij_op_ctx op = {g_area, "seed", at, defaults};
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
  ij_op_ctx op = {g_area, "seed", at, defaults};
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
  ij_op_ctx op = {g_area, "seed", starts_at - IJ_US_PER_DAY, NULL};
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  return ij_ops_book(conn, &op, &COORDINATOR, id, session, booking, NULL, NULL, &errs);
}

/* Records an outcome as the session's supervisor would have at the end of the session. */
static ij_err outcome_then(ij_conn *conn, const char *booking, ij_outcome outcome,
                           ij_time_us ends_at) {
  const ij_actor supervisor = {"sup-1", "Supervisor 1", g_area, IJ_ROLE_SUPERVISOR};
  ij_op_ctx op = {g_area, "seed", ends_at, NULL};
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
  ij_err err =
      ij_ops_session_get(conn, &(ij_op_ctx){g_area, "seed", 0, NULL}, session, NULL, false, &s);
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
    return ij_ops_book(conn, &(ij_op_ctx){g_area, "seed", now, NULL}, &COORDINATOR, id,
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

/* ---- eighteen months of a scheme ------------------------------------------------------------
 * Before the people above, each area gets a history: referrals at the rate of a county scheme,
 * triaged, booked onto the sessions of its placements, their outcomes recorded, warnings given,
 * non-compliance declared, referrals withdrawn, completions, and the reoffending checks recorded
 * once their windows have passed, every one by its operation at the time it would have happened.
 * The draws come from a small fixed-seed generator, so that every run makes the same scheme
 * (relative to `now`). */

typedef struct {
  uint64_t s;
} prng;

/* splitmix64 */
static uint64_t rnd_next(prng *r) {
  uint64_t z = (r->s += UINT64_C(0x9E3779B97F4A7C15));
  z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
  return z ^ (z >> 31);
}
static double rnd_unit(prng *r) {
  return (double)(rnd_next(r) >> 11) / 9007199254740992.0;
}
/* lo..hi inclusive */
static int rnd_int(prng *r, int lo, int hi) {
  return lo + (int)(rnd_next(r) % (uint64_t)(hi - lo + 1));
}
static bool rnd_chance(prng *r, double p) {
  return rnd_unit(r) < p;
}
static int rnd_weighted(prng *r, const int *w, int n) {
  int total = 0;
  for (int i = 0; i < n; i++)
    total += w[i];
  int x = rnd_int(r, 0, total - 1);
  for (int i = 0; i < n; i++) {
    if (x < w[i])
      return i;
    x -= w[i];
  }
  return n - 1;
}
/* Knuth's: small means only */
static int rnd_poisson(prng *r, double mean) {
  double limit = 1.0, p = 1.0;
  for (double x = mean; x > 0; x -= 1.0)
    limit /= x >= 1.0 ? 2.718281828459045 : 1.0 + x + x * x / 2 + x * x * x / 6;
  int k = 0;
  do {
    k++;
    p *= rnd_unit(r);
  } while (p > limit);
  return k - 1;
}

static const char *const FIRST_NAMES[] = {
    "Aaron",  "Abbie",  "Adam",   "Aiden",  "Amber",  "Amy",   "Ben",     "Bethany", "Brandon",
    "Callum", "Chloe",  "Connor", "Daniel", "Declan", "Dylan", "Ellie",   "Ethan",   "Evie",
    "Finley", "Gemma",  "Harry",  "Hayden", "Isaac",  "Jack",  "Jade",    "Jake",    "Jasmine",
    "Josh",   "Kayla",  "Kieran", "Leah",   "Lewis",  "Liam",  "Lucy",    "Mason",   "Megan",
    "Nathan", "Olivia", "Owen",   "Paige",  "Reece",  "Ryan",  "Shannon", "Sophie",  "Tyler",
    "Zak",    "Zara",   "Mia",    "Noah",   "Oscar",  "Priya", "Ravi",    "Sana",    "Tomasz",
};
static const char *const SURNAMES[] = {
    "Allen",   "Bailey",   "Barker",  "Bennett", "Booth",    "Bradley",   "Carter",
    "Cooper",  "Dawson",   "Dixon",   "Ellis",   "Fletcher", "Foster",    "Gibson",
    "Hall",    "Harrison", "Holmes",  "Hunt",    "Jackson",  "Kaur",      "Khan",
    "Knight",  "Lowe",     "Marsh",   "Mason",   "Mills",    "Nowak",     "Owen",
    "Palmer",  "Parker",   "Pearson", "Reid",    "Richards", "Shaw",      "Singh",
    "Spencer", "Stevens",  "Turner",  "Ward",    "Webb",     "Wilkinson", "Young",
};
#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const char *const CATEGORIES[] = {"asb",
                                         "shop_theft",
                                         "criminal_damage",
                                         "public_order",
                                         "cannabis_possession",
                                         "drunk_and_disorderly",
                                         "harassment",
                                         "other"};
static const int CATEGORY_WEIGHTS[] = {25, 18, 15, 12, 10, 8, 7, 5};
static const char *const YOUTH_DISPOSALS[] = {"community_resolution", "youth_conditional_caution",
                                              "outcome_22"};
static const int YOUTH_DISPOSAL_WEIGHTS[] = {45, 35, 20};
static const char *const ADULT_DISPOSALS[] = {"community_resolution", "outcome_22",
                                              "conditional_caution", "diversionary_caution",
                                              "community_caution"};
static const int ADULT_DISPOSAL_WEIGHTS[] = {40, 20, 20, 10, 10};
static const int HOURS[] = {4, 6, 7, 8, 10, 12};
static const int HOURS_WEIGHTS[] = {12, 24, 28, 20, 11, 5};
static const char *const RATINGS[] = {"excellent", "good", "satisfactory", "unsatisfactory"};
static const int RATING_WEIGHTS[] = {20, 50, 24, 6};
static const char *const ABSENCE_REASONS[] = {"medical", "family_childcare", "employment",
                                              "court_legal"};
static const char *const REJECT_REASONS[] = {"not_eligible", "no_consent", "unsuitable",
                                             "insufficient_information", "duplicate"};
static const int REJECT_WEIGHTS[] = {30, 25, 25, 15, 5};
static const char *const LATE_WITHDRAW_REASONS[] = {"moved_out_of_area", "ill_health",
                                                    "not_engaged", "victim_objection", "other"};
static const int LATE_WITHDRAW_WEIGHTS[] = {30, 25, 30, 5, 10};

typedef struct {
  const char *name, *type, *provider, *ward, *location;
  int min_age;
  int weekday;    /* 0 Monday .. 6 Sunday */
  int start_hour; /* UTC */
  int hours;      /* the session's length */
  int every;      /* weeks between sessions */
  int capacity;
  const char *supervisor; /* sub; the name is "Supervisor N" from its number */
} plan_placement;

static const plan_placement DERBY_PLACEMENTS[] = {
    {"Markeaton community garden", "gardening", "Derby Parks Volunteers", "mackworth",
     "Markeaton Park walled garden", 10, 1, 9, 4, 1, 8, "sup-2"},
    {"Chaddesden allotments", "gardening", "Chaddesden Allotment Association", "chaddesden",
     "Chaddesden Park allotments", 10, 3, 9, 4, 2, 6, "sup-3"},
    {"Sinfin orchard", "gardening", "Sinfin Community Orchard", "sinfin", "Sinfin Moor Park", 10, 5,
     10, 4, 2, 8, "sup-2"},
    {"Derwent riverside clean", "litter_picking", "Derwent Valley Trust", "derwent",
     "Derwent riverside path", 10, 5, 9, 4, 1, 10, "sup-1"},
    {"Alvaston Park litter pick", "litter_picking", "Keep Derby Tidy", "alvaston",
     "Alvaston Park lake", 10, 2, 9, 3, 2, 8, "sup-4"},
    {"Normanton streets litter pick", "litter_picking", "Keep Derby Tidy", "normanton",
     "Normanton Road", 10, 0, 13, 3, 2, 8, "sup-4"},
    {"Food bank warehouse", "charity_work", "Derby City Food Bank", "abbey", "Abbey Street depot",
     16, 2, 9, 4, 1, 6, "sup-3"},
    {"Furniture reuse project", "charity_work", "Derby Furniture Reuse", "boulton",
     "Boulton Lane workshop", 18, 4, 9, 6, 2, 6, "sup-2"},
    {"Charity shop sorting", "charity_work", "Littleover Hospice Shop", "littleover",
     "Littleover Lane", 16, 6, 10, 4, 2, 6, "sup-3"},
    {"City centre graffiti team", "graffiti_removal", "Derby City Council", "arboretum",
     "Cathedral Quarter", 16, 3, 8, 4, 2, 6, "sup-4"},
    {"Underpass graffiti removal", "graffiti_removal", "Derby City Council", "spondon",
     "Spondon underpasses", 16, 0, 9, 4, 2, 6, "sup-2"},
    {"Allestree Park graffiti clean", "graffiti_removal", "Friends of Allestree Park", "allestree",
     "Allestree Park", 14, 6, 9, 4, 2, 6, "sup-1"},
    {"Oakwood estate clean-up", "community_clean_up", "Oakwood Residents' Association", "oakwood",
     "Oakwood district centre", 10, 1, 13, 3, 2, 8, "sup-3"},
    {"Blagreaves green spaces", "community_clean_up", "Blagreaves Community Trust", "blagreaves",
     "Blagreaves Lane green", 10, 4, 13, 4, 2, 8, "sup-4"},
    {"Mickleover community clean-up", "community_clean_up", "Mickleover Parish Volunteers",
     "mickleover", "Mickleover village", 10, 5, 13, 4, 2, 8, "sup-2"},
    {"Sports club grounds", "other", "Darley Abbey Cricket Club", "darley", "Darley Abbey ground",
     10, 6, 13, 4, 2, 6, "sup-1"},
    {"Canal towpath restoration", "other", "Derby and Sandiacre Canal Trust", "chellaston",
     "Chellaston towpath", 16, 3, 13, 4, 2, 6, "sup-3"},
    {"Community centre decorating", "other", "Derwent Community Centre", "derwent",
     "Derwent community centre", 18, 0, 9, 6, 2, 6, "sup-4"},
};

static const char *const NOTTS_WARDS[][2] = {
    {"castle", "Castle"}, {"bulwell", "Bulwell"}, {"radford", "Radford"}, {"sneinton", "Sneinton"}};
static const int NOTTS_WARD_WEIGHTS[] = {30, 25, 25, 20};
static const int DERBY_WARD_WEIGHTS[] = {12, 3, 7, 14, 4, 6, 8, 3, 7, 6, 4, 6, 3, 13, 4, 8, 4};

static const plan_placement NOTTS_PLACEMENTS[] = {
    {"Bulwell Bogs clean-up", "community_clean_up", "Bulwell Community Trust", "bulwell",
     "Bulwell Bogs", 10, 5, 9, 4, 1, 8, "sup-n1"},
    {"Sneinton market garden", "gardening", "Sneinton Growers", "sneinton", "Sneinton Market", 10,
     2, 9, 4, 2, 6, "sup-n1"},
    {"Radford food hub", "charity_work", "Radford Community Pantry", "radford", "Radford Road", 16,
     3, 10, 4, 2, 6, "sup-n1"},
    {"Castle riverside litter pick", "litter_picking", "Nottingham Canal Volunteers", "castle",
     "Castle Marina towpath", 10, 6, 10, 3, 2, 8, "sup-n1"},
};

typedef struct {
  char id[IJ_UUID_BUF]; /* empty until the session is made */
  int held;             /* places held, as this run counts them */
} hist_slot;

typedef struct {
  char name[96], dob[IJ_DATE_BUF], postcode[16];
  ij_time_us exited_at;
  bool reused;
} hist_person;

typedef struct {
  ij_conn *conn;
  const char *area;
  const ij_area_rules *defaults;
  ij_time_us now;
  prng rng;
  const char *const (*wards)[2];
  const int *ward_weights;
  int nwards;
  const char *postcode_area; /* "DE", "NG" */
  int officers;              /* pc-<officer_base + 0 .. officers - 1> */
  int officer_base;
  const plan_placement *plan;
  int nplacements;
  char placement_ids[24][IJ_UUID_BUF];
  ij_time_us calendar; /* a Monday 00:00 UTC: week 0 of the sessions */
  int nweeks;
  hist_slot *slots; /* nplacements x nweeks */
  hist_person *people;
  int npeople, people_cap;
  int made;
} hist;

static ij_op_ctx hop(const hist *h, ij_time_us at) {
  return (ij_op_ctx){h->area, "seed", at, h->defaults};
}

static ij_actor hist_coordinator(const hist *h) {
  return (ij_actor){"coord-1", "Coordinator 1", h->area, IJ_ROLE_COORDINATOR};
}

static ij_err hist_event(hist *h, const char *id, const ij_actor *actor,
                         const ij_transition_request *req, ij_time_us at) {
  ij_op_ctx op = hop(h, at);
  ij_referral current, updated;
  ij_err err = ij_ops_referral_get(h->conn, &op, id, &current);
  if (err != IJ_OK)
    return err;
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  unsigned allowed = 0;
  err = ij_ops_referral_transition(h->conn, &op, actor, id, current.version, req, &updated,
                                   &allowed, &errs);
  if (err != IJ_OK)
    ij_log(IJ_LOG_ERROR, "seed: %s on %s: %s %s", ij_event_name(req->event), id,
           errs.count ? errs.items[0].field : "", errs.count ? errs.items[0].message : "");
  ij_referral_clear(&current);
  ij_referral_clear(&updated);
  return err;
}

static ij_time_us slot_start(const hist *h, int p, int week) {
  return h->calendar + ((ij_time_us)week * 7 + h->plan[p].weekday) * IJ_US_PER_DAY +
         (ij_time_us)h->plan[p].start_hour * IJ_US_PER_HOUR;
}

/* The first session, starting at or after not_before, of a placement that takes the person (by
 * age on the day) with a place free; false when none in the next eight weeks. */
static bool find_slot(const hist *h, ij_time_us not_before, ij_date dob, int *pp, int *pw) {
  int first = (int)((not_before - h->calendar) / (7 * IJ_US_PER_DAY));
  if (first < 0)
    first = 0;
  ij_time_us best = 0;
  for (int w = first; w < h->nweeks && w < first + 8; w++) {
    for (int p = 0; p < h->nplacements; p++) {
      const plan_placement *pl = &h->plan[p];
      if ((w + p) % pl->every != 0)
        continue;
      ij_time_us at = slot_start(h, p, w);
      if (at < not_before || (best && at >= best))
        continue;
      if (h->slots[p * h->nweeks + w].held >= pl->capacity)
        continue;
      if (ij_age_years(dob, ij_time_date(at)) < pl->min_age)
        continue;
      best = at;
      *pp = p;
      *pw = w;
    }
    if (best)
      return true;
  }
  return false;
}

static ij_err ensure_session(hist *h, int p, int w, ij_time_us at) {
  hist_slot *slot = &h->slots[p * h->nweeks + w];
  if (slot->id[0])
    return IJ_OK;
  const plan_placement *pl = &h->plan[p];
  ij_time_us starts = slot_start(h, p, w);
  char s[IJ_TIME_BUF], e[IJ_TIME_BUF];
  ij_time_format(starts, s);
  ij_time_format(starts + (ij_time_us)pl->hours * IJ_US_PER_HOUR, e);
  ij_session_input in;
  memset(&in, 0, sizeof in);
  in.starts_at = s;
  in.ends_at = e;
  in.has_capacity = true;
  in.capacity = pl->capacity;
  in.cancelled = -1;
  ij_op_ctx op = hop(h, at);
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  ij_session made;
  memset(&made, 0, sizeof made);
  ij_err err = ij_ops_session_create(h->conn, &op, h->placement_ids[p], &in, &made, &errs);
  if (err == IJ_OK)
    memcpy(slot->id, made.id, IJ_UUID_BUF);
  else
    ij_log(IJ_LOG_ERROR, "seed: session of %s: %s %s", pl->name,
           errs.count ? errs.items[0].field : "", errs.count ? errs.items[0].message : "");
  ij_session_clear(&made);
  return err;
}

/* Books the referral, as the coordinator at `at`, onto the first session it can take from
 * not_before. *booked false (IJ_OK) when there is none. */
static ij_err hist_book(hist *h, const char *id, ij_date dob, ij_time_us at, ij_time_us not_before,
                        int *pp, int *pw, char booking[IJ_UUID_BUF], bool *booked) {
  *booked = false;
  ij_actor coord = hist_coordinator(h);
  for (int attempt = 0; attempt < 4; attempt++) {
    if (!find_slot(h, not_before, dob, pp, pw))
      return IJ_OK;
    ij_err err = ensure_session(h, *pp, *pw, at - 10 * 60 * IJ_US_PER_SECOND);
    if (err != IJ_OK)
      return err;
    hist_slot *slot = &h->slots[*pp * h->nweeks + *pw];
    ij_op_ctx op = hop(h, at);
    ij_field_errors errs;
    ij_field_errors_init(&errs);
    err = ij_ops_book(h->conn, &op, &coord, id, slot->id, booking, NULL, NULL, &errs);
    if (err == IJ_ERR_CONFLICT) { /* full after all: the next one */
      slot->held = h->plan[*pp].capacity;
      continue;
    }
    if (err != IJ_OK) {
      ij_log(IJ_LOG_ERROR, "seed: booking %s: %s %s", id, errs.count ? errs.items[0].field : "",
             errs.count ? errs.items[0].message : "");
      return err;
    }
    slot->held++;
    *booked = true;
    return IJ_OK;
  }
  return IJ_OK;
}

typedef enum { ENGAGED, PATCHY, POOR } engagement;

static ij_outcome draw_outcome(prng *r, engagement e) {
  static const ij_outcome outcomes[] = {IJ_OUTCOME_ATTENDED_COMPLIED,
                                        IJ_OUTCOME_ABSENT_ACCEPTABLE,
                                        IJ_OUTCOME_RESCHEDULED,
                                        IJ_OUTCOME_ABSENT_UNACCEPTABLE,
                                        IJ_OUTCOME_ATTENDED_FAILED_TO_COMPLY,
                                        IJ_OUTCOME_SENT_HOME_BEHAVIOUR,
                                        IJ_OUTCOME_SENT_HOME_SERVICE_ISSUE};
  static const int weights[3][7] = {
      {900, 45, 25, 15, 5, 5, 5}, {600, 90, 50, 170, 40, 40, 10}, {300, 60, 30, 450, 60, 90, 10}};
  return outcomes[rnd_weighted(r, weights[e], 7)];
}

static const char *breach_reason(ij_outcome o) {
  return o == IJ_OUTCOME_ABSENT_UNACCEPTABLE         ? "unacceptable_absence"
         : o == IJ_OUTCOME_ATTENDED_FAILED_TO_COMPLY ? "failure_to_comply"
                                                     : "behaviour";
}

/* The referral's booking on a session, read back (a rescheduling's new booking). */
static ij_err booking_on(hist *h, const char *id, const char *session, ij_time_us at,
                         char booking[IJ_UUID_BUF]) {
  ij_op_ctx op = hop(h, at);
  ij_booking_list list;
  memset(&list, 0, sizeof list);
  ij_err err = ij_ops_referral_bookings(h->conn, &op, id, NULL, &list);
  if (err != IJ_OK)
    return err;
  err = IJ_ERR_NOT_FOUND;
  for (int i = 0; i < list.count; i++)
    if (strcmp(list.items[i].session_id, session) == 0 &&
        strcmp(list.items[i].status, "booked") == 0) {
      memcpy(booking, list.items[i].id, IJ_UUID_BUF);
      err = IJ_OK;
    }
  ij_booking_list_clear(&list);
  return err;
}

/* The reoffending checks of a referral that exited at `exited`, recorded by the coordinator a
 * few days to a few weeks after each falls due, while that is before now. */
static ij_err hist_followups(hist *h, const char *id, bool completed, ij_time_us exited) {
  ij_followup_filter f;
  memset(&f, 0, sizeof f);
  f.area = h->area;
  f.status = IJ_FOLLOWUPS_ALL;
  f.today = ij_time_date(h->now);
  f.referral_id = id;
  f.limit = 10;
  ij_followup_page page;
  memset(&page, 0, sizeof page);
  ij_err err = ij_ops_followup_list(h->conn, &f, &page);
  if (err != IJ_OK)
    return err;
  /* whether and when they reoffend within the year: fewer of those who completed */
  bool reoffends = rnd_chance(&h->rng, completed ? 0.16 : 0.45);
  /* most of those who reoffend do so in the first months */
  double u1 = rnd_unit(&h->rng), u2 = rnd_unit(&h->rng);
  int after_days = 3 + (int)(357.0 * (u1 < u2 ? u1 : u2));
  const char *category = CATEGORIES[rnd_weighted(&h->rng, CATEGORY_WEIGHTS, COUNT(CATEGORIES))];
  ij_date reoffence = ij_time_date(exited) + after_days;
  ij_actor coord = hist_coordinator(h);
  for (int i = 0; err == IJ_OK && i < page.count; i++) {
    const ij_followup *c = &page.items[i];
    int lag = rnd_chance(&h->rng, 0.08) ? rnd_int(&h->rng, 25, 45) : rnd_int(&h->rng, 1, 14);
    ij_time_us at = (ij_time_us)(c->due_on + lag) * IJ_US_PER_DAY +
                    (ij_time_us)rnd_int(&h->rng, 9 * 60, 16 * 60) * 60 * IJ_US_PER_SECOND;
    if (at >= h->now || c->recorded_at)
      continue;
    bool within = reoffends && reoffence < c->due_on;
    char on[IJ_DATE_BUF];
    ij_date_format(reoffence, on);
    ij_followup_input in = {within ? 1 : 0, within ? on : NULL, within ? category : NULL, NULL};
    ij_op_ctx op = hop(h, at);
    ij_field_errors errs;
    ij_field_errors_init(&errs);
    int version = 0;
    err = ij_ops_record_followup(h->conn, &op, &coord, c->id, 0, &in, NULL, NULL, &version, &errs);
    if (err != IJ_OK)
      ij_log(IJ_LOG_ERROR, "seed: check %s: %s %s", c->id, errs.count ? errs.items[0].field : "",
             errs.count ? errs.items[0].message : "");
  }
  ij_followup_page_clear(&page);
  return err;
}

static ij_err hist_state(hist *h, const char *id, ij_time_us at, ij_state *state) {
  ij_op_ctx op = hop(h, at);
  ij_referral r;
  ij_err err = ij_ops_referral_get(h->conn, &op, id, &r);
  if (err == IJ_OK)
    *state = r.state;
  ij_referral_clear(&r);
  return err;
}

/* Attendance, enforcement and exit of an accepted referral, from `ready` (when the coordinator
 * first books it). */
static ij_err hist_attend(hist *h, const char *id, const ij_actor *officer, ij_date dob,
                          ij_time_us ready, ij_time_us *exited) {
  prng *r = &h->rng;
  engagement e = (engagement)rnd_weighted(r, (const int[]){58, 24, 18}, 3);
  int withdraw_after = rnd_chance(r, 0.05) ? rnd_int(r, 0, 2) : -1;
  ij_actor coord = hist_coordinator(h);
  ij_actor sup = {NULL, NULL, h->area, IJ_ROLE_SUPERVISOR};
  char supname[32];
  int breaches = 0, sessions = 0;
  char booking[IJ_UUID_BUF];
  int p = 0, w = 0;
  bool booked = false;
  ij_err err = IJ_OK;
  (void)officer;
  for (int round = 0; round < 16 && err == IJ_OK; round++) {
    if (!booked) {
      if (ready >= h->now)
        return IJ_OK;
      if (withdraw_after >= 0 && sessions >= withdraw_after) {
        ij_transition_request t = {IJ_EVENT_WITHDRAW, NULL, NULL, false, 0, NULL};
        t.reason_code = LATE_WITHDRAW_REASONS[rnd_weighted(r, LATE_WITHDRAW_WEIGHTS,
                                                           COUNT(LATE_WITHDRAW_REASONS))];
        t.reason = "Recorded by the coordinator after speaking to the person.";
        return hist_event(h, id, &coord, &t, ready);
      }
      err = hist_book(h, id, dob, ready, ready + 2 * IJ_US_PER_HOUR, &p, &w, booking, &booked);
      if (err != IJ_OK || !booked)
        return err;
    }
    const plan_placement *pl = &h->plan[p];
    ij_time_us starts = slot_start(h, p, w);
    ij_time_us ends = starts + (ij_time_us)pl->hours * IJ_US_PER_HOUR;
    ij_outcome o = draw_outcome(r, e);
    ij_time_us at = ends + (ij_time_us)rnd_int(r, 5, 150) * 60 * IJ_US_PER_SECOND;
    char rescheduled[IJ_UUID_BUF] = "";
    int np = 0, nw = 0;
    if (o == IJ_OUTCOME_RESCHEDULED) {
      /* asked to move, a day or two before */
      at = starts - (ij_time_us)rnd_int(r, 20, 50) * IJ_US_PER_HOUR;
      if (at <= ready)
        at = ready + 30 * 60 * IJ_US_PER_SECOND;
      if (at >= starts || !find_slot(h, starts + IJ_US_PER_DAY, dob, &np, &nw))
        o = IJ_OUTCOME_ATTENDED_COMPLIED;
      else if ((err = ensure_session(h, np, nw, at - 60 * IJ_US_PER_SECOND)) == IJ_OK)
        memcpy(rescheduled, h->slots[np * h->nweeks + nw].id, IJ_UUID_BUF);
      else
        return err;
      if (o != IJ_OUTCOME_RESCHEDULED)
        at = ends + (ij_time_us)rnd_int(r, 5, 150) * 60 * IJ_US_PER_SECOND;
    }
    if (o != IJ_OUTCOME_RESCHEDULED && ends + IJ_US_PER_HOUR >= h->now)
      return IJ_OK; /* booked: still to come, or today's */
    if (at >= h->now)
      return IJ_OK;
    ij_outcome_input in;
    memset(&in, 0, sizeof in);
    in.outcome = o;
    const ij_actor *who = &coord;
    if (o == IJ_OUTCOME_ABSENT_ACCEPTABLE)
      in.absence_reason = ABSENCE_REASONS[rnd_int(r, 0, COUNT(ABSENCE_REASONS) - 1)];
    if (ij_outcome_attended(o)) {
      in.behaviour = o == IJ_OUTCOME_SENT_HOME_BEHAVIOUR
                         ? "poor"
                         : RATINGS[rnd_weighted(r, RATING_WEIGHTS, COUNT(RATINGS))];
      in.work_quality = RATINGS[rnd_weighted(r, RATING_WEIGHTS, COUNT(RATINGS))];
      if (o == IJ_OUTCOME_SENT_HOME_BEHAVIOUR || o == IJ_OUTCOME_SENT_HOME_SERVICE_ISSUE ||
          o == IJ_OUTCOME_ATTENDED_FAILED_TO_COMPLY) {
        in.has_penalty = true;
        in.penalty_minutes = 30 * rnd_int(r, 2, pl->hours * 2 - 1); /* in half hours */
      }
    }
    if (o == IJ_OUTCOME_RESCHEDULED) {
      in.has_rescheduled_session = true;
      in.notes = "Asked to move to a later session.";
    } else {
      /* the session's supervisor records it at the end, most of the time */
      snprintf(supname, sizeof supname, "Supervisor %s", pl->supervisor + 4);
      sup.sub = pl->supervisor;
      sup.name = supname;
      who = rnd_chance(r, 0.85) ? &sup : &coord;
    }
    ij_op_ctx op = hop(h, at);
    ij_field_errors errs;
    ij_field_errors_init(&errs);
    int version = 0;
    err = ij_ops_record_outcome(h->conn, &op, who, booking, NULL, 0, &in,
                                rescheduled[0] ? rescheduled : NULL, NULL, &version, &errs);
    if (err != IJ_OK) {
      ij_log(IJ_LOG_ERROR, "seed: outcome %s on %s: %s %s", ij_outcome_name(o), booking,
             errs.count ? errs.items[0].field : "", errs.count ? errs.items[0].message : "");
      return err;
    }
    if (o == IJ_OUTCOME_RESCHEDULED) {
      h->slots[p * h->nweeks + w].held--;
      h->slots[np * h->nweeks + nw].held++;
      p = np;
      w = nw;
      err = booking_on(h, id, rescheduled, at, booking);
      continue; /* still booked, on the new session */
    }
    booked = false;
    sessions++;
    ij_state state = IJ_STATE_SUBMITTED;
    err = hist_state(h, id, at, &state);
    if (err != IJ_OK)
      return err;
    if (state == IJ_STATE_COMPLETED)
      return *exited = at, hist_followups(h, id, true, at);
    if (ij_outcome_breach(o)) {
      breaches++;
      ij_transition_request t = {IJ_EVENT_FIRST_WARNING, breach_reason(o), NULL, false, 0, NULL};
      ij_time_us next_morning = at + (ij_time_us)rnd_int(r, 16, 22) * IJ_US_PER_HOUR;
      if (next_morning >= h->now)
        return IJ_OK;
      if (breaches == 1) {
        t.reason = "First warning: a letter sent explaining what happens after a second breach.";
      } else if (breaches == 2) {
        t.event = IJ_EVENT_SECOND_WARNING;
        t.reason = "Second warning: a final letter; a further breach ends the referral.";
      } else {
        t.event = IJ_EVENT_DECLARE_NON_COMPLIANCE;
        t.reason = "Three breaches after two warnings.";
      }
      err = hist_event(h, id, &coord, &t, next_morning);
      if (err != IJ_OK)
        return err;
      if (t.event == IJ_EVENT_DECLARE_NON_COMPLIANCE)
        return *exited = next_morning, hist_followups(h, id, false, next_morning);
      at = next_morning;
    }
    /* the coordinator books the next session within a few days */
    ready = at + (ij_time_us)rnd_int(r, 2, 60) * IJ_US_PER_HOUR;
  }
  return err;
}

static void make_postcode(hist *h, char out[16]) {
  static const char letters[] = "ABDEFGHJLNPQRSTUWXYZ";
  snprintf(out, 16, "%s%d %d%c%c", h->postcode_area, rnd_int(&h->rng, 1, 24),
           rnd_int(&h->rng, 1, 9), letters[rnd_int(&h->rng, 0, 19)],
           letters[rnd_int(&h->rng, 0, 19)]);
}

/* One referral made at `t`, and all that follows it until now. */
static ij_err hist_referral(hist *h, ij_time_us t) {
  prng *r = &h->rng;
  ij_date today = ij_time_date(t);
  hist_person fresh, *person = &fresh;
  memset(&fresh, 0, sizeof fresh);
  /* some come back after an earlier referral ended */
  if (h->npeople && rnd_chance(r, 0.07)) {
    hist_person *back = &h->people[rnd_int(r, 0, h->npeople - 1)];
    if (!back->reused && back->exited_at && back->exited_at < t - 14 * IJ_US_PER_DAY) {
      back->reused = true;
      person = back;
    }
  }
  if (person == &fresh) {
    const char *first = FIRST_NAMES[rnd_int(r, 0, COUNT(FIRST_NAMES) - 1)];
    const char *last = SURNAMES[rnd_int(r, 0, COUNT(SURNAMES) - 1)];
    snprintf(fresh.name, sizeof fresh.name, "%s %s", first, last);
    static const int age_bands[][2] = {{10, 13}, {14, 17}, {18, 24}, {25, 34}, {35, 49}, {50, 70}};
    static const int age_weights[] = {6, 22, 30, 21, 15, 6};
    int band = rnd_weighted(r, age_weights, 6);
    int age = rnd_int(r, age_bands[band][0], age_bands[band][1]);
    ij_date dob = ij_date_add_months(today, -12 * age) - rnd_int(r, 1, 360);
    ij_date_format(dob, fresh.dob);
    make_postcode(h, fresh.postcode);
  }
  ij_date dob;
  ij_date_parse(person->dob, &dob);
  int age = ij_age_years(dob, today);
  int ward = rnd_weighted(r, h->ward_weights, h->nwards);
  int officer_no = h->officer_base + rnd_int(r, 0, h->officers - 1);
  char officer_sub[16], officer_name[16];
  snprintf(officer_sub, sizeof officer_sub, "pc-%d", officer_no);
  snprintf(officer_name, sizeof officer_name, "PC %d", officer_no);
  ij_actor officer = {officer_sub, officer_name, h->area, IJ_ROLE_OFFICER};

  ij_referral_input in;
  memset(&in, 0, sizeof in);
  in.person.name = person->name;
  in.person.date_of_birth = person->dob;
  in.person.postcode = person->postcode;
  char offence_date[IJ_DATE_BUF], location[96];
  ij_date_format(today - rnd_int(r, 0, 9), offence_date);
  in.offence_date = offence_date;
  in.offence_category = CATEGORIES[rnd_weighted(r, CATEGORY_WEIGHTS, COUNT(CATEGORIES))];
  snprintf(location, sizeof location, "%s, %s", rnd_chance(r, 0.5) ? "High Street" : "Park Road",
           h->wards[ward][1]);
  in.offence_location = location;
  in.ward = h->wards[ward][0];
  in.disposal = age < 18 ? YOUTH_DISPOSALS[rnd_weighted(r, YOUTH_DISPOSAL_WEIGHTS, 3)]
                         : ADULT_DISPOSALS[rnd_weighted(r, ADULT_DISPOSAL_WEIGHTS, 5)];
  in.consent_recorded = 1;
  in.contact_consent = 0; /* no messages about sessions long past */
  in.victim_consulted = -1;
  in.victim_keep_updated = -1;
  in.guardian.consent = -1;
  char guardian_name[96], guardian_phone[24];
  if (ij_domain_guardian_required(dob, today)) {
    snprintf(guardian_name, sizeof guardian_name, "%s %s",
             FIRST_NAMES[rnd_int(r, 0, COUNT(FIRST_NAMES) - 1)], strchr(person->name, ' ') + 1);
    snprintf(guardian_phone, sizeof guardian_phone, "07700 900%03d", rnd_int(r, 0, 999));
    in.has_guardian = true;
    in.guardian = (ij_guardian_input){guardian_name, rnd_chance(r, 0.85) ? "parent" : "grandparent",
                                      guardian_phone, NULL, 1};
  }
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  ij_op_ctx op = hop(h, t);
  ij_create_request req = {NULL, NULL, NULL, NULL};
  ij_created made;
  memset(&made, 0, sizeof made);
  ij_err err = ij_ops_referral_create(h->conn, &op, &officer, &in, &req, &made, &errs);
  if (err != IJ_OK) {
    ij_log(IJ_LOG_ERROR, "seed: referral of %s: %s %s", person->name,
           errs.count ? errs.items[0].field : "", errs.count ? errs.items[0].message : "");
    ij_created_clear(&made);
    return err;
  }
  char id[IJ_UUID_BUF];
  memcpy(id, made.referral.id, IJ_UUID_BUF);
  ij_created_clear(&made);
  h->made++;

  /* triage: most the same or the next working day */
  ij_time_us triage = t + (ij_time_us)rnd_int(r, 40, 40 * 60) * 60 * IJ_US_PER_SECOND;
  if (triage >= h->now)
    return IJ_OK;
  ij_actor coord = hist_coordinator(h);
  double x = rnd_unit(r);
  ij_transition_request tr;
  memset(&tr, 0, sizeof tr);
  ij_time_us exited = 0;
  if (x < 0.03) {
    tr.event = IJ_EVENT_WITHDRAW;
    tr.reason_code = rnd_chance(r, 0.6) ? "charged_instead" : "made_in_error";
    return hist_event(h, id, &officer, &tr, triage);
  }
  if (x < 0.11) {
    tr.event = IJ_EVENT_REJECT;
    tr.reason_code = REJECT_REASONS[rnd_weighted(r, REJECT_WEIGHTS, COUNT(REJECT_REASONS))];
    return hist_event(h, id, &coord, &tr, triage);
  }
  tr.event = IJ_EVENT_ACCEPT;
  tr.has_hours_confirmed = true;
  tr.hours_confirmed = HOURS[rnd_weighted(r, HOURS_WEIGHTS, COUNT(HOURS))];
  tr.suitability_notes = "Suitable for group work.";
  err = hist_event(h, id, &coord, &tr, triage);
  if (err != IJ_OK)
    return err;
  err = hist_attend(h, id, &officer, dob,
                    triage + (ij_time_us)rnd_int(r, 10, 180) * 60 * IJ_US_PER_SECOND, &exited);
  if (err != IJ_OK)
    return err;
  /* remember who may come back */
  if (person == &fresh && exited) {
    if (h->npeople == h->people_cap) {
      int cap = h->people_cap ? h->people_cap * 2 : 64;
      hist_person *grown = realloc(h->people, (size_t)cap * sizeof *grown);
      if (!grown)
        return IJ_ERR_NOMEM;
      h->people = grown;
      h->people_cap = cap;
    }
    fresh.exited_at = exited;
    h->people[h->npeople++] = fresh;
  }
  return err;
}

/* An area's history: placements defined before it starts, referrals at `per_day` on average
 * (fewer at weekends) from `days` days before now to a few days before now. */
static ij_err hist_run(hist *h, double per_day, int days) {
  ij_date start = ij_time_date(h->now) - days;
  /* week 0: the Monday on or before the start (1970-01-01 was a Thursday) */
  ij_date monday = start - (ij_date)(((start % 7) + 3) % 7);
  h->calendar = (ij_time_us)monday * IJ_US_PER_DAY;
  h->nweeks = days / 7 + 12;
  h->slots = calloc((size_t)(h->nplacements * h->nweeks), sizeof *h->slots);
  if (!h->slots)
    return IJ_ERR_NOMEM;
  ij_err err = IJ_OK;
  ij_time_us made_at = (ij_time_us)(start - 21) * IJ_US_PER_DAY + 10 * IJ_US_PER_HOUR;
  for (int p = 0; err == IJ_OK && p < h->nplacements; p++) {
    const plan_placement *pl = &h->plan[p];
    char supname[32];
    snprintf(supname, sizeof supname, "Supervisor %s", pl->supervisor + 4);
    ij_placement_input in;
    memset(&in, 0, sizeof in);
    in.name = pl->name;
    in.type = pl->type;
    in.provider = pl->provider;
    in.ward = pl->ward;
    in.has_location = true;
    in.location = pl->location;
    in.has_min_age = true;
    in.min_age = pl->min_age;
    in.has_supervisor = true;
    in.supervisor_sub = pl->supervisor;
    in.supervisor_name = supname;
    in.active = -1;
    in.has_what_to_bring = true;
    in.what_to_bring = "Clothes for the weather and sturdy shoes; gloves and tools provided.";
    ij_op_ctx op = hop(h, made_at + p * 60 * IJ_US_PER_SECOND);
    ij_field_errors errs;
    ij_field_errors_init(&errs);
    ij_placement made;
    memset(&made, 0, sizeof made);
    err = ij_ops_placement_create(h->conn, &op, &in, &made, &errs);
    if (err == IJ_OK)
      memcpy(h->placement_ids[p], made.id, IJ_UUID_BUF);
    else
      ij_log(IJ_LOG_ERROR, "seed: placement %s: %s %s", pl->name,
             errs.count ? errs.items[0].field : "", errs.count ? errs.items[0].message : "");
    ij_placement_clear(&made);
  }
  for (int d = 0; err == IJ_OK && d < days - 3; d++) {
    ij_date day = start + d;
    int weekday = (int)(((day % 7) + 3) % 7); /* 0 Monday */
    /* a scheme that grows a little over the period, quieter at weekends */
    double mean = per_day * (0.8 + 0.4 * d / days) * (weekday >= 5 ? 0.45 : 1.22);
    int n = rnd_poisson(&h->rng, mean);
    for (int i = 0; err == IJ_OK && i < n; i++) {
      ij_time_us t = (ij_time_us)day * IJ_US_PER_DAY +
                     (ij_time_us)rnd_int(&h->rng, 7 * 60, 21 * 60) * 60 * IJ_US_PER_SECOND;
      err = hist_referral(h, t);
    }
  }
  free(h->slots);
  free(h->people);
  h->slots = NULL;
  h->people = NULL;
  return err;
}

static ij_err define_supervisors(ij_conn *conn, const char *area, const char *const *subs, int n,
                                 ij_time_us now) {
  ij_err err = IJ_OK;
  for (int i = 0; err == IJ_OK && i < n; i++) {
    char name[32];
    snprintf(name, sizeof name, "Supervisor %s", subs[i] + 4);
    err = ij_ops_supervisor_define(conn, area, subs[i], name, "Derwent Valley Trust", now);
  }
  return err;
}

ij_err ij_seed_demo_areas(ij_conn *conn, const ij_area_rules *defaults, ij_time_us now,
                          const ij_seed_areas *areas, int *created) {
  *created = 0;
  g_area = areas->demo;
  OFFICER.area = areas->demo;
  COORDINATOR.area = areas->demo;
  ij_op_ctx op = {areas->demo, "seed", now, defaults};
  ij_err err = ij_ops_area_define(conn, areas->demo, areas->demo_name);
  if (err == IJ_OK)
    err = ij_ops_area_define(conn, areas->second, areas->second_name);
  for (size_t i = 0; err == IJ_OK && i < sizeof DERBY_WARDS / sizeof DERBY_WARDS[0]; i++)
    err = ij_ops_ward_define(conn, areas->demo, DERBY_WARDS[i][0], DERBY_WARDS[i][1]);
  for (int i = 0; err == IJ_OK && i < COUNT(NOTTS_WARDS); i++)
    err = ij_ops_ward_define(conn, areas->second, NOTTS_WARDS[i][0], NOTTS_WARDS[i][1]);
  /* the sessions name these supervisors: they are in the areas' directories */
  static const char *const derby_sups[] = {"sup-1", "sup-2", "sup-3", "sup-4"};
  static const char *const notts_sups[] = {"sup-n1"};
  if (err == IJ_OK)
    err = define_supervisors(conn, areas->demo, derby_sups, COUNT(derby_sups), now);
  if (err == IJ_OK)
    err = define_supervisors(conn, areas->second, notts_sups, COUNT(notts_sups), now);
  if (err != IJ_OK)
    return err;
  bool any = false;
  err = ij_ops_area_has_referrals(conn, &op, &any);
  if (err != IJ_OK || any)
    return err;
  /* the seed's ten thousand writes leave the kept statistics to one set-based rebuild at the end
   * (migration 039: 9 s of the seed's 16 went to keeping them write by write) */
  bool deferred = false;
  err = ij_ops_demo_defer_stats(conn, &deferred);
  /* this week's people, sessions and work, for the practitioners' pages: first, so that the
   * sessions they are booked on are the demo's own */
  ij_rows past, future;
  memset(&past, 0, sizeof past);
  memset(&future, 0, sizeof future);
  if (err == IJ_OK)
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
  /* thousands of small transactions: none waits for the disk (a crash may lose the last of
   * them, never the database's consistency) */
  if (err == IJ_OK)
    err = ij_ops_demo_fast_writes(conn);
  hist derby = {.conn = conn,
                .area = areas->demo,
                .defaults = defaults,
                .now = now,
                .rng = {UINT64_C(20260517)},
                .wards = DERBY_WARDS,
                .ward_weights = DERBY_WARD_WEIGHTS,
                .nwards = COUNT(DERBY_WARDS),
                .postcode_area = "DE",
                .officers = 14,
                .officer_base = 101,
                .plan = DERBY_PLACEMENTS,
                .nplacements = COUNT(DERBY_PLACEMENTS)};
  if (err == IJ_OK)
    err = hist_run(&derby, 1.26, 548);
  *created += derby.made;
  hist notts = {.conn = conn,
                .area = areas->second,
                .defaults = defaults,
                .now = now,
                .rng = {UINT64_C(20260518)},
                .wards = NOTTS_WARDS,
                .ward_weights = NOTTS_WARD_WEIGHTS,
                .nwards = COUNT(NOTTS_WARDS),
                .postcode_area = "NG",
                .officers = 5,
                .officer_base = 201,
                .plan = NOTTS_PLACEMENTS,
                .nplacements = COUNT(NOTTS_PLACEMENTS)};
  if (err == IJ_OK)
    err = hist_run(&notts, 0.2, 548);
  *created += notts.made;
  /* after a failure too: the figures match whatever rows were made */
  if (deferred) {
    ij_err rebuilt = ij_ops_demo_rebuild_stats(conn);
    if (err == IJ_OK)
      err = rebuilt;
  }
  return err;
}

ij_err ij_seed_demo(ij_conn *conn, const ij_area_rules *defaults, ij_time_us now, int *created) {
  static const ij_seed_areas areas = {"derbyshire", "Derbyshire", "nottinghamshire",
                                      "Nottinghamshire"};
  return ij_seed_demo_areas(conn, defaults, now, &areas, created);
}
