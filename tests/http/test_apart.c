/* Keeping people apart and under-18s through the real path: a non-association refuses a booking
 * that would put the two people on one session (either way round, under concurrency, without
 * naming the other), is read and ended by coordinators only, and is in the access log; a referral
 * of someone under 18 needs a parent or guardian with their consent, shown with the referral. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uuid/uuid.h>

#include "suites.h"

static const char *const R_NA = "/v1/non-associations";
static const char *const R_NA_ID = "/v1/non-associations/{id}";

static const char *str(json_t *j, const char *key) {
  return json_string_value(json_object_get(j, key));
}

static void new_uuid(char out[37]) {
  uuid_t u;
  uuid_generate_random(u);
  uuid_unparse_lower(u, out);
}

/* A session of two hours starting `hours_ahead` hours from now, 8 places, on a placement from 10.
 */
static void make_session(int hours_ahead, char session[37]) {
  char placement[37], ahead[16];
  new_uuid(placement);
  new_uuid(session);
  snprintf(ahead, sizeof ahead, "%d", hours_ahead);
  const char *p1[2] = {placement, AREA};
  free(ts_sql("INSERT INTO placements (id, area, name, type, provider, ward, min_age,"
              " supervisor_sub, supervisor_name, created_at, updated_at) VALUES ($1, $2,"
              " 'Canal path clear-up', 'community_clean_up', 'Canal Trust', 'ward-a', 10,"
              " 'sup-1', 'Sup One', now(), now())",
              2, p1));
  const char *p2[4] = {session, AREA, placement, ahead};
  free(ts_sql("INSERT INTO sessions (id, area, placement_id, starts_at, ends_at, capacity,"
              " supervisor_sub, supervisor_name, created_at, updated_at) VALUES ($1, $2, $3,"
              " date_trunc('minute', now()) + $4::int * interval '1 hour',"
              " date_trunc('minute', now()) + $4::int * interval '1 hour' + interval '2 hours',"
              " 8, 'sup-1', 'Sup One', now(), now())",
              4, p2));
}

/* The referral body of ts_referral_body for a person of this name and date of birth (a new
 * police id each time), with `guardian` (JSON text) or none (owned: free()). */
static char *referral_body(const char *name, const char *dob, const char *guardian) {
  char *body = ts_referral_body("ward-a");
  json_t *j = json_loads(body, 0, NULL);
  free(body);
  char pid[37];
  new_uuid(pid);
  json_t *person = json_object_get(j, "person");
  json_object_set_new(person, "police_id", json_string(pid));
  json_object_set_new(person, "name", json_string(name));
  json_object_set_new(person, "date_of_birth", json_string(dob));
  if (guardian)
    json_object_set_new(j, "guardian", json_loads(guardian, 0, NULL));
  body = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  return body;
}

/* An accepted referral of an adult called `name`: its id, and its person's. */
static void accepted(const char *officer, const char *coord, const char *name, char id[64],
                     char person[64]) {
  char *body = referral_body(name, "1999-03-04", NULL);
  ts_response *r = ts_http(S, "POST", "/v1/referrals", "/v1/referrals", officer, NULL, body);
  free(body);
  ck_assert_msg(r->status == 201, "%ld: %s", r->status, r->body);
  snprintf(id, 64, "%s", ts_id(r));
  ts_response_free(r);
  const char *p[1] = {id};
  char *pe = ts_sql("SELECT person_id FROM referrals WHERE id = $1", 1, p);
  snprintf(person, 64, "%s", pe);
  free(pe);
  char path[160];
  snprintf(path, sizeof path, "/v1/referrals/%s/transitions", id);
  r = ts_http(S, "POST", "/v1/referrals/{id}/transitions", path, coord,
              (const char *const[]){"If-Match: \"1\"", NULL},
              "{\"event\":\"accept\",\"hours_confirmed\":7,\"suitability_notes\":\"ok\"}");
  ck_assert_int_eq(r->status, 200);
  ts_response_free(r);
}

static ts_response *book(const char *coord, const char *referral, const char *session) {
  char path[160], body[96];
  snprintf(path, sizeof path, "/v1/referrals/%s/bookings", referral);
  snprintf(body, sizeof body, "{\"session_id\":\"%s\"}", session);
  return ts_http(S, "POST", "/v1/referrals/{id}/bookings", path, coord, NULL, body);
}

