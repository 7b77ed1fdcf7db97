/* Several instances of the service on one database: each "instance" here is a pool of its own (its
 * own connections, as the service's role) with its own outbox worker, as `ij serve` has. Checked:
 * outbox workers on every instance deliver each notice, never the same one twice at once; a worker
 * that dies mid-delivery leaves its notice to be delivered again; retention run by two instances at
 * once still erases a person; migrations started together on a fresh database apply each
 * migration once. The webhook is a small ulfius server inside the test that notes, per notice,
 * how often it arrived and whether it arrived while the same notice was still in flight. */
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ulfius.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "ij/outbox.h"
#include "ij/store/audit.h"
#include "ij/store/referrals.h"
#include "suites.h"
#include "support.h"

static ij_time_us now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (ij_time_us)ts.tv_sec * IJ_US_PER_SECOND + ts.tv_nsec / 1000;
}

static void random_hex(char *out, size_t size) {
  uuid_t u;
  char text[37];
  uuid_generate_random(u);
  uuid_unparse_lower(u, text);
  snprintf(out, size, "%.8s%.4s", text, text + 9);
}

/* `base` (a libpq URI or key=value string) with `key` set to `value`, as a key=value string
 * (owned: free()). */
static char *conninfo_with(const char *base, const char *key, const char *value) {
  char *why = NULL;
  PQconninfoOption *opts = PQconninfoParse(base, &why);
  ck_assert_msg(opts, "%s", why ? why : "cannot parse the connection string");
  size_t cap = 4096, len = 0;
  char *out = calloc(1, cap);
  ck_assert_ptr_nonnull(out);
  for (PQconninfoOption *o = opts;; o++) {
    const char *k = o->keyword ? o->keyword : key;
    const char *v = o->keyword ? o->val : value;
    if (v && (!o->keyword || strcmp(k, key) != 0)) {
      len += (size_t)snprintf(out + len, cap - len, "%s='", k);
      for (const char *p = v; *p && len + 4 < cap; p++) {
        if (*p == '\'' || *p == '\\')
          out[len++] = '\\';
        out[len++] = *p;
      }
      len += (size_t)snprintf(out + len, cap - len, "' ");
      ck_assert_uint_lt(len, cap);
    }
    if (!o->keyword)
      break;
  }
  PQconninfoFree(opts);
  return out;
}

/* A pool as the service's role, as one `ij serve` opens (owned: ij_store_close). */
static ij_store *instance(const char *conninfo, int size) {
  ij_store_options o = {conninfo, size, 10000, true, true};
  ij_store *s = NULL;
  ck_assert_int_eq(ij_store_open(&o, &s), IJ_OK);
  return s;
}

static long long count(const char *query, const char *area) {
  const char *p[1] = {area};
  char *v = ts_sql(query, 1, p);
  long long n = v ? atoll(v) : -1;
  free(v);
  return n;
}

/* A submitted referral of a new person in `area`, made through the store as an officer would. */
static void add_referral(ij_conn *c, const char *area, const char *name, const char *police_id,
                         const char *dob, const char *offence_date) {
  ij_referral r;
  memset(&r, 0, sizeof r);
  uuid_t u;
  uuid_generate_random(u);
  uuid_unparse_lower(u, r.id);
  uuid_generate_random(u);
  uuid_unparse_lower(u, r.person_id);
  r.area = area;
  r.state = IJ_STATE_SUBMITTED;
  r.version = 1;
  r.person_name = name;
  r.police_id = police_id;
  ij_date_parse(dob, &r.date_of_birth);
  ij_date_parse(offence_date, &r.offence_date);
  r.offence_category = "asb";
  r.ward = "ward-a";
  r.disposal = "community_resolution";
  r.consent_recorded = true;
  r.hours_proposed = 7;
  r.victim_consulted = r.victim_keep_updated = -1;
  r.officer_sub = r.officer_name = "pc-1";
  r.created_at = r.updated_at = now_us();
  r.target_start_by = r.created_at + 48 * IJ_US_PER_HOUR;
  ij_audit a = {"req-test", "pc-1", "pc-1", "officer", r.created_at};
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  ij_replay replay;
  ck_assert_int_eq(ts_store_referral(c, &r, &a, NULL, &replay, &errs), IJ_OK);
}

/* `n` referrals in a fresh area (written to `area`), each with an outcome notice (and a victim
 * update when `both`) due now; the area's webhook is unset until the test sets it. */
