/* The server: libmicrohttpd in epoll mode with a worker pool, one dispatcher for every route. */
#include <arpa/inet.h>
#include <sys/socket.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ij/log.h"
#include "ij/wait.h"
#include "ij/str.h"
#include "internal.h"
#include "overflow.h"
#include "refdata.h"

/* The query parameters a route accepts: none, or those listed. */
static const char *const NO_QUERY[] = {NULL};
#define QUERY(...) ((const char *const[]){__VA_ARGS__, NULL})
static const char *const PAGE_QUERY[] = {"limit", "cursor", NULL};
static const char *const STATS_QUERY[] = {
    "from", "to", "ward", "placement_type", "age_band", "offence_category", "scope", NULL};
/* the quarterly return splits by age itself */
static const char *const QUARTERLY_QUERY[] = {
    "from", "to", "ward", "placement_type", "offence_category", "scope", NULL};
static const char *const STATS_AREAS_QUERY[] = {
    "from", "to", "placement_type", "age_band", "offence_category", NULL};
/* The media types a route answers with, its default first (what metrics.c, stats.c and
 * dashboard.c send as Content-Type, without the parameters). */
static const char *const JSON[] = {"application/json", NULL};
static const char *const JSON_OR_CSV[] = {"application/json", "text/csv", NULL};
static const char *const CSV[] = {"text/csv", NULL};
#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
static const char *const JSON_CSV_OR_XLSX[] = {"application/json", "text/csv", XLSX_TYPE, NULL};
static const char *const XLSX[] = {XLSX_TYPE, NULL};
static const char *const TEXT[] = {"text/plain", NULL};
static const char *const HTML[] = {"text/html", NULL};
static const char *const SCRIPT[] = {"text/javascript", NULL};

/* bytes of libmicrohttpd's memory pool per connection (MHD_OPTION_CONNECTION_MEMORY_LIMIT) */
#define IJ_CONNECTION_MEMORY (16 * 1024)

