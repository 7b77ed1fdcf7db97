/* Walk-ins, paper registers and the supervisor's register through the real path (HTTP -> C ->
 * PostgreSQL): who may do each, when, with what reason; the marks in the event log; the race on
 * a session's last place; what the register shows and the access-log rows its reads write. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

#include "suites.h"

static const char *str(json_t *j, const char *key) {
  return json_string_value(json_object_get(j, key));
}

static void new_uuid(char out[37]) {
  uuid_t u;
  uuid_generate_random(u);
  uuid_unparse_lower(u, out);
}

/* A placement from age 16 supervised by `sup`, and a session of it from `from_min` to `to_min`
 * minutes from now (negative: in the past) with `capacity` places; writes the session id. */
static void make_session(const char *sup, int from_min, int to_min, int capacity,
                         char session[37]) {
  char placement[37], from[16], to[16], cap[8];
  new_uuid(placement);
  new_uuid(session);
  snprintf(from, sizeof from, "%d", from_min);
  snprintf(to, sizeof to, "%d", to_min);
  snprintf(cap, sizeof cap, "%d", capacity);
  const char *p1[3] = {placement, AREA, sup};
  free(ts_sql("INSERT INTO placements (id, area, name, type, provider, ward, min_age,"
              " supervisor_sub, supervisor_name, created_at, updated_at) VALUES ($1, $2,"
              " 'Canal path clear-up', 'community_clean_up', 'Canal Trust', 'ward-a', 16, $3,"
              " 'Site Supervisor', now(), now())",
              3, p1));
  const char *p2[6] = {session, AREA, placement, from, to, cap};
  free(ts_sql("INSERT INTO sessions (id, area, placement_id, starts_at, ends_at, capacity,"
              " supervisor_sub, supervisor_name, created_at, updated_at) SELECT $1, $2, $3,"
              " now() + $4::int * interval '1 minute', now() + $5::int * interval '1 minute',"
              " $6::int, supervisor_sub, supervisor_name, now(), now() FROM placements"
              " WHERE id = $3",
              6, p2));
}

/* A referral of a new person with contact, needs and risk notes, accepted; writes its id. */
static void accepted_referral(const char *name, char id[64]) {
  char *officer = ts_token("officer", AREA, "pc-reg-1");
  char *coord = ts_token("coordinator", AREA, "coord-reg-1");
  char *body = ts_referral_body("ward-a");
  json_t *j = json_loads(body, 0, NULL);
  free(body);
  char pid[37];
  new_uuid(pid);
  json_t *person = json_object_get(j, "person");
  json_object_set_new(person, "police_id", json_string(pid));
  json_object_set_new(person, "name", json_string(name));
  json_object_set_new(person, "phone", json_string("07700 900123"));
  json_object_set_new(person, "address", json_string("1 Example Street"));
  json_object_set_new(person, "needs_notes", json_string("Needs gloves in size S"));
  json_object_set_new(person, "risk_notes", json_string("Not near open water"));
  json_object_set_new(json_object_get(j, "offence"), "description",
                      json_string("Damaged the bus shelter"));
  body = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  ts_response *r = ts_http(S, "POST", "/v1/referrals", "/v1/referrals", officer, NULL, body);
  ck_assert_msg(r->status == 201, "%ld %s", r->status, r->body);
  snprintf(id, 64, "%s", ts_id(r));
  ts_response_free(r);
  free(body);
  char path[160];
  snprintf(path, sizeof path, "/v1/referrals/%s/transitions", id);
  r = ts_http(S, "POST", "/v1/referrals/{id}/transitions", path, coord,
              (const char *const[]){"If-Match: \"1\"", NULL},
              "{\"event\":\"accept\",\"hours_confirmed\":2,\"suitability_notes\":\"ok\"}");
  ck_assert_int_eq(r->status, 200);
  ts_response_free(r);
  free(officer);
  free(coord);
}

static ts_response *walk_in(const char *token, const char *session, const char *referral) {
  char path[160], body[96];
  snprintf(path, sizeof path, "/v1/sessions/%s/walk-ins", session);
  snprintf(body, sizeof body, "{\"referral_id\":\"%s\"}", referral);
  return ts_http(S, "POST", "/v1/sessions/{id}/walk-ins", path, token, NULL, body);
}

