/* Messages through GOV.UK Notify, through the real path: the area's Notify settings and templates
 * set by SQL (the settings API is not this suite's), then bookings, cancellations, moves,
 * attendance and completion write the messages the rules name, with the right template,
 * recipient, channel and personalisation; the reminders an outbox round makes at chosen instants;
 * and the coordinators' lists. */
#include <libpq-fe.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uuid/uuid.h>

#include "ij/ops_messages.h"
#include "suites.h"

static const char *str(json_t *j, const char *key) {
  return json_string_value(json_object_get(j, key));
}

static void new_uuid(char out[37]) {
  uuid_t u;
  uuid_generate_random(u);
  uuid_unparse_lower(u, out);
}

static const char *const KINDS_SQL =
    "ARRAY['booking_confirmation', 'reminder', 'session_cancelled', 'session_moved',"
    " 'hours_completed', 'victim_work_started', 'victim_work_completed']";

/* The area sends messages: a Notify service, its reminder at 18:00, Welsh when `welsh`, and a
 * template for every kind and channel in English (and in Welsh when `welsh`), each id made from
 * the area, kind, language and channel. */
static void notify_on(bool welsh) {
  const char *p[2] = {AREA, welsh ? "true" : "false"};
  free(ts_sql("INSERT INTO area_notify (area, base_url, service_id, key_name, reminder_time,"
              " welsh, updated_at) VALUES ($1, 'http://127.0.0.1:9', gen_random_uuid(), 'test',"
              " '18:00', $2::boolean, now())",
              2, p));
  char q[640];
  snprintf(q, sizeof q,
           "INSERT INTO message_templates (area, kind, language, channel, template_id,"
           " updated_at) SELECT $1, k, l, c, md5($1 || k || l || c)::uuid, now()"
           " FROM unnest(%s) k, unnest(ARRAY['en', 'cy']) l, unnest(ARRAY['sms', 'email']) c"
           " WHERE l = 'en' OR $2::boolean",
           KINDS_SQL);
  free(ts_sql(q, 2, p));
}

/* The template id notify_on gave a kind, language and channel. */
static char *template_of(const char *kind, const char *lang, const char *channel) {
  const char *p[4] = {AREA, kind, lang, channel};
  return ts_sql("SELECT md5($1 || $2 || $3 || $4)::uuid::text", 4, p);
}

/* Who a referral is for. */
typedef struct {
  const char *dob;   /* NULL: 2004-05-01 (an adult) */
  const char *phone; /* the person's */
  const char *email;
  bool no_consent;
  bool do_not_message;
  const char *language;       /* NULL: not sent (en) */
  const char *guardian_phone; /* an under-18's guardian */
  const char *guardian_email;
  bool quiet_victim; /* the victim did not ask to be kept updated */
} who;

/* A referral of a new person, accepted with `hours`; writes its id. */
static void referral(const who *w, int hours, char id[64]) {
  char *body = ts_referral_body("ward-a");
  json_t *j = json_loads(body, 0, NULL);
  free(body);
  json_t *person = json_object_get(j, "person");
  char pid[37];
  new_uuid(pid);
  json_object_set_new(person, "police_id", json_string(pid));
  if (w->dob)
    json_object_set_new(person, "date_of_birth", json_string(w->dob));
  if (w->phone)
    json_object_set_new(person, "phone", json_string(w->phone));
  if (w->email)
    json_object_set_new(person, "email", json_string(w->email));
  if (w->do_not_message)
    json_object_set_new(person, "do_not_message", json_true());
  json_object_set_new(j, "contact_consent", json_boolean(!w->no_consent));
  if (w->language)
    json_object_set_new(j, "message_language", json_string(w->language));
  if (w->guardian_phone || w->guardian_email)
    json_object_set_new(
        j, "guardian",
        json_pack("{s:s, s:s, s:o, s:o, s:b}", "name", "Pat Guardian", "relationship", "parent",
                  "phone", w->guardian_phone ? json_string(w->guardian_phone) : json_null(),
                  "email", w->guardian_email ? json_string(w->guardian_email) : json_null(),
                  "consent", 1));
  if (w->quiet_victim)
    json_object_set_new(json_object_get(j, "victim"), "keep_updated", json_false());
  body = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  char *officer = ts_token("officer", AREA, "pc-101");
  ts_response *r = ts_http(S, "POST", "/v1/referrals", "/v1/referrals", officer, NULL, body);
  ck_assert_msg(r->status == 201, "%ld %s", r->status, r->body);
  snprintf(id, 64, "%s", ts_id(r));
  ck_assert(json_is_boolean(json_object_get(r->json, "contact_consent")));
  ck_assert(json_is_boolean(json_object_get(json_object_get(r->json, "person"), "do_not_message")));
  ts_response_free(r);
  free(body);
  free(officer);
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char path[160], accept[128];
  snprintf(path, sizeof path, "/v1/referrals/%s/transitions", id);
  snprintf(accept, sizeof accept,
           "{\"event\":\"accept\",\"hours_confirmed\":%d,\"suitability_notes\":\"ok\"}", hours);
  r = ts_http(S, "POST", "/v1/referrals/{id}/transitions", path, coord,
              (const char *const[]){"If-Match: \"1\"", NULL}, accept);
  ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
  ts_response_free(r);
  free(coord);
}

static char placement_id[37];

/* A placement with a location and what to bring, and a two-hour session at 10:00 London time
 * `days` days from today; writes its id. */
static void session_in(int days, char session[37]) {
  if (!placement_id[0] || strcmp(placement_id, "") == 0) {
    new_uuid(placement_id);
    const char *p1[2] = {placement_id, AREA};
    free(ts_sql("INSERT INTO placements (id, area, name, type, provider, ward, location, min_age,"
                " supervisor_sub, supervisor_name, created_at, updated_at, what_to_bring)"
                " VALUES ($1, $2, 'Allotment tidy-up', 'litter_picking', 'Allotments Society',"
                " 'ward-a', 'Arboretum Park, north gate', 10, 'sup-1', 'Sup One', now(), now(),"
                " 'Boots and a warm coat')",
                2, p1));
  }
  new_uuid(session);
  char d[8];
  snprintf(d, sizeof d, "%d", days);
  const char *p2[4] = {session, AREA, placement_id, d};
  free(ts_sql("INSERT INTO sessions (id, area, placement_id, starts_at, ends_at, capacity,"
              " supervisor_sub, supervisor_name, created_at, updated_at) VALUES ($1, $2, $3,"
              " ((current_date + $4::int) + time '10:00') AT TIME ZONE 'Europe/London',"
              " ((current_date + $4::int) + time '12:00') AT TIME ZONE 'Europe/London',"
              " 10, 'sup-1', 'Sup One', now(), now())",
              4, p2));
}

