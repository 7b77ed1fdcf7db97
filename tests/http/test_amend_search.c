/* Corrections and finding people through the real path: PATCH /v1/referrals/{id} (every rule of
 * the amendment table that HTTP can reach, the order of the checks, the event and the access
 * log, a race of two coordinators on one version), GET /v1/people (typo- and word-order-tolerant
 * names, police id, date of birth, postcode, pages, area isolation) and GET /v1/people/{id}. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

#include "suites.h"

static const char *const R_ONE = "/v1/referrals/{id}";
static const char *const R_PEOPLE = "/v1/people";
static const char *const R_PERSON = "/v1/people/{id}";

static const char *str(json_t *j, const char *key) {
  return json_string_value(json_object_get(j, key));
}

/* A referral of a person of our own, made by `officer` in `area`; its id into id. */
static void refer(const char *officer, const char *name, const char *dob, const char *police_id,
                  const char *postcode, char id[64]) {
  json_t *j = json_pack("{s:{s:s, s:s, s:s, s:s}, s:{s:s, s:s, s:s}, s:s, s:b, s:i, s:{s:b, s:b}}",
                        "person", "name", name, "date_of_birth", dob, "postcode", postcode,
                        "police_id", police_id, "offence", "date", "2026-01-10", "category", "asb",
                        "ward", "ward-a", "disposal", "community_resolution", "consent_recorded", 1,
                        "hours_proposed", 7, "victim", "consulted", 1, "keep_updated", 0);
  char *body = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  ts_response *r = ts_http(S, "POST", "/v1/referrals", "/v1/referrals", officer, NULL, body);
  ck_assert_msg(r->status == 201, "%ld %s", r->status, r->body);
  snprintf(id, 64, "%s", ts_id(r));
  ts_response_free(r);
  free(body);
}

static ts_response *patch(const char *token, const char *id, const char *if_match,
                          const char *body) {
  char path[128], header[64];
  snprintf(path, sizeof path, "/v1/referrals/%s", id);
  snprintf(header, sizeof header, "If-Match: %s", if_match ? if_match : "");
  const char *const headers[] = {header, NULL};
  return ts_http(S, "PATCH", R_ONE, path, token, if_match ? headers : NULL, body);
}

static void expect_status(ts_response *r, long status) {
  ck_assert_msg(r->status == status, "want %ld, got %ld: %s", status, r->status, r->body);
}

/* Whether the problem's errors name the field. */
static bool names_field(const ts_response *r, const char *field) {
  json_t *errors = json_object_get(r->json, "errors");
  size_t i;
  json_t *e;
  json_array_foreach(errors, i, e) {
    if (strcmp(str(e, "field"), field) == 0)
      return true;
  }
  return false;
}

static char *count_sql(const char *query, const char *param) {
  const char *p[1] = {param};
  return ts_sql(query, 1, p);
}

static int events_of(const char *id) {
  char *n = count_sql("SELECT count(*) FROM referral_events WHERE referral_id = $1", id);
  int v = atoi(n);
  free(n);
  return v;
}

static void transition(const char *token, const char *id, const char *if_match, const char *body) {
  char path[128], header[64];
  snprintf(path, sizeof path, "/v1/referrals/%s/transitions", id);
  snprintf(header, sizeof header, "If-Match: %s", if_match);
  const char *const headers[] = {header, NULL};
  ts_response *r = ts_http(S, "POST", "/v1/referrals/{id}/transitions", path, token, headers, body);
  expect_status(r, 200);
  ts_response_free(r);
}

