/* An area's reference data as its admins maintain it: wards, reason codes, the area's rules and
 * the directory of supervisors, and the audit trail of their changes. Each handler reads top to
 * bottom: decode -> one ij_ops_* call -> render. The routes whose {id} is a code (a ward's, a
 * reason code's "kind.code", a supervisor's sub, an area's) negotiate JSON here, as the route
 * table leaves a named {id}'s media type to its handler. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refdata.h"
#include "ij/str.h"

static const char *const JSON_ONLY[] = {"application/json", NULL};

/* ---- rendering ---- */

static bool is_true(const char *cell) {
  return cell && strcmp(cell, "t") == 0;
}

static json_t *ward_json(const ij_rows *rows, int i) {
  return json_pack("{s:s, s:s, s:b}", "code", ij_rows_get(rows, i, 0), "name",
                   ij_rows_get(rows, i, 1), "active", is_true(ij_rows_get(rows, i, 2)));
}

static json_t *reason_code_json(const ij_rows *rows, int i) {
  return json_pack("{s:s, s:s, s:s, s:b, s:b}", "kind", ij_rows_get(rows, i, 0), "code",
                   ij_rows_get(rows, i, 1), "label", ij_rows_get(rows, i, 2), "active",
                   is_true(ij_rows_get(rows, i, 3)), "national", is_true(ij_rows_get(rows, i, 4)));
}

static json_t *supervisor_json(const ij_rows *rows, int i) {
  json_t *j = json_pack("{s:s, s:s, s:o, s:o, s:b, s:i}", "sub", ij_rows_get(rows, i, 0), "name",
                        ij_rows_get(rows, i, 1), "organisation",
                        ij_json_str_or_null(ij_rows_get(rows, i, 2)), "phone",
                        ij_json_str_or_null(ij_rows_get(rows, i, 3)), "active",
                        is_true(ij_rows_get(rows, i, 4)), "version", atoi(ij_rows_get(rows, i, 5)));
  if (j) {
    json_object_set_new(j, "created_at", ij_json_time(atoll(ij_rows_get(rows, i, 6))));
    json_object_set_new(j, "updated_at", ij_json_time(atoll(ij_rows_get(rows, i, 7))));
  }
  return j;
}

/* A record of a list or a change as JSON (a new reference). */
typedef json_t *(*row_json)(const ij_rows *rows, int i);

/* The body of a change (JSON negotiated for a named {id}), its unknown members field errors;
 * NULL when it was refused (sent). */
static json_t *body_of(ij_ctx *ctx, const char *const *fields, ij_field_errors *errs) {
  if (ctx->route->id == IJ_ID_NAME && ij_negotiate(ctx, JSON_ONLY) < 0)
    return NULL;
  return ij_request_body(ctx, NULL, fields, errs);
}

/* `all`: "true" or "false" (retired records too), a field error otherwise. */
static bool query_all(ij_ctx *ctx, ij_field_errors *errs) {
  const char *v = ij_query(ctx, "all");
  if (!v || strcmp(v, "false") == 0)
    return false;
  if (strcmp(v, "true") != 0)
    ij_field_errors_add(errs, "all", "must be true or false");
  return true;
}

/* ---- the lists of wards, reason codes and supervisors ---- */

/* An operation listing the area's records, retired ones too when `all`; kind filters reason codes
 * and is NULL for the others. */
typedef ij_err (*list_op)(ij_conn *conn, const ij_op_ctx *op, const char *kind, bool all,
                          ij_rows *out);

static ij_err wards_of_area(ij_conn *conn, const ij_op_ctx *op, const char *kind, bool all,
                            ij_rows *out) {
  (void)kind;
  return ij_ops_wards_of_area(conn, op, all, out);
}

static ij_err supervisors_of_area(ij_conn *conn, const ij_op_ctx *op, const char *kind, bool all,
                                  ij_rows *out) {
  (void)kind;
  return ij_ops_supervisors_of_area(conn, op, all, out);
}

/* Answers a list: `all` read after the handler's own query errors (errs), every field error
 * refused at once; then one page of every row, rendered by row_json. */
