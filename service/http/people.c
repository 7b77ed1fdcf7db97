/* Corrections and finding people: PATCH /v1/referrals/{id}, GET /v1/people, GET /v1/people/{id}.
 * Each handler reads top to bottom: decode -> one ij_ops_* call -> render. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ij/ops.h"
#include "internal.h"

/* ---- PATCH /v1/referrals/{id} ---- */

/* The members of the body's objects, as dotted paths: amendable, not amendable (ij/amend.h says
 * why), or not a member of a referral at all. */
static void decode_member(const char *path, json_t *value, ij_amend_values *in,
                          ij_field_errors *errs) {
  ij_amend_field f;
  if (ij_amend_field_parse(path, &f) != IJ_OK) {
    const char *why = ij_domain_amend_fixed(path);
    ij_field_errors_add(errs, path, "%s", why ? why : "is not a field of a referral");
    return;
  }
  if (f == IJ_AMEND_HOURS_PROPOSED) {
    if (!json_is_integer(value) || json_integer_value(value) < 0 ||
        json_integer_value(value) > 10000) {
      ij_field_errors_add(errs, path, "must be a whole number of hours");
      return;
    }
    in->hours_proposed = (int)json_integer_value(value);
  } else if (f == IJ_AMEND_CONTACT_CONSENT || f == IJ_AMEND_DO_NOT_MESSAGE) {
    if (!json_is_boolean(value)) {
      ij_field_errors_add(errs, path, "must be true or false");
      return;
    }
    in->text[f] = json_is_true(value) ? "true" : "false";
  } else if (json_is_string(value)) {
    in->text[f] = json_string_value(value);
  } else if (!json_is_null(value)) {
    ij_field_errors_add(errs, path, "must be a string or null");
    return;
  }
  in->given |= 1u << f;
}

static void decode_amendment(json_t *body, ij_amend_values *in, ij_field_errors *errs) {
  memset(in, 0, sizeof *in);
  const char *key;
  json_t *value;
  json_object_foreach(body, key, value) {
    bool group = strcmp(key, "person") == 0 || strcmp(key, "offence") == 0 ||
                 strcmp(key, "victim") == 0 || strcmp(key, "guardian") == 0;
    if (!group) {
      decode_member(key, value, in, errs);
      continue;
    }
    if (!json_is_object(value)) {
      ij_field_errors_add(errs, key, "must be an object");
      continue;
    }
    const char *member;
    json_t *v;
    json_object_foreach(value, member, v) {
      char path[64];
      snprintf(path, sizeof path, "%s.%s", key, member);
      decode_member(path, v, in, errs);
    }
  }
}

void ij_h_referral_amend(ij_ctx *ctx) {
  const char *id = ctx->id;
  int expected;
  ij_field_errors errs;
  json_t *body = ij_request_body(ctx, &expected, NULL, &errs);
  if (!body)
    return;
  ij_amend_values in;
  decode_amendment(body, &in, &errs);
  ij_referral updated;
  memset(&updated, 0, sizeof updated);
  /* the decoder's errors go to the operation, which adds those of the values (one 422) */
  ij_conn *conn = ij_ctx_conn(ctx);
  if (!conn)
    goto done;
  ij_op_ctx op = ij_ctx_op(ctx);
  unsigned changed = 0;
  ij_err err =
      ij_ops_referral_amend(conn, &op, &ctx->actor, id, expected, &in, &updated, &changed, &errs);
  if (err == IJ_ERR_STALE) {
    if (updated.owner_ && updated.version != expected)
      ij_set_etag(ctx, updated.version);
    ij_send_problem(ctx, err, "the referral has changed since you read it; read it again and retry",
                    NULL);
    goto done;
  }
  if (err == IJ_ERR_FORBIDDEN && errs.count == 0) {
    ij_send_problem(ctx, err, "your token's area is not known to the service", NULL);
    goto done;
  }
  if (err == IJ_ERR_FORBIDDEN) {
    ij_send_problem(ctx, err, "you may not amend these fields of this referral", &errs);
    goto done;
  }
  if (err != IJ_OK) {
    ij_send_store_error(ctx, err, &errs);
    goto done;
  }
  /* an amendment alters the person's record; one that changes nothing alters nothing (the
   * caller read the referral at this version, and that read was logged) */
  if (changed)
    ij_ctx_accessed(ctx, updated.id);
  ij_send_referral(ctx, 200, &updated);
done:
  ij_referral_clear(&updated);
  json_decref(body);
}

