/* The log line: one valid JSON object per line with the documented members, escaping of what
 * the message carries, lines cut short that stay valid, the text format, and ij_log_write's real
 * output on standard error. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ij/log.h"

Suite *log_suite(void);

/* 2025-03-04T05:06:07.089Z */
static const long long WHEN = 1741064767089123LL;

/* Parses a line as one JSON object: exactly one newline, at the end. */
static json_t *parse_line(const char *line, size_t len) {
  ck_assert_uint_eq(strlen(line), len);
  ck_assert_uint_ge(len, 2);
  ck_assert_int_eq(line[len - 1], '\n');
  ck_assert_ptr_null(memchr(line, '\n', len - 1));
  json_error_t err;
  json_t *j = json_loadb(line, len - 1, JSON_REJECT_DUPLICATES, &err);
  ck_assert_msg(j != NULL, "not JSON (%s): %s", err.text, line);
  ck_assert(json_is_object(j));
  return j;
}

START_TEST(json_line_has_the_members) {
  ij_log_field fields[] = {
      {"method", IJ_LOG_FIELD_STR, "GET", 0, 0},
      {"route", IJ_LOG_FIELD_STR, "/v1/referrals/{id}", 0, 0},
      {"status", IJ_LOG_FIELD_INT, NULL, 404, 0},
      {"duration_ms", IJ_LOG_FIELD_MS, NULL, 0, 1.25},
      {"area", IJ_LOG_FIELD_STR, NULL, 0, 0}, /* NULL: left out */
  };
  char line[1024];
  size_t n = ij_log_format_line(line, sizeof line, IJ_LOG_FORMAT_JSON, WHEN, IJ_LOG_INFO, "rid-1",
                                "request", fields, 5);
  json_t *j = parse_line(line, n);
  ck_assert_str_eq(json_string_value(json_object_get(j, "time")), "2025-03-04T05:06:07.089Z");
  ck_assert_str_eq(json_string_value(json_object_get(j, "level")), "info");
  ck_assert_str_eq(json_string_value(json_object_get(j, "msg")), "request");
  ck_assert_str_eq(json_string_value(json_object_get(j, "request_id")), "rid-1");
  ck_assert_str_eq(json_string_value(json_object_get(j, "method")), "GET");
  ck_assert_str_eq(json_string_value(json_object_get(j, "route")), "/v1/referrals/{id}");
  ck_assert_int_eq(json_integer_value(json_object_get(j, "status")), 404);
  ck_assert(json_is_real(json_object_get(j, "duration_ms")));
  ck_assert_double_eq_tol(json_real_value(json_object_get(j, "duration_ms")), 1.25, 1e-9);
  ck_assert_ptr_null(json_object_get(j, "area"));
  ck_assert_uint_eq(json_object_size(j), 8);
  json_decref(j);

  /* no request id: no member */
  n = ij_log_format_line(line, sizeof line, IJ_LOG_FORMAT_JSON, WHEN, IJ_LOG_ERROR, NULL, "x", NULL,
                         0);
  j = parse_line(line, n);
  ck_assert_ptr_null(json_object_get(j, "request_id"));
  ck_assert_str_eq(json_string_value(json_object_get(j, "level")), "error");
  json_decref(j);
}
END_TEST

START_TEST(json_escapes_the_message) {
  const char *msg = "say \"hi\"\nback\\slash\ttab\r\x01 bell\x7f caf\xc3\xa9 \xe2\x82\xac";
  char line[1024];
  size_t n = ij_log_format_line(line, sizeof line, IJ_LOG_FORMAT_JSON, WHEN, IJ_LOG_WARN, "a\"b",
                                msg, NULL, 0);
  json_t *j = parse_line(line, n);
  ck_assert_str_eq(json_string_value(json_object_get(j, "msg")), msg);
  ck_assert_str_eq(json_string_value(json_object_get(j, "request_id")), "a\"b");
  json_decref(j);
}
END_TEST

START_TEST(json_replaces_bytes_that_are_not_utf8) {
  /* a lone continuation byte, a truncated sequence, an overlong form, a surrogate */
  const char *msg = "a\x80 b\xc3 c\xc0\xaf d\xed\xa0\x80 e";
  char line[512];
  size_t n = ij_log_format_line(line, sizeof line, IJ_LOG_FORMAT_JSON, WHEN, IJ_LOG_INFO, NULL, msg,
                                NULL, 0);
  json_t *j = parse_line(line, n);
  const char *got = json_string_value(json_object_get(j, "msg"));
  ck_assert_ptr_nonnull(got);
  ck_assert_ptr_nonnull(strstr(got, "a\xef\xbf\xbd b"));
  ck_assert_ptr_null(strchr(got, '\x80'));
  json_decref(j);
}
END_TEST