static void send_list(ij_ctx *ctx, ij_field_errors *errs, const char *kind, list_op list,
                      row_json render) {
  bool all = query_all(ctx, errs);
  ij_conn *conn = ij_ctx_conn_valid(ctx, errs);
  if (!conn)
    return;
  ij_op_ctx op = ij_ctx_op(ctx);
  ij_rows rows;
  ij_err err = list(conn, &op, kind, all, &rows);
  if (err != IJ_OK) {
    ij_send_problem(ctx, err, NULL, NULL);
    return;
  }
  json_t *items = json_array();
  for (int i = 0; i < rows.count; i++)
    json_array_append_new(items, render(&rows, i));
  ij_rows_clear(&rows);
  ij_send_page(ctx, items, json_null());
}

void ij_h_wards(ij_ctx *ctx) {
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  send_list(ctx, &errs, NULL, wards_of_area, ward_json);
}

void ij_h_reason_codes(ij_ctx *ctx) {
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  const char *kind = ij_query(ctx, "kind");
  if (kind && !ij_domain_reason_kind_valid(kind))
    ij_field_errors_add(&errs, "kind", "must be reject, withdraw, non_compliance or warning");
  send_list(ctx, &errs, kind, ij_ops_reason_codes_of_area, reason_code_json);
}

void ij_h_supervisor_list(ij_ctx *ctx) {
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  send_list(ctx, &errs, NULL, supervisors_of_area, supervisor_json);
}

/* ---- adding, changing and deleting wards, reason codes and supervisors ---- */

/* ADD answers 201 with the record, CHANGE 200 with it, DELETE 204. */
typedef enum { ADD, CHANGE, DELETE } ref_verb;

/* What a change carries, from its path and body. */
typedef struct {
  const char *kind; /* a reason code's */
  const char *code; /* a ward's or a reason code's code; a supervisor's sub of the path */
  const char *name; /* a ward's name, a reason code's label */
  int active;       /* -1: kept */
  ij_supervisor_input supervisor;
  char path[160];     /* the path's "kind.code", split */
  char location[192]; /* where an added record is, "" for no Location */
} ref_input;

/* A kind of record: the members its bodies may have, its decoder (body NULL for DELETE; false
 * when it has sent the problem), its operations and its rendering. */
typedef struct {
  const char *const *add_fields;
  const char *const *change_fields;
  bool (*decode)(ij_ctx *ctx, json_t *body, ref_verb verb, ref_input *in, ij_field_errors *errs);
  ij_err (*apply)(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor, ref_verb verb,
                  const ref_input *in, ij_rows *out, ij_field_errors *errs, const char **why);
  row_json render;
} ref_kind;

/* A change of a record: the body (a delete's none) decoded with every field error, one operation,
 * and the answer: the record, or the problem (a conflict says why). */
static void run_change(ij_ctx *ctx, const ref_kind *kind, ref_verb verb) {
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  json_t *body = NULL;
  if (verb == DELETE) {
    if (ij_negotiate(ctx, JSON_ONLY) < 0)
      return;
  } else if (!(body = body_of(ctx, verb == ADD ? kind->add_fields : kind->change_fields, &errs))) {
    return;
  }
  ref_input in;
  memset(&in, 0, sizeof in);
  in.active = -1;
  ij_conn *conn = kind->decode(ctx, body, verb, &in, &errs) ? ij_ctx_conn(ctx) : NULL;
  if (conn) {
    ij_op_ctx op = ij_ctx_op(ctx);
    ij_rows rows = {0};
    const char *why = NULL;
    ij_err err = kind->apply(conn, &op, &ctx->actor, verb, &in, &rows, &errs, &why);
    if (err == IJ_OK && verb == DELETE) {
      ulfius_set_empty_body_response(ctx->res, 204);
      ctx->status = 204;
    } else if (err == IJ_OK) {
      if (in.location[0])
        ij_set_header(ctx, "Location", in.location);
      ij_send_json(ctx, verb == ADD ? 201 : 200, kind->render(&rows, 0));
    } else if (err == IJ_ERR_CONFLICT && why) {
      ij_send_problem(ctx, err, why, NULL);
    } else {
      ij_send_store_error(ctx, err, &errs);
    }
    ij_rows_clear(&rows);
  }
  json_decref(body);
}

/* ---- wards ---- */

static const char *const WARD_ADD_FIELDS[] = {"code", "name", NULL};
static const char *const WARD_CHANGE_FIELDS[] = {"name", "active", NULL};

