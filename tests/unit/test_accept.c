/* The Accept header's parser and the choice among a route's media types (service/http/accept.h):
 * weights, wildcards and their precedence, q=0, case, and headers that do not parse. */
#include <check.h>
#include <stddef.h>

#include "../../service/http/accept.h"

Suite *accept_suite(void);

static const char *const JSON[] = {"application/json", NULL};
static const char *const STATS[] = {"application/json", "text/csv", NULL};

START_TEST(test_no_header_accepts_everything) {
  ck_assert_int_eq(ij_accept_quality(NULL, "text/html"), IJ_ACCEPT_QMAX);
  ck_assert_int_eq(ij_accept_choose(NULL, STATS), 0);
  ck_assert_int_eq(ij_accept_choose("*/*", STATS), 0);
  ck_assert_int_eq(ij_accept_choose(NULL, (const char *const[]){NULL}), -1);
}
END_TEST

START_TEST(test_weights) {
  ck_assert_int_eq(ij_accept_quality("text/html;q=0.5", "text/html"), 500);
  ck_assert_int_eq(ij_accept_quality("text/html ; q=0.25", "text/html"), 250);
  ck_assert_int_eq(ij_accept_quality("text/html;q=1.000", "text/html"), 1000);
  ck_assert_int_eq(ij_accept_quality("text/html;q=0.001", "text/html"), 1);
  ck_assert_int_eq(ij_accept_quality("text/html;q=1", "text/html"), 1000);
  ck_assert_int_eq(ij_accept_quality("text/html;q=0.", "text/html"), 0);
  /* the highest weight among ranges as specific */
  ck_assert_int_eq(ij_accept_quality("text/html;q=0.2, text/html;q=0.7", "text/html"), 700);
  /* parameters other than q are ignored, before and after it */
  ck_assert_int_eq(ij_accept_quality("text/plain;version=0.0.4;q=0.5;ext=1", "text/plain"), 500);
  ck_assert_int_eq(ij_accept_quality("text/html;foo=\"a,b;q=0\";q=0.3", "text/html"), 300);
  ck_assert_int_eq(ij_accept_quality("text/html", "application/json"), 0);
}
END_TEST

START_TEST(test_wildcards_and_precedence) {
  ck_assert_int_eq(ij_accept_quality("text/*", "text/csv"), 1000);
  ck_assert_int_eq(ij_accept_quality("text/*", "application/json"), 0);
  ck_assert_int_eq(ij_accept_quality("application/*;q=0.4", "application/json"), 400);
  ck_assert_int_eq(ij_accept_quality("*/*;q=0.1", "font/woff2"), 100);
  /* the most specific range decides, whatever its weight or place */
  ck_assert_int_eq(ij_accept_quality("text/csv, text/*;q=0.2", "text/html"), 200);
  ck_assert_int_eq(ij_accept_quality("text/*;q=0.2, text/csv", "text/csv"), 1000);
  ck_assert_int_eq(ij_accept_quality("*/*, application/json;q=0", "application/json"), 0);
  ck_assert_int_eq(ij_accept_quality("*/*;q=0.1, text/*;q=0", "text/csv"), 0);
  /* a browser's navigation */
  const char *browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
  ck_assert_int_eq(ij_accept_quality(browser, "application/json"), 800);
  ck_assert_int_eq(ij_accept_choose(browser, JSON), 0);
}
END_TEST

START_TEST(test_q_zero_refuses) {
  ck_assert_int_eq(ij_accept_quality("application/json;q=0", "application/json"), 0);
  ck_assert_int_eq(ij_accept_choose("application/json;q=0", JSON), -1);
  ck_assert_int_eq(ij_accept_choose("application/json;q=0.000", JSON), -1);
  ck_assert_int_eq(ij_accept_choose("*/*;q=0", STATS), -1);
  ck_assert_int_eq(ij_accept_choose("text/csv;q=0, */*", STATS), 0);
  ck_assert_int_eq(ij_accept_choose("application/json;q=0, */*", STATS), 1);
}
END_TEST