START_TEST(long_lines_are_cut_and_stay_valid) {
  char msg[2000];
  for (size_t i = 0; i < sizeof msg - 1; i++)
    msg[i] = i % 7 == 0 ? '"' : (i % 11 == 0 ? '\n' : 'x');
  msg[sizeof msg - 1] = 0;
  ij_log_field fields[] = {{"route", IJ_LOG_FIELD_STR, "/healthz", 0, 0},
                           {"status", IJ_LOG_FIELD_INT, NULL, 200, 0}};
  /* every size from tiny to roomy: always one line, and JSON whenever anything is written */
  for (size_t size = 8; size < 400; size += 3) {
    char *line = malloc(size);
    ck_assert_ptr_nonnull(line);
    size_t n = ij_log_format_line(line, size, IJ_LOG_FORMAT_JSON, WHEN, IJ_LOG_DEBUG, "rid", msg,
                                  fields, 2);
    ck_assert_uint_lt(n, size);
    json_decref(parse_line(line, n));
    free(line);
  }
}
END_TEST

START_TEST(text_line_stays_on_one_line) {
  ij_log_field fields[] = {{"status", IJ_LOG_FIELD_INT, NULL, 201, 0},
                           {"duration_ms", IJ_LOG_FIELD_MS, NULL, 0, 0.5}};
  char line[512];
  size_t n = ij_log_format_line(line, sizeof line, IJ_LOG_FORMAT_TEXT, WHEN, IJ_LOG_INFO, "r1",
                                "two\nlines", fields, 2);
  ck_assert_str_eq(line,
                   "2025-03-04T05:06:07.089Z info [r1] two\\nlines status=201 duration_ms=0.500\n");
  ck_assert_uint_eq(n, strlen(line));
}
END_TEST

START_TEST(parse_names) {
  ck_assert_int_eq(ij_log_format_parse("json"), IJ_LOG_FORMAT_JSON);
  ck_assert_int_eq(ij_log_format_parse("text"), IJ_LOG_FORMAT_TEXT);
  ck_assert_int_eq(ij_log_format_parse("JSON"), -1);
  ck_assert_int_eq(ij_log_format_parse(NULL), -1);
}
END_TEST

/* Runs ij_log with standard error sent to a temporary file; returns what was written. */
static char *capture(void (*fn)(void)) {
  FILE *tmp = tmpfile();
  ck_assert_ptr_nonnull(tmp);
  int saved = dup(STDERR_FILENO);
  ck_assert_int_ge(saved, 0);
  ck_assert_int_ge(dup2(fileno(tmp), STDERR_FILENO), 0);
  fn();
  dup2(saved, STDERR_FILENO);
  close(saved);
  ck_assert_int_eq(fseek(tmp, 0, SEEK_END), 0);
  long len = ftell(tmp);
  ck_assert_int_ge(len, 0);
  rewind(tmp);
  char *out = calloc((size_t)len + 1, 1);
  ck_assert_ptr_nonnull(out);
  ck_assert_uint_eq(fread(out, 1, (size_t)len, tmp), (size_t)len);
  fclose(tmp);
  return out;
}

static void log_some(void) {
  ij_log_min_level = IJ_LOG_INFO;
  ij_log_output_format = IJ_LOG_FORMAT_JSON;
  ij_log_set_request_id("req-42");
  ij_log(IJ_LOG_DEBUG, "not written %d", 1);
  ij_log(IJ_LOG_INFO, "quote \" and newline\n in %s", "msg");
  ij_log_set_request_id(NULL);
  ij_log_field f[] = {{"status", IJ_LOG_FIELD_INT, NULL, 503, 0}};
  ij_log_fields(IJ_LOG_WARN, f, 1, "request");
}

START_TEST(ij_log_writes_json_lines) {
  char *out = capture(log_some);
  /* two lines: the debug line is below the level */
  char *second = strchr(out, '\n');
  ck_assert_ptr_nonnull(second);
  second++;
  ck_assert_ptr_nonnull(strchr(second, '\n'));
  ck_assert_str_eq(strchr(second, '\n'), "\n");
  size_t first_len = (size_t)(second - out);
  char *first = strndup(out, first_len);
  ck_assert_ptr_nonnull(first);

  json_t *j = parse_line(first, first_len);
  ck_assert_str_eq(json_string_value(json_object_get(j, "msg")), "quote \" and newline\n in msg");
  ck_assert_str_eq(json_string_value(json_object_get(j, "request_id")), "req-42");
  ck_assert_str_eq(json_string_value(json_object_get(j, "level")), "info");
  json_decref(j);

  j = parse_line(second, strlen(second));
  ck_assert_str_eq(json_string_value(json_object_get(j, "msg")), "request");
  ck_assert_str_eq(json_string_value(json_object_get(j, "level")), "warn");
  ck_assert_int_eq(json_integer_value(json_object_get(j, "status")), 503);
  ck_assert_ptr_null(json_object_get(j, "request_id"));
  json_decref(j);
  free(first);
  free(out);
}
END_TEST

Suite *log_suite(void) {
  Suite *s = suite_create("log");
  TCase *tc = tcase_create("line");
  tcase_add_test(tc, json_line_has_the_members);
  tcase_add_test(tc, json_escapes_the_message);
  tcase_add_test(tc, json_replaces_bytes_that_are_not_utf8);
  tcase_add_test(tc, long_lines_are_cut_and_stay_valid);
  tcase_add_test(tc, text_line_stays_on_one_line);
  tcase_add_test(tc, parse_names);
  tcase_add_test(tc, ij_log_writes_json_lines);
  suite_add_tcase(s, tc);
  return s;
}
