/* The right of access through the real path: an admin's GET /v1/people/{id}/subject-access gives
 * everything held about the person (their record, referrals, events, bookings, outcomes, checks,
 * notices, messages, non-associations without the other person, and who accessed them), as JSON
 * and as one CSV file; the request is logged as subject_access; other roles, other areas and bad
 * requests are refused. */
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

#include "suites.h"

static const char *const R_SAR = "/v1/people/{id}/subject-access";
static const char *const R_SAR_CSV = "/v1/people/{id}/subject-access.csv";

static const char *str(json_t *j, const char *key) {
  return json_string_value(json_object_get(j, key));
}

static void new_uuid(char out[37]) {
  uuid_t u;
  uuid_generate_random(u);
  uuid_unparse_lower(u, out);
}

/* A referral of a new person (police id `police_id`); writes its id and its person's. */
static void refer(const char *officer, const char *police_id, char id[64], char person[64]) {
  char *body = ts_referral_body("ward-a");
  json_t *j = json_loads(body, 0, NULL);
  free(body);
  json_object_set_new(json_object_get(j, "person"), "police_id", json_string(police_id));
  body = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  ts_response *r = ts_http(S, "POST", "/v1/referrals", "/v1/referrals", officer, NULL, body);
  ck_assert_msg(r->status == 201, "%s", r->body);
  snprintf(id, 64, "%s", ts_id(r));
  ts_response_free(r);
  free(body);
  const char *p[1] = {id};
  char *pid = ts_sql("SELECT person_id FROM referrals WHERE id = $1::uuid", 1, p);
  snprintf(person, 64, "%s", pid);
  free(pid);
}

/* The referral accepted for 2 hours, booked on a 2-hour session that then happened, and its
 * attendance recorded: it completes, with its notices and reoffending checks. */
static void complete(const char *coord, const char *id) {
  char path[160];
  snprintf(path, sizeof path, "/v1/referrals/%s/transitions", id);
  ts_response *r = ts_http(S, "POST", "/v1/referrals/{id}/transitions", path, coord,
                           (const char *const[]){"If-Match: \"1\"", NULL},
                           "{\"event\":\"accept\",\"hours_confirmed\":2,"
                           "\"suitability_notes\":\"Suitable for outdoor work.\"}");
  ck_assert_msg(r->status == 200, "%s", r->body);
  ts_response_free(r);
  char placement[37], session[37];
  new_uuid(placement);
  new_uuid(session);
  const char *p1[2] = {placement, AREA};
  free(ts_sql("INSERT INTO placements (id, area, name, type, provider, ward, min_age,"
              " supervisor_sub, supervisor_name, created_at, updated_at) VALUES ($1, $2,"
              " 'Allotment tidy-up', 'gardening', 'Allotments Society', 'ward-a', 10, 'sup-1',"
              " 'Sup One', now(), now())",
              2, p1));
  const char *p2[3] = {session, AREA, placement};
  free(ts_sql("INSERT INTO sessions (id, area, placement_id, starts_at, ends_at, capacity,"
              " supervisor_sub, supervisor_name, created_at, updated_at) VALUES ($1, $2, $3,"
              " date_trunc('minute', now()) + interval '2 days',"
              " date_trunc('minute', now()) + interval '2 days 2 hours', 4, 'sup-1', 'Sup One',"
              " now(), now())",
              3, p2));
  char body[96];
  snprintf(path, sizeof path, "/v1/referrals/%s/bookings", id);
  snprintf(body, sizeof body, "{\"session_id\":\"%s\"}", session);
  r = ts_http(S, "POST", "/v1/referrals/{id}/bookings", path, coord, NULL, body);
  ck_assert_msg(r->status == 201, "%s", r->body);
  char booking[64];
  snprintf(booking, sizeof booking, "%s", ts_id(r));
  ts_response_free(r);
  const char *p3[1] = {session};
  free(ts_sql("WITH s AS (UPDATE sessions SET starts_at = date_trunc('minute', now())"
              " - interval '3 hours', ends_at = date_trunc('minute', now()) - interval '1 hour'"
              " WHERE id = $1 RETURNING id, starts_at, ends_at) UPDATE bookings b SET"
              " starts_at = s.starts_at, ends_at = s.ends_at FROM s WHERE b.session_id = s.id",
              1, p3));
  snprintf(path, sizeof path, "/v1/bookings/%s/outcome", booking);
  r = ts_http(S, "POST", "/v1/bookings/{id}/outcome", path, coord,
              (const char *const[]){"If-Match: \"1\"", NULL},
              "{\"outcome\":\"attended_complied\",\"behaviour\":\"good\","
              "\"notes\":\"Worked well, cleared the beds.\"}");
  ck_assert_msg(r->status == 200, "%s", r->body);
  ts_response_free(r);
  const char *p4[1] = {id};
  char *state = ts_sql("SELECT state FROM referrals WHERE id = $1::uuid", 1, p4);
  ck_assert_str_eq(state, "completed");
  free(state);
}