START_TEST(amendment_rules_and_order_of_checks) {
  char *officer = ts_token("officer", AREA, "pc-1");
  char *other = ts_token("officer", AREA, "pc-2");
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char *sup = ts_token("supervisor", AREA, "sup-1");
  char *commissioner = ts_token("commissioner", AREA, "pcc-1");
  char id[64];
  refer(officer, "Riley Amend", "2001-02-03", "AM/1", "DE1 1AA", id);

  /* 428 without If-Match, before the body is read */
  ts_response *r = patch(officer, id, NULL, "not json");
  expect_status(r, 428);
  ts_response_free(r);
  /* 422 naming every failing field at once; the person's identity is not amended here */
  r = patch(officer, id, "\"1\"",
            "{\"person\":{\"name\":\"Someone Else\",\"phone\":\"call me\",\"date_of_birth\":"
            "\"2000-01-01\",\"police_id\":\"X\"},\"offence\":{\"category\":\"jaywalking\"},"
            "\"hours_proposed\":99,\"colour\":\"blue\"}");
  expect_status(r, 422);
  const char *named[] = {"person.name",
                         "person.phone",
                         "person.date_of_birth",
                         "person.police_id",
                         "offence.category",
                         "hours_proposed",
                         "colour"};
  for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
    ck_assert_msg(names_field(r, named[i]), "%s: %s", named[i], r->body);
  ck_assert_ptr_nonnull(strstr(r->body, "not amended"));
  ts_response_free(r);
  r = patch(officer, id, "\"1\"", "{}");
  expect_status(r, 422);
  ck_assert(names_field(r, "body"));
  ts_response_free(r);
  ck_assert_int_eq(events_of(id), 1); /* nothing changed */
  /* 404: no such referral, also with a stale version */
  r = patch(officer, "7f0c1a52-51a7-4f43-9d6c-3b2f4c8e0d11", "\"9\"",
            "{\"person\":{\"phone\":\"07700 900001\"}}");
  expect_status(r, 404);
  ts_response_free(r);
  /* 412 stale, before the role's rules */
  r = patch(other, id, "\"4\"", "{\"person\":{\"phone\":\"07700 900001\"}}");
  expect_status(r, 412);
  ts_response_free(r);
  /* 403: another officer's referral; roles with no amendment at all */
  r = patch(other, id, "\"1\"", "{\"person\":{\"phone\":\"07700 900001\"}}");
  expect_status(r, 403);
  ck_assert(names_field(r, "person.phone"));
  ts_response_free(r);
  r = patch(sup, id, "\"1\"", "{\"person\":{\"phone\":\"07700 900001\"}}");
  expect_status(r, 403);
  ts_response_free(r);
  r = patch(commissioner, id, "\"1\"", "{\"person\":{\"phone\":\"07700 900001\"}}");
  expect_status(r, 403);
  ts_response_free(r);

  /* the referring officer, before triage: anything amendable */
  r = patch(officer, id, "\"1\"",
            "{\"person\":{\"phone\":\"07700 900001\",\"risk_notes\":\"Dog at home\"},"
            "\"offence\":{\"location\":\"Bus station\"},\"hours_proposed\":9}");
  expect_status(r, 200);
  ck_assert_int_eq(json_integer_value(json_object_get(r->json, "version")), 2);
  ck_assert_str_eq(r->etag, "\"2\"");
  json_t *person = json_object_get(r->json, "person");
  ck_assert_str_eq(str(person, "phone"), "07700 900001");
  ck_assert_str_eq(str(person, "risk_notes"), "Dog at home");
  ck_assert_str_eq(str(person, "name"), "Riley Amend");
  ck_assert_int_eq(json_integer_value(json_object_get(r->json, "hours_proposed")), 9);
  char request_id[80];
  snprintf(request_id, sizeof request_id, "%s", r->request_id);
  ts_response_free(r);
  /* the event names the fields, never their values; an alter row in the access log */
  char path[128];
  snprintf(path, sizeof path, "/v1/referrals/%s/events", id);
  r = ts_http(S, "GET", "/v1/referrals/{id}/events", path, coord, NULL, NULL);
  expect_status(r, 200);
  json_t *items = json_object_get(r->json, "items");
  ck_assert_int_eq(json_array_size(items), 2);
  json_t *amend = json_array_get(items, 1);
  ck_assert_str_eq(str(amend, "event"), "amend");
  ck_assert_str_eq(str(amend, "from"), "submitted");
  ck_assert_str_eq(str(amend, "to"), "submitted");
  ck_assert_str_eq(str(json_object_get(amend, "actor"), "role"), "officer");
  char *fields = json_dumps(json_object_get(amend, "fields"), JSON_COMPACT);
  ck_assert_str_eq(fields, "[\"person.phone\",\"person.risk_notes\",\"offence.location\","
                           "\"hours_proposed\"]");
  free(fields);
  ts_response_free(r);
  char *data = count_sql("SELECT data::text FROM referral_events WHERE referral_id = $1"
                         " AND event = 'amend'",
                         id);
  ck_assert_ptr_null(strstr(data, "07700"));
  ck_assert_ptr_null(strstr(data, "Dog"));
  free(data);
  ck_assert_int_eq(ij_http_flush_audit(S->server), IJ_OK);
  const char *pa[2] = {request_id, id};
  char *alter = ts_sql("SELECT count(*) FROM personal_data_access WHERE request_id = $1"
                       " AND referral_id = $2 AND action = 'alter' AND method = 'PATCH'",
                       2, pa);
  ck_assert_str_eq(alter, "1");
  free(alter);

  /* the same values again: 200, nothing written */
  r = patch(officer, id, "\"2\"", "{\"person\":{\"phone\":\"07700 900001\"},\"hours_proposed\":9}");
  expect_status(r, 200);
  ck_assert_int_eq(json_integer_value(json_object_get(r->json, "version")), 2);
  ts_response_free(r);
  ck_assert_int_eq(events_of(id), 2);

  /* accepted: the officer still corrects contact details, not the rest (409) */
  transition(coord, id, "\"2\"", "{\"event\":\"accept\",\"suitability_notes\":\"ok\"}");
  r = patch(officer, id, "\"3\"", "{\"person\":{\"risk_notes\":\"None\"}}");
  expect_status(r, 409);
  ck_assert(names_field(r, "person.risk_notes"));
  ts_response_free(r);
  r = patch(officer, id, "\"3\"", "{\"person\":{\"email\":\"riley@example.org\"}}");
  expect_status(r, 200);
  ts_response_free(r);
  /* the coordinator: not the proposed hours once accepted; the offence and the victim yes */
  r = patch(coord, id, "\"4\"", "{\"hours_proposed\":8}");
  expect_status(r, 409);
  ts_response_free(r);
  r = patch(coord, id, "\"4\"", "{\"offence\":{\"ward\":\"nowhere\"}}");
  expect_status(r, 422);
  ck_assert(names_field(r, "offence.ward"));
  ts_response_free(r);
  r = patch(coord, id, "\"4\"",
            "{\"offence\":{\"ward\":\"ward-b\",\"category\":\"criminal_damage\"},"
            "\"victim\":{\"preference\":\"Graffiti removal nearby\"},"
            "\"person\":{\"address\":null}}");
  expect_status(r, 200);
  ck_assert_int_eq(json_integer_value(json_object_get(r->json, "version")), 5);
  ck_assert_str_eq(str(json_object_get(r->json, "offence"), "ward"), "ward-b");
  ck_assert_str_eq(str(json_object_get(r->json, "victim"), "preference"),
                   "Graffiti removal nearby");
  ts_response_free(r);
  /* a referral that records no victim: there is no preference to correct */
  ts_response *bare =
      ts_http(S, "POST", "/v1/referrals", "/v1/referrals", officer, NULL,
              "{\"person\":{\"name\":\"Noel Victimless\",\"date_of_birth\":\"1995-01-01\"},"
              "\"offence\":{\"date\":\"2026-01-10\",\"category\":\"asb\",\"ward\":\"ward-a\"},"
              "\"disposal\":\"community_resolution\",\"consent_recorded\":true}");
  expect_status(bare, 201);
  r = patch(coord, ts_id(bare), "\"1\"", "{\"victim\":{\"preference\":\"Flowers\"}}");
  expect_status(r, 409);
  ck_assert(names_field(r, "victim.preference"));
  ts_response_free(r);
  ts_response_free(bare);
  /* ended: nobody amends it */
  transition(officer, id, "\"5\"", "{\"event\":\"withdraw\",\"reason_code\":\"other\"}");
  r = patch(coord, id, "\"6\"", "{\"person\":{\"phone\":\"07700 900002\"}}");
  expect_status(r, 409);
  ts_response_free(r);
  r = patch(officer, id, "\"6\"", "{\"person\":{\"phone\":\"07700 900002\"}}");
  expect_status(r, 409);
  ts_response_free(r);
  /* the version counts every event, amendments included */
  char *bad = count_sql("SELECT count(*) FROM referrals r WHERE r.id = $1 AND r.version <>"
                        " (SELECT count(*) FROM referral_events e WHERE e.referral_id = r.id)",
                        id);
  ck_assert_str_eq(bad, "0");
  free(bad);
  free(officer);
  free(other);
  free(coord);
  free(sup);
  free(commissioner);
}
END_TEST

