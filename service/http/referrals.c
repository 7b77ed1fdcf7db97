/* The referral resource: create, list, read, transitions, history.
 * Each handler reads top to bottom: decode -> one ij_ops_* call -> render. */
#include <stdlib.h>
#include <string.h>

#include "ij/domain_idempotency.h"
#include "ij/ops.h"
#include "internal.h"

/* ---- helpers ---- */

static void write_tristate(ij_jw *w, const char *key, int v) {
  if (v < 0)
    ij_jw_null(w, key);
  else
    ij_jw_bool(w, key, v);
}

static bool overdue(const ij_referral *r, ij_time_us now) {
  return ij_domain_referral_overdue(r->state, r->first_attended_at != 0, r->target_start_by, now);
}

/* Null once retention has erased the person. */
static void write_date_of_birth(ij_jw *w, const ij_referral *r) {
  if (r->person_erased)
    ij_jw_null(w, "date_of_birth");
  else
    ij_jw_date(w, "date_of_birth", r->date_of_birth);
}

static void write_officer(ij_jw *w, const ij_referral *r) {
  ij_jw_object(w, "officer");
  ij_jw_string(w, "sub", r->officer_sub);
  ij_jw_string(w, "name", r->officer_name);
  ij_jw_end(w);
}

/* The earliest open booking on a session not over yet, or null. */
static void write_next_session(ij_jw *w, const ij_referral *r) {
  if (!r->next_booking_id[0]) {
    ij_jw_null(w, "next_session");
    return;
  }
  ij_jw_object(w, "next_session");
  ij_jw_string(w, "booking_id", r->next_booking_id);
  ij_jw_string(w, "session_id", r->next_session_id);
  ij_jw_time(w, "starts_at", r->next_starts_at);
  ij_jw_time(w, "ends_at", r->next_ends_at);
  ij_jw_string_or_null(w, "placement_name", r->next_placement_name);
  ij_jw_end(w);
}

/* The full representation, written as text (a GET's hot path: no tree of values between the row
 * and the body). */