static ts_response *book(const char *token, const char *referral, const char *body) {
  char path[160];
  snprintf(path, sizeof path, "/v1/referrals/%s/bookings", referral);
  return ts_http(S, "POST", "/v1/referrals/{id}/bookings", path, token, NULL, body);
}

static ts_response *outcome(const char *token, const char *booking, const char *body) {
  char path[160];
  snprintf(path, sizeof path, "/v1/bookings/%s/outcome", booking);
  return ts_http(S, "POST", "/v1/bookings/{id}/outcome", path, token,
                 (const char *const[]){"If-Match: \"1\"", NULL}, body);
}

static ts_response *events(const char *token, const char *referral) {
  char path[160];
  snprintf(path, sizeof path, "/v1/referrals/%s/events", referral);
  return ts_http(S, "GET", "/v1/referrals/{id}/events", path, token, NULL, NULL);
}

/* One field error on `field` in a problem document. */
static void expect_field(const ts_response *r, long status, const char *field) {
  ck_assert_msg(r->status == status, "got %ld, want %ld: %s", r->status, status, r->body);
  json_t *errors = json_object_get(r->json, "errors");
  for (size_t i = 0; i < json_array_size(errors); i++)
    if (strcmp(str(json_array_get(errors, i), "field"), field) == 0)
      return;
  ck_abort_msg("no error on %s: %s", field, r->body);
}

static char *count_sql(const char *query, const char *arg) {
  const char *p[1] = {arg};
  return ts_sql(query, 1, p);
}

static void expect_count(const char *query, const char *arg, const char *want) {
  char *n = count_sql(query, arg);
  ck_assert_msg(n && strcmp(n, want) == 0, "%s: %s, want %s", query, n ? n : "none", want);
  free(n);
}

START_TEST(walk_in_books_on_a_session_under_way_by_its_supervisor) {
  char *sup = ts_token("supervisor", AREA, "sup-walk-1");
  char *other = ts_token("supervisor", AREA, "sup-walk-2");
  char *coord = ts_token("coordinator", AREA, "coord-reg-1");
  char under_way[37], later[37], over[37], id[64];
  make_session("sup-walk-1", -30, 90, 4, under_way);
  make_session("sup-walk-1", 60, 180, 4, later);
  make_session("sup-walk-1", -180, -60, 4, over);
  accepted_referral("Alex Walker", id);

  /* a session not started yet, or already over: refused, nothing booked */
  ts_response *r = walk_in(sup, later, id);
  expect_field(r, 409, "session_id");
  ck_assert_ptr_nonnull(strstr(r->body, "not started yet"));
  ts_response_free(r);
  r = walk_in(sup, over, id);
  expect_field(r, 409, "session_id");
  ck_assert_ptr_nonnull(strstr(r->body, "is over"));
  ts_response_free(r);
  /* another supervisor's session is not theirs to see */
  r = walk_in(other, under_way, id);
  ck_assert_int_eq(r->status, 404);
  ts_response_free(r);
  /* an unknown referral is the body's mistake */
  char unknown[37];
  new_uuid(unknown);
  r = walk_in(sup, under_way, unknown);
  expect_field(r, 422, "referral_id");
  ts_response_free(r);
  /* an ordinary booking of a session under way is still refused */
  char body[128];
  snprintf(body, sizeof body, "{\"session_id\":\"%s\"}", under_way);
  r = book(coord, id, body);
  expect_field(r, 409, "session_id");
  ts_response_free(r);
  expect_count("SELECT count(*) FROM bookings WHERE referral_id = $1::uuid", id, "0");

  /* the session's supervisor adds them: booked, marked, and the event log says so */
  r = walk_in(sup, under_way, id);
  ck_assert_msg(r->status == 201, "%ld %s", r->status, r->body);
  ck_assert(json_is_true(json_object_get(r->json, "walk_in")));
  ts_response_free(r);
  r = events(coord, id);
  json_t *items = json_object_get(r->json, "items");
  json_t *last = json_array_get(items, json_array_size(items) - 1);
  ck_assert_str_eq(str(last, "event"), "book");
  ck_assert(json_is_true(json_object_get(json_object_get(last, "data"), "walk_in")));
  ts_response_free(r);
  /* the same rules as a booking: twice on one session is refused */
  r = walk_in(coord, under_way, id);
  expect_field(r, 409, "session_id");
  ck_assert_ptr_nonnull(strstr(r->body, "already"));
  ts_response_free(r);
  /* and an officer may not */
  char *officer = ts_token("officer", AREA, "pc-reg-1");
  r = walk_in(officer, under_way, id);
  ck_assert_int_eq(r->status, 403);
  ts_response_free(r);
  free(officer);
  free(sup);
  free(other);
  free(coord);
}
END_TEST

