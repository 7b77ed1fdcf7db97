/* Races on one referral through the real path: a supervisor's sign-out and a coordinator's
 * amendment sent at once, round after round on fresh referrals. Neither overwrites the other: the
 * sign-out's minutes are on the booking and the referral, the amendment's values are stored, and
 * the version counts the events. An amendment refused with 412 (the sign-out completed the
 * referral under it) wrote nothing, and its retry with the fresh version is applied once.
 *
 * Half the rounds fix the order: the test holds the referral's row lock, queues the two requests
 * behind it one after the other (waiting until PostgreSQL shows each one blocked) and lets go, so
 * both orders are run with a sign-out that completes the referral and with one that does not.
 * The other half release the two together and take whichever order comes. */
#include <libpq-fe.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "suites.h"

#define ROUNDS 12

static const char *str(json_t *j, const char *key) {
  return json_string_value(json_object_get(j, key));
}

static json_int_t num(json_t *j, const char *key) {
  return json_integer_value(json_object_get(j, key));
}

/* A placement and a four-hour session supervised by sup-1, a day ahead. */
static void new_session(char session[37]) {
  char placement[37];
  uuid_t u;
  uuid_generate_random(u);
  uuid_unparse_lower(u, placement);
  uuid_generate_random(u);
  uuid_unparse_lower(u, session);
  const char *p1[2] = {placement, AREA};
  free(ts_sql("INSERT INTO placements (id, area, name, type, provider, ward, min_age,"
              " supervisor_sub, supervisor_name, created_at, updated_at) VALUES ($1, $2,"
              " 'Park litter pick', 'gardening', 'Parks Trust', 'ward-a', 10, 'sup-1',"
              " 'Sup One', now(), now())",
              2, p1));
  const char *p2[3] = {session, AREA, placement};
  free(ts_sql("INSERT INTO sessions (id, area, placement_id, starts_at, ends_at, capacity,"
              " supervisor_sub, supervisor_name, created_at, updated_at) VALUES ($1, $2, $3,"
              " now() + interval '1 day', now() + interval '1 day 4 hours', 10, 'sup-1',"
              " 'Sup One', now(), now())",
              3, p2));
}

/* Moves the session, its booking and a sign-in to start `minutes` from now (negative: ago). */
static void starts_in(const char *session, int minutes) {
  char m[16];
  snprintf(m, sizeof m, "%d", minutes);
  const char *p[2] = {session, m};
  free(ts_sql("WITH s AS (UPDATE sessions SET starts_at = date_trunc('second', now()) + $2::int *"
              " interval '1 minute', ends_at = date_trunc('second', now()) + $2::int * interval"
              " '1 minute' + (ends_at - starts_at) WHERE id = $1 RETURNING id, starts_at, ends_at)"
              " UPDATE bookings b SET starts_at = s.starts_at, ends_at = s.ends_at,"
              " signed_in_at = b.signed_in_at + (s.starts_at - b.starts_at) FROM s"
              " WHERE b.session_id = s.id",
              2, p));
}

/* The session's start plus `plus`, as the API writes times. */
static char *session_time(const char *session, const char *plus) {
  const char *p[2] = {session, plus};
  return ts_sql("SELECT to_char((starts_at + $2::interval) AT TIME ZONE 'UTC',"
                " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM sessions WHERE id = $1",
                2, p);
}

static ts_response *get_referral(const char *token, const char *id) {
  char path[160];
  snprintf(path, sizeof path, "/v1/referrals/%s", id);
  return ts_http(S, "GET", "/v1/referrals/{id}", path, token, NULL, NULL);
}

/* A new person's referral accepted with `hours`, booked on a new session, signed in five minutes
 * before it starts, and the session then moved to have started 150 minutes ago; the session's id,
 * the referral's and the booking's. */