static void book(const char *referral_id, const char *session, char booking[64]) {
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char path[160], body[96];
  snprintf(path, sizeof path, "/v1/referrals/%s/bookings", referral_id);
  snprintf(body, sizeof body, "{\"session_id\":\"%s\"}", session);
  ts_response *r = ts_http(S, "POST", "/v1/referrals/{id}/bookings", path, coord, NULL, body);
  ck_assert_msg(r->status == 201, "%ld %s", r->status, r->body);
  snprintf(booking, 64, "%s", str(r->json, "id"));
  ts_response_free(r);
  free(coord);
}

/* A referral's messages through the API as a coordinator (a new reference). */
static json_t *messages(const char *referral_id) {
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char path[160];
  snprintf(path, sizeof path, "/v1/referrals/%s/messages", referral_id);
  ts_response *r = ts_http(S, "GET", "/v1/referrals/{id}/messages", path, coord, NULL, NULL);
  ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
  json_t *items = json_incref(json_object_get(r->json, "items"));
  ts_response_free(r);
  free(coord);
  return items;
}

/* The referral's only message of `kind` (borrowed from items), failing when not exactly one. */
static json_t *only(json_t *items, const char *kind) {
  json_t *found = NULL;
  int n = 0;
  for (size_t i = 0; i < json_array_size(items); i++)
    if (strcmp(str(json_array_get(items, i), "kind"), kind) == 0) {
      found = json_array_get(items, i);
      n++;
    }
  ck_assert_msg(n == 1, "%d messages of kind %s", n, kind);
  return found;
}

/* A personalisation value of the referral's latest message of `kind`, from the database. */
static char *value_of(const char *referral_id, const char *kind, const char *key) {
  const char *p[3] = {referral_id, kind, key};
  return ts_sql("SELECT coalesce(personalisation ->> $3, '<absent>') FROM messages"
                " WHERE referral_id = $1 AND kind = $2 ORDER BY seq DESC LIMIT 1",
                3, p);
}

static void expect_value(const char *referral_id, const char *kind, const char *key,
                         const char *want) {
  char *got = value_of(referral_id, kind, key);
  ck_assert_msg(strcmp(got, want) == 0, "%s.%s: %s, not %s", kind, key, got, want);
  free(got);
}

/* The keys of the latest message of `kind`, sorted and comma-separated. */
static char *keys_of(const char *referral_id, const char *kind) {
  const char *p[2] = {referral_id, kind};
  return ts_sql("SELECT string_agg(k, ',' ORDER BY k) FROM messages m,"
                " jsonb_object_keys(m.personalisation) k WHERE m.referral_id = $1 AND m.kind = $2"
                " AND m.seq = (SELECT max(seq) FROM messages WHERE referral_id = $1 AND kind = $2)",
                2, p);
}

/* A session's London date and time as PostgreSQL's time-zone database writes them. */
static char *london(const char *session, const char *format) {
  const char *p[2] = {session, format};
  return ts_sql("SELECT to_char(starts_at AT TIME ZONE 'Europe/London', $2) FROM sessions"
                " WHERE id = $1",
                2, p);
}

static long long count_messages(const char *referral_id) {
  const char *p[1] = {referral_id};
  char *n = ts_sql("SELECT count(*) FROM messages WHERE referral_id = $1", 1, p);
  long long v = atoll(n);
  free(n);
  return v;
}

static void session_patch(const char *session, const char *body, int want) {
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char path[160];
  snprintf(path, sizeof path, "/v1/sessions/%s", session);
  ts_response *r = ts_http(S, "GET", "/v1/sessions/{id}", path, coord, NULL, NULL);
  ck_assert_int_eq(r->status, 200);
  char if_match[48];
  snprintf(if_match, sizeof if_match, "If-Match: %s", r->etag);
  ts_response_free(r);
  r = ts_http(S, "PATCH", "/v1/sessions/{id}", path, coord, (const char *const[]){if_match, NULL},
              body);
  ck_assert_msg(r->status == want, "%ld %s", r->status, r->body);
  ts_response_free(r);
  free(coord);
}

START_TEST(booking_confirmation_by_text) {
  notify_on(false);
  char id[64], session[37], booking[64];
  referral(&(who){.phone = "07700 900123", .email = "sam@example.org"}, 7, id);
  session_in(3, session);
  book(id, session, booking);
  json_t *items = messages(id);
  ck_assert_int_eq(json_array_size(items), 1);
  json_t *m = only(items, "booking_confirmation");
  ck_assert_str_eq(str(m, "recipient"), "person");
  ck_assert_str_eq(str(m, "channel"), "sms");
  ck_assert_str_eq(str(m, "to"), "07700900123");
  ck_assert_str_eq(str(m, "language"), "en");
  ck_assert_str_eq(str(m, "status"), "queued");
  ck_assert(json_is_null(json_object_get(m, "reason")));
  ck_assert_str_eq(str(m, "booking_id"), booking);
  char *t = template_of("booking_confirmation", "en", "sms");
  ck_assert_str_eq(str(m, "template_id"), t);
  free(t);
  ck_assert_int_eq(json_integer_value(json_object_get(m, "attempts")), 0);
  json_decref(items);
  /* the personalisation: the kind's fields, in London time */
  char *keys = keys_of(id, "booking_confirmation");
  ck_assert_str_eq(keys, "date,end_time,name,person_name,place,start_time,what_to_bring");
  free(keys);
  char *date = london(session, "FMDay FMDD FMMonth YYYY");
  expect_value(id, "booking_confirmation", "date", date);
  free(date);
  expect_value(id, "booking_confirmation", "start_time", "10:00am");
  expect_value(id, "booking_confirmation", "end_time", "12:00pm");
  expect_value(id, "booking_confirmation", "name", "Jordan Smith");
  expect_value(id, "booking_confirmation", "person_name", "Jordan Smith");
  expect_value(id, "booking_confirmation", "place", "Arboretum Park, north gate");
  expect_value(id, "booking_confirmation", "what_to_bring", "Boots and a warm coat");
  /* queued for the outbox now */
  const char *p[1] = {id};
  char *due = ts_sql("SELECT (next_attempt_at = created_at AND status_at = created_at)::text"
                     " FROM messages WHERE referral_id = $1",
                     1, p);
  ck_assert_str_eq(due, "true");
  free(due);
  /* who may read them: coordinators and admins */
  char path[160];
  snprintf(path, sizeof path, "/v1/referrals/%s/messages", id);
  const char *roles[] = {"officer", "supervisor", "commissioner"};
  for (int i = 0; i < 3; i++) {
    char *tok = ts_token(roles[i], AREA, "someone");
    ts_response *r = ts_http(S, "GET", "/v1/referrals/{id}/messages", path, tok, NULL, NULL);
    ck_assert_int_eq(r->status, 403);
    ts_response_free(r);
    free(tok);
  }
  char *admin = ts_token("admin", AREA, "admin-1");
  ts_response *r = ts_http(S, "GET", "/v1/referrals/{id}/messages", path, admin, NULL, NULL);
  ck_assert_int_eq(r->status, 200);
  ck_assert_int_eq(json_array_size(json_object_get(r->json, "items")), 1);
  ts_response_free(r);
  /* another area's coordinator finds no such referral */
  char *other = ts_token("coordinator", "elsewhere", "coord-9");
  r = ts_http(S, "GET", "/v1/referrals/{id}/messages", path, other, NULL, NULL);
  ck_assert_int_eq(r->status, 404);
  ts_response_free(r);
  free(other);
  free(admin);
}
END_TEST

