/* Corrections to a referral and finding people: amending with If-Match, searching an area's
 * people, a person's page. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops_internal.h"

/* The referral's current values of the amendable fields. */
static void current_values(const ij_referral *r, ij_amend_values *v) {
  memset(v, 0, sizeof *v);
  v->text[IJ_AMEND_PHONE] = r->phone;
  v->text[IJ_AMEND_EMAIL] = r->email;
  v->text[IJ_AMEND_ADDRESS] = r->address;
  v->text[IJ_AMEND_POSTCODE] = r->postcode;
  v->text[IJ_AMEND_NEEDS_NOTES] = r->needs_notes;
  v->text[IJ_AMEND_RISK_NOTES] = r->risk_notes;
  v->text[IJ_AMEND_OFFENCE_CATEGORY] = r->offence_category;
  v->text[IJ_AMEND_OFFENCE_DESCRIPTION] = r->offence_description;
  v->text[IJ_AMEND_OFFENCE_LOCATION] = r->offence_location;
  v->text[IJ_AMEND_OFFENCE_WARD] = r->ward;
  v->text[IJ_AMEND_VICTIM_PREFERENCE] = r->victim_preference;
  v->text[IJ_AMEND_GUARDIAN_NAME] = r->guardian_name;
  v->text[IJ_AMEND_GUARDIAN_RELATIONSHIP] = r->guardian_relationship;
  v->text[IJ_AMEND_GUARDIAN_PHONE] = r->guardian_phone;
  v->text[IJ_AMEND_GUARDIAN_EMAIL] = r->guardian_email;
  v->text[IJ_AMEND_CONTACT_CONSENT] = r->contact_consent ? "true" : "false";
  v->text[IJ_AMEND_MESSAGE_LANGUAGE] = r->message_language ? r->message_language : "en";
  v->text[IJ_AMEND_DO_NOT_MESSAGE] = r->do_not_message ? "true" : "false";
  v->hours_proposed = r->hours_proposed;
}

/* Whether the referral records a parent or guardian (any of their fields, or their consent). */
static bool has_guardian(const ij_referral *r) {
  return r->guardian_name || r->guardian_relationship || r->guardian_phone || r->guardian_email ||
         r->guardian_consent >= 0;
}

/* What the store writes: the changed fields' new values (the others are not written). */
static void amendment_of(const ij_amend_values *in, unsigned changed, char *fields, size_t size,
                         ij_referral_amendment *a) {
  memset(a, 0, sizeof *a);
  size_t used = 0;
  fields[0] = '\0';
  for (int f = 0; f < IJ_AMEND__COUNT; f++) {
    if (!(changed & (1u << f)))
      continue;
    int n = snprintf(fields + used, size - used, "%s%s", used ? "," : "",
                     ij_amend_field_path((ij_amend_field)f));
    if (n > 0 && (size_t)n < size - used)
      used += (size_t)n;
  }
  a->fields = fields;
  a->phone = in->text[IJ_AMEND_PHONE];
  a->email = in->text[IJ_AMEND_EMAIL];
  a->address = in->text[IJ_AMEND_ADDRESS];
  a->postcode = in->text[IJ_AMEND_POSTCODE];
  a->needs_notes = in->text[IJ_AMEND_NEEDS_NOTES];
  a->risk_notes = in->text[IJ_AMEND_RISK_NOTES];
  a->offence_category = in->text[IJ_AMEND_OFFENCE_CATEGORY];
  a->offence_description = in->text[IJ_AMEND_OFFENCE_DESCRIPTION];
  a->offence_location = in->text[IJ_AMEND_OFFENCE_LOCATION];
  a->ward = in->text[IJ_AMEND_OFFENCE_WARD];
  a->victim_preference = in->text[IJ_AMEND_VICTIM_PREFERENCE];
  a->guardian_name = in->text[IJ_AMEND_GUARDIAN_NAME];
  a->guardian_relationship = in->text[IJ_AMEND_GUARDIAN_RELATIONSHIP];
  a->guardian_phone = in->text[IJ_AMEND_GUARDIAN_PHONE];
  a->guardian_email = in->text[IJ_AMEND_GUARDIAN_EMAIL];
  a->contact_consent = in->text[IJ_AMEND_CONTACT_CONSENT];
  a->message_language = in->text[IJ_AMEND_MESSAGE_LANGUAGE];
  a->do_not_message = in->text[IJ_AMEND_DO_NOT_MESSAGE];
  a->hours_proposed = in->hours_proposed;
}