static void expect_booked(const char *coord, const char *referral, const char *session) {
  ts_response *r = book(coord, referral, session);
  ck_assert_msg(r->status == 201, "%ld: %s", r->status, r->body);
  ts_response_free(r);
}

/* A 409 that says the person cannot be placed, naming none of `hidden` (the other person's
 * name, person id and referral id). */
static void expect_kept_apart(ts_response *r, const char *const *hidden) {
  ck_assert_msg(r->status == 409, "%ld: %s", r->status, r->body);
  ck_assert_msg(strstr(r->body, "cannot be placed on this session") != NULL, "%s", r->body);
  for (int i = 0; hidden[i]; i++)
    ck_assert_msg(strstr(r->body, hidden[i]) == NULL, "409 names %s: %s", hidden[i], r->body);
}

/* Records a non-association of two referrals; returns its id (owned: free()). */
static char *keep_apart(const char *coord, const char *a, const char *b) {
  char body[256];
  snprintf(body, sizeof body,
           "{\"referral_ids\":[\"%s\",\"%s\"],\"reason\":\"co_offenders\",\"notes\":\"Arrested"
           " together\"}",
           a, b);
  ts_response *r = ts_http(S, "POST", R_NA, R_NA, coord, NULL, body);
  ck_assert_msg(r->status == 201, "%ld: %s", r->status, r->body);
  char *id = strdup(str(r->json, "id"));
  ts_response_free(r);
  return id;
}

START_TEST(non_associated_people_are_never_booked_together) {
  char *officer = ts_token("officer", AREA, "pc-ap-1");
  char *coord = ts_token("coordinator", AREA, "coord-ap-1");
  char a[64], pa[64], b[64], pb[64], c[64], pc[64];
  accepted(officer, coord, "Robin Ashdown", a, pa);
  accepted(officer, coord, "Kit Brampton", b, pb);
  accepted(officer, coord, "Lee Carsington", c, pc);
  char *na = keep_apart(coord, a, b);

  char s1[37], s2[37];
  make_session(30, s1);
  make_session(60, s2);
  /* A on the session first: B is refused, without a word about A */
  expect_booked(coord, a, s1);
  ts_response *r = book(coord, b, s1);
  expect_kept_apart(r, (const char *const[]){"Robin", "Ashdown", a, pa, NULL});
  ts_response_free(r);
  /* the other way round on another session */
  expect_booked(coord, b, s2);
  r = book(coord, a, s2);
  expect_kept_apart(r, (const char *const[]){"Kit", "Brampton", b, pb, NULL});
  ts_response_free(r);
  /* nothing changed by the refusals: one booking each, and someone else is welcome */
  const char *p[1] = {s1};
  char *n = ts_sql("SELECT count(*) FROM bookings WHERE session_id = $1", 1, p);
  ck_assert_str_eq(n, "1");
  free(n);
  expect_booked(coord, c, s1);

  /* ended, it no longer keeps them apart; the record stays with who ended it and why */
  /* a reason that is not one (empty, a control character, 501 characters) is refused, naming
   * reason, and nothing is ended */
  char path[700], too_long[502];
  memset(too_long, 'a', 501);
  too_long[501] = '\0';
  const char *const bad[] = {"", "moved%0Aaway", too_long};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    snprintf(path, sizeof path, "/v1/non-associations/%s?reason=%s", na, bad[i]);
    r = ts_http(S, "DELETE", R_NA_ID, path, coord, NULL, NULL);
    ck_assert_msg(r->status == 422, "%zu: %ld: %s", i, r->status, r->body);
    ck_assert_ptr_nonnull(strstr(r->body, "\"reason\""));
    ts_response_free(r);
  }
  const char *q[1] = {na};
  n = ts_sql("SELECT count(*) FROM non_associations WHERE id = $1 AND ended_at IS NULL"
             " AND end_reason IS NULL",
             1, q);
  ck_assert_str_eq(n, "1");
  free(n);
  snprintf(path, sizeof path, "/v1/non-associations/%s?reason=Victim%%20moved%%20away", na);
  r = ts_http(S, "DELETE", R_NA_ID, path, coord, NULL, NULL);
  ck_assert_msg(r->status == 200, "%ld: %s", r->status, r->body);
  ck_assert(json_is_false(json_object_get(r->json, "active")));
  ck_assert_str_eq(str(json_object_get(r->json, "ended_by"), "sub"), "coord-ap-1");
  ck_assert_str_eq(str(r->json, "end_reason"), "Victim moved away");
  ts_response_free(r);
  snprintf(path, sizeof path, "/v1/non-associations/%s", na);
  r = ts_http(S, "GET", R_NA_ID, path, coord, NULL, NULL);
  ck_assert_str_eq(str(r->json, "end_reason"), "Victim moved away");
  ts_response_free(r);
  r = ts_http(S, "DELETE", R_NA_ID, path, coord, NULL, NULL);
  ck_assert_int_eq(r->status, 409);
  ts_response_free(r);
  expect_booked(coord, b, s1);
  n = ts_sql("SELECT count(*) FROM non_associations WHERE id = $1 AND ended_at IS NOT NULL", 1, q);
  ck_assert_str_eq(n, "1");
  free(n);
  /* the pair may be recorded again once the first has ended */
  free(keep_apart(coord, b, a));
  /* retention's erasure of either person takes why it ended, with the notes */
  const char *pq[1] = {pb};
  free(ts_sql("UPDATE people SET erased_at = now() WHERE id = $1", 1, pq));
  n = ts_sql("SELECT coalesce(end_reason, 'none') FROM non_associations WHERE id = $1", 1, q);
  ck_assert_str_eq(n, "none");
  free(n);
  free(na);
  free(officer);
  free(coord);
}
END_TEST