/* A walk-in's overlap with the person's other booking: refused as a booking's would be. */
START_TEST(walk_in_keeps_the_overlap_rule) {
  char *coord = ts_token("coordinator", AREA, "coord-reg-1");
  char first[37], second[37], id[64];
  make_session("sup-walk-1", -30, 90, 4, first);
  make_session("sup-walk-1", -20, 60, 4, second);
  accepted_referral("Sam Overlap", id);
  ts_response *r = walk_in(coord, first, id);
  ck_assert_int_eq(r->status, 201);
  ts_response_free(r);
  r = walk_in(coord, second, id);
  expect_field(r, 409, "session_id");
  ck_assert_ptr_nonnull(strstr(r->body, "overlapping"));
  ts_response_free(r);
  free(coord);
}
END_TEST

typedef struct {
  const char *token, *session, *referral;
  long status;
  pthread_barrier_t *start;
} racer;

static void *race(void *arg) {
  racer *r = arg;
  pthread_barrier_wait(r->start);
  ts_response *res = walk_in(r->token, r->session, r->referral);
  r->status = res->status;
  ts_response_free(res);
  return NULL;
}

#define RACERS 8

/* Racers for the last place of a session under way, each a different person: exactly one walk-in
 * gets it, the others 409, and the session is never over capacity. */
START_TEST(walk_ins_race_for_the_last_place) {
  char *sup = ts_token("supervisor", AREA, "sup-walk-1");
  char *coord = ts_token("coordinator", AREA, "coord-reg-1");
  char session[37], ids[RACERS + 1][64];
  make_session("sup-walk-1", -30, 90, 2, session);
  for (int i = 0; i <= RACERS; i++) {
    char name[32];
    snprintf(name, sizeof name, "Racer %d", i);
    accepted_referral(name, ids[i]);
  }
  ts_response *r = walk_in(sup, session, ids[RACERS]); /* one of two places taken */
  ck_assert_int_eq(r->status, 201);
  ts_response_free(r);
  racer racers[RACERS];
  pthread_t t[RACERS];
  pthread_barrier_t start;
  pthread_barrier_init(&start, NULL, RACERS);
  for (int i = 0; i < RACERS; i++) {
    racers[i] = (racer){i % 2 ? coord : sup, session, ids[i], 0, &start};
    pthread_create(&t[i], NULL, race, &racers[i]);
  }
  for (int i = 0; i < RACERS; i++)
    pthread_join(t[i], NULL);
  pthread_barrier_destroy(&start);
  int won = 0, full = 0;
  for (int i = 0; i < RACERS; i++) {
    if (racers[i].status == 201)
      won++;
    else if (racers[i].status == 409)
      full++;
    else
      ck_abort_msg("racer %d: %ld", i, racers[i].status);
  }
  ck_assert_int_eq(won, 1);
  ck_assert_int_eq(full, RACERS - 1);
  expect_count("SELECT booked FROM sessions WHERE id = $1::uuid", session, "2");
  expect_count("SELECT count(*) FROM bookings WHERE session_id = $1::uuid AND status = 'booked'",
               session, "2");
  free(sup);
  free(coord);
}
END_TEST

static ts_response *create_session(const char *token, const char *placement, const char *body) {
  char path[160];
  snprintf(path, sizeof path, "/v1/placements/%s/sessions", placement);
  return ts_http(S, "POST", "/v1/placements/{id}/sessions", path, token, NULL, body);
}

/* A paper register: the past session, its bookings and outcomes, each by a coordinator with a
 * reason, each event marked; a supervisor refused; the whole length credited. */
