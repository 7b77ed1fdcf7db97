/* The referral aggregate: the referral, its person, its event log and idempotency records. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ij/store/referrals.h"
#include "ij/str.h"
#include "db.h"

/* Every referral read selects the referral as one record of REFERRAL_FIELDS fields, in the order
 * parse_referral reads them (ij_db_record): libpq describes and reads one column a row rather
 * than 58, which was most of the client's instructions of a read (a GET of a referral: about
 * 40,800 instructions in libpq for the 58 columns, 6,600 for the record, callgrind). */
#define REFERRAL_FIELDS 58
#define REFERRAL_COLUMNS                                                                      \
  "ROW(r.id, r.person_id, r.area, r.state, r.version, p.name,"                                \
  " p.date_of_birth - DATE '1970-01-01', p.phone, p.email, p.address, p.postcode,"            \
  " p.police_id, p.needs_notes, p.risk_notes,"                                                \
  " r.offence_date - DATE '1970-01-01', r.offence_category, r.offence_description,"           \
  " r.offence_location, r.ward, r.disposal, r.consent_recorded, r.hours_proposed,"            \
  " r.hours_confirmed, r.suitability_notes, r.minutes_credited, r.has_victim,"                \
  " r.victim_consulted, r.victim_preference, r.victim_keep_updated, r.victim_contact,"        \
  " r.officer_sub, r.officer_name, r.reason_code, r.reason, ij_us(r.target_start_by),"        \
  " ij_us(r.first_attended_at), ij_us(r.created_at), ij_us(r.updated_at), r.breaches,"        \
  " r.warnings, r.active_bookings, r.rereferral_of, r.rereferral_months, ij_us(r.erased_at)," \
  " p.erased_at IS NOT NULL, r.guardian_name, r.guardian_relationship, r.guardian_phone,"     \
  " r.guardian_email, r.guardian_consent, ns.booking_id, ns.session_id, ij_us(ns.starts_at)," \
  " ij_us(ns.ends_at), ns.placement_name, r.contact_consent, r.message_language,"             \
  " p.do_not_message)"

/* The referral's next session, for REFERRAL_COLUMNS: its earliest open booking (status booked) on
 * a session not over yet, read in start order along bookings_referral (referral_id, starts_at),
 * which stops at the first that qualifies; two places of one person never start together
 * (bookings_no_overlap), so the start alone orders them. Every statement that reads
 * REFERRAL_COLUMNS joins it after the referral (r). */
#define NEXT_SESSION_JOIN                                                                \
  " LEFT JOIN LATERAL (SELECT b.id AS booking_id, b.session_id, b.starts_at, b.ends_at," \
  " pl.name AS placement_name FROM bookings b JOIN sessions s ON s.id = b.session_id"    \
  " JOIN placements pl ON pl.id = s.placement_id WHERE b.referral_id = r.id"             \
  " AND b.status = 'booked' AND b.ends_at > now() ORDER BY b.starts_at LIMIT 1) ns ON true"

static void parse_referral(const char *const *f, ij_referral *r) {
  int c = 0;
  memset(r, 0, sizeof *r);
  ij_str_copy(r->id, sizeof r->id, ij_db_field_text(f[c++]));
  ij_str_copy(r->person_id, sizeof r->person_id, ij_db_field_text(f[c++]));
  r->area = f[c++];
  if (ij_state_parse(ij_db_field_text(f[c++]), &r->state) != IJ_OK)
    r->state = IJ_STATE_SUBMITTED; /* the table's CHECK makes this unreachable */
  r->version = (int)ij_db_field_i64(f[c++]);
  r->person_name = f[c++];
  r->date_of_birth = (ij_date)ij_db_field_i64(f[c++]);
  r->phone = f[c++];
  r->email = f[c++];
  r->address = f[c++];
  r->postcode = f[c++];
  r->police_id = f[c++];
  r->needs_notes = f[c++];
  r->risk_notes = f[c++];
  r->offence_date = (ij_date)ij_db_field_i64(f[c++]);
  r->offence_category = f[c++];
  r->offence_description = f[c++];
  r->offence_location = f[c++];
  r->ward = f[c++];
  r->disposal = f[c++];
  r->consent_recorded = ij_db_field_bool(f[c++]);
  r->hours_proposed = (int)ij_db_field_i64(f[c++]);
  r->hours_confirmed = (int)ij_db_field_i64(f[c++]);
  r->suitability_notes = f[c++];
  r->minutes_credited = ij_db_field_i64(f[c++]);
  r->has_victim = ij_db_field_bool(f[c++]);
  r->victim_consulted = ij_db_field_tristate(f[c++]);
  r->victim_preference = f[c++];
  r->victim_keep_updated = ij_db_field_tristate(f[c++]);
  r->victim_contact = f[c++];
  r->officer_sub = f[c++];
  r->officer_name = f[c++];
  r->reason_code = f[c++];
  r->reason = f[c++];
  r->target_start_by = ij_db_field_i64(f[c++]);
  r->first_attended_at = ij_db_field_i64(f[c++]);
  r->created_at = ij_db_field_i64(f[c++]);
  r->updated_at = ij_db_field_i64(f[c++]);
  r->breaches = (int)ij_db_field_i64(f[c++]);
  r->warnings = (int)ij_db_field_i64(f[c++]);
  r->active_bookings = (int)ij_db_field_i64(f[c++]);
  ij_str_copy(r->rereferral_of, sizeof r->rereferral_of, ij_db_field_text(f[c++]));
  r->rereferral_months = (int)ij_db_field_i64(f[c++]);
  r->erased_at = ij_db_field_i64(f[c++]);
  r->person_erased = ij_db_field_bool(f[c++]);
  r->guardian_name = f[c++];
  r->guardian_relationship = f[c++];
  r->guardian_phone = f[c++];
  r->guardian_email = f[c++];
  r->guardian_consent = ij_db_field_tristate(f[c++]);
  ij_str_copy(r->next_booking_id, sizeof r->next_booking_id, ij_db_field_text(f[c++]));
  ij_str_copy(r->next_session_id, sizeof r->next_session_id, ij_db_field_text(f[c++]));
  r->next_starts_at = ij_db_field_i64(f[c++]);
  r->next_ends_at = ij_db_field_i64(f[c++]);
  r->next_placement_name = f[c++];
  r->contact_consent = ij_db_field_bool(f[c++]);
  r->message_language = f[c++];
  r->do_not_message = ij_db_field_bool(f[c++]);
}