#define RACERS 2

typedef struct {
  const char *token;
  const char *id;
  const char *body;
  pthread_barrier_t *start;
  long status;
} racer;

static void *race(void *arg) {
  racer *r = arg;
  pthread_barrier_wait(r->start);
  ts_response *res = patch(r->token, r->id, "\"1\"", r->body);
  r->status = res->status;
  ts_response_free(res);
  return NULL;
}

START_TEST(two_coordinators_one_version_one_wins) {
  char *officer = ts_token("officer", AREA, "pc-1");
  char *c1 = ts_token("coordinator", AREA, "coord-1");
  char *c2 = ts_token("coordinator", AREA, "coord-2");
  for (int round = 0; round < 5; round++) {
    char id[64], police[16];
    snprintf(police, sizeof police, "RACE/%d", round);
    refer(officer, "Casey Race", "1999-09-09", police, "DE1 1AA", id);
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, RACERS);
    racer racers[RACERS] = {
        {c1, id, "{\"person\":{\"phone\":\"01332 111111\",\"needs_notes\":\"first\"}}", &start, 0},
        {c2, id, "{\"person\":{\"phone\":\"01332 222222\"},\"hours_proposed\":12}", &start, 0}};
    pthread_t t[RACERS];
    for (int i = 0; i < RACERS; i++)
      pthread_create(&t[i], NULL, race, &racers[i]);
    for (int i = 0; i < RACERS; i++)
      pthread_join(t[i], NULL);
    pthread_barrier_destroy(&start);
    int winner = -1, stale = 0;
    for (int i = 0; i < RACERS; i++) {
      if (racers[i].status == 200) {
        ck_assert_int_eq(winner, -1);
        winner = i;
      } else {
        ck_assert_int_eq(racers[i].status, 412);
        stale++;
      }
    }
    ck_assert_int_ge(winner, 0);
    ck_assert_int_eq(stale, RACERS - 1);
    /* the winner's change whole, nothing of the loser's; one amend event */
    char path[128];
    snprintf(path, sizeof path, "/v1/referrals/%s", id);
    ts_response *r = ts_http(S, "GET", R_ONE, path, c1, NULL, NULL);
    json_t *person = json_object_get(r->json, "person");
    ck_assert_int_eq(json_integer_value(json_object_get(r->json, "version")), 2);
    if (winner == 0) {
      ck_assert_str_eq(str(person, "phone"), "01332 111111");
      ck_assert_str_eq(str(person, "needs_notes"), "first");
      ck_assert_int_eq(json_integer_value(json_object_get(r->json, "hours_proposed")), 7);
    } else {
      ck_assert_str_eq(str(person, "phone"), "01332 222222");
      ck_assert(json_is_null(json_object_get(person, "needs_notes")));
      ck_assert_int_eq(json_integer_value(json_object_get(r->json, "hours_proposed")), 12);
    }
    ts_response_free(r);
    ck_assert_int_eq(events_of(id), 2);
  }
  free(officer);
  free(c1);
  free(c2);
}
END_TEST

