/* The placement resource: create, list, read, update.
 * Each handler reads top to bottom: decode -> one ij_ops_* call -> render.
 * Coordinators see every placement of their area; a supervisor only those they supervise (any
 * other is answered as if it did not exist). */
#include <string.h>

#include "ij/ops.h"
#include "internal.h"

/* ---- helpers ---- */

/* NULL for a coordinator (every placement of the area), else the caller's subject. */
static const char *scope_of(const ij_ctx *ctx) {
  return (ctx->actor.roles & IJ_ROLE_COORDINATOR) ? NULL : ctx->actor.sub;
}

static json_t *placement_json(const ij_placement *p) {
  json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:i, s:{s:s, s:s}, s:b, s:i}", "id", p->id,
                        "name", p->name, "type", p->type, "provider", p->provider, "ward", p->ward,
                        "location", ij_json_str_or_null(p->location), "min_age", p->min_age,
                        "supervisor", "sub", p->supervisor_sub, "name", p->supervisor_name,
                        "active", p->active, "version", p->version);
  if (!j)
    return NULL;
  json_object_set_new(j, "what_to_bring", ij_json_str_or_null(p->what_to_bring));
  json_object_set_new(j, "created_at", ij_json_time(p->created_at));
  json_object_set_new(j, "updated_at", ij_json_time(p->updated_at));
  return j;
}

static void send_placement(ij_ctx *ctx, int status, const ij_placement *p) {
  ij_set_etag(ctx, p->version);
  ij_send_json(ctx, status, placement_json(p));
}

/* ---- decoding PlacementInput (POST) and its partial form (PATCH) ---- */

static const char *const PLACEMENT_FIELDS[] = {"name",          "type",    "provider",   "ward",
                                               "location",      "min_age", "supervisor", "active",
                                               "what_to_bring", NULL};
static const char *const SUPERVISOR_FIELDS[] = {"sub", "name", NULL};

static void decode_placement(json_t *body, ij_placement_input *in, ij_field_errors *errs) {
  memset(in, 0, sizeof *in);
  in->active = -1;
  ij_json_unknown(body, "", PLACEMENT_FIELDS, errs);
  ij_json_refuse_nulls(body, "", "location,what_to_bring", errs);
  in->name = ij_json_str(body, "", "name", errs);
  in->type = ij_json_str(body, "", "type", errs);
  in->provider = ij_json_str(body, "", "provider", errs);
  in->ward = ij_json_str(body, "", "ward", errs);
  if (json_object_get(body, "location")) {
    in->has_location = true;
    in->location = ij_json_str(body, "", "location", errs);
  }
  if (json_object_get(body, "what_to_bring")) {
    in->has_what_to_bring = true;
    in->what_to_bring = ij_json_str(body, "", "what_to_bring", errs);
  }
  in->has_min_age = ij_json_int(body, "", "min_age", &in->min_age, errs);
  in->active = ij_json_bool(body, "", "active", errs);
  json_t *sup = ij_json_obj(body, "", "supervisor", errs);
  if (sup) {
    in->has_supervisor = true;
    ij_json_unknown(sup, "supervisor.", SUPERVISOR_FIELDS, errs);
    ij_json_refuse_nulls(sup, "supervisor.", NULL, errs);
    in->supervisor_sub = ij_json_str(sup, "supervisor.", "sub", errs);
    in->supervisor_name = ij_json_str(sup, "supervisor.", "name", errs);
  }
}

/* ---- POST /v1/placements ---- */

void ij_h_placement_create(ij_ctx *ctx) {
  ij_field_errors errs;
  json_t *body = ij_request_body(ctx, NULL, NULL, &errs);
  if (!body)
    return;
  ij_placement_input in;
  decode_placement(body, &in, &errs);
  ij_placement p;
  memset(&p, 0, sizeof p);
  ij_conn *conn = ij_ctx_conn_valid(ctx, &errs);
  if (!conn)
    goto done;
  ij_op_ctx op = ij_ctx_op(ctx);
  ij_err err = ij_ops_placement_create(conn, &op, &in, &p, &errs);
  if (err != IJ_OK) {
    ij_send_store_error(ctx, err, &errs);
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
  const char *id = ctx->id;
  ij_conn *conn = ij_ctx_conn(ctx);
  if (!conn)
    return;
  ij_placement p;
  ij_op_ctx op = ij_ctx_op(ctx);
  ij_err err = ij_ops_placement_get(conn, &op, id, scope_of(ctx), &p);
  if (err != IJ_OK)
    ij_send_store_error(ctx, err, NULL);
  else
    send_placement(ctx, 200, &p);
  ij_placement_clear(&p);
}

/* ---- PATCH /v1/placements/{id} ---- */

void ij_h_placement_update(ij_ctx *ctx) {
  const char *id = ctx->id;
  int expected;
  ij_field_errors errs;
  json_t *body = ij_request_body(ctx, &expected, NULL, &errs);
  if (!body)
    return;
  ij_placement_input in;
  decode_placement(body, &in, &errs);
  ij_placement p;
  memset(&p, 0, sizeof p);
  ij_conn *conn = ij_ctx_conn_valid(ctx, &errs);
  if (!conn)
    goto done;
  ij_op_ctx op = ij_ctx_op(ctx);
  ij_err err = ij_ops_placement_update(conn, &op, id, expected, &in, &p, &errs);
  if (err != IJ_OK) {
    ij_send_store_error(ctx, err, &errs);
    goto done;
  }
  send_placement(ctx, 200, &p);
done:
  ij_placement_clear(&p);
  json_decref(body);
}

/* ---- GET /v1/placements ---- */

static json_t *created_cursor(const ij_placement *p) {
  return ij_cursor_json(p->created_at, p->id);
}

void ij_h_placement_list(ij_ctx *ctx) {
  ij_placement_filter f;
  memset(&f, 0, sizeof f);
  f.area = ctx->actor.area;
  f.scope_sub = scope_of(ctx);
  f.active = -1;
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  const char *v;
  f.type = ij_query_placement_type(ctx, &errs);
  f.ward = ij_query_ward(ctx, &errs);
  if ((v = ij_query(ctx, "active"))) {
    if (strcmp(v, "true") == 0)
      f.active = 1;
    else if (strcmp(v, "false") == 0)
      f.active = 0;
    else
      ij_field_errors_add(&errs, "active", "must be true or false");
  }
  f.supervisor_sub = ij_query_supervisor(ctx, &errs);
  ij_query_limit(ctx, 25, 100, &f.limit, &errs);
  ij_query_cursor(ctx, &f.cursor_created_at, f.cursor_id, &f.has_cursor, &errs);
  ij_conn *conn = ij_ctx_conn_valid(ctx, &errs);
  if (!conn)
    return;
  ij_placement_page page;
  ij_err err = ij_ops_placement_list(conn, &f, &page);
  if (err != IJ_OK) {
    ij_send_problem(ctx, err, NULL, NULL);
    return;
  }
  json_t *items = json_array();
  for (int i = 0; i < page.count; i++)
    json_array_append_new(items, placement_json(&page.items[i]));
  json_t *next = IJ_NEXT_CURSOR(page, created_cursor);
  ij_placement_page_clear(&page);
  ij_send_page(ctx, items, next);
}