static void write_referral(ij_jw *w, const ij_referral *r, const ij_actor *viewer, ij_time_us now) {
  ij_jw_object(w, NULL);
  ij_jw_string(w, "id", r->id);
  ij_jw_string(w, "area", r->area);
  ij_jw_string(w, "state", ij_state_name(r->state));
  ij_jw_int(w, "version", r->version);
  ij_jw_object(w, "person");
  ij_jw_string(w, "name", r->person_name);
  write_date_of_birth(w, r);
  ij_jw_string_or_null(w, "phone", r->phone);
  ij_jw_string_or_null(w, "email", r->email);
  ij_jw_string_or_null(w, "address", r->address);
  ij_jw_string_or_null(w, "postcode", r->postcode);
  ij_jw_string_or_null(w, "police_id", r->police_id);
  ij_jw_string_or_null(w, "needs_notes", r->needs_notes);
  ij_jw_string_or_null(w, "risk_notes", r->risk_notes);
  ij_jw_bool(w, "do_not_message", r->do_not_message);
  ij_jw_end(w);
  ij_jw_object(w, "offence");
  ij_jw_date(w, "date", r->offence_date);
  ij_jw_string(w, "category", r->offence_category);
  ij_jw_string_or_null(w, "description", r->offence_description);
  ij_jw_string_or_null(w, "location", r->offence_location);
  ij_jw_string(w, "ward", r->ward);
  ij_jw_end(w);
  ij_jw_string(w, "disposal", r->disposal);
  ij_jw_bool(w, "consent_recorded", r->consent_recorded);
  ij_jw_int(w, "hours_proposed", r->hours_proposed);
  ij_jw_int_or_null(w, "hours_confirmed", r->hours_confirmed);
  ij_jw_string_or_null(w, "suitability_notes", r->suitability_notes);
  ij_jw_int(w, "minutes_credited", r->minutes_credited);
  if (r->has_victim) {
    ij_jw_object(w, "victim");
    write_tristate(w, "consulted", r->victim_consulted);
    ij_jw_string_or_null(w, "preference", r->victim_preference);
    ij_jw_bool(w, "keep_updated", r->victim_keep_updated == 1);
    ij_jw_string_or_null(w, "contact", r->victim_contact);
    ij_jw_end(w);
  } else {
    ij_jw_null(w, "victim");
  }
  write_officer(w, r);
  ij_jw_string_or_null(w, "reason_code", r->reason_code);
  ij_jw_string_or_null(w, "reason", r->reason);
  ij_jw_time(w, "target_start_by", r->target_start_by);
  ij_jw_bool(w, "overdue", overdue(r, now));
  ij_jw_time_or_null(w, "first_attended_at", r->first_attended_at);
  ij_jw_time(w, "created_at", r->created_at);
  ij_jw_time(w, "updated_at", r->updated_at);
  ij_jw_int(w, "breaches", r->breaches);
  ij_jw_int(w, "warnings", r->warnings);
  ij_jw_int(w, "active_bookings", r->active_bookings);
  ij_jw_string_or_null(w, "rereferral_of", r->rereferral_of[0] ? r->rereferral_of : NULL);
  ij_jw_int_or_null(w, "rereferral_months", r->rereferral_months);
  ij_jw_time_or_null(w, "erased_at", r->erased_at);
  if (r->guardian_name) {
    ij_jw_object(w, "guardian");
    ij_jw_string(w, "name", r->guardian_name);
    ij_jw_string_or_null(w, "relationship", r->guardian_relationship);
    ij_jw_string_or_null(w, "phone", r->guardian_phone);
    ij_jw_string_or_null(w, "email", r->guardian_email);
    write_tristate(w, "consent", r->guardian_consent);
    ij_jw_end(w);
  } else {
    ij_jw_null(w, "guardian");
  }
  /* the events the viewer may send now */
  ij_referral_facts facts;
  ij_ops_facts(r, &facts);
  unsigned mask = ij_domain_allowed_events(viewer, &facts);
  ij_jw_array(w, "allowed_events");
  for (int e = 0; e < IJ_EVENT__COUNT; e++)
    if (mask & (1u << e))
      ij_jw_string(w, NULL, ij_event_name((ij_event)e));
  ij_jw_end(w);
  write_next_session(w, r);
  ij_jw_bool(w, "contact_consent", r->contact_consent);
  ij_jw_string(w, "message_language", r->message_language ? r->message_language : "en");
  ij_jw_end(w);
}

/* The list representation's members: enough to triage, without contact details or notes. Written
 * into an object the caller opened, so that a caller may add members of its own. */
static void write_summary_members(ij_jw *w, const ij_referral *r, ij_time_us now) {
  ij_jw_string(w, "id", r->id);
  ij_jw_string(w, "state", ij_state_name(r->state));
  ij_jw_int(w, "version", r->version);
  ij_jw_object(w, "person");
  ij_jw_string(w, "name", r->person_name);
  write_date_of_birth(w, r);
  ij_jw_end(w);
  ij_jw_object(w, "offence");
  ij_jw_date(w, "date", r->offence_date);
  ij_jw_string(w, "category", r->offence_category);
  ij_jw_string(w, "ward", r->ward);
  ij_jw_end(w);
  ij_jw_string(w, "disposal", r->disposal);
  ij_jw_int(w, "hours_proposed", r->hours_proposed);
  ij_jw_int_or_null(w, "hours_confirmed", r->hours_confirmed);
  write_officer(w, r);
  ij_jw_time(w, "target_start_by", r->target_start_by);
  ij_jw_bool(w, "overdue", overdue(r, now));
  ij_jw_time(w, "created_at", r->created_at);
  ij_jw_time(w, "updated_at", r->updated_at);
}

/* The list representation as a value, for the representations that embed it (a person's
 * referrals, the worklists): the writer's text, parsed, so that it has one definition. */
json_t *ij_referral_summary_json(const ij_referral *r, ij_time_us now) {
  ij_jw w;
  ij_jw_init(&w);
  ij_jw_object(&w, NULL);
  write_summary_members(&w, r, now);
  ij_jw_end(&w);
  size_t len = 0;
  const char *text = ij_jw_text(&w, &len);
  json_t *j = text ? json_loadb(text, len, 0, NULL) : NULL;
  ij_jw_free(&w);
  return j;
}

