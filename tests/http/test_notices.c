/* The outcome-notice outbox through the real path: notices written in the exit's transaction,
 * the feed and who sees what, and delivery to a webhook (retries, exactly one delivery per notice
 * among concurrent workers, a prompt stop). The webhook is a small ulfius server inside the test.
 */
#include <arpa/inet.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <ulfius.h>
#include <unistd.h>

#include "ij/domain_notices.h"
#include "ij/outbox.h"
#include "ij/store/notices.h"
#include "ij/store/referrals.h"
#include "suites.h"

static const char *const R_NOTICES = "/v1/notices";

static const char *str(json_t *j, const char *key) {
  return json_string_value(json_object_get(j, key));
}

static ij_time_us now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (ij_time_us)ts.tv_sec * IJ_US_PER_SECOND + ts.tv_nsec / 1000;
}

/* ---- SQL on the test database, for what the API does not do (yet) ---- */

static PGconn *db(void) {
  PGconn *c = PQconnectdb(ts_database_url());
  ck_assert_msg(PQstatus(c) == CONNECTION_OK, "%s", PQerrorMessage(c));
  return c;
}

/* Runs a statement; the result (owned: PQclear) for a query. */
static PGresult *sql(PGconn *c, const char *q, int n, const char *const *params) {
  PGresult *r = PQexecParams(c, q, n, NULL, params, NULL, NULL, 0);
  ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK,
                "%s: %s", q, PQresultErrorMessage(r));
  return r;
}

static void sql_run(PGconn *c, const char *q, int n, const char *const *params) {
  PQclear(sql(c, q, n, params));
}

static long long sql_count(PGconn *c, const char *q, int n, const char *const *params) {
  PGresult *r = sql(c, q, n, params);
  long long v = atoll(PQgetvalue(r, 0, 0));
  PQclear(r);
  return v;
}

/* ---- referrals brought to an exit ---- */

/* Makes a referral as `officer` (the victim asks to be kept updated unless `quiet`). */
static void make_referral(const char *officer, bool quiet, char id[IJ_UUID_BUF]) {
  char *token = ts_token("officer", AREA, officer);
  char *body = ts_referral_body("ward-a");
  if (quiet) {
    json_t *j = json_loads(body, 0, NULL);
    json_object_set_new(json_object_get(j, "victim"), "keep_updated", json_false());
    free(body);
    body = json_dumps(j, JSON_COMPACT);
    json_decref(j);
  }
  ts_response *r = ts_http(S, "POST", "/v1/referrals", "/v1/referrals", token, NULL, body);
  ck_assert_int_eq(r->status, 201);
  snprintf(id, IJ_UUID_BUF, "%s", ts_id(r));
  ts_response_free(r);
  free(body);
  free(token);
}

/* Writes, in one transaction, the notices the domain's table names for `event` on the referral as
 * it stands (as the operations do after the change). */
static void write_notices(const char *id, ij_event event) {
  ij_conn *conn;
  ck_assert_int_eq(ij_store_acquire(S->store, &conn), IJ_OK);
  ck_assert_int_eq(ij_store_begin(conn), IJ_OK);
  ij_referral r;
  ck_assert_int_eq(ij_store_referral_get(conn, AREA, id, &r), IJ_OK);
  const ij_notice_rule *rules[IJ_NOTICES_PER_EVENT_MAX];
  int n = ij_domain_notices_for(
      event, ij_domain_victim_updated(r.victim_keep_updated, r.victim_contact != NULL), rules);
  for (int i = 0; i < n; i++) {
    ij_notice_write w = {rules[i]->kind,
                         rules[i]->name,
                         rules[i]->audience == IJ_NOTICE_VICTIM,
                         rules[i]->fields,
                         7,
                         NULL};
    ck_assert_int_eq(ij_store_notice_add(conn, &r, &w, now_us()), IJ_OK);
  }
  ij_referral_clear(&r);
  ck_assert_int_eq(ij_store_commit(conn), IJ_OK);
  ij_store_release(S->store, conn);
}

/* Moves a referral to `state` (completed or non_compliant) by SQL, as attendance would, and
 * writes its notices as the table names them. */