static size_t count(json_t *doc, const char *section) {
  json_t *v = json_object_get(doc, section);
  ck_assert_msg(json_is_array(v), "no section %s", section);
  return json_array_size(v);
}

START_TEST(an_admin_gets_everything_held_about_a_person) {
  char *officer = ts_token("officer", AREA, "pc-sar-1");
  char *coord = ts_token("coordinator", AREA, "coord-sar-1");
  char *admin = ts_token("admin", AREA, "admin-sar-1");
  char pid[37], other_pid[37], id[64], person[64], other[64], other_person[64];
  new_uuid(pid);
  new_uuid(other_pid);
  refer(officer, pid, id, person);
  refer(officer, other_pid, other, other_person);
  complete(coord, id);
  /* what the API offers no way to make here: a message sent to the person and a non-association
   * with the other person */
  char message[37], apart[37];
  new_uuid(message);
  new_uuid(apart);
  const char *pm[3] = {message, AREA, id};
  free(ts_sql("INSERT INTO messages (id, area, referral_id, kind, recipient, channel, to_address,"
              " language, personalisation, status, created_at, status_at) VALUES ($1, $2, $3,"
              " 'completion', 'person', 'sms', '07700900123', 'en', '{\"name\": \"Jordan\"}',"
              " 'delivered', now(), now())",
              3, pm));
  const char *pa[4] = {apart, AREA, person, other_person};
  free(ts_sql("INSERT INTO non_associations (id, area, person_a, person_b, reason, notes,"
              " created_at, created_by_sub, created_by_name, request_id) VALUES ($1, $2,"
              " least($3::uuid, $4::uuid), greatest($3::uuid, $4::uuid), 'co_offenders',"
              " 'Arrested together.', now(), 'coord-sar-1', 'Coord', 'req-sar')",
              4, pa));
  /* a free-text value a spreadsheet would take for a formula */
  const char *pn[1] = {person};
  free(ts_sql("UPDATE people SET needs_notes = '=HYPERLINK(\"http://example.org\")' WHERE id = $1",
              1, pn));

  /* someone reads the person's page: consulted, and in the answer's access log */
  char path[200];
  snprintf(path, sizeof path, "/v1/people/%s", person);
  ts_response *r = ts_http(S, "GET", "/v1/people/{id}", path, coord, NULL, NULL);
  ck_assert_int_eq(r->status, 200);
  char rid_page[80];
  snprintf(rid_page, sizeof rid_page, "%s", r->request_id);
  ts_response_free(r);

  snprintf(path, sizeof path, "/v1/people/%s/subject-access", person);
  r = ts_http(S, "GET", R_SAR, path, admin, NULL, NULL);
  ck_assert_msg(r->status == 200, "%ld: %s", r->status, r->body);
  ck_assert_ptr_nonnull(strstr(r->content_type, "application/json"));
  json_t *doc = r->json;
  ck_assert_str_eq(str(doc, "person_id"), person);
  ck_assert_str_eq(str(doc, "area"), AREA);
  ck_assert_str_eq(str(json_object_get(doc, "produced_by"), "sub"), "admin-sar-1");
  json_t *p = json_object_get(doc, "person");
  ck_assert_str_eq(str(p, "name"), "Jordan Smith");
  ck_assert_str_eq(str(p, "police_id"), pid);
  ck_assert_str_eq(str(p, "date_of_birth"), "2004-05-01");
  ck_assert_ptr_null(json_object_get(p, "name_key"));
  ck_assert_int_eq(count(doc, "referrals"), 1);
  json_t *ref = json_array_get(json_object_get(doc, "referrals"), 0);
  ck_assert_str_eq(str(ref, "id"), id);
  ck_assert_str_eq(str(ref, "state"), "completed");
  ck_assert_str_eq(str(ref, "victim_contact"), "victim@example.org");
  ck_assert_str_eq(str(ref, "suitability_notes"), "Suitable for outdoor work.");
  /* created, accepted, booked (scheduled), attended (in progress) and completed */
  ck_assert_uint_ge(count(doc, "referral_events"), 4);
  ck_assert_str_eq(str(json_array_get(json_object_get(doc, "referral_events"), 0), "event"),
                   "create");
  ck_assert_int_eq(count(doc, "bookings"), 1);
  json_t *b = json_array_get(json_object_get(doc, "bookings"), 0);
  ck_assert_str_eq(str(b, "placement_name"), "Allotment tidy-up");
  ck_assert_str_eq(str(b, "status"), "attended_complied");
  ck_assert_int_eq(count(doc, "booking_outcomes"), 1);
  ck_assert_str_eq(str(json_array_get(json_object_get(doc, "booking_outcomes"), 0), "notes"),
                   "Worked well, cleared the beds.");
  ck_assert_int_eq(count(doc, "followup_checks"), 3);
  ck_assert_uint_ge(count(doc, "notices"), 2); /* progress and outcome, and the victim's update */
  ck_assert_int_eq(count(doc, "messages"), 1);
  ck_assert_str_eq(str(json_array_get(json_object_get(doc, "messages"), 0), "to_address"),
                   "07700900123");
  /* the non-association, but not who the other person is */
  ck_assert_int_eq(count(doc, "non_associations"), 1);
  json_t *na = json_array_get(json_object_get(doc, "non_associations"), 0);
  ck_assert_str_eq(str(na, "notes"), "Arrested together.");
  ck_assert_ptr_null(json_object_get(na, "person_a"));
  ck_assert_ptr_null(json_object_get(na, "person_b"));
  ck_assert_ptr_null(strstr(r->body, other_person));
  ck_assert_ptr_null(strstr(r->body, other));
  /* who accessed the record, up to this request: the creation, the transitions, the person's
   * page... with the page's read among them */
  json_t *log = json_object_get(doc, "access_log");
  bool page_seen = false;
  for (size_t i = 0; i < json_array_size(log); i++) {
    json_t *e = json_array_get(log, i);
    ck_assert_str_eq(str(e, "person_id"), person);
    if (strcmp(str(e, "request_id"), rid_page) == 0) {
      page_seen = true;
      ck_assert_str_eq(str(e, "action"), "consult");
      ck_assert_str_eq(str(e, "actor_sub"), "coord-sar-1");
    }
  }
  ck_assert(page_seen);
  char rid_json[80];
  snprintf(rid_json, sizeof rid_json, "%s", r->request_id);
  ts_response_free(r);

  /* the request itself is logged as subject_access, once per referral of the person */
  ck_assert_int_eq(ij_http_flush_audit(S->server), IJ_OK);
  const char *pl[3] = {rid_json, id, person};
  char *n = ts_sql("SELECT count(*) FROM personal_data_access WHERE request_id = $1"
                   " AND action = 'subject_access' AND route = '/v1/people/{id}/subject-access'"
                   " AND method = 'GET' AND actor_sub = 'admin-sar-1' AND actor_role = 'admin'"
                   " AND referral_id = $2::uuid AND person_id = $3::uuid",
                   3, pl);
  ck_assert_str_eq(n, "1");
  free(n);
  /* ... and the admin finds it in the access log, told apart from other disclosures */
  char query[200];
  snprintf(query, sizeof query, "/v1/access-log?person_id=%s&limit=1", person);
  r = ts_http(S, "GET", "/v1/access-log", query, admin, NULL, NULL);
  ck_assert_int_eq(r->status, 200);
  json_t *latest = json_array_get(json_object_get(r->json, "items"), 0);
  ck_assert_str_eq(str(latest, "action"), "subject_access");
  ck_assert_str_eq(str(latest, "request_id"), rid_json);
  ts_response_free(r);

  /* the same as one CSV file: Accept: text/csv, or the .csv path */
  r = ts_http(S, "GET", R_SAR, path, admin, (const char *const[]){"Accept: text/csv", NULL}, NULL);
  ck_assert_msg(r->status == 200, "%ld: %s", r->status, r->body);
  ck_assert_ptr_nonnull(strstr(r->content_type, "text/csv"));
  ck_assert_mem_eq(r->body, "\xEF\xBB\xBFsection,record,field,value\r\n", 29);
  ck_assert_ptr_nonnull(strstr(r->body, "\r\nperson,1,name,Jordan Smith\r\n"));
  char line[200];
  snprintf(line, sizeof line, "\r\nsubject_access,1,person_id,%s\r\n", person);
  ck_assert_ptr_nonnull(strstr(r->body, line));
  snprintf(line, sizeof line, "\r\nreferrals,1,id,%s\r\n", id);
  ck_assert_ptr_nonnull(strstr(r->body, line));
  ck_assert_ptr_nonnull(strstr(r->body, "\r\nreferral_events,1,event,create\r\n"));
  ck_assert_ptr_nonnull(
      strstr(r->body, "\r\nbooking_outcomes,1,notes,\"Worked well, cleared the beds.\"\r\n"));
  ck_assert_ptr_nonnull(strstr(r->body, "\r\nfollowup_checks,3,window_months,12\r\n"));
  ck_assert_ptr_nonnull(strstr(r->body, "\r\nmessages,1,personalisation.name,Jordan\r\n"));
  ck_assert_ptr_nonnull(strstr(r->body, "\r\naccess_log,"));
  /* shown as text, not run as a formula */
  ck_assert_ptr_nonnull(
      strstr(r->body, "\r\nperson,1,needs_notes,\"'=HYPERLINK(\"\"http://example.org\"\")\"\r\n"));
  ck_assert_ptr_null(strstr(r->body, other_person));
  ts_response_free(r);
  snprintf(path, sizeof path, "/v1/people/%s/subject-access.csv", person);
  r = ts_http(S, "GET", R_SAR_CSV, path, admin, NULL, NULL);
  ck_assert_int_eq(r->status, 200);
  ck_assert_ptr_nonnull(strstr(r->content_type, "text/csv"));
  ck_assert_ptr_nonnull(strstr(r->body, "\r\nperson,1,name,Jordan Smith\r\n"));
  ts_response_free(r);

  free(officer);
  free(coord);
  free(admin);
}
END_TEST