const ij_route ij_routes[] = {
    /* method, path, handler, authenticated, personal, action, query, resource, {id}, media */
    {"GET", "/healthz", ij_h_healthz, false, false, IJ_NO_ACTION, IJ_ANY_QUERY, NULL, IJ_ID_NONE,
     JSON},
    {"GET", "/readyz", ij_h_readyz, false, false, IJ_NO_ACTION, IJ_ANY_QUERY, NULL, IJ_ID_NONE,
     JSON},
    {"GET", "/metrics", ij_h_metrics, false, false, IJ_NO_ACTION, IJ_ANY_QUERY, NULL, IJ_ID_NONE,
     TEXT},
    {"GET", "/v1/me", ij_h_me, true, false, IJ_NO_ACTION, NO_QUERY, NULL, IJ_ID_NONE, JSON},
    {"GET", "/v1/wards", ij_h_wards, true, false, IJ_NO_ACTION, QUERY("all"), NULL, IJ_ID_NONE,
     JSON},
    {"GET", "/v1/reason-codes", ij_h_reason_codes, true, false, IJ_NO_ACTION, QUERY("kind", "all"),
     NULL, IJ_ID_NONE, JSON},
    {"POST", "/v1/referrals", ij_h_referral_create, true, true, IJ_ACTION_REFERRAL_CREATE, NO_QUERY,
     NULL, IJ_ID_NONE, JSON},
    {"GET", "/v1/referrals", ij_h_referral_list, true, true, IJ_ACTION_REFERRAL_LIST,
     QUERY("state", "ward", "overdue", "mine", "limit", "cursor"), NULL, IJ_ID_NONE, JSON},
    {"GET", "/v1/referrals/{id}", ij_h_referral_get, true, true, IJ_ACTION_REFERRAL_READ, NO_QUERY,
     "referral", IJ_ID_UUID, JSON},
    {"POST", "/v1/referrals/{id}/transitions", ij_h_referral_transition, true, true,
     IJ_ACTION_REFERRAL_TRANSITION, NO_QUERY, "referral", IJ_ID_UUID, JSON},
    {"GET", "/v1/referrals/{id}/events", ij_h_referral_events, true, true, IJ_ACTION_REFERRAL_READ,
     PAGE_QUERY, "referral", IJ_ID_UUID, JSON},
    {"POST", "/v1/referrals/{id}/bookings", ij_h_booking_create, true, true,
     IJ_ACTION_BOOKING_WRITE, NO_QUERY, "referral", IJ_ID_UUID, JSON},
    {"GET", "/v1/referrals/{id}/bookings", ij_h_referral_bookings, true, true,
     IJ_ACTION_BOOKING_READ, NO_QUERY, "referral", IJ_ID_UUID, JSON},
    {"GET", "/v1/referrals/{id}/messages", ij_h_referral_messages, true, true,
     IJ_ACTION_MESSAGE_READ, NO_QUERY, "referral", IJ_ID_UUID, JSON},
    {"GET", "/v1/bookings/{id}", ij_h_booking_get, true, true, IJ_ACTION_BOOKING_READ, NO_QUERY,
     "booking", IJ_ID_UUID, JSON},
    {"POST", "/v1/bookings/{id}/outcome", ij_h_booking_outcome, true, true,
     IJ_ACTION_OUTCOME_RECORD, NO_QUERY, "booking", IJ_ID_UUID, JSON},
    {"POST", "/v1/placements", ij_h_placement_create, true, false, IJ_ACTION_PLACEMENT_WRITE,
     NO_QUERY, NULL, IJ_ID_NONE, JSON},
    {"GET", "/v1/placements", ij_h_placement_list, true, false, IJ_ACTION_PLACEMENT_READ,
     QUERY("type", "ward", "active", "supervisor", "limit", "cursor"), NULL, IJ_ID_NONE, JSON},
    {"GET", "/v1/placements/{id}", ij_h_placement_get, true, false, IJ_ACTION_PLACEMENT_READ,
     NO_QUERY, "placement", IJ_ID_UUID, JSON},
    {"PATCH", "/v1/placements/{id}", ij_h_placement_update, true, false, IJ_ACTION_PLACEMENT_WRITE,
     NO_QUERY, "placement", IJ_ID_UUID, JSON},
    {"POST", "/v1/placements/{id}/sessions", ij_h_session_create, true, false,
     IJ_ACTION_SESSION_WRITE, NO_QUERY, "placement", IJ_ID_UUID, JSON},
    {"GET", "/v1/placements/{id}/sessions", ij_h_placement_sessions, true, false,
     IJ_ACTION_SESSION_READ, QUERY("from", "to", "limit", "cursor"), "placement", IJ_ID_UUID, JSON},
    {"GET", "/v1/sessions", ij_h_session_list, true, false, IJ_ACTION_SESSION_READ,
     QUERY("from", "to", "ward", "type", "supervisor", "placement", "limit", "cursor"), NULL,
     IJ_ID_NONE, JSON},
    {"GET", "/v1/sessions/{id}", ij_h_session_get, true, true, IJ_ACTION_SESSION_READ, NO_QUERY,
     "session", IJ_ID_UUID, JSON},
    {"PATCH", "/v1/sessions/{id}", ij_h_session_update, true, true, IJ_ACTION_SESSION_WRITE,
     NO_QUERY, "session", IJ_ID_UUID, JSON},
    {"GET", "/v1/worklists/triage", ij_h_worklist_triage, true, true, IJ_ACTION_WORKLIST_READ,
     PAGE_QUERY, NULL, IJ_ID_NONE, JSON},
    {"GET", "/v1/worklists/overdue", ij_h_worklist_overdue, true, true, IJ_ACTION_WORKLIST_READ,
     PAGE_QUERY, NULL, IJ_ID_NONE, JSON},
    {"GET", "/v1/worklists/sessions", ij_h_worklist_sessions, true, true, IJ_ACTION_WORKLIST_READ,
     QUERY("day", "limit", "cursor"), NULL, IJ_ID_NONE, JSON},
    {"GET", "/v1/worklists/outcomes-due", ij_h_worklist_outcomes_due, true, true,
     IJ_ACTION_WORKLIST_READ, PAGE_QUERY, NULL, IJ_ID_NONE, JSON},
    {"GET", "/v1/worklists/messages-failed", ij_h_worklist_messages_failed, true, true,
     IJ_ACTION_WORKLIST_READ, NO_QUERY, NULL, IJ_ID_NONE, JSON},
    /* an officer reads only their own referrals' notices: the handler narrows the feed */
    {"GET", "/v1/notices", ij_h_notice_list, true, true, IJ_ACTION_NOTICE_READ,
     QUERY("after", "limit", "referral_id"), NULL, IJ_ID_NONE, JSON},
    {"GET", "/v1/followups", ij_h_followup_list, true, true, IJ_ACTION_FOLLOWUP_READ,
     QUERY("status", "referral_id", "limit", "cursor"), NULL, IJ_ID_NONE, JSON},
    {"POST", "/v1/followups/import", ij_h_followup_import, true, true, IJ_ACTION_FOLLOWUP_WRITE,
     QUERY("dry_run"), NULL, IJ_ID_NONE, JSON},
    {"GET", "/v1/followups/{id}", ij_h_followup_get, true, true, IJ_ACTION_FOLLOWUP_READ, NO_QUERY,
     "follow-up check", IJ_ID_UUID, JSON},
    {"PATCH", "/v1/followups/{id}", ij_h_followup_record, true, true, IJ_ACTION_FOLLOWUP_WRITE,
     NO_QUERY, "follow-up check", IJ_ID_UUID, JSON},
    /* scope=national needs IJ_ACTION_STATS_NATIONAL as well: the handler checks it */
    {"GET", "/v1/stats/summary", ij_h_stats_summary, true, false, IJ_ACTION_STATS_READ, STATS_QUERY,
     NULL, IJ_ID_NONE, JSON_OR_CSV},
    {"GET", "/v1/stats/summary.csv", ij_h_stats_summary, true, false, IJ_ACTION_STATS_READ,
     STATS_QUERY, NULL, IJ_ID_NONE, CSV},
    {"GET", "/v1/stats/reoffending", ij_h_stats_reoffending, true, false, IJ_ACTION_STATS_READ,
     STATS_QUERY, NULL, IJ_ID_NONE, JSON_OR_CSV},
    {"GET", "/v1/stats/reoffending.csv", ij_h_stats_reoffending, true, false, IJ_ACTION_STATS_READ,
     STATS_QUERY, NULL, IJ_ID_NONE, CSV},
    {"GET", "/v1/stats/quarterly", ij_h_stats_quarterly, true, false, IJ_ACTION_STATS_READ,
     QUARTERLY_QUERY, NULL, IJ_ID_NONE, JSON_CSV_OR_XLSX},
    {"GET", "/v1/stats/quarterly.csv", ij_h_stats_quarterly, true, false, IJ_ACTION_STATS_READ,
     QUARTERLY_QUERY, NULL, IJ_ID_NONE, CSV},
    {"GET", "/v1/stats/quarterly.xlsx", ij_h_stats_quarterly, true, false, IJ_ACTION_STATS_READ,
     QUARTERLY_QUERY, NULL, IJ_ID_NONE, XLSX},
    /* the national commissioner's comparison of areas: no ward (an area's), no scope */
    {"GET", "/v1/stats/areas", ij_h_stats_areas, true, false, IJ_ACTION_STATS_NATIONAL,
     STATS_AREAS_QUERY, NULL, IJ_ID_NONE, JSON_OR_CSV},
    {"GET", "/v1/stats/areas.csv", ij_h_stats_areas, true, false, IJ_ACTION_STATS_NATIONAL,
     STATS_AREAS_QUERY, NULL, IJ_ID_NONE, CSV},
    {"GET", "/v1/access-log", ij_h_access_log_list, true, false, IJ_ACTION_ACCESS_LOG_READ,
     QUERY("person_id", "referral_id", "actor", "limit", "cursor"), NULL, IJ_ID_NONE, JSON},
    {"POST", "/v1/non-associations", ij_h_non_association_create, true, true,
     IJ_ACTION_NON_ASSOCIATION, NO_QUERY, NULL, IJ_ID_NONE, JSON},
    {"GET", "/v1/non-associations", ij_h_non_association_list, true, true,
     IJ_ACTION_NON_ASSOCIATION, QUERY("person_id", "referral_id"), NULL, IJ_ID_NONE, JSON},
    {"GET", "/v1/non-associations/{id}", ij_h_non_association_get, true, true,
     IJ_ACTION_NON_ASSOCIATION, NO_QUERY, "non-association", IJ_ID_UUID, JSON},
    {"DELETE", "/v1/non-associations/{id}", ij_h_non_association_end, true, true,
     IJ_ACTION_NON_ASSOCIATION, QUERY("reason"), "non-association", IJ_ID_UUID, JSON},
    {"PATCH", "/v1/referrals/{id}", ij_h_referral_amend, true, true, IJ_ACTION_REFERRAL_AMEND,
     NO_QUERY, "referral", IJ_ID_UUID, JSON},
    {"GET", "/v1/people", ij_h_people_search, true, true, IJ_ACTION_PERSON_READ,
     QUERY("name", "police_id", "dob", "postcode", "limit", "cursor"), NULL, IJ_ID_NONE, JSON},
    {"GET", "/v1/people/{id}", ij_h_person_get, true, true, IJ_ACTION_PERSON_READ, NO_QUERY,
     "person", IJ_ID_UUID, JSON},
    /* the right of access: everything held about the person, as JSON or one CSV file, logged as
     * subject_access (subject_access.c) */
    {"GET", "/v1/people/{id}/subject-access", ij_h_subject_access, true, true,
     IJ_ACTION_SUBJECT_ACCESS, NO_QUERY, "person", IJ_ID_UUID, JSON_OR_CSV},
    {"GET", "/v1/people/{id}/subject-access.csv", ij_h_subject_access, true, true,
     IJ_ACTION_SUBJECT_ACCESS, NO_QUERY, "person", IJ_ID_UUID, CSV},
    /* reference data, maintained by the area's admins (refdata.c); a named {id} negotiates JSON in
     * its handler */
    {"POST", "/v1/wards", ij_h_ward_add, true, false, IJ_ACTION_REFDATA_WRITE, NO_QUERY, NULL,
     IJ_ID_NONE, JSON},
    {"PATCH", "/v1/wards/{id}", ij_h_ward_change, true, false, IJ_ACTION_REFDATA_WRITE, NO_QUERY,
     "ward", IJ_ID_NAME, IJ_MEDIA_PER_RESOURCE},
    {"DELETE", "/v1/wards/{id}", ij_h_ward_delete, true, false, IJ_ACTION_REFDATA_WRITE, NO_QUERY,
     "ward", IJ_ID_NAME, IJ_MEDIA_PER_RESOURCE},
    {"POST", "/v1/reason-codes", ij_h_reason_code_add, true, false, IJ_ACTION_REFDATA_WRITE,
     NO_QUERY, NULL, IJ_ID_NONE, JSON},
    {"PATCH", "/v1/reason-codes/{id}", ij_h_reason_code_change, true, false,
     IJ_ACTION_REFDATA_WRITE, NO_QUERY, "reason code", IJ_ID_NAME, IJ_MEDIA_PER_RESOURCE},
    {"DELETE", "/v1/reason-codes/{id}", ij_h_reason_code_delete, true, false,
     IJ_ACTION_REFDATA_WRITE, NO_QUERY, "reason code", IJ_ID_NAME, IJ_MEDIA_PER_RESOURCE},
    {"GET", "/v1/areas/{id}/rules", ij_h_area_rules_get, true, false, IJ_ACTION_AREA_RULES_READ,
     NO_QUERY, "area", IJ_ID_NAME, IJ_MEDIA_PER_RESOURCE},
    {"PUT", "/v1/areas/{id}/rules", ij_h_area_rules_put, true, false, IJ_ACTION_REFDATA_WRITE,
     NO_QUERY, "area", IJ_ID_NAME, IJ_MEDIA_PER_RESOURCE},
    {"GET", "/v1/supervisors", ij_h_supervisor_list, true, false, IJ_ACTION_SUPERVISOR_READ,
     QUERY("all"), NULL, IJ_ID_NONE, JSON},
    {"POST", "/v1/supervisors", ij_h_supervisor_add, true, false, IJ_ACTION_SUPERVISOR_WRITE,
     NO_QUERY, NULL, IJ_ID_NONE, JSON},
    {"PATCH", "/v1/supervisors/{id}", ij_h_supervisor_change, true, false,
     IJ_ACTION_SUPERVISOR_WRITE, NO_QUERY, "supervisor", IJ_ID_NAME, IJ_MEDIA_PER_RESOURCE},
    {"GET", "/v1/reference-changes", ij_h_reference_changes, true, false,
     IJ_ACTION_REFDATA_AUDIT_READ, QUERY("entity", "limit", "cursor"), NULL, IJ_ID_NONE, JSON},
    {"POST", "/v1/sessions/{id}/walk-ins", ij_h_session_walk_in, true, true, IJ_ACTION_WALK_IN,
     NO_QUERY, "session", IJ_ID_UUID, JSON},
    {"GET", "/v1/sessions/{id}/register", ij_h_session_register, true, true,
     IJ_ACTION_REGISTER_READ, NO_QUERY, "session", IJ_ID_UUID, JSON},
    {"POST", "/v1/bookings/{id}/sign-in", ij_h_booking_sign_in, true, true,
     IJ_ACTION_OUTCOME_RECORD, NO_QUERY, "booking", IJ_ID_UUID, JSON},
    {"POST", "/v1/bookings/{id}/sign-out", ij_h_booking_sign_out, true, true,
     IJ_ACTION_OUTCOME_RECORD, NO_QUERY, "booking", IJ_ID_UUID, JSON},
    {"POST", "/v1/sessions/{id}/outcomes", ij_h_session_outcomes, true, true,
     IJ_ACTION_OUTCOME_RECORD, NO_QUERY, "session", IJ_ID_UUID, JSON},
    {"GET", "/v1/areas/{area}/webhook", ij_h_webhook_get, true, false, IJ_ACTION_WEBHOOK_ADMIN,
     NO_QUERY, "area", IJ_ID_AREA, JSON},
    {"PUT", "/v1/areas/{area}/webhook", ij_h_webhook_put, true, false, IJ_ACTION_WEBHOOK_ADMIN,
     NO_QUERY, "area", IJ_ID_AREA, JSON},
    /* Notify's delivery receipts: Notify carries the area's callback token, not one of our
     * tokens, so the handler's operation checks it and the area (any area the service knows) */
    {"POST", "/v1/areas/{area}/notify/receipts", ij_h_notify_receipt, false, false, IJ_NO_ACTION,
     NO_QUERY, "area", IJ_ID_ANY_AREA, JSON},
    /* an area's GOV.UK Notify service: its admins, as for the webhook */
    {"GET", "/v1/areas/{area}/notify", ij_h_notify_settings_get, true, false,
     IJ_ACTION_WEBHOOK_ADMIN, NO_QUERY, "Notify service", IJ_ID_AREA, JSON},
    {"PUT", "/v1/areas/{area}/notify", ij_h_notify_settings_put, true, false,
     IJ_ACTION_WEBHOOK_ADMIN, NO_QUERY, "Notify service", IJ_ID_AREA, JSON},
    {"GET", "/v1/areas/{area}/message-templates", ij_h_notify_templates_get, true, false,
     IJ_ACTION_WEBHOOK_ADMIN, NO_QUERY, "area", IJ_ID_AREA, JSON},
    {"PUT", "/v1/areas/{area}/message-templates", ij_h_notify_templates_put, true, false,
     IJ_ACTION_WEBHOOK_ADMIN, NO_QUERY, "area", IJ_ID_AREA, JSON},
    /* suggestions serve booking: those who may book read them (a read, logged as one) */
    {"GET", "/v1/referrals/{id}/session-suggestions", ij_h_session_suggestions, true, true,
     IJ_ACTION_BOOKING_WRITE, QUERY("limit"), "referral", IJ_ID_UUID, JSON},
    {"GET", "/dashboard", ij_h_dashboard, false, false, IJ_NO_ACTION, IJ_ANY_QUERY, NULL,
     IJ_ID_NONE, HTML},
    {"GET", "/dashboard/assets/{id}", ij_h_dashboard_asset, false, false, IJ_NO_ACTION,
     IJ_ANY_QUERY, "dashboard asset", IJ_ID_NAME, IJ_MEDIA_PER_RESOURCE},
    {"GET", "/app", ij_h_app, false, false, IJ_NO_ACTION, IJ_ANY_QUERY, NULL, IJ_ID_NONE, HTML},
    {"GET", "/app/sw.js", ij_h_app_worker, false, false, IJ_NO_ACTION, IJ_ANY_QUERY, NULL,
     IJ_ID_NONE, SCRIPT},
    {"GET", "/app/assets/{id}", ij_h_dashboard_asset, false, false, IJ_NO_ACTION, IJ_ANY_QUERY,
     "page file", IJ_ID_NAME, IJ_MEDIA_PER_RESOURCE},
};
const int ij_routes_count = (int)(sizeof ij_routes / sizeof ij_routes[0]);