typedef struct {
  const char *coord, *referral, *session;
  long status;
  char body[1024];
  pthread_barrier_t *start;
} booker;

static void *race_book(void *arg) {
  booker *bk = arg;
  pthread_barrier_wait(bk->start);
  ts_response *r = book(bk->coord, bk->referral, bk->session);
  bk->status = r->status;
  snprintf(bk->body, sizeof bk->body, "%s", r->body ? r->body : "");
  ts_response_free(r);
  return NULL;
}

START_TEST(booking_two_kept_apart_at_once_lets_one_in) {
  char *officer = ts_token("officer", AREA, "pc-ap-2");
  char *coord = ts_token("coordinator", AREA, "coord-ap-2");
  char a[64], pa[64], b[64], pb[64];
  accepted(officer, coord, "Robin Ashdown", a, pa);
  accepted(officer, coord, "Kit Brampton", b, pb);
  free(keep_apart(coord, a, b));
  /* several rounds, each on a fresh session: every one lets exactly one of them in */
  for (int round = 0; round < 6; round++) {
    char s[37];
    make_session(30 + 3 * round, s);
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, 2);
    booker bk[2] = {{coord, a, s, 0, "", &start}, {coord, b, s, 0, "", &start}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
      pthread_create(&t[i], NULL, race_book, &bk[i]);
    for (int i = 0; i < 2; i++)
      pthread_join(t[i], NULL);
    pthread_barrier_destroy(&start);
    int ok = (bk[0].status == 201) + (bk[1].status == 201);
    ck_assert_msg(ok == 1, "round %d: %ld %s / %ld %s", round, bk[0].status, bk[0].body,
                  bk[1].status, bk[1].body);
    booker *refused = bk[0].status == 201 ? &bk[1] : &bk[0];
    ck_assert_int_eq(refused->status, 409);
    ck_assert_ptr_nonnull(strstr(refused->body, "cannot be placed on this session"));
    const char *p[1] = {s};
    char *n = ts_sql("SELECT count(*) FROM bookings WHERE session_id = $1", 1, p);
    ck_assert_str_eq(n, "1");
    free(n);
  }
  free(officer);
  free(coord);
}
END_TEST

