/* The placement resource: create, list, read, update.
 * Each handler reads top to bottom: parse -> domain decides -> store persists -> map.
 * Coordinators see every placement of their area; a supervisor only those they supervise (any
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

static bool path_placement_id(ij_ctx *ctx, char id[IJ_UUID_BUF]) {
  if (canonical_uuid(ctx->path_id, id))
    return true;
  ij_send_problem(ctx, IJ_ERR_NOT_FOUND, "no placement with this id", NULL);
  return false;
}

static void new_uuid(char out[IJ_UUID_BUF]) {
  uuid_t u;
  uuid_generate_random(u);
  uuid_unparse_lower(u, out);
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
    d = "no placement with this id";
  } else if (err == IJ_ERR_CONFLICT && errs && errs->count) {
    snprintf(detail, sizeof detail, "%s %s", errs->items[0].field, errs->items[0].message);
    d = detail;
  }
  ij_send_problem(ctx, err, d, errs && errs->count ? errs : NULL);
}

/* NULL for a coordinator (every placement of the area), else the caller's subject. */
static const char *scope_of(const ij_ctx *ctx) {
  return (ctx->actor.roles & IJ_ROLE_COORDINATOR) ? NULL : ctx->actor.sub;
}

static bool visible(const ij_ctx *ctx, const ij_placement *p) {
  const char *scope = scope_of(ctx);
  return !scope || strcmp(scope, p->supervisor_sub) == 0;
}

static json_t *placement_json(const ij_placement *p) {
  json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:i, s:{s:s, s:s}, s:b, s:i}", "id", p->id,
                        "name", p->name, "type", p->type, "provider", p->provider, "ward", p->ward,
                        "location", ij_json_str_or_null(p->location), "min_age", p->min_age,
                        "supervisor", "sub", p->supervisor_sub, "name", p->supervisor_name,
                        "active", p->active, "version", p->version);
  if (!j)
    return NULL;
  json_object_set_new(j, "created_at", ij_json_time(p->created_at));
  json_object_set_new(j, "updated_at", ij_json_time(p->updated_at));
  return j;
}

static void send_placement(ij_ctx *ctx, int status, const ij_placement *p) {
  set_etag(ctx, p->version);
  ij_send_json(ctx, status, placement_json(p));
}

/* ---- decoding PlacementInput (POST) and its partial form (PATCH) ---- */

static const char *const PLACEMENT_FIELDS[] = {
    "name", "type", "provider", "ward", "location", "min_age", "supervisor", "active", NULL};
static const char *const SUPERVISOR_FIELDS[] = {"sub", "name", NULL};

/* Members that are present but null, other than those that may be null. */
static void refuse_nulls(json_t *obj, const char *prefix, const char *nullable,
                         ij_field_errors *errs) {
  const char *key;
  json_t *v;
  json_object_foreach(obj, key, v) {
    if (json_is_null(v) && (!nullable || strcmp(key, nullable) != 0)) {
      char path[64];
      snprintf(path, sizeof path, "%s%s", prefix, key);
      ij_field_errors_add(errs, path, "must not be null");
    }
  }
}

static void decode_placement(json_t *body, ij_placement_input *in, ij_field_errors *errs) {
  memset(in, 0, sizeof *in);
  in->active = -1;
  ij_json_unknown(body, "", PLACEMENT_FIELDS, errs);
  refuse_nulls(body, "", "location", errs);
  in->name = ij_json_str(body, "", "name", errs);
  in->type = ij_json_str(body, "", "type", errs);
  in->provider = ij_json_str(body, "", "provider", errs);
  in->ward = ij_json_str(body, "", "ward", errs);
  if (json_object_get(body, "location")) {
    in->has_location = true;
    in->location = ij_json_str(body, "", "location", errs);
  }
  in->has_min_age = ij_json_int(body, "", "min_age", &in->min_age, errs);
  in->active = ij_json_bool(body, "", "active", errs);
  json_t *sup = ij_json_obj(body, "", "supervisor", errs);
  if (sup) {
    in->has_supervisor = true;
    ij_json_unknown(sup, "supervisor.", SUPERVISOR_FIELDS, errs);
    refuse_nulls(sup, "supervisor.", NULL, errs);
    in->supervisor_sub = ij_json_str(sup, "supervisor.", "sub", errs);
    in->supervisor_name = ij_json_str(sup, "supervisor.", "name", errs);
  }
}

