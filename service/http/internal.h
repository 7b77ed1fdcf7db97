/* Private to the http layer: the request context, routes, JSON and problem helpers. */
#ifndef IJ_HTTP_INTERNAL_H
#define IJ_HTTP_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <jansson.h>
#include <ulfius.h>

#include "ij/domain_idempotency.h"
#include "ij/http.h"
#include "ij/ops.h"
#include "ij/store/access_log.h"
#include "ij/store/pool.h"
#include "ij/store/referrals.h"
#include "jsonw.h"

#define IJ_REQUEST_ID_MAX 65
#define IJ_MAX_QUERY 16
/* Referrals one request may note for the access log; more are counted and reported as lost. */
#define IJ_ACCESS_MAX 256

typedef struct ij_metrics ij_metrics;

/* The access log's queue and writer thread (audit.c). */
typedef struct ij_access_queue ij_access_queue;
ij_err ij_audit_start(ij_store *store, ij_access_queue **out);
/* Queues the record's rows (copied). Never blocks on the database. */
void ij_audit_enqueue(ij_access_queue *audit, const ij_access_record *rec);
/* Writes everything queued now, on the calling thread. */
ij_err ij_audit_flush(ij_access_queue *audit);
/* Stops the thread, writes what is queued, frees. NULL is ignored. */
void ij_audit_stop(ij_access_queue *audit);

struct ij_server {
  struct _u_instance instance;
  ij_http_options opts;
  ij_http_reads reads; /* read routing (read_routing.c) */
  char host[64];
  ij_store *store;
  ij_auth *auth;
  int port;
  ij_metrics *metrics;          /* owned */
  ij_access_queue *audit;       /* owned */
  struct ij_overflow *overflow; /* owned: connections beyond the limit answered 503 (overflow.c) */
  /* the graceful stop */
  atomic_int in_flight;     /* requests from their request line until libmicrohttpd is done */
  atomic_bool draining;     /* after ij_http_quiesce: answers say Connection: close */
  int listen_fd;            /* ours to close after the daemon stops, once quiesced */
  long long quiet_since_us; /* draining: when in_flight was last seen above zero */
  /* read routing (read_routing.c): after the replica failed or lagged, the primary answers
   * until this (monotonic microseconds), for this reason (ij_read_fallback) */
  atomic_llong read_skip_until_us;
  atomic_int read_skip_reason;
  /* the statistics' turns (stats.c): requests reading now and waiting for a turn, under stats_mu;
   * a request giving its turn back signals stats_cv */
  pthread_mutex_t stats_mu;
  pthread_cond_t stats_cv;
  int stats_running;
  int stats_waiting;
};

/* Why a read that may go to the replica went to the primary. */
typedef enum {
  IJ_READ_NO_FALLBACK,    /* no replica configured, or it answered */
  IJ_READ_REPLICA_BEHIND, /* further behind than the bound, or cannot tell how far */
  IJ_READ_REPLICA_UNAVAILABLE
} ij_read_fallback;

/* Where a request's statistics were read and how fresh they are. */
typedef struct {
  bool replica; /* read from the read pool (else the primary's) */
  ij_read_fallback fallback;
  double lag_seconds;
  ij_time_us data_as_of;
} ij_read_info;

typedef struct {
  char *key;
  char *value;
} ij_query_param;

/* How a request touched a referral's personal data, for its row in the access log. */
typedef enum {
  IJ_ACCESS_BY_METHOD,     /* consulted (GET) or altered (any other method) */
  IJ_ACCESS_DISCLOSED,     /* disclosed to a third party (a victim's contact in a notice) */
  IJ_ACCESS_SUBJECT_ACCESS /* disclosed in answer to the person's own subject access request */
} ij_access_kind;

typedef struct ij_ctx {
  const struct _u_request *req;
  struct _u_response *res;
  ij_server *server;
  const struct ij_route *route;
  char request_id[IJ_REQUEST_ID_MAX];
  ij_time_us now;
  ij_principal principal;
  ij_actor actor;
  /* the {id} of a route that has one, checked by the dispatcher: the canonical UUID for an
   * IJ_ID_UUID route, the segment as sent for an IJ_ID_NAME route; NULL otherwise */
  const char *id;
  char id_segment[128];
  char id_uuid[IJ_UUID_BUF];
  int nquery;
  ij_query_param query[IJ_MAX_QUERY];
  bool query_overflow;
  ij_conn *conn;      /* acquired on demand by ij_ctx_conn, released after the handler */
  ij_conn *read_conn; /* from the read pool, by ij_ctx_read_conn, released after the handler */
  ij_read_info read;  /* set by ij_ctx_read_conn */
  int status;         /* the status sent, for the log */
  /* the referrals whose people's data this request returned or changed, for the access log;
   * the two arrays stay last: the dispatcher clears everything before them, not them */
  int naccessed;
  int accessed_lost; /* noted beyond IJ_ACCESS_MAX */
  char accessed[IJ_ACCESS_MAX][IJ_UUID_BUF];
  unsigned char accessed_kind[IJ_ACCESS_MAX]; /* each one's ij_access_kind */
} ij_ctx;

