/* Messages on their way to GOV.UK Notify, at the store: the claim locks what it takes and a second
 * claim at once skips it (SKIP LOCKED), sees only its area's messages (row-level security, as the
 * service's role) and only those due at the time given; results are written only over a message
 * still queued; receipts find a message by reference or by Notify's id, in its own area only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uuid/uuid.h>

#include "ij/store/message_delivery.h"
#include "ij/store/referrals.h"
#include "suites.h"
#include "support.h"

static ij_time_us now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (ij_time_us)ts.tv_sec * IJ_US_PER_SECOND + ts.tv_nsec / 1000;
}

static void new_uuid(char out[IJ_UUID_BUF]) {
  uuid_t u;
  uuid_generate_random(u);
  uuid_unparse_lower(u, out);
}

/* A pool as the service's role (row-level security binds it). */
static ij_store *service_store(void) {
  ij_store_options o = {ts_service_url(), 2, 10000, true, true};
  ij_store *s = NULL;
  ck_assert_int_eq(ij_store_open(&o, &s), IJ_OK);
  return s;
}

/* A fresh area with one referral (its id into referral) and a Notify service whose callback
 * token is `token`. */
static void area_with_referral(char area[IJ_AREA_MAX], char referral[IJ_UUID_BUF],
                               const char *token) {
  ij_store *s = ts_store(1);
  ij_conn *c;
  ck_assert_int_eq(ij_store_acquire(s, &c), IJ_OK);
  ts_new_area(c, area);
  ij_referral r;
  memset(&r, 0, sizeof r);
  new_uuid(r.id);
  new_uuid(r.person_id);
  char police[40];
  snprintf(police, sizeof police, "MD/%.8s", r.id);
  r.area = area;
  r.state = IJ_STATE_SUBMITTED;
  r.version = 1;
  r.person_name = "Casey Brown";
  r.police_id = police;
  ij_date_parse("2003-02-01", &r.date_of_birth);
  ij_date_parse("2026-01-10", &r.offence_date);
  r.offence_category = "asb";
  r.ward = "ward-a";
  r.disposal = "community_resolution";
  r.consent_recorded = true;
  r.hours_proposed = 7;
  r.victim_consulted = r.victim_keep_updated = -1;
  r.officer_sub = r.officer_name = "pc-1";
  r.created_at = r.updated_at = now_us();
  r.target_start_by = r.created_at + 48 * IJ_US_PER_HOUR;
  ij_audit a = {"req-test", "pc-1", "pc-1", "officer", r.created_at};
  ij_field_errors errs;
  ij_field_errors_init(&errs);
  ij_replay replay;
  ck_assert_int_eq(ts_store_referral(c, &r, &a, NULL, &replay, &errs), IJ_OK);
  snprintf(referral, IJ_UUID_BUF, "%s", r.id);
  ij_store_release(s, c);
  ij_store_close(s);
  const char *p[2] = {area, token};
  free(ts_sql("INSERT INTO area_notify (area, base_url, service_id, key_name, updated_at)"
              " VALUES ($1, 'http://127.0.0.1:9', '5a1d3f6e-2b4c-4e8f-9a7b-0c1d2e3f4a5b', 'test',"
              " now())",
              1, p));
  free(ts_sql("INSERT INTO area_notify_secrets (area, secret_key, callback_token_sha256,"
              " updated_at) VALUES ($1, 'secret-key-0000', sha256(convert_to($2, 'UTF8')), now())",
              2, p));
}

/* A message of the area, `status`, due `due_seconds` from now by the database's clock. */
static void add_message(const char *area, const char *referral, const char *status, int due_seconds,
                        char id[IJ_UUID_BUF]) {
  new_uuid(id);
  char due[16];
  snprintf(due, sizeof due, "%d", due_seconds);
  const char *p[5] = {id, area, referral, status, due};
  free(ts_sql("INSERT INTO messages (id, area, referral_id, kind, recipient, channel, to_address,"
              " language, template_id, personalisation, status, reason, next_attempt_at,"
              " created_at, status_at) VALUES ($1::uuid, $2, $3::uuid, 'booking_confirmation',"
              " 'person', 'sms', '07700900123', 'en', '11111111-2222-4333-8444-555555555555',"
              " '{\"name\":\"Casey\"}', $4, CASE WHEN $4 = 'not_sent' THEN 'no_consent' END,"
              " now() + $5::int * interval '1 second', now(), now())",
              5, p));
}

static char *status_of(const char *id) {
  const char *p[1] = {id};
  return ts_sql("SELECT status || '/' || attempts FROM messages WHERE id = $1::uuid", 1, p);
}

static void expect_status(const char *id, const char *want) {
  char *got = status_of(id);
  ck_assert_msg(got && strcmp(got, want) == 0, "%s: %s, want %s", id, got ? got : "NULL", want);
  free(got);
}