/* The ids of a page's items, in order, and the page's next cursor (or ""). */
static int page_ids(const ts_response *r, char ids[][64], int max, char *cursor, size_t size) {
  json_t *items = json_object_get(r->json, "items");
  int n = 0;
  size_t i;
  json_t *item;
  json_array_foreach(items, i, item) {
    if (n < max)
      snprintf(ids[n++], 64, "%s", str(item, "id"));
  }
  json_t *next = json_object_get(r->json, "next_cursor");
  snprintf(cursor, size, "%s", json_is_string(next) ? json_string_value(next) : "");
  return n;
}

/* The person of a referral. */
static char *person_of(const char *referral) {
  return count_sql("SELECT person_id::text FROM referrals WHERE id = $1", referral);
}

static bool page_has(const ts_response *r, const char *person) {
  char ids[60][64], cursor[128];
  int n = page_ids(r, ids, 60, cursor, sizeof cursor);
  for (int i = 0; i < n; i++)
    if (strcmp(ids[i], person) == 0)
      return true;
  return false;
}

START_TEST(people_search_tolerates_typos_pages_and_stays_in_the_area) {
  char *officer = ts_token("officer", AREA, "pc-1");
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char r1[64], r2[64], r3[64], r4[64];
  refer(officer, "Jordan Smith", "2004-05-01", "S/1", "DE1 1AA", r1);
  refer(officer, "Alex Brown", "1990-03-03", "S/2", "DE22 3BB", r2);
  refer(officer, "Sam Jones", "1990-03-03", "S/3", "NG1 5FF", r3);
  refer(officer, "Morgan Lee", "1990-03-03", "S/4", "de1 1aa", r4);
  char *jordan = person_of(r1), *alex = person_of(r2), *sam = person_of(r3),
       *morgan = person_of(r4);

  /* another area with a Jordan Smith of its own */
  char other_area[IJ_AREA_MAX];
  ij_conn *c;
  ck_assert_int_eq(ij_store_acquire(S->store, &c), IJ_OK);
  ts_new_area(c, other_area);
  ij_store_release(S->store, c);
  char *far_officer = ts_token("officer", other_area, "pc-far");
  char far[64];
  refer(far_officer, "Jordan Smith", "2004-05-01", "S/1", "DE1 1AA", far);
  char *far_person = person_of(far);

  /* typos and word order */
  ts_response *r = ts_http(S, "GET", R_PEOPLE, "/v1/people?name=smith%20jordn", coord, NULL, NULL);
  expect_status(r, 200);
  ck_assert(page_has(r, jordan));
  ck_assert(!page_has(r, alex));
  ck_assert(!page_has(r, far_person));
  json_t *first = json_array_get(json_object_get(r->json, "items"), 0);
  ck_assert_str_eq(str(first, "name"), "Jordan Smith");
  json_t *refs = json_object_get(first, "referrals");
  ck_assert_int_eq(json_array_size(refs), 1);
  ck_assert_str_eq(str(json_array_get(refs, 0), "id"), r1);
  ck_assert_str_eq(str(json_array_get(refs, 0), "state"), "submitted");
  char request_id[80];
  snprintf(request_id, sizeof request_id, "%s", r->request_id);
  ts_response_free(r);
  /* the search is a read of the people it returns: consult rows */
  ck_assert_int_eq(ij_http_flush_audit(S->server), IJ_OK);
  const char *pa[2] = {request_id, r1};
  char *consult = ts_sql("SELECT count(*) FROM personal_data_access WHERE request_id = $1"
                         " AND referral_id = $2 AND action = 'consult'",
                         2, pa);
  ck_assert_str_eq(consult, "1");
  free(consult);

  /* one word of the name, misspelt, or its start */
  const char *partial[] = {"/v1/people?name=jordn", "/v1/people?name=SMITH",
                           "/v1/people?name=jord"};
  for (size_t i = 0; i < sizeof partial / sizeof partial[0]; i++) {
    r = ts_http(S, "GET", R_PEOPLE, partial[i], coord, NULL, NULL);
    expect_status(r, 200);
    ck_assert_msg(page_has(r, jordan), "%s: %s", partial[i], r->body);
    ck_assert(!page_has(r, sam));
    ts_response_free(r);
  }

  /* police id, postcode (any case and spacing), combined filters */
  r = ts_http(S, "GET", R_PEOPLE, "/v1/people?police_id=S%2F2", officer, NULL, NULL);
  expect_status(r, 200);
  ck_assert_int_eq(json_array_size(json_object_get(r->json, "items")), 1);
  ck_assert(page_has(r, alex));
  ts_response_free(r);
  r = ts_http(S, "GET", R_PEOPLE, "/v1/people?postcode=de11aa", coord, NULL, NULL);
  expect_status(r, 200);
  ck_assert_int_eq(json_array_size(json_object_get(r->json, "items")), 2);
  ck_assert(page_has(r, jordan) && page_has(r, morgan));
  ts_response_free(r);
  r = ts_http(S, "GET", R_PEOPLE, "/v1/people?dob=1990-03-03&postcode=NG1%205FF", coord, NULL,
              NULL);
  expect_status(r, 200);
  ck_assert_int_eq(json_array_size(json_object_get(r->json, "items")), 1);
  ck_assert(page_has(r, sam));
  ts_response_free(r);

  /* pages of two: three people born on 1990-03-03, each once, newest first */
  char seen[3][64], ids[4][64], cursor[128], path[256];
  r = ts_http(S, "GET", R_PEOPLE, "/v1/people?dob=1990-03-03&limit=2", coord, NULL, NULL);
  expect_status(r, 200);
  ck_assert_int_eq(page_ids(r, ids, 4, cursor, sizeof cursor), 2);
  ck_assert_str_ne(cursor, "");
  memcpy(seen, ids, sizeof(char[2][64]));
  ts_response_free(r);
  snprintf(path, sizeof path, "/v1/people?dob=1990-03-03&limit=2&cursor=%s", cursor);
  r = ts_http(S, "GET", R_PEOPLE, path, coord, NULL, NULL);
  expect_status(r, 200);
  ck_assert_int_eq(page_ids(r, ids, 4, cursor, sizeof cursor), 1);
  ck_assert_str_eq(cursor, "");
  snprintf(seen[2], 64, "%s", ids[0]);
  ts_response_free(r);
  ck_assert_str_eq(seen[0], morgan);
  ck_assert_str_eq(seen[1], sam);
  ck_assert_str_eq(seen[2], alex);

  /* bad queries: 422 naming each; no filter at all is not a search */
  r = ts_http(S, "GET", R_PEOPLE, "/v1/people?dob=1990-13-01&limit=0&cursor=x", coord, NULL, NULL);
  expect_status(r, 422);
  ck_assert(names_field(r, "dob") && names_field(r, "limit") && names_field(r, "cursor"));
  ts_response_free(r);
  r = ts_http(S, "GET", R_PEOPLE, "/v1/people", coord, NULL, NULL);
  expect_status(r, 422);
  ts_response_free(r);

  /* another area's person is not there */
  snprintf(path, sizeof path, "/v1/people/%s", far_person);
  r = ts_http(S, "GET", R_PERSON, path, coord, NULL, NULL);
  expect_status(r, 404);
  ts_response_free(r);
  r = ts_http(S, "GET", R_PEOPLE, "/v1/people?police_id=S%2F1", far_officer, NULL, NULL);
  expect_status(r, 200);
  ck_assert_int_eq(json_array_size(json_object_get(r->json, "items")), 1);
  ck_assert(page_has(r, far_person));
  ts_response_free(r);

  free(jordan);
  free(alex);
  free(sam);
  free(morgan);
  free(far_person);
  free(far_officer);
  free(officer);
  free(coord);
}
END_TEST