static bool decode_ward(ij_ctx *ctx, json_t *body, ref_verb verb, ref_input *in,
                        ij_field_errors *errs) {
  in->code = ctx->id;
  if (verb == DELETE)
    return true;
  ij_json_refuse_nulls(body, "", NULL, errs);
  if (verb == ADD) {
    in->code = ij_json_str(body, "", "code", errs);
    if (in->code)
      snprintf(in->location, sizeof in->location, "/v1/wards/%s", in->code);
  }
  in->name = ij_json_str(body, "", "name", errs);
  if (verb == CHANGE)
    in->active = ij_json_bool(body, "", "active", errs);
  return true;
}

static ij_err apply_ward(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor, ref_verb verb,
                         const ref_input *in, ij_rows *out, ij_field_errors *errs,
                         const char **why) {
  switch (verb) {
  case ADD:
    return ij_ops_ward_add(conn, op, actor, in->code, in->name, out, errs, why);
  case CHANGE:
    return ij_ops_ward_change(conn, op, actor, in->code, in->name, in->active, out, errs, why);
  default:
    return ij_ops_ward_delete(conn, op, actor, in->code, why);
  }
}

static const ref_kind WARDS = {WARD_ADD_FIELDS, WARD_CHANGE_FIELDS, decode_ward, apply_ward,
                               ward_json};

void ij_h_ward_add(ij_ctx *ctx) {
  run_change(ctx, &WARDS, ADD);
}

void ij_h_ward_change(ij_ctx *ctx) {
  run_change(ctx, &WARDS, CHANGE);
}

void ij_h_ward_delete(ij_ctx *ctx) {
  run_change(ctx, &WARDS, DELETE);
}

/* ---- reason codes ---- */

static const char *const CODE_ADD_FIELDS[] = {"kind", "code", "label", NULL};
static const char *const CODE_CHANGE_FIELDS[] = {"label", "active", NULL};

/* The body's kind, code and label (ADD); else the path's "kind.code" (404 when it is not two
 * parts), then the body's label and active (CHANGE). */
static bool decode_reason_code(ij_ctx *ctx, json_t *body, ref_verb verb, ref_input *in,
                               ij_field_errors *errs) {
  if (verb != ADD) {
    ij_str_copy(in->path, sizeof in->path, ctx->id ? ctx->id : "");
    char *dot = strchr(in->path, '.');
    if (!dot || dot == in->path || !dot[1] || strchr(dot + 1, '.')) {
      ij_send_problem(ctx, IJ_ERR_NOT_FOUND, "no reason code with this id (kind.code)", NULL);
      return false;
    }
    *dot = 0;
    in->kind = in->path;
    in->code = dot + 1;
  }
  if (verb == DELETE)
    return true;
  ij_json_refuse_nulls(body, "", NULL, errs);
  if (verb == ADD) {
    in->kind = ij_json_str(body, "", "kind", errs);
    in->code = ij_json_str(body, "", "code", errs);
  }
  in->name = ij_json_str(body, "", "label", errs);
  if (verb == CHANGE)
    in->active = ij_json_bool(body, "", "active", errs);
  else if (in->kind && in->code)
    snprintf(in->location, sizeof in->location, "/v1/reason-codes/%s.%s", in->kind, in->code);
  return true;
}

static ij_err apply_reason_code(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                                ref_verb verb, const ref_input *in, ij_rows *out,
                                ij_field_errors *errs, const char **why) {
  switch (verb) {
  case ADD:
    return ij_ops_reason_code_add(conn, op, actor, in->kind, in->code, in->name, out, errs, why);
  case CHANGE:
    return ij_ops_reason_code_change(conn, op, actor, in->kind, in->code, in->name, in->active, out,
                                     errs, why);
  default:
    return ij_ops_reason_code_delete(conn, op, actor, in->kind, in->code, why);
  }
}

static const ref_kind REASON_CODES = {CODE_ADD_FIELDS, CODE_CHANGE_FIELDS, decode_reason_code,
                                      apply_reason_code, reason_code_json};

void ij_h_reason_code_add(ij_ctx *ctx) {
  run_change(ctx, &REASON_CODES, ADD);
}

void ij_h_reason_code_change(ij_ctx *ctx) {
  run_change(ctx, &REASON_CODES, CHANGE);
}

void ij_h_reason_code_delete(ij_ctx *ctx) {
  run_change(ctx, &REASON_CODES, DELETE);
}

/* ---- the area's rules ---- */

