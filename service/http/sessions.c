/* The session resource: sessions of a placement, the area's sessions, one session with who is
 * booked, and changes (capacity, supervisor, cancellation).
 * Each handler reads top to bottom: parse -> domain decides -> store persists -> map.
 * Coordinators see every session of their area; a supervisor only the sessions they run (any
 * other is answered as if it did not exist). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

#include "internal.h"

/* ---- helpers ---- */

static bool canonical_uuid(const char *in, char out[IJ_UUID_BUF]) {
  uuid_t u;
  if (!in || strlen(in) != 36 || uuid_parse(in, u) != 0)
    return false;
  uuid_unparse_lower(u, out);
  return true;
}

static bool path_id(ij_ctx *ctx, char id[IJ_UUID_BUF], const char *what) {
  if (canonical_uuid(ctx->path_id, id))
    return true;
  char detail[64];
  snprintf(detail, sizeof detail, "no %s with this id", what);
  ij_send_problem(ctx, IJ_ERR_NOT_FOUND, detail, NULL);
  return false;
}

static void set_etag(ij_ctx *ctx, int version) {
  char etag[24];
  snprintf(etag, sizeof etag, "\"%d\"", version);
  ij_set_header(ctx, "ETag", etag);
}

/* If-Match: "N" (or N); -1 when absent, -2 when it cannot name a version. */
static int if_match_version(ij_ctx *ctx) {
  const char *h = ij_header(ctx, "If-Match");
  if (!h)
    return -1;
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

/* A store error as a problem: 404 with the resource named, 409 with the reason as its detail. */
static void send_store_error(ij_ctx *ctx, ij_err err, const ij_field_errors *errs) {
  char detail[256];
  const char *d = NULL;
  if (err == IJ_ERR_NOT_FOUND) {
    d = "no session with this id";
  } else if (err == IJ_ERR_CONFLICT && errs && errs->count) {
    snprintf(detail, sizeof detail, "%s %s", errs->items[0].field, errs->items[0].message);
    d = detail;
  }
  ij_send_problem(ctx, err, d, errs && errs->count ? errs : NULL);
}

/* NULL for a coordinator (every session of the area), else the caller's subject. */
static const char *scope_of(const ij_ctx *ctx) {
  return (ctx->actor.roles & IJ_ROLE_COORDINATOR) ? NULL : ctx->actor.sub;
}

static json_t *session_json(const ij_session *s, bool with_bookings) {
  int available = s->cancelled || s->booked >= s->capacity ? 0 : s->capacity - s->booked;
  json_t *j = json_pack("{s:s, s:{s:s, s:s, s:s, s:s, s:i}, s:o, s:o, s:i, s:i, s:i, s:{s:s, s:s},"
                        " s:b, s:i}",
                        "id", s->id, "placement", "id", s->placement_id, "name", s->placement_name,
                        "type", s->placement_type, "ward", s->placement_ward, "min_age",
                        s->placement_min_age, "starts_at", ij_json_time(s->starts_at), "ends_at",
                        ij_json_time(s->ends_at), "capacity", s->capacity, "booked", s->booked,
                        "available", available, "supervisor", "sub", s->supervisor_sub, "name",
                        s->supervisor_name, "cancelled", s->cancelled, "version", s->version);
  if (!j)
    return NULL;
  json_object_set_new(j, "created_at", ij_json_time(s->created_at));
  json_object_set_new(j, "updated_at", ij_json_time(s->updated_at));
  if (with_bookings) {
    json_t *list = json_array();
    for (int i = 0; i < s->nbookings; i++) {
      const ij_session_booking *b = &s->bookings[i];
      json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:i}", "id", b->id, "referral_id",
                                            b->referral_id, "person_name", b->person_name, "status",
                                            b->status, "minutes_credited", b->minutes_credited));
    }
    json_object_set_new(j, "bookings", list);
  }
  return j;
}

static void send_session(ij_ctx *ctx, int status, const ij_session *s, bool with_bookings) {
  set_etag(ctx, s->version);
  ij_send_json(ctx, status, session_json(s, with_bookings));
}

/* ---- decoding SessionInput (POST) and SessionUpdate (PATCH) ---- */

static const char *const CREATE_FIELDS[] = {"starts_at", "ends_at", "capacity", "supervisor", NULL};
static const char *const UPDATE_FIELDS[] = {"capacity", "supervisor", "cancelled", NULL};
static const char *const SUPERVISOR_FIELDS[] = {"sub", "name", NULL};