START_TEST(only_the_areas_admins_and_bad_requests_named) {
  char *officer = ts_token("officer", AREA, "pc-sar-2");
  char *admin = ts_token("admin", AREA, "admin-sar-2");
  char pid[37], id[64], person[64], path[200];
  new_uuid(pid);
  refer(officer, pid, id, person);
  snprintf(path, sizeof path, "/v1/people/%s/subject-access", person);
  /* every other role: 403, and nothing logged */
  const char *const roles[] = {"officer", "coordinator", "supervisor", "commissioner",
                               "national_commissioner"};
  for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
    char *t = ts_token(roles[i], AREA, "someone");
    ts_response *r = ts_http(S, "GET", R_SAR, path, t, NULL, NULL);
    ck_assert_msg(r->status == 403, "%s: %ld", roles[i], r->status);
    ck_assert_ptr_nonnull(strstr(r->content_type, "application/problem+json"));
    ts_response_free(r);
    free(t);
  }
  /* another area's admin: as if there were no such person */
  ij_conn *c;
  ck_assert_int_eq(ij_store_acquire(S->store, &c), IJ_OK);
  char other_area[IJ_AREA_MAX];
  ts_new_area(c, other_area);
  ij_store_release(S->store, c);
  char *stranger = ts_token("admin", other_area, "admin-elsewhere");
  ts_response *r = ts_http(S, "GET", R_SAR, path, stranger, NULL, NULL);
  ck_assert_int_eq(r->status, 404);
  ts_response_free(r);
  free(stranger);
  /* no such person, an id that is not one */
  char unknown[37];
  new_uuid(unknown);
  char bad[200];
  snprintf(bad, sizeof bad, "/v1/people/%s/subject-access", unknown);
  r = ts_http(S, "GET", R_SAR, bad, admin, NULL, NULL);
  ck_assert_int_eq(r->status, 404);
  ck_assert_ptr_nonnull(strstr(str(r->json, "detail"), "person"));
  ts_response_free(r);
  r = ts_http(S, "GET", R_SAR, "/v1/people/not-an-id/subject-access", admin, NULL, NULL);
  ck_assert_int_eq(r->status, 404);
  ts_response_free(r);
  /* a query parameter it does not take: 422 naming it */
  snprintf(bad, sizeof bad, "/v1/people/%s/subject-access?format=zip", person);
  r = ts_http(S, "GET", R_SAR, bad, admin, NULL, NULL);
  ck_assert_int_eq(r->status, 422);
  json_t *errors = json_object_get(r->json, "errors");
  ck_assert_int_eq(json_array_size(errors), 1);
  ck_assert_str_eq(str(json_array_get(errors, 0), "field"), "format");
  ts_response_free(r);
  /* a type it cannot give */
  r = ts_http(S, "GET", R_SAR, path, admin, (const char *const[]){"Accept: application/zip", NULL},
              NULL);
  ck_assert_int_eq(r->status, 406);
  ts_response_free(r);
  /* none of these was logged */
  ck_assert_int_eq(ij_http_flush_audit(S->server), IJ_OK);
  const char *p[1] = {person};
  char *n = ts_sql("SELECT count(*) FROM personal_data_access WHERE person_id = $1::uuid"
                   " AND action = 'subject_access'",
                   1, p);
  ck_assert_str_eq(n, "0");
  free(n);
  free(officer);
  free(admin);
}
END_TEST

Suite *http_subject_access_suite(void) {
  Suite *s = suite_create("http-subject-access");
  TCase *tc = tcase_create("subject-access");
  tcase_set_timeout(tc, 60);
  tcase_add_checked_fixture(tc, http_setup, http_teardown);
  tcase_add_test(tc, an_admin_gets_everything_held_about_a_person);
  tcase_add_test(tc, only_the_areas_admins_and_bad_requests_named);
  suite_add_tcase(s, tc);
  return s;
}