static json_t *rules_json(const char *area, const ij_area_rules *r, const ij_area_settings *own) {
  json_t *j = json_pack("{s:s, s:i, s:i, s:i, s:i}", "area", area, "target_start_hours",
                        r->target_start_hours, "hours_min", r->hours_min, "hours_max", r->hours_max,
                        "hours_default", r->hours_default);
  json_t *o = json_object();
  const struct {
    const char *name;
    int value;
  } cells[] = {{"target_start_hours", own->target_start_hours},
               {"hours_min", own->hours_min},
               {"hours_max", own->hours_max},
               {"hours_default", own->hours_default}};
  for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++)
    json_object_set_new(o, cells[i].name,
                        cells[i].value ? json_integer(cells[i].value) : json_null());
  json_object_set_new(j, "configured", o);
  return j;
}

/* The area of the path must be the caller's own: another area's is refused, named or not. */
static bool own_area(ij_ctx *ctx) {
  if (ij_negotiate(ctx, JSON_ONLY) < 0)
    return false;
  if (strcmp(ctx->id, ctx->actor.area) != 0) {
    ij_send_problem(ctx, IJ_ERR_FORBIDDEN, "you may read and change only your own area's rules",
                    NULL);
    return false;
  }
  return true;
}

void ij_h_area_rules_get(ij_ctx *ctx) {
  if (!own_area(ctx))
    return;
  ij_conn *conn = ij_ctx_conn(ctx);
  if (!conn)
    return;
  ij_op_ctx op = ij_ctx_op(ctx);
  ij_area_rules rules;
  ij_area_settings own;
  ij_err err = ij_ops_area_rules_get(conn, &op, &rules, &own);
  if (err != IJ_OK) {
    ij_send_store_error(ctx, err, NULL);
    return;
  }
  ij_send_json(ctx, 200, rules_json(ctx->id, &rules, &own));
}

static const char *const RULES_FIELDS[] = {"target_start_hours", "hours_min", "hours_max",
                                           "hours_default", NULL};

void ij_h_area_rules_put(ij_ctx *ctx) {
  if (!own_area(ctx))
    return;
  ij_field_errors errs;
  json_t *body = ij_request_body(ctx, NULL, RULES_FIELDS, &errs);
  if (!body)
    return;
  /* each setting a whole number, or null (or absent) for the service's default */
  ij_area_settings in = {0, 0, 0, 0};
  int *slots[] = {&in.target_start_hours, &in.hours_min, &in.hours_max, &in.hours_default};
  for (int i = 0; i < 4; i++) {
    if (ij_json_int(body, "", RULES_FIELDS[i], slots[i], &errs) && *slots[i] == 0 &&
        !ij_field_errors_has(&errs, RULES_FIELDS[i]))
      ij_field_errors_add(&errs, RULES_FIELDS[i],
                          "must be a whole number of hours, or null for the service's default");
  }
  ij_conn *conn = ij_ctx_conn(ctx);
  if (conn) {
    ij_op_ctx op = ij_ctx_op(ctx);
    ij_area_rules rules;
    ij_err err = ij_ops_area_rules_put(conn, &op, &ctx->actor, &in, &rules, &errs);
    if (err == IJ_OK)
      ij_send_json(ctx, 200, rules_json(ctx->id, &rules, &in));
    else
      ij_send_store_error(ctx, err, &errs);
  }
  json_decref(body);
}

/* ---- the directory of supervisors ---- */

static const char *const SUPERVISOR_ADD_FIELDS[] = {"sub", "name", "organisation", "phone", NULL};
static const char *const SUPERVISOR_CHANGE_FIELDS[] = {"name", "organisation", "phone", "active",
                                                       NULL};

/* organisation and phone may be null (none); the rest may not. The sub is the body's (ADD) or the
 * path's (CHANGE). */
static bool decode_supervisor(ij_ctx *ctx, json_t *body, ref_verb verb, ref_input *ref,
                              ij_field_errors *errs) {
  bool create = verb == ADD;
  ij_supervisor_input *in = &ref->supervisor;
  ref->code = ctx->id;
  in->active = -1;
  static const char *const NOT_NULL[] = {"sub", "name", "active"};
  for (size_t i = 0; i < sizeof NOT_NULL / sizeof NOT_NULL[0]; i++)
    if (json_is_null(json_object_get(body, NOT_NULL[i])))
      ij_field_errors_add(errs, NOT_NULL[i], "must not be null");
  if (create)
    in->sub = ij_json_str(body, "", "sub", errs);
  in->name = ij_json_str(body, "", "name", errs);
  in->has_organisation = json_object_get(body, "organisation") != NULL;
  in->organisation = ij_json_str(body, "", "organisation", errs);
  in->has_phone = json_object_get(body, "phone") != NULL;
  in->phone = ij_json_str(body, "", "phone", errs);
  if (!create)
    in->active = ij_json_bool(body, "", "active", errs);
  return true;
}