static void area_with_notices(char area[IJ_AREA_MAX], int n, bool both) {
  ij_store *s = ts_store(1);
  ij_conn *c;
  ck_assert_int_eq(ij_store_acquire(s, &c), IJ_OK);
  ts_new_area(c, area);
  for (int i = 0; i < n; i++) {
    add_referral(c, area, "Casey Brown", NULL, "2003-02-01", "2026-01-10");
  }
  ij_store_release(s, c);
  ij_store_close(s);
  const char *p[2] = {area, both ? "true" : "false"};
  free(ts_sql("INSERT INTO notices (id, area, referral_id, kind, event, payload, created_at,"
              " next_attempt_at)"
              " SELECT gen_random_uuid(), r.area, r.id, k.kind, 'completed', '{}', now(), now()"
              " FROM referrals r, (VALUES ('outcome'), ('victim_update')) k (kind)"
              " WHERE r.area = $1 AND (k.kind = 'outcome' OR $2::boolean)",
              2, p));
}

/* ---- the webhook ---- */

#define RX_MAX 512

typedef struct {
  pthread_mutex_t mu;
  int delay_ms; /* before answering */
  int n;
  char ids[RX_MAX][40];
  int count[RX_MAX];     /* answered posts of each notice */
  int in_flight[RX_MAX]; /* posts of each notice arrived and not yet answered */
  int overlaps;          /* posts that arrived while the same notice was in flight */
  int in_flight_all, max_in_flight_all;
  int started; /* posts arrived */
  int bad;     /* posts without a notice id */
  struct _u_instance instance;
  int port;
} receiver;

static int on_post(const struct _u_request *req, struct _u_response *res, void *user) {
  receiver *rx = user;
  const char *id = u_map_get_case(req->map_header, "X-Notice-Id");
  pthread_mutex_lock(&rx->mu);
  rx->started++;
  int i = 0;
  if (id) {
    while (i < rx->n && strcmp(rx->ids[i], id) != 0)
      i++;
    if (i == rx->n && rx->n < RX_MAX)
      snprintf(rx->ids[rx->n++], sizeof rx->ids[0], "%s", id);
  }
  if (!id || i == RX_MAX) {
    rx->bad++;
    pthread_mutex_unlock(&rx->mu);
    ulfius_set_string_body_response(res, 400, "no");
    return U_CALLBACK_COMPLETE;
  }
  if (rx->in_flight[i] > 0)
    rx->overlaps++;
  rx->in_flight[i]++;
  if (++rx->in_flight_all > rx->max_in_flight_all)
    rx->max_in_flight_all = rx->in_flight_all;
  pthread_mutex_unlock(&rx->mu);
  usleep((useconds_t)rx->delay_ms * 1000);
  pthread_mutex_lock(&rx->mu);
  rx->in_flight[i]--;
  rx->in_flight_all--;
  rx->count[i]++;
  pthread_mutex_unlock(&rx->mu);
  ulfius_set_string_body_response(res, 200, "ok");
  return U_CALLBACK_COMPLETE;
}

static receiver *receiver_start(int delay_ms) {
  receiver *rx = calloc(1, sizeof *rx);
  ck_assert_ptr_nonnull(rx);
  pthread_mutex_init(&rx->mu, NULL);
  rx->delay_ms = delay_ms;
  rx->port = ts_local_server(&rx->instance, "POST", "/hook", on_post, rx, 8);
  return rx;
}

static void receiver_stop(receiver *rx) {
  ulfius_stop_framework(&rx->instance);
  ulfius_clean_instance(&rx->instance);
  pthread_mutex_destroy(&rx->mu);
  free(rx);
}

static int seen(receiver *rx, const char *id) {
  pthread_mutex_lock(&rx->mu);
  int n = 0;
  for (int i = 0; i < rx->n; i++)
    if (strcmp(rx->ids[i], id) == 0)
      n = rx->count[i];
  pthread_mutex_unlock(&rx->mu);
  return n;
}

static void set_webhook(const char *area, const receiver *rx) {
  char url[96];
  if (rx)
    snprintf(url, sizeof url, "http://127.0.0.1:%d/hook", rx->port);
  const char *p[2] = {area, rx ? url : NULL};
  free(ts_sql("UPDATE areas SET webhook_url = $2 WHERE code = $1", 2, p));
}

/* ---- outbox workers on every instance ---- */

#define INSTANCES 4
#define REFERRALS 100 /* two notices each */