static void signed_in_referral(const char *officer, const char *coord, const char *sup, int hours,
                               char session[37], char id[64], char booking[64]) {
  new_session(session);
  char *body = ts_referral_body("ward-a");
  json_t *j = json_loads(body, 0, NULL);
  free(body);
  char police_id[37];
  uuid_t u;
  uuid_generate_random(u);
  uuid_unparse_lower(u, police_id);
  json_object_set_new(json_object_get(j, "person"), "police_id", json_string(police_id));
  body = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  ts_response *r = ts_http(S, "POST", "/v1/referrals", "/v1/referrals", officer, NULL, body);
  free(body);
  ck_assert_int_eq(r->status, 201);
  snprintf(id, 64, "%s", ts_id(r));
  ts_response_free(r);
  char path[160], json[128];
  snprintf(path, sizeof path, "/v1/referrals/%s/transitions", id);
  snprintf(json, sizeof json,
           "{\"event\":\"accept\",\"hours_confirmed\":%d,\"suitability_notes\":\"ok\"}", hours);
  r = ts_http(S, "POST", "/v1/referrals/{id}/transitions", path, coord,
              (const char *const[]){"If-Match: \"1\"", NULL}, json);
  ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
  ts_response_free(r);
  snprintf(path, sizeof path, "/v1/referrals/%s/bookings", id);
  snprintf(json, sizeof json, "{\"session_id\":\"%s\"}", session);
  r = ts_http(S, "POST", "/v1/referrals/{id}/bookings", path, coord, NULL, json);
  ck_assert_msg(r->status == 201, "%ld %s", r->status, r->body);
  snprintf(booking, 64, "%s", str(r->json, "id"));
  ts_response_free(r);
  starts_in(session, 5);
  snprintf(path, sizeof path, "/v1/bookings/%s/sign-in", booking);
  r = ts_http(S, "POST", "/v1/bookings/{id}/sign-in", path, sup, NULL, NULL);
  ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
  ck_assert_str_eq(r->etag, "\"2\"");
  ts_response_free(r);
  starts_in(session, -150);
}

/* ---- holding the referral's row so that the requests queue in a chosen order ---- */

typedef struct {
  PGconn *pg;
  char pids[64]; /* the holder's and the queued requests' backends, as an int[] literal */
} gate;

static void gate_close(gate *g, const char *referral) {
  g->pg = PQconnectdb(ts_database_url());
  ck_assert_int_eq(PQstatus(g->pg), CONNECTION_OK);
  PGresult *res = PQexec(g->pg, "BEGIN");
  ck_assert_int_eq(PQresultStatus(res), PGRES_COMMAND_OK);
  PQclear(res);
  const char *p[1] = {referral};
  res = PQexecParams(g->pg, "SELECT pg_backend_pid() FROM referrals WHERE id = $1 FOR UPDATE", 1,
                     NULL, p, NULL, NULL, 0);
  ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1, "%s",
                PQresultErrorMessage(res));
  snprintf(g->pids, sizeof g->pids, "{%s}", PQgetvalue(res, 0, 0));
  PQclear(res);
}

/* Waits until `n` backends wait behind the holder or a request queued before, and adds the new
 * one to the queue. */
static void gate_wait_queued(gate *g, int n) {
  const char *p[1] = {g->pids};
  for (int tries = 0; tries < 3000; tries++) {
    char *count = ts_sql("SELECT count(*) FROM pg_stat_activity"
                         " WHERE pg_blocking_pids(pid) && $1::int[]",
                         1, p);
    int waiting = atoi(count);
    free(count);
    if (waiting >= n) {
      char *newest = ts_sql("SELECT pid FROM pg_stat_activity"
                            " WHERE pg_blocking_pids(pid) && $1::int[] AND NOT pid = ANY ($1)",
                            1, p);
      ck_assert_ptr_nonnull(newest);
      size_t len = strlen(g->pids);
      snprintf(g->pids + len - 1, sizeof g->pids - len + 1, ",%s}", newest);
      free(newest);
      return;
    }
    usleep(10000);
  }
  ck_abort_msg("request %d never queued behind the referral's row lock", n);
}

static void gate_open(gate *g) {
  PGresult *res = PQexec(g->pg, "ROLLBACK");
  ck_assert_int_eq(PQresultStatus(res), PGRES_COMMAND_OK);
  PQclear(res);
  PQfinish(g->pg);
}

/* ---- the two sides ---- */

typedef struct {
  const char *token, *id, *booking, *body;
  char if_match[64];
  pthread_barrier_t *start; /* NULL: go at once */
  long status, first_status;
} racer;

static void *sign_out(void *arg) {
  racer *x = arg;
  if (x->start)
    pthread_barrier_wait(x->start);
  char path[160];
  snprintf(path, sizeof path, "/v1/bookings/%s/sign-out", x->booking);
  ts_response *r = ts_http(S, "POST", "/v1/bookings/{id}/sign-out", path, x->token,
                           (const char *const[]){"If-Match: \"2\"", NULL}, x->body);
  x->status = x->first_status = r->status;
  ts_response_free(r);
  return NULL;
}