/* Who is written to, by which channel, and why not: one referral per case. */
START_TEST(recipients_channels_and_reasons) {
  notify_on(false);
  static const struct {
    who w;
    const char *recipient, *channel, *to, *status, *reason;
  } k[] = {
      {{.email = "sam@example.org"}, "person", "email", "sam@example.org", "queued", NULL},
      {{.phone = "020 7946 0000", .email = "sam@example.org"},
       "person",
       "email",
       "sam@example.org",
       "queued",
       NULL},
      {{.phone = "+353 85 123 4567"}, "person", "sms", "+353851234567", "queued", NULL},
      {{.dob = "2012-03-04", .phone = "07700 900123", .guardian_phone = "07700 900456"},
       "guardian",
       "sms",
       "07700900456",
       "queued",
       NULL},
      {{.dob = "2012-03-04", .phone = "07700 900123", .guardian_email = "pat@example.org"},
       "guardian",
       "email",
       "pat@example.org",
       "queued",
       NULL},
      {{.phone = "07700 900123", .no_consent = true},
       "person",
       NULL,
       NULL,
       "not_sent",
       "no_consent"},
      {{.phone = "07700 900123", .do_not_message = true},
       "person",
       NULL,
       NULL,
       "not_sent",
       "do_not_message"},
      {{.phone = "020 7946 0000"}, "person", NULL, NULL, "not_sent", "no_contact"},
      {{0}, "person", NULL, NULL, "not_sent", "no_contact"},
  };
  for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
    char id[64], session[37], booking[64];
    referral(&k[i].w, 7, id);
    session_in(3 + (int)i, session);
    book(id, session, booking);
    json_t *items = messages(id);
    ck_assert_int_eq(json_array_size(items), 1);
    json_t *m = only(items, "booking_confirmation");
    ck_assert_msg(strcmp(str(m, "recipient"), k[i].recipient) == 0, "case %zu", i);
    if (k[i].channel) {
      ck_assert_str_eq(str(m, "channel"), k[i].channel);
      ck_assert_str_eq(str(m, "to"), k[i].to);
    } else {
      ck_assert(json_is_null(json_object_get(m, "channel")));
      ck_assert(json_is_null(json_object_get(m, "to")));
      ck_assert(json_is_null(json_object_get(m, "template_id")));
    }
    ck_assert_str_eq(str(m, "status"), k[i].status);
    if (k[i].reason)
      ck_assert_str_eq(str(m, "reason"), k[i].reason);
    else
      ck_assert(json_is_null(json_object_get(m, "reason")));
    json_decref(items);
    /* a guardian is written to by name, about the person */
    if (strcmp(k[i].recipient, "guardian") == 0) {
      expect_value(id, "booking_confirmation", "name", "Pat Guardian");
      expect_value(id, "booking_confirmation", "person_name", "Jordan Smith");
    }
  }
  /* the person's GET says who is not to be messaged */
  char id[64];
  referral(&(who){.phone = "07700 900123", .do_not_message = true}, 7, id);
  const char *p[1] = {id};
  char *person = ts_sql("SELECT person_id FROM referrals WHERE id = $1", 1, p);
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char path[160];
  snprintf(path, sizeof path, "/v1/people/%s", person);
  ts_response *r = ts_http(S, "GET", "/v1/people/{id}", path, coord, NULL, NULL);
  ck_assert_int_eq(r->status, 200);
  ck_assert(json_is_true(json_object_get(r->json, "do_not_message")));
  ts_response_free(r);
  free(person);
  free(coord);
}
END_TEST

START_TEST(welsh_when_the_area_sends_it) {
  notify_on(true);
  char id[64], session[37], booking[64];
  referral(&(who){.phone = "07700 900123", .language = "cy"}, 7, id);
  session_in(3, session);
  book(id, session, booking);
  json_t *items = messages(id);
  json_t *m = only(items, "booking_confirmation");
  ck_assert_str_eq(str(m, "language"), "cy");
  char *t = template_of("booking_confirmation", "cy", "sms");
  ck_assert_str_eq(str(m, "template_id"), t);
  free(t);
  json_decref(items);
  /* the date in Welsh: "Dydd <day> <n> <month> <year>" */
  static const char *const days[] = {"Dydd Sul", "Dydd Llun",   "Dydd Mawrth", "Dydd Mercher",
                                     "Dydd Iau", "Dydd Gwener", "Dydd Sadwrn"};
  static const char *const months[] = {"Ionawr", "Chwefror", "Mawrth",     "Ebrill",
                                       "Mai",    "Mehefin",  "Gorffennaf", "Awst",
                                       "Medi",   "Hydref",   "Tachwedd",   "Rhagfyr"};
  char *dow = london(session, "D"), *dom = london(session, "FMDD"), *mon = london(session, "MM"),
       *year = london(session, "YYYY");
  char want[96];
  snprintf(want, sizeof want, "%s %s %s %s", days[atoi(dow) - 1], dom, months[atoi(mon) - 1], year);
  expect_value(id, "booking_confirmation", "date", want);
  free(dow);
  free(dom);
  free(mon);
  free(year);

  /* Welsh asked for where the area has no Welsh template of the kind: English */
  const char *p[1] = {AREA};
  free(ts_sql("DELETE FROM message_templates WHERE area = $1 AND language = 'cy'"
              " AND kind = 'booking_confirmation'",
              1, p));
  char other[64], s2[37], b2[64];
  referral(&(who){.phone = "07700 900123", .language = "cy"}, 7, other);
  session_in(4, s2);
  book(other, s2, b2);
  items = messages(other);
  m = only(items, "booking_confirmation");
  ck_assert_str_eq(str(m, "language"), "en");
  t = template_of("booking_confirmation", "en", "sms");
  ck_assert_str_eq(str(m, "template_id"), t);
  free(t);
  json_decref(items);
  char *date = london(s2, "FMDay FMDD FMMonth YYYY");
  expect_value(other, "booking_confirmation", "date", date);
  free(date);
}
END_TEST