START_TEST(commissioners_and_supervisors_find_nobody) {
  char *officer = ts_token("officer", AREA, "pc-1");
  char id[64];
  refer(officer, "Jordan Smith", "2004-05-01", "C/1", "DE1 1AA", id);
  char *person = person_of(id);
  char path[128];
  snprintf(path, sizeof path, "/v1/people/%s", person);
  const char *roles[] = {"commissioner", "national_commissioner", "supervisor", "admin"};
  for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
    char *t = ts_token(roles[i], AREA, "someone");
    ts_response *r = ts_http(S, "GET", R_PEOPLE, "/v1/people?name=jordan", t, NULL, NULL);
    expect_status(r, 403);
    ts_response_free(r);
    r = ts_http(S, "GET", R_PERSON, path, t, NULL, NULL);
    expect_status(r, 403);
    ts_response_free(r);
    free(t);
  }
  free(person);
  free(officer);
}
END_TEST

static void new_uuid(char out[37]) {
  uuid_t u;
  uuid_generate_random(u);
  uuid_unparse_lower(u, out);
}

START_TEST(a_persons_page_holds_every_referral_and_booking) {
  char *officer = ts_token("officer", AREA, "pc-1");
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char first[64], second[64];
  refer(officer, "Drew Page", "2000-06-06", "P/1", "DE1 1AA", first);
  transition(coord, first, "\"1\"", "{\"event\":\"accept\",\"suitability_notes\":\"ok\"}");
  refer(officer, "Drew Page", "2000-06-06", "P/1", "DE1 1AA", second);
  /* a session tomorrow, and the first referral booked on it */
  char placement[37], session[37];
  new_uuid(placement);
  new_uuid(session);
  const char *p1[2] = {placement, AREA};
  free(ts_sql("INSERT INTO placements (id, area, name, type, provider, ward, min_age,"
              " supervisor_sub, supervisor_name, created_at, updated_at) VALUES ($1, $2,"
              " 'Park clear-up', 'community_clean_up', 'Parks', 'ward-a', 10, 'sup-1',"
              " 'Sup One', now(), now())",
              2, p1));
  const char *p2[3] = {session, AREA, placement};
  free(ts_sql("INSERT INTO sessions (id, area, placement_id, starts_at, ends_at, capacity,"
              " supervisor_sub, supervisor_name, created_at, updated_at) VALUES ($1, $2, $3,"
              " date_trunc('minute', now()) + interval '1 day',"
              " date_trunc('minute', now()) + interval '1 day 3 hours', 4, 'sup-1', 'Sup One',"
              " now(), now())",
              3, p2));
  char path[128], body[96];
  snprintf(path, sizeof path, "/v1/referrals/%s/bookings", first);
  snprintf(body, sizeof body, "{\"session_id\":\"%s\"}", session);
  ts_response *r = ts_http(S, "POST", "/v1/referrals/{id}/bookings", path, coord, NULL, body);
  expect_status(r, 201);
  ts_response_free(r);

  char *person = person_of(first);
  char *same = person_of(second);
  ck_assert_str_eq(person, same); /* one person across referrals */
  snprintf(path, sizeof path, "/v1/people/%s", person);
  r = ts_http(S, "GET", R_PERSON, path, officer, NULL, NULL);
  expect_status(r, 200);
  ck_assert_str_eq(str(r->json, "name"), "Drew Page");
  ck_assert_str_eq(str(r->json, "police_id"), "P/1");
  json_t *refs = json_object_get(r->json, "referrals");
  ck_assert_int_eq(json_array_size(refs), 2);
  json_t *newest = json_array_get(refs, 0), *oldest = json_array_get(refs, 1);
  ck_assert_str_eq(str(newest, "id"), second);
  ck_assert_int_eq(json_array_size(json_object_get(newest, "bookings")), 0);
  ck_assert_str_eq(str(oldest, "id"), first);
  ck_assert_str_eq(str(oldest, "state"), "scheduled");
  json_t *bookings = json_object_get(oldest, "bookings");
  ck_assert_int_eq(json_array_size(bookings), 1);
  ck_assert_str_eq(str(json_array_get(bookings, 0), "session_id"), session);
  ck_assert_str_eq(str(json_array_get(bookings, 0), "status"), "booked");
  char request_id[80];
  snprintf(request_id, sizeof request_id, "%s", r->request_id);
  ts_response_free(r);
  /* one consult row per referral on the page */
  ck_assert_int_eq(ij_http_flush_audit(S->server), IJ_OK);
  const char *pa[1] = {request_id};
  char *rows = ts_sql("SELECT count(*) FROM personal_data_access WHERE request_id = $1"
                      " AND action = 'consult' AND route = '/v1/people/{id}'",
                      1, pa);
  ck_assert_str_eq(rows, "2");
  free(rows);
  /* a malformed id is 404, as an unknown one */
  r = ts_http(S, "GET", R_PERSON, "/v1/people/not-a-uuid", coord, NULL, NULL);
  expect_status(r, 404);
  ts_response_free(r);
  free(person);
  free(same);
  free(officer);
  free(coord);
}
END_TEST