typedef void (*ij_handler)(ij_ctx *ctx);

/* A route's permission when any caller it admits may use it (the public routes, and those every
 * authenticated role may use). ij_domain_may refuses it. */
#define IJ_NO_ACTION IJ_ACTION__COUNT
/* A route's query parameters when they are not checked (the public routes). */
#define IJ_ANY_QUERY NULL

/* A route's media types when the handler negotiates them itself, each of its resources having a
 * type of its own (the dashboard's files: ij_negotiate with the file's type). */
#define IJ_MEDIA_PER_RESOURCE NULL

/* What a route's {id} path segment is. */
typedef enum {
  IJ_ID_NONE, /* the route has no {id} */
  IJ_ID_UUID, /* a UUID: any other segment is 404 "no <resource> with this id" */
  IJ_ID_NAME, /* a name the handler checks itself (a dashboard file) */
  IJ_ID_AREA, /* an area's code ({area}): the caller's own, any other is 404 "no area ..." */
  /* an area's code ({area}) on a route without our token (there is no caller's area): any code
   * of an area's length; the handler's operation says 404 for an area it does not know */
  IJ_ID_ANY_AREA
} ij_id_kind;

/* A row of the route table. Like a command table, it carries what every request of the route is
 * checked for before its handler runs, so that handlers do not repeat it; the dispatcher checks,
 * after authentication and the body's size, in this order: the permission (403), the Accept
 * header against the media types (406), the query parameters (422), the {id} (404). A check that
 * depends on the request (a scope asked for in the query, whose records a role may see) stays in
 * the handler, after these. */
typedef struct ij_route {
  const char *method;
  const char *path; /* as in openapi/openapi.yaml: /v1/referrals/{id} */
  ij_handler handler;
  bool authenticated;
  bool personal;            /* returns or changes people's data: 2xx answers go to the access log */
  ij_action action;         /* the permission the caller's roles need, or IJ_NO_ACTION */
  const char *const *query; /* the query parameters accepted (NULL-terminated), or IJ_ANY_QUERY */
  const char *resource;     /* what {id} names ("referral"): the <resource> of 404s and 412s */
  ij_id_kind id;
  /* the media types its answers other than errors have (NULL-terminated, lower case, no
   * parameters), the default first, or IJ_MEDIA_PER_RESOURCE; errors are problem documents */
  const char *const *media;
} ij_route;

/* ---- Idempotency-Key on the writes a client may retry (idempotency.c) ---- */
/* The routes whose requests the dispatcher answers once per Idempotency-Key ("POST
 * /v1/bookings/{id}/sign-in", ...; NULL-terminated, borrowed). A list beside the route table
 * rather than a column of it: its rows are positional, so a new column would have to be written
 * in every row, also in the rows other changes add; tests/unit/test_routes.c holds the list to
 * the table. POST /v1/referrals is not in it: it keeps its key in the referral's transaction. */
extern const char *const ij_idem_routes[];
/* Whether the route is one of ij_idem_routes. */
bool ij_idem_route(const ij_route *route);
/* What the dispatcher keeps of a request's key between before and after its handler. */
typedef struct {
  bool claimed; /* the key is the request's: its answer is kept (or forgotten) after the handler */
  ij_time_us claimed_at;
  char key[IJ_IDEM_KEY_MAX + 1];
  char hash[65];
  char route[96];
} ij_idem_call;
/* Before the handler of an idempotent route: no Idempotency-Key, or a key claimed for this
 * request, true (the handler runs); a key that is not valid (422), one used with another request
 * (422 idempotency_mismatch), one whose first request is still running after a bounded wait (409
 * with Retry-After) or whose answer is kept (the answer, with Idempotent-Replayed: true), false,
 * the answer sent. */