static void send_referral(ij_ctx *ctx, int status, const ij_referral *r) {
  ij_set_etag(ctx, r->version);
  ij_jw w;
  ij_jw_init(&w);
  write_referral(&w, r, &ctx->actor, ctx->now);
  ij_send_jw(ctx, status, &w);
  ij_jw_free(&w);
}

void ij_send_referral(ij_ctx *ctx, int status, const ij_referral *r) {
  send_referral(ctx, status, r);
}

/* ---- POST /v1/referrals ---- */

static const char *const TOP_FIELDS[] = {
    "person", "offence",  "disposal",        "consent_recorded", "hours_proposed",
    "victim", "guardian", "contact_consent", "message_language", NULL};
static const char *const GUARDIAN_FIELDS[] = {"name",  "relationship", "phone",
                                              "email", "consent",      NULL};
static const char *const PERSON_FIELDS[] = {
    "name",      "date_of_birth", "phone",      "email",          "address", "postcode",
    "police_id", "needs_notes",   "risk_notes", "do_not_message", NULL};
static const char *const OFFENCE_FIELDS[] = {"date",     "category", "description",
                                             "location", "ward",     NULL};
static const char *const VICTIM_FIELDS[] = {"consulted", "preference", "keep_updated", "contact",
                                            NULL};

static void decode_referral(json_t *body, ij_referral_input *in, ij_field_errors *errs) {
  memset(in, 0, sizeof *in);
  in->consent_recorded = -1;
  in->victim_consulted = -1;
  in->victim_keep_updated = -1;
  ij_json_unknown(body, "", TOP_FIELDS, errs);
  json_t *person = ij_json_obj(body, "", "person", errs);
  if (person) {
    ij_json_unknown(person, "person.", PERSON_FIELDS, errs);
    ij_person_input *p = &in->person;
    p->name = ij_json_str(person, "person.", "name", errs);
    p->date_of_birth = ij_json_str(person, "person.", "date_of_birth", errs);
    p->phone = ij_json_str(person, "person.", "phone", errs);
    p->email = ij_json_str(person, "person.", "email", errs);
    p->address = ij_json_str(person, "person.", "address", errs);
    p->postcode = ij_json_str(person, "person.", "postcode", errs);
    p->police_id = ij_json_str(person, "person.", "police_id", errs);
    p->needs_notes = ij_json_str(person, "person.", "needs_notes", errs);
    p->risk_notes = ij_json_str(person, "person.", "risk_notes", errs);
    p->do_not_message = ij_json_bool(person, "person.", "do_not_message", errs);
  }
  json_t *offence = ij_json_obj(body, "", "offence", errs);
  if (offence) {
    ij_json_unknown(offence, "offence.", OFFENCE_FIELDS, errs);
    in->offence_date = ij_json_str(offence, "offence.", "date", errs);
    in->offence_category = ij_json_str(offence, "offence.", "category", errs);
    in->offence_description = ij_json_str(offence, "offence.", "description", errs);
    in->offence_location = ij_json_str(offence, "offence.", "location", errs);
    in->ward = ij_json_str(offence, "offence.", "ward", errs);
  }
  in->disposal = ij_json_str(body, "", "disposal", errs);
  in->consent_recorded = ij_json_bool(body, "", "consent_recorded", errs);
  in->contact_consent = ij_json_bool(body, "", "contact_consent", errs);
  in->message_language = ij_json_str(body, "", "message_language", errs);
  in->has_hours_proposed = ij_json_int(body, "", "hours_proposed", &in->hours_proposed, errs);
  json_t *victim = ij_json_obj(body, "", "victim", errs);
  if (victim) {
    in->has_victim = true;
    ij_json_unknown(victim, "victim.", VICTIM_FIELDS, errs);
    in->victim_consulted = ij_json_bool(victim, "victim.", "consulted", errs);
    in->victim_preference = ij_json_str(victim, "victim.", "preference", errs);
    in->victim_keep_updated = ij_json_bool(victim, "victim.", "keep_updated", errs);
    in->victim_contact = ij_json_str(victim, "victim.", "contact", errs);
  }
  in->guardian.consent = -1;
  json_t *guardian = ij_json_obj(body, "", "guardian", errs);
  if (guardian) {
    in->has_guardian = true;
    ij_json_unknown(guardian, "guardian.", GUARDIAN_FIELDS, errs);
    in->guardian.name = ij_json_str(guardian, "guardian.", "name", errs);
    in->guardian.relationship = ij_json_str(guardian, "guardian.", "relationship", errs);
    in->guardian.phone = ij_json_str(guardian, "guardian.", "phone", errs);
    in->guardian.email = ij_json_str(guardian, "guardian.", "email", errs);
    in->guardian.consent = ij_json_bool(guardian, "guardian.", "consent", errs);
  }
}

