/* Responses, RFC 9457 problem documents, and request helpers. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "accept.h"
#include "ij/log.h"
#include "internal.h"

int ij_err_status(ij_err err) {
  switch (err) {
  case IJ_OK:
    return 200;
  case IJ_ERR_MALFORMED:
    return 400;
  case IJ_ERR_UNAUTHENTICATED:
    return 401;
  case IJ_ERR_FORBIDDEN:
    return 403;
  case IJ_ERR_NOT_FOUND:
    return 404;
  case IJ_ERR_METHOD:
    return 405;
  case IJ_ERR_NOT_ACCEPTABLE:
    return 406;
  case IJ_ERR_TRANSITION:
  case IJ_ERR_CONFLICT:
    return 409;
  case IJ_ERR_STALE:
    return 412;
  case IJ_ERR_TOO_LARGE:
    return 413;
  case IJ_ERR_MEDIA_TYPE:
    return 415;
  case IJ_ERR_INVALID:
  case IJ_ERR_IDEMPOTENCY:
    return 422;
  case IJ_ERR_PRECONDITION_REQUIRED:
    return 428;
  case IJ_ERR_UNAVAILABLE:
    return 503;
  case IJ_ERR_NOMEM:
  case IJ_ERR_INTERNAL:
  case IJ_ERR__COUNT:
    break;
  }
  return 500;
}

void ij_set_header(ij_ctx *ctx, const char *name, const char *value) {
  u_map_put(ctx->res->map_header, name, value);
}

void ij_send_raw_json(ij_ctx *ctx, int status, const char *body) {
  ulfius_set_binary_body_response(ctx->res, (unsigned)status, body, strlen(body));
  ij_set_header(ctx, "Content-Type", "application/json");
  ctx->status = status;
}

/* The body as it is, or when there is none (a representation that could not be made), a 500. */
static void send_text_typed(ij_ctx *ctx, int status, const char *text, size_t len,
                            const char *type) {
  if (!text) {
    static const char fallback[] = "{\"type\":\"/problems/internal\",\"title\":\"internal error\","
                                   "\"status\":500}";
    ulfius_set_binary_body_response(ctx->res, 500, fallback, sizeof fallback - 1);
    ij_set_header(ctx, "Content-Type", "application/problem+json");
    ctx->status = 500;
    return;
  }
  ulfius_set_binary_body_response(ctx->res, (unsigned)status, text, len);
  ij_set_header(ctx, "Content-Type", type);
  ctx->status = status;
}

static void send_json_typed(ij_ctx *ctx, int status, json_t *body, const char *type) {
  char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
  json_decref(body);
  send_text_typed(ctx, status, text, text ? strlen(text) : 0, type);
  free(text);
}

void ij_send_jw(ij_ctx *ctx, int status, const ij_jw *w) {
  size_t len = 0;
  const char *text = ij_jw_text(w, &len);
  if (!text)
    ij_log(IJ_LOG_ERROR, "a representation could not be written (not UTF-8, or out of memory)");
  send_text_typed(ctx, status, text, len, "application/json");
}

void ij_send_json(ij_ctx *ctx, int status, json_t *body) {
  send_json_typed(ctx, status, body, "application/json");
}

/* The problem document's common members. */
static json_t *problem_of(ij_ctx *ctx, ij_err err, const char *detail) {
  char type[64];
  snprintf(type, sizeof type, "/problems/%s", ij_err_name(err));
  const char *instance = ctx->req && ctx->req->url_path ? ctx->req->url_path : "/";
  return json_pack("{s:s, s:s, s:i, s:s, s:s, s:s}", "type", type, "title", ij_err_message(err),
                   "status", ij_err_status(err), "detail", detail ? detail : ij_err_message(err),
                   "instance", instance, "request_id", ctx->request_id);
}