START_TEST(paper_register_is_entered_by_a_coordinator_with_a_reason) {
  char *coord = ts_token("coordinator", AREA, "coord-reg-1");
  char *sup = ts_token("supervisor", AREA, "sup-walk-1");
  char placement_session[37], id[64];
  make_session("sup-walk-1", 600, 700, 4, placement_session);
  const char *p[1] = {placement_session};
  char *placement = ts_sql("SELECT placement_id FROM sessions WHERE id = $1::uuid", 1, p);
  char *starts = ts_sql("SELECT to_char(date_trunc('minute', now()) - interval '26 hours',"
                        " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') ",
                        0, NULL);
  char *ends = ts_sql("SELECT to_char(date_trunc('minute', now()) - interval '24 hours',"
                      " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') ",
                      0, NULL);
  char body[512];
  /* without a reason: refused, naming it */
  snprintf(body, sizeof body, "{\"starts_at\":\"%s\",\"ends_at\":\"%s\",\"capacity\":3}", starts,
           ends);
  ts_response *r = create_session(coord, placement, body);
  expect_field(r, 422, "starts_at");
  ck_assert_ptr_nonnull(strstr(r->body, "late_entry_reason"));
  ts_response_free(r);
  /* a supervisor may not create one at all */
  snprintf(body, sizeof body,
           "{\"starts_at\":\"%s\",\"ends_at\":\"%s\",\"capacity\":3,"
           "\"late_entry_reason\":\"Paper register, no signal on site\"}",
           starts, ends);
  r = create_session(sup, placement, body);
  ck_assert_int_eq(r->status, 403);
  ts_response_free(r);
  /* a reason on a session that is not over: refused */
  r = create_session(coord, placement,
                     "{\"starts_at\":\"2099-01-01T09:00:00Z\",\"ends_at\":\"2099-01-01T11:00:00Z\","
                     "\"capacity\":3,\"late_entry_reason\":\"Paper register\"}");
  expect_field(r, 422, "late_entry_reason");
  ts_response_free(r);
  r = create_session(coord, placement, body);
  ck_assert_msg(r->status == 201, "%ld %s", r->status, r->body);
  ck_assert_str_eq(str(r->json, "late_entry_reason"), "Paper register, no signal on site");
  char session[64];
  snprintf(session, sizeof session, "%s", ts_id(r));
  ts_response_free(r);

  accepted_referral("Robin Paper", id);
  /* booking it without a reason: the session is over */
  snprintf(body, sizeof body, "{\"session_id\":\"%s\"}", session);
  r = book(coord, id, body);
  expect_field(r, 409, "session_id");
  ts_response_free(r);
  snprintf(body, sizeof body, "{\"session_id\":\"%s\",\"late_entry_reason\":\"   \"}", session);
  r = book(coord, id, body);
  expect_field(r, 422, "late_entry_reason");
  ts_response_free(r);
  /* a walk-in on it: over */
  r = walk_in(sup, session, id);
  expect_field(r, 409, "session_id");
  ts_response_free(r);
  snprintf(body, sizeof body,
           "{\"session_id\":\"%s\",\"late_entry_reason\":\"Typed up from the paper register\"}",
           session);
  r = book(coord, id, body);
  ck_assert_msg(r->status == 201, "%ld %s", r->status, r->body);
  ck_assert_str_eq(str(r->json, "late_entry_reason"), "Typed up from the paper register");
  char booking[64];
  snprintf(booking, sizeof booking, "%s", ts_id(r));
  ts_response_free(r);

  /* the outcome: not by the supervisor, not without a reason */
  const char *complied = "{\"outcome\":\"attended_complied\"}";
  r = outcome(sup, booking, complied);
  expect_field(r, 403, "late_entry_reason");
  ts_response_free(r);
  r = outcome(sup, booking,
              "{\"outcome\":\"attended_complied\",\"late_entry_reason\":\"From paper\"}");
  expect_field(r, 403, "late_entry_reason");
  ts_response_free(r);
  r = outcome(coord, booking, complied);
  expect_field(r, 422, "late_entry_reason");
  ts_response_free(r);
  expect_count("SELECT status FROM bookings WHERE id = $1::uuid", booking, "booked");
  r = outcome(coord, booking,
              "{\"outcome\":\"attended_complied\","
              "\"late_entry_reason\":\"Typed up from the paper register\"}");
  ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
  /* the whole two hours credited: the referral's two hours are done */
  ck_assert_int_eq(json_integer_value(json_object_get(r->json, "minutes_credited")), 120);
  ts_response_free(r);

  /* every event the entry caused is marked, with the reason */
  r = events(coord, id);
  json_t *items = json_object_get(r->json, "items");
  int marked = 0;
  bool completed = false;
  for (size_t i = 0; i < json_array_size(items); i++) {
    json_t *e = json_array_get(items, i);
    const char *ev = str(e, "event");
    if (strcmp(ev, "create") == 0 || strcmp(ev, "accept") == 0) {
      ck_assert_ptr_null(json_object_get(e, "data"));
      continue;
    }
    json_t *data = json_object_get(e, "data");
    ck_assert_msg(json_is_true(json_object_get(data, "late_entry")), "%s unmarked", ev);
    ck_assert_str_eq(str(data, "late_entry_reason"), "Typed up from the paper register");
    completed |= strcmp(ev, "complete") == 0;
    marked++;
  }
  ck_assert_int_ge(marked, 3); /* book, attend, complete */
  ck_assert(completed);
  ts_response_free(r);
  free(placement);
  free(starts);
  free(ends);
  free(coord);
  free(sup);
}
END_TEST

