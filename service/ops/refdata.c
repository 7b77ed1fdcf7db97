/* An area's reference data as its admins maintain it: each change is decided by the domain on
 * the record locked in one transaction, written, and audited in that transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops_internal.h"

/* Who made the change, for the audit row. */
static ij_audit audit_of(const ij_op_ctx *op, const ij_actor *actor) {
  return (ij_audit){op->request_id, actor->sub, actor->name, ij_role_name(IJ_ROLE_ADMIN), op->now};
}

/* One change of a record: how to lock it and how to write it, and what it is for the audit. */
typedef struct {
  const char *entity;
  const char *key;
  ij_err (*lock)(ij_conn *conn, const void *args, ij_rows *out);
  ij_err (*write)(ij_conn *conn, const void *args, ij_rows *out); /* out NULL for a delete */
  const void *args;
  int json_col; /* the after-JSON's column in write's rows */
} ref_op;

typedef enum { MODE_ADD, MODE_UPDATE, MODE_DELETE } ref_mode;

static bool cell_true(const ij_rows *rows, int col) {
  const char *v = ij_rows_get(rows, 0, col);
  return v && strcmp(v, "t") == 0;
}

/* Locks, decides, writes and audits. `active` (MODE_UPDATE): -1 unchanged, 0 retire, 1 reinstate.
 * On IJ_OK *out holds the record after it. */
static ij_err ref_run(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor, const ref_op *r,
                      ref_mode mode, int active, ij_rows *out, const char **why) {
  memset(out, 0, sizeof *out);
  *why = NULL;
  ij_err err = ij_store_begin(conn);
  if (err != IJ_OK)
    return err;
  ij_rows found;
  if ((err = r->lock(conn, r->args, &found)) != IJ_OK) {
    ij_store_rollback(conn);
    return err;
  }
  ij_ref_facts facts = {IJ_REF_ABSENT, false, false};
  char *before = NULL;
  if (found.count > 0) {
    facts.state = cell_true(&found, 0) ? IJ_REF_ACTIVE : IJ_REF_RETIRED;
    facts.in_use = cell_true(&found, 1);
    facts.shared = cell_true(&found, 2);
    const char *json = ij_rows_get(&found, 0, 3);
    before = json ? strdup(json) : NULL;
  }
  ij_rows_clear(&found);
  /* what the change is, as the record finds it: a change of `active` retires or reinstates */
  ij_ref_change change = mode == MODE_ADD                               ? IJ_REF_ADD
                         : mode == MODE_DELETE                          ? IJ_REF_DELETE
                         : active == 0 && facts.state == IJ_REF_ACTIVE  ? IJ_REF_RETIRE
                         : active == 1 && facts.state == IJ_REF_RETIRED ? IJ_REF_REINSTATE
                                                                        : IJ_REF_CHANGE;
  bool noop = false;
  err = ij_domain_ref_change(change, &facts, &noop, why);
  /* the national list's label is not the area's, but retiring a code of it is */
  if (err == IJ_OK) {
    if (mode == MODE_DELETE) {
      err = r->write(conn, r->args, NULL);
    } else {
      err = r->write(conn, r->args, out);
      if (err == IJ_OK && out->count != 1)
        err = IJ_ERR_NOT_FOUND;
    }
  }
  const char *after = err == IJ_OK && mode != MODE_DELETE ? ij_rows_get(out, 0, r->json_col) : NULL;
  bool changed = mode != MODE_UPDATE || !before || !after || strcmp(before, after) != 0;
  if (err == IJ_OK && changed && !noop) {
    ij_audit audit = audit_of(op, actor);
    err = ij_store_ref_change_log(conn, op->area, &audit, r->entity, r->key,
                                  ij_ref_change_name(change), before, after);
  }
  free(before);
  if (err == IJ_OK)
    err = ij_store_commit(conn);
  if (err != IJ_OK) {
    ij_store_rollback(conn);
    ij_rows_clear(out);
  }
  return err;
}

/* ---- wards ---- */

typedef struct {
  const char *area, *code, *name;
  int active;
} ward_args;