void ij_http_print_routes(FILE *out) {
  for (int i = 0; i < ij_routes_count; i++)
    fprintf(out, "%s %s\n", ij_routes[i].method, ij_routes[i].path);
}

static ij_time_us clock_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (ij_time_us)ts.tv_sec * IJ_US_PER_SECOND + ts.tv_nsec / 1000;
}

static long long monotonic_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Probes and scrapes that succeed are logged at debug, so that they do not drown the log. */
static bool is_probe(const ij_route *route) {
  return route && !route->authenticated &&
         (strcmp(route->path, "/healthz") == 0 || strcmp(route->path, "/readyz") == 0 ||
          strcmp(route->path, "/metrics") == 0);
}

/* The access line: method, route template (never the path, whose ids and query stay out of the
 * log), status, duration and the caller's area and subject when authenticated. */
static void log_request(const ij_ctx *ctx, const char *method, int status, long long duration_us) {
  ij_log_level level = status >= 500                          ? IJ_LOG_WARN
                       : status < 400 && is_probe(ctx->route) ? IJ_LOG_DEBUG
                                                              : IJ_LOG_INFO;
  if (!ij_log_enabled(level))
    return;
  bool authenticated = ctx->actor.area != NULL;
  ij_log_field fields[] = {
      {"method", IJ_LOG_FIELD_STR, method, 0, 0},
      {"route", IJ_LOG_FIELD_STR, ctx->route ? ctx->route->path : NULL, 0, 0},
      {"status", IJ_LOG_FIELD_INT, NULL, status, 0},
      {"duration_ms", IJ_LOG_FIELD_MS, NULL, 0, (double)duration_us / 1000.0},
      {"area", IJ_LOG_FIELD_STR, authenticated ? ctx->actor.area : NULL, 0, 0},
      {"sub", IJ_LOG_FIELD_STR, authenticated ? ctx->actor.sub : NULL, 0, 0},
  };
  ij_log_write_fields(level, fields, (int)(sizeof fields / sizeof fields[0]), "request");
}

