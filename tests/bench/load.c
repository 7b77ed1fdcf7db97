/* ij_bench_load: a synthetic national data set for benchmarks, loaded with COPY into an
 * already-migrated database as the schema owner.
 *
 * The whole history is simulated in memory first, referral by referral, following the service's
 * rules (the transition table, attendance outcomes, follow-up checks), because some columns of the
 * parents depend on their children (sessions.booked, the referral's counters) and the parents
 * must be loaded first. Then each table is written with one COPY, rows in order of creation so
 * that the heap looks like one filled by the service over the years. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#define DAY 86400
#define HOUR 3600
#define MINUTE 60

/* ---- options ------------------------------------------------------------------------------- */

typedef struct {
  const char *uri;
  const char *ids_file;
  const char *prefix;
  long referrals;
  int areas;
  int years;
  uint64_t seed;
  int64_t today; /* days since the epoch: "now" is midnight UTC at its start */
} options;

enum { WARDS = 20, PLACEMENTS = 30, OFFICERS = 150, COORDINATORS = 6, FUTURE_DAYS = 56 };

/* ---- deterministic randomness ---------------------------------------------------------------- */

static uint64_t g_rng;

static uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static uint64_t next_u64(void) {
  g_rng += 0x9e3779b97f4a7c15ULL;
  return mix64(g_rng);
}

/* Uniform in [0, n). The modulo bias is far below anything a benchmark can notice. */
static uint64_t rnd(uint64_t n) {
  return n ? next_u64() % n : 0;
}

static int64_t rnd_range(int64_t lo, int64_t hi) {
  return hi <= lo ? lo : lo + (int64_t)rnd((uint64_t)(hi - lo + 1));
}

static double rnd_unit(void) {
  return (double)(next_u64() >> 11) * (1.0 / 9007199254740992.0);
}

/* A pure function of its inputs: used for details that are recomputed when the rows are written
 * (texts, follow-up results) so that they need not be kept in memory. */
static uint64_t hash3(uint64_t seed, uint64_t a, uint64_t b) {
  return mix64(seed ^ mix64(a * 0x9e3779b97f4a7c15ULL ^ mix64(b + 0x632be59bd9b4e019ULL)));
}

/* ---- calendar -------------------------------------------------------------------------------- */

/* Days since 1970-01-01 from a civil date and back (proleptic Gregorian, H. Hinnant's method). */
static int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