/* The referral the result's first row holds, its strings in a block of their own (out->owner_);
 * takes the result. */
static ij_err take_referral(PGresult *res, ij_referral *out) {
  const char *f[REFERRAL_FIELDS];
  char *block = ij_db_records(res, 1, f, REFERRAL_FIELDS);
  PQclear(res);
  if (!block)
    return IJ_ERR_INTERNAL;
  parse_referral(f, out);
  out->owner_ = block;
  return IJ_OK;
}

/* A page of the referrals the result's rows hold (fetched with ij_db_page_limit), their strings in
 * one block (out->owner_); takes the result. */
static ij_err take_referral_page(PGresult *res, int limit, ij_referral_page *out) {
  out->items = ij_db_page_items(res, limit, sizeof *out->items, &out->count, &out->more);
  if (!out->items)
    return IJ_ERR_NOMEM;
  const char **f;
  char *block = ij_db_record_rows(res, out->count, REFERRAL_FIELDS, &f);
  PQclear(res);
  if (!block) {
    free(out->items);
    memset(out, 0, sizeof *out);
    return IJ_ERR_INTERNAL;
  }
  for (int i = 0; i < out->count; i++)
    parse_referral(f + (size_t)i * REFERRAL_FIELDS, &out->items[i]);
  free(f);
  out->owner_ = block;
  return IJ_OK;
}

void ij_referral_clear(ij_referral *r) {
  if (!r)
    return;
  free(r->owner_);
  memset(r, 0, sizeof *r);
}

static const char *tristate_text(int v) {
  return v < 0 ? NULL : v ? "true" : "false";
}

static const ij_stmt STMT_IDEM_GET = {"idem_get",
                                      "SELECT request_hash, status, response FROM idempotency_keys"
                                      " WHERE area = $1 AND actor_sub = $2 AND key = $3",
                                      3};

static void field_for_constraint(const ij_conn *conn, ij_field_errors *errs) {
  if (!errs)
    return;
  if (strcmp(conn->constraint, "referrals_ward_fkey") == 0)
    ij_field_errors_add(errs, "offence.ward", "is not a ward of this area");
  else if (strstr(conn->constraint, "reason_fkey"))
    ij_field_errors_add(errs, "reason_code", "is not a reason code for this event");
  else if (strcmp(conn->constraint, "referrals_area_fkey") == 0 ||
           strcmp(conn->constraint, "people_area_fkey") == 0)
    ij_field_errors_add(errs, "area", "your token's area is not known to the service");
}

/* The person's latest exit before a new referral: the earlier referral and its exit date. Two
 * statements, as the person is found by police identifier or by name and date of birth: as one,
 * with a CASE on the identifier, a plan made without the values could use neither index and looked
 * dearer than one made for them, and the statement was planned again for every referral. */
#define LAST_EXIT                                                           \
  "SELECT r.id, (r.exited_at AT TIME ZONE 'UTC')::date - DATE '1970-01-01'" \
  " FROM referrals r JOIN people p ON p.id = r.person_id"                   \
  " WHERE p.area = $1 AND r.exited_at IS NOT NULL AND r.exited_at <= $2::timestamptz AND "
static const ij_stmt STMT_LAST_EXIT_POLICE_ID = {
    "person_last_exit", LAST_EXIT "p.police_id = $3 ORDER BY r.exited_at DESC LIMIT 1", 3};
static const ij_stmt STMT_LAST_EXIT_NAME = {
    "person_last_exit_name",
    LAST_EXIT "p.police_id IS NULL AND p.name_key = $3 AND p.date_of_birth = $4::date"
              " ORDER BY r.exited_at DESC LIMIT 1",
    4};

ij_err ij_store_referral_prior(ij_conn *conn, const char *area, const char *ward,
                               const char *police_id, const char *name_key, ij_date date_of_birth,
                               ij_time_us before, int *ward_state, char earlier[IJ_UUID_BUF],
                               ij_date *exited_on) {
  char dob[IJ_DATE_BUF], when[IJ_TIME_BUF];
  ij_date_format(date_of_birth, dob);
  ij_time_format(before, when);
  const char *w[2] = {area, ward};
  const char *p[4] = {area, when, police_id ? police_id : name_key, dob};
  PGresult *ward_res = NULL, *exit_res = NULL;
  ij_db_step steps[2];
  int n = 0;
  if (ward)
    steps[n++] = (ij_db_step){&IJ_STMT_WARD_STATE, w, &ward_res};
  if (police_id || name_key)
    steps[n++] =
        (ij_db_step){police_id ? &STMT_LAST_EXIT_POLICE_ID : &STMT_LAST_EXIT_NAME, p, &exit_res};
  *ward_state = 0;
  earlier[0] = 0;
  *exited_on = 0;
  if (n == 0)
    return IJ_OK;
  ij_err err = ij_db_batch(conn, steps, n);
  if (err != IJ_OK)
    return err;
  if (ward_res && PQntuples(ward_res) == 1)
    *ward_state = (int)ij_db_i64(ward_res, 0, 0);
  if (exit_res && PQntuples(exit_res) == 1) {
    ij_str_copy(earlier, IJ_UUID_BUF, PQgetvalue(exit_res, 0, 0));
    *exited_on = (ij_date)ij_db_i64(exit_res, 0, 1);
  }
  PQclear(ward_res);
  PQclear(exit_res);
  return IJ_OK;
}