/* A supervisor is retired (CHANGE with active false), never deleted. */
static ij_err apply_supervisor(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                               ref_verb verb, const ref_input *in, ij_rows *out,
                               ij_field_errors *errs, const char **why) {
  if (verb == ADD)
    return ij_ops_supervisor_add(conn, op, actor, &in->supervisor, out, errs, why);
  return ij_ops_supervisor_change(conn, op, actor, in->code, &in->supervisor, out, errs, why);
}

static const ref_kind SUPERVISORS = {SUPERVISOR_ADD_FIELDS, SUPERVISOR_CHANGE_FIELDS,
                                     decode_supervisor, apply_supervisor, supervisor_json};

void ij_h_supervisor_add(ij_ctx *ctx) {
  run_change(ctx, &SUPERVISORS, ADD);
}

void ij_h_supervisor_change(ij_ctx *ctx) {
  run_change(ctx, &SUPERVISORS, CHANGE);
}

/* ---- the audit trail ---- */

static json_t *parsed_or_null(const char *text) {
  json_t *j = text ? json_loads(text, 0, NULL) : NULL;
  return j ? j : json_null();
}

void ij_h_reference_changes(ij_ctx *ctx) {
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  const char *entity = ij_query(ctx, "entity");
  static const char *const ENTITIES[] = {"ward",       "reason_code", "area_rules",
                                         "supervisor", "notify",      "message_template"};
  bool known = !entity;
  for (size_t i = 0; entity && i < sizeof ENTITIES / sizeof ENTITIES[0]; i++)
    known = known || strcmp(entity, ENTITIES[i]) == 0;
  if (!known)
    ij_field_errors_add(&errs, "entity",
                        "must be ward, reason_code, area_rules, supervisor, notify"
                        " or message_template");
  int limit = 25;
  ij_query_limit(ctx, 25, 100, &limit, &errs);
  long long before = 0;
  const char *cursor = ij_query(ctx, "cursor");
  if (cursor) {
    char *end = NULL;
    before = strtoll(cursor, &end, 10);
    if (!*cursor || *end || before <= 0)
      ij_field_errors_add(&errs, "cursor", "is not a cursor this list gave");
  }
  ij_conn *conn = ij_ctx_conn_valid(ctx, &errs);
  if (!conn)
    return;
  ij_op_ctx op = ij_ctx_op(ctx);
  ij_rows rows;
  ij_err err = ij_ops_ref_changes(conn, &op, entity, before, limit, &rows);
  if (err != IJ_OK) {
    ij_send_problem(ctx, err, NULL, NULL);
    return;
  }
  json_t *items = json_array();
  int n = rows.count > limit ? limit : rows.count;
  for (int i = 0; i < n; i++) {
    json_t *item =
        json_pack("{s:s, s:o, s:{s:s, s:s, s:s}, s:s, s:s, s:s}", "id", ij_rows_get(&rows, i, 0),
                  "at", ij_json_time(atoll(ij_rows_get(&rows, i, 1))), "actor", "sub",
                  ij_rows_get(&rows, i, 2), "name", ij_rows_get(&rows, i, 3), "role",
                  ij_rows_get(&rows, i, 4), "entity", ij_rows_get(&rows, i, 5), "key",
                  ij_rows_get(&rows, i, 6), "action", ij_rows_get(&rows, i, 7));
    if (item) {
      json_object_set_new(item, "before", parsed_or_null(ij_rows_get(&rows, i, 8)));
      json_object_set_new(item, "after", parsed_or_null(ij_rows_get(&rows, i, 9)));
    }
    json_array_append_new(items, item);
  }
  json_t *next = rows.count > limit ? json_string(ij_rows_get(&rows, limit - 1, 0)) : json_null();
  ij_rows_clear(&rows);
  ij_send_page(ctx, items, next);
}
