/* The JSON text writer (service/http/jsonw.h) against jansson, which the other representations
 * use: every string of one and two bytes, every byte at every position of longer ones, UTF-8 of
 * each length and every ill-formed sequence jansson refuses, nesting, numbers at their limits,
 * growth past the inline buffer, and misuse. */
#include <check.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../service/http/jsonw.h"

Suite *jsonw_suite(void);

/* The writer's text for {"k": s} (NULL when it failed), as a malloc'd string. */
static char *written(const char *s) {
  ij_jw w;
  ij_jw_init(&w);
  ij_jw_object(&w, NULL);
  ij_jw_string(&w, "k", s);
  ij_jw_end(&w);
  char *text = ij_jw_take(&w);
  ij_jw_free(&w);
  return text;
}

/* jansson's compact text for the same, or NULL when it refuses the string. */
static char *dumped(const char *s) {
  json_t *v = json_string(s);
  if (!v)
    return NULL;
  json_t *o = json_object();
  json_object_set_new(o, "k", v);
  char *text = json_dumps(o, JSON_COMPACT);
  json_decref(o);
  return text;
}

/* The same string as a member's name: {s: 1}. */
static char *written_as_name(const char *s) {
  ij_jw w;
  ij_jw_init(&w);
  ij_jw_object(&w, NULL);
  ij_jw_int(&w, "a", 0);
  ij_jw_int(&w, s, 1);
  ij_jw_end(&w);
  char *text = ij_jw_take(&w);
  ij_jw_free(&w);
  return text;
}

static char *dumped_as_name(const char *s) {
  json_t *o = json_object();
  json_object_set_new(o, "a", json_integer(0));
  char *text = NULL;
  if (strcmp(s, "a") != 0 && json_object_set_new(o, s, json_integer(1)) == 0)
    text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(o);
  return text;
}

static void compare(char *mine, char *theirs) {
  if (!theirs)
    ck_assert_msg(mine == NULL, "jansson refuses a string the writer wrote as %s", mine);
  else
    ck_assert_msg(mine && strcmp(mine, theirs) == 0, "writer %s, jansson %s",
                  mine ? mine : "(null)", theirs);
  free(mine);
  free(theirs);
}

/* The string as a value and as a name, both as jansson writes them. */
static void same_as_jansson(const char *s) {
  compare(written(s), dumped(s));
  if (strcmp(s, "a") != 0)
    compare(written_as_name(s), dumped_as_name(s));
}

START_TEST(every_short_string_is_escaped_as_jansson_escapes_it) {
  char s[3] = {0};
  for (int a = 1; a < 256; a++) {
    s[0] = (char)a;
    s[1] = 0;
    same_as_jansson(s);
    for (int b = 1; b < 256; b++) {
      s[1] = (char)b;
      same_as_jansson(s);
    }
  }
}
END_TEST

/* Strings of every length the writer's 8-byte passes treat apart (a short tail, whole blocks, a
 * block and a tail): every byte value at every position of plain text of 1 to 24 bytes, and
 * two-byte UTF-8 split across a block's edge. */
START_TEST(every_byte_at_every_position_of_longer_strings_is_escaped_as_jansson_escapes_it) {
  char s[32];
  for (size_t n = 1; n <= 24; n++)
    for (size_t at = 0; at < n; at++)
      for (int b = 1; b < 256; b++) {
        memset(s, 'a' + (int)(at % 26), n);
        s[n] = 0;
        s[at] = (char)b;
        same_as_jansson(s);
        if (at + 1 < n) {
          s[at + 1] = (char)0xA9; /* a continuation byte: b 0xC2..0xDF makes well-formed UTF-8 */
          same_as_jansson(s);
        }
      }
}
END_TEST

/* Every code point as UTF-8 (jansson's own encoder makes the bytes), then every three- and four-
 * byte lead with continuation bytes around their limits: overlong forms, surrogates, beyond
 * U+10FFFF, truncated sequences. */
START_TEST(utf8_is_kept_and_ill_formed_text_refused_as_jansson_refuses_it) {
  for (json_int_t cp = 1; cp <= 0x10FFFF; cp += (cp < 0x1000 ? 1 : 97)) {
    if (cp >= 0xD800 && cp <= 0xDFFF)
      continue;
    char source[32];
    snprintf(source, sizeof source, "[\"\\u%04x\"]", (unsigned)(cp < 0x10000 ? cp : 0x41));
    if (cp >= 0x10000) {
      unsigned v = (unsigned)cp - 0x10000u;
      snprintf(source, sizeof source, "[\"\\u%04x\\u%04x\"]", 0xD800u + (v >> 10),
               0xDC00u + (v & 0x3FFu));
    }
    json_t *a = json_loads(source, 0, NULL);
    ck_assert_ptr_nonnull(a);
    same_as_jansson(json_string_value(json_array_get(a, 0)));
    json_decref(a);
  }
  static const unsigned char edges[] = {0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF};
  for (int lead = 0xC0; lead <= 0xFF; lead++)
    for (size_t i = 0; i < sizeof edges; i++)
      for (size_t j = 0; j < sizeof edges; j++) {
        char s[6] = {(char)lead, (char)edges[i], (char)edges[j], (char)0x80, 'x', 0};
        same_as_jansson(s);
        s[3] = 'x';
        same_as_jansson(s);
        s[2] = 0;
        same_as_jansson(s);
        s[1] = 0;
        same_as_jansson(s);
      }
}
END_TEST