ij_err ij_ops_referral_amend(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                             const char *id, int expected_version, const ij_amend_values *in,
                             ij_referral *out, unsigned *changed, ij_field_errors *errs) {
  memset(out, 0, sizeof *out);
  *changed = 0;
  ij_area_rules rules;
  ij_err err = ij_ops_area_rules(conn, op, &rules);
  if (err != IJ_OK)
    return err == IJ_ERR_NOT_FOUND ? IJ_ERR_FORBIDDEN : err;
  /* the decoder's errors (members that are not amendable) and the values' in one answer */
  int prior = errs ? errs->count : 0;
  if (in->given || prior == 0)
    err = ij_domain_amend_validate(in, &rules, errs);
  if (err != IJ_OK || prior > 0)
    return IJ_ERR_INVALID;
  /* read without a lock: the write below is conditional on the version */
  if ((err = ij_store_referral_get(conn, op->area, id, out)) != IJ_OK)
    return err;
  if (expected_version != out->version)
    return IJ_ERR_STALE;
  ij_referral_facts facts;
  ij_ops_facts(out, &facts);
  ij_roles acting = 0;
  if ((err = ij_domain_amend_decide(actor, &facts, out->has_victim, has_guardian(out), in->given,
                                    &acting, errs)) != IJ_OK)
    return err;
  ij_amend_values current;
  current_values(out, &current);
  /* under 18 on the day of referral: the guardian keeps a name, relationship and a contact */
  bool required = ij_domain_guardian_required(out->date_of_birth, ij_time_date(out->created_at));
  if ((err = ij_domain_amend_guardian_keeps(in, &current, required, errs)) != IJ_OK)
    return err;
  *changed = ij_domain_amend_changes(in, &current);
  if (*changed == 0)
    return IJ_OK;
  char fields[512];
  ij_referral_amendment a;
  amendment_of(in, *changed, fields, sizeof fields, &a);
  ij_audit audit = {op->request_id, actor->sub, actor->name, ij_role_name(acting), op->now};
  ij_referral updated;
  /* one statement: its own transaction */
  err = ij_store_referral_amend(conn, op->area, id, expected_version, &a, &audit, &updated, errs);
  if (err != IJ_OK)
    return err;
  ij_referral_clear(out);
  *out = updated;
  return IJ_OK;
}

ij_err ij_ops_people_search(ij_conn *conn, const ij_op_ctx *op, const ij_person_filter *f,
                            ij_person_page *out) {
  char name_key[IJ_MAX_NAME + 1], postcode_key[16];
  ij_person_filter q = *f;
  q.area = op->area;
  if (f->name_key) {
    ij_domain_name_key(f->name_key, name_key, sizeof name_key);
    q.name_key = name_key;
  }
  if (f->postcode_key) {
    ij_domain_postcode_key(f->postcode_key, postcode_key, sizeof postcode_key);
    q.postcode_key = postcode_key;
  }
  return ij_store_people_search(conn, &q, out);
}

void ij_person_view_clear(ij_person_view *v) {
  if (!v)
    return;
  for (int i = 0; v->bookings && i < v->referrals.count; i++)
    ij_booking_list_clear(&v->bookings[i]);
  free(v->bookings);
  ij_referral_page_clear(&v->referrals);
  ij_person_page_clear(&v->person);
  memset(v, 0, sizeof *v);
}

ij_err ij_ops_person_get(ij_conn *conn, const ij_op_ctx *op, const char *id, ij_person_view *out) {
  memset(out, 0, sizeof *out);
  ij_err err = ij_store_person_get(conn, op->area, id, &out->person);
  if (err == IJ_OK)
    err =
        ij_store_referrals_of_person(conn, op->area, id, IJ_PERSON_REFERRALS_MAX, &out->referrals);
  if (err == IJ_OK && out->referrals.count > 0) {
    out->bookings = calloc((size_t)out->referrals.count, sizeof *out->bookings);
    if (!out->bookings)
      err = IJ_ERR_NOMEM;
  }
  for (int i = 0; err == IJ_OK && i < out->referrals.count; i++)
    err = ij_store_bookings_of_referral(conn, op->area, out->referrals.items[i].id,
                                        &out->bookings[i]);
  if (err != IJ_OK)
    ij_person_view_clear(out);
  return err;
}

ij_err ij_ops_subject_access(ij_conn *conn, const ij_op_ctx *op, const char *id, char **out) {
  return ij_store_subject_access(conn, op->area, id, out);
}
