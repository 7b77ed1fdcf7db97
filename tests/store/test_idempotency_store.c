/* The Idempotency-Key records of the retryable routes on a real PostgreSQL: a claim is made once,
 * read back pending, answered only by the request holding it, forgotten only by it, and taken
 * over only when it is old and for the same request; retention's delete covers pending rows. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ij/store/idempotency.h"
#include "suites.h"
#include "support.h"

static ij_time_us now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (ij_time_us)ts.tv_sec * IJ_US_PER_SECOND + ts.tv_nsec / 1000;
}

START_TEST(claim_keep_release_and_take_over) {
  ij_store *s = ts_store(1);
  ij_conn *c;
  ck_assert_int_eq(ij_store_acquire(s, &c), IJ_OK);
  char area[IJ_AREA_MAX];
  ts_new_area(c, area);
  const char *route = "POST /v1/bookings/{id}/sign-in";
  ij_idem_key k = {area, "sup-1", "key-1", "hash-a"};
  ij_time_us t0 = now_us();

  bool claimed = false;
  ck_assert_int_eq(ij_store_idem_claim(c, &k, route, t0, &claimed), IJ_OK);
  ck_assert(claimed);
  ck_assert_int_eq(ij_store_idem_claim(c, &k, route, t0 + 1, &claimed), IJ_OK);
  ck_assert(!claimed);
  /* another caller's key of the same name is another record */
  ij_idem_key theirs = {area, "sup-2", "key-1", "hash-b"};
  ck_assert_int_eq(ij_store_idem_claim(c, &theirs, route, t0, &claimed), IJ_OK);
  ck_assert(claimed);

  ij_idem_row row;
  ck_assert_int_eq(ij_store_idem_read(c, &k, &row), IJ_OK);
  ck_assert(!row.answered);
  ck_assert_str_eq(row.request_hash, "hash-a");
  ck_assert_int_eq(row.claimed_at, t0);
  ck_assert_ptr_null(row.body);
  ij_idem_row_clear(&row);

  /* not old enough to take over, nor for another request */
  bool taken = true;
  ck_assert_int_eq(ij_store_idem_take_over(c, &k, t0, t0 + 5, &taken), IJ_OK);
  ck_assert(!taken);
  ij_idem_key other_request = {area, "sup-1", "key-1", "hash-z"};
  ck_assert_int_eq(ij_store_idem_take_over(c, &other_request, t0 + 1, t0 + 5, &taken), IJ_OK);
  ck_assert(!taken);
  /* old enough: the claim moves to its new holder */
  ck_assert_int_eq(ij_store_idem_take_over(c, &k, t0 + 1, t0 + 5, &taken), IJ_OK);
  ck_assert(taken);

  /* the first holder can no longer answer it, nor forget it */
  ck_assert_int_eq(ij_store_idem_keep(c, &k, t0, 200, "{\"late\":true}", NULL, NULL, NULL), IJ_OK);
  ck_assert_int_eq(ij_store_idem_release(c, &k, t0), IJ_OK);
  ck_assert_int_eq(ij_store_idem_read(c, &k, &row), IJ_OK);
  ck_assert(!row.answered);
  ck_assert_int_eq(row.claimed_at, t0 + 5);
  ij_idem_row_clear(&row);

  /* its holder answers it; the answer stays */
  ck_assert_int_eq(ij_store_idem_keep(c, &k, t0 + 5, 201, "{\"id\":\"b-1\"}", "\"1\"",
                                      "/v1/bookings/b-1", "application/json"),
                   IJ_OK);
  ck_assert_int_eq(ij_store_idem_release(c, &k, t0 + 5), IJ_OK); /* answered: not forgotten */
  ck_assert_int_eq(ij_store_idem_read(c, &k, &row), IJ_OK);
  ck_assert(row.answered);
  ck_assert_int_eq(row.status, 201);
  ck_assert_str_eq(row.body, "{\"id\":\"b-1\"}");
  ck_assert_str_eq(row.etag, "\"1\"");
  ck_assert_str_eq(row.location, "/v1/bookings/b-1");
  ck_assert_str_eq(row.content_type, "application/json");
  ij_idem_row_clear(&row);
  ck_assert_int_eq(ij_store_idem_take_over(c, &k, t0 + 100, t0 + 200, &taken), IJ_OK);
  ck_assert(!taken);

  /* the other caller's pending claim is forgotten by its holder, and can be made again */
  ck_assert_int_eq(ij_store_idem_release(c, &theirs, t0), IJ_OK);
  ck_assert_int_eq(ij_store_idem_read(c, &theirs, &row), IJ_ERR_NOT_FOUND);
  ck_assert_int_eq(ij_store_idem_claim(c, &theirs, route, t0 + 7, &claimed), IJ_OK);
  ck_assert(claimed);

  /* retention's delete takes pending and answered keys alike */
  const char *p[1] = {area};
  free(ts_sql("DELETE FROM idempotency_keys WHERE area = $1 AND created_at < now() + interval '1 "
              "day'",
              1, p));
  ck_assert_int_eq(ij_store_idem_read(c, &k, &row), IJ_ERR_NOT_FOUND);
  ck_assert_int_eq(ij_store_idem_read(c, &theirs, &row), IJ_ERR_NOT_FOUND);
  ij_store_release(s, c);
  ij_store_close(s);
}
END_TEST

Suite *store_idempotency_suite(void) {
  Suite *s = suite_create("store-idempotency");
  TCase *tc = tcase_create("keys");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, claim_keep_release_and_take_over);
  suite_add_tcase(s, tc);
  return s;
}