/* A referral's creation as one statement (so one round trip, its own transaction): the person
 * (one per police identifier, or per normalised name and date of birth without one: an existing
 * person keeps their id and takes the newer details, NULL details keeping what is known), the
 * referral with the person's id, and its first event. With an Idempotency-Key, the key is claimed
 * first and the rest is written only when the claim took: a key recorded already, or by a
 * concurrent request that has committed, writes nothing and selects no row. Parameters: $1 to $33
 * the referral's (as the columns below; $3 the person's id should they be new), $34 to $44 the
 * person's, $45 to $48 the key's (key, request hash, status, response). */
#define CREATE_KEY                                                                   \
  "k AS (INSERT INTO idempotency_keys"                                               \
  " (area, actor_sub, key, request_hash, status, response, referral_id, created_at)" \
  " VALUES ($2, $21, $45, $46, $47, $48, $1, $20) ON CONFLICT DO NOTHING RETURNING key), "
#define CREATE_PERSON(claimed, conflict)                                                         \
  "p AS (INSERT INTO people (id, area, name, date_of_birth, phone, email, address, postcode,"    \
  " police_id, needs_notes, risk_notes, created_at, updated_at, name_key, do_not_message)"       \
  " SELECT $3, $2, $34, $35, $36, $37, $38, $39, $40, $41, $42, $20, $20, $43, $44" claimed      \
  " ON CONFLICT " conflict " DO UPDATE SET"                                                      \
  " name = EXCLUDED.name, name_key = EXCLUDED.name_key, date_of_birth = EXCLUDED.date_of_birth," \
  " phone = coalesce(EXCLUDED.phone, people.phone),"                                             \
  " email = coalesce(EXCLUDED.email, people.email),"                                             \
  " address = coalesce(EXCLUDED.address, people.address),"                                       \
  " postcode = coalesce(EXCLUDED.postcode, people.postcode),"                                    \
  " needs_notes = coalesce(EXCLUDED.needs_notes, people.needs_notes),"                           \
  " risk_notes = coalesce(EXCLUDED.risk_notes, people.risk_notes),"                              \
  " do_not_message = EXCLUDED.do_not_message OR people.do_not_message,"                          \
  " updated_at = EXCLUDED.updated_at RETURNING id), "
#define BY_POLICE_ID "(area, police_id) WHERE police_id IS NOT NULL"
#define BY_NAME "(area, name_key, date_of_birth) WHERE police_id IS NULL"
#define CREATE_REFERRAL                                                                           \
  "r AS (INSERT INTO referrals (id, area, person_id, state, version, officer_sub,"                \
  " officer_name, offence_date, offence_category, offence_description, offence_location, ward,"   \
  " disposal, consent_recorded, hours_proposed, has_victim, victim_consulted, victim_preference," \
  " victim_keep_updated, victim_contact, target_start_by, created_at, updated_at,"                \
  " rereferral_of, rereferral_months, guardian_name, guardian_relationship, guardian_phone,"      \
  " guardian_email, guardian_consent, contact_consent, message_language)"                         \
  " SELECT $1, $2, p.id, 'submitted', 1, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,"   \
  " $16, $17, $18, $19, $20, $20, $25, $26, $27, $28, $29, $30, $31, $32, $33 FROM p"             \
  " RETURNING id, area, created_at),"                                                             \
  " e AS (INSERT INTO referral_events (referral_id, seq, area, at, event, from_state,"            \
  " to_state, actor_sub, actor_name, actor_role, request_id)"                                     \
  " SELECT id, 1, area, created_at, 'create', NULL, 'submitted', $21, $22, $23, $24 FROM r)"      \
  " SELECT id FROM p"
#define KEYED " WHERE EXISTS (SELECT FROM k)"
static const ij_stmt STMT_CREATE_POLICE_ID = {
    "referral_create", "WITH " CREATE_PERSON("", BY_POLICE_ID) CREATE_REFERRAL, 44};
static const ij_stmt STMT_CREATE_NAME = {"referral_create_name",
                                         "WITH " CREATE_PERSON("", BY_NAME) CREATE_REFERRAL, 44};
static const ij_stmt STMT_CREATE_KEYED_POLICE_ID = {
    "referral_create_keyed", "WITH " CREATE_KEY CREATE_PERSON(KEYED, BY_POLICE_ID) CREATE_REFERRAL,
    48};
static const ij_stmt STMT_CREATE_KEYED_NAME = {
    "referral_create_keyed_name", "WITH " CREATE_KEY CREATE_PERSON(KEYED, BY_NAME) CREATE_REFERRAL,
    48};

ij_err ij_store_referral_create(ij_conn *conn, ij_referral *r, const char *name_key,
                                const ij_audit *audit, const ij_idempotency *idem, bool *claimed,
                                ij_field_errors *errs) {
  char at[IJ_TIME_BUF], target[IJ_TIME_BUF], offence_date[IJ_DATE_BUF], dob[IJ_DATE_BUF];
  char hours[16], months[8], status[16];
  ij_time_format(audit->at, at);
  ij_time_format(r->target_start_by, target);
  ij_date_format(r->offence_date, offence_date);
  ij_date_format(r->date_of_birth, dob);
  snprintf(hours, sizeof hours, "%d", r->hours_proposed);
  snprintf(months, sizeof months, "%d", r->rereferral_months);
  snprintf(status, sizeof status, "%d", idem ? idem->status : 0);
  const char *p[48] = {
      r->id, r->area, r->person_id, r->officer_sub, r->officer_name, offence_date,
      r->offence_category, r->offence_description, r->offence_location, r->ward, r->disposal,
      r->consent_recorded ? "true" : "false", hours, r->has_victim ? "true" : "false",
      tristate_text(r->victim_consulted), r->victim_preference,
      tristate_text(r->victim_keep_updated), r->victim_contact, target, at, audit->actor_sub,
      audit->actor_name, audit->actor_role, audit->request_id,
      r->rereferral_of[0] ? r->rereferral_of : NULL, r->rereferral_months ? months : NULL,
      r->guardian_name, r->guardian_relationship, r->guardian_phone, r->guardian_email,
      r->guardian_name ? tristate_text(r->guardian_consent) : NULL,
      r->contact_consent ? "true" : "false", r->message_language ? r->message_language : "en",
      /* the person's */
      r->person_name, dob, r->phone, r->email, r->address, r->postcode, r->police_id,
      r->needs_notes, r->risk_notes, name_key, r->do_not_message ? "true" : "false",
      /* the key's */
      idem ? idem->key : NULL, idem ? idem->request_hash : NULL, status,
      idem ? idem->response : NULL};
  const ij_stmt *stmt =
      idem ? (r->police_id ? &STMT_CREATE_KEYED_POLICE_ID : &STMT_CREATE_KEYED_NAME)
           : (r->police_id ? &STMT_CREATE_POLICE_ID : &STMT_CREATE_NAME);
  PGresult *res;
  *claimed = false;
  ij_err err = ij_db_exec(conn, stmt, p, &res);
  if (err != IJ_OK) {
    if (err == IJ_ERR_INVALID)
      field_for_constraint(conn, errs);
    return err;
  }
  /* no row: the key was claimed already, and nothing was written */
  if (PQntuples(res) == 1) {
    *claimed = true;
    /* an existing person (same police identifier) keeps their id */
    ij_str_copy(r->person_id, sizeof r->person_id, PQgetvalue(res, 0, 0));
  }
  PQclear(res);
  return IJ_OK;
}