START_TEST(welsh_not_sent_where_the_area_has_none) {
  notify_on(false);
  char id[64], session[37], booking[64];
  referral(&(who){.phone = "07700 900123", .language = "cy"}, 7, id);
  session_in(3, session);
  book(id, session, booking);
  json_t *items = messages(id);
  ck_assert_str_eq(str(only(items, "booking_confirmation"), "language"), "en");
  json_decref(items);
  /* the referral keeps what was asked */
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char path[160];
  snprintf(path, sizeof path, "/v1/referrals/%s", id);
  ts_response *r = ts_http(S, "GET", "/v1/referrals/{id}", path, coord, NULL, NULL);
  ck_assert_str_eq(str(r->json, "message_language"), "cy");
  ck_assert(json_is_true(json_object_get(r->json, "contact_consent")));
  ts_response_free(r);
  free(coord);
  /* no template at all: not sent, and why */
  const char *p[1] = {AREA};
  free(ts_sql("DELETE FROM message_templates WHERE area = $1 AND kind = 'booking_confirmation'", 1,
              p));
  char other[64], s2[37], b2[64];
  referral(&(who){.phone = "07700 900123"}, 7, other);
  session_in(4, s2);
  book(other, s2, b2);
  items = messages(other);
  json_t *m = only(items, "booking_confirmation");
  ck_assert_str_eq(str(m, "status"), "not_sent");
  ck_assert_str_eq(str(m, "reason"), "no_template");
  json_decref(items);
}
END_TEST

START_TEST(an_area_without_notify_writes_nothing) {
  char id[64], session[37], booking[64];
  referral(&(who){.phone = "07700 900123"}, 7, id);
  session_in(3, session);
  book(id, session, booking);
  session_patch(session, "{\"cancelled\":true}", 200);
  ck_assert_int_eq(count_messages(id), 0);
  /* templates alone, or settings without a service, are not a Notify service */
  const char *p[1] = {AREA};
  free(ts_sql("INSERT INTO area_notify (area, base_url, updated_at)"
              " VALUES ($1, 'https://api.notifications.service.gov.uk', now())",
              1, p));
  char other[64], s2[37], b2[64];
  referral(&(who){.phone = "07700 900123"}, 7, other);
  session_in(4, s2);
  book(other, s2, b2);
  ck_assert_int_eq(count_messages(other), 0);
  int made = -1;
  ij_conn *conn;
  ck_assert_int_eq(ij_store_acquire(S->store, &conn), IJ_OK);
  ck_assert_int_eq(ij_ops_messages_remind(conn, AREA, 0, &made), IJ_OK);
  ij_store_release(S->store, conn);
  ck_assert_int_eq(made, 0);
  ck_assert_int_eq(count_messages(other), 0);
  /* the list answers, empty */
  json_t *items = messages(other);
  ck_assert_int_eq(json_array_size(items), 0);
  json_decref(items);
}
END_TEST

START_TEST(session_cancelled_and_moved) {
  notify_on(false);
  char a[64], b[64], session[37], ba[64], bb[64];
  referral(&(who){.phone = "07700 900123"}, 7, a);
  referral(&(who){.email = "b@example.org"}, 7, b);
  session_in(3, session);
  book(a, session, ba);
  book(b, session, bb);
  char *before_date = london(session, "FMDay FMDD FMMonth YYYY");
  /* moved two days later, 13:30 to 15:30 London time */
  const char *p[1] = {session};
  char *starts = ts_sql("SELECT to_char((starts_at + interval '2 days 3 hours 30 minutes')"
                        " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM sessions"
                        " WHERE id = $1",
                        1, p);
  char *ends = ts_sql("SELECT to_char((ends_at + interval '2 days 3 hours 30 minutes')"
                      " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM sessions"
                      " WHERE id = $1",
                      1, p);
  char body[160];
  snprintf(body, sizeof body, "{\"starts_at\":\"%s\",\"ends_at\":\"%s\"}", starts, ends);
  session_patch(session, body, 200);
  free(starts);
  free(ends);
  const char *who_[2] = {a, b};
  for (int i = 0; i < 2; i++) {
    json_t *items = messages(who_[i]);
    json_t *m = only(items, "session_moved");
    ck_assert_str_eq(str(m, "status"), "queued");
    ck_assert_str_eq(str(m, "channel"), i == 0 ? "sms" : "email");
    char *t = template_of("session_moved", "en", i == 0 ? "sms" : "email");
    ck_assert_str_eq(str(m, "template_id"), t);
    free(t);
    json_decref(items);
    expect_value(who_[i], "session_moved", "previous_date", before_date);
    expect_value(who_[i], "session_moved", "previous_start_time", "10:00am");
    expect_value(who_[i], "session_moved", "start_time", "1:30pm");
    expect_value(who_[i], "session_moved", "end_time", "3:30pm");
    char *date = london(session, "FMDay FMDD FMMonth YYYY");
    expect_value(who_[i], "session_moved", "date", date);
    free(date);
  }
  free(before_date);
  /* the bookings moved with it */
  char *same = ts_sql("SELECT bool_and(b.starts_at = s.starts_at AND b.ends_at = s.ends_at)::text"
                      " FROM bookings b JOIN sessions s ON s.id = b.session_id"
                      " WHERE s.id = $1",
                      1, p);
  ck_assert_str_eq(same, "true");
  free(same);
  /* a change of capacity alone tells nobody */
  session_patch(session, "{\"capacity\":5}", 200);
  ck_assert_int_eq(count_messages(a), 2);
  /* b's booking cancelled by its own outcome: b is told; then the session cancelled: a is told,
   * b not again */
  char path[160];
  snprintf(path, sizeof path, "/v1/bookings/%s/outcome", bb);
  char *coord = ts_token("coordinator", AREA, "coord-1");
  ts_response *r =
      ts_http(S, "POST", "/v1/bookings/{id}/outcome", path, coord,
              (const char *const[]){"If-Match: \"1\"", NULL}, "{\"outcome\":\"cancelled\"}");
  ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
  ts_response_free(r);
  free(coord);
  json_t *items = messages(b);
  ck_assert_str_eq(str(only(items, "session_cancelled"), "booking_id"), bb);
  json_decref(items);
  session_patch(session, "{\"cancelled\":true}", 200);
  items = messages(a);
  json_t *m = only(items, "session_cancelled");
  ck_assert_str_eq(str(m, "booking_id"), ba);
  ck_assert_str_eq(str(m, "recipient"), "person");
  json_decref(items);
  expect_value(a, "session_cancelled", "start_time", "1:30pm");
  ck_assert_int_eq(count_messages(b), 3);
  /* a session that has started does not move */
  char started[37], sb[64], c[64];
  referral(&(who){.phone = "07700 900123"}, 7, c);
  session_in(5, started);
  book(c, started, sb);
  const char *q[1] = {started};
  free(ts_sql("WITH s AS (UPDATE sessions SET starts_at = now() - interval '10 minutes',"
              " ends_at = now() + interval '1 hour' WHERE id = $1 RETURNING id, starts_at,"
              " ends_at) UPDATE bookings b SET starts_at = s.starts_at, ends_at = s.ends_at"
              " FROM s WHERE b.session_id = s.id",
              1, q));
  session_patch(started,
                "{\"starts_at\":\"2099-01-01T10:00:00Z\",\"ends_at\":\"2099-01-01T12:00:00Z\"}",
                409);
  ck_assert_int_eq(count_messages(c), 1);
}
END_TEST