void ij_send_problem_events(ij_ctx *ctx, ij_err err, const char *detail,
                            const ij_field_errors *errs, unsigned allowed_events) {
  if (err == IJ_ERR_NOMEM)
    err = IJ_ERR_INTERNAL; /* the client learns no more than that it failed */
  json_t *p = problem_of(ctx, err, detail);
  if (p && errs && errs->count > 0) {
    json_t *list = json_array();
    for (int i = 0; i < errs->count; i++)
      json_array_append_new(list, json_pack("{s:s, s:s}", "field", errs->items[i].field, "message",
                                            errs->items[i].message));
    json_object_set_new(p, "errors", list);
    if (!detail) {
      char d[512];
      snprintf(d, sizeof d, "%d %s not valid: %s %s", errs->count,
               errs->count == 1 ? "field is" : "fields are", errs->items[0].field,
               errs->items[0].message);
      json_object_set_new(p, "detail", json_string(d));
    }
  }
  if (p && err == IJ_ERR_TRANSITION) {
    json_t *list = json_array();
    for (int e = 0; e < IJ_EVENT__COUNT; e++)
      if (allowed_events & (1u << e))
        json_array_append_new(list, json_string(ij_event_name((ij_event)e)));
    json_object_set_new(p, "allowed_events", list);
  }
  /* The database is away for a moment (a restart, a failover): the client may try again soon. A
   * handler that knows better (the statistics' queue) has set its own. */
  if (err == IJ_ERR_UNAVAILABLE && !u_map_get_case(ctx->res->map_header, "Retry-After"))
    ij_set_header(ctx, "Retry-After", "1");
  send_json_typed(ctx, ij_err_status(err), p, "application/problem+json");
}

void ij_send_problem(ij_ctx *ctx, ij_err err, const char *detail, const ij_field_errors *errs) {
  ij_send_problem_events(ctx, err, detail, errs, 0);
}

const char *ij_header(ij_ctx *ctx, const char *name) {
  return u_map_get_case(ctx->req->map_header, name);
}

int ij_negotiate(ij_ctx *ctx, const char *const *types) {
  int chosen = ij_accept_choose(ij_header(ctx, "Accept"), types);
  if (chosen >= 0)
    return chosen;
  if (!types[0]) { /* a route with no type: the route table's test refuses one */
    ij_send_problem(ctx, IJ_ERR_NOT_ACCEPTABLE, NULL, NULL);
    return -1;
  }
  char detail[256];
  int n = snprintf(detail, sizeof detail, "this resource is available as %s", types[0]);
  for (int i = 1; types[i] && n > 0 && (size_t)n < sizeof detail; i++)
    n += snprintf(detail + n, sizeof detail - (size_t)n, "%s%s", types[i + 1] ? ", " : " or ",
                  types[i]);
  if (!types[1] && n > 0 && (size_t)n < sizeof detail)
    snprintf(detail + n, sizeof detail - (size_t)n, " only");
  ij_send_problem(ctx, IJ_ERR_NOT_ACCEPTABLE, detail, NULL);
  return -1;
}

json_t *ij_body_object(ij_ctx *ctx) {
  const char *ct = ij_header(ctx, "Content-Type");
  if (!ct || strncasecmp(ct, "application/json", 16) != 0 ||
      (ct[16] != 0 && ct[16] != ';' && ct[16] != ' ')) {
    ij_send_problem(ctx, IJ_ERR_MEDIA_TYPE, "send the body as Content-Type: application/json",
                    NULL);
    return NULL;
  }
  if (ctx->req->binary_body_length == 0) {
    ij_send_problem(ctx, IJ_ERR_MALFORMED, "the request body is empty", NULL);
    return NULL;
  }
  json_error_t jerr;
  json_t *body = json_loadb(ctx->req->binary_body, ctx->req->binary_body_length,
                            JSON_REJECT_DUPLICATES, &jerr);
  if (!body) {
    char detail[256];
    snprintf(detail, sizeof detail, "the body is not valid JSON: %s (line %d, column %d)",
             jerr.text, jerr.line, jerr.column);
    ij_send_problem(ctx, IJ_ERR_MALFORMED, detail, NULL);
    return NULL;
  }
  if (!json_is_object(body)) {
    json_decref(body);
    ij_send_problem(ctx, IJ_ERR_MALFORMED, "the body must be a JSON object", NULL);
    return NULL;
  }
  return body;
}

const char *ij_query(ij_ctx *ctx, const char *key) {
  for (int i = 0; i < ctx->nquery; i++)
    if (strcmp(ctx->query[i].key, key) == 0)
      return ctx->query[i].value;
  return NULL;
}