START_TEST(test_problem_json_stands_for_json) {
  ck_assert_int_eq(ij_accept_quality("application/problem+json", "application/json"), 1000);
  ck_assert_int_eq(ij_accept_choose("application/problem+json", JSON), 0);
  ck_assert_int_eq(ij_accept_quality("application/problem+json", "text/csv"), 0);
  /* application/json refused by name is refused */
  ck_assert_int_eq(
      ij_accept_quality("application/json;q=0, application/problem+json", "application/json"), 0);
  ck_assert_int_eq(
      ij_accept_quality("application/*;q=0, application/problem+json;q=0.3", "application/json"),
      300);
}
END_TEST

START_TEST(test_case_does_not_matter) {
  ck_assert_int_eq(ij_accept_quality("TEXT/CSV", "text/csv"), 1000);
  ck_assert_int_eq(ij_accept_quality("Application/JSON;Q=0.5", "application/json"), 500);
  ck_assert_int_eq(ij_accept_quality("TEXT/*;q=0.3", "text/csv"), 300);
  ck_assert_int_eq(ij_accept_choose("Text/CSV", STATS), 1);
}
END_TEST

START_TEST(test_the_preferred_type) {
  ck_assert_int_eq(ij_accept_choose("text/csv", STATS), 1);
  ck_assert_int_eq(ij_accept_choose("application/json;q=0.5, text/csv", STATS), 1);
  ck_assert_int_eq(ij_accept_choose("application/json;q=0.5, text/html", JSON), 0);
  ck_assert_int_eq(ij_accept_choose("text/html", STATS), -1);
  /* equal weights: the more specific range, then the one the header names first */
  ck_assert_int_eq(ij_accept_choose("text/*, application/json", STATS), 0);
  ck_assert_int_eq(ij_accept_choose("application/*, text/csv", STATS), 1);
  ck_assert_int_eq(ij_accept_choose("application/json, text/csv", STATS), 0);
  ck_assert_int_eq(ij_accept_choose("text/csv, application/json", STATS), 1);
  ck_assert_int_eq(ij_accept_choose("text/*, application/*", STATS), 1);
}
END_TEST

START_TEST(test_garbage_is_skipped) {
  /* a header with nothing that parses says nothing */
  static const char *const nothing[] = {
      "",
      "   ",
      ",,,",
      "garbage",
      "text",
      "*/json",
      "text/",
      "/csv",
      "text/html;q",
      "text/html;q=2",
      "text/html;q=0.5000",
      "text/html;q=abc",
      "text/html;q=-1",
      "text/html;q=0.5 x",
      "text/html;foo=\"ab",
      "text/html;=1",
      "text/html junk",
      "te xt/html",
  };
  for (size_t i = 0; i < sizeof nothing / sizeof nothing[0]; i++) {
    ck_assert_msg(ij_accept_quality(nothing[i], "text/csv") == IJ_ACCEPT_QMAX, "%s", nothing[i]);
    ck_assert_msg(ij_accept_choose(nothing[i], STATS) == 0, "%s", nothing[i]);
  }
  /* beside an element that parses, the rest are skipped */
  ck_assert_int_eq(ij_accept_quality("garbage, text/html, */json, ;;", "text/html"), 1000);
  ck_assert_int_eq(ij_accept_quality("garbage, text/html, */json, ;;", "application/json"), 0);
  ck_assert_int_eq(ij_accept_quality("application/json;q=abc, text/html", "application/json"), 0);
  ck_assert_int_eq(ij_accept_quality("text/html;;q=0.5;", "text/html"), 500);
  ck_assert_int_eq(ij_accept_quality("text/html;foo=\"a\\\"b\", text/csv", "text/csv"), 1000);
  ck_assert_int_eq(ij_accept_choose("\x01\xff/\x7f, application/json", JSON), 0);
}
END_TEST

Suite *accept_suite(void) {
  Suite *s = suite_create("accept");
  TCase *tc = tcase_create("negotiation");
  tcase_add_test(tc, test_no_header_accepts_everything);
  tcase_add_test(tc, test_weights);
  tcase_add_test(tc, test_wildcards_and_precedence);
  tcase_add_test(tc, test_q_zero_refuses);
  tcase_add_test(tc, test_problem_json_stands_for_json);
  tcase_add_test(tc, test_case_does_not_matter);
  tcase_add_test(tc, test_the_preferred_type);
  tcase_add_test(tc, test_garbage_is_skipped);
  suite_add_tcase(s, tc);
  return s;
}