/* ---- GET /v1/people ---- */

/* The person's referrals, as the store lists them: [{"id", "state"}], newest first; each noted
 * for the access log. */
static json_t *referral_refs_json(ij_ctx *ctx, const ij_person *p) {
  json_t *list = json_array();
  const char *ids = p->referral_ids ? p->referral_ids : "";
  const char *states = p->referral_states ? p->referral_states : "";
  while (*ids) {
    size_t n = strcspn(ids, ","), m = strcspn(states, ",");
    char id[IJ_UUID_BUF], state[32];
    snprintf(id, sizeof id, "%.*s", (int)(n < sizeof id ? n : sizeof id - 1), ids);
    snprintf(state, sizeof state, "%.*s", (int)(m < sizeof state ? m : sizeof state - 1), states);
    json_array_append_new(list, json_pack("{s:s, s:s}", "id", id, "state", state));
    ij_ctx_accessed(ctx, id);
    ids += n + (ids[n] == ',');
    states += m + (states[m] == ',');
  }
  return list;
}

static json_t *date_of_birth_json(const ij_person *p) {
  return p->erased ? json_null() : ij_json_date(p->date_of_birth);
}

static json_t *person_summary_json(ij_ctx *ctx, const ij_person *p) {
  return json_pack("{s:s, s:s, s:o, s:o, s:o, s:o}", "id", p->id, "name", p->name, "date_of_birth",
                   date_of_birth_json(p), "postcode", ij_json_str_or_null(p->postcode), "police_id",
                   ij_json_str_or_null(p->police_id), "referrals", referral_refs_json(ctx, p));
}

static json_t *person_cursor(const ij_person *p) {
  return ij_cursor_json(p->created_at, p->id);
}

#define NAME_QUERY_MIN 2

void ij_h_people_search(ij_ctx *ctx) {
  ij_person_filter f;
  memset(&f, 0, sizeof f);
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  const char *v;
  if ((v = ij_query(ctx, "name"))) {
    size_t n = strlen(v);
    bool control = false;
    for (const char *c = v; *c; c++)
      control = control || (unsigned char)*c < 0x20 || *c == 0x7f;
    if (n < NAME_QUERY_MIN || n > IJ_MAX_NAME || control)
      ij_field_errors_add(&errs, "name", "must be %d to %d characters, no control characters",
                          NAME_QUERY_MIN, IJ_MAX_NAME);
    else
      f.name_key = v;
  }
  if ((v = ij_query(ctx, "police_id"))) {
    if (!*v || strlen(v) > 64)
      ij_field_errors_add(&errs, "police_id", "must be 1 to 64 characters");
    else
      f.police_id = v;
  }
  if ((v = ij_query(ctx, "dob"))) {
    if (ij_date_parse(v, &f.date_of_birth) == IJ_OK)
      f.has_date_of_birth = true;
    else
      ij_field_errors_add(&errs, "dob", "must be a date YYYY-MM-DD");
  }
  if ((v = ij_query(ctx, "postcode"))) {
    if (!*v || strlen(v) > 10)
      ij_field_errors_add(&errs, "postcode", "must be a postcode like DE1 1AA");
    else
      f.postcode_key = v;
  }
  if (errs.count == 0 && !f.name_key && !f.police_id && !f.has_date_of_birth && !f.postcode_key)
    ij_field_errors_add(&errs, "name", "give at least one of name, police_id, dob and postcode");
  ij_query_limit(ctx, 25, 50, &f.limit, &errs);
  ij_query_cursor(ctx, &f.cursor_created_at, f.cursor_id, &f.has_cursor, &errs);
  ij_conn *conn = ij_ctx_conn_valid(ctx, &errs);
  if (!conn)
    return;
  ij_op_ctx op = ij_ctx_op(ctx);
  ij_person_page page;
  ij_err err = ij_ops_people_search(conn, &op, &f, &page);
  if (err != IJ_OK) {
    ij_send_problem(ctx, err, NULL, NULL);
    return;
  }
  json_t *items = json_array();
  for (int i = 0; i < page.count; i++)
    json_array_append_new(items, person_summary_json(ctx, &page.items[i]));
  json_t *next = IJ_NEXT_CURSOR(page, person_cursor);
  ij_person_page_clear(&page);
  ij_send_page(ctx, items, next);
}

