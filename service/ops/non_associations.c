/* Non-associations: a coordinator records that two people must not be placed together, reads a
 * person's, and ends one. The booking path reads them under the session's lock (attendance.c);
 * here they are only kept. The rows are never deleted: who recorded and who ended each stays. */
#include <stdio.h>
#include <string.h>

#include "ij/store/non_associations.h"
#include "ops_internal.h"

ij_err ij_ops_non_association_create(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                                     const ij_non_association_input *in,
                                     ij_non_association_list *out, ij_field_errors *errs) {
  memset(out, 0, sizeof *out);
  ij_err err = ij_domain_non_association_validate(in, errs);
  if (err != IJ_OK)
    return err;
  bool by_referral = strcmp(in->ids_field, "referral_ids") == 0;
  char people[2][IJ_UUID_BUF];
  bool missing = false;
  for (int i = 0; i < 2; i++) {
    err = ij_store_person_of(conn, op->area, by_referral, in->ids[i], people[i]);
    if (err == IJ_ERR_NOT_FOUND) {
      char item[64];
      snprintf(item, sizeof item, "%s[%d]", in->ids_field, i);
      ij_field_errors_add(errs, item,
                          by_referral ? "is not a referral of this area"
                                      : "is not a person of this area");
      missing = true;
    } else if (err != IJ_OK) {
      return err;
    }
  }
  if (missing)
    return IJ_ERR_INVALID;
  err = ij_domain_non_association_people(people[0], people[1], in->ids_field, errs);
  if (err != IJ_OK)
    return err;
  char id[IJ_UUID_BUF];
  ij_uuid_new(id);
  ij_non_association_record rec = {id,      people[0],  people[1],   in->reason,    in->notes,
                                   op->now, actor->sub, actor->name, op->request_id};
  err = ij_store_non_association_insert(conn, op->area, &rec, in->ids_field, errs);
  if (err == IJ_OK)
    err = ij_store_non_association_get(conn, op->area, id, out);
  return err;
}

ij_err ij_ops_non_associations_of(ij_conn *conn, const ij_op_ctx *op, bool by_referral,
                                  const char *id, ij_non_association_list *out) {
  memset(out, 0, sizeof *out);
  char person[IJ_UUID_BUF];
  ij_err err = ij_store_person_of(conn, op->area, by_referral, id, person);
  if (err != IJ_OK)
    return err;
  return ij_store_non_associations_of_person(conn, op->area, person, out);
}

ij_err ij_ops_non_association_get(ij_conn *conn, const ij_op_ctx *op, const char *id,
                                  ij_non_association_list *out) {
  return ij_store_non_association_get(conn, op->area, id, out);
}

ij_err ij_ops_non_association_end(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                                  const char *id, const char *reason, ij_non_association_list *out,
                                  ij_field_errors *errs) {
  memset(out, 0, sizeof *out);
  ij_err err = ij_domain_non_association_end_reason(reason, errs);
  if (err != IJ_OK)
    return err;
  err = ij_store_non_association_end(conn, op->area, id, op->now, actor->sub, actor->name, reason,
                                     errs);
  if (err == IJ_OK)
    err = ij_store_non_association_get(conn, op->area, id, out);
  return err;
}