bool ij_idem_before(ij_ctx *ctx, ij_idem_call *call);
/* After the handler: keeps the answer it sent for the key claimed, or forgets the claim when its
 * status is not kept. */
void ij_idem_after(ij_ctx *ctx, ij_idem_call *call);
/* The body hash of POST /v1/referrals (hex SHA-256 of the body alone): false when it cannot be
 * made. */
bool ij_idem_body_hash(ij_ctx *ctx, char out[65]);

/* The route table (server.c). */
extern const ij_route ij_routes[];
extern const int ij_routes_count;

/* ---- metrics (metrics.c) ---- */
/* Counters for every route of the table (owned: ij_metrics_free); NULL when out of memory. */
ij_metrics *ij_metrics_new(void);
void ij_metrics_free(ij_metrics *metrics);
/* Counts one answered request: route NULL when none matched (counted by method then). Lock-free;
 * any thread. */
void ij_metrics_observe(ij_metrics *metrics, const ij_route *route, const char *method, int status,
                        long long duration_us);

/* Notes a referral (canonical UUID, borrowed) whose person's data the request returned or
 * changed: consulted for GET, altered otherwise. The dispatcher writes the access log for the
 * whole request after a 2xx answer on a personal route. Repeats are noted once. */
void ij_ctx_accessed(ij_ctx *ctx, const char *referral_id);
/* As ij_ctx_accessed, for data disclosed to a third party (a victim's contact in a notice). */
void ij_ctx_disclosed(ij_ctx *ctx, const char *referral_id);
/* As ij_ctx_accessed, for data disclosed in answer to a subject access request. */
void ij_ctx_subject_access(ij_ctx *ctx, const char *referral_id);

/* Where and when the request's operation runs: the caller's area, the request id, the request's
 * clock and the configured area rules. */
ij_op_ctx ij_ctx_op(const ij_ctx *ctx);

/* A database connection for this request; on failure the problem is sent and NULL returned. */
ij_conn *ij_ctx_conn(ij_ctx *ctx);
/* A connection for read-only statements that may see data a little behind the primary's (the
 * statistics; never a read after this caller's own write): the read pool's when one is configured
 * and its server is at most read_max_lag_seconds behind, else the primary's (ij_ctx_conn). Sets
 * ctx->read. On failure the problem is sent and NULL returned (read_routing.c). */
ij_conn *ij_ctx_read_conn(ij_ctx *ctx);
/* After the read connection's statements failed with `err`: when they ran on the replica and it
 * could not serve them (unreachable, or a recovery conflict cancelled them: 40001), the replica is
 * set aside as unreachable, ctx->read says the primary, and the primary's connection is returned
 * to run them once more; else NULL (send the problem of err). */
ij_conn *ij_ctx_read_retry(ij_ctx *ctx, ij_err err);
/* ctx->read as the `freshness` member of a response (a new reference). */
json_t *ij_read_freshness_json(const ij_ctx *ctx);

/* ---- responses ---- */
/* Sends a JSON body (takes the reference). */
void ij_send_json(ij_ctx *ctx, int status, json_t *body);
/* Sends text already serialised as JSON (borrowed). */
void ij_send_raw_json(ij_ctx *ctx, int status, const char *body);
void ij_set_header(ij_ctx *ctx, const char *name, const char *value);
/* RFC 9457 problem for an error; detail may be NULL (the error's message), errs may be NULL. */
void ij_send_problem(ij_ctx *ctx, ij_err err, const char *detail, const ij_field_errors *errs);
/* As ij_send_problem, with the allowed events (a mask of 1u << ij_event) for 409 transitions. */
void ij_send_problem_events(ij_ctx *ctx, ij_err err, const char *detail,
                            const ij_field_errors *errs, unsigned allowed_events);
int ij_err_status(ij_err err);

/* ---- requests ---- */
const char *ij_header(ij_ctx *ctx, const char *name);
/* The index in types (NULL-terminated, borrowed) of the one the Accept header prefers
 * (ij_accept_choose: the first when there is no Accept); -1, with 406 sent naming the types, when
 * it rules out every one. The dispatcher calls it with the route's media types. */
int ij_negotiate(ij_ctx *ctx, const char *const *types);
/* The body as a JSON object: 415 without a JSON content type, 400 when it does not parse or is
 * not an object. On failure the problem is sent and NULL returned. */
json_t *ij_body_object(ij_ctx *ctx);
/* The value of a query parameter, or NULL. */
const char *ij_query(ij_ctx *ctx, const char *key);
/* Refuses (422, sent) query parameters other than those listed (NULL-terminated); false then.
 * The dispatcher calls it with the route's list. */