ij_err ij_store_idempotency_get(ij_conn *conn, const char *area, const char *actor_sub,
                                const char *key, char request_hash[65], ij_replay *out) {
  memset(out, 0, sizeof *out);
  const char *q[3] = {area, actor_sub, key};
  PGresult *res;
  ij_err err = ij_db_exec(conn, &STMT_IDEM_GET, q, &res);
  if (err != IJ_OK)
    return err;
  if (PQntuples(res) != 1) {
    err = IJ_ERR_NOT_FOUND;
  } else {
    ij_str_copy(request_hash, 65, PQgetvalue(res, 0, 0));
    out->status = atoi(PQgetvalue(res, 0, 1));
    out->response = strdup(PQgetvalue(res, 0, 2));
    err = out->response ? IJ_OK : IJ_ERR_NOMEM;
  }
  PQclear(res);
  return err;
}

static const ij_stmt STMT_REFERRAL_GET = {
    "referral_get",
    "SELECT " REFERRAL_COLUMNS
    " FROM referrals r JOIN people p ON p.id = r.person_id" NEXT_SESSION_JOIN
    " WHERE r.id = $1 AND r.area = $2",
    2};

/* One referral by id with STMT_REFERRAL_GET or STMT_REFERRAL_LOCK. */
static ij_err read_referral(ij_conn *conn, const ij_stmt *stmt, const char *area, const char *id,
                            ij_referral *out) {
  memset(out, 0, sizeof *out);
  const char *p[2] = {id, area};
  PGresult *res;
  ij_err err = ij_db_one(conn, stmt, p, &res);
  if (err != IJ_OK)
    return err;
  return take_referral(res, out);
}

ij_err ij_store_referral_get(ij_conn *conn, const char *area, const char *id, ij_referral *out) {
  return read_referral(conn, &STMT_REFERRAL_GET, area, id, out);
}

/* STMT_REFERRAL_GET with one more column: the reason code's state in the area (1 current,
 * 2 retired), NULL when the code is not the area's for that kind. */
static const ij_stmt STMT_REFERRAL_GET_CODE = {
    "referral_get_code",
    "SELECT " REFERRAL_COLUMNS ", (SELECT CASE WHEN coalesce(a.active, rc.active) THEN 1 ELSE 2 END"
    " FROM reason_codes rc LEFT JOIN area_reason_codes a"
    " ON a.area = $2 AND a.kind = rc.kind AND a.code = rc.code"
    " WHERE (rc.national OR a.area IS NOT NULL) AND rc.kind = $3 AND rc.code = $4)"
    " FROM referrals r JOIN people p ON p.id = r.person_id" NEXT_SESSION_JOIN
    " WHERE r.id = $1 AND r.area = $2",
    4};

ij_err ij_store_referral_get_with_code(ij_conn *conn, const char *area, const char *id,
                                       const char *kind, const char *code, ij_referral *out,
                                       int *code_state) {
  memset(out, 0, sizeof *out);
  *code_state = 0;
  const char *p[4] = {id, area, kind, code};
  PGresult *res;
  ij_err err = ij_db_one(conn, &STMT_REFERRAL_GET_CODE, p, &res);
  if (err != IJ_OK)
    return err;
  if (!PQgetisnull(res, 0, 1))
    *code_state = (int)ij_db_i64(res, 0, 1);
  return take_referral(res, out);
}

static const ij_stmt STMT_REFERRAL_LOCK = {
    "referral_lock",
    "SELECT " REFERRAL_COLUMNS
    " FROM referrals r JOIN people p ON p.id = r.person_id" NEXT_SESSION_JOIN
    " WHERE r.id = $1 AND r.area = $2 FOR UPDATE OF r",
    2};

ij_err ij_store_referral_lock(ij_conn *conn, const char *area, const char *id, ij_referral *out) {
  return read_referral(conn, &STMT_REFERRAL_LOCK, area, id, out);
}

static const ij_stmt STMT_REFERRAL_COUNTERS = {
    "referral_counters",
    "UPDATE referrals SET minutes_credited = minutes_credited + $3,"
    " breaches = breaches + $4, active_bookings = active_bookings + $5,"
    " first_attended_at = coalesce(first_attended_at, $6::timestamptz), updated_at = $7"
    " WHERE id = $1 AND area = $2",
    7};

ij_err ij_store_referral_counters(ij_conn *conn, const char *area, const char *id,
                                  int minutes_delta, int breaches_delta, int bookings_delta,
                                  ij_time_us first_attended_at, ij_time_us at) {
  char m[16], b[16], k[16], first[IJ_TIME_BUF], when[IJ_TIME_BUF];
  snprintf(m, sizeof m, "%d", minutes_delta);
  snprintf(b, sizeof b, "%d", breaches_delta);
  snprintf(k, sizeof k, "%d", bookings_delta);
  ij_time_format(first_attended_at, first);
  ij_time_format(at, when);
  const char *p[7] = {id, area, m, b, k, first_attended_at ? first : NULL, when};
  /* the caller holds the referral's lock: the row is there, and the update can wait for the
   * transaction's next statement or its commit */
  return ij_db_defer(conn, &STMT_REFERRAL_COUNTERS, p);
}

