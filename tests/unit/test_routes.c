/* The route table, walked row by row: what the dispatcher checks before a handler runs is data, so
 * a row that contradicts itself (an {id} without its kind or resource, an API route whose query
 * is not checked, a role-free route that should have a permission) fails here rather than in a
 * request. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "../../service/http/internal.h"

Suite *routes_suite(void);

START_TEST(test_every_row_is_consistent) {
  for (int i = 0; i < ij_routes_count; i++) {
    const ij_route *r = &ij_routes[i];
    /* {id}, or {area} (the caller's own area) */
    bool has_id = strstr(r->path, "{id}") != NULL || strstr(r->path, "{area}") != NULL;
    /* an {area} is the caller's own, but on a route without our token (Notify's receipts) */
    ck_assert_msg(!strstr(r->path, "{area}") || r->id == IJ_ID_AREA ||
                      (r->id == IJ_ID_ANY_AREA && !r->authenticated),
                  "%s %s: {area} is not checked as the caller's area", r->method, r->path);
    ck_assert_msg(r->id != IJ_ID_ANY_AREA || strstr(r->path, "{area}"),
                  "%s %s: any area without an {area}", r->method, r->path);
    ck_assert_msg(has_id == (r->id != IJ_ID_NONE), "%s %s: {id} and its kind disagree", r->method,
                  r->path);
    ck_assert_msg(!has_id || r->resource, "%s %s: an {id} names no resource", r->method, r->path);
    ck_assert_msg(r->action == IJ_NO_ACTION || (unsigned)r->action < IJ_ACTION__COUNT,
                  "%s %s: not an action", r->method, r->path);
    ck_assert_msg(!r->personal || r->authenticated, "%s %s: people's data without a token",
                  r->method, r->path);
    if (!r->authenticated) {
      /* a permission needs roles, and roles come from the token */
      ck_assert_msg(r->action == IJ_NO_ACTION, "%s %s: a permission without a token", r->method,
                    r->path);
    } else {
      ck_assert_msg(r->query != IJ_ANY_QUERY, "%s %s: the query is not checked", r->method,
                    r->path);
    }
    for (const char *const *q = r->query; q && *q; q++) {
      ck_assert_msg(**q, "%s %s: an empty query parameter", r->method, r->path);
      for (const char *const *p = r->query; p != q; p++)
        ck_assert_msg(strcmp(*p, *q) != 0, "%s %s: %s twice", r->method, r->path, *q);
    }
    /* every route names what it answers with, but the one whose files each have their own */
    ck_assert_msg((r->media == IJ_MEDIA_PER_RESOURCE) == (r->id == IJ_ID_NAME),
                  "%s %s: media types and the kind of {id} disagree", r->method, r->path);
    ck_assert_msg(!r->media || r->media[0], "%s %s: no media type", r->method, r->path);
    for (const char *const *m = r->media; m && *m; m++) {
      const char *slash = strchr(*m, '/');
      ck_assert_msg(slash && slash != *m && slash[1] && !strpbrk(*m, "; *"),
                    "%s %s: %s is not a media type", r->method, r->path, *m);
      for (const char *c = *m; *c; c++)
        ck_assert_msg(*c < 'A' || *c > 'Z', "%s %s: %s is not lower case", r->method, r->path, *m);
    }
    for (int j = 0; j < i; j++)
      ck_assert_msg(strcmp(ij_routes[j].method, r->method) != 0 ||
                        strcmp(ij_routes[j].path, r->path) != 0,
                    "%s %s: twice", r->method, r->path);
  }
}
END_TEST

START_TEST(test_only_the_callers_own_routes_need_no_role) {
  /* every role may read who it is and the reference data; everything else needs a permission */
  static const char *const open[] = {"/v1/me", "/v1/wards", "/v1/reason-codes"};
  int seen = 0;
  for (int i = 0; i < ij_routes_count; i++) {
    const ij_route *r = &ij_routes[i];
    if (!r->authenticated || r->action != IJ_NO_ACTION)
      continue;
    bool listed = false;
    for (size_t k = 0; k < sizeof open / sizeof open[0]; k++)
      listed = listed || strcmp(open[k], r->path) == 0;
    ck_assert_msg(listed, "%s %s needs no role", r->method, r->path);
    seen++;
  }
  ck_assert_int_eq(seen, (int)(sizeof open / sizeof open[0]));
}
END_TEST

START_TEST(test_idempotent_routes_are_writes_of_the_table) {
  /* each listed route is a row of the table, once, a write by an authenticated caller (the key is
   * remembered per caller) */
  int n = 0;
  for (const char *const *e = ij_idem_routes; *e; e++, n++) {
    int rows = 0;
    for (int i = 0; i < ij_routes_count; i++) {
      const ij_route *r = &ij_routes[i];
      if (!ij_idem_route(r))
        continue;
      char name[160];
      snprintf(name, sizeof name, "%s %s", r->method, r->path);
      if (strcmp(name, *e) != 0)
        continue;
      rows++;
      ck_assert_msg(r->authenticated, "%s: no caller to remember the key for", *e);
      ck_assert_msg(strcmp(r->method, "GET") != 0, "%s: a read", *e);
    }
    ck_assert_msg(rows == 1, "%s: %d rows of the table", *e, rows);
    for (const char *const *f = ij_idem_routes; f != e; f++)
      ck_assert_msg(strcmp(*f, *e) != 0, "%s: twice", *e);
  }
  int flagged = 0;
  for (int i = 0; i < ij_routes_count; i++)
    flagged += ij_idem_route(&ij_routes[i]);
  ck_assert_int_eq(flagged, n);
  /* POST /v1/referrals keeps its key in the referral's own transaction */
  for (int i = 0; i < ij_routes_count; i++)
    if (strcmp(ij_routes[i].path, "/v1/referrals") == 0)
      ck_assert(!ij_idem_route(&ij_routes[i]));
}
END_TEST

Suite *routes_suite(void) {
  Suite *s = suite_create("routes");
  TCase *tc = tcase_create("table");
  tcase_add_test(tc, test_every_row_is_consistent);
  tcase_add_test(tc, test_only_the_callers_own_routes_need_no_role);
  tcase_add_test(tc, test_idempotent_routes_are_writes_of_the_table);
  suite_add_tcase(s, tc);
  return s;
}