bool ij_query_only(ij_ctx *ctx, const char *const *allowed);
/* Authorises an action for the caller; sends 403 and returns false when not allowed. The
 * dispatcher calls it with the route's action; a handler, for a permission that depends on the
 * request. */
bool ij_require(ij_ctx *ctx, ij_action action);
/* limit: absent -> def; 1..max else a field error. */
bool ij_query_limit(ij_ctx *ctx, int def, int max, int *out, ij_field_errors *errs);
/* The If-Match header, "N" or N, as the version the caller read: true with *version set to it,
 * or to -2 when the header names no version (it then matches none: the handler answers 412, or
 * 404 when there is no such record); false, with 428 "send If-Match with the ETag of the
 * <resource> you read" sent, when there is no If-Match. */
bool ij_if_match(ij_ctx *ctx, int *version);
/* The start of a handler with a body: errs initialised; the If-Match version into *expected
 * (ij_if_match) unless expected is NULL; the body (ij_body_object), its members not in fields
 * (NULL-terminated; NULL: the handler checks them) added to errs. NULL when the request was
 * refused (sent); else the body, the caller's to release. */
json_t *ij_request_body(ij_ctx *ctx, int *expected, const char *const *fields,
                        ij_field_errors *errs);
/* Query filters: the value, or NULL when absent or not valid (a field error is added then).
 * ward: ij_code_ok; type: ij_placement_type_ok; supervisor: ij_subject_ok. */
const char *ij_query_ward(ij_ctx *ctx, ij_field_errors *errs);
const char *ij_query_placement_type(ij_ctx *ctx, ij_field_errors *errs);
const char *ij_query_supervisor(ij_ctx *ctx, ij_field_errors *errs);
/* The cursor query parameter of a keyset list, "<microseconds>.<uuid>" (opaque to clients), into
 * *at and id: *has set when it is one, a field error added when it is given and not one (*at or id
 * may have been written then). */
void ij_query_cursor(ij_ctx *ctx, ij_time_us *at, char id[IJ_UUID_BUF], bool *has,
                     ij_field_errors *errs);

/* ---- shared response pieces ---- */
/* Sends 422 with the field errors (borrowed) when there are any; true then. */
bool ij_send_invalid(ij_ctx *ctx, const ij_field_errors *errs);
/* The request's connection once its decoding is done: NULL, with 422 sent, when errs (borrowed)
 * has any; else ij_ctx_conn's. */
ij_conn *ij_ctx_conn_valid(ij_ctx *ctx, const ij_field_errors *errs);
/* An error of the store or of ops as a problem, the route's resource named: 404 "no <resource>
 * with this id", 409 with the first field error as its detail, 412 "the <resource> has changed
 * since you read it; read it again and retry"; otherwise the error's own. errs (borrowed, may be
 * NULL) are listed when there are any. */
void ij_send_store_error(ij_ctx *ctx, ij_err err, const ij_field_errors *errs);
/* Sends 200 {"items": items, "next_cursor": next_cursor} (takes both references). */
void ij_send_page(ij_ctx *ctx, json_t *items, json_t *next_cursor);
/* The next_cursor of a store page (any with count, items and more; a new reference): null when no
 * page follows, else cursor_of(a pointer to its last item), the list's cursor after an item. */
#define IJ_NEXT_CURSOR(page, cursor_of) \
  ((page).more && (page).count > 0 ? (cursor_of)(&(page).items[(page).count - 1]) : json_null())
/* Sets the ETag header to the version, quoted. */
void ij_set_etag(ij_ctx *ctx, int version);

/* ---- cursors and codes ---- */
/* The keyset cursor "<at>.<id>" (as ij_query_cursor reads it), as text and as a new JSON string. */
#define IJ_CURSOR_BUF 96
void ij_cursor_text(ij_time_us at, const char *id, char out[IJ_CURSOR_BUF]);
json_t *ij_cursor_json(ij_time_us at, const char *id);
/* A ward code: 1 to IJ_MAX_CODE of a-z, 0-9, '_' and '-'. */
bool ij_code_ok(const char *s);
/* One of IJ_PLACEMENT_TYPE_LIST. */
bool ij_placement_type_ok(const char *s);
/* A supervisor's subject: 1 to IJ_MAX_SUPERVISOR bytes, no control characters. */
bool ij_subject_ok(const char *s);