static bool request_id_ok(const char *s) {
  size_t n = 0;
  for (; s[n]; n++) {
    char c = s[n];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_' || c == '.'))
      return false;
  }
  return n >= 1 && n < IJ_REQUEST_ID_MAX;
}

/* Compares a request path with a route pattern segment by segment; {id} captures one segment. */
static bool path_matches(const char *pattern, const char *path, char *id, size_t id_size) {
  while (*pattern && *path) {
    if (*pattern != '/' || *path != '/')
      return false;
    pattern++;
    path++;
    const char *pe = strchr(pattern, '/');
    const char *se = strchr(path, '/');
    size_t plen = pe ? (size_t)(pe - pattern) : strlen(pattern);
    size_t slen = se ? (size_t)(se - path) : strlen(path);
    if (plen > 0 && pattern[0] == '{') {
      if (slen == 0 || slen >= id_size)
        return false;
      memcpy(id, path, slen);
      id[slen] = 0;
    } else if (plen != slen || strncmp(pattern, path, plen) != 0) {
      return false;
    }
    pattern += plen;
    path += slen;
  }
  return *pattern == 0 && (*path == 0 || strcmp(path, "/") == 0);
}

static int hexval(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Percent-decodes (and '+' to space) in place; false for a bad escape or a NUL byte. */
static bool url_decode(char *s) {
  char *w = s;
  for (char *r = s; *r; r++) {
    if (*r == '+') {
      *w++ = ' ';
    } else if (*r == '%') {
      int h = r[1] ? hexval(r[1]) : -1, l = (h >= 0 && r[2]) ? hexval(r[2]) : -1;
      if (h < 0 || l < 0 || (h == 0 && l == 0))
        return false;
      *w++ = (char)(h * 16 + l);
      r += 2;
    } else {
      *w++ = *r;
    }
  }
  *w = 0;
  return true;
}

/* The query string, parsed from the raw URL (ulfius mixes route and query values in one map). */
static bool parse_query(ij_ctx *ctx) {
  const char *url = ctx->req->http_url;
  const char *q = url ? strchr(url, '?') : NULL;
  if (!q)
    return true;
  char *copy = strdup(q + 1);
  if (!copy)
    return false;
  bool ok = true;
  char *save = NULL;
  for (char *part = strtok_r(copy, "&", &save); part; part = strtok_r(NULL, "&", &save)) {
    if (ctx->nquery == IJ_MAX_QUERY) {
      ctx->query_overflow = true;
      break;
    }
    char *eq = strchr(part, '=');
    if (eq)
      *eq = 0;
    char *key = strdup(part), *value = strdup(eq ? eq + 1 : "");
    if (!key || !value) {
      free(key);
      free(value);
      ok = false;
      break;
    }
    ctx->query[ctx->nquery].key = key;
    ctx->query[ctx->nquery].value = value;
    ctx->nquery++;
    if (!url_decode(key) || !url_decode(value))
      ok = false;
  }
  free(copy);
  return ok;
}

static void free_query(ij_ctx *ctx) {
  for (int i = 0; i < ctx->nquery; i++) {
    free(ctx->query[i].key);
    free(ctx->query[i].value);
  }
  ctx->nquery = 0;
}

ij_op_ctx ij_ctx_op(const ij_ctx *ctx) {
  return (ij_op_ctx){ctx->actor.area, ctx->request_id, ctx->now, &ctx->server->opts.area_defaults};
}

ij_conn *ij_ctx_conn(ij_ctx *ctx) {
  if (ctx->conn)
    return ctx->conn;
  ij_err err = ij_store_acquire(ctx->server->store, &ctx->conn);
  if (err != IJ_OK) {
    ij_send_problem(ctx, err, "the database is not available; try again shortly", NULL);
    return NULL;
  }
  /* row-level security: the request's statements see only the verified token's area */
  ij_store_scope(ctx->conn, ctx->actor.area);
  return ctx->conn;
}

static void note_access(ij_ctx *ctx, const char *referral_id, ij_access_kind kind) {
  if (!referral_id || !referral_id[0])
    return;
  for (int i = 0; i < ctx->naccessed; i++)
    if (ctx->accessed_kind[i] == kind && strcmp(ctx->accessed[i], referral_id) == 0)
      return;
  if (ctx->naccessed == IJ_ACCESS_MAX) {
    ctx->accessed_lost++;
    return;
  }
  ij_str_copy(ctx->accessed[ctx->naccessed], IJ_UUID_BUF, referral_id);
  ctx->accessed_kind[ctx->naccessed] = (unsigned char)kind;
  ctx->naccessed++;
}

void ij_ctx_accessed(ij_ctx *ctx, const char *referral_id) {
  note_access(ctx, referral_id, IJ_ACCESS_BY_METHOD);
}

void ij_ctx_disclosed(ij_ctx *ctx, const char *referral_id) {
  note_access(ctx, referral_id, IJ_ACCESS_DISCLOSED);
}

void ij_ctx_subject_access(ij_ctx *ctx, const char *referral_id) {
  note_access(ctx, referral_id, IJ_ACCESS_SUBJECT_ACCESS);
}

/* The access log of a request that answered 2xx on a personal route: one row per referral it
 * noted, queued for the audit thread, which writes them in batches (so that a read stays a read:
 * no write transaction per request). A failure to write is logged at error level. */
static void record_access(ij_ctx *ctx, int status) {
  if (!ctx->route || !ctx->route->personal || status < 200 || status > 299 || !ctx->actor.area ||
      (ctx->naccessed == 0 && ctx->accessed_lost == 0))
    return;
  const char *by_method = strcmp(ctx->req->http_verb, "GET") == 0 ? "consult" : "alter";
  const char *ids[IJ_ACCESS_MAX], *actions[IJ_ACCESS_MAX];
  for (int i = 0; i < ctx->naccessed; i++) {
    ids[i] = ctx->accessed[i];
    actions[i] = ctx->accessed_kind[i] == IJ_ACCESS_DISCLOSED        ? "disclose"
                 : ctx->accessed_kind[i] == IJ_ACCESS_SUBJECT_ACCESS ? "subject_access"
                                                                     : by_method;
  }
  char roles[96] = "";
  for (ij_roles bit = 1; bit <= IJ_ROLE_SYSTEM; bit <<= 1) {
    const char *name = (ctx->actor.roles & bit) ? ij_role_name(bit) : NULL;
    if (name) {
      size_t used = strlen(roles);
      snprintf(roles + used, sizeof roles - used, "%s%s", used ? "," : "", name);
    }
  }
  ij_access_record rec = {
      ctx->actor.area,     ctx->now,        ctx->actor.sub, roles, ctx->route->path,
      ctx->req->http_verb, ctx->request_id, ctx->naccessed, ids,   actions};
  /* queued, written by the audit thread within IJ_AUDIT_INTERVAL_MS (audit.c) */
  ij_audit_enqueue(ctx->server->audit, &rec);
  if (ctx->accessed_lost > 0)
    ij_log(IJ_LOG_ERROR,
           "audit: %d referrals of %s %s beyond %d were not written to the access log",
           ctx->accessed_lost, ctx->req->http_verb, ctx->route->path, IJ_ACCESS_MAX);
}

static bool authenticate(ij_ctx *ctx) {
  const char *h = ij_header(ctx, "Authorization");
  const char *why = "an Authorization: Bearer token is required";
  if (h && strncasecmp(h, "Bearer ", 7) == 0) {
    const char *token = h + 7;
    while (*token == ' ')
      token++;
    ij_err err = ij_auth_verify(ctx->server->auth, token, ctx->now / IJ_US_PER_SECOND,
                                &ctx->principal, &why);
    if (err == IJ_OK) {
      ctx->actor.sub = ctx->principal.sub;
      ctx->actor.name = ctx->principal.name;
      ctx->actor.area = ctx->principal.area;
      ctx->actor.roles = ctx->principal.roles;
      return true;
    }
    if (err != IJ_ERR_UNAUTHENTICATED) {
      ij_send_problem(ctx, err, NULL, NULL);
      return false;
    }
  }
  ij_set_header(ctx, "WWW-Authenticate", "Bearer realm=\"immediate-justice\"");
  ij_send_problem(ctx, IJ_ERR_UNAUTHENTICATED, why, NULL);
  return false;
}

static bool body_too_large(ij_ctx *ctx) {
  /* file imports have a limit of their own */
  long max = strcmp(ctx->route->path, "/v1/followups/import") == 0
                 ? ctx->server->opts.max_import_bytes
                 : ctx->server->opts.max_body_bytes;
  const char *cl = ij_header(ctx, "Content-Length");
  if (cl && (strlen(cl) > 15 || atol(cl) > max))
    return true;
  return (long)ctx->req->binary_body_length > max;
}

/* What the route's row asks of every request, in the order the handlers relied on: the
 * permission (403), the Accept header (406), the query parameters (422), the {id} (404, the
 * route's resource named), which is then ctx->id. On refusal the problem is sent and false
 * returned. The Accept header comes before the query and the {id}: no answer of the route would
 * be acceptable whatever they were, and after the permission, so that a caller refused the route
 * learns nothing more of it. */
static bool route_allows(ij_ctx *ctx) {
  const ij_route *route = ctx->route;
  if (route->action != IJ_NO_ACTION && !ij_require(ctx, route->action))
    return false;
  if (route->media != IJ_MEDIA_PER_RESOURCE && ij_negotiate(ctx, route->media) < 0)
    return false;
  if (route->query != IJ_ANY_QUERY && !ij_query_only(ctx, route->query))
    return false;
  switch (route->id) {
  case IJ_ID_NONE:
    break;
  case IJ_ID_UUID:
    if (!ij_uuid_canonical(ctx->id_segment, ctx->id_uuid)) {
      ij_send_store_error(ctx, IJ_ERR_NOT_FOUND, NULL);
      return false;
    }
    ctx->id = ctx->id_uuid;
    break;
  case IJ_ID_NAME:
    ctx->id = ctx->id_segment;
    break;
  case IJ_ID_AREA:
    /* another area's records are unknown to the caller, its own settings among them */
    if (!ctx->actor.area || strcmp(ctx->id_segment, ctx->actor.area) != 0) {
      ij_send_store_error(ctx, IJ_ERR_NOT_FOUND, NULL);
      return false;
    }
    ctx->id = ctx->id_segment;
    break;
  case IJ_ID_ANY_AREA:
    if (!ctx->id_segment[0] || strlen(ctx->id_segment) >= IJ_AREA_MAX) {
      ij_send_store_error(ctx, IJ_ERR_NOT_FOUND, NULL);
      return false;
    }
    ctx->id = ctx->id_segment;
    break;
  }
  return true;
}

/* Every request passes here: request id, route, body size, authentication, the route's checks,
 * handler, log. */
static int dispatch(const struct _u_request *req, struct _u_response *res, void *data) {
  ij_server *server = data;
  long long started_us = monotonic_us();
  ij_ctx ctx;
  /* everything but the access list's entries, which naccessed (zero) says are unused: 10 KB a
   * request less to clear */
  memset(&ctx, 0, offsetof(ij_ctx, accessed));
  ctx.req = req;
  ctx.res = res;
  ctx.server = server;
  ctx.now = clock_now();
  const char *rid = u_map_get_case(req->map_header, "X-Request-Id");
  if (rid && request_id_ok(rid)) {
    ij_str_copy(ctx.request_id, sizeof ctx.request_id, rid);
  } else {
    ij_uuid_new(ctx.request_id);
  }
  ij_log_set_request_id(ctx.request_id);
  ij_set_header(&ctx, "X-Request-Id", ctx.request_id);
  ij_set_header(&ctx, "Cache-Control", "no-store");
  ij_set_header(&ctx, "X-Content-Type-Options", "nosniff");
  /* while draining, a kept-alive connection is not offered for another request */
  if (atomic_load(&server->draining))
    ij_set_header(&ctx, "Connection", "close");

  const char *path = req->url_path ? req->url_path : "/";
  const ij_route *route = NULL;
  char allow[64] = "";
  for (int i = 0; i < ij_routes_count; i++) {
    char id[sizeof ctx.id_segment];
    if (!path_matches(ij_routes[i].path, path, id, sizeof id))
      continue;
    if (strcmp(ij_routes[i].method, req->http_verb) == 0) {
      route = &ij_routes[i];
      memcpy(ctx.id_segment, id, sizeof id);
      break;
    }
    size_t used = strlen(allow);
    snprintf(allow + used, sizeof allow - used, "%s%s", used ? ", " : "", ij_routes[i].method);
  }
  ctx.route = route;
  if (!route) {
    if (allow[0]) {
      ij_set_header(&ctx, "Allow", allow);
      ij_send_problem(&ctx, IJ_ERR_METHOD, NULL, NULL);
    } else {
      ij_send_problem(&ctx, IJ_ERR_NOT_FOUND, "no such path", NULL);
    }
    goto done;
  }
  if (!parse_query(&ctx)) {
    ij_send_problem(&ctx, IJ_ERR_MALFORMED, "the query string is not valid", NULL);
    goto done;
  }
  if (route->authenticated && !authenticate(&ctx))
    goto done;
  if (body_too_large(&ctx)) {
    ij_set_header(&ctx, "Connection", "close");
    ij_send_problem(&ctx, IJ_ERR_TOO_LARGE, NULL, NULL);
    goto done;
  }
  if (!route_allows(&ctx))
    goto done;
  ij_idem_call idem = {0};
  if (ij_idem_route(route) && !ij_idem_before(&ctx, &idem))
    goto done;
  route->handler(&ctx);
  ij_idem_after(&ctx, &idem);
done:;
  int status = ctx.status ? ctx.status : (int)res->status;
  record_access(&ctx, status);
  if (ctx.conn)
    ij_store_release(server->store, ctx.conn);
  if (ctx.read_conn)
    ij_store_release(server->reads.store, ctx.read_conn);
  free_query(&ctx);
  long long duration_us = monotonic_us() - started_us;
  ij_metrics_observe(server->metrics, route, req->http_verb, status, duration_us);
  log_request(&ctx, req->http_verb, status, duration_us);
  ij_log_set_request_id(NULL);
  return U_CALLBACK_COMPLETE;
}

/* libmicrohttpd's own messages, as log lines of ours (so that the log stays one format). */
static void mhd_log(void *cls, const char *fmt, va_list ap) {
  (void)cls;
  char msg[512];
  vsnprintf(msg, sizeof msg, fmt, ap);
  size_t n = strlen(msg);
  while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
    msg[--n] = 0;
  ij_log(IJ_LOG_WARN, "libmicrohttpd: %s", msg);
}

/* A connection's inactivity bound, by what it is doing. libmicrohttpd closes a connection that
 * sends nothing for its timeout; one timeout for all would let a client that starts requests and
 * never finishes them hold a connection as long as an idle keep-alive one (60 s by default): a few
 * hundred such connections then fill the limit and the instance stops answering everyone. So a
 * connection is given the short request timeout from its opening and again from each request
 * line until that request is answered, and the idle timeout only between requests. */
static void set_timeout(struct MHD_Connection *connection, int seconds) {
  if (seconds > 0)
    MHD_set_connection_option(connection, MHD_CONNECTION_OPTION_TIMEOUT, (unsigned int)seconds);
}

static int request_timeout(const ij_server *s) {
  return s->opts.request_timeout_seconds > 0 ? s->opts.request_timeout_seconds
                                             : s->opts.connection_timeout_seconds;
}

static void connection_notified(void *cls, struct MHD_Connection *connection, void **socket_context,
                                enum MHD_ConnectionNotificationCode toe) {
  (void)socket_context;
  ij_server *s = cls;
  if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
    ij_overflow_opened(s->overflow);
    set_timeout(connection, request_timeout(cls));
  } else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
    ij_overflow_closed(s->overflow);
  }
}