/* A referral of a person under 18 with a parent or guardian (guardian NULL: an adult without
 * one), made by `officer`; its id into id. */
static void refer_young(const char *officer, const char *dob, const char *police_id,
                        bool with_guardian, char id[64]) {
  json_t *j = json_pack("{s:{s:s, s:s, s:s}, s:{s:s, s:s, s:s}, s:s, s:b, s:i}", "person", "name",
                        "Robin Young", "date_of_birth", dob, "police_id", police_id, "offence",
                        "date", "2026-01-10", "category", "asb", "ward", "ward-a", "disposal",
                        "community_resolution", "consent_recorded", 1, "hours_proposed", 7);
  if (with_guardian)
    json_object_set_new(j, "guardian",
                        json_pack("{s:s, s:s, s:s, s:b}", "name", "Jo Young", "relationship",
                                  "parent", "phone", "07700 900321", "consent", 1));
  char *body = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  ts_response *r = ts_http(S, "POST", "/v1/referrals", "/v1/referrals", officer, NULL, body);
  ck_assert_msg(r->status == 201, "%ld %s", r->status, r->body);
  snprintf(id, 64, "%s", ts_id(r));
  ts_response_free(r);
  free(body);
}

START_TEST(a_guardians_contact_details_are_amended_not_their_consent) {
  char *officer = ts_token("officer", AREA, "pc-g1");
  char *other = ts_token("officer", AREA, "pc-g2");
  char id[64], adult[64];
  refer_young(officer, "2012-05-06", "GA/1", true, id);

  /* the consent is not amended: a new consent means a new referral */
  ts_response *r = patch(officer, id, "\"1\"", "{\"guardian\":{\"consent\":false}}");
  expect_status(r, 422);
  ck_assert(names_field(r, "guardian.consent"));
  ck_assert_ptr_nonnull(strstr(r->body, "new referral"));
  ts_response_free(r);
  /* the checks made at creation */
  r = patch(officer, id, "\"1\"",
            "{\"guardian\":{\"phone\":\"call me\",\"relationship\":\"neighbour\"}}");
  expect_status(r, 422);
  ck_assert(names_field(r, "guardian.phone"));
  ck_assert(names_field(r, "guardian.relationship"));
  ts_response_free(r);
  /* under 18: the only contact, the name or the relationship cannot be blanked */
  r = patch(officer, id, "\"1\"", "{\"guardian\":{\"phone\":null}}");
  expect_status(r, 422);
  ck_assert(names_field(r, "guardian.phone"));
  ck_assert_ptr_nonnull(strstr(r->body, "not removed"));
  ts_response_free(r);
  r = patch(officer, id, "\"1\"", "{\"guardian\":{\"name\":null}}");
  expect_status(r, 422);
  ck_assert(names_field(r, "guardian.name"));
  ts_response_free(r);
  r = patch(officer, id, "\"1\"", "{\"guardian\":{\"relationship\":null}}");
  expect_status(r, 422);
  ck_assert(names_field(r, "guardian.relationship"));
  ts_response_free(r);
  /* another officer may not */
  r = patch(other, id, "\"1\"", "{\"guardian\":{\"phone\":\"07700 900999\"}}");
  expect_status(r, 403);
  ts_response_free(r);
  ck_assert_int_eq(events_of(id), 1); /* nothing changed */

  /* the referring officer corrects the phone: stored, one event naming the field, not its value */
  r = patch(officer, id, "\"1\"", "{\"guardian\":{\"phone\":\"07700 900999\"}}");
  expect_status(r, 200);
  ck_assert_str_eq(str(json_object_get(r->json, "guardian"), "phone"), "07700 900999");
  ck_assert_int_eq(json_integer_value(json_object_get(r->json, "version")), 2);
  ts_response_free(r);
  ck_assert_int_eq(events_of(id), 2);
  char *v = count_sql("SELECT guardian_phone || '|' || guardian_consent::text FROM referrals"
                      " WHERE id = $1",
                      id);
  ck_assert_str_eq(v, "07700 900999|true");
  free(v);
  v = count_sql("SELECT data::text FROM referral_events WHERE referral_id = $1 AND seq = 2", id);
  ck_assert_ptr_nonnull(strstr(v, "guardian.phone"));
  ck_assert_ptr_null(strstr(v, "900999"));
  free(v);
  /* the phone for an e-mail address in one amendment keeps a contact */
  r = patch(officer, id, "\"2\"",
            "{\"guardian\":{\"phone\":null,\"email\":\"jo.young@example.org\"}}");
  expect_status(r, 200);
  ts_response_free(r);

  /* an adult referral that records no guardian: 409, one is recorded when the referral is made */
  refer_young(officer, "1990-05-06", "GA/2", false, adult);
  r = patch(officer, adult, "\"1\"", "{\"guardian\":{\"phone\":\"07700 900999\"}}");
  expect_status(r, 409);
  ck_assert(names_field(r, "guardian.phone"));
  ts_response_free(r);
  ck_assert_int_eq(events_of(adult), 1);
  free(officer);
  free(other);
}
END_TEST

Suite *http_amend_search_suite(void) {
  Suite *s = suite_create("http-amend-search");
  TCase *tc = tcase_create("amend-search");
  tcase_set_timeout(tc, 180);
  tcase_add_checked_fixture(tc, http_setup, http_teardown);
  tcase_add_test(tc, amendment_rules_and_order_of_checks);
  tcase_add_test(tc, two_coordinators_one_version_one_wins);
  tcase_add_test(tc, people_search_tolerates_typos_pages_and_stays_in_the_area);
  tcase_add_test(tc, commissioners_and_supervisors_find_nobody);
  tcase_add_test(tc, a_persons_page_holds_every_referral_and_booking);
  tcase_add_test(tc, a_guardians_contact_details_are_amended_not_their_consent);
  suite_add_tcase(s, tc);
  return s;
}