static void exit_referral(const char *id, const char *state) {
  PGconn *c = db();
  const char *p[2] = {id, state};
  sql_run(c,
          "WITH u AS (UPDATE referrals SET state = $2, version = version + 1, hours_confirmed = 7,"
          " minutes_credited = CASE WHEN $2 = 'completed' THEN 420 ELSE 60 END,"
          " first_attended_at = now() - interval '1 day', exited_at = now(), updated_at = now()"
          " WHERE id = $1 RETURNING *)"
          " INSERT INTO referral_events (referral_id, seq, area, at, event, from_state, to_state,"
          " actor_sub, actor_name, actor_role, request_id)"
          " SELECT id, version, area, now(), CASE WHEN $2 = 'completed' THEN 'complete'"
          " ELSE 'declare_non_compliance' END, 'submitted', state, 'system', 'system', 'system',"
          " 'test' FROM u",
          2, p);
  PQfinish(c);
  write_notices(id, strcmp(state, "completed") == 0 ? IJ_EVENT_COMPLETE
                                                    : IJ_EVENT_DECLARE_NON_COMPLIANCE);
}

static ts_response *feed(const char *token, const char *query) {
  char path[256];
  snprintf(path, sizeof path, "/v1/notices%s", query ? query : "");
  return ts_http(S, "GET", R_NOTICES, path, token, NULL, NULL);
}

static size_t feed_size(const char *token) {
  ts_response *r = feed(token, NULL);
  ck_assert_int_eq(r->status, 200);
  size_t n = json_array_size(json_object_get(r->json, "items"));
  ts_response_free(r);
  return n;
}

/* ---- the feed ---- */

START_TEST(exit_writes_outcome_and_victim_update) {
  char id[IJ_UUID_BUF], quiet[IJ_UUID_BUF];
  make_referral("pc-101", false, id);
  make_referral("pc-101", true, quiet);
  exit_referral(id, "completed");
  exit_referral(quiet, "non_compliant");
  char *coord = ts_token("coordinator", AREA, "coord-1");
  ts_response *r = feed(coord, NULL);
  ck_assert_int_eq(r->status, 200);
  ck_assert_str_eq(r->content_type, "application/json");
  json_t *items = json_object_get(r->json, "items");
  ck_assert_int_eq(json_array_size(items), 3);
  ck_assert(json_is_null(json_object_get(r->json, "next_cursor")));

  json_t *outcome = json_array_get(items, 0);
  ck_assert_str_eq(str(outcome, "kind"), "outcome");
  ck_assert_str_eq(str(outcome, "event"), "completed");
  ck_assert_str_eq(str(outcome, "referral_id"), id);
  ck_assert_int_eq(strlen(str(outcome, "id")), 36);
  ck_assert(json_is_null(json_object_get(outcome, "delivered_at")));
  ck_assert_int_eq(strlen(str(outcome, "created_at")), 27);
  json_t *p = json_object_get(outcome, "payload");
  ck_assert_str_eq(str(p, "referral_id"), id);
  ck_assert_str_eq(str(p, "area"), AREA);
  ck_assert_str_eq(str(p, "event"), "completed");
  ck_assert_str_eq(str(p, "officer_sub"), "pc-101");
  ck_assert_str_eq(str(p, "police_id"), "22/123456X");
  ck_assert_str_eq(str(p, "disposal"), "community_resolution");
  ck_assert_int_eq(json_integer_value(json_object_get(p, "hours_required")), 7);
  ck_assert_int_eq(json_integer_value(json_object_get(p, "minutes_credited")), 420);
  ck_assert_str_eq(str(p, "at"), str(outcome, "created_at"));

  json_t *victim = json_array_get(items, 1);
  ck_assert_str_eq(str(victim, "kind"), "victim_update");
  ck_assert_str_eq(str(victim, "event"), "completed");
  ck_assert_str_ne(str(victim, "id"), str(outcome, "id"));
  p = json_object_get(victim, "payload");
  ck_assert_str_eq(str(p, "referral_id"), id);
  ck_assert_str_eq(str(p, "contact"), "victim@example.org");
  ck_assert_int_eq(json_object_size(p), 4);

  /* the victim of the second did not ask to be kept updated: its outcome alone */
  json_t *second = json_array_get(items, 2);
  ck_assert_str_eq(str(second, "kind"), "outcome");
  ck_assert_str_eq(str(second, "event"), "non_compliant");
  ck_assert_str_eq(str(second, "referral_id"), quiet);
  ck_assert_int_eq(
      json_integer_value(json_object_get(json_object_get(second, "payload"), "minutes_credited")),
      60);
  ck_assert_int_lt(json_integer_value(json_object_get(outcome, "seq")),
                   json_integer_value(json_object_get(victim, "seq")));
  ck_assert_int_lt(json_integer_value(json_object_get(victim, "seq")),
                   json_integer_value(json_object_get(second, "seq")));
  ts_response_free(r);

  /* the same exit's notices again: none written twice */
  write_notices(id, IJ_EVENT_COMPLETE);
  ck_assert_int_eq(feed_size(coord), 3);
  free(coord);
}
END_TEST