/* The positions of a transition's parameters ($1 is T_ID), as both statements number them; the
 * pair's first event row follows them (T_FIRST_AT to T_FIRST_REQUEST), then its second event's
 * own reason (T_SECOND_REASON_KIND to T_SECOND_REASON). */
enum {
  T_ID,
  T_AREA,
  T_VERSION,
  T_STATE,
  T_AT,
  T_HOURS,
  T_NOTES,
  T_REASON_KIND,
  T_REASON_CODE,
  T_REASON,
  T_EVENT,
  T_FROM,
  T_ACTOR_SUB,
  T_ACTOR_NAME,
  T_ACTOR_ROLE,
  T_REQUEST,
  T_WARNINGS,
  T_EXITED,
  T_COMPLETED,
  T_WALK_IN,
  T_LATE_ENTRY,
  T_COUNT,
  T_FIRST_AT = T_COUNT,
  T_FIRST_EVENT,
  T_FIRST_FROM,
  T_FIRST_TO,
  T_FIRST_ACTOR_SUB,
  T_FIRST_ACTOR_NAME,
  T_FIRST_ACTOR_ROLE,
  T_FIRST_REASON_KIND,
  T_FIRST_REASON_CODE,
  T_FIRST_REASON,
  T_FIRST_REQUEST,
  T_SECOND_REASON_KIND,
  T_SECOND_REASON_CODE,
  T_SECOND_REASON,
  T_PAIR_COUNT
};
_Static_assert(T_COUNT == 21 && T_PAIR_COUNT == 35, "the statements' parameter counts");

/* An event's write: the referral's update ($1 to $10, $17 to $19; the version moves on by `steps`)
 * and, after it, the event rows, as u (the referral updated). */
#define TRANSITION_UPDATE(steps)                                                                 \
  "WITH u AS (UPDATE referrals SET state = $4, version = version + " steps ", updated_at = $5,"  \
  " hours_confirmed = coalesce($6::integer, hours_confirmed),"                                   \
  " suitability_notes = coalesce($7, suitability_notes),"                                        \
  " reason_kind = coalesce($8, reason_kind),"                                                    \
  " reason_code = CASE WHEN $8::text IS NULL THEN reason_code ELSE $9 END,"                      \
  " reason = CASE WHEN $8::text IS NULL THEN reason ELSE $10 END,"                               \
  " warnings = warnings + $17::integer,"                                                         \
  " exited_at = coalesce($18::timestamptz, exited_at),"                                          \
  " completed_at = coalesce($19::timestamptz, completed_at)"                                     \
  " WHERE id = $1 AND area = $2 AND version = $3 RETURNING *),"                                  \
  " e AS (INSERT INTO referral_events (referral_id, seq, area, at, event, from_state, to_state," \
  " actor_sub, actor_name, actor_role, reason_kind, reason_code, reason, request_id, data) "
/* An event row's marks of an entry from a paper register ($20, $21). */
#define TRANSITION_MARKS                                                                     \
  " nullif(jsonb_strip_nulls(jsonb_build_object('walk_in', CASE WHEN $20::boolean THEN true" \
  " END, 'late_entry', CASE WHEN $21::text IS NOT NULL THEN true END, 'late_entry_reason',"  \
  " $21::text)), '{}'::jsonb)"
#define TRANSITION_ANSWER \
  " SELECT " REFERRAL_COLUMNS " FROM u r JOIN people p ON p.id = r.person_id" NEXT_SESSION_JOIN

static const ij_stmt STMT_REFERRAL_TRANSITION = {
    "referral_transition",
    TRANSITION_UPDATE("1") "SELECT u.id, u.version, u.area, $5, $11, $12, u.state, $13, $14, $15,"
                           " $8, $9, $10, $16," TRANSITION_MARKS " FROM u)" TRANSITION_ANSWER,
    21};

/* Two events in one update (a first attendance that completes the hours, say): the referral's
 * statistics triggers fire once for the pair, not once for each. The update takes the second's
 * state and what the pair leaves ($6 to $10, $17 to $19, merged as the two updates one after the
 * other would leave them); the first event's row has its own values ($22 to $32), the second's
 * its reason ($33 to $35). */
static const ij_stmt STMT_REFERRAL_TRANSITION_PAIR = {
    "referral_transition_pair",
    TRANSITION_UPDATE("2") "SELECT u.id, u.version - 1, u.area, $22, $23, $24, $25, $26, $27, $28,"
                           " $29, $30, $31, $32," TRANSITION_MARKS " FROM u"
                           " UNION ALL SELECT u.id, u.version, u.area, $5, $11, $12, u.state, $13,"
                           " $14, $15, $33, $34, $35, $16," TRANSITION_MARKS
                           " FROM u)" TRANSITION_ANSWER,
    35};

/* One transition's parameters, with room for its text values. */
typedef struct {
  char version[16], at[IJ_TIME_BUF], hours[16], warnings[8];
  const char *p[T_COUNT];
} transition_params;