/* A referral summary, the shape GET /v1/referrals and the referral work lists list (referrals.c;
 * a new reference, NULL when it cannot be made). */
json_t *ij_referral_summary_json(const ij_referral *r, ij_time_us now);
/* Sends a referral's full representation with its ETag (referrals.c). */
void ij_send_referral(ij_ctx *ctx, int status, const ij_referral *r);
/* A representation written with the JSON text writer; a failed writer's is a 500. */
void ij_send_jw(ij_ctx *ctx, int status, const ij_jw *w);

/* ---- JSON decoding with field errors ---- */
/* Unknown members of obj (not in allowed, NULL-terminated) become field errors "<prefix>key". */
void ij_json_unknown(json_t *obj, const char *prefix, const char *const *allowed,
                     ij_field_errors *errs);
/* Reads a string member: NULL when absent or null; a field error when another type. */
const char *ij_json_str(json_t *obj, const char *prefix, const char *key, ij_field_errors *errs);
/* Reads a boolean member: -1 absent/null, 0, 1; a field error when another type. */
int ij_json_bool(json_t *obj, const char *prefix, const char *key, ij_field_errors *errs);
/* Reads an integer member into *out; false when absent/null or wrong type (error added). */
bool ij_json_int(json_t *obj, const char *prefix, const char *key, int *out, ij_field_errors *errs);
/* An object member, NULL when absent/null; a field error when another type. */
json_t *ij_json_obj(json_t *obj, const char *prefix, const char *key, ij_field_errors *errs);

/* Members of obj that are present but null, other than those `nullable` names (comma-separated;
 * may be NULL), become field
 * errors "<prefix>key: must not be null". */
void ij_json_refuse_nulls(json_t *obj, const char *prefix, const char *nullable,
                          ij_field_errors *errs);

/* JSON values for optional strings and times. */
json_t *ij_json_str_or_null(const char *s);
json_t *ij_json_time(ij_time_us t);
json_t *ij_json_time_or_null(ij_time_us t);
json_t *ij_json_date(ij_date d);

/* ---- handlers ---- */
void ij_h_healthz(ij_ctx *ctx);
void ij_h_readyz(ij_ctx *ctx);
void ij_h_metrics(ij_ctx *ctx);
void ij_h_me(ij_ctx *ctx);
void ij_h_wards(ij_ctx *ctx);
void ij_h_reason_codes(ij_ctx *ctx);
void ij_h_referral_create(ij_ctx *ctx);
void ij_h_referral_list(ij_ctx *ctx);
void ij_h_referral_get(ij_ctx *ctx);
void ij_h_referral_transition(ij_ctx *ctx);
void ij_h_referral_events(ij_ctx *ctx);
void ij_h_referral_amend(ij_ctx *ctx);
void ij_h_people_search(ij_ctx *ctx);
void ij_h_person_get(ij_ctx *ctx);
void ij_h_subject_access(ij_ctx *ctx); /* subject_access.c */

/* placements and sessions (placements.c, sessions.c) */
void ij_h_placement_create(ij_ctx *ctx);
void ij_h_placement_list(ij_ctx *ctx);
void ij_h_placement_get(ij_ctx *ctx);
void ij_h_placement_update(ij_ctx *ctx);
void ij_h_session_create(ij_ctx *ctx);
void ij_h_placement_sessions(ij_ctx *ctx);
void ij_h_session_list(ij_ctx *ctx);
void ij_h_session_get(ij_ctx *ctx);
void ij_h_session_update(ij_ctx *ctx);

/* bookings and attendance (bookings.c) */
void ij_h_booking_create(ij_ctx *ctx);
void ij_h_referral_bookings(ij_ctx *ctx);
void ij_h_session_suggestions(ij_ctx *ctx);
void ij_h_booking_get(ij_ctx *ctx);
void ij_h_booking_outcome(ij_ctx *ctx);
void ij_h_session_walk_in(ij_ctx *ctx);  /* bookings.c */
void ij_h_session_register(ij_ctx *ctx); /* register.c */
/* shared with attendance.c: the caller's supervisor scope (NULL: every booking), a booking as
 * JSON, sending one (ETag, access log), and an outcome's fields from a request body (the outcome
 * defaults to default_outcome, may be NULL: required) */
const char *ij_booking_scope(const ij_ctx *ctx);
json_t *ij_booking_json(const ij_booking *b, const ij_rows *outcomes);
void ij_send_booking(ij_ctx *ctx, const ij_booking_view *v, int status);
void ij_outcome_decode(json_t *body, const char *default_outcome, ij_outcome_input *in,
                       ij_field_errors *errs);