static void refuse_nulls(json_t *obj, const char *prefix, ij_field_errors *errs) {
  const char *key;
  json_t *v;
  json_object_foreach(obj, key, v) {
    if (json_is_null(v)) {
      char path[64];
      snprintf(path, sizeof path, "%s%s", prefix, key);
      ij_field_errors_add(errs, path, "must not be null");
    }
  }
}

static void decode_session(json_t *body, bool create, ij_session_input *in, ij_field_errors *errs) {
  memset(in, 0, sizeof *in);
  in->cancelled = -1;
  ij_json_unknown(body, "", create ? CREATE_FIELDS : UPDATE_FIELDS, errs);
  refuse_nulls(body, "", errs);
  if (create) {
    in->starts_at = ij_json_str(body, "", "starts_at", errs);
    in->ends_at = ij_json_str(body, "", "ends_at", errs);
  } else {
    in->cancelled = ij_json_bool(body, "", "cancelled", errs);
  }
  in->has_capacity = ij_json_int(body, "", "capacity", &in->capacity, errs);
  json_t *sup = ij_json_obj(body, "", "supervisor", errs);
  if (sup) {
    in->has_supervisor = true;
    ij_json_unknown(sup, "supervisor.", SUPERVISOR_FIELDS, errs);
    refuse_nulls(sup, "supervisor.", errs);
    in->supervisor_sub = ij_json_str(sup, "supervisor.", "sub", errs);
    in->supervisor_name = ij_json_str(sup, "supervisor.", "name", errs);
  }
}

/* ---- query parameters of the lists ---- */

/* Cursor "<starts_at microseconds>.<uuid>": opaque to clients. */
static bool parse_cursor(const char *s, ij_session_filter *f) {
  const char *dot = strchr(s, '.');
  if (!dot || dot == s || dot - s > 19)
    return false;
  char num[24];
  memcpy(num, s, (size_t)(dot - s));
  num[dot - s] = 0;
  char *end;
  long long v = strtoll(num, &end, 10);
  if (*end)
    return false;
  f->cursor_starts_at = v;
  f->has_cursor = canonical_uuid(dot + 1, f->cursor_id);
  return f->has_cursor;
}