bool ij_query_only(ij_ctx *ctx, const char *const *allowed) {
  if (ctx->nquery == 0 && !ctx->query_overflow)
    return true; /* nothing to check, and no error list to clear */
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  if (ctx->query_overflow)
    ij_field_errors_add(&errs, "query", "has too many parameters");
  for (int i = 0; i < ctx->nquery; i++) {
    bool known = false;
    for (const char *const *a = allowed; *a && !known; a++)
      known = strcmp(*a, ctx->query[i].key) == 0;
    if (!known)
      ij_field_errors_add(&errs, ctx->query[i].key, "is not a query parameter of this resource");
    for (int j = 0; j < i && known; j++)
      if (strcmp(ctx->query[j].key, ctx->query[i].key) == 0) {
        ij_field_errors_add(&errs, ctx->query[i].key, "is given more than once");
        break;
      }
  }
  if (errs.count) {
    ij_send_problem(ctx, IJ_ERR_INVALID, NULL, &errs);
    return false;
  }
  return true;
}

bool ij_query_limit(ij_ctx *ctx, int def, int max, int *out, ij_field_errors *errs) {
  const char *v = ij_query(ctx, "limit");
  *out = def;
  if (!v)
    return true;
  char *end;
  long n = strtol(v, &end, 10);
  if (!*v || *end || n < 1 || n > max) {
    ij_field_errors_add(errs, "limit", "must be a whole number from 1 to %d", max);
    return false;
  }
  *out = (int)n;
  return true;
}

bool ij_send_invalid(ij_ctx *ctx, const ij_field_errors *errs) {
  if (!errs->count)
    return false;
  ij_send_problem(ctx, IJ_ERR_INVALID, NULL, errs);
  return true;
}

ij_conn *ij_ctx_conn_valid(ij_ctx *ctx, const ij_field_errors *errs) {
  return ij_send_invalid(ctx, errs) ? NULL : ij_ctx_conn(ctx);
}

void ij_send_store_error(ij_ctx *ctx, ij_err err, const ij_field_errors *errs) {
  const char *what = ctx->route ? ctx->route->resource : NULL;
  char detail[256];
  const char *d = NULL;
  if (err == IJ_ERR_NOT_FOUND && what) {
    snprintf(detail, sizeof detail, "no %s with this id", what);
    d = detail;
  } else if (err == IJ_ERR_STALE && what) {
    snprintf(detail, sizeof detail, "the %s has changed since you read it; read it again and retry",
             what);
    d = detail;
  } else if (err == IJ_ERR_CONFLICT && errs && errs->count) {
    snprintf(detail, sizeof detail, "%s %s", errs->items[0].field, errs->items[0].message);
    d = detail;
  }
  ij_send_problem(ctx, err, d, errs && errs->count ? errs : NULL);
}

void ij_send_page(ij_ctx *ctx, json_t *items, json_t *next_cursor) {
  ij_send_json(ctx, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next_cursor));
}

void ij_set_etag(ij_ctx *ctx, int version) {
  char etag[24];
  snprintf(etag, sizeof etag, "\"%d\"", version);
  ij_set_header(ctx, "ETag", etag);
}

/* "N" or N, spaces around it ignored; -2 when it names no version. */
static int if_match_version(const char *h) {
  while (*h == ' ')
    h++;
  char buf[24];
  size_t n = strlen(h);
  while (n && h[n - 1] == ' ')
    n--;
  if (n >= 2 && h[0] == '"' && h[n - 1] == '"') {
    h++;
    n -= 2;
  }
  if (n == 0 || n >= sizeof buf)
    return -2;
  memcpy(buf, h, n);
  buf[n] = 0;
  char *end;
  long v = strtol(buf, &end, 10);
  if (*end || v < 1 || v > 1000000000)
    return -2;
  return (int)v;
}

bool ij_if_match(ij_ctx *ctx, int *version) {
  const char *h = ij_header(ctx, "If-Match");
  if (h) {
    *version = if_match_version(h);
    return true;
  }
  const char *what = ctx->route && ctx->route->resource ? ctx->route->resource : "record";
  char detail[96];
  snprintf(detail, sizeof detail, "send If-Match with the ETag of the %s you read", what);
  ij_send_problem(ctx, IJ_ERR_PRECONDITION_REQUIRED, detail, NULL);
  return false;
}