static long patch(const char *token, const char *id, const char *etag, const char *body) {
  char path[160], header[80];
  snprintf(path, sizeof path, "/v1/referrals/%s", id);
  snprintf(header, sizeof header, "If-Match: %s", etag);
  ts_response *r = ts_http(S, "PATCH", "/v1/referrals/{id}", path, token,
                           (const char *const[]){header, NULL}, body);
  long status = r->status;
  ts_response_free(r);
  return status;
}

/* The amendment with the version read before; on 412, as a client would, read the referral
 * again and send it once more with the fresh version. */
static void *amend(void *arg) {
  racer *x = arg;
  if (x->start)
    pthread_barrier_wait(x->start);
  x->status = x->first_status = patch(x->token, x->id, x->if_match, x->body);
  if (x->status == 412) {
    ts_response *r = get_referral(x->token, x->id);
    char etag[64];
    snprintf(etag, sizeof etag, "%s", r->etag);
    ts_response_free(r);
    x->status = patch(x->token, x->id, etag, x->body);
  }
  return NULL;
}

/* The event names of a referral's log, joined by spaces. */
static void events_of(const char *token, const char *id, char *out, size_t size, size_t *count) {
  char path[160];
  snprintf(path, sizeof path, "/v1/referrals/%s/events", id);
  ts_response *r = ts_http(S, "GET", "/v1/referrals/{id}/events", path, token, NULL, NULL);
  ck_assert_int_eq(r->status, 200);
  json_t *items = json_object_get(r->json, "items");
  out[0] = '\0';
  *count = json_array_size(items);
  for (size_t i = 0; i < *count; i++) {
    strncat(out, i ? " " : "", size - strlen(out) - 1);
    strncat(out, str(json_array_get(items, i), "event"), size - strlen(out) - 1);
  }
  ts_response_free(r);
}

/* Round by round: whether the sign-out completes the referral (it credits the 120 minutes owed)
 * or not (30 of 420), and in the first four which request the row lock lets through first. */
