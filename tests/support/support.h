/* Test support: a database per suite run, areas per test, the service started in-process on a
 * spare port, and an HTTP client that records every response for the contract check. */
#ifndef IJ_TEST_SUPPORT_H
#define IJ_TEST_SUPPORT_H

#include <check.h>
#include <jansson.h>
#include <stdbool.h>
#include <ulfius.h>

#include "ij/auth.h"
#include "ij/http.h"
#include "ij/store/pool.h"
#include "ij/store/referrals.h"

/* The test database as its owner (DATABASE_OWNER_URL, else DATABASE_URL), migrated once per
 * process; aborts the run with a message when unset. Row-level security does not bind it. */
const char *ts_database_url(void);
/* The test database as the service's role (DATABASE_URL), which row-level security binds: what
 * the in-process server of ts_server_start connects as. */
const char *ts_service_url(void);

/* A pool of `size` connections on the test database as its owner (owned: ij_store_close). */
ij_store *ts_store(int size);

/* A fresh area (random code, written to `out`) with wards "ward-a" and "ward-b". */
void ts_new_area(ij_conn *conn, char out[IJ_AREA_MAX]);

/* A development key pair made once per process (borrowed). */
const char *ts_private_jwk(void);
const char *ts_public_jwks(void);

/* A token for roles (comma-separated), area and sub, valid for an hour (owned: free()). */
char *ts_token(const char *roles, const char *area, const char *sub);
/* Whether the service's pools use prepared statements: IJ_DB_PREPARE, as `ij serve` reads it
 * (false behind PgBouncer, tests/pgbouncer/run.sh). */
bool ts_db_prepare(void);

/* Starts `instance` (the caller's, uninitialised) answering `method` `path` with `cb` on a spare
 * port of 127.0.0.1, with `threads` worker threads (a webhook receiver for the outbox tests);
 * returns the port. Stop with ulfius_stop_framework and ulfius_clean_instance. */
int ts_local_server(struct _u_instance *instance, const char *method, const char *path,
                    int (*cb)(const struct _u_request *, struct _u_response *, void *), void *user,
                    int threads);

typedef struct {
  ij_store *store;   /* the owner's pool, for the tests' own set-up and checks */
  ij_store *service; /* the service's pool, as the service's role (row-level security binds it) */
  ij_auth *auth;
  ij_server *server;
  int port;
} ts_server;

/* Starts the service on 127.0.0.1 and a spare port, with a pool of `pool` connections as the
 * service's role (and as many as the owner for the test's own use). */
ts_server *ts_server_start(int pool);
void ts_server_stop(ts_server *s);

typedef struct {
  long status;
  char *body;      /* owned */
  size_t body_len; /* its bytes (a binary body may hold NULs) */
  json_t *json;    /* parsed body or NULL */
  char etag[64];
  char location[128];
  char content_type[128];
  char request_id[80];
  char replayed[16];
  char allow[64];
  char www_authenticate[128];
  char retry_after[16];
} ts_response;

/* One request. route: the route template (for the contract check), path: the actual path with
 * query. token may be NULL; headers: NULL-terminated "Name: value" list or NULL; body may be
 * NULL. JSON bodies get Content-Type: application/json unless a header sets one. */
ts_response *ts_http(ts_server *s, const char *method, const char *route, const char *path,
                     const char *token, const char *const *headers, const char *body);
void ts_response_free(ts_response *r);

/* A valid referral body for the given ward (owned: free()). */
char *ts_referral_body(const char *ward);

/* Runs SQL with text parameters on a connection of its own, for set-up the API does not offer;
 * fails the test on an error. Returns the first cell of the first row (owned: free()) or NULL. */
char *ts_sql(const char *query, int n, const char *const *params);

/* Referral id from a response body (borrowed from r). */
const char *ts_id(const ts_response *r);

/* Stores a referral built by the test (its person, the referral and its create event, and the
 * Idempotency-Key when idem is given) with the store's one statement, as the service's create
 * operation does: *replay set when the key was used before with the
 * same request hash, IJ_ERR_IDEMPOTENCY with another. */
ij_err ts_store_referral(ij_conn *c, ij_referral *r, const ij_audit *audit,
                         const ij_idempotency *idem, ij_replay *replay, ij_field_errors *errs);

#endif