/* The real path: a coordinator declares non-compliance, and the notices come with the change. */
START_TEST(declared_non_compliance_writes_its_notices) {
  char id[IJ_UUID_BUF];
  make_referral("pc-101", false, id);
  PGconn *c = db();
  const char *p[1] = {id};
  /* booked and absent without reason, as attendance would leave it (events kept consistent) */
  sql_run(c,
          "WITH u AS (UPDATE referrals SET state = 'scheduled', version = 2, hours_confirmed = 7,"
          " breaches = 1 WHERE id = $1 RETURNING *)"
          " INSERT INTO referral_events (referral_id, seq, area, at, event, from_state, to_state,"
          " actor_sub, actor_name, actor_role, request_id)"
          " SELECT id, 2, area, now(), 'book', 'submitted', 'scheduled', 'coord-1', 'coord-1',"
          " 'coordinator', 'test' FROM u",
          1, p);
  PQfinish(c);
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char path[160];
  snprintf(path, sizeof path, "/v1/referrals/%s/transitions", id);
  const char *const if_match[] = {"If-Match: \"2\"", NULL};
  ts_response *r =
      ts_http(S, "POST", "/v1/referrals/{id}/transitions", path, coord, if_match,
              "{\"event\":\"declare_non_compliance\","
              "\"reason_code\":\"unacceptable_absence\",\"reason\":\"Did not come.\"}");
  ck_assert_msg(r->status == 200, "%s", r->body);
  ck_assert_str_eq(str(r->json, "state"), "non_compliant");
  ts_response_free(r);
  r = feed(coord, NULL);
  json_t *items = json_object_get(r->json, "items");
  ck_assert_int_eq(json_array_size(items), 2);
  ck_assert_str_eq(str(json_array_get(items, 0), "kind"), "outcome");
  ck_assert_str_eq(str(json_array_get(items, 0), "event"), "non_compliant");
  ck_assert_str_eq(str(json_array_get(items, 1), "kind"), "victim_update");
  ck_assert_str_eq(str(json_object_get(json_array_get(items, 0), "payload"), "referral_id"), id);
  ts_response_free(r);
  free(coord);
}
END_TEST