/* ulfius's own callbacks, wrapped to count the requests in flight: libmicrohttpd calls the URI
 * logger once per request, as its request line arrives, and the completion callback once per
 * such request, when its answer is sent or its connection closed. */
static void *uri_log(void *cls, const char *uri, struct MHD_Connection *connection) {
  atomic_fetch_add(&((ij_server *)cls)->in_flight, 1);
  set_timeout(connection, request_timeout(cls));
  return ulfius_uri_logger(NULL, uri);
}

static void request_completed(void *cls, struct MHD_Connection *connection, void **con_cls,
                              enum MHD_RequestTerminationCode toe) {
  mhd_request_completed(NULL, connection, con_cls, toe);
  if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
    set_timeout(connection, ((ij_server *)cls)->opts.connection_timeout_seconds);
  atomic_fetch_sub(&((ij_server *)cls)->in_flight, 1);
}

ij_err ij_http_start(const ij_http_options *opts, ij_store *store, ij_auth *auth, ij_server **out) {
  return ij_http_start_with_reads(opts, store, NULL, auth, out);
}

ij_err ij_http_start_with_reads(const ij_http_options *opts, ij_store *store,
                                const ij_http_reads *reads, ij_auth *auth, ij_server **out) {
  *out = NULL;
  ij_server *s = calloc(1, sizeof *s);
  if (!s)
    return IJ_ERR_NOMEM;
  atomic_init(&s->in_flight, 0);
  atomic_init(&s->draining, false);
  atomic_init(&s->read_skip_until_us, 0);
  atomic_init(&s->read_skip_reason, 0);
  pthread_mutex_init(&s->stats_mu, NULL);
  ij_cond_init_monotonic(&s->stats_cv);
  s->listen_fd = -1;
  s->opts = *opts;
  if (reads)
    s->reads = *reads;
  ij_str_copy(s->host, sizeof s->host, opts->host);
  s->opts.host = s->host;
  s->store = store;
  s->auth = auth;
  s->metrics = ij_metrics_new();
  s->overflow = ij_overflow_new(opts->max_connections);
  if (!s->metrics || !s->overflow || ij_audit_start(store, &s->audit) != IJ_OK) {
    ij_metrics_free(s->metrics);
    ij_overflow_free(s->overflow);
    free(s);
    return IJ_ERR_NOMEM;
  }
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons((uint16_t)opts->port);
  if (inet_pton(AF_INET, opts->host, &addr.sin_addr) != 1) {
    ij_log(IJ_LOG_ERROR, "listen address %s is not a numeric IPv4 address", opts->host);
    ij_audit_stop(s->audit);
    ij_metrics_free(s->metrics);
    ij_overflow_free(s->overflow);
    free(s);
    return IJ_ERR_INVALID;
  }
  if (ulfius_init_instance(&s->instance, opts->port ? (unsigned)opts->port : 8080, &addr, NULL) !=
      U_OK) {
    ij_audit_stop(s->audit);
    ij_metrics_free(s->metrics);
    ij_overflow_free(s->overflow);
    free(s);
    return IJ_ERR_INTERNAL;
  }
  /* one more byte than allowed, so an oversized body is seen (ulfius truncates silently) */
  s->instance.max_post_body_size =
      (size_t)(opts->max_body_bytes > opts->max_import_bytes ? opts->max_body_bytes
                                                             : opts->max_import_bytes) +
      1;
  ulfius_set_default_endpoint(&s->instance, dispatch, s);

  struct MHD_OptionItem ops[] = {
      {MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, NULL}, /* first, or MHD logs until it */
      {MHD_OPTION_THREAD_POOL_SIZE, opts->threads, NULL},
      {MHD_OPTION_SOCK_ADDR, 0, &addr},
      {MHD_OPTION_CONNECTION_TIMEOUT, opts->connection_timeout_seconds, NULL},
      {MHD_OPTION_CONNECTION_LIMIT, opts->max_connections, NULL},
      /* each connection's buffer for a request's head and the response's: libmicrohttpd clears
       * it before the next request, and clearing its default 32 KB was some 70% of a GET's
       * memset (16 KB still holds request heads far beyond what a browser or a client of the API
       * sends; bodies stream through it in parts) */
      {MHD_OPTION_CONNECTION_MEMORY_LIMIT, IJ_CONNECTION_MEMORY, NULL},
      {MHD_OPTION_PER_IP_CONNECTION_LIMIT, opts->max_connections_per_address, NULL},
      {MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)connection_notified, s},
      {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)request_completed, s},
      {MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)uri_log, s},
      {MHD_OPTION_END, 0, NULL}};
  /* MHD_USE_ITC: MHD_quiesce_daemon needs it to stop accepting while requests finish */
  if (ulfius_start_framework_with_mhd_options(
          &s->instance, MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG, ops) !=
      U_OK) {
    ij_log(IJ_LOG_ERROR, "cannot listen on %s:%d", opts->host, opts->port);
    ulfius_clean_instance(&s->instance);
    ij_audit_stop(s->audit);
    ij_metrics_free(s->metrics);
    ij_overflow_free(s->overflow);
    free(s);
    return IJ_ERR_UNAVAILABLE;
  }
  /* the port actually bound (the daemon reports the one it was given, not a spare one) */
  s->port = opts->port;
  const union MHD_DaemonInfo *info =
      MHD_get_daemon_info(s->instance.mhd_daemon, MHD_DAEMON_INFO_LISTEN_FD);
  struct sockaddr_in bound;
  socklen_t len = sizeof bound;
  if (info && getsockname(info->listen_fd, (struct sockaddr *)&bound, &len) == 0)
    s->port = ntohs(bound.sin_port);
  if (!info || !ij_overflow_watch(s->overflow, info->listen_fd))
    ij_log(IJ_LOG_WARN, "connections beyond IJ_MAX_CONNECTIONS will wait instead of being refused");
  *out = s;
  return IJ_OK;
}