static void transition_params_of(const char *area, const char *id, int expected_version,
                                 const ij_transition_write *w, transition_params *t) {
  const ij_decision *d = w->decision;
  const ij_transition_request *req = w->request;
  snprintf(t->version, sizeof t->version, "%d", expected_version);
  ij_time_format(w->audit->at, t->at);
  snprintf(t->hours, sizeof t->hours, "%d", d->hours_confirmed);
  snprintf(t->warnings, sizeof t->warnings, "%d", d->warnings_delta);
  const char *reason_kind = d->reason_kind;
  const char *p[T_COUNT] = {id,
                            area,
                            t->version,
                            ij_state_name(d->to),
                            t->at,
                            d->hours_confirmed ? t->hours : NULL,
                            req->suitability_notes,
                            reason_kind,
                            reason_kind ? req->reason_code : NULL,
                            reason_kind ? req->reason : NULL,
                            ij_event_name(req->event),
                            ij_state_name(d->from),
                            w->audit->actor_sub,
                            w->audit->actor_name,
                            w->audit->actor_role,
                            w->audit->request_id,
                            t->warnings,
                            (d->effects & IJ_EFFECT_EXIT) ? t->at : NULL,
                            (d->effects & IJ_EFFECT_COMPLETION) ? t->at : NULL,
                            w->marks && w->marks->walk_in ? "true" : "false",
                            w->marks ? w->marks->late_entry_reason : NULL};
  memcpy(t->p, p, sizeof p);
}

/* The pair statement's parameters from the two writes' own: each of the update's values as the
 * second write leaves it over the first (a value it does not set keeps the first's), the warnings
 * added up, and the first event's row. */
static void transition_pair_params(const transition_params *a, const transition_params *b,
                                   const ij_transition_write *writes, char warnings[16],
                                   const char *out[T_PAIR_COUNT]) {
  memcpy(out, b->p, sizeof b->p);
  out[T_VERSION] = a->p[T_VERSION]; /* the version before both */
  static const int kept[] = {T_HOURS, T_NOTES, T_EXITED, T_COMPLETED};
  for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++)
    out[kept[i]] = b->p[kept[i]] ? b->p[kept[i]] : a->p[kept[i]];
  if (!b->p[T_REASON_KIND]) /* the reason: the last event's that gives one */
    for (int i = T_REASON_KIND; i <= T_REASON; i++)
      out[i] = a->p[i];
  snprintf(warnings, 16, "%d",
           writes[0].decision->warnings_delta + writes[1].decision->warnings_delta);
  out[T_WARNINGS] = warnings;
  out[T_FIRST_AT] = a->p[T_AT];
  out[T_FIRST_EVENT] = a->p[T_EVENT];
  out[T_FIRST_FROM] = a->p[T_FROM];
  out[T_FIRST_TO] = a->p[T_STATE];
  for (int i = 0; i < 3; i++) /* sub, name, role */
    out[T_FIRST_ACTOR_SUB + i] = a->p[T_ACTOR_SUB + i];
  for (int i = 0; i < 3; i++) { /* kind, code, text: each event's own */
    out[T_FIRST_REASON_KIND + i] = a->p[T_REASON_KIND + i];
    out[T_SECOND_REASON_KIND + i] = b->p[T_REASON_KIND + i];
  }
  out[T_FIRST_REQUEST] = a->p[T_REQUEST];
}

ij_err ij_store_referral_transitions(ij_conn *conn, const char *area, const char *id,
                                     int expected_version, const ij_transition_write *writes, int n,
                                     ij_referral *out, ij_field_errors *errs) {
  memset(out, 0, sizeof *out);
  if (n < 1 || n > IJ_TRANSITIONS_MAX)
    return IJ_ERR_INTERNAL;
  transition_params params[IJ_TRANSITIONS_MAX];
  PGresult *results[IJ_TRANSITIONS_MAX];
  ij_db_step steps[IJ_TRANSITIONS_MAX];
  for (int i = 0; i < n; i++) {
    /* each write moves the version on by one, so the next one's is known before it runs */
    transition_params_of(area, id, expected_version + i, &writes[i], &params[i]);
    results[i] = NULL;
    steps[i] = (ij_db_step){&STMT_REFERRAL_TRANSITION, params[i].p, &results[i]};
  }
  ij_err err;
  if (n == 1) {
    err = ij_db_exec(conn, &STMT_REFERRAL_TRANSITION, params[0].p, &results[0]);
  } else if (n == 2 && writes[0].marks == writes[1].marks) {
    const char *pair[T_PAIR_COUNT];
    char warnings[16];
    transition_pair_params(&params[0], &params[1], writes, warnings, pair);
    err = ij_db_exec(conn, &STMT_REFERRAL_TRANSITION_PAIR, pair, &results[1]);
  } else {
    err = ij_db_batch(conn, steps, n);
  }
  if (err != IJ_OK) {
    if (err == IJ_ERR_INVALID)
      field_for_constraint(conn, errs);
    return err;
  }
  for (int i = 0; i < n - 1; i++)
    PQclear(results[i]);
  PGresult *res = results[n - 1];
  if (PQntuples(res) != 1) {
    PQclear(res);
    return IJ_ERR_STALE;
  }
  return take_referral(res, out);
}

ij_err ij_store_referral_transition(ij_conn *conn, const char *area, const char *id,
                                    int expected_version, const ij_decision *d,
                                    const ij_transition_request *req, const ij_audit *audit,
                                    ij_referral *out, ij_field_errors *errs) {
  ij_transition_write w = {d, req, audit, NULL};
  return ij_store_referral_transitions(conn, area, id, expected_version, &w, 1, out, errs);
}

/* The page's ids first, from the covering index referrals_area_list alone (every filter column is
 * in it: an index-only scan from the cursor down, however deep), then those rows. */
static const ij_stmt STMT_REFERRAL_LIST = {
    "referral_list",
    "WITH page AS (SELECT r.id, r.created_at FROM referrals r"
    " WHERE r.area = $1"
    " AND ($2::text IS NULL OR r.state = $2)"
    " AND ($3::text IS NULL OR r.ward = $3)"
    " AND ($4::text IS NULL OR r.officer_sub = $4)"
    " AND ($5::boolean IS NULL OR $5 = (r.first_attended_at IS NULL"
    "      AND r.state = ANY ($6::text[]) AND r.target_start_by < $7::timestamptz))"
    " AND ($8::timestamptz IS NULL OR (r.created_at, r.id) < ($8, $9::uuid))"
    " ORDER BY r.created_at DESC, r.id DESC LIMIT $10)"
    " SELECT " REFERRAL_COLUMNS " FROM page JOIN referrals r ON r.id = page.id"
    " JOIN people p ON p.id = r.person_id" NEXT_SESSION_JOIN
    " ORDER BY page.created_at DESC, page.id DESC",
    10};