static ij_err ward_lock(ij_conn *conn, const void *a, ij_rows *out) {
  const ward_args *w = a;
  return ij_store_ward_lock(conn, w->area, w->code, out);
}
static ij_err ward_add(ij_conn *conn, const void *a, ij_rows *out) {
  const ward_args *w = a;
  return ij_store_ward_add(conn, w->area, w->code, w->name, out);
}
static ij_err ward_update(ij_conn *conn, const void *a, ij_rows *out) {
  const ward_args *w = a;
  return ij_store_ward_update(conn, w->area, w->code, w->name, w->active, out);
}
static ij_err ward_delete(ij_conn *conn, const void *a, ij_rows *out) {
  (void)out;
  const ward_args *w = a;
  return ij_store_ward_delete(conn, w->area, w->code);
}

ij_err ij_ops_ward_add(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor, const char *code,
                       const char *name, ij_rows *out, ij_field_errors *errs, const char **why) {
  memset(out, 0, sizeof *out);
  *why = NULL;
  if (ij_domain_ward_validate(code, name, -1, true, errs) != IJ_OK)
    return IJ_ERR_INVALID;
  ward_args args = {op->area, code, name, -1};
  ref_op r = {"ward", code, ward_lock, ward_add, &args, 3};
  return ref_run(conn, op, actor, &r, MODE_ADD, -1, out, why);
}

ij_err ij_ops_ward_change(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                          const char *code, const char *name, int active, ij_rows *out,
                          ij_field_errors *errs, const char **why) {
  memset(out, 0, sizeof *out);
  *why = NULL;
  if (ij_domain_ward_validate(code, name, active, false, errs) != IJ_OK)
    return IJ_ERR_INVALID;
  ward_args args = {op->area, code, name, active};
  ref_op r = {"ward", code, ward_lock, ward_update, &args, 3};
  return ref_run(conn, op, actor, &r, MODE_UPDATE, active, out, why);
}

ij_err ij_ops_ward_delete(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                          const char *code, const char **why) {
  ward_args args = {op->area, code, NULL, -1};
  ref_op r = {"ward", code, ward_lock, ward_delete, &args, 0};
  ij_rows out;
  ij_err err = ref_run(conn, op, actor, &r, MODE_DELETE, -1, &out, why);
  ij_rows_clear(&out);
  return err;
}

ij_err ij_ops_wards_of_area(ij_conn *conn, const ij_op_ctx *op, bool all, ij_rows *out) {
  return ij_store_wards_of_area(conn, op->area, all, out);
}

/* ---- reason codes ---- */

typedef struct {
  const char *area, *kind, *code, *label;
  int active;
} code_args;

static ij_err code_lock(ij_conn *conn, const void *a, ij_rows *out) {
  const code_args *c = a;
  return ij_store_reason_code_lock(conn, c->area, c->kind, c->code, out);
}
static ij_err code_add(ij_conn *conn, const void *a, ij_rows *out) {
  const code_args *c = a;
  return ij_store_reason_code_add(conn, c->area, c->kind, c->code, c->label, out);
}
static ij_err code_update(ij_conn *conn, const void *a, ij_rows *out) {
  const code_args *c = a;
  return ij_store_reason_code_update(conn, c->area, c->kind, c->code, c->label, c->active, out);
}
static ij_err code_delete(ij_conn *conn, const void *a, ij_rows *out) {
  (void)out;
  const code_args *c = a;
  return ij_store_reason_code_delete(conn, c->area, c->kind, c->code);
}

/* "kind/code": the audit row's key. */
static void code_key(const char *kind, const char *code, char *buf, size_t size) {
  snprintf(buf, size, "%s/%s", kind ? kind : "", code ? code : "");
}

ij_err ij_ops_reason_code_add(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                              const char *kind, const char *code, const char *label, ij_rows *out,
                              ij_field_errors *errs, const char **why) {
  memset(out, 0, sizeof *out);
  *why = NULL;
  if (ij_domain_reason_code_validate(kind, code, label, -1, true, errs) != IJ_OK)
    return IJ_ERR_INVALID;
  char key[2 * IJ_MAX_CODE + 2];
  code_key(kind, code, key, sizeof key);
  code_args args = {op->area, kind, code, label, -1};
  ref_op r = {"reason_code", key, code_lock, code_add, &args, 5};
  return ref_run(conn, op, actor, &r, MODE_ADD, -1, out, why);
}

