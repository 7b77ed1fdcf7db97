/* Non-associations: two people who must not be placed on one session. Coordinators only (the
 * route table's action): each answer names both people, and is noted in the access log against
 * each person's latest referral. */
#include <stdio.h>
#include <string.h>

#include "ij/ops.h"
#include "internal.h"

static json_t *by_json(const char *sub, const char *name) {
  return sub ? json_pack("{s:s, s:o}", "sub", sub, "name", ij_json_str_or_null(name)) : json_null();
}

static json_t *non_association_json(ij_ctx *ctx, const ij_non_association *n) {
  json_t *people = json_array();
  for (int i = 0; i < 2; i++) {
    const ij_non_association_side *side = &n->people[i];
    json_array_append_new(people, json_pack("{s:s, s:o, s:o}", "person_id", side->person_id, "name",
                                            ij_json_str_or_null(side->name), "referral_id",
                                            ij_json_str_or_null(side->referral_id)));
    if (side->referral_id)
      ij_ctx_accessed(ctx, side->referral_id);
  }
  return json_pack(
      "{s:s, s:o, s:s, s:o, s:b, s:o, s:o, s:o, s:o, s:o}", "id", n->id, "people", people, "reason",
      n->reason, "notes", ij_json_str_or_null(n->notes), "active", n->ended_at == 0, "created_at",
      ij_json_time(n->created_at), "created_by", by_json(n->created_by_sub, n->created_by_name),
      "ended_at", ij_json_time_or_null(n->ended_at), "ended_by",
      by_json(n->ended_by_sub, n->ended_by_name), "end_reason", ij_json_str_or_null(n->end_reason));
}

static void send_one(ij_ctx *ctx, int status, const ij_non_association_list *list) {
  const ij_non_association *n = &list->items[0];
  if (status == 201) {
    char location[80];
    snprintf(location, sizeof location, "/v1/non-associations/%s", n->id);
    ij_set_header(ctx, "Location", location);
  }
  ij_send_json(ctx, status, non_association_json(ctx, n));
}

/* ---- POST /v1/non-associations ---- */

static const char *const CREATE_FIELDS[] = {"person_ids", "referral_ids", "reason", "notes", NULL};

/* Ids the decoding has refused already: two distinct stand-ins, so that the domain's checks of
 * the rest of the body run without naming the ids a second time. */
static void decoded_elsewhere(ij_non_association_input *in) {
  in->id_count = 2;
  in->ids[0] = "decoded-1";
  in->ids[1] = "decoded-2";
}

/* The ids of person_ids or referral_ids into in (canonical, in ids_buf; NULL where not a UUID). */
static void decode_ids(json_t *body, ij_non_association_input *in, char ids_buf[2][IJ_UUID_BUF],
                       ij_field_errors *errs) {
  json_t *people = json_object_get(body, "person_ids");
  json_t *referrals = json_object_get(body, "referral_ids");
  if (json_is_null(people))
    people = NULL;
  if (json_is_null(referrals))
    referrals = NULL;
  in->id_count = -1;
  in->ids_field = referrals && !people ? "referral_ids" : "person_ids";
  if (people && referrals) {
    ij_field_errors_add(errs, "referral_ids", "give person_ids or referral_ids, not both");
    decoded_elsewhere(in);
    return;
  }
  json_t *list = people ? people : referrals;
  if (!list)
    return;
  if (!json_is_array(list)) {
    ij_field_errors_add(errs, in->ids_field, "must be an array of two ids");
    decoded_elsewhere(in);
    return;
  }
  in->id_count = (int)json_array_size(list);
  for (int i = 0; i < 2 && i < in->id_count; i++) {
    const char *s = json_string_value(json_array_get(list, (size_t)i));
    in->ids[i] = s && ij_uuid_canonical(s, ids_buf[i]) ? ids_buf[i] : NULL;
  }
}