ij_err ij_store_referral_list(ij_conn *conn, const ij_referral_filter *f, ij_referral_page *out) {
  memset(out, 0, sizeof *out);
  char states[256], now[IJ_TIME_BUF], limit[16];
  ij_db_state_array(f->clock_states, states, sizeof states);
  ij_time_format(f->now, now);
  ij_db_keyset cursor;
  ij_db_keyset_of(f->has_cursor, f->cursor_created_at, f->cursor_id, &cursor);
  ij_db_page_limit(f->limit, limit);
  const char *p[10] = {f->area,
                       f->has_state ? ij_state_name(f->state) : NULL,
                       f->ward,
                       f->officer_sub,
                       f->overdue < 0 ? NULL
                       : f->overdue   ? "true"
                                      : "false",
                       states,
                       now,
                       cursor.at_param,
                       cursor.id_param,
                       limit};
  PGresult *res;
  ij_err err = ij_db_exec_custom_plan(conn, &STMT_REFERRAL_LIST, p, &res);
  if (err != IJ_OK)
    return err;
  return take_referral_page(res, f->limit, out);
}

void ij_referral_page_clear(ij_referral_page *page) {
  if (!page)
    return;
  free(page->items);
  free(page->owner_);
  memset(page, 0, sizeof *page);
}

static const ij_stmt STMT_EVENTS = {
    "referral_events",
    "SELECT seq, event, from_state, to_state, ij_us(at), actor_sub, actor_name, actor_role,"
    " reason_code, reason, request_id, CASE WHEN event = 'amend' THEN data->'fields' END,"
    " CASE WHEN event <> 'amend' THEN data END::text FROM referral_events"
    " WHERE referral_id = $1 AND area = $2 AND seq > $3 ORDER BY seq LIMIT $4",
    4};

static const ij_stmt STMT_REFERRAL_EXISTS = {
    "referral_exists", "SELECT 1 FROM referrals WHERE id = $1 AND area = $2", 2};

ij_err ij_store_referral_events(ij_conn *conn, const char *area, const char *id, int after_seq,
                                int limit, ij_event_page *out) {
  memset(out, 0, sizeof *out);
  char after[16], lim[16];
  snprintf(after, sizeof after, "%d", after_seq);
  ij_db_page_limit(limit, lim);
  const char *p[4] = {id, area, after, lim};
  PGresult *res;
  ij_err err = ij_db_exec(conn, &STMT_EVENTS, p, &res);
  if (err != IJ_OK)
    return err == IJ_ERR_INVALID ? IJ_ERR_NOT_FOUND : err;
  int n = PQntuples(res);
  if (n == 0) {
    /* every referral has its create event: none after seq 0 means no such referral */
    PGresult *ex = NULL;
    err = after_seq == 0 ? IJ_ERR_NOT_FOUND : ij_db_exec(conn, &STMT_REFERRAL_EXISTS, p, &ex);
    if (err == IJ_OK && PQntuples(ex) == 0)
      err = IJ_ERR_NOT_FOUND;
    if (ex)
      PQclear(ex);
    if (err != IJ_OK) {
      PQclear(res);
      return err;
    }
  }
  out->items = ij_db_page_items(res, limit, sizeof *out->items, &out->count, &out->more);
  if (!out->items)
    return IJ_ERR_NOMEM;
  for (int i = 0; i < out->count; i++) {
    ij_event_record *e = &out->items[i];
    e->seq = (int)ij_db_i64(res, i, 0);
    e->event = ij_db_str(res, i, 1);
    e->from_state = ij_db_str(res, i, 2);
    e->to_state = ij_db_str(res, i, 3);
    e->at = ij_db_i64(res, i, 4);
    e->actor_sub = ij_db_str(res, i, 5);
    e->actor_name = ij_db_str(res, i, 6);
    e->actor_role = ij_db_str(res, i, 7);
    e->reason_code = ij_db_str(res, i, 8);
    e->reason = ij_db_str(res, i, 9);
    e->request_id = ij_db_str(res, i, 10);
    e->fields = ij_db_str(res, i, 11);
    e->data = ij_db_str(res, i, 12);
  }
  out->owner_ = res;
  return IJ_OK;
}

void ij_event_page_clear(ij_event_page *page) {
  if (!page)
    return;
  free(page->items);
  if (page->owner_)
    PQclear(page->owner_);
  memset(page, 0, sizeof *page);
}

/* An amendment: each column changes only when its field is named in $5; the person's row is
 * updated through the referral, so that an amendment and a transition on the same version
 * exclude each other (the first to commit wins, the other finds the version moved on). */