/* The 201 body for a referral just made (the ops layer keeps it with the Idempotency-Key). */
static char *render_created(const ij_referral *r, void *arg) {
  ij_ctx *ctx = arg;
  ij_jw w;
  ij_jw_init(&w);
  write_referral(&w, r, &ctx->actor, ctx->now);
  char *text = ij_jw_take(&w);
  ij_jw_free(&w);
  return text;
}

void ij_h_referral_create(ij_ctx *ctx) {
  const char *key = ij_header(ctx, "Idempotency-Key");
  if (key && !ij_domain_idem_key_ok(key)) {
    ij_field_errors errs;
    ij_field_errors_init(&errs);
    ij_field_errors_add(&errs, "Idempotency-Key", IJ_IDEM_KEY_RULE);
    ij_send_problem(ctx, IJ_ERR_INVALID, NULL, &errs);
    return;
  }
  ij_field_errors errs;
  json_t *body = ij_request_body(ctx, NULL, NULL, &errs);
  if (!body)
    return;
  ij_referral_input in;
  decode_referral(body, &in, &errs);
  ij_created made;
  memset(&made, 0, sizeof made);
  ij_conn *conn = ij_ctx_conn_valid(ctx, &errs);
  if (!conn)
    goto done;
  char hash[65];
  if (key && !ij_idem_body_hash(ctx, hash)) {
    ij_send_problem(ctx, IJ_ERR_INTERNAL, NULL, NULL);
    goto done;
  }
  ij_op_ctx op = ij_ctx_op(ctx);
  ij_create_request req = {key, key ? hash : NULL, render_created, ctx};
  ij_err err = ij_ops_referral_create(conn, &op, &ctx->actor, &in, &req, &made, &errs);
  if (err == IJ_ERR_FORBIDDEN) {
    ij_send_problem(ctx, err, "your token's area is not known to the service", NULL);
    goto done;
  }
  if (err == IJ_ERR_IDEMPOTENCY) {
    ij_send_problem(ctx, err,
                    "this Idempotency-Key was used with a different request; use a new key", NULL);
    goto done;
  }
  if (err != IJ_OK) {
    ij_send_store_error(ctx, err, &errs);
    goto done;
  }
  char location[64];
  snprintf(location, sizeof location, "/v1/referrals/%s", made.referral.id);
  if (made.replayed) {
    ij_set_header(ctx, "Idempotent-Replayed", "true");
    json_t *kept = json_loads(made.response, 0, NULL);
    json_t *id = json_object_get(kept, "id");
    if (json_is_string(id)) {
      snprintf(location, sizeof location, "/v1/referrals/%s", json_string_value(id));
      ij_ctx_accessed(ctx, json_string_value(id));
    }
    json_decref(kept);
  } else {
    ij_ctx_accessed(ctx, made.referral.id);
  }
  ij_set_header(ctx, "Location", location);
  ij_set_etag(ctx, 1);
  ij_send_raw_json(ctx, made.status, made.response);
done:
  ij_created_clear(&made);
  json_decref(body);
}

/* ---- GET /v1/referrals/{id} ---- */

void ij_h_referral_get(ij_ctx *ctx) {
  const char *id = ctx->id;
  ij_conn *conn = ij_ctx_conn(ctx);
  if (!conn)
    return;
  ij_op_ctx op = ij_ctx_op(ctx);
  ij_referral r;
  ij_err err = ij_ops_referral_get(conn, &op, id, &r);
  if (err != IJ_OK) {
    ij_send_store_error(ctx, err, NULL);
    return;
  }
  ij_ctx_accessed(ctx, r.id);
  send_referral(ctx, 200, &r);
  ij_referral_clear(&r);
}