/* The answer to an operation on a booking: 200 with it (ij_send_booking), or the problem of err
 * (errs may be NULL), with the booking's current version as the ETag of a 412 when current is
 * not NULL; clears v. */
void ij_send_booking_result(ij_ctx *ctx, ij_err err, ij_booking_view *v, const int *current,
                            const ij_field_errors *errs);

/* attendance on site (attendance.c) */
void ij_h_booking_sign_in(ij_ctx *ctx);
void ij_h_booking_sign_out(ij_ctx *ctx);
void ij_h_session_outcomes(ij_ctx *ctx);

/* work lists and notices (worklists.c, notices.c) */
void ij_h_worklist_triage(ij_ctx *ctx);
void ij_h_worklist_overdue(ij_ctx *ctx);
void ij_h_worklist_sessions(ij_ctx *ctx);
void ij_h_worklist_outcomes_due(ij_ctx *ctx);
void ij_h_notice_list(ij_ctx *ctx);

/* commissioners' statistics and dashboard (stats.c, dashboard.c) */
void ij_h_stats_summary(ij_ctx *ctx);
void ij_h_stats_reoffending(ij_ctx *ctx);
void ij_h_stats_quarterly(ij_ctx *ctx); /* stats_quarterly.c */
/* A rate as JSON: value, ci_low, ci_high (its 95% Wilson interval, 4 decimals), numerator,
 * denominator, suppressed; nulls where suppression hides them (new reference). */
json_t *ij_stats_rate_json(const ij_stat_rate *r);
void ij_h_stats_areas(ij_ctx *ctx); /* stats_areas.c */

/* The statistics' common query (period and filters), as the summary reads it (stats.c). */
typedef struct {
  ij_stats_filter f; /* f.area: the token's area */
  ij_suppress_rules rules;
  bool csv; /* the answer is CSV (the path or the Accept header) */
  const char *age_band;
} ij_stats_query;
/* Decodes the query; sends 403/422 and returns false when it cannot serve. */
bool ij_stats_query_of(ij_ctx *ctx, ij_stats_query *q);
/* A turn among the statistics requests reading at once; false: 503 sent. Pair with
 * ij_stats_leave. */
bool ij_stats_enter(ij_ctx *ctx);
void ij_stats_leave(ij_ctx *ctx);
/* The summary's referrals and main rates, suppressed exactly as the summary suppresses them. */
typedef struct {
  ij_stat_cell referrals;
  ij_stat_rate acceptance, within_target, completion, non_compliance, attendance;
} ij_stats_main;
bool ij_stats_main_of(const ij_suppress_rules *rules, const ij_stats_summary *s,
                      ij_stats_main *out);
void ij_h_dashboard(ij_ctx *ctx);
void ij_h_dashboard_asset(ij_ctx *ctx);
void ij_h_app(ij_ctx *ctx);
void ij_h_app_worker(ij_ctx *ctx);

/* the personal-data access log (access_log.c) */
void ij_h_access_log_list(ij_ctx *ctx);
/* webhooks.c */
void ij_h_webhook_get(ij_ctx *ctx);
void ij_h_webhook_put(ij_ctx *ctx);
/* Notify's delivery receipts (notify_receipts.c) */
void ij_h_notify_receipt(ij_ctx *ctx);
void ij_h_notify_settings_get(ij_ctx *ctx);
void ij_h_notify_settings_put(ij_ctx *ctx);
void ij_h_notify_templates_get(ij_ctx *ctx);
void ij_h_notify_templates_put(ij_ctx *ctx);

/* non-associations (non_associations.c) */
void ij_h_non_association_create(ij_ctx *ctx);
void ij_h_non_association_list(ij_ctx *ctx);
void ij_h_non_association_get(ij_ctx *ctx);
void ij_h_non_association_end(ij_ctx *ctx);

/* reoffending follow-up (followups.c) */
void ij_h_referral_messages(ij_ctx *ctx);
void ij_h_worklist_messages_failed(ij_ctx *ctx);
void ij_h_followup_list(ij_ctx *ctx);
void ij_h_followup_get(ij_ctx *ctx);
void ij_h_followup_record(ij_ctx *ctx);
void ij_h_followup_import(ij_ctx *ctx);
/* A problem whose `errors` list is given as JSON (takes the reference). */
void ij_send_problem_errors(ij_ctx *ctx, ij_err err, const char *detail, json_t *errors);

#endif