static const ij_stmt STMT_REFERRAL_AMEND = {
    "referral_amend",
    "WITH u AS (UPDATE referrals SET version = version + 1, updated_at = $4,"
    " offence_category = CASE WHEN 'offence.category' = ANY ($5::text[]) THEN $12"
    "   ELSE offence_category END,"
    " offence_description = CASE WHEN 'offence.description' = ANY ($5::text[]) THEN $13"
    "   ELSE offence_description END,"
    " offence_location = CASE WHEN 'offence.location' = ANY ($5::text[]) THEN $14"
    "   ELSE offence_location END,"
    " ward = CASE WHEN 'offence.ward' = ANY ($5::text[]) THEN $15 ELSE ward END,"
    " victim_preference = CASE WHEN 'victim.preference' = ANY ($5::text[]) THEN $16"
    "   ELSE victim_preference END,"
    " hours_proposed = CASE WHEN 'hours_proposed' = ANY ($5::text[]) THEN $17::integer"
    "   ELSE hours_proposed END,"
    " guardian_name = CASE WHEN 'guardian.name' = ANY ($5::text[]) THEN $22"
    "   ELSE guardian_name END,"
    " guardian_relationship = CASE WHEN 'guardian.relationship' = ANY ($5::text[]) THEN $23"
    "   ELSE guardian_relationship END,"
    " guardian_phone = CASE WHEN 'guardian.phone' = ANY ($5::text[]) THEN $24"
    "   ELSE guardian_phone END,"
    " guardian_email = CASE WHEN 'guardian.email' = ANY ($5::text[]) THEN $25"
    "   ELSE guardian_email END,"
    " contact_consent = CASE WHEN 'contact_consent' = ANY ($5::text[]) THEN $26::boolean"
    "   ELSE contact_consent END,"
    " message_language = CASE WHEN 'message_language' = ANY ($5::text[]) THEN $27"
    "   ELSE message_language END"
    " WHERE id = $1 AND area = $2 AND version = $3 RETURNING *),"
    " pu AS (UPDATE people SET updated_at = $4,"
    " phone = CASE WHEN 'person.phone' = ANY ($5::text[]) THEN $6 ELSE people.phone END,"
    " email = CASE WHEN 'person.email' = ANY ($5::text[]) THEN $7 ELSE people.email END,"
    " address = CASE WHEN 'person.address' = ANY ($5::text[]) THEN $8 ELSE people.address END,"
    " postcode = CASE WHEN 'person.postcode' = ANY ($5::text[]) THEN $9"
    "   ELSE people.postcode END,"
    " needs_notes = CASE WHEN 'person.needs_notes' = ANY ($5::text[]) THEN $10"
    "   ELSE people.needs_notes END,"
    " risk_notes = CASE WHEN 'person.risk_notes' = ANY ($5::text[]) THEN $11"
    "   ELSE people.risk_notes END,"
    " do_not_message = CASE WHEN 'person.do_not_message' = ANY ($5::text[]) THEN $28::boolean"
    "   ELSE people.do_not_message END"
    " FROM u WHERE people.id = u.person_id AND people.area = u.area RETURNING people.*),"
    " e AS (INSERT INTO referral_events (referral_id, seq, area, at, event, from_state, to_state,"
    " actor_sub, actor_name, actor_role, request_id, data)"
    " SELECT u.id, u.version, u.area, $4, 'amend', u.state, u.state, $18, $19, $20, $21,"
    " jsonb_build_object('fields', to_jsonb($5::text[])) FROM u)"
    " SELECT " REFERRAL_COLUMNS " FROM u r JOIN pu p ON p.id = r.person_id" NEXT_SESSION_JOIN,
    28};

ij_err ij_store_referral_amend(ij_conn *conn, const char *area, const char *id,
                               int expected_version, const ij_referral_amendment *a,
                               const ij_audit *audit, ij_referral *out, ij_field_errors *errs) {
  memset(out, 0, sizeof *out);
  char version[16], at[IJ_TIME_BUF], hours[16], fields[512];
  snprintf(version, sizeof version, "%d", expected_version);
  ij_time_format(audit->at, at);
  snprintf(hours, sizeof hours, "%d", a->hours_proposed);
  int n = snprintf(fields, sizeof fields, "{%s}", a->fields);
  if (n < 0 || (size_t)n >= sizeof fields)
    return IJ_ERR_INTERNAL;
  const char *p[28] = {id,
                       area,
                       version,
                       at,
                       fields,
                       a->phone,
                       a->email,
                       a->address,
                       a->postcode,
                       a->needs_notes,
                       a->risk_notes,
                       a->offence_category,
                       a->offence_description,
                       a->offence_location,
                       a->ward,
                       a->victim_preference,
                       hours,
                       audit->actor_sub,
                       audit->actor_name,
                       audit->actor_role,
                       audit->request_id,
                       a->guardian_name,
                       a->guardian_relationship,
                       a->guardian_phone,
                       a->guardian_email,
                       a->contact_consent,
                       a->message_language,
                       a->do_not_message};
  PGresult *res;
  ij_err err = ij_db_exec(conn, &STMT_REFERRAL_AMEND, p, &res);
  if (err != IJ_OK) {
    if (err == IJ_ERR_INVALID)
      field_for_constraint(conn, errs);
    return err;
  }
  if (PQntuples(res) != 1) {
    PQclear(res);
    return IJ_ERR_STALE;
  }
  return take_referral(res, out);
}

static const ij_stmt STMT_REFERRALS_OF_PERSON = {
    "referrals_of_person",
    "SELECT " REFERRAL_COLUMNS
    " FROM referrals r JOIN people p ON p.id = r.person_id" NEXT_SESSION_JOIN
    " WHERE r.person_id = $1 AND r.area = $2 ORDER BY r.created_at DESC, r.id DESC LIMIT $3",
    3};

ij_err ij_store_referrals_of_person(ij_conn *conn, const char *area, const char *person_id,
                                    int limit, ij_referral_page *out) {
  memset(out, 0, sizeof *out);
  char lim[16];
  ij_db_page_limit(limit, lim);
  const char *p[3] = {person_id, area, lim};
  PGresult *res;
  ij_err err = ij_db_exec(conn, &STMT_REFERRALS_OF_PERSON, p, &res);
  if (err != IJ_OK)
    return err;
  return take_referral_page(res, limit, out);
}

static const ij_stmt STMT_INCONSISTENT = {
    "referral_inconsistencies",
    "SELECT count(*) FROM referrals r WHERE r.area = $1 AND ("
    " r.version <> (SELECT count(*) FROM referral_events e WHERE e.referral_id = r.id)"
    " OR r.state IS DISTINCT FROM (SELECT e.to_state FROM referral_events e"
    "   WHERE e.referral_id = r.id ORDER BY e.seq DESC LIMIT 1))",
    1};

ij_err ij_store_referral_inconsistencies(ij_conn *conn, const char *area, int64_t *count) {
  *count = -1;
  const char *p[1] = {area};
  PGresult *res;
  ij_err err = ij_db_exec(conn, &STMT_INCONSISTENT, p, &res);
  if (err != IJ_OK)
    return err;
  *count = ij_db_i64(res, 0, 0);
  PQclear(res);
  return IJ_OK;
}