ij_err ij_ops_reason_code_change(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                                 const char *kind, const char *code, const char *label, int active,
                                 ij_rows *out, ij_field_errors *errs, const char **why) {
  memset(out, 0, sizeof *out);
  *why = NULL;
  if (ij_domain_reason_code_validate(kind, code, label, active, false, errs) != IJ_OK)
    return IJ_ERR_INVALID;
  char key[2 * IJ_MAX_CODE + 2];
  code_key(kind, code, key, sizeof key);
  code_args args = {op->area, kind, code, label, active};
  ref_op r = {"reason_code", key, code_lock, code_update, &args, 5};
  /* a national code's label is the nation's: relabelling it is a change the domain refuses; a
   * change of `active` alone retires or reinstates it for the area */
  return ref_run(conn, op, actor, &r, MODE_UPDATE, label ? -2 : active, out, why);
}

ij_err ij_ops_reason_code_delete(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                                 const char *kind, const char *code, const char **why) {
  char key[2 * IJ_MAX_CODE + 2];
  code_key(kind, code, key, sizeof key);
  code_args args = {op->area, kind, code, NULL, -1};
  ref_op r = {"reason_code", key, code_lock, code_delete, &args, 0};
  ij_rows out;
  ij_err err = ref_run(conn, op, actor, &r, MODE_DELETE, -1, &out, why);
  ij_rows_clear(&out);
  return err;
}

ij_err ij_ops_reason_codes_of_area(ij_conn *conn, const ij_op_ctx *op, const char *kind, bool all,
                                   ij_rows *out) {
  return ij_store_reason_codes_of_area(conn, op->area, kind, all, out);
}

/* ---- the area's rules ---- */

static int setting(const ij_rows *rows, int col) {
  const char *v = ij_rows_get(rows, 0, col);
  return v ? atoi(v) : 0;
}

ij_err ij_ops_area_rules_get(ij_conn *conn, const ij_op_ctx *op, ij_area_rules *effective,
                             ij_area_settings *own) {
  memset(own, 0, sizeof *own);
  ij_err err =
      ij_store_area_rules(conn, op->area, ij_domain_rules_or_default(op->area_defaults), effective);
  if (err != IJ_OK)
    return err;
  ij_rows rows;
  if ((err = ij_store_area_settings_lock(conn, op->area, &rows)) != IJ_OK)
    return err;
  if (rows.count == 1)
    *own = (ij_area_settings){setting(&rows, 0), setting(&rows, 1), setting(&rows, 2),
                              setting(&rows, 3)};
  ij_rows_clear(&rows);
  return IJ_OK;
}

static const char *setting_text(int v, char *buf) {
  if (v == 0)
    return NULL;
  snprintf(buf, 16, "%d", v);
  return buf;
}

ij_err ij_ops_area_rules_put(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                             const ij_area_settings *in, ij_area_rules *effective,
                             ij_field_errors *errs) {
  if (ij_domain_area_settings_validate(in, op->area_defaults, effective, errs) != IJ_OK)
    return IJ_ERR_INVALID;
  ij_err err = ij_store_begin(conn);
  if (err != IJ_OK)
    return err;
  ij_rows before, after;
  memset(&after, 0, sizeof after);
  err = ij_store_area_settings_lock(conn, op->area, &before);
  if (err == IJ_OK && before.count != 1)
    err = IJ_ERR_NOT_FOUND;
  char b[4][16];
  if (err == IJ_OK)
    err = ij_store_area_settings_set(conn, op->area, setting_text(in->target_start_hours, b[0]),
                                     setting_text(in->hours_min, b[1]),
                                     setting_text(in->hours_max, b[2]),
                                     setting_text(in->hours_default, b[3]), &after);
  if (err == IJ_OK && after.count != 1)
    err = IJ_ERR_NOT_FOUND;
  if (err == IJ_OK && strcmp(ij_rows_get(&before, 0, 4), ij_rows_get(&after, 0, 4)) != 0) {
    ij_audit audit = audit_of(op, actor);
    err = ij_store_ref_change_log(conn, op->area, &audit, "area_rules", op->area, "change",
                                  ij_rows_get(&before, 0, 4), ij_rows_get(&after, 0, 4));
  }
  ij_rows_clear(&before);
  ij_rows_clear(&after);
  if (err == IJ_OK)
    err = ij_store_commit(conn);
  if (err != IJ_OK) {
    ij_store_rollback(conn);
    return err;
  }
  ij_ops_area_rules_forget(op->area);
  return IJ_OK;
}