START_TEST(sign_out_and_amendment_at_once_lose_nothing) {
  char *officer = ts_token("officer", AREA, "pc-101");
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char *sup = ts_token("supervisor", AREA, "sup-1");
  int sign_out_first = 0, amend_first = 0, stale = 0;
  for (int round = 0; round < ROUNDS; round++) {
    bool ordered = round < 4, completes = (round / 2) % 2 == 1;
    bool amendment_leads = round % 2 == 1; /* in the ordered rounds */
    int minutes = completes ? 120 : 30;
    char session[37], id[64], booking[64];
    signed_in_referral(officer, coord, sup, completes ? 2 : 7, session, id, booking);
    ts_response *r = get_referral(coord, id);
    ck_assert_int_eq(num(r->json, "version"), 4); /* create accept book attend */
    ck_assert_int_eq(num(r->json, "minutes_credited"), 0);
    char before[64];
    snprintf(before, sizeof before, "%s", r->etag);
    ts_response_free(r);

    char *from = session_time(session, "0");
    char interval[32];
    snprintf(interval, sizeof interval, "%d minutes", minutes);
    char *to = session_time(session, interval);
    char out_body[256], amend_body[160], phone[32], notes[32];
    snprintf(out_body, sizeof out_body,
             "{\"started_at\":\"%s\",\"finished_at\":\"%s\",\"behaviour\":\"good\"}", from, to);
    free(from);
    free(to);
    snprintf(phone, sizeof phone, "01332 40000%d", round);
    snprintf(notes, sizeof notes, "Needs a ramp (round %d)", round);
    snprintf(amend_body, sizeof amend_body,
             "{\"person\":{\"phone\":\"%s\",\"needs_notes\":\"%s\"}}", phone, notes);

    pthread_barrier_t start;
    racer out = {sup, id, booking, out_body, "", NULL, 0, 0};
    racer am = {coord, id, booking, amend_body, "", NULL, 0, 0};
    snprintf(am.if_match, sizeof am.if_match, "%s", before);
    pthread_t t_out, t_am;
    if (ordered) {
      gate g;
      gate_close(&g, id);
      racer *lead = amendment_leads ? &am : &out, *next = amendment_leads ? &out : &am;
      pthread_create(amendment_leads ? &t_am : &t_out, NULL, amendment_leads ? amend : sign_out,
                     lead);
      gate_wait_queued(&g, 1);
      pthread_create(amendment_leads ? &t_out : &t_am, NULL, amendment_leads ? sign_out : amend,
                     next);
      gate_wait_queued(&g, 2);
      gate_open(&g);
    } else {
      pthread_barrier_init(&start, NULL, 2);
      out.start = am.start = &start;
      pthread_create(&t_out, NULL, sign_out, &out);
      pthread_create(&t_am, NULL, amend, &am);
    }
    pthread_join(t_out, NULL);
    pthread_join(t_am, NULL);
    if (!ordered)
      pthread_barrier_destroy(&start);

    /* the booking's version is the sign-out's alone: it is never refused here */
    ck_assert_msg(out.status == 200, "round %d: sign-out %ld", round, out.status);
    /* a 412 only when the version moved: the sign-out completed the referral before the
     * amendment wrote; its retry with the fresh version is applied */
    ck_assert_msg(am.first_status == 200 || (am.first_status == 412 && completes),
                  "round %d: amendment %ld", round, am.first_status);
    ck_assert_msg(am.status == 200, "round %d: amendment retried %ld", round, am.status);
    if (am.first_status == 412)
      stale++;

    char got[256];
    size_t events = 0;
    events_of(coord, id, got, sizeof got, &events);
    if (ordered) {
      /* led by the sign-out that completes, the amendment's version moved under it */
      long want = completes && !amendment_leads ? 412 : 200;
      ck_assert_msg(am.first_status == want, "round %d: amendment %ld, want %ld", round,
                    am.first_status, want);
    }
    if (completes) {
      /* the log shows the order: the amend event before or after the complete */
      bool out_led = strcmp(got, "create accept book attend complete amend") == 0;
      ck_assert_msg(out_led || strcmp(got, "create accept book attend amend complete") == 0,
                    "round %d: %s", round, got);
      if (ordered)
        ck_assert_msg(out_led == !amendment_leads, "round %d: %s", round, got);
      /* and the amendment was refused once exactly when the sign-out went first */
      ck_assert_msg((am.first_status == 412) == out_led, "round %d: amendment %ld, %s", round,
                    am.first_status, got);
      if (out_led)
        sign_out_first++;
      else
        amend_first++;
    } else {
      ck_assert_str_eq(got, "create accept book attend amend");
    }

    /* both changes, together: the minutes on the booking and the referral, the new contact */
    char path[160];
    snprintf(path, sizeof path, "/v1/bookings/%s", booking);
    r = ts_http(S, "GET", "/v1/bookings/{id}", path, coord, NULL, NULL);
    ck_assert_int_eq(r->status, 200);
    ck_assert_str_eq(str(r->json, "status"), "attended_complied");
    ck_assert_int_eq(num(r->json, "minutes_credited"), minutes);
    ts_response_free(r);
    r = get_referral(coord, id);
    ck_assert_int_eq(r->status, 200);
    ck_assert_int_eq(num(r->json, "minutes_credited"), minutes);
    ck_assert_str_eq(str(r->json, "state"), completes ? "completed" : "in_progress");
    json_t *person = json_object_get(r->json, "person");
    ck_assert_str_eq(str(person, "phone"), phone);
    ck_assert_str_eq(str(person, "needs_notes"), notes);
    /* the version counts the events: one amend, however many tries it took */
    ck_assert_int_eq(num(r->json, "version"), (json_int_t)events);
    ts_response_free(r);
  }
  /* and across the area, every referral's version and state agree with its log */
  ij_conn *c;
  ck_assert_int_eq(ij_store_acquire(S->store, &c), IJ_OK);
  int64_t bad = -1;
  ck_assert_int_eq(ij_store_referral_inconsistencies(c, AREA, &bad), IJ_OK);
  ij_store_release(S->store, c);
  ck_assert_int_eq(bad, 0);
  /* which order the free rounds took, for whoever reads the log */
  fprintf(stderr,
          "http-races: of the rounds that complete, sign-out first %d, amendment first %d;"
          " amendments refused stale and retried %d\n",
          sign_out_first, amend_first, stale);
  free(officer);
  free(coord);
  free(sup);
}
END_TEST

Suite *http_races_suite(void) {
  Suite *s = suite_create("http-races");
  TCase *tc = tcase_create("races");
  tcase_set_timeout(tc, 180);
  tcase_add_checked_fixture(tc, http_setup, http_teardown);
  tcase_add_test(tc, sign_out_and_amendment_at_once_lose_nothing);
  suite_add_tcase(s, tc);
  return s;
}