/* ---- POST /v1/placements ---- */

void ij_h_placement_create(ij_ctx *ctx) {
  static const char *const no_query[] = {NULL};
  if (!ij_require(ctx, IJ_ACTION_PLACEMENT_WRITE) || !ij_query_only(ctx, no_query))
    return;
  json_t *body = ij_body_object(ctx);
  if (!body)
    return;
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  ij_placement_input in;
  decode_placement(body, &in, &errs);
  ij_placement p;
  memset(&p, 0, sizeof p);
  if (errs.count || ij_domain_placement_validate(&in, true, &errs) != IJ_OK) {
    ij_send_problem(ctx, IJ_ERR_INVALID, NULL, &errs);
    goto done;
  }
  ij_conn *conn = ij_ctx_conn(ctx);
  if (!conn)
    goto done;
  char id[IJ_UUID_BUF];
  new_uuid(id);
  ij_err err = ij_store_placement_create(conn, ctx->actor.area, id, &in, ctx->now, &p, &errs);
  if (err != IJ_OK) {
    send_store_error(ctx, err, &errs);
    goto done;
  }
  char location[64];
  snprintf(location, sizeof location, "/v1/placements/%s", p.id);
  ij_set_header(ctx, "Location", location);
  send_placement(ctx, 201, &p);
done:
  ij_placement_clear(&p);
  json_decref(body);
}

/* ---- GET /v1/placements/{id} ---- */

void ij_h_placement_get(ij_ctx *ctx) {
  static const char *const no_query[] = {NULL};
  char id[IJ_UUID_BUF];
  if (!ij_require(ctx, IJ_ACTION_PLACEMENT_READ) || !ij_query_only(ctx, no_query) ||
      !path_placement_id(ctx, id))
    return;
  ij_conn *conn = ij_ctx_conn(ctx);
  if (!conn)
    return;
  ij_placement p;
  ij_err err = ij_store_placement_get(conn, ctx->actor.area, id, &p);
  if (err == IJ_OK && !visible(ctx, &p))
    err = IJ_ERR_NOT_FOUND;
  if (err != IJ_OK)
    ij_send_problem(ctx, err, err == IJ_ERR_NOT_FOUND ? "no placement with this id" : NULL, NULL);
  else
    send_placement(ctx, 200, &p);
  ij_placement_clear(&p);
}

/* ---- PATCH /v1/placements/{id} ---- */

void ij_h_placement_update(ij_ctx *ctx) {
  static const char *const no_query[] = {NULL};
  char id[IJ_UUID_BUF];
  if (!ij_require(ctx, IJ_ACTION_PLACEMENT_WRITE) || !ij_query_only(ctx, no_query) ||
      !path_placement_id(ctx, id))
    return;
  int expected = if_match_version(ctx);
  if (expected == -1) {
    ij_send_problem(ctx, IJ_ERR_PRECONDITION_REQUIRED,
                    "send If-Match with the ETag of the placement you read", NULL);
    return;
  }
  json_t *body = ij_body_object(ctx);
  if (!body)
    return;
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  ij_placement_input in;
  decode_placement(body, &in, &errs);
  ij_placement p;
  memset(&p, 0, sizeof p);
  if (errs.count || ij_domain_placement_validate(&in, false, &errs) != IJ_OK) {
    ij_send_problem(ctx, IJ_ERR_INVALID, NULL, &errs);
    goto done;
  }
  ij_conn *conn = ij_ctx_conn(ctx);
  if (!conn)
    goto done;
  ij_err err = expected < 0 ? IJ_ERR_STALE : IJ_OK;
  if (err == IJ_OK)
    err = ij_store_placement_update(conn, ctx->actor.area, id, expected, &in, ctx->now, &p, &errs);
  else if (ij_store_placement_get(conn, ctx->actor.area, id, &p) == IJ_ERR_NOT_FOUND)
    err = IJ_ERR_NOT_FOUND;
  if (err == IJ_ERR_STALE) {
    ij_send_problem(ctx, err,
                    "the placement has changed since you read it; read it again and retry", NULL);
    goto done;
  }
  if (err != IJ_OK) {
    send_store_error(ctx, err, &errs);
    goto done;
  }
  send_placement(ctx, 200, &p);
done:
  ij_placement_clear(&p);
  json_decref(body);
}