/* ---- the directory of supervisors ---- */

typedef struct {
  const char *area, *sub;
  const ij_supervisor_input *in;
  ij_time_us at;
} supervisor_args;

static ij_err supervisor_lock(ij_conn *conn, const void *a, ij_rows *out) {
  const supervisor_args *s = a;
  return ij_store_supervisor_lock(conn, s->area, s->sub, out);
}
static ij_err supervisor_add(ij_conn *conn, const void *a, ij_rows *out) {
  const supervisor_args *s = a;
  return ij_store_supervisor_add(conn, s->area, s->sub, s->in->name, s->in->organisation,
                                 s->in->phone, s->at, out);
}
static ij_err supervisor_update(ij_conn *conn, const void *a, ij_rows *out) {
  const supervisor_args *s = a;
  return ij_store_supervisor_update(conn, s->area, s->sub, s->in->name, s->in->has_organisation,
                                    s->in->organisation, s->in->has_phone, s->in->phone,
                                    s->in->active, s->at, out);
}

ij_err ij_ops_supervisor_add(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                             const ij_supervisor_input *in, ij_rows *out, ij_field_errors *errs,
                             const char **why) {
  memset(out, 0, sizeof *out);
  *why = NULL;
  if (ij_domain_supervisor_validate(in, true, errs) != IJ_OK)
    return IJ_ERR_INVALID;
  supervisor_args args = {op->area, in->sub, in, op->now};
  ref_op r = {"supervisor", in->sub, supervisor_lock, supervisor_add, &args, 8};
  return ref_run(conn, op, actor, &r, MODE_ADD, -1, out, why);
}

ij_err ij_ops_supervisor_change(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                                const char *sub, const ij_supervisor_input *in, ij_rows *out,
                                ij_field_errors *errs, const char **why) {
  memset(out, 0, sizeof *out);
  *why = NULL;
  if (ij_domain_supervisor_validate(in, false, errs) != IJ_OK)
    return IJ_ERR_INVALID;
  supervisor_args args = {op->area, sub, in, op->now};
  ref_op r = {"supervisor", sub, supervisor_lock, supervisor_update, &args, 8};
  return ref_run(conn, op, actor, &r, MODE_UPDATE, in->active, out, why);
}

ij_err ij_ops_supervisors_of_area(ij_conn *conn, const ij_op_ctx *op, bool all, ij_rows *out) {
  return ij_store_supervisors_of_area(conn, op->area, all, out);
}

/* A supervisor named by a session or a placement must be active in the area's directory: any other
 * is a field error on "supervisor.sub", in the same answer as the rest (without a connection,
 * decoding failed: that answer is sent first). */
void ij_ops_check_supervisor(ij_conn *conn, const ij_op_ctx *op, bool named, const char *sub,
                             ij_field_errors *errs) {
  if (!conn || !named || !sub || ij_field_errors_has(errs, "supervisor.sub"))
    return;
  int state = 0;
  if (ij_store_supervisor_state(conn, op->area, sub, &state) != IJ_OK)
    return; /* the write that follows meets the same fault */
  if (state == 0)
    ij_field_errors_add(errs, "supervisor.sub",
                        "is not in this area's directory of supervisors (POST /v1/supervisors)");
  else if (state == 2)
    ij_field_errors_add(errs, "supervisor.sub",
                        "is inactive in this area's directory of supervisors");
}

ij_err ij_ops_supervisor_define(ij_conn *conn, const char *area, const char *sub, const char *name,
                                const char *organisation, ij_time_us now) {
  int state = 0;
  ij_err err = ij_store_supervisor_state(conn, area, sub, &state);
  if (err != IJ_OK || state != 0)
    return err;
  ij_rows out;
  err = ij_store_supervisor_add(conn, area, sub, name, organisation, NULL, now, &out);
  ij_rows_clear(&out);
  return err;
}

/* ---- the audit trail ---- */

ij_err ij_ops_ref_changes(ij_conn *conn, const ij_op_ctx *op, const char *entity,
                          long long before_id, int limit, ij_rows *out) {
  return ij_store_ref_changes(conn, op->area, entity, before_id, limit, out);
}