START_TEST(outbox_on_every_instance_delivers_each_notice_once_never_concurrently) {
  char area[IJ_AREA_MAX];
  area_with_notices(area, REFERRALS, true);
  ck_assert_int_eq(count("SELECT count(*) FROM notices WHERE area = $1", area), 2 * REFERRALS);
  receiver *rx = receiver_start(3);
  set_webhook(area, rx);
  /* four instances, each its own pool and worker, as `ij serve` runs one; small batches, so that
   * each worker claims many times and the claims interleave */
  ij_store *stores[INSTANCES];
  ij_outbox *workers[INSTANCES];
  ij_outbox_options o = {20, 5};
  for (int i = 0; i < INSTANCES; i++) {
    stores[i] = instance(ts_service_url(), 2);
    ck_assert_int_eq(ij_outbox_start(stores[i], &o, &workers[i]), IJ_OK);
  }
  long long delivered = 0;
  for (int i = 0; i < 600 && delivered < 2 * REFERRALS; i++) {
    usleep(50 * 1000);
    delivered =
        count("SELECT count(*) FROM notices WHERE area = $1 AND delivered_at IS NOT NULL", area);
  }
  for (int i = 0; i < INSTANCES; i++) {
    ij_outbox_stop(workers[i]);
    ij_store_close(stores[i]);
  }
  set_webhook(area, NULL);
  ck_assert_int_eq(delivered, 2 * REFERRALS);
  /* every notice arrived exactly once (no worker died), none while it was already in flight, and
   * the workers did run at the same time */
  ck_assert_int_eq(rx->bad, 0);
  ck_assert_int_eq(rx->n, 2 * REFERRALS);
  for (int i = 0; i < rx->n; i++)
    ck_assert_msg(rx->count[i] == 1, "notice %s arrived %d times", rx->ids[i], rx->count[i]);
  ck_assert_int_eq(rx->overlaps, 0);
  ck_assert_int_ge(rx->max_in_flight_all, 2);
  /* and each is recorded delivered once, at the first attempt */
  ck_assert_int_eq(count("SELECT count(*) FROM notices WHERE area = $1 AND attempts = 0"
                         " AND delivered_at IS NOT NULL AND last_error IS NULL",
                         area),
                   2 * REFERRALS);
  receiver_stop(rx);
}
END_TEST

/* ---- an instance that dies mid-delivery ---- */

typedef struct {
  ij_store *store;
  ij_err err;
  int delivered;
} round_arg;

static void *one_round(void *arg) {
  round_arg *a = arg;
  a->err = ij_outbox_run_once(a->store, 20, &a->delivered, NULL);
  return NULL;
}

START_TEST(a_delivery_cut_off_by_a_crash_is_delivered_again) {
  char area[IJ_AREA_MAX];
  area_with_notices(area, 1, false);
  char *id = ts_sql("SELECT id FROM notices WHERE area = $1", 1, (const char *const[]){area});
  ck_assert_ptr_nonnull(id);
  receiver *rx = receiver_start(1500);
  set_webhook(area, rx);
  /* instance A, named so that its connection can be found and cut */
  char name[32] = "ij-test-a-";
  random_hex(name + strlen(name), sizeof name - strlen(name));
  char *a_info = conninfo_with(ts_service_url(), "application_name", name);
  round_arg a = {instance(a_info, 1), IJ_OK, 0};
  ij_store *b = instance(ts_service_url(), 1);
  pthread_t t;
  pthread_create(&t, NULL, one_round, &a);
  int started = 0;
  for (int i = 0; i < 250 && !started; i++) {
    usleep(20 * 1000);
    pthread_mutex_lock(&rx->mu);
    started = rx->started;
    pthread_mutex_unlock(&rx->mu);
  }
  ck_assert_int_eq(started, 1);
  /* while A's post is in flight, its claim holds: B finds the notice due but cannot take it */
  int delivered = -1, failed = -1;
  ck_assert_int_eq(ij_outbox_run_once(b, 20, &delivered, &failed), IJ_OK);
  ck_assert_int_eq(delivered, 0);
  ck_assert_int_eq(failed, 0);
  /* A's database session ends as a crash ends it (the process gone, its socket closed): the
   * receiver still answers 200, but A can no longer record it */
  const char *p[1] = {name};
  char *cut = ts_sql("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))"
                     " FROM pg_stat_activity WHERE application_name = $1",
                     1, p);
  ck_assert_str_eq(cut, "1");
  free(cut);
  pthread_join(t, NULL);
  ck_assert_int_ne(a.err, IJ_OK);
  ck_assert_int_eq(a.delivered, 0);
  ck_assert_int_eq(seen(rx, id), 1);
  /* so the notice is still due, no attempt counted, and B delivers it: at least once */
  ck_assert_int_eq(count("SELECT count(*) FROM notices WHERE area = $1 AND attempts = 0"
                         " AND delivered_at IS NULL AND next_attempt_at <= now()",
                         area),
                   1);
  ck_assert_int_eq(ij_outbox_run_once(b, 20, &delivered, NULL), IJ_OK);
  ck_assert_int_eq(delivered, 1);
  ck_assert_int_eq(seen(rx, id), 2);
  ck_assert_int_eq(rx->overlaps, 0);
  ck_assert_int_eq(
      count("SELECT count(*) FROM notices WHERE area = $1 AND delivered_at IS NOT NULL", area), 1);
  /* A's pool recovers on its next loan */
  ck_assert_int_eq(ij_outbox_run_once(a.store, 20, NULL, NULL), IJ_OK);
  set_webhook(area, NULL);
  ij_store_close(a.store);
  ij_store_close(b);
  free(a_info);
  free(id);
  receiver_stop(rx);
}
END_TEST