/* ---- GET /v1/placements ---- */

/* Cursor "<created_at microseconds>.<uuid>": opaque to clients. */
static bool parse_cursor(const char *s, ij_time_us *at, char id[IJ_UUID_BUF]) {
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
  *at = v;
  return canonical_uuid(dot + 1, id);
}

static bool code_ok(const char *s, size_t max, const char *extra) {
  size_t n = strlen(s);
  if (n < 1 || n > max)
    return false;
  for (const char *p = s; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr(extra, *p)))
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

void ij_h_placement_list(ij_ctx *ctx) {
  static const char *const allowed[] = {"type",  "ward",   "active", "supervisor",
                                        "limit", "cursor", NULL};
  if (!ij_require(ctx, IJ_ACTION_PLACEMENT_READ) || !ij_query_only(ctx, allowed))
    return;
  ij_placement_filter f;
  memset(&f, 0, sizeof f);
  f.area = ctx->actor.area;
  f.scope_sub = scope_of(ctx);
  f.active = -1;
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  const char *v;
  if ((v = ij_query(ctx, "type"))) {
    if (placement_type_ok(v))
      f.type = v;
    else
      ij_field_errors_add(&errs, "type", "is not a placement type");
  }
  if ((v = ij_query(ctx, "ward"))) {
    if (code_ok(v, IJ_MAX_CODE, "_-"))
      f.ward = v;
    else
      ij_field_errors_add(&errs, "ward", "is not a ward code");
  }
  if ((v = ij_query(ctx, "active"))) {
    if (strcmp(v, "true") == 0)
      f.active = 1;
    else if (strcmp(v, "false") == 0)
      f.active = 0;
    else
      ij_field_errors_add(&errs, "active", "must be true or false");
  }
  if ((v = ij_query(ctx, "supervisor"))) {
    if (subject_ok(v))
      f.supervisor_sub = v;
    else
      ij_field_errors_add(&errs, "supervisor", "must be a supervisor's subject of 1 to %d bytes",
                          IJ_MAX_SUPERVISOR);
  }
  ij_query_limit(ctx, 25, 100, &f.limit, &errs);
  if ((v = ij_query(ctx, "cursor"))) {
    if (parse_cursor(v, &f.cursor_created_at, f.cursor_id))
      f.has_cursor = true;
    else
      ij_field_errors_add(&errs, "cursor", "is not a cursor this service gave");
  }
  if (errs.count) {
    ij_send_problem(ctx, IJ_ERR_INVALID, NULL, &errs);
    return;
  }
  ij_conn *conn = ij_ctx_conn(ctx);
  if (!conn)
    return;
  ij_placement_page page;
  ij_err err = ij_store_placement_list(conn, &f, &page);
  if (err != IJ_OK) {
    ij_send_problem(ctx, err, NULL, NULL);
    return;
  }
  json_t *items = json_array();
  for (int i = 0; i < page.count; i++)
    json_array_append_new(items, placement_json(&page.items[i]));
  json_t *next = json_null();
  if (page.more && page.count > 0) {
    const ij_placement *last = &page.items[page.count - 1];
    char cursor[96];
    snprintf(cursor, sizeof cursor, "%" PRId64 ".%s", last->created_at, last->id);
    next = json_string(cursor);
  }
  ij_placement_page_clear(&page);
  ij_send_json(ctx, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
}