int ij_http_port(const ij_server *s) {
  return s->port;
}

void ij_http_quiesce(ij_server *s) {
  if (atomic_exchange(&s->draining, true))
    return;
  ij_overflow_stop(s->overflow); /* it polls the listening socket handed back below */
  s->quiet_since_us = monotonic_us();
  MHD_socket fd = MHD_quiesce_daemon(s->instance.mhd_daemon);
  if (fd == MHD_INVALID_SOCKET) {
    ij_log(IJ_LOG_WARN, "could not stop accepting connections before the stop");
    return;
  }
  /* No worker polls the socket any more, but it still listens, so new connections would wait in
   * its backlog until the stop and then be reset; shut down, a listening socket refuses them at
   * once. It is closed after the daemon stops, as libmicrohttpd asks. */
  shutdown(fd, SHUT_RDWR);
  s->listen_fd = fd;
}

/* Idle kept-alive connections may never send again, so the drain does not wait for them: it ends
 * when no request has been in flight for this long (enough for a request already sent on such a
 * connection to reach its worker) or when no connection is left. */
#define DRAIN_QUIET_US (300 * 1000LL)

bool ij_http_drain(ij_server *s, int wait_ms) {
  ij_http_quiesce(s);
  long long deadline = monotonic_us() + (long long)wait_ms * 1000;
  for (;;) {
    long long now = monotonic_us();
    if (atomic_load(&s->in_flight) > 0) {
      s->quiet_since_us = now;
    } else {
      const union MHD_DaemonInfo *info =
          MHD_get_daemon_info(s->instance.mhd_daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
      if ((info && info->num_connections == 0) || now - s->quiet_since_us >= DRAIN_QUIET_US)
        return true;
    }
    if (now >= deadline)
      return false;
    struct timespec pause = {0, 10 * 1000 * 1000};
    nanosleep(&pause, NULL);
  }
}

int ij_http_in_flight(ij_server *s) {
  return atomic_load(&s->in_flight);
}

void ij_http_stop(ij_server *s) {
  if (!s)
    return;
  ij_overflow_stop(s->overflow);
  ulfius_stop_framework(&s->instance);
  if (s->listen_fd >= 0)
    close(s->listen_fd);
  ulfius_clean_instance(&s->instance);
  ij_audit_stop(s->audit); /* after the last request: what it queued is written */
  ij_metrics_free(s->metrics);
  ij_overflow_free(s->overflow);
  pthread_cond_destroy(&s->stats_cv);
  pthread_mutex_destroy(&s->stats_mu);
  free(s);
}

ij_err ij_http_flush_audit(ij_server *s) {
  return ij_audit_flush(s->audit);
}