static bool code_ok(const char *s) {
  size_t n = strlen(s);
  if (n < 1 || n > IJ_MAX_CODE)
    return false;
  for (const char *p = s; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
      return false;
  return true;
}

static bool placement_type_ok(const char *s) {
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

static bool subject_ok(const char *s) {
  size_t n = strlen(s);
  if (n < 1 || n > IJ_MAX_SUPERVISOR)
    return false;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if (*p < 0x20 || *p == 0x7f)
      return false;
  return true;
}

/* from, to, limit and cursor: shared by both lists. */
static void parse_window(ij_ctx *ctx, ij_session_filter *f, ij_field_errors *errs) {
  const char *v;
  if ((v = ij_query(ctx, "from"))) {
    if (ij_time_parse(v, &f->from) == IJ_OK)
      f->has_from = true;
    else
      ij_field_errors_add(errs, "from",
                          "must be an RFC 3339 date-time such as 2026-11-25T00:00:00Z");
  }
  if ((v = ij_query(ctx, "to"))) {
    if (ij_time_parse(v, &f->to) == IJ_OK)
      f->has_to = true;
    else
      ij_field_errors_add(errs, "to", "must be an RFC 3339 date-time such as 2026-11-26T00:00:00Z");
  }
  if (f->has_from && f->has_to && f->to < f->from)
    ij_field_errors_add(errs, "to", "must not be before from");
  ij_query_limit(ctx, 25, 100, &f->limit, errs);
  if ((v = ij_query(ctx, "cursor")) && !parse_cursor(v, f))
    ij_field_errors_add(errs, "cursor", "is not a cursor this service gave");
}

static void send_page(ij_ctx *ctx, const ij_session_filter *f) {
  ij_conn *conn = ij_ctx_conn(ctx);
  if (!conn)
    return;
  ij_session_page page;
  ij_err err = ij_store_session_list(conn, f, &page);
  if (err != IJ_OK) {
    ij_send_problem(ctx, err, NULL, NULL);
    return;
  }
  json_t *items = json_array();
  for (int i = 0; i < page.count; i++)
    json_array_append_new(items, session_json(&page.items[i], false));
  json_t *next = json_null();
  if (page.more && page.count > 0) {
    const ij_session *last = &page.items[page.count - 1];
    char cursor[96];
    snprintf(cursor, sizeof cursor, "%" PRId64 ".%s", last->starts_at, last->id);
    next = json_string(cursor);
  }
  ij_session_page_clear(&page);
  ij_send_json(ctx, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
}

/* ---- POST /v1/placements/{id}/sessions ---- */

void ij_h_session_create(ij_ctx *ctx) {
  static const char *const no_query[] = {NULL};
  char placement_id[IJ_UUID_BUF];
  if (!ij_require(ctx, IJ_ACTION_SESSION_WRITE) || !ij_query_only(ctx, no_query) ||
      !path_id(ctx, placement_id, "placement"))
    return;
  json_t *body = ij_body_object(ctx);
  if (!body)
    return;
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  ij_session_input in;
  decode_session(body, true, &in, &errs);
  ij_session_times times;
  ij_session s;
  memset(&s, 0, sizeof s);
  if (errs.count || ij_domain_session_validate(&in, true, ctx->now, &times, &errs) != IJ_OK) {
    ij_send_problem(ctx, IJ_ERR_INVALID, NULL, &errs);
    goto done;
  }
  ij_conn *conn = ij_ctx_conn(ctx);
  if (!conn)
    goto done;
  char id[IJ_UUID_BUF];
  uuid_t u;
  uuid_generate_random(u);
  uuid_unparse_lower(u, id);
  ij_err err =
      ij_store_session_create(conn, ctx->actor.area, placement_id, id, &times, in.capacity,
                              in.has_supervisor ? in.supervisor_sub : NULL,
                              in.has_supervisor ? in.supervisor_name : NULL, ctx->now, &s, &errs);
  if (err != IJ_OK) {
    if (err == IJ_ERR_NOT_FOUND)
      ij_send_problem(ctx, err, "no placement with this id", NULL);
    else
      send_store_error(ctx, err, &errs);
    goto done;
  }
  char location[64];
  snprintf(location, sizeof location, "/v1/sessions/%s", s.id);
  ij_set_header(ctx, "Location", location);
  send_session(ctx, 201, &s, false);
done:
  ij_session_clear(&s);
  json_decref(body);
}

/* ---- GET /v1/placements/{id}/sessions ---- */

void ij_h_placement_sessions(ij_ctx *ctx) {
  static const char *const allowed[] = {"from", "to", "limit", "cursor", NULL};
  char placement_id[IJ_UUID_BUF];
  if (!ij_require(ctx, IJ_ACTION_SESSION_READ) || !ij_query_only(ctx, allowed) ||
      !path_id(ctx, placement_id, "placement"))
    return;
  ij_session_filter f;
  memset(&f, 0, sizeof f);
  f.area = ctx->actor.area;
  f.placement_id = placement_id;
  f.scope_sub = scope_of(ctx);
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  parse_window(ctx, &f, &errs);
  if (errs.count) {
    ij_send_problem(ctx, IJ_ERR_INVALID, NULL, &errs);
    return;
  }
  ij_conn *conn = ij_ctx_conn(ctx);
  if (!conn)
    return;
  /* the placement itself must be one the caller may see */
  ij_placement p;
  ij_err err = ij_store_placement_get(conn, ctx->actor.area, placement_id, &p);
  if (err == IJ_OK && f.scope_sub && strcmp(f.scope_sub, p.supervisor_sub) != 0)
    err = IJ_ERR_NOT_FOUND;
  ij_placement_clear(&p);
  if (err != IJ_OK) {
    ij_send_problem(ctx, err, err == IJ_ERR_NOT_FOUND ? "no placement with this id" : NULL, NULL);
    return;
  }
  send_page(ctx, &f);
}

/* ---- GET /v1/sessions ---- */

void ij_h_session_list(ij_ctx *ctx) {
  static const char *const allowed[] = {"from",      "to",    "ward",   "type", "supervisor",
                                        "placement", "limit", "cursor", NULL};
  if (!ij_require(ctx, IJ_ACTION_SESSION_READ) || !ij_query_only(ctx, allowed))
    return;
  ij_session_filter f;
  memset(&f, 0, sizeof f);
  f.area = ctx->actor.area;
  f.scope_sub = scope_of(ctx);
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  const char *v;
  if ((v = ij_query(ctx, "ward"))) {
    if (code_ok(v))
      f.ward = v;
    else
      ij_field_errors_add(&errs, "ward", "is not a ward code");
  }
  if ((v = ij_query(ctx, "type"))) {
    if (placement_type_ok(v))
      f.type = v;
    else
      ij_field_errors_add(&errs, "type", "is not a placement type");
  }
  if ((v = ij_query(ctx, "supervisor"))) {
    if (subject_ok(v))
      f.supervisor_sub = v;
    else
      ij_field_errors_add(&errs, "supervisor", "must be a supervisor's subject of 1 to %d bytes",
                          IJ_MAX_SUPERVISOR);
  }
  char placement_id[IJ_UUID_BUF];
  if ((v = ij_query(ctx, "placement"))) {
    if (canonical_uuid(v, placement_id))
      f.placement_id = placement_id;
    else
      ij_field_errors_add(&errs, "placement", "must be a placement id (a UUID)");
  }
  parse_window(ctx, &f, &errs);
  if (errs.count) {
    ij_send_problem(ctx, IJ_ERR_INVALID, NULL, &errs);
    return;
  }
  send_page(ctx, &f);
}

/* ---- GET /v1/sessions/{id} ---- */

void ij_h_session_get(ij_ctx *ctx) {
  static const char *const no_query[] = {NULL};
  char id[IJ_UUID_BUF];
  if (!ij_require(ctx, IJ_ACTION_SESSION_READ) || !ij_query_only(ctx, no_query) ||
      !path_id(ctx, id, "session"))
    return;
  ij_conn *conn = ij_ctx_conn(ctx);
  if (!conn)
    return;
  ij_session s;
  ij_err err = ij_store_session_get(conn, ctx->actor.area, id, true, &s);
  const char *scope = scope_of(ctx);
  if (err == IJ_OK && scope && strcmp(scope, s.supervisor_sub) != 0)
    err = IJ_ERR_NOT_FOUND;
  if (err != IJ_OK)
    ij_send_problem(ctx, err, err == IJ_ERR_NOT_FOUND ? "no session with this id" : NULL, NULL);
  else
    send_session(ctx, 200, &s, true);
  ij_session_clear(&s);
}

/* ---- PATCH /v1/sessions/{id} ---- */

void ij_h_session_update(ij_ctx *ctx) {
  static const char *const no_query[] = {NULL};
  char id[IJ_UUID_BUF];
  if (!ij_require(ctx, IJ_ACTION_SESSION_WRITE) || !ij_query_only(ctx, no_query) ||
      !path_id(ctx, id, "session"))
    return;
  int expected = if_match_version(ctx);
  if (expected == -1) {
    ij_send_problem(ctx, IJ_ERR_PRECONDITION_REQUIRED,
                    "send If-Match with the ETag of the session you read", NULL);
    return;
  }
  json_t *body = ij_body_object(ctx);
  if (!body)
    return;
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  ij_session_input in;
  decode_session(body, false, &in, &errs);
  ij_session s;
  memset(&s, 0, sizeof s);
  if (errs.count || ij_domain_session_validate(&in, false, ctx->now, NULL, &errs) != IJ_OK) {
    ij_send_problem(ctx, IJ_ERR_INVALID, NULL, &errs);
    goto done;
  }
  ij_conn *conn = ij_ctx_conn(ctx);
  if (!conn)
    goto done;
  ij_err err;
  if (expected < 0) {
    /* an If-Match that names no version never matches: 412, or 404 when there is no session */
    err = ij_store_session_get(conn, ctx->actor.area, id, false, &s);
    err = err == IJ_OK ? IJ_ERR_STALE : err;
    ij_session_clear(&s);
  } else {
    ij_audit audit = {ctx->request_id, ctx->actor.sub, ctx->actor.name, "coordinator", ctx->now};
    err = ij_store_session_update(conn, ctx->actor.area, id, expected, &in, &ctx->actor, &audit, &s,
                                  &errs);
  }
  if (err == IJ_ERR_STALE) {
    ij_send_problem(ctx, err, "the session has changed since you read it; read it again and retry",
                    NULL);
    goto done;
  }
  if (err != IJ_OK) {
    send_store_error(ctx, err, &errs);
    goto done;
  }
  send_session(ctx, 200, &s, false);
done:
  ij_session_clear(&s);
  json_decref(body);
}