START_TEST(non_associations_are_coordinators_and_checked) {
  char *officer = ts_token("officer", AREA, "pc-ap-3");
  char *coord = ts_token("coordinator", AREA, "coord-ap-3");
  char *sup = ts_token("supervisor", AREA, "sup-1");
  char *admin = ts_token("admin", AREA, "admin-ap-3");
  char *commissioner = ts_token("commissioner", AREA, "pcc-ap-3");
  char a[64], pa[64], b[64], pb[64];
  accepted(officer, coord, "Robin Ashdown", a, pa);
  accepted(officer, coord, "Kit Brampton", b, pb);
  char body[512];
  snprintf(body, sizeof body, "{\"person_ids\":[\"%s\",\"%s\"],\"reason\":\"victim\"}", pa, pb);
  const char *const others[] = {officer, sup, admin, commissioner, NULL};
  for (int i = 0; others[i]; i++) {
    ts_response *r = ts_http(S, "POST", R_NA, R_NA, others[i], NULL, body);
    ck_assert_int_eq(r->status, 403);
    ts_response_free(r);
  }
  /* every problem at once: both id lists, an unknown reason, an unknown member */
  snprintf(body, sizeof body,
           "{\"person_ids\":[\"%s\"],\"referral_ids\":[\"%s\"],\"reason\":\"feud\",\"why\":1}", pa,
           a);
  ts_response *r = ts_http(S, "POST", R_NA, R_NA, coord, NULL, body);
  ck_assert_int_eq(r->status, 422);
  ck_assert_int_eq(json_array_size(json_object_get(r->json, "errors")), 3);
  ts_response_free(r);
  /* an id of nothing in the area, and one person twice (two referrals of one person) */
  char stranger[37];
  new_uuid(stranger);
  snprintf(body, sizeof body, "{\"person_ids\":[\"%s\",\"%s\"],\"reason\":\"victim\"}", pa,
           stranger);
  r = ts_http(S, "POST", R_NA, R_NA, coord, NULL, body);
  ck_assert_int_eq(r->status, 422);
  ck_assert_ptr_nonnull(strstr(r->body, "person_ids[1]"));
  ts_response_free(r);
  snprintf(body, sizeof body, "{\"person_ids\":[\"%s\",\"%s\"],\"reason\":\"other\"}", pa, pb);
  r = ts_http(S, "POST", R_NA, R_NA, coord, NULL, body);
  ck_assert_int_eq(r->status, 422);
  ck_assert_ptr_nonnull(strstr(r->body, "\"notes\""));
  ts_response_free(r);

  /* recorded by people; the same pair again, either way round, is a conflict */
  snprintf(body, sizeof body,
           "{\"person_ids\":[\"%s\",\"%s\"],\"reason\":\"victim\",\"notes\":\"The victim takes"
           " part too\"}",
           pb, pa);
  r = ts_http(S, "POST", R_NA, R_NA, coord, NULL, body);
  ck_assert_msg(r->status == 201, "%ld: %s", r->status, r->body);
  char id[64], location[128];
  snprintf(id, sizeof id, "%s", str(r->json, "id"));
  snprintf(location, sizeof location, "/v1/non-associations/%s", id);
  ck_assert_str_eq(r->location, location);
  ck_assert(json_is_true(json_object_get(r->json, "active")));
  ck_assert_str_eq(str(r->json, "reason"), "victim");
  ts_response_free(r);
  r = ts_http(S, "POST", R_NA, R_NA, coord, NULL, body);
  ck_assert_int_eq(r->status, 409);
  ts_response_free(r);

  /* read by either person or referral, and by id; others may not */
  char path[200];
  snprintf(path, sizeof path, "/v1/non-associations?referral_id=%s", a);
  r = ts_http(S, "GET", R_NA, path, coord, NULL, NULL);
  ck_assert_msg(r->status == 200, "%ld: %s", r->status, r->body);
  json_t *items = json_object_get(r->json, "items");
  ck_assert_int_eq(json_array_size(items), 1);
  ck_assert_str_eq(str(json_array_get(items, 0), "id"), id);
  ts_response_free(r);
  snprintf(path, sizeof path, "/v1/non-associations?person_id=%s", pb);
  r = ts_http(S, "GET", R_NA, path, coord, NULL, NULL);
  ck_assert_int_eq(json_array_size(json_object_get(r->json, "items")), 1);
  ts_response_free(r);
  r = ts_http(S, "GET", R_NA, path, sup, NULL, NULL);
  ck_assert_int_eq(r->status, 403);
  ts_response_free(r);
  r = ts_http(S, "GET", R_NA, "/v1/non-associations", coord, NULL, NULL);
  ck_assert_int_eq(r->status, 422);
  ts_response_free(r);
  r = ts_http(S, "GET", R_NA_ID, location, coord, NULL, NULL);
  ck_assert_int_eq(r->status, 200);
  ts_response_free(r);
  r = ts_http(S, "GET", R_NA_ID, location, officer, NULL, NULL);
  ck_assert_int_eq(r->status, 403);
  ts_response_free(r);

  /* another area's coordinator finds nothing */
  char other_area[IJ_AREA_MAX];
  ij_conn *conn;
  ck_assert_int_eq(ij_store_acquire(S->store, &conn), IJ_OK);
  ts_new_area(conn, other_area);
  ij_store_release(S->store, conn);
  char *stranger_coord = ts_token("coordinator", other_area, "coord-elsewhere");
  r = ts_http(S, "GET", R_NA_ID, location, stranger_coord, NULL, NULL);
  ck_assert_int_eq(r->status, 404);
  ts_response_free(r);
  r = ts_http(S, "DELETE", R_NA_ID, location, stranger_coord, NULL, NULL);
  ck_assert_int_eq(r->status, 404);
  ts_response_free(r);
  r = ts_http(S, "POST", R_NA, R_NA, stranger_coord, NULL, body);
  ck_assert_int_eq(r->status, 422);
  ts_response_free(r);

  /* the record is in the access log against both referrals, as an alteration */
  const char *const refs[] = {a, b, NULL};
  for (int i = 0; refs[i]; i++) {
    snprintf(path, sizeof path, "/v1/access-log?referral_id=%s", refs[i]);
    r = ts_http(S, "GET", "/v1/access-log", path, admin, NULL, NULL);
    ck_assert_int_eq(r->status, 200);
    bool found = false;
    json_t *rows = json_object_get(r->json, "items");
    for (size_t k = 0; k < json_array_size(rows); k++) {
      json_t *row = json_array_get(rows, k);
      if (strcmp(str(row, "route"), "/v1/non-associations") == 0 &&
          strcmp(str(row, "method"), "POST") == 0 && strcmp(str(row, "action"), "alter") == 0)
        found = true;
    }
    ck_assert_msg(found, "no access-log row for %s: %s", refs[i], r->body);
    ts_response_free(r);
  }
  /* retention's erasure of either person takes the notes; the record of the pair stays */
  const char *q[1] = {pa};
  free(ts_sql("UPDATE people SET erased_at = now() WHERE id = $1", 1, q));
  const char *q2[1] = {id};
  char *left =
      ts_sql("SELECT coalesce(notes, '') || reason FROM non_associations WHERE id = $1", 1, q2);
  ck_assert_str_eq(left, "victim");
  free(left);
  free(stranger_coord);
  free(officer);
  free(coord);
  free(sup);
  free(admin);
  free(commissioner);
}
END_TEST