json_t *ij_request_body(ij_ctx *ctx, int *expected, const char *const *fields,
                        ij_field_errors *errs) {
  ij_field_errors_init(errs);
  if (expected && !ij_if_match(ctx, expected))
    return NULL;
  json_t *body = ij_body_object(ctx);
  if (body && fields)
    ij_json_unknown(body, "", fields, errs);
  return body;
}

const char *ij_query_ward(ij_ctx *ctx, ij_field_errors *errs) {
  const char *v = ij_query(ctx, "ward");
  if (v && !ij_code_ok(v)) {
    ij_field_errors_add(errs, "ward", "is not a ward code");
    return NULL;
  }
  return v;
}

const char *ij_query_placement_type(ij_ctx *ctx, ij_field_errors *errs) {
  const char *v = ij_query(ctx, "type");
  if (v && !ij_placement_type_ok(v)) {
    ij_field_errors_add(errs, "type", "is not a placement type");
    return NULL;
  }
  return v;
}

const char *ij_query_supervisor(ij_ctx *ctx, ij_field_errors *errs) {
  const char *v = ij_query(ctx, "supervisor");
  if (v && !ij_subject_ok(v)) {
    ij_field_errors_add(errs, "supervisor", "must be a supervisor's subject of 1 to %d bytes",
                        IJ_MAX_SUPERVISOR);
    return NULL;
  }
  return v;
}

/* ---- cursors and codes ---- */

/* "<microseconds>.<uuid>"; the number as this service writes it, digits only. */
static bool cursor_parse(const char *s, ij_time_us *at, char id[IJ_UUID_BUF]) {
  const char *dot = strchr(s, '.');
  if (!dot || dot == s || dot - s > 19 || *s < '0' || *s > '9')
    return false;
  char num[24];
  memcpy(num, s, (size_t)(dot - s));
  num[dot - s] = 0;
  char *end;
  long long v = strtoll(num, &end, 10);
  if (*end)
    return false;
  *at = v;
  return ij_uuid_canonical(dot + 1, id);
}

void ij_query_cursor(ij_ctx *ctx, ij_time_us *at, char id[IJ_UUID_BUF], bool *has,
                     ij_field_errors *errs) {
  const char *v = ij_query(ctx, "cursor");
  if (!v)
    return;
  if (cursor_parse(v, at, id))
    *has = true;
  else
    ij_field_errors_add(errs, "cursor", "is not a cursor this service gave");
}

void ij_cursor_text(ij_time_us at, const char *id, char out[IJ_CURSOR_BUF]) {
  snprintf(out, IJ_CURSOR_BUF, "%" PRId64 ".%s", at, id);
}

json_t *ij_cursor_json(ij_time_us at, const char *id) {
  char cursor[IJ_CURSOR_BUF];
  ij_cursor_text(at, id, cursor);
  return json_string(cursor);
}