/* ---- POST /v1/referrals/{id}/transitions ---- */

static const char *const TRANSITION_FIELDS[] = {
    "event", "hours_confirmed", "suitability_notes", "reason_code", "reason", NULL};

void ij_h_referral_transition(ij_ctx *ctx) {
  const char *id = ctx->id;
  int expected;
  ij_field_errors errs;
  json_t *body = ij_request_body(ctx, &expected, TRANSITION_FIELDS, &errs);
  if (!body)
    return;
  ij_transition_request req;
  memset(&req, 0, sizeof req);
  const char *event = ij_json_str(body, "", "event", &errs);
  if (!event && !errs.count)
    ij_field_errors_add(&errs, "event", "is required");
  else if (event && ij_event_parse(event, &req.event) != IJ_OK)
    ij_field_errors_add(&errs, "event",
                        "must be accept, reject, withdraw or declare_non_compliance");
  req.has_hours_confirmed = ij_json_int(body, "", "hours_confirmed", &req.hours_confirmed, &errs);
  req.suitability_notes = ij_json_str(body, "", "suitability_notes", &errs);
  req.reason_code = ij_json_str(body, "", "reason_code", &errs);
  req.reason = ij_json_str(body, "", "reason", &errs);
  ij_referral updated;
  memset(&updated, 0, sizeof updated);
  ij_conn *conn = ij_ctx_conn_valid(ctx, &errs);
  if (!conn)
    goto done;
  ij_op_ctx op = ij_ctx_op(ctx);
  unsigned allowed = 0;
  ij_err err = ij_ops_referral_transition(conn, &op, &ctx->actor, id, expected, &req, &updated,
                                          &allowed, &errs);
  if (err == IJ_ERR_TRANSITION) {
    char detail[128];
    snprintf(detail, sizeof detail, "%s is not allowed when the referral is %s", event,
             ij_state_name(updated.state));
    ij_send_problem_events(ctx, err, detail, &errs, allowed);
    goto done;
  }
  if (err == IJ_ERR_STALE) {
    if (updated.owner_ && updated.version != expected)
      ij_set_etag(ctx, updated.version);
    ij_send_problem(ctx, err, "the referral has changed since you read it; read it again and retry",
                    NULL);
    goto done;
  }
  if (err == IJ_ERR_NOT_FOUND) {
    ij_send_store_error(ctx, err, NULL);
    goto done;
  }
  if (err == IJ_ERR_FORBIDDEN && errs.count == 0) {
    ij_send_problem(ctx, err, "your token's area is not known to the service", NULL);
    goto done;
  }
  if (err != IJ_OK) {
    ij_send_store_error(ctx, err, &errs);
    goto done;
  }
  ij_ctx_accessed(ctx, updated.id);
  send_referral(ctx, 200, &updated);
done:
  ij_referral_clear(&updated);
  json_decref(body);
}

/* ---- GET /v1/referrals ---- */

static bool parse_flag(const char *v, int *out) {
  if (strcmp(v, "true") == 0)
    *out = 1;
  else if (strcmp(v, "false") == 0)
    *out = 0;
  else
    return false;
  return true;
}