/* ---- under-18s ---- */

/* A date of birth `years` years and `days` days before today (UTC). */
static void born(int years, int days, char out[16]) {
  time_t now = time(NULL) - (time_t)days * 86400;
  struct tm tm;
  gmtime_r(&now, &tm);
  tm.tm_year -= years;
  if (tm.tm_mon == 1 && tm.tm_mday == 29)
    tm.tm_mday = 28;
  strftime(out, 16, "%Y-%m-%d", &tm);
}

START_TEST(under_eighteen_needs_a_guardian) {
  char *officer = ts_token("officer", AREA, "pc-ap-4");
  char dob[16];
  born(18, -1, dob); /* 18 tomorrow */
  /* no guardian and a bad disposal: every missing guardian field and the disposal, in one 422 */
  char *body = referral_body("Sky Minor", dob, NULL);
  json_t *j = json_loads(body, 0, NULL);
  free(body);
  json_object_set_new(j, "disposal", json_string("fine"));
  body = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  ts_response *r = ts_http(S, "POST", "/v1/referrals", "/v1/referrals", officer, NULL, body);
  free(body);
  ck_assert_msg(r->status == 422, "%ld: %s", r->status, r->body);
  json_t *errors = json_object_get(r->json, "errors");
  const char *const want[] = {"guardian.name",  "guardian.relationship",
                              "guardian.phone", "guardian.consent",
                              "disposal",       NULL};
  for (int i = 0; want[i]; i++) {
    bool found = false;
    for (size_t k = 0; k < json_array_size(errors); k++)
      if (strcmp(str(json_array_get(errors, k), "field"), want[i]) == 0)
        found = true;
    ck_assert_msg(found, "no error on %s: %s", want[i], r->body);
  }
  ck_assert_int_eq(json_array_size(errors), 5);
  ts_response_free(r);
  /* a guardian without consent is refused on that field alone */
  body = referral_body("Sky Minor", dob,
                       "{\"name\":\"Ash Minor\",\"relationship\":\"parent\","
                       "\"email\":\"ash@example.org\",\"consent\":false}");
  r = ts_http(S, "POST", "/v1/referrals", "/v1/referrals", officer, NULL, body);
  free(body);
  ck_assert_int_eq(r->status, 422);
  ck_assert_int_eq(json_array_size(json_object_get(r->json, "errors")), 1);
  ck_assert_str_eq(str(json_array_get(json_object_get(r->json, "errors"), 0), "field"),
                   "guardian.consent");
  ts_response_free(r);
  const char *p[1] = {AREA};
  char *n = ts_sql("SELECT count(*) FROM referrals WHERE area = $1", 1, p);
  ck_assert_str_eq(n, "0");
  free(n);
  free(officer);
}
END_TEST