/* ---- retention on two instances at once ---- */

static PGconn *service_session(const char *area) {
  PGconn *c = PQconnectdb(ts_service_url());
  ck_assert_msg(PQstatus(c) == CONNECTION_OK, "%s", PQerrorMessage(c));
  PGresult *r = PQexec(c, "BEGIN");
  ck_assert_int_eq(PQresultStatus(r), PGRES_COMMAND_OK);
  PQclear(r);
  const char *p[1] = {area};
  r = PQexecParams(c, "SELECT set_config('ij.area', $1, true)", 1, NULL, p, NULL, NULL, 0);
  ck_assert_int_eq(PQresultStatus(r), PGRES_TUPLES_OK);
  PQclear(r);
  return c;
}

#define ERASE_ONE                                                      \
  "SELECT referrals_erased, people_erased FROM ij_retention_erase($1," \
  " '{closed,rejected,withdrawn}', now() - interval '36 months', now(), 1)"

static void commit(PGconn *c) {
  PGresult *r = PQexec(c, "COMMIT");
  ck_assert_int_eq(PQresultStatus(r), PGRES_COMMAND_OK);
  PQclear(r);
  PQfinish(c);
}

/* One person, two referrals long ended; two instances' retention batches take one referral each
 * (SKIP LOCKED) at the same time. Neither sees the other's erasure before it commits; the person
 * must be erased all the same, by whichever decides last. */
START_TEST(retention_on_two_instances_erases_a_person_whose_referrals_they_split) {
  char area[IJ_AREA_MAX];
  area_with_notices(area, 0, false);
  ij_store *s = ts_store(1);
  ij_conn *c;
  ck_assert_int_eq(ij_store_acquire(s, &c), IJ_OK);
  for (int i = 0; i < 2; i++) {
    add_referral(c, area, "Alex Green", "19/111111A", "1999-02-01", "2019-01-10");
  }
  ij_store_release(s, c);
  ij_store_close(s);
  const char *p[1] = {area};
  free(ts_sql("UPDATE referrals SET state = 'withdrawn',"
              " updated_at = now() - interval '5 years' - (random() * interval '1 day')"
              " WHERE area = $1",
              1, p));
  ck_assert_int_eq(count("SELECT count(DISTINCT person_id) FROM referrals WHERE area = $1", area),
                   1);

  PGconn *a = service_session(area), *b = service_session(area);
  PGresult *r = PQexecParams(a, ERASE_ONE, 1, NULL, p, NULL, NULL, 0);
  ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "%s", PQresultErrorMessage(r));
  ck_assert_str_eq(PQgetvalue(r, 0, 0), "1");
  ck_assert_str_eq(PQgetvalue(r, 0, 1), "0"); /* the other referral is kept, as A sees it */
  PQclear(r);
  /* B, while A has not committed: it skips A's referral and takes the other */
  ck_assert_int_eq(PQsendQueryParams(b, ERASE_ONE, 1, NULL, p, NULL, NULL, 0), 1);
  usleep(300 * 1000);
  commit(a);
  r = PQgetResult(b);
  ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "%s", PQresultErrorMessage(r));
  ck_assert_str_eq(PQgetvalue(r, 0, 0), "1");
  PQclear(r);
  ck_assert_ptr_null(PQgetResult(b));
  commit(b);
  ck_assert_int_eq(
      count("SELECT count(*) FROM referrals WHERE area = $1 AND erased_at IS NOT NULL", area), 2);
  ck_assert_int_eq(count("SELECT count(*) FROM people WHERE area = $1 AND erased_at IS NOT NULL"
                         " AND name = 'erased' AND police_id IS NULL",
                         area),
                   1);
}
END_TEST