START_TEST(who_sees_which_notices) {
  char mine[IJ_UUID_BUF], theirs[IJ_UUID_BUF];
  make_referral("pc-101", false, mine);
  make_referral("pc-202", false, theirs);
  exit_referral(mine, "completed");
  exit_referral(theirs, "completed");
  char *coord = ts_token("coordinator", AREA, "coord-1");
  char *admin = ts_token("admin", AREA, "admin-1");
  char *officer = ts_token("officer", AREA, "pc-101");
  char *stranger = ts_token("officer", AREA, "pc-999");
  char *both = ts_token("officer,coordinator", AREA, "pc-303");
  ck_assert_int_eq(feed_size(coord), 4);
  ck_assert_int_eq(feed_size(admin), 4);
  ck_assert_int_eq(feed_size(both), 4);
  ck_assert_int_eq(feed_size(stranger), 0);

  /* an officer: the outcome of their own referral, no victim update */
  ts_response *r = feed(officer, NULL);
  ck_assert_int_eq(r->status, 200);
  json_t *items = json_object_get(r->json, "items");
  ck_assert_int_eq(json_array_size(items), 1);
  ck_assert_str_eq(str(json_array_get(items, 0), "kind"), "outcome");
  ck_assert_str_eq(str(json_array_get(items, 0), "referral_id"), mine);
  ts_response_free(r);

  /* another area sees none of them */
  char *elsewhere = ts_token("coordinator", "derbyshire-elsewhere", "coord-9");
  ck_assert_int_eq(feed_size(elsewhere), 0);

  const char *refused[] = {"commissioner", "supervisor"};
  for (size_t i = 0; i < 2; i++) {
    char *t = ts_token(refused[i], AREA, "someone");
    r = feed(t, NULL);
    ck_assert_int_eq(r->status, 403);
    ck_assert_str_eq(r->content_type, "application/problem+json");
    ts_response_free(r);
    free(t);
  }
  r = feed(NULL, NULL);
  ck_assert_int_eq(r->status, 401);
  ts_response_free(r);
  free(coord);
  free(admin);
  free(officer);
  free(stranger);
  free(both);
  free(elsewhere);
}
END_TEST

START_TEST(feed_pages_after_seq) {
  char ids[3][IJ_UUID_BUF];
  for (int i = 0; i < 3; i++) {
    make_referral("pc-101", false, ids[i]);
    exit_referral(ids[i], "completed");
  }
  char *coord = ts_token("coordinator", AREA, "coord-1");
  long long seen[8];
  int n = 0;
  char query[64] = "?limit=4";
  for (int page = 0; page < 4; page++) {
    ts_response *r = feed(coord, query);
    ck_assert_int_eq(r->status, 200);
    json_t *items = json_object_get(r->json, "items");
    for (size_t i = 0; i < json_array_size(items); i++) {
      ck_assert_int_lt(n, 8);
      seen[n++] = json_integer_value(json_object_get(json_array_get(items, i), "seq"));
    }
    json_t *next = json_object_get(r->json, "next_cursor");
    if (json_is_null(next)) {
      ts_response_free(r);
      break;
    }
    ck_assert_int_eq(json_array_size(items), 4);
    char want[32];
    snprintf(want, sizeof want, "%lld", seen[n - 1]);
    ck_assert_str_eq(json_string_value(next), want);
    snprintf(query, sizeof query, "?limit=4&after=%s", json_string_value(next));
    ts_response_free(r);
  }
  ck_assert_int_eq(n, 6);
  for (int i = 1; i < n; i++)
    ck_assert_int_lt(seen[i - 1], seen[i]);

  /* after the last seq: nothing, and no cursor */
  snprintf(query, sizeof query, "?after=%lld", seen[n - 1]);
  ts_response *r = feed(coord, query);
  ck_assert_int_eq(r->status, 200);
  ck_assert_int_eq(json_array_size(json_object_get(r->json, "items")), 0);
  ck_assert(json_is_null(json_object_get(r->json, "next_cursor")));
  ts_response_free(r);
  snprintf(query, sizeof query, "?after=%lld&limit=1", seen[2]);
  r = feed(coord, query);
  ck_assert_int_eq(json_integer_value(json_object_get(
                       json_array_get(json_object_get(r->json, "items"), 0), "seq")),
                   seen[3]);
  ts_response_free(r);

  const char *bad[] = {
      "?after=-1",  "?after=abc", "?after=",          "?limit=0",
      "?limit=101", "?cursor=3",  "?after=1&after=2", "?after=99999999999999999999"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    r = feed(coord, bad[i]);
    ck_assert_msg(r->status == 422, "%s: %ld", bad[i], r->status);
    ck_assert_str_eq(r->content_type, "application/problem+json");
    ts_response_free(r);
  }
  free(coord);
}
END_TEST

/* ---- a webhook receiver ---- */

#define RX_MAX 64