void ij_h_referral_list(ij_ctx *ctx) {
  ij_referral_filter f;
  memset(&f, 0, sizeof f);
  f.area = ctx->actor.area;
  f.now = ctx->now;
  f.overdue = -1;
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  const char *v;
  if ((v = ij_query(ctx, "state"))) {
    if (ij_state_parse(v, &f.state) == IJ_OK)
      f.has_state = true;
    else
      ij_field_errors_add(&errs, "state", "is not a referral state");
  }
  f.ward = ij_query_ward(ctx, &errs);
  if ((v = ij_query(ctx, "overdue")) && !parse_flag(v, &f.overdue))
    ij_field_errors_add(&errs, "overdue", "must be true or false");
  int mine = 0;
  if ((v = ij_query(ctx, "mine")) && !parse_flag(v, &mine))
    ij_field_errors_add(&errs, "mine", "must be true or false");
  if (mine)
    f.officer_sub = ctx->actor.sub;
  ij_query_limit(ctx, 25, 100, &f.limit, &errs);
  ij_query_cursor(ctx, &f.cursor_created_at, f.cursor_id, &f.has_cursor, &errs);
  ij_conn *conn = ij_ctx_conn_valid(ctx, &errs);
  if (!conn)
    return;
  ij_referral_page page;
  ij_err err = ij_ops_referral_list(conn, &f, &page);
  if (err != IJ_OK) {
    ij_send_problem(ctx, err, NULL, NULL);
    return;
  }
  ij_jw w;
  ij_jw_init(&w);
  ij_jw_object(&w, NULL);
  ij_jw_array(&w, "items");
  for (int i = 0; i < page.count; i++) {
    ij_jw_object(&w, NULL);
    write_summary_members(&w, &page.items[i], ctx->now);
    write_next_session(&w, &page.items[i]);
    ij_jw_end(&w);
    ij_ctx_accessed(ctx, page.items[i].id);
  }
  ij_jw_end(&w);
  if (page.more && page.count > 0) {
    const ij_referral *last = &page.items[page.count - 1];
    char cursor[IJ_CURSOR_BUF];
    ij_cursor_text(last->created_at, last->id, cursor);
    ij_jw_string(&w, "next_cursor", cursor);
  } else {
    ij_jw_null(&w, "next_cursor");
  }
  ij_jw_end(&w);
  ij_referral_page_clear(&page);
  ij_send_jw(ctx, 200, &w);
  ij_jw_free(&w);
}

/* ---- GET /v1/referrals/{id}/events ---- */

/* The events' cursor is the last seq read. */
static json_t *seq_cursor(const ij_event_record *e) {
  char cursor[16];
  snprintf(cursor, sizeof cursor, "%d", e->seq);
  return json_string(cursor);
}

void ij_h_referral_events(ij_ctx *ctx) {
  const char *id = ctx->id;
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  int limit, after = 0;
  ij_query_limit(ctx, 100, 500, &limit, &errs);
  const char *v = ij_query(ctx, "cursor");
  if (v) {
    char *end;
    long n = strtol(v, &end, 10);
    if (!*v || *end || n < 1 || n > 1000000000)
      ij_field_errors_add(&errs, "cursor", "is not a cursor this service gave");
    else
      after = (int)n;
  }
  ij_conn *conn = ij_ctx_conn_valid(ctx, &errs);
  if (!conn)
    return;
  ij_op_ctx op = ij_ctx_op(ctx);
  ij_event_page page;
  ij_err err = ij_ops_referral_events(conn, &op, id, after, limit, &page);
  if (err != IJ_OK) {
    ij_send_store_error(ctx, err, NULL);
    return;
  }
  json_t *items = json_array();
  for (int i = 0; i < page.count; i++) {
    const ij_event_record *e = &page.items[i];
    json_t *j =
        json_pack("{s:i, s:s, s:o, s:s, s:o, s:{s:s, s:s, s:s}, s:o, s:o, s:s}", "seq", e->seq,
                  "event", e->event, "from", ij_json_str_or_null(e->from_state), "to", e->to_state,
                  "at", ij_json_time(e->at), "actor", "sub", e->actor_sub, "name", e->actor_name,
                  "role", e->actor_role, "reason_code", ij_json_str_or_null(e->reason_code),
                  "reason", ij_json_str_or_null(e->reason), "request_id", e->request_id);
    json_t *fields = e->fields ? json_loads(e->fields, 0, NULL) : NULL;
    if (j && json_is_array(fields))
      json_object_set(j, "fields", fields); /* an amendment's fields, never their values */
    json_decref(fields);
    /* how the change was entered (a walk-in, a late entry with its reason), when marked */
    json_t *data = e->data ? json_loads(e->data, 0, NULL) : NULL;
    if (j && data)
      json_object_set_new(j, "data", data);
    else
      json_decref(data);
    json_array_append_new(items, j);
  }
  json_t *next = IJ_NEXT_CURSOR(page, seq_cursor);
  ij_event_page_clear(&page);
  ij_ctx_accessed(ctx, id);
  ij_send_page(ctx, items, next);
}