void ij_h_non_association_create(ij_ctx *ctx) {
  ij_field_errors errs;
  json_t *body = ij_request_body(ctx, NULL, CREATE_FIELDS, &errs);
  if (!body)
    return;
  ij_non_association_input in;
  memset(&in, 0, sizeof in);
  char ids[2][IJ_UUID_BUF];
  decode_ids(body, &in, ids, &errs);
  in.reason = ij_json_str(body, "", "reason", &errs);
  in.notes = ij_json_str(body, "", "notes", &errs);
  /* the decoding's problems and the domain's are answered together */
  if (errs.count)
    ij_domain_non_association_validate(&in, &errs);
  ij_conn *conn = ij_ctx_conn_valid(ctx, &errs);
  if (!conn) {
    json_decref(body);
    return;
  }
  ij_op_ctx op = ij_ctx_op(ctx);
  ij_non_association_list made;
  ij_err err = ij_ops_non_association_create(conn, &op, &ctx->actor, &in, &made, &errs);
  if (err == IJ_OK)
    send_one(ctx, 201, &made);
  else
    ij_send_store_error(ctx, err, &errs);
  ij_non_association_list_clear(&made);
  json_decref(body);
}

/* ---- GET /v1/non-associations?person_id=|referral_id= ---- */

void ij_h_non_association_list(ij_ctx *ctx) {
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  const char *person = ij_query(ctx, "person_id");
  const char *referral = ij_query(ctx, "referral_id");
  const char *field = referral ? "referral_id" : "person_id";
  char id[IJ_UUID_BUF];
  if (person && referral)
    ij_field_errors_add(&errs, "referral_id", "give person_id or referral_id, not both");
  else if (!person && !referral)
    ij_field_errors_add(&errs, "person_id", "give person_id or referral_id");
  else if (!ij_uuid_canonical(referral ? referral : person, id))
    ij_field_errors_add(&errs, field, "must be a UUID");
  ij_conn *conn = ij_ctx_conn_valid(ctx, &errs);
  if (!conn)
    return;
  ij_op_ctx op = ij_ctx_op(ctx);
  ij_non_association_list list;
  ij_err err = ij_ops_non_associations_of(conn, &op, referral != NULL, id, &list);
  if (err == IJ_ERR_NOT_FOUND) {
    ij_field_errors_add(
        &errs, field, referral ? "is not a referral of this area" : "is not a person of this area");
    ij_send_invalid(ctx, &errs);
    return;
  }
  if (err != IJ_OK) {
    ij_send_store_error(ctx, err, NULL);
    return;
  }
  json_t *items = json_array();
  for (int i = 0; i < list.count; i++)
    json_array_append_new(items, non_association_json(ctx, &list.items[i]));
  ij_non_association_list_clear(&list);
  ij_send_page(ctx, items, json_null());
}

/* ---- GET and DELETE /v1/non-associations/{id} ---- */

void ij_h_non_association_get(ij_ctx *ctx) {
  ij_conn *conn = ij_ctx_conn(ctx);
  if (!conn)
    return;
  ij_op_ctx op = ij_ctx_op(ctx);
  ij_non_association_list one;
  ij_err err = ij_ops_non_association_get(conn, &op, ctx->id, &one);
  if (err == IJ_OK)
    send_one(ctx, 200, &one);
  else
    ij_send_store_error(ctx, err, NULL);
  ij_non_association_list_clear(&one);
}

void ij_h_non_association_end(ij_ctx *ctx) {
  ij_conn *conn = ij_ctx_conn(ctx);
  if (!conn)
    return;
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  ij_op_ctx op = ij_ctx_op(ctx);
  ij_non_association_list one;
  ij_err err = ij_ops_non_association_end(conn, &op, &ctx->actor, ctx->id, ij_query(ctx, "reason"),
                                          &one, &errs);
  if (err == IJ_OK)
    send_one(ctx, 200, &one);
  else
    ij_send_store_error(ctx, err, &errs);
  ij_non_association_list_clear(&one);
}