typedef struct {
  pthread_mutex_t mu;
  int fail_first; /* answer 500 to the first N posts of each notice */
  int delay_ms;   /* before answering */
  int n;
  char ids[RX_MAX][40];
  int count[RX_MAX];
  char body[RX_MAX][2048];
  int bad_requests; /* posts without the headers or body a notice needs */
  int started;      /* posts that have arrived (counted before the delay) */
  int total;
  struct _u_instance instance;
  int port;
} receiver;

static int on_post(const struct _u_request *req, struct _u_response *res, void *user) {
  receiver *rx = user;
  const char *id = u_map_get_case(req->map_header, "X-Notice-Id");
  const char *type = u_map_get_case(req->map_header, "Content-Type");
  pthread_mutex_lock(&rx->mu);
  rx->started++;
  pthread_mutex_unlock(&rx->mu);
  if (rx->delay_ms)
    usleep((useconds_t)rx->delay_ms * 1000);
  pthread_mutex_lock(&rx->mu);
  rx->total++;
  int status = 200;
  if (!id || !type || strcmp(type, "application/json") != 0 || req->binary_body_length == 0) {
    rx->bad_requests++;
    status = 400;
  } else {
    int i = 0;
    while (i < rx->n && strcmp(rx->ids[i], id) != 0)
      i++;
    if (i == rx->n && rx->n < RX_MAX) {
      snprintf(rx->ids[i], sizeof rx->ids[i], "%s", id);
      rx->n++;
    }
    if (i < RX_MAX) {
      rx->count[i]++;
      size_t len = req->binary_body_length < sizeof rx->body[i] - 1 ? req->binary_body_length
                                                                    : sizeof rx->body[i] - 1;
      memcpy(rx->body[i], req->binary_body, len);
      rx->body[i][len] = 0;
      if (rx->count[i] <= rx->fail_first)
        status = 500;
    }
  }
  pthread_mutex_unlock(&rx->mu);
  ulfius_set_string_body_response(res, (unsigned)status, status == 200 ? "ok" : "not now");
  return U_CALLBACK_COMPLETE;
}

static receiver *receiver_start(int fail_first, int delay_ms) {
  receiver *rx = calloc(1, sizeof *rx);
  ck_assert_ptr_nonnull(rx);
  pthread_mutex_init(&rx->mu, NULL);
  rx->fail_first = fail_first;
  rx->delay_ms = delay_ms;
  rx->port = ts_local_server(&rx->instance, "POST", "/hook", on_post, rx, 4);
  return rx;
}

static void receiver_stop(receiver *rx) {
  ulfius_stop_framework(&rx->instance);
  ulfius_clean_instance(&rx->instance);
  pthread_mutex_destroy(&rx->mu);
  free(rx);
}

/* How many times the receiver saw a notice id. */
static int seen(receiver *rx, const char *id) {
  pthread_mutex_lock(&rx->mu);
  int n = 0;
  for (int i = 0; i < rx->n; i++)
    if (strcmp(rx->ids[i], id) == 0)
      n = rx->count[i];
  pthread_mutex_unlock(&rx->mu);
  return n;
}

static void set_webhook(PGconn *c, const receiver *rx) {
  char url[96];
  if (rx)
    snprintf(url, sizeof url, "http://127.0.0.1:%d/hook", rx->port);
  const char *p[2] = {AREA, rx ? url : NULL};
  sql_run(c, "UPDATE areas SET webhook_url = $2 WHERE code = $1", 2, p);
}

/* The area's notice ids by seq (up to `max`); returns how many. */
static int notice_ids(PGconn *c, char ids[][IJ_UUID_BUF], int max) {
  const char *p[1] = {AREA};
  PGresult *r = sql(c, "SELECT id FROM notices WHERE area = $1 ORDER BY seq", 1, p);
  int n = PQntuples(r) < max ? PQntuples(r) : max;
  for (int i = 0; i < n; i++)
    snprintf(ids[i], IJ_UUID_BUF, "%s", PQgetvalue(r, i, 0));
  PQclear(r);
  return n;
}

/* Makes the area's notices due again now (skips the backoff wait). */
static void make_due(PGconn *c) {
  const char *p[1] = {AREA};
  sql_run(c, "UPDATE notices SET next_attempt_at = now() WHERE area = $1", 1, p);
}

/* ---- delivery ---- */

