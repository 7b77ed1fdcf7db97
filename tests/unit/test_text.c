/* UTF-8 checks of text that comes from files (the follow-up import): what is and is not UTF-8,
 * and trimming a copy cut in the middle of a character. */
#include <check.h>
#include <string.h>

#include "ij/domain.h"

Suite *text_suite(void);

START_TEST(test_utf8_valid) {
  static const char *const good[] = {"",
                                     "police_id",
                                     "Zo\xC3\xAB",
                                     "\xE2\x82\xAC 10",
                                     "\xF0\x9F\x8C\xB1 garden",
                                     "\xEF\xBB\xBFid",
                                     "\xF4\x8F\xBF\xBF"};
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
    ck_assert_msg(ij_text_utf8_valid(good[i]), "good %zu refused", i);
  ck_assert(ij_text_utf8_valid(NULL));
  static const char *const bad[] = {
      "caf\xE9",          /* Latin-1, as a spreadsheet's plain CSV writes it */
      "\x80",             /* a continuation byte alone */
      "\xC3",             /* cut short */
      "\xE2\x82",         /* cut short */
      "\xC0\xAF",         /* overlong "/" */
      "\xE0\x80\xAF",     /* overlong */
      "\xED\xA0\x80",     /* a surrogate */
      "\xF4\x90\x80\x80", /* past U+10FFFF */
      "\xF8\x88\x80\x80", /* five-byte form */
      "ok\xC3(",          /* a lead byte followed by ASCII */
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    ck_assert_msg(!ij_text_utf8_valid(bad[i]), "bad %zu accepted", i);
}
END_TEST

START_TEST(test_utf8_trim) {
  char s[16];
  strcpy(s, "ab\xE2\x82");
  ij_text_utf8_trim(s);
  ck_assert_str_eq(s, "ab");
  strcpy(s, "ab\xE2\x82\xAC");
  ij_text_utf8_trim(s);
  ck_assert_str_eq(s, "ab\xE2\x82\xAC");
  strcpy(s, "ab\xC3");
  ij_text_utf8_trim(s);
  ck_assert_str_eq(s, "ab");
  strcpy(s, "plain");
  ij_text_utf8_trim(s);
  ck_assert_str_eq(s, "plain");
}
END_TEST

Suite *text_suite(void) {
  Suite *s = suite_create("text");
  TCase *tc = tcase_create("utf8");
  tcase_add_test(tc, test_utf8_valid);
  tcase_add_test(tc, test_utf8_trim);
  suite_add_tcase(s, tc);
  return s;
}