START_TEST(a_claim_skips_what_another_holds) {
  char area[IJ_AREA_MAX], other[IJ_AREA_MAX], referral[IJ_UUID_BUF], other_referral[IJ_UUID_BUF];
  area_with_referral(area, referral, "token-of-area-one-0123456789abcdef");
  area_with_referral(other, other_referral, "token-of-area-two-0123456789abcdef");
  char m[3][IJ_UUID_BUF], later[IJ_UUID_BUF], elsewhere[IJ_UUID_BUF];
  for (int i = 0; i < 3; i++)
    add_message(area, referral, "queued", -10 + i, m[i]);
  add_message(area, referral, "queued", 3600, later);
  add_message(other, other_referral, "queued", -10, elsewhere);

  ij_store *s = service_store();
  ij_conn *a, *b;
  ck_assert_int_eq(ij_store_acquire(s, &a), IJ_OK);
  ck_assert_int_eq(ij_store_acquire(s, &b), IJ_OK);
  ij_time_us now = now_us();

  ij_store_scope(a, area);
  ck_assert_int_eq(ij_store_begin(a), IJ_OK);
  ij_message_batch first;
  ck_assert_int_eq(ij_store_messages_claim(a, area, now, 2, &first), IJ_OK);
  ck_assert_int_eq(first.count, 2);
  ck_assert_str_eq(first.items[0].id, m[0]); /* the longest due first */
  ck_assert_str_eq(first.items[1].id, m[1]);
  ck_assert_str_eq(first.items[0].channel, "sms");
  ck_assert_str_eq(first.items[0].to_address, "07700900123");
  ck_assert_str_eq(first.items[0].personalisation, "{\"name\": \"Casey\"}");
  ck_assert_str_eq(first.items[0].base_url, "http://127.0.0.1:9");
  ck_assert_str_eq(first.items[0].secret_key, "secret-key-0000");
  ck_assert_ptr_null(first.items[0].booking_status);

  /* a second claim meanwhile gets what the first does not hold, and nothing of another area */
  ij_store_scope(b, area);
  ck_assert_int_eq(ij_store_begin(b), IJ_OK);
  ij_message_batch second;
  ck_assert_int_eq(ij_store_messages_claim(b, area, now, 10, &second), IJ_OK);
  ck_assert_int_eq(second.count, 1);
  ck_assert_str_eq(second.items[0].id, m[2]);
  /* the other area's message, asked for by its area on this area's connection: not seen */
  ij_message_batch none;
  ck_assert_int_eq(ij_store_messages_claim(b, other, now, 10, &none), IJ_OK);
  ck_assert_int_eq(none.count, 0);
  ij_message_batch_clear(&none);

  ck_assert_int_eq(ij_store_message_sent(a, m[0], "740e5834-3a29-46b4-9a6f-16142fde533a", now),
                   IJ_OK);
  ck_assert_int_eq(ij_store_message_failed(a, m[1], 1, "HTTP 400 BadRequestError: no", now), IJ_OK);
  ck_assert_int_eq(ij_store_commit(a), IJ_OK);
  ck_assert_int_eq(
      ij_store_message_retry(b, m[2], 1, now + 2 * IJ_US_PER_SECOND, "HTTP 500 Exception: x"),
      IJ_OK);
  ck_assert_int_eq(ij_store_commit(b), IJ_OK);
  ij_message_batch_clear(&first);
  ij_message_batch_clear(&second);
  expect_status(m[0], "sending/0");
  expect_status(m[1], "failed/1");
  expect_status(m[2], "queued/1");

  /* a result is written only over a message still queued */
  ck_assert_int_eq(ij_store_message_cancelled(a, m[0], now), IJ_OK);
  expect_status(m[0], "sending/0");

  /* now: nothing due (the retry waits 2 s, the other an hour); 2 s on, the retry alone */
  ij_message_batch again;
  ck_assert_int_eq(ij_store_begin(a), IJ_OK);
  ck_assert_int_eq(ij_store_messages_claim(a, area, now, 10, &again), IJ_OK);
  ck_assert_int_eq(again.count, 0);
  ij_message_batch_clear(&again);
  ck_assert_int_eq(ij_store_messages_claim(a, area, now + 2 * IJ_US_PER_SECOND, 10, &again), IJ_OK);
  ck_assert_int_eq(again.count, 1);
  ck_assert_str_eq(again.items[0].id, m[2]);
  ck_assert_int_eq(again.items[0].attempts, 1);
  ij_message_batch_clear(&again);
  ij_store_rollback(a);

  /* the areas the outbox serves: both (a Notify service each) */
  ij_rows areas;
  ck_assert_int_eq(ij_store_message_areas(a, &areas), IJ_OK);
  int seen = 0;
  for (int i = 0; i < areas.count; i++)
    seen += strcmp(ij_rows_get(&areas, i, 0), area) == 0 ||
            strcmp(ij_rows_get(&areas, i, 0), other) == 0;
  ck_assert_int_eq(seen, 2);
  ij_rows_clear(&areas);

  ij_store_release(s, a);
  ij_store_release(s, b);
  ij_store_close(s);
  const char *p[2] = {area, other};
  free(ts_sql(
      "UPDATE messages SET status = 'cancelled' WHERE area IN ($1, $2) AND status = 'queued'", 2,
      p));
}
END_TEST