static void outcome(const char *booking, const char *body) {
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char path[160];
  snprintf(path, sizeof path, "/v1/bookings/%s/outcome", booking);
  ts_response *r = ts_http(S, "POST", "/v1/bookings/{id}/outcome", path, coord,
                           (const char *const[]){"If-Match: \"1\"", NULL}, body);
  ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
  ts_response_free(r);
  free(coord);
}

/* Moves a session and its bookings into the past: it ended `hours` ago. */
static void into_past(const char *session, int hours) {
  char h[8];
  snprintf(h, sizeof h, "%d", hours);
  const char *p[2] = {session, h};
  free(ts_sql("WITH s AS (UPDATE sessions SET starts_at = now() - ($2::int + 2) * interval"
              " '1 hour', ends_at = now() - $2::int * interval '1 hour' WHERE id = $1"
              " RETURNING id, starts_at, ends_at) UPDATE bookings b SET starts_at = s.starts_at,"
              " ends_at = s.ends_at FROM s WHERE b.session_id = s.id",
              2, p));
}

START_TEST(work_started_and_completed) {
  notify_on(false);
  char id[64], first[37], second[37], b1[64], b2[64];
  referral(&(who){.phone = "07700 900123"}, 2, id);
  session_in(3, first);
  session_in(4, second);
  book(id, first, b1);
  book(id, second, b2);
  into_past(first, 30);
  /* the first attendance starts the work: the victim is told, without the person's name */
  outcome(b1, "{\"outcome\":\"attended_complied\"}");
  json_t *items = messages(id);
  json_t *m = only(items, "victim_work_started");
  ck_assert_str_eq(str(m, "recipient"), "victim");
  ck_assert_str_eq(str(m, "channel"), "email");
  ck_assert_str_eq(str(m, "to"), "victim@example.org");
  ck_assert_str_eq(str(m, "status"), "queued");
  json_decref(items);
  char *keys = keys_of(id, "victim_work_started");
  ck_assert_str_eq(keys, "date,work_type");
  free(keys);
  expect_value(id, "victim_work_started", "work_type", "litter picking");
  char *date = london(first, "FMDay FMDD FMMonth YYYY");
  expect_value(id, "victim_work_started", "date", date);
  free(date);
  const char *p[1] = {id};
  char *named = ts_sql("SELECT count(*) FROM messages WHERE referral_id = $1 AND recipient ="
                       " 'victim' AND personalisation::text LIKE '%Jordan%'",
                       1, p);
  ck_assert_str_eq(named, "0");
  free(named);
  /* 2 hours: the referral completed by the first session: the person and the victim are told */
  items = messages(id);
  m = only(items, "hours_completed");
  ck_assert_str_eq(str(m, "recipient"), "person");
  ck_assert_str_eq(str(m, "channel"), "sms");
  m = only(items, "victim_work_completed");
  ck_assert_str_eq(str(m, "recipient"), "victim");
  json_decref(items);
  expect_value(id, "hours_completed", "hours", "2");
  expect_value(id, "hours_completed", "name", "Jordan Smith");
  keys = keys_of(id, "victim_work_completed");
  ck_assert_str_eq(keys, "date,work_type");
  free(keys);
  char *today = ts_sql("SELECT to_char(now() AT TIME ZONE 'Europe/London',"
                       " 'FMDay FMDD FMMonth YYYY')",
                       0, NULL);
  expect_value(id, "victim_work_completed", "date", today);
  free(today);
  /* the victim who did not ask is told nothing */
  char quiet[64], s3[37], b3[64];
  referral(&(who){.phone = "07700 900123", .quiet_victim = true}, 2, quiet);
  session_in(5, s3);
  book(quiet, s3, b3);
  into_past(s3, 30);
  outcome(b3, "{\"outcome\":\"attended_complied\"}");
  const char *q[1] = {quiet};
  char *kinds = ts_sql("SELECT string_agg(kind, ',' ORDER BY seq) FROM messages"
                       " WHERE referral_id = $1",
                       1, q);
  ck_assert_str_eq(kinds, "booking_confirmation,hours_completed");
  free(kinds);
}
END_TEST

/* ---- reminders ---- */

/* An instant as microseconds from SQL. */
static ij_time_us at_sql(const char *q, const char *session) {
  const char *p[1] = {session};
  char *s = ts_sql(q, session ? 1 : 0, session ? p : NULL);
  ij_time_us t = (ij_time_us)atoll(s);
  free(s);
  return t;
}

/* 18:00 London time on the day before the session, as PostgreSQL's time zones make it. */
static ij_time_us due_of(const char *session) {
  return at_sql("SELECT ij_us(((starts_at AT TIME ZONE 'Europe/London')::date - 1 + time '18:00')"
                " AT TIME ZONE 'Europe/London') FROM sessions WHERE id = $1",
                session);
}