START_TEST(delivery_retries_with_backoff_then_delivers_once) {
  char id[IJ_UUID_BUF];
  make_referral("pc-101", false, id);
  exit_referral(id, "completed");
  PGconn *c = db();
  receiver *rx = receiver_start(2, 0);
  set_webhook(c, rx);
  char ids[2][IJ_UUID_BUF];
  ck_assert_int_eq(notice_ids(c, ids, 2), 2);
  const char *p[1] = {AREA};

  for (int round = 1; round <= 2; round++) {
    int delivered = -1, failed = -1;
    /* the round's clock lies between these two readings, however slow the machine */
    PGresult *before = sql(c, "SELECT clock_timestamp()::text", 0, NULL);
    char t0[64];
    snprintf(t0, sizeof t0, "%s", PQgetvalue(before, 0, 0));
    PQclear(before);
    ck_assert_int_eq(ij_outbox_run_once(S->service, 20, &delivered, &failed), IJ_OK);
    ck_assert_int_ge(failed, 2);
    for (int i = 0; i < 2; i++)
      ck_assert_int_eq(seen(rx, ids[i]), round);
    /* counted, kept, and put off by 2^attempts seconds from the round */
    char q[512];
    snprintf(q, sizeof q,
             "SELECT count(*) FROM notices WHERE area = $1 AND attempts = %d"
             " AND delivered_at IS NULL AND last_error = 'HTTP status 500'"
             " AND next_attempt_at >= $2::timestamptz + interval '%d s'"
             " AND next_attempt_at <= clock_timestamp() + interval '%d s'",
             round, (1 << round), (1 << round));
    const char *pt[2] = {AREA, t0};
    ck_assert_int_eq(sql_count(c, q, 2, pt), 2);
    /* not due yet: another round leaves them alone */
    ck_assert_int_eq(ij_outbox_run_once(S->service, 20, NULL, NULL), IJ_OK);
    for (int i = 0; i < 2; i++)
      ck_assert_int_eq(seen(rx, ids[i]), round);
    make_due(c);
  }
  int delivered = 0;
  ck_assert_int_eq(ij_outbox_run_once(S->service, 20, &delivered, NULL), IJ_OK);
  ck_assert_int_ge(delivered, 2);
  for (int i = 0; i < 2; i++)
    ck_assert_int_eq(seen(rx, ids[i]), 3);
  ck_assert_int_eq(sql_count(c,
                             "SELECT count(*) FROM notices WHERE area = $1 AND attempts = 2"
                             " AND delivered_at IS NOT NULL AND last_error IS NULL",
                             1, p),
                   2);

  /* delivered is final: due or not, it is never sent again */
  make_due(c);
  ck_assert_int_eq(ij_outbox_run_once(S->service, 20, NULL, NULL), IJ_OK);
  for (int i = 0; i < 2; i++)
    ck_assert_int_eq(seen(rx, ids[i]), 3);
  ck_assert_int_eq(rx->bad_requests, 0);

  /* what the receiver got: the notice, named by its header */
  json_t *body = json_loads(rx->body[0], 0, NULL);
  ck_assert_ptr_nonnull(body);
  ck_assert_str_eq(str(body, "id"), rx->ids[0]);
  ck_assert_str_eq(str(body, "referral_id"), id);
  ck_assert_str_eq(str(body, "event"), "completed");
  ck_assert_int_eq(strlen(str(body, "created_at")), 27);
  ck_assert_str_eq(str(json_object_get(body, "payload"), "referral_id"), id);
  ck_assert_str_eq(str(body, "kind"),
                   strcmp(rx->ids[0], ids[0]) == 0 ? "outcome" : "victim_update");
  json_decref(body);

  /* the feed shows them delivered */
  char *coord = ts_token("coordinator", AREA, "coord-1");
  ts_response *r = feed(coord, NULL);
  json_t *items = json_object_get(r->json, "items");
  ck_assert_int_eq(json_array_size(items), 2);
  for (size_t i = 0; i < 2; i++)
    ck_assert_int_eq(strlen(str(json_array_get(items, i), "delivered_at")), 27);
  ts_response_free(r);
  free(coord);

  set_webhook(c, NULL);
  receiver_stop(rx);
  PQfinish(c);
}
END_TEST