/* An ordinary booking's outcome entered afterwards by a coordinator may be marked late; a
 * reason on a session not over is refused, and a supervisor may not give one. */
START_TEST(late_outcome_on_an_ordinary_booking) {
  char *coord = ts_token("coordinator", AREA, "coord-reg-1");
  char session[37], id[64];
  make_session("sup-walk-1", -30, 90, 4, session);
  accepted_referral("Kim Later", id);
  ts_response *r = walk_in(coord, session, id);
  ck_assert_int_eq(r->status, 201);
  char booking[64];
  snprintf(booking, sizeof booking, "%s", ts_id(r));
  ts_response_free(r);
  r = outcome(coord, booking,
              "{\"outcome\":\"absent_unacceptable\",\"late_entry_reason\":\"From paper\"}");
  expect_field(r, 422, "late_entry_reason");
  ts_response_free(r);
  /* once the session is over, a coordinator may enter it late: the events it causes are marked */
  const char *p[1] = {session};
  free(ts_sql("WITH s AS (UPDATE sessions SET starts_at = starts_at - interval '3 hours',"
              " ends_at = ends_at - interval '3 hours' WHERE id = $1::uuid"
              " RETURNING id, starts_at, ends_at) UPDATE bookings b SET starts_at = s.starts_at,"
              " ends_at = s.ends_at FROM s WHERE b.session_id = s.id",
              1, p));
  char *sup = ts_token("supervisor", AREA, "sup-walk-1");
  r = outcome(sup, booking, "{\"outcome\":\"attended_complied\",\"late_entry_reason\":\"Paper\"}");
  expect_field(r, 403, "late_entry_reason");
  ts_response_free(r);
  r = outcome(coord, booking,
              "{\"outcome\":\"attended_complied\",\"late_entry_reason\":\"From paper\"}");
  ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
  ts_response_free(r);
  r = events(coord, id);
  json_t *items = json_object_get(r->json, "items");
  json_t *last = json_array_get(items, json_array_size(items) - 1);
  ck_assert_str_eq(str(last, "event"), "complete");
  ck_assert_str_eq(str(json_object_get(last, "data"), "late_entry_reason"), "From paper");
  /* the walk-in's own event is marked as a walk-in, not late */
  json_t *book_event = json_array_get(items, 2);
  ck_assert_str_eq(str(book_event, "event"), "book");
  ck_assert(json_is_true(json_object_get(json_object_get(book_event, "data"), "walk_in")));
  ck_assert_ptr_null(json_object_get(json_object_get(book_event, "data"), "late_entry"));
  ts_response_free(r);
  free(sup);
  free(coord);
}
END_TEST

static ts_response *register_of(const char *token, const char *session) {
  char path[160];
  snprintf(path, sizeof path, "/v1/sessions/%s/register", session);
  return ts_http(S, "GET", "/v1/sessions/{id}/register", path, token, NULL, NULL);
}