static int remind(ij_time_us now) {
  ij_conn *conn;
  ck_assert_int_eq(ij_store_acquire(S->store, &conn), IJ_OK);
  int made = -1;
  ck_assert_int_eq(ij_ops_messages_remind(conn, AREA, now, &made), IJ_OK);
  ij_store_release(S->store, conn);
  return made;
}

static long long reminders(const char *referral_id) {
  const char *p[1] = {referral_id};
  char *n =
      ts_sql("SELECT count(*) FROM messages WHERE referral_id = $1 AND kind = 'reminder'", 1, p);
  long long v = atoll(n);
  free(n);
  return v;
}

typedef struct {
  ij_time_us now;
  int made;
} remind_arg;

static void *remind_thread(void *arg) {
  remind_arg *a = arg;
  ij_conn *conn;
  if (ij_store_acquire(S->store, &conn) != IJ_OK)
    return NULL;
  int made = 0;
  if (ij_ops_messages_remind(conn, AREA, a->now, &made) == IJ_OK)
    a->made = made;
  ij_store_release(S->store, conn);
  return NULL;
}

START_TEST(reminders_once_when_due) {
  notify_on(false);
  char a[64], minor[64], quiet[64], gone[64], late[64];
  char session[37], ba[64], bm[64], bq[64], bg[64], bl[64];
  referral(&(who){.phone = "07700 900123"}, 7, a);
  referral(&(who){.dob = "2012-03-04", .guardian_phone = "07700 900456"}, 7, minor);
  referral(&(who){.phone = "07700 900123", .do_not_message = true}, 7, quiet);
  referral(&(who){.phone = "07700 900123"}, 7, gone);
  referral(&(who){.phone = "07700 900123"}, 7, late);
  session_in(3, session);
  book(a, session, ba);
  book(minor, session, bm);
  book(quiet, session, bq);
  book(gone, session, bg);
  book(late, session, bl);
  outcome(bg, "{\"outcome\":\"cancelled\"}");
  ij_time_us due = due_of(session);
  /* the late booking was made after its reminder fell due */
  const char *pl[2] = {bl, NULL};
  char when[IJ_TIME_BUF];
  ij_time_format(due + IJ_US_PER_SECOND, when);
  pl[1] = when;
  free(ts_sql("UPDATE bookings SET created_at = $2::timestamptz WHERE id = $1", 2, pl));
  /* and the others well before it */
  const char *ps[1] = {session};
  free(ts_sql("UPDATE bookings SET created_at = now() - interval '1 day' WHERE session_id = $1"
              " AND id <> ALL (SELECT id FROM bookings WHERE created_at > now())",
              1, ps));

  /* not before it is due */
  ck_assert_int_eq(remind(due - IJ_US_PER_SECOND), 0);
  ck_assert_int_eq(reminders(a), 0);
  /* due: one each for the booked, none for the cancelled or the late booking */
  ck_assert_int_eq(remind(due), 3);
  ck_assert_int_eq(remind(due), 0);
  ck_assert_int_eq(remind(due + IJ_US_PER_HOUR), 0);
  ck_assert_int_eq(reminders(a), 1);
  ck_assert_int_eq(reminders(minor), 1);
  ck_assert_int_eq(reminders(quiet), 1);
  ck_assert_int_eq(reminders(gone), 0);
  ck_assert_int_eq(reminders(late), 0);
  json_t *items = messages(a);
  json_t *m = only(items, "reminder");
  ck_assert_str_eq(str(m, "recipient"), "person");
  ck_assert_str_eq(str(m, "status"), "queued");
  ck_assert_str_eq(str(m, "booking_id"), ba);
  char *t = template_of("reminder", "en", "sms");
  ck_assert_str_eq(str(m, "template_id"), t);
  free(t);
  json_decref(items);
  expect_value(a, "reminder", "start_time", "10:00am");
  expect_value(a, "reminder", "what_to_bring", "Boots and a warm coat");
  /* made at the round's instant */
  const char *pa[1] = {a};
  char *created = ts_sql("SELECT ij_us(created_at) FROM messages WHERE referral_id = $1"
                         " AND kind = 'reminder'",
                         1, pa);
  ck_assert_int_eq(atoll(created), due);
  free(created);
  items = messages(minor);
  m = only(items, "reminder");
  ck_assert_str_eq(str(m, "recipient"), "guardian");
  ck_assert_str_eq(str(m, "to"), "07700900456");
  json_decref(items);
  items = messages(quiet);
  m = only(items, "reminder");
  ck_assert_str_eq(str(m, "status"), "not_sent");
  ck_assert_str_eq(str(m, "reason"), "do_not_message");
  json_decref(items);
  /* once the session has started, none */
  char s2[37], b2[64], c[64];
  referral(&(who){.phone = "07700 900123"}, 7, c);
  session_in(4, s2);
  book(c, s2, b2);
  ij_time_us starts = at_sql("SELECT ij_us(starts_at) FROM sessions WHERE id = $1", s2);
  ck_assert_int_eq(remind(starts), 0);
  ck_assert_int_eq(reminders(c), 0);
}
END_TEST

START_TEST(reminders_once_from_two_rounds_at_once) {
  notify_on(false);
  char session[37];
  session_in(3, session);
  enum { N = 6 };
  char ids[N][64], bookings[N][64];
  for (int i = 0; i < N; i++) {
    referral(&(who){.phone = "07700 900123"}, 7, ids[i]);
    book(ids[i], session, bookings[i]);
  }
  const char *ps[1] = {session};
  free(ts_sql("UPDATE bookings SET created_at = now() - interval '1 day' WHERE session_id = $1", 1,
              ps));
  ij_time_us due = due_of(session);
  remind_arg args[4];
  pthread_t threads[4];
  for (int i = 0; i < 4; i++) {
    args[i] = (remind_arg){due + i, -1};
    ck_assert_int_eq(pthread_create(&threads[i], NULL, remind_thread, &args[i]), 0);
  }
  int total = 0;
  for (int i = 0; i < 4; i++) {
    pthread_join(threads[i], NULL);
    ck_assert_int_ge(args[i].made, 0);
    total += args[i].made;
  }
  ck_assert_int_eq(total, N);
  for (int i = 0; i < N; i++)
    ck_assert_int_eq(reminders(ids[i]), 1);
}
END_TEST