START_TEST(under_eighteen_with_guardian_is_kept_and_shown) {
  char *officer = ts_token("officer", AREA, "pc-ap-5");
  char *coord = ts_token("coordinator", AREA, "coord-ap-5");
  char *commissioner = ts_token("commissioner", AREA, "pcc-ap-5");
  char dob[16];
  born(15, 0, dob);
  char *body = referral_body("Sky Minor", dob,
                             "{\"name\":\"Ash Minor\",\"relationship\":\"parent\","
                             "\"phone\":\"07700 900777\",\"consent\":true}");
  ts_response *r = ts_http(S, "POST", "/v1/referrals", "/v1/referrals", officer, NULL, body);
  free(body);
  ck_assert_msg(r->status == 201, "%ld: %s", r->status, r->body);
  char id[64], path[128];
  snprintf(id, sizeof id, "%s", ts_id(r));
  ck_assert_str_eq(str(json_object_get(r->json, "guardian"), "name"), "Ash Minor");
  ts_response_free(r);
  snprintf(path, sizeof path, "/v1/referrals/%s", id);
  r = ts_http(S, "GET", "/v1/referrals/{id}", path, coord, NULL, NULL);
  ck_assert_int_eq(r->status, 200);
  json_t *g = json_object_get(r->json, "guardian");
  ck_assert_str_eq(str(g, "name"), "Ash Minor");
  ck_assert_str_eq(str(g, "relationship"), "parent");
  ck_assert_str_eq(str(g, "phone"), "07700 900777");
  ck_assert(json_is_null(json_object_get(g, "email")));
  ck_assert(json_is_true(json_object_get(g, "consent")));
  ts_response_free(r);
  r = ts_http(S, "GET", "/v1/referrals/{id}", path, commissioner, NULL, NULL);
  ck_assert_int_eq(r->status, 403);
  ck_assert_ptr_null(strstr(r->body, "Ash Minor"));
  ts_response_free(r);
  /* retention's erasure takes the guardian's details with the referral's */
  const char *p[1] = {id};
  free(ts_sql("UPDATE referrals SET erased_at = now() WHERE id = $1", 1, p));
  char *left = ts_sql("SELECT coalesce(guardian_name, '') || coalesce(guardian_phone, '')"
                      " FROM referrals WHERE id = $1",
                      1, p);
  ck_assert_str_eq(left, "");
  free(left);
  /* 18 today: no guardian needed, none shown */
  born(18, 0, dob);
  body = referral_body("Sam Adult", dob, NULL);
  r = ts_http(S, "POST", "/v1/referrals", "/v1/referrals", officer, NULL, body);
  free(body);
  ck_assert_msg(r->status == 201, "%ld: %s", r->status, r->body);
  ck_assert(json_is_null(json_object_get(r->json, "guardian")));
  ts_response_free(r);
  free(officer);
  free(coord);
  free(commissioner);
}
END_TEST

Suite *http_apart_suite(void) {
  Suite *s = suite_create("http-apart");
  TCase *tc = tcase_create("apart");
  tcase_set_timeout(tc, 120);
  tcase_add_checked_fixture(tc, http_setup, http_teardown);
  tcase_add_test(tc, non_associated_people_are_never_booked_together);
  tcase_add_test(tc, booking_two_kept_apart_at_once_lets_one_in);
  tcase_add_test(tc, non_associations_are_coordinators_and_checked);
  tcase_add_test(tc, under_eighteen_needs_a_guardian);
  tcase_add_test(tc, under_eighteen_with_guardian_is_kept_and_shown);
  suite_add_tcase(s, tc);
  return s;
}