static int days_in_month(int64_t y, int m) {
  static const int k[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : k[m - 1];
}

/* The same as the service's ij_date_add_months: the day is clamped to the month's last. */
static int64_t add_months(int64_t day, int months) {
  int64_t y;
  int m, d;
  civil_from_days(day, &y, &m, &d);
  int64_t total = y * 12 + (m - 1) + months;
  y = total / 12;
  m = (int)(total - y * 12) + 1;
  if (d > days_in_month(y, m))
    d = days_in_month(y, m);
  return days_from_civil(y, m, d);
}

static int64_t day_of(int64_t t) {
  return t >= 0 ? t / DAY : -((-t + DAY - 1) / DAY);
}

/* ---- the model ------------------------------------------------------------------------------- */

enum {
  ST_SUBMITTED,
  ST_ACCEPTED,
  ST_REJECTED,
  ST_SCHEDULED,
  ST_IN_PROGRESS,
  ST_COMPLETED,
  ST_NON_COMPLIANT,
  ST_WITHDRAWN,
  ST_CLOSED,
  ST_NONE
};
static const char *const STATE[] = {"submitted",     "accepted",    "rejected",
                                    "scheduled",     "in_progress", "completed",
                                    "non_compliant", "withdrawn",   "closed"};

enum {
  EV_CREATE,
  EV_ACCEPT,
  EV_REJECT,
  EV_BOOK,
  EV_UNBOOK,
  EV_ATTEND,
  EV_COMPLETE,
  EV_NON_COMPLIANCE,
  EV_WITHDRAW,
  EV_CLOSE,
  EV_FIRST_WARNING,
  EV_SECOND_WARNING
};
static const char *const EVENT[] = {"create",   "accept", "reject",        "book",
                                    "unbook",   "attend", "complete",      "declare_non_compliance",
                                    "withdraw", "close",  "first_warning", "second_warning"};

enum { ROLE_OFFICER, ROLE_COORDINATOR, ROLE_SUPERVISOR, ROLE_SYSTEM };
static const char *const ROLE[] = {"officer", "coordinator", "supervisor", "system"};

enum { RK_NONE, RK_REJECT, RK_WITHDRAW, RK_NON_COMPLIANCE, RK_WARNING };
static const char *const REASON_KIND[] = {NULL, "reject", "withdraw", "non_compliance", "warning"};
static const char *const REJECT_CODES[] = {"not_eligible", "no_consent", "unsuitable",
                                           "insufficient_information", "duplicate"};
static const char *const WITHDRAW_CODES[] = {
    "made_in_error", "duplicate",       "moved_out_of_area", "not_engaged", "ill_health",
    "died",          "charged_instead", "victim_objection",  "other"};
/* Non-compliance and warning codes, indexed by the breach that caused them. */
static const char *const BREACH_CODES[] = {"unacceptable_absence", "failure_to_comply",
                                           "behaviour"};

enum {
  BK_BOOKED,
  BK_COMPLIED,
  BK_FAILED,
  BK_SENT_HOME_BEHAVIOUR,
  BK_SENT_HOME_SERVICE,
  BK_ABSENT_OK,
  BK_ABSENT_UNACCEPTABLE,
  BK_RESCHEDULED,
  BK_CANCELLED
};
static const char *const BOOKING_STATUS[] = {"booked",
                                             "attended_complied",
                                             "attended_failed_to_comply",
                                             "sent_home_behaviour",
                                             "sent_home_service_issue",
                                             "absent_acceptable",
                                             "absent_unacceptable",
                                             "rescheduled",
                                             "cancelled"};
static const char *const ABSENCE[] = {"medical", "family_childcare", "employment", "court_legal",
                                      "stood_down"};
static const char *const RATING[] = {"excellent", "good", "satisfactory", "unsatisfactory", "poor"};
static const char *const CATEGORY[] = {
    "asb",        "harassment",          "public_order",    "drunk_and_disorderly",
    "shop_theft", "cannabis_possession", "criminal_damage", "other"};
static const char *const DISPOSAL[] = {"community_resolution", "outcome_22",
                                       "conditional_caution",  "youth_conditional_caution",
                                       "diversionary_caution", "community_caution"};
static const char *const PLACEMENT_TYPE[] = {"gardening",          "litter_picking",
                                             "charity_work",       "graffiti_removal",
                                             "community_clean_up", "other"};
static const char *const FIRST[] = {
    "Jordan", "Casey", "Riley",   "Morgan", "Alex",    "Sam",    "Jamie", "Taylor", "Drew",
    "Kai",    "Robin", "Charlie", "Jesse",  "Ashley",  "Avery",  "Quinn", "Reese",  "Rowan",
    "Sasha",  "Logan", "Harley",  "Elliot", "Frankie", "Billie", "Jude",  "Kerry",  "Lee",
    "Mason",  "Nico",  "Oakley",  "Parker", "Remy",    "Sidney", "Toby",  "Vic",    "Wren"};
static const char *const LAST[] = {
    "Smith",    "Brown",  "Green",  "Taylor",   "Walker", "Hughes", "Clarke", "Evans",  "Patel",
    "Morris",   "Lee",    "Wood",   "Jones",    "Wilson", "Davies", "Wright", "Thomas", "Roberts",
    "Khan",     "Lewis",  "Hall",   "Young",    "King",   "Baker",  "Hill",   "Scott",  "Adams",
    "Mitchell", "Turner", "Carter", "Phillips", "Parker", "Cook",   "Bell",   "Ward",   "Cox"};
static const char *const STREET[] = {"High Street", "Station Road", "Church Lane",
                                     "Park Avenue", "Mill Road",    "Victoria Street",
                                     "Queens Road", "Market Place"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

typedef struct {
  int64_t created, updated;
  int32_t dob;     /* day */
  uint32_t serial; /* the police identifier's number, unique in the area */
  uint8_t area;
  /* the latest exit, for re-referrals: referral index + 1 (0: none) and when */
  uint32_t last_exit_ref;
  int64_t last_exit_at;
} person_t;

typedef struct {
  int64_t created, updated, first_attended, completed, exited, end;
  uint32_t person, rereferral_of; /* rereferral_of: referral index + 1, 0 for none */
  uint32_t ev_first, bk_first;
  int32_t minutes, offence_day;
  uint16_t ev_count, bk_count, ward, officer;
  uint8_t area, state, hours_proposed, hours_confirmed, breaches, warnings, active;
  uint8_t reason_kind, reason_code, reason_text, rereferral_months, category, disposal, victim;
} referral_t;

typedef struct {
  int64_t at;
  uint16_t actor; /* a coordinator, or the placement of a supervisor */
  uint8_t event, from, to, role, reason_kind, reason_code, reason_text;
} event_t;

typedef struct {
  int64_t created, updated;
  uint32_t referral, session, rescheduled_to; /* rescheduled_to: booking index + 1 */
  int16_t penalty, minutes;
  uint8_t status, absence, behaviour, work, version, has_outcome, outcome_role, notes;
} booking_t;

typedef struct {
  options opt;
  int64_t now, day0, days; /* days: sessions run on days [day0, day0 + days) */
  int weeks;
  person_t *people;
  size_t n_people, cap_people;
  referral_t *refs;
  size_t n_refs;
  event_t *events;
  size_t n_events, cap_events;
  booking_t *bookings;
  size_t n_bookings, cap_bookings;
  uint16_t *booked; /* per session */
  size_t n_sessions;
  uint32_t *police_serial; /* per area */
  size_t n_followups;
  uint32_t *ref_k; /* per referral: its number within its area, 1.. in order of creation */
} sim;

static void *grow(void *p, size_t *cap, size_t need, size_t size) {
  if (need <= *cap)
    return p;
  size_t c = *cap ? *cap : 1024;
  while (c < need)
    c *= 2;
  void *q = realloc(p, c * size);
  if (!q) {
    fprintf(stderr, "ij_bench_load: out of memory\n");
    exit(1);
  }
  *cap = c;
  return q;
}

/* ---- sessions: a weekly grid per placement ------------------------------------------------- */

/* Placement p of an area runs one session a week, on the days d with d % 7 == p % 7, so about
 * PLACEMENTS / 7 sessions a day in each area; sessions run up to FUTURE_DAYS ahead so that the
 * benchmark can book. */
static size_t session_index(const sim *s, int area, int placement, int week) {
  return ((size_t)area * PLACEMENTS + (size_t)placement) * (size_t)s->weeks + (size_t)week;
}

static void session_decode(const sim *s, size_t idx, int *area, int *placement, int *week) {
  *week = (int)(idx % (size_t)s->weeks);
  idx /= (size_t)s->weeks;
  *placement = (int)(idx % PLACEMENTS);
  *area = (int)(idx / PLACEMENTS);
}

static int64_t session_start(const sim *s, size_t idx) {
  int a, p, w;
  session_decode(s, idx, &a, &p, &w);
  return (s->day0 + (int64_t)w * 7 + p % 7) * DAY + (9 + p % 4) * HOUR;
}

static int session_minutes(size_t idx, int weeks) {
  int p = (int)((idx / (size_t)weeks) % PLACEMENTS);
  return 120 + 60 * (p % 3);
}

static int session_capacity(const sim *s, size_t idx) {
  return 6 + (int)(hash3(s->opt.seed, 7, idx) % 9);
}

/* The first session of the area on or after `day` with a free place; SIZE_MAX when none. */
static size_t find_session(sim *s, int area, int64_t day) {
  for (int64_t d = day > s->day0 ? day : s->day0; d < s->day0 + s->days; d++) {
    int64_t rel = d - s->day0;
    int first = (int)(rel % 7), n = 0;
    int choices[PLACEMENTS / 7 + 1];
    for (int p = first; p < PLACEMENTS; p += 7)
      choices[n++] = p;
    int start = (int)rnd((uint64_t)n);
    for (int i = 0; i < n; i++) {
      size_t idx = session_index(s, area, choices[(start + i) % n], (int)(rel / 7));
      if (s->booked[idx] < session_capacity(s, idx))
        return idx;
    }
  }
  return SIZE_MAX;
}

/* ---- the simulation -------------------------------------------------------------------------- */

static void touch(referral_t *r, int64_t t) {
  if (t > r->updated)
    r->updated = t;
}

static void add_event(sim *s, uint32_t ri, int64_t at, int event, int to, int role, int actor,
                      int reason_kind, int reason_code, bool reason_text) {
  referral_t *r = &s->refs[ri];
  s->events = grow(s->events, &s->cap_events, s->n_events + 1, sizeof *s->events);
  event_t *e = &s->events[s->n_events++];
  e->at = at;
  e->event = (uint8_t)event;
  e->from = event == EV_CREATE ? ST_NONE : r->state;
  e->to = (uint8_t)to;
  e->role = (uint8_t)role;
  e->actor = (uint16_t)actor;
  e->reason_kind = (uint8_t)reason_kind;
  e->reason_code = (uint8_t)reason_code;
  e->reason_text = reason_text;
  r->ev_count++;
  r->state = (uint8_t)to;
  /* the referral keeps the reason of its latest event that had one (as the store does) */
  if (reason_kind != RK_NONE) {
    r->reason_kind = (uint8_t)reason_kind;
    r->reason_code = (uint8_t)reason_code;
    r->reason_text = reason_text;
  }
  touch(r, at);
}

static int coordinator(void) {
  return (int)rnd(COORDINATORS);
}

/* Places the referral on a session from `day` on, as ij_ops_book does; -1 when none is free. */
static long place(sim *s, uint32_t ri, int64_t at, int64_t day) {
  referral_t *r = &s->refs[ri];
  size_t idx = find_session(s, r->area, day);
  if (idx == SIZE_MAX)
    return -1;
  s->booked[idx]++;
  s->bookings = grow(s->bookings, &s->cap_bookings, s->n_bookings + 1, sizeof *s->bookings);
  booking_t *b = &s->bookings[s->n_bookings];
  memset(b, 0, sizeof *b);
  b->created = b->updated = at;
  b->referral = ri;
  b->session = (uint32_t)idx;
  b->status = BK_BOOKED;
  b->version = 1;
  r->active++;
  r->bk_count++;
  touch(r, at);
  return (long)s->n_bookings++;
}

static void free_place(sim *s, booking_t *b) {
  s->booked[b->session]--;
  s->refs[b->referral].active--;
}

/* The follow-up checks of an exit: when each is recorded (0: not yet) and the first reoffence. */
typedef struct {
  int64_t due[3], recorded[3];
  int64_t reoffence_day; /* 0: none within the year */
  int category;
} followup_plan;

static const int WINDOWS[3] = {3, 6, 12};

static void plan_followups(const sim *s, uint32_t ri, int64_t exited, followup_plan *f) {
  uint64_t h = hash3(s->opt.seed, 11, ri);
  int64_t exit_day = day_of(exited);
  f->reoffence_day = h % 100 < 22 ? exit_day + 1 + (int64_t)((h >> 8) % 365) : 0;
  f->category = (int)((h >> 20) % COUNT(CATEGORY));
  int64_t previous = exited;
  for (int w = 0; w < 3; w++) {
    uint64_t k = hash3(s->opt.seed, 13 + (uint64_t)w, ri);
    f->due[w] = add_months(exit_day, WINDOWS[w]);
    /* most checks are recorded within a few weeks of falling due; a few much later */
    int64_t delay = k % 100 < 3 ? 60 + (int64_t)((k >> 8) % 240) : (int64_t)((k >> 8) % 40);
    int64_t at = (f->due[w] + delay) * DAY + 9 * HOUR + (int64_t)((k >> 24) % (8 * HOUR));
    if (at <= previous)
      at = previous + HOUR;
    previous = at;
    f->recorded[w] = at <= s->now ? at : 0;
  }
}

static void exit_referral(sim *s, uint32_t ri, int64_t at) {
  referral_t *r = &s->refs[ri];
  r->exited = at;
  if (r->state == ST_COMPLETED)
    r->completed = at;
  r->end = at;
  s->n_followups += 3;
  followup_plan f;
  plan_followups(s, ri, at, &f);
  if (f.recorded[2])
    add_event(s, ri, f.recorded[2], EV_CLOSE, ST_CLOSED, ROLE_SYSTEM, 0, RK_NONE, 0, false);
}

static int pick_outcome(void) {
  int u = (int)rnd(1000);
  if (u < 790)
    return BK_COMPLIED;
  if (u < 830)
    return BK_FAILED;
  if (u < 850)
    return BK_SENT_HOME_BEHAVIOUR;
  if (u < 860)
    return BK_SENT_HOME_SERVICE;
  if (u < 935)
    return BK_ABSENT_OK;
  return BK_ABSENT_UNACCEPTABLE;
}

static int breach_code(int status) {
  return status == BK_FAILED ? 1 : status == BK_SENT_HOME_BEHAVIOUR ? 2 : 0;
}

static bool ended(int state) {
  return state == ST_REJECTED || state == ST_WITHDRAWN || state == ST_COMPLETED ||
         state == ST_NON_COMPLIANT || state == ST_CLOSED;
}

static int hours_choice(void) {
  return rnd(100) < 35 ? 7 : (int)rnd_range(2, 20);
}

/* One referral's whole life up to now. Every step follows the service's rules: the transition
 * table's events and actors, the counters as the store keeps them, and one open booking at a
 * time, each on a later day than the last, so that a person's bookings never overlap. */
static void simulate(sim *s, uint32_t ri, int64_t t0) {
  referral_t *r = &s->refs[ri];
  const int64_t now = s->now;
  r->ev_first = (uint32_t)s->n_events;
  r->bk_first = (uint32_t)s->n_bookings;
  r->created = r->updated = t0;
  r->end = t0;
  add_event(s, ri, t0, EV_CREATE, ST_SUBMITTED, ROLE_OFFICER, 0, RK_NONE, 0, false);

  int64_t t = t0 + rnd_range(2 * HOUR, 5 * DAY);
  if (t > now)
    return;
  r->end = t;
  int u = (int)rnd(1000);
  if (u < 70) {
    add_event(s, ri, t, EV_REJECT, ST_REJECTED, ROLE_COORDINATOR, coordinator(), RK_REJECT,
              (int)rnd(COUNT(REJECT_CODES)), rnd(2));
    return;
  }
  if (u < 85) {
    add_event(s, ri, t, EV_WITHDRAW, ST_WITHDRAWN, ROLE_OFFICER, 0, RK_WITHDRAW,
              (int)rnd(COUNT(WITHDRAW_CODES)), rnd(2));
    return;
  }
  r->hours_confirmed = (uint8_t)(rnd(100) < 60 ? r->hours_proposed : hours_choice());
  add_event(s, ri, t, EV_ACCEPT, ST_ACCEPTED, ROLE_COORDINATOR, coordinator(), RK_NONE, 0, false);
  const int64_t required = (int64_t)r->hours_confirmed * 60;

  for (int placed = 0;; placed++) {
    r = &s->refs[ri];
    if (placed >= 40 || (r->state == ST_ACCEPTED && rnd(1000) < 15)) {
      /* never got going: withdrawn before a place was taken */
      int64_t tw = t + rnd_range(HOUR, 7 * DAY);
      if (tw > now)
        return;
      add_event(s, ri, tw, EV_WITHDRAW, ST_WITHDRAWN, ROLE_COORDINATOR, coordinator(), RK_WITHDRAW,
                3, rnd(2));
      r->end = tw;
      return;
    }
    int64_t tb = t + rnd_range(HOUR, 3 * DAY);
    if (tb > now)
      return;
    long bi = place(s, ri, tb, day_of(tb) + 1 + rnd_range(0, 13));
    if (bi < 0)
      return;
    r = &s->refs[ri];
    if (r->state == ST_ACCEPTED)
      add_event(s, ri, tb, EV_BOOK, ST_SCHEDULED, ROLE_COORDINATOR, coordinator(), RK_NONE, 0,
                false);
    r->end = tb;

    /* before the session: cancelled, rescheduled, or the referral withdrawn */
    bool cancelled = false;
    for (;;) {
      booking_t *b = &s->bookings[bi];
      int64_t start = session_start(s, b->session);
      int v = (int)rnd(1000);
      if (v >= 75)
        break;
      int64_t tc = rnd_range(b->created + MINUTE, start - HOUR);
      if (tc > now)
        return;
      r->end = tc;
      if (v < 35) {
        b->status = BK_CANCELLED;
        b->version = 2;
        b->has_outcome = 1;
        b->outcome_role = ROLE_COORDINATOR;
        b->updated = tc;
        free_place(s, b);
        touch(r, tc);
        if (r->state == ST_SCHEDULED && r->active == 0 && !r->first_attended)
          add_event(s, ri, tc, EV_UNBOOK, ST_ACCEPTED, ROLE_SYSTEM, 0, RK_NONE, 0, false);
        t = tc;
        cancelled = true;
        break;
      }
      if (v < 65) {
        long nb = place(s, ri, tc, day_of(tc) + 1 + rnd_range(0, 10));
        if (nb < 0)
          break;
        r = &s->refs[ri];
        b = &s->bookings[bi];
        b->status = BK_RESCHEDULED;
        b->version = 2;
        b->has_outcome = 1;
        b->outcome_role = ROLE_COORDINATOR;
        b->rescheduled_to = (uint32_t)nb + 1;
        b->updated = tc;
        free_place(s, b);
        bi = nb;
        continue;
      }
      /* withdrawn: the open booking is cancelled with it (no outcome of its own) */
      b->status = BK_CANCELLED;
      b->version = 2;
      b->updated = tc;
      free_place(s, b);
      add_event(s, ri, tc, EV_WITHDRAW, ST_WITHDRAWN, rnd(2) ? ROLE_OFFICER : ROLE_COORDINATOR,
                coordinator(), RK_WITHDRAW, (int)rnd(COUNT(WITHDRAW_CODES)), rnd(2));
      return;
    }
    if (cancelled)
      continue;

    /* the outcome, recorded by the placement's supervisor after the session */
    booking_t *b = &s->bookings[bi];
    int64_t start = session_start(s, b->session);
    int length = session_minutes(b->session, s->weeks);
    int64_t to = start + (int64_t)length * MINUTE + rnd_range(10 * MINUTE, 36 * HOUR);
    if (to > now)
      return;
    int supervisor = (int)((b->session / (size_t)s->weeks) % PLACEMENTS);
    int status = pick_outcome();
    bool attended = status <= BK_SENT_HOME_SERVICE;
    int penalty = 0;
    if (status == BK_FAILED)
      penalty = (int)rnd_range(15, length / 2);
    else if (status == BK_SENT_HOME_BEHAVIOUR)
      penalty = length - (int)rnd_range(30, length / 2);
    int credited = 0;
    if (attended) {
      int64_t owed = required - r->minutes;
      credited = length - penalty;
      if (credited > owed)
        credited = (int)(owed > 0 ? owed : 0);
    }
    b->status = (uint8_t)status;
    b->version = 2;
    b->has_outcome = 1;
    b->outcome_role = ROLE_SUPERVISOR;
    b->updated = to;
    b->penalty = (int16_t)penalty;
    b->minutes = (int16_t)credited;
    b->notes = status == BK_FAILED || status == BK_SENT_HOME_BEHAVIOUR || rnd(10) == 0;
    if (status == BK_ABSENT_OK)
      b->absence = (uint8_t)rnd(COUNT(ABSENCE));
    if (attended) {
      b->behaviour = (uint8_t)(status == BK_COMPLIED ? rnd(3) : 3 + rnd(2)) + 1;
      b->work = (uint8_t)(status == BK_COMPLIED ? rnd(3) : 2 + rnd(3)) + 1;
    }
    bool breach =
        status == BK_ABSENT_UNACCEPTABLE || status == BK_FAILED || status == BK_SENT_HOME_BEHAVIOUR;
    r->minutes += credited;
    if (breach)
      r->breaches++;
    if (credited || breach || (attended && !r->first_attended))
      touch(r, to);
    bool first = attended && !r->first_attended;
    if (first)
      r->first_attended = start;
    if (attended && r->state == ST_SCHEDULED)
      add_event(s, ri, to, EV_ATTEND, ST_IN_PROGRESS, ROLE_SUPERVISOR, supervisor, RK_NONE, 0,
                false);
    r->end = to;
    t = to;
    if (r->minutes >= required) {
      add_event(s, ri, to, EV_COMPLETE, ST_COMPLETED, ROLE_SYSTEM, 0, RK_NONE, 0, false);
      exit_referral(s, ri, to);
      return;
    }
    if (!breach)
      continue;
    /* the coordinator's answer to a breach: a warning, or non-compliance */
    int64_t ta = to + rnd_range(2 * HOUR, 5 * DAY);
    if (ta > now)
      return;
    int code = breach_code(status);
    int w = (int)rnd(100);
    if ((r->warnings == 0 && w < 15) || (r->warnings == 1 && r->breaches >= 2 && w < 30) ||
        (r->warnings == 2 && w < 70)) {
      add_event(s, ri, ta, EV_NON_COMPLIANCE, ST_NON_COMPLIANT, ROLE_COORDINATOR, coordinator(),
                RK_NON_COMPLIANCE, code, true);
      exit_referral(s, ri, ta);
      return;
    }
    if (r->warnings == 0 && w < 85) {
      add_event(s, ri, ta, EV_FIRST_WARNING, r->state, ROLE_COORDINATOR, coordinator(), RK_WARNING,
                code, rnd(2));
      r->warnings = 1;
    } else if (r->warnings == 1 && r->breaches >= 2 && w < 90) {
      add_event(s, ri, ta, EV_SECOND_WARNING, r->state, ROLE_COORDINATOR, coordinator(), RK_WARNING,
                code, rnd(2));
      r->warnings = 2;
    }
    r->end = ta;
    t = ta;
  }
}

/* The dates of birth: mostly young people, as the scheme's referrals are. */
static int age_at_first_offence(void) {
  int u = (int)rnd(100);
  if (u < 25)
    return (int)rnd_range(11, 17);
  if (u < 65)
    return (int)rnd_range(18, 25);
  if (u < 90)
    return (int)rnd_range(26, 40);
  return (int)rnd_range(41, 65);
}

static void new_referral(sim *s, uint32_t pi, int64_t t0) {
  person_t *p = &s->people[pi];
  uint32_t ri = (uint32_t)s->n_refs++;
  referral_t *r = &s->refs[ri];
  memset(r, 0, sizeof *r);
  r->person = pi;
  r->area = p->area;
  r->offence_day = (int32_t)(day_of(t0) - rnd_range(0, 10));
  if (p->dob == INT32_MIN) {
    int age = age_at_first_offence();
    p->dob = (int32_t)(r->offence_day - (age * 365 + age / 4 + rnd_range(1, 360)));
    p->created = t0;
  }
  p->updated = t0;
  r->category = (uint8_t)rnd(COUNT(CATEGORY));
  r->disposal = (uint8_t)rnd(COUNT(DISPOSAL));
  r->ward = (uint16_t)rnd(WARDS);
  r->officer = (uint16_t)rnd(OFFICERS);
  r->hours_proposed = (uint8_t)hours_choice();
  /* bit 0: has a victim; 1: consulted; 2: keep updated; 3: a stated preference */
  if (rnd(100) < 45)
    r->victim = (uint8_t)(1 | (rnd(100) < 80 ? 2 : 0) | (rnd(2) ? 4 : 0) | (rnd(2) ? 8 : 0));
  /* a re-referral: made within 12 months of the person's latest exit (as the store finds it) */
  if (p->last_exit_ref) {
    int64_t exit_day = day_of(p->last_exit_at), on = day_of(t0);
    for (int w = 0; w < 3; w++) {
      if (on >= exit_day && on <= add_months(exit_day, WINDOWS[w])) {
        r->rereferral_of = p->last_exit_ref;
        r->rereferral_months = (uint8_t)WINDOWS[w];
        break;
      }
    }
  }
  simulate(s, ri, t0);
  r = &s->refs[ri];
  if (r->exited) {
    p->last_exit_ref = ri + 1;
    p->last_exit_at = r->exited;
  }
}

static void run_simulation(sim *s) {
  const long n = s->opt.referrals;
  const int64_t span = s->now - s->day0 * DAY;
  s->refs = calloc((size_t)n, sizeof *s->refs);
  s->police_serial = calloc((size_t)s->opt.areas, sizeof *s->police_serial);
  if (!s->refs || !s->police_serial) {
    fprintf(stderr, "ij_bench_load: out of memory\n");
    exit(1);
  }
  while ((long)s->n_refs < n) {
    s->people = grow(s->people, &s->cap_people, s->n_people + 1, sizeof *s->people);
    uint32_t pi = (uint32_t)s->n_people++;
    person_t *p = &s->people[pi];
    memset(p, 0, sizeof *p);
    p->area = (uint8_t)rnd((uint64_t)s->opt.areas);
    p->serial = ++s->police_serial[p->area];
    p->dob = INT32_MIN;
    /* about 0.8 people per referral: most have one referral, some several, one after another */
    int u = (int)rnd(100), k = u < 84 ? 1 : u < 95 ? 2 : u < 99 ? 3 : 4;
    /* the scheme grows: three times as many referrals now as at the start of the history */
    double x;
    do
      x = rnd_unit();
    while (rnd_unit() * 3.0 > 1.0 + 2.0 * x);
    int64_t t0 = s->day0 * DAY + (int64_t)(x * (double)span);
    /* referrals are made in the day and evening */
    t0 = day_of(t0) * DAY + rnd_range(7 * HOUR, 23 * HOUR);
    if (t0 >= s->now)
      t0 = s->now - rnd_range(MINUTE, 12 * HOUR);
    for (int j = 0; j < k && (long)s->n_refs < n; j++) {
      new_referral(s, pi, t0);
      const referral_t *r = &s->refs[s->n_refs - 1];
      if (!ended(r->state))
        break;
      t0 = r->end + rnd_range(7 * DAY, 540 * DAY);
      t0 = day_of(t0) * DAY + rnd_range(7 * HOUR, 23 * HOUR);
      if (t0 >= s->now)
        break;
    }
  }
}

/* ---- writing rows ---------------------------------------------------------------------------- */

typedef struct {
  PGconn *pg;
  char *buf;
  size_t len, cap;
  long rows;
} copier;

static void die_pg(PGconn *pg, const char *what) {
  fprintf(stderr, "ij_bench_load: %s: %s", what, PQerrorMessage(pg));
  PQfinish(pg);
  exit(1);
}

static void flush(copier *c) {
  if (c->len && PQputCopyData(c->pg, c->buf, (int)c->len) != 1)
    die_pg(c->pg, "COPY data");
  c->len = 0;
}

/* Leaves room for one row: no row the loader writes is longer. */
static void row_begin(copier *c) {
  if (c->cap - c->len < 8192)
    flush(c);
}

static void put_raw(copier *c, const char *s, size_t n) {
  memcpy(c->buf + c->len, s, n);
  c->len += n;
}

/* A string literal as it is (no escaping needed): its length is known at compile time. */
#define PUT_LIT(c, lit) put_raw((c), (lit), sizeof(lit) - 1)

/* Text in COPY's text format: the few characters it treats specially are escaped. */
static void put_text(copier *c, const char *s) {
  for (; *s; s++) {
    char ch = *s;
    if (ch == '\\' || ch == '\t' || ch == '\n' || ch == '\r') {
      c->buf[c->len++] = '\\';
      ch = ch == '\t' ? 't' : ch == '\n' ? 'n' : ch == '\r' ? 'r' : '\\';
    }
    c->buf[c->len++] = ch;
  }
}

static void put_fmt(copier *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put_fmt(copier *c, const char *fmt, ...) {
  char tmp[1024];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n > 0)
    put_text(c, tmp);
}

static void tab(copier *c) {
  c->buf[c->len++] = '\t';
}

static void put_null(copier *c) {
  PUT_LIT(c, "\\N");
}

static void end_row(copier *c) {
  c->buf[c->len - 1] = '\n'; /* every field is followed by a tab: the last becomes the newline */
  c->rows++;
}

static void put_int(copier *c, int64_t v) {
  char tmp[24];
  int n = 0;
  uint64_t u = v < 0 ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v;
  do {
    tmp[n++] = (char)('0' + u % 10);
    u /= 10;
  } while (u);
  if (v < 0)
    c->buf[c->len++] = '-';
  while (n)
    c->buf[c->len++] = tmp[--n];
}

static void put_digits(copier *c, int64_t v, int width) {
  for (int i = width - 1; i >= 0; i--) {
    c->buf[c->len + (size_t)i] = (char)('0' + v % 10);
    v /= 10;
  }
  c->len += (size_t)width;
}

static void put_date(copier *c, int64_t day) {
  int64_t y;
  int m, d;
  civil_from_days(day, &y, &m, &d);
  put_digits(c, y, 4);
  c->buf[c->len++] = '-';
  put_digits(c, m, 2);
  c->buf[c->len++] = '-';
  put_digits(c, d, 2);
}

static void put_time(copier *c, int64_t t) {
  int64_t day = day_of(t), sec = t - day * DAY;
  put_date(c, day);
  c->buf[c->len++] = ' ';
  put_digits(c, sec / HOUR, 2);
  c->buf[c->len++] = ':';
  put_digits(c, sec / MINUTE % 60, 2);
  c->buf[c->len++] = ':';
  put_digits(c, sec % 60, 2);
  PUT_LIT(c, "+00");
}

static void put_time_or_null(copier *c, int64_t t) {
  if (t)
    put_time(c, t);
  else
    put_null(c);
}

static void put_str_or_null(copier *c, const char *s) {
  if (s)
    put_text(c, s);
  else
    put_null(c);
}

enum { K_PERSON = 1, K_REFERRAL, K_PLACEMENT, K_SESSION, K_BOOKING, K_FOLLOWUP };

/* A version-4 UUID that is a pure function of the seed, the kind of row and its number: random to
 * the database (like the service's), the same on every run. Referrals are the exception: their
 * ids are computable, 00000000-AAAA-4000-8000-KKKKKKKKKKKK (area number and the referral's number
 * within its area, in hexadecimal), so that pgbench can name the same rows the benchmark's HTTP
 * clients do without a lookup (see tests/bench/pgbench/). */
static void put_uuid(copier *c, const sim *s, int kind, uint64_t n) {
  static const char hex[] = "0123456789abcdef";
  if (kind == K_REFERRAL) {
    if (c->cap - c->len < 64)
      flush(c);
    c->len += (size_t)snprintf(c->buf + c->len, 64, "00000000-%04x-4000-8000-%012" PRIx64,
                               (unsigned)s->refs[n].area + 1, (uint64_t)s->ref_k[n]);
    return;
  }
  uint64_t hi = hash3(s->opt.seed, (uint64_t)kind, n);
  uint64_t lo = hash3(s->opt.seed ^ 0x5bd1e995ULL, (uint64_t)kind, n);
  hi = (hi & ~0xf000ULL) | 0x4000ULL;
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  char *o = c->buf + c->len;
  for (int i = 0; i < 16; i++) {
    if (i == 4 || i == 6 || i == 8 || i == 10)
      *o++ = '-';
    uint64_t w = i < 8 ? hi : lo;
    int byte = (int)((w >> (56 - 8 * (i % 8))) & 0xff);
    *o++ = hex[byte >> 4];
    *o++ = hex[byte & 15];
  }
  c->len += 36;
}

static void put_area(copier *c, const sim *s, int area) {
  put_fmt(c, "%s%0*d", s->opt.prefix, s->opt.areas >= 100 ? 3 : 2, area + 1);
}

static double seconds_since(const struct timespec *t0) {
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void exec_ok(PGconn *pg, const char *sql) {
  PGresult *res = PQexec(pg, sql);
  ExecStatusType st = PQresultStatus(res);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    fprintf(stderr, "ij_bench_load: %s: %s", sql, PQresultErrorMessage(res));
    PQclear(res);
    PQfinish(pg);
    exit(1);
  }
  PQclear(res);
}

static struct timespec g_copy_started;

static void copy_begin(copier *c, const char *table, const char *columns) {
  char sql[1024];
  snprintf(sql, sizeof sql, "COPY %s (%s) FROM STDIN", table, columns);
  PGresult *res = PQexec(c->pg, sql);
  if (PQresultStatus(res) != PGRES_COPY_IN) {
    fprintf(stderr, "ij_bench_load: %s: %s", sql, PQresultErrorMessage(res));
    exit(1);
  }
  PQclear(res);
  c->rows = 0;
  clock_gettime(CLOCK_MONOTONIC, &g_copy_started);
}

static void copy_end(copier *c, const char *table) {
  flush(c);
  if (PQputCopyEnd(c->pg, NULL) != 1)
    die_pg(c->pg, "COPY end");
  PGresult *res;
  bool failed = false;
  while ((res = PQgetResult(c->pg)) != NULL) {
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
      fprintf(stderr, "ij_bench_load: COPY %s: %s", table, PQresultErrorMessage(res));
      failed = true;
    }
    PQclear(res);
  }
  if (failed) {
    PQfinish(c->pg);
    exit(1);
  }
  double secs = seconds_since(&g_copy_started);
  printf("  %-18s %10ld rows %8.1f s %10.0f rows/s\n", table, c->rows, secs,
         secs > 0 ? (double)c->rows / secs : 0.0);
  fflush(stdout);
}

/* Sorting rows by the time they were made: (time, index) pairs. */
typedef struct {
  int64_t key;
  uint32_t idx;
} order_t;

static int order_cmp(const void *a, const void *b) {
  const order_t *x = a, *y = b;
  if (x->key != y->key)
    return x->key < y->key ? -1 : 1;
  return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static order_t *make_order(size_t n) {
  order_t *o = malloc((n ? n : 1) * sizeof *o);
  if (!o) {
    fprintf(stderr, "ij_bench_load: out of memory\n");
    exit(1);
  }
  return o;
}

static void sort_order(order_t *o, size_t n) {
  qsort(o, n, sizeof *o, order_cmp);
}

/* ---- the tables ------------------------------------------------------------------------------ */

static void write_areas(sim *s, copier *c) {
  copy_begin(c, "areas", "code, name, created_at");
  for (int a = 0; a < s->opt.areas; a++) {
    row_begin(c);
    put_area(c, s, a);
    tab(c);
    put_fmt(c, "Bench area %d", a + 1);
    tab(c);
    put_time(c, (s->day0 - 60) * DAY);
    tab(c);
    end_row(c);
  }
  copy_end(c, "areas");

  copy_begin(c, "wards", "area, code, name");
  for (int a = 0; a < s->opt.areas; a++) {
    for (int w = 0; w < WARDS; w++) {
      row_begin(c);
      put_area(c, s, a);
      tab(c);
      put_fmt(c, "ward-%02d", w + 1);
      tab(c);
      put_fmt(c, "Ward %d", w + 1);
      tab(c);
      end_row(c);
    }
  }
  copy_end(c, "wards");
}

static void put_supervisor(copier *c, const sim *s, int area, int p) {
  put_fmt(c, "sup-%d-%d", area + 1, p + 1);
  tab(c);
  put_fmt(c, "Supervisor %d", p + 1);
  tab(c);
  (void)s;
}

static void write_placements(sim *s, copier *c) {
  copy_begin(c, "placements",
             "id, area, name, type, provider, ward, location, min_age, supervisor_sub,"
             " supervisor_name, active, version, created_at, updated_at");
  for (int a = 0; a < s->opt.areas; a++) {
    for (int p = 0; p < PLACEMENTS; p++) {
      row_begin(c);
      put_uuid(c, s, K_PLACEMENT, (uint64_t)(a * PLACEMENTS + p));
      tab(c);
      put_area(c, s, a);
      tab(c);
      put_fmt(c, "Placement %d", p + 1);
      tab(c);
      put_text(c, PLACEMENT_TYPE[p % COUNT(PLACEMENT_TYPE)]);
      tab(c);
      put_fmt(c, "Provider %d", p % 7 + 1);
      tab(c);
      put_fmt(c, "ward-%02d", p % WARDS + 1);
      tab(c);
      put_fmt(c, "%d %s", p + 1, STREET[p % COUNT(STREET)]);
      tab(c);
      PUT_LIT(c, "10\t");
      put_supervisor(c, s, a, p);
      PUT_LIT(c, "t\t1\t");
      put_time(c, (s->day0 - 30) * DAY);
      tab(c);
      put_time(c, (s->day0 - 30) * DAY);
      tab(c);
      end_row(c);
    }
  }
  copy_end(c, "placements");
}

static void write_sessions(sim *s, copier *c) {
  copy_begin(c, "sessions",
             "id, area, placement_id, starts_at, ends_at, capacity, booked, supervisor_sub,"
             " supervisor_name, cancelled, version, created_at, updated_at");
  /* in the order they start, as a service adding them week by week would */
  for (int w = 0; w < s->weeks; w++) {
    for (int a = 0; a < s->opt.areas; a++) {
      for (int p = 0; p < PLACEMENTS; p++) {
        size_t idx = session_index(s, a, p, w);
        int64_t start = session_start(s, idx);
        int64_t created = start - 60 * DAY;
        if (created > s->now - DAY)
          created = s->now - DAY - (int64_t)(hash3(s->opt.seed, 17, idx) % (30 * DAY));
        row_begin(c);
        put_uuid(c, s, K_SESSION, idx);
        tab(c);
        put_area(c, s, a);
        tab(c);
        put_uuid(c, s, K_PLACEMENT, (uint64_t)(a * PLACEMENTS + p));
        tab(c);
        put_time(c, start);
        tab(c);
        put_time(c, start + (int64_t)session_minutes(idx, s->weeks) * MINUTE);
        tab(c);
        put_int(c, session_capacity(s, idx));
        tab(c);
        put_int(c, s->booked[idx]);
        tab(c);
        put_supervisor(c, s, a, p);
        PUT_LIT(c, "f\t1\t");
        put_time(c, created);
        tab(c);
        put_time(c, created);
        tab(c);
        end_row(c);
      }
    }
  }
  copy_end(c, "sessions");
}

static void write_people(sim *s, copier *c) {
  order_t *o = make_order(s->n_people);
  for (size_t i = 0; i < s->n_people; i++)
    o[i] = (order_t){s->people[i].created, (uint32_t)i};
  sort_order(o, s->n_people);
  copy_begin(c, "people",
             "id, area, name, date_of_birth, phone, email, address, postcode, police_id,"
             " needs_notes, risk_notes, created_at, updated_at, name_key");
  char upper[80];
  for (size_t i = 0; i < s->n_people; i++) {
    uint32_t pi = o[i].idx;
    const person_t *p = &s->people[pi];
    uint64_t h = hash3(s->opt.seed, 19, pi);
    const char *first = FIRST[h % COUNT(FIRST)], *last = LAST[(h >> 8) % COUNT(LAST)];
    row_begin(c);
    put_uuid(c, s, K_PERSON, pi);
    tab(c);
    put_area(c, s, p->area);
    tab(c);
    put_fmt(c, "%s %s", first, last);
    tab(c);
    put_date(c, p->dob);
    tab(c);
    if ((h >> 16) % 10 < 8)
      put_fmt(c, "07700 9%05d", (int)((h >> 20) % 100000));
    else
      put_null(c);
    tab(c);
    if ((h >> 40) % 10 < 5)
      put_fmt(c, "%c.%s%u@example.org", first[0] + 32, last, (unsigned)pi);
    else
      put_null(c);
    tab(c);
    put_fmt(c, "%d %s", (int)((h >> 44) % 200) + 1, STREET[(h >> 52) % COUNT(STREET)]);
    tab(c);
    put_fmt(c, "BN%d %d%c%c", (int)((h >> 24) % 30) + 1, (int)((h >> 30) % 10),
            'A' + (int)((h >> 34) % 26), 'A' + (int)((h >> 38) % 26));
    tab(c);
    /* everyone has a police identifier: the unique index then never involves the name key */
    snprintf(upper, sizeof upper, "%s", s->opt.prefix);
    for (char *u = upper; *u; u++)
      if (*u >= 'a' && *u <= 'z')
        *u = (char)(*u - 32);
    put_fmt(c, "%s%02d/%08u", upper, p->area + 1, (unsigned)p->serial);
    tab(c);
    if ((h >> 56) % 8 == 0)
      put_text(c, "Needs reminders by text the day before.");
    else
      put_null(c);
    tab(c);
    if ((h >> 59) % 16 == 0)
      put_text(c, "Not to work alone with young people.");
    else
      put_null(c);
    tab(c);
    put_time(c, p->created);
    tab(c);
    put_time(c, p->updated);
    tab(c);
    /* the service's name key: lower case, words separated by one space */
    char key[64];
    snprintf(key, sizeof key, "%s %s", first, last);
    for (char *k = key; *k; k++)
      if (*k >= 'A' && *k <= 'Z')
        *k = (char)(*k + 32);
    put_text(c, key);
    tab(c);
    end_row(c);
  }
  copy_end(c, "people");
  free(o);
}

static void put_officer(copier *c, const sim *s, const referral_t *r) {
  put_fmt(c, "pc-%d-%d", r->area + 1, r->officer + 1);
  tab(c);
  put_fmt(c, "PC %d", 1000 + r->officer);
  tab(c);
  (void)s;
}

static const char *reason_code(int kind, int code) {
  switch (kind) {
  case RK_REJECT:
    return REJECT_CODES[code];
  case RK_WITHDRAW:
    return WITHDRAW_CODES[code];
  case RK_NON_COMPLIANCE:
  case RK_WARNING:
    return BREACH_CODES[code];
  default:
    return NULL;
  }
}

static const char *reason_text(int kind) {
  switch (kind) {
  case RK_REJECT:
    return "Discussed with the referring officer.";
  case RK_WITHDRAW:
    return "Withdrawn after a call with the person.";
  case RK_NON_COMPLIANCE:
    return "Breaches continued after the warnings given.";
  default:
    return "Reminded of the conditions at the session.";
  }
}

static void write_referrals(sim *s, copier *c, order_t *o) {
  copy_begin(c, "referrals",
             "id, area, person_id, state, version, officer_sub, officer_name, offence_date,"
             " offence_category, offence_description, offence_location, ward, disposal,"
             " consent_recorded, hours_proposed, hours_confirmed, suitability_notes,"
             " minutes_credited, victim_consulted, victim_preference, victim_keep_updated,"
             " victim_contact, has_victim, reason_kind, reason_code, reason, target_start_by,"
             " first_attended_at, created_at, updated_at, breaches, warnings, active_bookings,"
             " completed_at, exited_at, rereferral_of, rereferral_months");
  for (size_t i = 0; i < s->n_refs; i++) {
    uint32_t ri = o[i].idx;
    const referral_t *r = &s->refs[ri];
    row_begin(c);
    put_uuid(c, s, K_REFERRAL, ri);
    tab(c);
    put_area(c, s, r->area);
    tab(c);
    put_uuid(c, s, K_PERSON, r->person);
    tab(c);
    put_text(c, STATE[r->state]);
    tab(c);
    put_int(c, r->ev_count);
    tab(c);
    put_officer(c, s, r);
    put_date(c, r->offence_day);
    tab(c);
    put_text(c, CATEGORY[r->category]);
    tab(c);
    put_fmt(c, "Synthetic offence %u: %s.", (unsigned)ri, CATEGORY[r->category]);
    tab(c);
    put_fmt(c, "Near %s", STREET[ri % COUNT(STREET)]);
    tab(c);
    put_fmt(c, "ward-%02d", r->ward + 1);
    tab(c);
    put_text(c, DISPOSAL[r->disposal]);
    tab(c);
    PUT_LIT(c, "t\t");
    put_int(c, r->hours_proposed);
    tab(c);
    if (r->hours_confirmed) {
      put_int(c, r->hours_confirmed);
      tab(c);
      put_text(c, "Suitable for group work outdoors.");
    } else {
      put_null(c);
      tab(c);
      put_null(c);
    }
    tab(c);
    put_int(c, r->minutes);
    tab(c);
    bool victim = r->victim & 1;
    if (victim) {
      put_text(c, r->victim & 2 ? "t" : "f");
      tab(c);
      put_str_or_null(c, r->victim & 8 ? "Would like a letter of apology." : NULL);
      tab(c);
      put_text(c, r->victim & 4 ? "t" : "f");
      tab(c);
      if (r->victim & 4)
        put_fmt(c, "victim%u@example.org", (unsigned)ri);
      else
        put_null(c);
      tab(c);
      PUT_LIT(c, "t\t");
    } else {
      PUT_LIT(c, "\\N\t\\N\t\\N\t\\N\tf\t");
    }
    if (r->reason_kind) {
      put_text(c, REASON_KIND[r->reason_kind]);
      tab(c);
      put_text(c, reason_code(r->reason_kind, r->reason_code));
      tab(c);
      put_str_or_null(c, r->reason_text ? reason_text(r->reason_kind) : NULL);
    } else {
      PUT_LIT(c, "\\N\t\\N\t\\N");
    }
    tab(c);
    put_time(c, r->created + 48 * HOUR);
    tab(c);
    put_time_or_null(c, r->first_attended);
    tab(c);
    put_time(c, r->created);
    tab(c);
    put_time(c, r->updated);
    tab(c);
    put_int(c, r->breaches);
    tab(c);
    put_int(c, r->warnings);
    tab(c);
    put_int(c, r->active);
    tab(c);
    put_time_or_null(c, r->completed);
    tab(c);
    put_time_or_null(c, r->exited);
    tab(c);
    if (r->rereferral_of) {
      put_uuid(c, s, K_REFERRAL, r->rereferral_of - 1);
      tab(c);
      put_int(c, r->rereferral_months);
    } else {
      PUT_LIT(c, "\\N\t\\N");
    }
    tab(c);
    end_row(c);
  }
  copy_end(c, "referrals");
}

static void write_events(sim *s, copier *c) {
  /* the events' referral, by event: kept only while the events are written */
  uint32_t *owner = malloc((s->n_events ? s->n_events : 1) * sizeof *owner);
  uint16_t *seq = malloc((s->n_events ? s->n_events : 1) * sizeof *seq);
  order_t *o = make_order(s->n_events);
  if (!owner || !seq) {
    fprintf(stderr, "ij_bench_load: out of memory\n");
    exit(1);
  }
  for (size_t ri = 0; ri < s->n_refs; ri++) {
    const referral_t *r = &s->refs[ri];
    for (uint32_t k = 0; k < r->ev_count; k++) {
      owner[r->ev_first + k] = (uint32_t)ri;
      seq[r->ev_first + k] = (uint16_t)(k + 1);
    }
  }
  for (size_t i = 0; i < s->n_events; i++)
    o[i] = (order_t){s->events[i].at, (uint32_t)i};
  sort_order(o, s->n_events);
  copy_begin(c, "referral_events",
             "referral_id, seq, area, at, event, from_state, to_state, actor_sub, actor_name,"
             " actor_role, reason_kind, reason_code, reason, request_id");
  for (size_t i = 0; i < s->n_events; i++) {
    uint32_t ei = o[i].idx, ri = owner[ei];
    const event_t *e = &s->events[ei];
    const referral_t *r = &s->refs[ri];
    row_begin(c);
    put_uuid(c, s, K_REFERRAL, ri);
    tab(c);
    put_int(c, seq[ei]);
    tab(c);
    put_area(c, s, r->area);
    tab(c);
    put_time(c, e->at);
    tab(c);
    put_text(c, EVENT[e->event]);
    tab(c);
    if (e->from == ST_NONE)
      put_null(c);
    else
      put_text(c, STATE[e->from]);
    tab(c);
    put_text(c, STATE[e->to]);
    tab(c);
    switch (e->role) {
    case ROLE_OFFICER:
      put_officer(c, s, r);
      break;
    case ROLE_COORDINATOR:
      put_fmt(c, "coord-%d-%d", r->area + 1, e->actor + 1);
      tab(c);
      put_fmt(c, "Coordinator %d", e->actor + 1);
      tab(c);
      break;
    case ROLE_SUPERVISOR:
      put_supervisor(c, s, r->area, e->actor);
      break;
    default:
      PUT_LIT(c, "system\tImmediate Justice service\t");
    }
    put_text(c, ROLE[e->role]);
    tab(c);
    if (e->reason_kind) {
      put_text(c, REASON_KIND[e->reason_kind]);
      tab(c);
      put_text(c, reason_code(e->reason_kind, e->reason_code));
      tab(c);
      put_str_or_null(c, e->reason_text ? reason_text(e->reason_kind) : NULL);
    } else {
      PUT_LIT(c, "\\N\t\\N\t\\N");
    }
    tab(c);
    put_fmt(c, "bench-%u-%u", (unsigned)ri, (unsigned)seq[ei]);
    tab(c);
    end_row(c);
  }
  copy_end(c, "referral_events");
  free(o);
  free(seq);
  free(owner);
}

static void put_booking_actor(copier *c, const sim *s, const booking_t *b) {
  const referral_t *r = &s->refs[b->referral];
  if (b->outcome_role == ROLE_COORDINATOR) {
    int k = (int)(hash3(s->opt.seed, 23, b->session) % COORDINATORS);
    put_fmt(c, "coord-%d-%d", r->area + 1, k + 1);
    tab(c);
    put_fmt(c, "Coordinator %d", k + 1);
    tab(c);
  } else {
    put_supervisor(c, s, r->area, (int)((b->session / (size_t)s->weeks) % PLACEMENTS));
  }
}

static void write_bookings(sim *s, copier *c) {
  order_t *o = make_order(s->n_bookings);
  for (size_t i = 0; i < s->n_bookings; i++)
    o[i] = (order_t){s->bookings[i].created, (uint32_t)i};
  sort_order(o, s->n_bookings);
  copy_begin(c, "bookings",
             "id, area, referral_id, session_id, person_id, starts_at, ends_at, status,"
             " absence_reason, penalty_minutes, minutes_credited, behaviour, work_quality, notes,"
             " rescheduled_to, version, created_at, updated_at");
  for (size_t i = 0; i < s->n_bookings; i++) {
    uint32_t bi = o[i].idx;
    const booking_t *b = &s->bookings[bi];
    const referral_t *r = &s->refs[b->referral];
    int64_t start = session_start(s, b->session);
    row_begin(c);
    put_uuid(c, s, K_BOOKING, bi);
    tab(c);
    put_area(c, s, r->area);
    tab(c);
    put_uuid(c, s, K_REFERRAL, b->referral);
    tab(c);
    put_uuid(c, s, K_SESSION, b->session);
    tab(c);
    put_uuid(c, s, K_PERSON, r->person);
    tab(c);
    put_time(c, start);
    tab(c);
    put_time(c, start + (int64_t)session_minutes(b->session, s->weeks) * MINUTE);
    tab(c);
    put_text(c, BOOKING_STATUS[b->status]);
    tab(c);
    put_str_or_null(c, b->status == BK_ABSENT_OK ? ABSENCE[b->absence] : NULL);
    tab(c);
    put_int(c, b->penalty);
    tab(c);
    put_int(c, b->minutes);
    tab(c);
    put_str_or_null(c, b->behaviour ? RATING[b->behaviour - 1] : NULL);
    tab(c);
    put_str_or_null(c, b->work ? RATING[b->work - 1] : NULL);
    tab(c);
    put_str_or_null(c, b->notes ? "Synthetic session note." : NULL);
    tab(c);
    if (b->rescheduled_to)
      put_uuid(c, s, K_BOOKING, b->rescheduled_to - 1);
    else
      put_null(c);
    tab(c);
    put_int(c, b->version);
    tab(c);
    put_time(c, b->created);
    tab(c);
    put_time(c, b->updated);
    tab(c);
    end_row(c);
  }
  copy_end(c, "bookings");

  /* each outcome recorded on a booking, in the order they were recorded */
  size_t n = 0;
  for (size_t i = 0; i < s->n_bookings; i++)
    if (s->bookings[i].has_outcome)
      o[n++] = (order_t){s->bookings[i].updated, (uint32_t)i};
  sort_order(o, n);
  copy_begin(c, "booking_outcomes",
             "booking_id, seq, area, status, absence_reason, penalty_minutes, minutes_credited,"
             " behaviour, work_quality, notes, amendment_reason, actor_sub, actor_name,"
             " actor_role, request_id, at");
  for (size_t i = 0; i < n; i++) {
    uint32_t bi = o[i].idx;
    const booking_t *b = &s->bookings[bi];
    row_begin(c);
    put_uuid(c, s, K_BOOKING, bi);
    PUT_LIT(c, "\t1\t");
    put_area(c, s, s->refs[b->referral].area);
    tab(c);
    put_text(c, BOOKING_STATUS[b->status]);
    tab(c);
    put_str_or_null(c, b->status == BK_ABSENT_OK ? ABSENCE[b->absence] : NULL);
    tab(c);
    put_int(c, b->penalty);
    tab(c);
    put_int(c, b->minutes);
    tab(c);
    put_str_or_null(c, b->behaviour ? RATING[b->behaviour - 1] : NULL);
    tab(c);
    put_str_or_null(c, b->work ? RATING[b->work - 1] : NULL);
    tab(c);
    put_str_or_null(c, b->notes ? "Synthetic session note." : NULL);
    PUT_LIT(c, "\t\\N\t");
    put_booking_actor(c, s, b);
    put_text(c, ROLE[b->outcome_role]);
    tab(c);
    put_fmt(c, "bench-b%u", (unsigned)bi);
    tab(c);
    put_time(c, b->updated);
    tab(c);
    end_row(c);
  }
  copy_end(c, "booking_outcomes");
  free(o);
}

static void write_followups(sim *s, copier *c) {
  order_t *o = make_order(s->n_followups);
  size_t n = 0;
  for (size_t ri = 0; ri < s->n_refs; ri++)
    if (s->refs[ri].exited)
      for (int w = 0; w < 3; w++)
        o[n++] = (order_t){s->refs[ri].exited, (uint32_t)(ri * 3 + (size_t)w)};
  sort_order(o, n);
  copy_begin(c, "followup_checks",
             "id, area, referral_id, person_id, window_months, exit_state, exited_on, due_on,"
             " recorded_at, reoffended, first_reoffence_on, reoffence_category, source,"
             " checked_by_sub, checked_by_name, version, created_at, updated_at");
  for (size_t i = 0; i < n; i++) {
    uint32_t ri = o[i].idx / 3;
    int w = (int)(o[i].idx % 3);
    const referral_t *r = &s->refs[ri];
    followup_plan f;
    plan_followups(s, ri, r->exited, &f);
    /* the exit state: completed referrals have completed_at; closing keeps it */
    const char *exit_state = r->completed ? "completed" : "non_compliant";
    row_begin(c);
    put_uuid(c, s, K_FOLLOWUP, (uint64_t)ri * 3 + (uint64_t)w);
    tab(c);
    put_area(c, s, r->area);
    tab(c);
    put_uuid(c, s, K_REFERRAL, ri);
    tab(c);
    put_uuid(c, s, K_PERSON, r->person);
    tab(c);
    put_int(c, WINDOWS[w]);
    tab(c);
    put_text(c, exit_state);
    tab(c);
    put_date(c, day_of(r->exited));
    tab(c);
    put_date(c, f.due[w]);
    tab(c);
    if (f.recorded[w]) {
      bool reoffended = f.reoffence_day && f.reoffence_day <= f.due[w];
      put_time(c, f.recorded[w]);
      tab(c);
      if (reoffended) {
        PUT_LIT(c, "t\t");
        put_date(c, f.reoffence_day);
        tab(c);
        put_text(c, CATEGORY[f.category]);
      } else {
        PUT_LIT(c, "f\t\\N\t\\N");
      }
      tab(c);
      int k = (int)(hash3(s->opt.seed, 29, ri) % COORDINATORS);
      PUT_LIT(c, "pnc_check\t");
      put_fmt(c, "coord-%d-%d", r->area + 1, k + 1);
      tab(c);
      put_fmt(c, "Coordinator %d", k + 1);
      PUT_LIT(c, "\t2\t");
    } else {
      PUT_LIT(c, "\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t1\t");
    }
    put_time(c, r->exited);
    tab(c);
    put_time(c, f.recorded[w] ? f.recorded[w] : r->exited);
    tab(c);
    end_row(c);
  }
  copy_end(c, "followup_checks");
  free(o);
}

static void write_ids(const sim *s, const order_t *o, const char *path) {
  FILE *f = fopen(path, "w");
  if (!f) {
    fprintf(stderr, "ij_bench_load: %s: %s\n", path, strerror(errno));
    exit(1);
  }
  size_t want = 100000, stride = s->n_refs > want ? s->n_refs / want : 1;
  copier c = {NULL, malloc(16384), 0, 16384, 0};
  if (!c.buf) {
    fprintf(stderr, "ij_bench_load: out of memory\n");
    exit(1);
  }
  size_t written = 0;
  for (size_t i = 0; i < s->n_refs && written < want; i += stride, written++) {
    uint32_t ri = o[i].idx;
    const referral_t *r = &s->refs[ri];
    c.len = 0;
    put_area(&c, s, r->area);
    c.buf[c.len++] = ',';
    put_uuid(&c, s, K_REFERRAL, ri);
    c.buf[c.len++] = ',';
    put_text(&c, STATE[r->state]);
    c.buf[c.len++] = ',';
    put_int(&c, r->ev_count);
    c.buf[c.len++] = '\n';
    fwrite(c.buf, 1, c.len, f);
  }
  free(c.buf);
  if (fclose(f) != 0) {
    fprintf(stderr, "ij_bench_load: %s: %s\n", path, strerror(errno));
    exit(1);
  }
  printf("wrote %zu ids to %s\n", written, path);
}

/* ---- main ------------------------------------------------------------------------------------ */

static void usage(void) {
  fprintf(stderr,
          "usage: ij_bench_load [options] [postgresql://owner-uri]\n"
          "  --referrals N     referrals to make (default 1000000)\n"
          "  --areas N         areas (default 43, at most 250)\n"
          "  --years N         years of history up to today (default 10)\n"
          "  --seed N          the random seed (default 1): same seed and day, same data\n"
          "  --today YYYY-MM-DD  the day the history ends (default: today, UTC)\n"
          "  --ids FILE        write up to 100000 lines area,referral_id,state,version\n"
          "  --area-prefix P   area codes P01, P02... (default bench; ^[a-z0-9_-]+$)\n"
          "The URI defaults to DATABASE_OWNER_URL: the schema's owner, whom row-level security "
          "does not bind.\n");
  exit(2);
}

static long parse_long(const char *s, const char *name, long lo, long hi) {
  char *end;
  errno = 0;
  long v = strtol(s ? s : "", &end, 10);
  if (!s || errno || *end || v < lo || v > hi) {
    fprintf(stderr, "ij_bench_load: %s must be a number from %ld to %ld\n", name, lo, hi);
    exit(2);
  }
  return v;
}

static void parse_options(int argc, char **argv, options *o) {
  o->referrals = 1000000;
  o->areas = 43;
  o->years = 10;
  o->seed = 1;
  o->prefix = "bench";
  o->today = day_of((int64_t)time(NULL));
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--referrals") == 0)
      o->referrals = parse_long(v, a, 1, 50000000), i++;
    else if (strcmp(a, "--areas") == 0)
      o->areas = (int)parse_long(v, a, 1, 250), i++;
    else if (strcmp(a, "--years") == 0)
      o->years = (int)parse_long(v, a, 1, 50), i++;
    else if (strcmp(a, "--seed") == 0)
      o->seed = (uint64_t)parse_long(v, a, 0, LONG_MAX), i++;
    else if (strcmp(a, "--ids") == 0 && v)
      o->ids_file = v, i++;
    else if (strcmp(a, "--area-prefix") == 0 && v)
      o->prefix = v, i++;
    else if (strcmp(a, "--today") == 0 && v) {
      int y, m, d;
      if (sscanf(v, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12 || d < 1 ||
          d > days_in_month(y, m)) {
        fprintf(stderr, "ij_bench_load: --today must be a date YYYY-MM-DD\n");
        exit(2);
      }
      o->today = days_from_civil(y, m, d);
      i++;
    } else if (a[0] == '-')
      usage();
    else
      o->uri = a;
  }
  size_t n = strlen(o->prefix);
  if (n == 0 || n > 60 || strspn(o->prefix, "abcdefghijklmnopqrstuvwxyz0123456789_-") != n) {
    fprintf(stderr, "ij_bench_load: --area-prefix must match ^[a-z0-9_-]+$ (at most 60)\n");
    exit(2);
  }
  if (!o->uri)
    o->uri = getenv("DATABASE_OWNER_URL");
  if (!o->uri || !*o->uri) {
    fprintf(stderr, "ij_bench_load: give the owner's URI or set DATABASE_OWNER_URL\n");
    exit(2);
  }
}

static void print_mix(const sim *s) {
  long by_state[ST_NONE] = {0};
  for (size_t i = 0; i < s->n_refs; i++)
    by_state[s->refs[i].state]++;
  printf("states:");
  for (int st = 0; st < ST_NONE; st++)
    printf(" %s %.1f%%", STATE[st], 100.0 * (double)by_state[st] / (double)s->n_refs);
  printf("\n");
}

int main(int argc, char **argv) {
  sim s;
  memset(&s, 0, sizeof s);
  parse_options(argc, argv, &s.opt);
  g_rng = s.opt.seed;
  s.now = s.opt.today * DAY;
  s.day0 = s.opt.today - (int64_t)s.opt.years * 365 - s.opt.years / 4;
  s.days = s.opt.today + FUTURE_DAYS - s.day0;
  s.days = (s.days + 6) / 7 * 7;
  s.weeks = (int)(s.days / 7);
  s.n_sessions = (size_t)s.opt.areas * PLACEMENTS * (size_t)s.weeks;
  s.booked = calloc(s.n_sessions, sizeof *s.booked);
  if (!s.booked) {
    fprintf(stderr, "ij_bench_load: out of memory\n");
    return 1;
  }

  PGconn *pg = PQconnectdb(s.opt.uri);
  if (PQstatus(pg) != CONNECTION_OK)
    die_pg(pg, "connect");
  exec_ok(pg, "SET client_min_messages = warning");
  /* refuse a second load of the same areas before spending minutes on it */
  const char *params[1] = {s.opt.prefix};
  PGresult *res = PQexecParams(pg, "SELECT count(*) FROM areas WHERE left(code, length($1)) = $1",
                               1, NULL, params, NULL, NULL, 0);
  if (PQresultStatus(res) != PGRES_TUPLES_OK)
    die_pg(pg, "checking the areas (is the database migrated?)");
  if (strcmp(PQgetvalue(res, 0, 0), "0") != 0) {
    fprintf(stderr, "ij_bench_load: areas %s* exist already: load into a fresh database\n",
            s.opt.prefix);
    return 1;
  }
  PQclear(res);

  struct timespec t0, t;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  t = t0;
  run_simulation(&s);
  printf("simulated %zu people, %zu referrals, %zu events, %zu bookings, %zu follow-up checks, "
         "%zu sessions in %.1f s\n",
         s.n_people, s.n_refs, s.n_events, s.n_bookings, s.n_followups, s.n_sessions,
         seconds_since(&t));
  print_mix(&s);
  fflush(stdout);

  order_t *by_created = make_order(s.n_refs);
  for (size_t i = 0; i < s.n_refs; i++)
    by_created[i] = (order_t){s.refs[i].created, (uint32_t)i};
  sort_order(by_created, s.n_refs);
  s.ref_k = calloc(s.n_refs + 1, sizeof *s.ref_k);
  uint32_t *per_area = calloc((size_t)s.opt.areas + 1, sizeof *per_area);
  if (!s.ref_k || !per_area) {
    fprintf(stderr, "ij_bench_load: out of memory\n");
    return 1;
  }
  for (size_t i = 0; i < s.n_refs; i++) {
    uint32_t ri = by_created[i].idx;
    s.ref_k[ri] = ++per_area[s.refs[ri].area];
  }
  free(per_area);

  copier c = {pg, malloc(4 << 20), 0, 4 << 20, 0};
  if (!c.buf) {
    fprintf(stderr, "ij_bench_load: out of memory\n");
    return 1;
  }
  /* One transaction: a failed load leaves nothing behind. synchronous_commit off only spares the
   * final flush; the data is the same. */
  exec_ok(pg, "SET synchronous_commit = off");
  exec_ok(pg, "BEGIN");
  /* the statistics' kept figures (migrations 024, 026) once at the end, set-based, rather than
   * by their triggers over the load's statements and the booking summaries' update */
  static const char *const kept_triggers[][2] = {
      {"referrals", "referrals_stats_insert"},
      {"referrals", "referrals_stats_update"},
      {"referrals", "referrals_stats_checks_move"},
      {"followup_checks", "followup_checks_stats_insert"}};
  char sql[160];
  for (size_t i = 0; i < sizeof kept_triggers / sizeof kept_triggers[0]; i++) {
    snprintf(sql, sizeof sql, "ALTER TABLE %s DISABLE TRIGGER %s", kept_triggers[i][0],
             kept_triggers[i][1]);
    exec_ok(pg, sql);
  }
  write_areas(&s, &c);
  write_placements(&s, &c);
  write_sessions(&s, &c);
  write_people(&s, &c);
  write_referrals(&s, &c, by_created);
  write_events(&s, &c);
  /* the referrals' booking summaries (migration 010) once at the end, not a trigger per row */
  exec_ok(pg, "ALTER TABLE bookings DISABLE TRIGGER bookings_rollup");
  write_bookings(&s, &c);
  exec_ok(pg, "ALTER TABLE bookings ENABLE TRIGGER bookings_rollup");
  write_followups(&s, &c);
  clock_gettime(CLOCK_MONOTONIC, &t);
  exec_ok(pg, "SELECT ij_referral_rollup(ARRAY(SELECT DISTINCT referral_id FROM bookings))");
  printf("  %-18s %27.1f s\n", "booking summaries", seconds_since(&t));
  clock_gettime(CLOCK_MONOTONIC, &t);
  for (size_t i = 0; i < sizeof kept_triggers / sizeof kept_triggers[0]; i++) {
    snprintf(sql, sizeof sql, "ALTER TABLE %s ENABLE TRIGGER %s", kept_triggers[i][0],
             kept_triggers[i][1]);
    exec_ok(pg, sql);
  }
  exec_ok(pg, "SELECT ij_stats_rebuild()");
  printf("  %-18s %27.1f s\n", "statistics kept", seconds_since(&t));
  clock_gettime(CLOCK_MONOTONIC, &t);
  exec_ok(pg, "COMMIT");
  printf("  %-18s %27.1f s\n", "commit", seconds_since(&t));
  clock_gettime(CLOCK_MONOTONIC, &t);
  exec_ok(pg, "VACUUM (ANALYZE)"); /* the visibility map too: index-only scans */
  printf("  %-18s %27.1f s\n", "analyze", seconds_since(&t));

  if (s.opt.ids_file)
    write_ids(&s, by_created, s.opt.ids_file);
  res = PQexec(pg, "SELECT pg_size_pretty(pg_database_size(current_database()))");
  if (PQresultStatus(res) == PGRES_TUPLES_OK)
    printf("database size %s\n", PQgetvalue(res, 0, 0));
  PQclear(res);
  printf("total %.1f s\n", seconds_since(&t0));
  PQfinish(pg);
  free(c.buf);
  free(by_created);
  free(s.ref_k);
  free(s.booked);
  free(s.people);
  free(s.refs);
  free(s.events);
  free(s.bookings);
  free(s.police_serial);
  return 0;
}