START_TEST(failed_reminders_work_list) {
  notify_on(false);
  char a[64], quiet[64], later[64], sa[37], sl[37], ba[64], bq[64], bl[64];
  referral(&(who){.phone = "07700 900123"}, 7, a);
  referral(&(who){.phone = "07700 900777", .do_not_message = true}, 7, quiet);
  referral(&(who){.phone = "07700 900123"}, 7, later);
  session_in(3, sa);
  session_in(4, sl);
  book(a, sa, ba);
  book(quiet, sa, bq);
  book(later, sl, bl);
  const char *p[1] = {AREA};
  free(ts_sql("UPDATE bookings SET created_at = now() - interval '1 day' WHERE area = $1", 1, p));
  ck_assert_int_eq(remind(due_of(sa)), 2);
  ck_assert_int_eq(remind(due_of(sl)), 1);
  /* Notify refused a's; the later one failed for good after retries */
  const char *pa[1] = {a};
  free(ts_sql("UPDATE messages SET status = 'failed', last_error = 'ValidationError: phone_number"
              " Not a UK mobile number', attempts = 1 WHERE referral_id = $1 AND kind = 'reminder'",
              1, pa));
  const char *pl[1] = {later};
  free(ts_sql("UPDATE messages SET status = 'technical-failure' WHERE referral_id = $1"
              " AND kind = 'reminder'",
              1, pl));
  char *coord = ts_token("coordinator", AREA, "coord-1");
  ts_response *r = ts_http(S, "GET", "/v1/worklists/messages-failed",
                           "/v1/worklists/messages-failed", coord, NULL, NULL);
  ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
  json_t *items = json_object_get(r->json, "items");
  ck_assert_int_eq(json_array_size(items), 3);
  /* oldest session first */
  json_t *last = json_array_get(items, 2);
  ck_assert_str_eq(str(last, "referral_id"), later);
  ck_assert_str_eq(str(last, "status"), "technical-failure");
  for (int i = 0; i < 2; i++) {
    json_t *x = json_array_get(items, i);
    if (strcmp(str(x, "referral_id"), a) == 0) {
      ck_assert_str_eq(str(x, "status"), "failed");
      ck_assert_ptr_nonnull(strstr(str(x, "error"), "Not a UK mobile"));
      ck_assert_str_eq(str(x, "phone"), "07700 900123");
      ck_assert_str_eq(str(x, "person_name"), "Jordan Smith");
      ck_assert_str_eq(str(x, "booking_id"), ba);
    } else {
      ck_assert_str_eq(str(x, "referral_id"), quiet);
      ck_assert_str_eq(str(x, "status"), "not_sent");
      ck_assert_str_eq(str(x, "reason"), "do_not_message");
      ck_assert_str_eq(str(x, "phone"), "07700 900777");
    }
  }
  ts_response_free(r);
  /* a reminder sent is not on it, nor one for a session that has started */
  free(ts_sql("UPDATE messages SET status = 'delivered' WHERE referral_id = $1", 1, pa));
  const char *ps[1] = {sl};
  free(ts_sql("WITH s AS (UPDATE sessions SET starts_at = now() - interval '1 minute',"
              " ends_at = now() + interval '1 hour' WHERE id = $1 RETURNING id, starts_at,"
              " ends_at) UPDATE bookings b SET starts_at = s.starts_at, ends_at = s.ends_at"
              " FROM s WHERE b.session_id = s.id",
              1, ps));
  r = ts_http(S, "GET", "/v1/worklists/messages-failed", "/v1/worklists/messages-failed", coord,
              NULL, NULL);
  ck_assert_int_eq(r->status, 200);
  items = json_object_get(r->json, "items");
  ck_assert_int_eq(json_array_size(items), 1);
  ck_assert_str_eq(str(json_array_get(items, 0), "referral_id"), quiet);
  ck_assert_str_eq(str(json_array_get(items, 0), "kind"), "reminder");
  ts_response_free(r);
  /* a booking confirmation Notify could not deliver is on it too; one not sent is not (only a
   * reminder not sent is: the person was told nothing the day before) */
  free(ts_sql("UPDATE messages SET status = 'permanent-failure' WHERE referral_id = $1"
              " AND kind = 'booking_confirmation'",
              1, pa));
  const char *pq[1] = {quiet};
  char *unsent = ts_sql("SELECT count(*) FROM messages WHERE referral_id = $1"
                        " AND kind = 'booking_confirmation' AND status = 'not_sent'",
                        1, pq);
  ck_assert_str_eq(unsent, "1");
  free(unsent);
  r = ts_http(S, "GET", "/v1/worklists/messages-failed", "/v1/worklists/messages-failed", coord,
              NULL, NULL);
  ck_assert_int_eq(r->status, 200);
  items = json_object_get(r->json, "items");
  ck_assert_int_eq(json_array_size(items), 2);
  int confirmations = 0;
  for (size_t i = 0; i < 2; i++) {
    json_t *x = json_array_get(items, i);
    if (strcmp(str(x, "kind"), "booking_confirmation") != 0)
      continue;
    confirmations++;
    ck_assert_str_eq(str(x, "referral_id"), a);
    ck_assert_str_eq(str(x, "status"), "permanent-failure");
    ck_assert_ptr_nonnull(str(x, "placement_name"));
    ck_assert_ptr_nonnull(str(x, "ends_at"));
  }
  ck_assert_int_eq(confirmations, 1);
  ts_response_free(r);
  /* only coordinators */
  char *admin = ts_token("admin", AREA, "admin-1");
  r = ts_http(S, "GET", "/v1/worklists/messages-failed", "/v1/worklists/messages-failed", admin,
              NULL, NULL);
  ck_assert_int_eq(r->status, 403);
  ts_response_free(r);
  free(admin);
  free(coord);
}
END_TEST