bool ij_code_ok(const char *s) {
  size_t n = strlen(s);
  if (n < 1 || n > IJ_MAX_CODE)
    return false;
  for (const char *p = s; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
      return false;
  return true;
}

bool ij_placement_type_ok(const char *s) {
  static const char *const types[] = {
#define IJ_TYPE_ENTRY(name) name,
      IJ_PLACEMENT_TYPE_LIST(IJ_TYPE_ENTRY)
#undef IJ_TYPE_ENTRY
  };
  for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
    if (strcmp(s, types[i]) == 0)
      return true;
  return false;
}

bool ij_subject_ok(const char *s) {
  size_t n = strlen(s);
  if (n < 1 || n > IJ_MAX_SUPERVISOR)
    return false;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if (*p < 0x20 || *p == 0x7f)
      return false;
  return true;
}

bool ij_require(ij_ctx *ctx, ij_action action) {
  if (ij_domain_may(ctx->actor.roles, action))
    return true;
  ij_send_problem(ctx, IJ_ERR_FORBIDDEN, "your role does not allow this", NULL);
  return false;
}

/* ---- JSON decoding ---- */

static void path_of(char *out, size_t size, const char *prefix, const char *key) {
  snprintf(out, size, "%s%s", prefix ? prefix : "", key);
}

void ij_json_unknown(json_t *obj, const char *prefix, const char *const *allowed,
                     ij_field_errors *errs) {
  const char *key;
  json_t *v;
  json_object_foreach(obj, key, v) {
    bool known = false;
    for (const char *const *a = allowed; *a && !known; a++)
      known = strcmp(*a, key) == 0;
    if (!known) {
      char path[64];
      path_of(path, sizeof path, prefix, key);
      ij_field_errors_add(errs, path, "is not a known field");
    }
  }
}

const char *ij_json_str(json_t *obj, const char *prefix, const char *key, ij_field_errors *errs) {
  json_t *v = json_object_get(obj, key);
  if (!v || json_is_null(v))
    return NULL;
  if (!json_is_string(v)) {
    char path[64];
    path_of(path, sizeof path, prefix, key);
    ij_field_errors_add(errs, path, "must be a string");
    return NULL;
  }
  if (strlen(json_string_value(v)) != json_string_length(v)) {
    char path[64];
    path_of(path, sizeof path, prefix, key);
    ij_field_errors_add(errs, path, "must not contain a NUL character");
    return NULL;
  }
  return json_string_value(v);
}

int ij_json_bool(json_t *obj, const char *prefix, const char *key, ij_field_errors *errs) {
  json_t *v = json_object_get(obj, key);
  if (!v || json_is_null(v))
    return -1;
  if (!json_is_boolean(v)) {
    char path[64];
    path_of(path, sizeof path, prefix, key);
    ij_field_errors_add(errs, path, "must be true or false");
    return -1;
  }
  return json_is_true(v);
}

bool ij_json_int(json_t *obj, const char *prefix, const char *key, int *out,
                 ij_field_errors *errs) {
  json_t *v = json_object_get(obj, key);
  if (!v || json_is_null(v))
    return false;
  if (!json_is_integer(v) || json_integer_value(v) < -1000000 || json_integer_value(v) > 1000000) {
    char path[64];
    path_of(path, sizeof path, prefix, key);
    ij_field_errors_add(errs, path, "must be a whole number");
    return false;
  }
  *out = (int)json_integer_value(v);
  return true;
}

json_t *ij_json_obj(json_t *obj, const char *prefix, const char *key, ij_field_errors *errs) {
  json_t *v = json_object_get(obj, key);
  if (!v || json_is_null(v))
    return NULL;
  if (!json_is_object(v)) {
    char path[64];
    path_of(path, sizeof path, prefix, key);
    ij_field_errors_add(errs, path, "must be an object");
    return NULL;
  }
  return v;
}

/* Whether key is one of the comma-separated names of list. */
static bool listed(const char *list, const char *key) {
  size_t n = strlen(key);
  for (const char *p = list; p && *p;) {
    const char *end = strchr(p, ',');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    if (len == n && strncmp(p, key, n) == 0)
      return true;
    p = end ? end + 1 : NULL;
  }
  return false;
}

void ij_json_refuse_nulls(json_t *obj, const char *prefix, const char *nullable,
                          ij_field_errors *errs) {
  const char *key;
  json_t *v;
  json_object_foreach(obj, key, v) {
    if (json_is_null(v) && !listed(nullable, key)) {
      char path[64];
      snprintf(path, sizeof path, "%s%s", prefix, key);
      ij_field_errors_add(errs, path, "must not be null");
    }
  }
}

json_t *ij_json_str_or_null(const char *s) {
  return s ? json_string(s) : json_null();
}

json_t *ij_json_time(ij_time_us t) {
  char buf[IJ_TIME_BUF];
  ij_time_format(t, buf);
  return json_string(buf);
}

json_t *ij_json_time_or_null(ij_time_us t) {
  return t ? ij_json_time(t) : json_null();
}

json_t *ij_json_date(ij_date d) {
  char buf[IJ_DATE_BUF];
  ij_date_format(d, buf);
  return json_string(buf);
}

void ij_send_problem_errors(ij_ctx *ctx, ij_err err, const char *detail, json_t *errors) {
  json_t *p = problem_of(ctx, err, detail);
  if (p)
    json_object_set_new(p, "errors", errors);
  else
    json_decref(errors);
  send_json_typed(ctx, ij_err_status(err), p, "application/problem+json");
}