START_TEST(unreachable_webhook_is_a_failed_attempt) {
  char id[IJ_UUID_BUF];
  make_referral("pc-101", true, id);
  exit_referral(id, "non_compliant");
  PGconn *c = db();
  /* a port nothing listens on: bound, never listened on, so connecting is refused */
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  ck_assert_int_eq(bind(fd, (struct sockaddr *)&addr, sizeof addr), 0);
  socklen_t len = sizeof addr;
  getsockname(fd, (struct sockaddr *)&addr, &len);
  char url[96];
  snprintf(url, sizeof url, "http://127.0.0.1:%d/hook", ntohs(addr.sin_port));
  const char *p[2] = {AREA, url};
  sql_run(c, "UPDATE areas SET webhook_url = $2 WHERE code = $1", 2, p);
  ck_assert_int_eq(ij_outbox_run_once(S->service, 20, NULL, NULL), IJ_OK);
  ck_assert_int_eq(sql_count(c,
                             "SELECT count(*) FROM notices WHERE area = $1 AND attempts = 1"
                             " AND delivered_at IS NULL AND last_error <> ''",
                             1, p),
                   1);
  close(fd);
  set_webhook(c, NULL);
  PQfinish(c);
  ck_assert_int_eq(ij_outbox_run_once(S->service, 0, NULL, NULL), IJ_ERR_INVALID);
}
END_TEST

#define NOTICES 12

typedef struct {
  pthread_barrier_t *start;
  int delivered;
  ij_err err;
} runner;

/* Rounds of three until a round finds nothing (the other worker may still be busy: it holds
 * what is left). */
static void *run_rounds(void *arg) {
  runner *w = arg;
  pthread_barrier_wait(w->start);
  for (int i = 0; i < 100; i++) {
    int d = 0, f = 0;
    w->err = ij_outbox_run_once(S->service, 3, &d, &f);
    if (w->err != IJ_OK)
      break;
    w->delivered += d;
    if (d == 0 && f == 0)
      break;
  }
  return NULL;
}

START_TEST(concurrent_workers_deliver_each_notice_once) {
  for (int i = 0; i < NOTICES / 2; i++) {
    char id[IJ_UUID_BUF];
    make_referral("pc-101", false, id);
    exit_referral(id, "completed");
  }
  PGconn *c = db();
  char ids[NOTICES][IJ_UUID_BUF];
  ck_assert_int_eq(notice_ids(c, ids, NOTICES), NOTICES);
  receiver *rx = receiver_start(0, 20);
  set_webhook(c, rx);
  pthread_barrier_t start;
  pthread_barrier_init(&start, NULL, 2);
  runner w[2];
  pthread_t t[2];
  for (int i = 0; i < 2; i++) {
    memset(&w[i], 0, sizeof w[i]);
    w[i].start = &start;
    pthread_create(&t[i], NULL, run_rounds, &w[i]);
  }
  for (int i = 0; i < 2; i++)
    pthread_join(t[i], NULL);
  pthread_barrier_destroy(&start);
  for (int i = 0; i < 2; i++)
    ck_assert_int_eq(w[i].err, IJ_OK);
  for (int i = 0; i < NOTICES; i++)
    ck_assert_msg(seen(rx, ids[i]) == 1, "notice %s seen %d times", ids[i], seen(rx, ids[i]));
  /* both took part */
  ck_assert_int_gt(w[0].delivered, 0);
  ck_assert_int_gt(w[1].delivered, 0);
  const char *p[1] = {AREA};
  ck_assert_int_eq(sql_count(c,
                             "SELECT count(*) FROM notices WHERE area = $1 AND attempts = 0"
                             " AND delivered_at IS NOT NULL",
                             1, p),
                   NOTICES);
  set_webhook(c, NULL);
  receiver_stop(rx);
  PQfinish(c);
}
END_TEST