/* ---- migrations started together ---- */

#define MIGRATORS 6

typedef struct {
  const char *conninfo;
  pthread_barrier_t *start;
  ij_err err;
  int applied, version;
} migrator;

static void *migrate(void *arg) {
  migrator *m = arg;
  pthread_barrier_wait(m->start);
  m->err = ij_store_migrate(m->conninfo, &m->applied, &m->version);
  return NULL;
}

START_TEST(migrations_started_together_apply_each_once) {
  char db[40] = "ij_mig_";
  random_hex(db + strlen(db), sizeof db - strlen(db));
  PGconn *owner = PQconnectdb(ts_database_url());
  ck_assert_msg(PQstatus(owner) == CONNECTION_OK, "%s", PQerrorMessage(owner));
  char q[128];
  snprintf(q, sizeof q, "CREATE DATABASE %s", db);
  PGresult *r = PQexec(owner, q);
  ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK, "%s", PQresultErrorMessage(r));
  PQclear(r);
  char *info = conninfo_with(ts_database_url(), "dbname", db);

  pthread_barrier_t start;
  pthread_barrier_init(&start, NULL, MIGRATORS);
  migrator m[MIGRATORS];
  pthread_t t[MIGRATORS];
  for (int i = 0; i < MIGRATORS; i++) {
    m[i] = (migrator){info, &start, IJ_ERR_INTERNAL, -1, -1};
    pthread_create(&t[i], NULL, migrate, &m[i]);
  }
  for (int i = 0; i < MIGRATORS; i++)
    pthread_join(t[i], NULL);
  pthread_barrier_destroy(&start);

  /* what was recorded, read before the database goes */
  long long rows = -1, versions = -1, top = -1;
  PGconn *fresh = PQconnectdb(info);
  ck_assert_msg(PQstatus(fresh) == CONNECTION_OK, "%s", PQerrorMessage(fresh));
  r = PQexec(fresh, "SELECT count(*), count(DISTINCT version), coalesce(max(version), 0)"
                    " FROM schema_migrations");
  if (PQresultStatus(r) == PGRES_TUPLES_OK) {
    rows = atoll(PQgetvalue(r, 0, 0));
    versions = atoll(PQgetvalue(r, 0, 1));
    top = atoll(PQgetvalue(r, 0, 2));
  }
  PQclear(r);
  PQfinish(fresh);
  snprintf(q, sizeof q, "DROP DATABASE %s WITH (FORCE)", db);
  r = PQexec(owner, q);
  ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK, "%s", PQresultErrorMessage(r));
  PQclear(r);
  PQfinish(owner);
  free(info);

  /* every one succeeded and reached the target; one applied them all, the others found nothing
   * left to do; each migration is recorded once */
  int applied = 0, appliers = 0;
  for (int i = 0; i < MIGRATORS; i++) {
    ck_assert_msg(m[i].err == IJ_OK, "migrator %d: %s", i, ij_err_message(m[i].err));
    ck_assert_int_eq(m[i].version, ij_store_schema_target());
    applied += m[i].applied;
    appliers += m[i].applied > 0;
  }
  ck_assert_int_eq(appliers, 1);
  ck_assert_int_gt(rows, 0);
  ck_assert_int_eq(applied, rows);
  ck_assert_int_eq(versions, rows);
  ck_assert_int_eq(top, ij_store_schema_target());
}
END_TEST

Suite *store_instances_suite(void) {
  Suite *s = suite_create("store-instances");
  TCase *tc = tcase_create("instances");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, outbox_on_every_instance_delivers_each_notice_once_never_concurrently);
  tcase_add_test(tc, a_delivery_cut_off_by_a_crash_is_delivered_again);
  tcase_add_test(tc, retention_on_two_instances_erases_a_person_whose_referrals_they_split);
  tcase_add_test(tc, migrations_started_together_apply_each_once);
  suite_add_tcase(s, tc);
  return s;
}