/* ---- GET /v1/people/{id} ---- */

static json_t *booking_summary_json(const ij_booking *b) {
  json_t *j =
      json_pack("{s:s, s:s, s:s, s:o, s:o, s:s, s:i}", "id", b->id, "session_id", b->session_id,
                "placement_name", b->placement_name ? b->placement_name : "", "starts_at",
                ij_json_time(b->starts_at), "ends_at", ij_json_time(b->ends_at), "status",
                b->status, "minutes_credited", b->minutes_credited);
  if (j) {
    json_object_set_new(j, "absence_reason", ij_json_str_or_null(b->absence_reason));
    json_object_set_new(j, "updated_at", ij_json_time(b->updated_at));
  }
  return j;
}

static json_t *person_referral_json(const ij_referral *r, const ij_booking_list *bookings,
                                    ij_time_us now) {
  json_t *j = ij_referral_summary_json(r, now);
  if (!j)
    return NULL;
  json_object_set_new(j, "minutes_credited", json_integer((json_int_t)r->minutes_credited));
  json_object_set_new(j, "first_attended_at", ij_json_time_or_null(r->first_attended_at));
  json_object_set_new(j, "reason_code", ij_json_str_or_null(r->reason_code));
  json_t *list = json_array();
  for (int i = 0; bookings && i < bookings->count; i++)
    json_array_append_new(list, booking_summary_json(&bookings->items[i]));
  json_object_set_new(j, "bookings", list);
  return j;
}

void ij_h_person_get(ij_ctx *ctx) {
  ij_conn *conn = ij_ctx_conn(ctx);
  if (!conn)
    return;
  ij_op_ctx op = ij_ctx_op(ctx);
  ij_person_view v;
  ij_err err = ij_ops_person_get(conn, &op, ctx->id, &v);
  if (err != IJ_OK) {
    ij_send_store_error(ctx, err, NULL);
    return;
  }
  const ij_person *p = &v.person.items[0];
  json_t *person = json_pack(
      "{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "id", p->id, "name", p->name,
      "date_of_birth", date_of_birth_json(p), "phone", ij_json_str_or_null(p->phone), "email",
      ij_json_str_or_null(p->email), "address", ij_json_str_or_null(p->address), "postcode",
      ij_json_str_or_null(p->postcode), "police_id", ij_json_str_or_null(p->police_id),
      "needs_notes", ij_json_str_or_null(p->needs_notes), "risk_notes",
      ij_json_str_or_null(p->risk_notes), "created_at", ij_json_time(p->created_at), "updated_at",
      ij_json_time(p->updated_at));
  json_t *referrals = json_array();
  for (int i = 0; i < v.referrals.count; i++) {
    json_array_append_new(
        referrals,
        person_referral_json(&v.referrals.items[i], v.bookings ? &v.bookings[i] : NULL, ctx->now));
    ij_ctx_accessed(ctx, v.referrals.items[i].id);
  }
  if (person) {
    json_object_set_new(person, "do_not_message", json_boolean(p->do_not_message));
    json_object_set_new(person, "referrals", referrals);
  } else
    json_decref(referrals);
  ij_person_view_clear(&v);
  ij_send_json(ctx, 200, person);
}