static double seconds_since(const struct timespec *t0) {
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

START_TEST(worker_delivers_and_stops_promptly) {
  char id[IJ_UUID_BUF];
  make_referral("pc-101", false, id);
  exit_referral(id, "completed");
  PGconn *c = db();
  receiver *rx = receiver_start(0, 0);
  set_webhook(c, rx);
  ij_outbox_options o = {50, 20};
  ij_outbox *outbox = NULL;
  ck_assert_int_eq(ij_outbox_start(S->service, &o, &outbox), IJ_OK);
  const char *p[1] = {AREA};
  long long delivered = 0;
  for (int i = 0; i < 200 && delivered < 2; i++) {
    usleep(50 * 1000);
    delivered = sql_count(
        c, "SELECT count(*) FROM notices WHERE area = $1 AND delivered_at IS NOT NULL", 1, p);
  }
  ck_assert_int_eq(delivered, 2);
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  ij_outbox_stop(outbox);
  ck_assert_double_lt(seconds_since(&t0), 1.0);

  /* a worker waiting out a long interval stops at once too */
  ij_outbox_options slow = {3600000, 20};
  ck_assert_int_eq(ij_outbox_start(S->service, &slow, &outbox), IJ_OK);
  usleep(100 * 1000);
  clock_gettime(CLOCK_MONOTONIC, &t0);
  ij_outbox_stop(outbox);
  ck_assert_double_lt(seconds_since(&t0), 1.0);

  ij_outbox_options bad = {0, 20};
  ck_assert_int_eq(ij_outbox_start(S->service, &bad, &outbox), IJ_ERR_INVALID);
  bad.interval_ms = 1000;
  bad.batch = 0;
  ck_assert_int_eq(ij_outbox_start(S->service, &bad, &outbox), IJ_ERR_INVALID);
  set_webhook(c, NULL);
  receiver_stop(rx);
  PQfinish(c);
}
END_TEST

START_TEST(stop_abandons_a_slow_delivery) {
  char id[IJ_UUID_BUF];
  make_referral("pc-101", true, id);
  exit_referral(id, "completed");
  PGconn *c = db();
  receiver *rx = receiver_start(0, 3000);
  set_webhook(c, rx);
  ij_outbox_options o = {50, 20};
  ij_outbox *outbox = NULL;
  ck_assert_int_eq(ij_outbox_start(S->service, &o, &outbox), IJ_OK);
  int started = 0;
  for (int i = 0; i < 200 && started == 0; i++) {
    usleep(20 * 1000);
    pthread_mutex_lock(&rx->mu);
    started = rx->started;
    pthread_mutex_unlock(&rx->mu);
  }
  ck_assert_int_eq(started, 1);
  /* the receiver takes three seconds to answer: the stop does not wait for it */
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  ij_outbox_stop(outbox);
  ck_assert_double_lt(seconds_since(&t0), 0.5);
  /* abandoned, not failed: still due, no attempt counted */
  const char *p[1] = {AREA};
  ck_assert_int_eq(sql_count(c,
                             "SELECT count(*) FROM notices WHERE area = $1 AND attempts = 0"
                             " AND delivered_at IS NULL AND next_attempt_at <= now()",
                             1, p),
                   1);
  set_webhook(c, NULL);
  receiver_stop(rx);
  PQfinish(c);
}
END_TEST

Suite *http_notices_suite(void) {
  Suite *s = suite_create("http-notices");
  TCase *tc = tcase_create("notices");
  tcase_set_timeout(tc, 60);
  tcase_add_checked_fixture(tc, http_setup, http_teardown);
  tcase_add_test(tc, exit_writes_outcome_and_victim_update);
  tcase_add_test(tc, declared_non_compliance_writes_its_notices);
  tcase_add_test(tc, who_sees_which_notices);
  tcase_add_test(tc, feed_pages_after_seq);
  tcase_add_test(tc, delivery_retries_with_backoff_then_delivers_once);
  tcase_add_test(tc, unreachable_webhook_is_a_failed_attempt);
  tcase_add_test(tc, concurrent_workers_deliver_each_notice_once);
  tcase_add_test(tc, worker_delivers_and_stops_promptly);
  tcase_add_test(tc, stop_abandons_a_slow_delivery);
  suite_add_tcase(s, tc);
  return s;
}