START_TEST(register_shows_what_a_supervisor_needs_and_logs_each_read) {
  char *sup = ts_token("supervisor", AREA, "sup-walk-1");
  char *other = ts_token("supervisor", AREA, "sup-walk-2");
  char *coord = ts_token("coordinator", AREA, "coord-reg-1");
  char *officer = ts_token("officer", AREA, "pc-reg-1");
  char session[37], a[64], b[64];
  make_session("sup-walk-1", -30, 90, 4, session);
  accepted_referral("Casey Alpha", a);
  accepted_referral("Drew Beta", b);
  for (int i = 0; i < 2; i++) {
    ts_response *r = walk_in(coord, session, i ? b : a);
    ck_assert_int_eq(r->status, 201);
    ts_response_free(r);
  }
  ts_response *r = register_of(other, session);
  ck_assert_int_eq(r->status, 404);
  ts_response_free(r);
  r = register_of(officer, session);
  ck_assert_int_eq(r->status, 403);
  ts_response_free(r);
  char unknown[37];
  new_uuid(unknown);
  r = register_of(sup, unknown);
  ck_assert_int_eq(r->status, 404);
  ts_response_free(r);

  r = register_of(sup, session);
  ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
  char request_id[80];
  snprintf(request_id, sizeof request_id, "%s", r->request_id);
  json_t *items = json_object_get(r->json, "items");
  ck_assert_int_eq(json_array_size(items), 2);
  json_t *first = json_array_get(items, 0);
  json_t *person = json_object_get(first, "person");
  ck_assert_str_eq(str(person, "name"), "Casey Alpha");
  ck_assert_str_eq(str(person, "phone"), "07700 900123");
  ck_assert_str_eq(str(person, "needs_notes"), "Needs gloves in size S");
  ck_assert_str_eq(str(person, "risk_notes"), "Not near open water");
  ck_assert_str_eq(str(first, "status"), "booked");
  ck_assert_str_eq(str(first, "referral_id"), a);
  ck_assert_int_eq(json_object_size(person), 4); /* nothing else about the person */
  /* no offence, victim, address or date of birth anywhere */
  ck_assert_ptr_null(strstr(r->body, "bus shelter"));
  ck_assert_ptr_null(strstr(r->body, "victim"));
  ck_assert_ptr_null(strstr(r->body, "Example Street"));
  ck_assert_ptr_null(strstr(r->body, "2004-05-01"));
  ts_response_free(r);

  /* one consult row per person read, with the person */
  ck_assert_int_eq(ij_http_flush_audit(S->server), IJ_OK);
  expect_count("SELECT count(*) FROM personal_data_access WHERE request_id = $1"
               " AND action = 'consult' AND route = '/v1/sessions/{id}/register'"
               " AND actor_sub = 'sup-walk-1' AND person_id IS NOT NULL",
               request_id, "2");
  const char *p[2] = {request_id, b};
  char *n = ts_sql("SELECT count(*) FROM personal_data_access WHERE request_id = $1"
                   " AND referral_id = $2::uuid",
                   2, p);
  ck_assert_str_eq(n, "1");
  free(n);
  /* a coordinator reads it too */
  r = register_of(coord, session);
  ck_assert_int_eq(r->status, 200);
  ts_response_free(r);
  free(sup);
  free(other);
  free(coord);
  free(officer);
}
END_TEST

Suite *http_register_suite(void) {
  Suite *s = suite_create("http-register");
  TCase *tc = tcase_create("register");
  tcase_set_timeout(tc, 180);
  tcase_add_checked_fixture(tc, http_setup, http_teardown);
  tcase_add_test(tc, walk_in_books_on_a_session_under_way_by_its_supervisor);
  tcase_add_test(tc, walk_in_keeps_the_overlap_rule);
  tcase_add_test(tc, walk_ins_race_for_the_last_place);
  tcase_add_test(tc, paper_register_is_entered_by_a_coordinator_with_a_reason);
  tcase_add_test(tc, late_outcome_on_an_ordinary_booking);
  tcase_add_test(tc, register_shows_what_a_supervisor_needs_and_logs_each_read);
  suite_add_tcase(s, tc);
  return s;
}