START_TEST(fields_are_validated) {
  char *officer = ts_token("officer", AREA, "pc-101");
  char *body = ts_referral_body("ward-a");
  json_t *j = json_loads(body, 0, NULL);
  free(body);
  json_object_set_new(j, "message_language", json_string("fr"));
  json_object_set_new(j, "contact_consent", json_string("yes"));
  json_object_set_new(json_object_get(j, "person"), "do_not_message", json_integer(1));
  body = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  ts_response *r = ts_http(S, "POST", "/v1/referrals", "/v1/referrals", officer, NULL, body);
  ck_assert_int_eq(r->status, 422);
  ck_assert_ptr_nonnull(strstr(r->body, "\"contact_consent\""));
  ck_assert_ptr_nonnull(strstr(r->body, "\"person.do_not_message\""));
  ts_response_free(r);
  free(body);
  body = ts_referral_body("ward-a");
  j = json_loads(body, 0, NULL);
  free(body);
  json_object_set_new(j, "message_language", json_string("fr"));
  body = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  r = ts_http(S, "POST", "/v1/referrals", "/v1/referrals", officer, NULL, body);
  ck_assert_int_eq(r->status, 422);
  ck_assert_ptr_nonnull(strstr(r->body, "\"message_language\""));
  ts_response_free(r);
  free(body);
  /* defaults: no consent, English */
  body = ts_referral_body("ward-a");
  r = ts_http(S, "POST", "/v1/referrals", "/v1/referrals", officer, NULL, body);
  ck_assert_int_eq(r->status, 201);
  ck_assert(json_is_false(json_object_get(r->json, "contact_consent")));
  ck_assert_str_eq(str(r->json, "message_language"), "en");
  ck_assert(json_is_false(json_object_get(json_object_get(r->json, "person"), "do_not_message")));
  ts_response_free(r);
  free(body);
  free(officer);
  /* a placement's what to bring: at most 500 characters, null clears it */
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char long_text[700];
  memset(long_text, 'x', 501);
  long_text[501] = '\0';
  char pbody[900];
  snprintf(pbody, sizeof pbody,
           "{\"name\":\"Canal\",\"type\":\"gardening\",\"provider\":\"Trust\",\"ward\":\"ward-a\","
           "\"supervisor\":{\"sub\":\"sup-1\",\"name\":\"Sup One\"},\"what_to_bring\":\"%s\"}",
           long_text);
  r = ts_http(S, "POST", "/v1/placements", "/v1/placements", coord, NULL, pbody);
  ck_assert_msg(r->status == 422, "%ld %s", r->status, r->body);
  ck_assert_ptr_nonnull(strstr(r->body, "\"what_to_bring\""));
  ts_response_free(r);
  long_text[500] = '\0';
  snprintf(pbody, sizeof pbody,
           "{\"name\":\"Canal\",\"type\":\"gardening\",\"provider\":\"Trust\",\"ward\":\"ward-a\","
           "\"supervisor\":{\"sub\":\"sup-1\",\"name\":\"Sup One\"},\"what_to_bring\":\"%s\"}",
           long_text);
  r = ts_http(S, "POST", "/v1/placements", "/v1/placements", coord, NULL, pbody);
  ck_assert_msg(r->status == 201, "%ld %s", r->status, r->body);
  ck_assert_int_eq(strlen(str(r->json, "what_to_bring")), 500);
  char path[160];
  snprintf(path, sizeof path, "/v1/placements/%s", ts_id(r));
  ts_response_free(r);
  r = ts_http(S, "PATCH", "/v1/placements/{id}", path, coord,
              (const char *const[]){"If-Match: \"1\"", NULL}, "{\"what_to_bring\":null}");
  ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
  ck_assert(json_is_null(json_object_get(r->json, "what_to_bring")));
  ts_response_free(r);
  r = ts_http(S, "PATCH", "/v1/placements/{id}", path, coord,
              (const char *const[]){"If-Match: \"2\"", NULL},
              "{\"what_to_bring\":\"Gloves are provided; wear boots.\"}");
  ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
  ck_assert_str_eq(str(r->json, "what_to_bring"), "Gloves are provided; wear boots.");
  ts_response_free(r);
  free(coord);
}
END_TEST

START_TEST(amended_consent_and_language) {
  notify_on(false);
  char id[64], session[37], booking[64];
  referral(&(who){.phone = "07700 900123"}, 7, id);
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char path[160];
  snprintf(path, sizeof path, "/v1/referrals/%s", id);
  ts_response *r = ts_http(S, "PATCH", "/v1/referrals/{id}", path, coord,
                           (const char *const[]){"If-Match: \"2\"", NULL},
                           "{\"contact_consent\":\"yes\",\"message_language\":\"fr\","
                           "\"person\":{\"do_not_message\":1}}");
  ck_assert_int_eq(r->status, 422);
  ck_assert_ptr_nonnull(strstr(r->body, "\"contact_consent\""));
  ck_assert_ptr_nonnull(strstr(r->body, "\"message_language\""));
  ck_assert_ptr_nonnull(strstr(r->body, "\"person.do_not_message\""));
  ts_response_free(r);
  r = ts_http(S, "PATCH", "/v1/referrals/{id}", path, coord,
              (const char *const[]){"If-Match: \"2\"", NULL},
              "{\"contact_consent\":false,\"message_language\":\"cy\","
              "\"person\":{\"do_not_message\":true}}");
  ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
  ck_assert(json_is_false(json_object_get(r->json, "contact_consent")));
  ck_assert_str_eq(str(r->json, "message_language"), "cy");
  ck_assert(json_is_true(json_object_get(json_object_get(r->json, "person"), "do_not_message")));
  ts_response_free(r);
  session_in(3, session);
  book(id, session, booking);
  json_t *items = messages(id);
  json_t *m = only(items, "booking_confirmation");
  ck_assert_str_eq(str(m, "status"), "not_sent");
  ck_assert_str_eq(str(m, "reason"), "no_consent");
  json_decref(items);
  /* consent again, but still not to be messaged */
  r = ts_http(S, "PATCH", "/v1/referrals/{id}", path, coord,
              (const char *const[]){"If-Match: \"4\"", NULL}, "{\"contact_consent\":true}");
  ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
  ts_response_free(r);
  session_patch(session, "{\"cancelled\":true}", 200);
  items = messages(id);
  m = only(items, "session_cancelled");
  ck_assert_str_eq(str(m, "reason"), "do_not_message");
  json_decref(items);
  free(coord);
}
END_TEST

static void reset_placement(void) {
  http_setup();
  placement_id[0] = '\0';
}

Suite *http_messages_suite(void) {
  Suite *s = suite_create("http_messages");
  TCase *tc = tcase_create("messages");
  tcase_add_checked_fixture(tc, reset_placement, http_teardown);
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, booking_confirmation_by_text);
  tcase_add_test(tc, recipients_channels_and_reasons);
  tcase_add_test(tc, welsh_when_the_area_sends_it);
  tcase_add_test(tc, welsh_not_sent_where_the_area_has_none);
  tcase_add_test(tc, an_area_without_notify_writes_nothing);
  tcase_add_test(tc, session_cancelled_and_moved);
  tcase_add_test(tc, work_started_and_completed);
  tcase_add_test(tc, reminders_once_when_due);
  tcase_add_test(tc, reminders_once_from_two_rounds_at_once);
  tcase_add_test(tc, failed_reminders_work_list);
  tcase_add_test(tc, fields_are_validated);
  tcase_add_test(tc, amended_consent_and_language);
  suite_add_tcase(s, tc);
  return s;
}