START_TEST(receipts_find_their_message_in_their_area) {
  char area[IJ_AREA_MAX], other[IJ_AREA_MAX], referral[IJ_UUID_BUF], other_referral[IJ_UUID_BUF];
  area_with_referral(area, referral, "token-of-area-one-0123456789abcdef");
  area_with_referral(other, other_referral, "token-of-area-two-0123456789abcdef");
  char sent[IJ_UUID_BUF], unsent[IJ_UUID_BUF], never[IJ_UUID_BUF];
  add_message(area, referral, "queued", 3600, sent);
  add_message(area, referral, "queued", 3600, unsent);
  add_message(area, referral, "not_sent", 0, never);
  const char *p[1] = {sent};
  free(ts_sql("UPDATE messages SET status = 'sending', notify_id ="
              " '740e5834-3a29-46b4-9a6f-16142fde533a' WHERE id = $1::uuid",
              1, p));

  ij_store *s = service_store();
  ij_conn *c;
  ck_assert_int_eq(ij_store_acquire(s, &c), IJ_OK);

  /* the hash, read in the area's scope; an unknown area is unknown */
  bool known, has;
  unsigned char hash[32];
  ij_store_scope(c, area);
  ck_assert_int_eq(ij_store_notify_callback_hash(c, area, &known, &has, hash), IJ_OK);
  ck_assert(known && has);
  char hex[65];
  for (int i = 0; i < 32; i++)
    snprintf(hex + 2 * i, 3, "%02x", hash[i]);
  char *want = ts_sql("SELECT encode(sha256(convert_to('token-of-area-one-0123456789abcdef',"
                      " 'UTF8')), 'hex')",
                      0, NULL);
  ck_assert_str_eq(hex, want);
  free(want);
  ck_assert_int_eq(ij_store_notify_callback_hash(c, "no-such-area", &known, &has, hash), IJ_OK);
  ck_assert(!known && !has);
  /* another area's secrets are not read in this area's scope */
  ck_assert_int_eq(ij_store_notify_callback_hash(c, other, &known, &has, hash), IJ_OK);
  ck_assert(known && !has);

  ij_time_us at = now_us();
  /* by reference */
  ck_assert_int_eq(ij_store_message_receipt(c, area, sent, "740e5834-3a29-46b4-9a6f-16142fde533a",
                                            "delivered", at),
                   IJ_OK);
  expect_status(sent, "delivered/0");
  /* by Notify's id */
  ck_assert_int_eq(ij_store_message_receipt(c, area, NULL, "740e5834-3a29-46b4-9a6f-16142fde533a",
                                            "technical-failure", at),
                   IJ_OK);
  expect_status(sent, "technical-failure/0");
  /* a queued message Notify took though the answer was lost: recorded, with Notify's id */
  ck_assert_int_eq(ij_store_message_receipt(c, area, unsent, "0f0e0d0c-0b0a-4908-8706-050403020100",
                                            "delivered", at),
                   IJ_OK);
  expect_status(unsent, "delivered/0");
  const char *q[1] = {unsent};
  char *nid = ts_sql("SELECT notify_id::text FROM messages WHERE id = $1::uuid", 1, q);
  ck_assert_str_eq(nid, "0f0e0d0c-0b0a-4908-8706-050403020100");
  free(nid);
  /* never sent; unknown; another area's */
  ck_assert_int_eq(ij_store_message_receipt(c, area, never, "11111111-0b0a-4908-8706-050403020100",
                                            "delivered", at),
                   IJ_ERR_NOT_FOUND);
  expect_status(never, "not_sent/0");
  char unknown[IJ_UUID_BUF];
  new_uuid(unknown);
  ck_assert_int_eq(ij_store_message_receipt(c, area, unknown, unknown, "delivered", at),
                   IJ_ERR_NOT_FOUND);
  ij_store_scope(c, other);
  ck_assert_int_eq(ij_store_message_receipt(c, other, sent, "740e5834-3a29-46b4-9a6f-16142fde533a",
                                            "permanent-failure", at),
                   IJ_ERR_NOT_FOUND);
  expect_status(sent, "technical-failure/0");
  ij_store_release(s, c);
  ij_store_close(s);
}
END_TEST

Suite *store_message_delivery_suite(void) {
  Suite *s = suite_create("store_message_delivery");
  TCase *tc = tcase_create("message_delivery");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, a_claim_skips_what_another_holds);
  tcase_add_test(tc, receipts_find_their_message_in_their_area);
  suite_add_tcase(s, tc);
  return s;
}