START_TEST(members_nest_and_numbers_reach_their_limits) {
  ij_jw w;
  ij_jw_init(&w);
  ij_jw_object(&w, NULL);
  ij_jw_int(&w, "min", INT64_MIN);
  ij_jw_int(&w, "max", INT64_MAX);
  ij_jw_int(&w, "zero", 0);
  ij_jw_int(&w, "minus", -7);
  ij_jw_bool(&w, "yes", true);
  ij_jw_bool(&w, "no", false);
  ij_jw_null(&w, "nothing");
  ij_jw_int_or_null(&w, "some", 3);
  ij_jw_int_or_null(&w, "no_number", 0);
  ij_jw_string_or_null(&w, "none", NULL);
  ij_jw_array(&w, "empty");
  ij_jw_end(&w);
  ij_jw_object(&w, "inner");
  ij_jw_array(&w, "list");
  ij_jw_int(&w, NULL, 1);
  ij_jw_string(&w, NULL, "two");
  ij_jw_object(&w, NULL);
  ij_jw_end(&w);
  ij_jw_end(&w);
  ij_jw_end(&w);
  ij_jw_time(&w, "at", 1764979200123456LL);
  ij_jw_time_or_null(&w, "never", 0);
  ij_jw_date(&w, "on", 20428);
  ij_jw_end(&w);
  size_t len = 0;
  const char *text = ij_jw_text(&w, &len);
  ck_assert_ptr_nonnull(text);
  ck_assert_uint_eq(len, strlen(text));
  ck_assert_str_eq(text, "{\"min\":-9223372036854775808,\"max\":9223372036854775807,\"zero\":0,"
                         "\"minus\":-7,\"yes\":true,\"no\":false,\"nothing\":null,\"some\":3,"
                         "\"no_number\":null,\"none\":null,"
                         "\"empty\":[],\"inner\":{\"list\":[1,\"two\",{}]},"
                         "\"at\":\"2025-12-06T00:00:00.123456Z\",\"never\":null,"
                         "\"on\":\"2025-12-06\"}");
  json_error_t error;
  json_t *parsed = json_loads(text, 0, &error);
  ck_assert_msg(parsed != NULL, "%s", error.text);
  json_decref(parsed);
  ij_jw_free(&w);
}
END_TEST

/* A text longer than the inline buffer moves to the heap, intact. */
START_TEST(a_long_text_grows_past_the_inline_buffer) {
  ij_jw w;
  ij_jw_init(&w);
  ij_jw_array(&w, NULL);
  json_t *expected = json_array();
  char item[64];
  for (int i = 0; i < 2000; i++) {
    snprintf(item, sizeof item, "item \"%d\"\n", i);
    ij_jw_string(&w, NULL, item);
    json_array_append_new(expected, json_string(item));
  }
  ij_jw_end(&w);
  char *theirs = json_dumps(expected, JSON_COMPACT);
  ck_assert_str_eq(ij_jw_text(&w, NULL), theirs);
  free(theirs);
  json_decref(expected);
  ij_jw_free(&w);
}
END_TEST

/* A required string that is NULL, an unclosed or overclosed container, and nesting beyond the
 * limit each leave no text. */
START_TEST(misuse_leaves_no_text) {
  ij_jw w;
  ij_jw_init(&w);
  ij_jw_object(&w, NULL);
  ij_jw_string(&w, "k", NULL);
  ij_jw_end(&w);
  ck_assert_ptr_null(ij_jw_text(&w, NULL));
  ck_assert_ptr_null(ij_jw_take(&w));
  ij_jw_free(&w);

  ij_jw_init(&w);
  ij_jw_object(&w, NULL);
  ck_assert_ptr_null(ij_jw_text(&w, NULL));
  ij_jw_end(&w);
  ck_assert_ptr_nonnull(ij_jw_text(&w, NULL));
  ij_jw_end(&w);
  ck_assert_ptr_null(ij_jw_text(&w, NULL));
  ij_jw_free(&w);

  ij_jw_init(&w);
  for (int i = 0; i <= IJ_JW_DEPTH; i++)
    ij_jw_array(&w, NULL);
  for (int i = 0; i <= IJ_JW_DEPTH; i++)
    ij_jw_end(&w);
  ck_assert_ptr_null(ij_jw_text(&w, NULL));
  ij_jw_free(&w);

  ij_jw_init(&w);
  ck_assert_ptr_null(ij_jw_text(&w, NULL)); /* nothing written */
  ij_jw_free(&w);
}
END_TEST

Suite *jsonw_suite(void) {
  Suite *s = suite_create("jsonw");
  TCase *tc = tcase_create("jsonw");
  tcase_add_test(tc, every_short_string_is_escaped_as_jansson_escapes_it);
  tcase_add_test(tc,
                 every_byte_at_every_position_of_longer_strings_is_escaped_as_jansson_escapes_it);
  tcase_add_test(tc, utf8_is_kept_and_ill_formed_text_refused_as_jansson_refuses_it);
  tcase_add_test(tc, members_nest_and_numbers_reach_their_limits);
  tcase_add_test(tc, a_long_text_grows_past_the_inline_buffer);
  tcase_add_test(tc, misuse_leaves_no_text);
  suite_add_tcase(s, tc);
  return s;
}
