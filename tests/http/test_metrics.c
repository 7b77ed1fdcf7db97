/* GET /metrics: the Prometheus text format; request counters by route template, method and
 * status that grow with requests; well-formed latency histograms; pool, outbox and process
 * gauges; open without a token. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"

static const char *const R_METRICS = "/metrics";

static char *scrape(void) {
  ts_response *r = ts_http(S, "GET", R_METRICS, "/metrics", NULL, NULL, NULL);
  ck_assert_int_eq(r->status, 200);
  ck_assert_msg(strncmp(r->content_type, "text/plain; version=0.0.4", 25) == 0, "content type %s",
                r->content_type);
  ck_assert_ptr_nonnull(r->body);
  char *body = strdup(r->body);
  ck_assert_ptr_nonnull(body);
  ts_response_free(r);
  return body;
}

/* The value of the sample whose name and labels are exactly `series`; -1 when there is none. */
static double sample(const char *body, const char *series) {
  size_t n = strlen(series);
  for (const char *line = body; line && *line;
       line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
    if (strncmp(line, series, n) == 0 && line[n] == ' ')
      return strtod(line + n + 1, NULL);
  }
  return -1;
}

static double requests(const char *body, const char *route, const char *method, int status) {
  char series[256];
  snprintf(series, sizeof series,
           "ij_http_requests_total{route=\"%s\",method=\"%s\",status=\"%d\"}", route, method,
           status);
  return sample(body, series);
}

static bool name_char(char c, bool first) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
         (!first && c >= '0' && c <= '9');
}

/* Every line is a comment (# HELP / # TYPE) or `name{k="v",...} value` with a number. */
static void assert_well_formed(const char *body) {
  ck_assert_msg(body[0] && body[strlen(body) - 1] == '\n', "the body must end with a newline");
  const char *line = body;
  while (*line) {
    const char *end = strchr(line, '\n');
    ck_assert_ptr_nonnull(end);
    char buf[512];
    size_t len = (size_t)(end - line);
    ck_assert_uint_lt(len, sizeof buf);
    memcpy(buf, line, len);
    buf[len] = 0;
    if (buf[0] == '#') {
      ck_assert_msg(strncmp(buf, "# HELP ", 7) == 0 || strncmp(buf, "# TYPE ", 7) == 0, "%s", buf);
    } else {
      const char *p = buf;
      ck_assert_msg(name_char(*p, true), "bad name: %s", buf);
      while (name_char(*p, false))
        p++;
      if (*p == '{') {
        p++;
        while (*p != '}') {
          ck_assert_msg(name_char(*p, true), "bad label: %s", buf);
          while (name_char(*p, false))
            p++;
          ck_assert_msg(p[0] == '=' && p[1] == '"', "bad label: %s", buf);
          p += 2;
          while (*p && *p != '"')
            p += *p == '\\' ? 2 : 1;
          ck_assert_msg(*p == '"', "unterminated label: %s", buf);
          p++;
          if (*p == ',')
            p++;
          else
            ck_assert_msg(*p == '}', "bad label list: %s", buf);
        }
        p++;
      }
      ck_assert_msg(*p == ' ', "no value: %s", buf);
      char *num_end;
      strtod(p + 1, &num_end);
      ck_assert_msg(num_end != p + 1 && *num_end == 0, "bad value: %s", buf);
    }
    line = end + 1;
  }
}

/* Every histogram: buckets ascending in le and cumulative, le="+Inf" equal to _count, a _sum. */
static int assert_histograms(const char *body) {
  static const char count_name[] = "ij_http_request_duration_seconds_count{";
  int histograms = 0;
  for (const char *at = strstr(body, count_name); at; at = strstr(at + 1, count_name)) {
    const char *labels = at + sizeof count_name - 1;
    const char *close = strchr(labels, '}');
    ck_assert_ptr_nonnull(close);
    char lab[256];
    ck_assert_uint_lt((size_t)(close - labels), sizeof lab);
    memcpy(lab, labels, (size_t)(close - labels));
    lab[close - labels] = 0;
    double count = strtod(close + 2, NULL);

    char prefix[320];
    snprintf(prefix, sizeof prefix, "ij_http_request_duration_seconds_bucket{%s,le=\"", lab);
    size_t plen = strlen(prefix);
    double last = -1, prev_le = -1;
    int buckets = 0;
    bool inf_seen = false;
    for (const char *b = strstr(body, prefix); b; b = strstr(b + 1, prefix)) {
      const char *le = b + plen;
      ck_assert_msg(!inf_seen, "a bucket after +Inf for %s", lab);
      double v = strtod(strchr(le, '}') + 2, NULL);
      if (strncmp(le, "+Inf\"", 5) == 0) {
        inf_seen = true;
        ck_assert_msg(v == count, "%s: +Inf bucket %g but count %g", lab, v, count);
      } else {
        double bound = strtod(le, NULL);
        ck_assert_msg(bound > prev_le, "%s: le not ascending", lab);
        prev_le = bound;
      }
      ck_assert_msg(v >= last, "%s: buckets not cumulative", lab);
      last = v;
      buckets++;
    }
    ck_assert_msg(inf_seen, "no +Inf bucket for %s", lab);
    ck_assert_int_ge(buckets, 2);
    char sum[320];
    snprintf(sum, sizeof sum, "ij_http_request_duration_seconds_sum{%s}", lab);
    ck_assert_msg(sample(body, sum) >= 0, "no _sum for %s", lab);
    histograms++;
  }
  return histograms;
}

START_TEST(counters_grow_with_requests) {
  char *token = ts_token("officer", AREA, "pc-1");
  for (int i = 0; i < 2; i++) {
    ts_response *r = ts_http(S, "GET", "/healthz", "/healthz", NULL, NULL, NULL);
    ck_assert_int_eq(r->status, 200);
    ts_response_free(r);
  }
  ts_response *r = ts_http(S, "GET", "/v1/me", "/v1/me", token, NULL, NULL);
  ck_assert_int_eq(r->status, 200);
  ts_response_free(r);
  r = ts_http(S, "GET", "/v1/me", "/v1/me", NULL, NULL, NULL);
  ck_assert_int_eq(r->status, 401);
  ts_response_free(r);
  /* no route: counted as "unmatched" by method, never by path */
  r = ts_http(S, "GET", NULL, "/no/such/path?name=someone", NULL, NULL, NULL);
  ck_assert_int_eq(r->status, 404);
  ts_response_free(r);
  r = ts_http(S, "DELETE", NULL, "/healthz", NULL, NULL, NULL);
  ck_assert_int_eq(r->status, 405);
  ts_response_free(r);

  char *body = scrape();
  assert_well_formed(body);
  ck_assert_ptr_nonnull(strstr(body, "# TYPE ij_http_requests_total counter\n"));
  ck_assert_ptr_nonnull(strstr(body, "# TYPE ij_http_request_duration_seconds histogram\n"));
  ck_assert_double_eq(requests(body, "/healthz", "GET", 200), 2);
  ck_assert_double_eq(requests(body, "/v1/me", "GET", 200), 1);
  ck_assert_double_eq(requests(body, "/v1/me", "GET", 401), 1);
  ck_assert_double_eq(requests(body, "unmatched", "GET", 404), 1);
  ck_assert_double_eq(requests(body, "unmatched", "DELETE", 405), 1);
  ck_assert_double_eq(requests(body, "/metrics", "GET", 200), -1); /* counted once answered */
  ck_assert_ptr_null(strstr(body, "someone"));
  ck_assert_ptr_null(strstr(body, "/no/such/path"));
  free(body);

  r = ts_http(S, "GET", "/healthz", "/healthz", NULL, NULL, NULL);
  ts_response_free(r);
  body = scrape();
  assert_well_formed(body);
  ck_assert_double_eq(requests(body, "/healthz", "GET", 200), 3);
  ck_assert_double_eq(requests(body, "/metrics", "GET", 200), 1);
  ck_assert_double_eq(requests(body, "/v1/me", "GET", 200), 1);
  ck_assert_double_eq(
      sample(body, "ij_http_request_duration_seconds_count{route=\"/healthz\",method=\"GET\"}"), 3);
  ck_assert_double_eq(
      sample(body, "ij_http_request_duration_seconds_count{route=\"/v1/me\",method=\"GET\"}"), 2);
  /* /healthz, /v1/me, /metrics, unmatched GET and unmatched DELETE */
  ck_assert_int_eq(assert_histograms(body), 5);
  free(body);
  free(token);
}
END_TEST

START_TEST(gauges_are_present) {
  char *body = scrape();
  assert_well_formed(body);
  ck_assert_double_eq(sample(body, "ij_db_pool_size"), 8);
  ck_assert_double_ge(sample(body, "ij_db_pool_in_use"), 0);
  ck_assert_double_eq(sample(body, "ij_db_pool_waiting"), 0);
  ck_assert_double_ge(sample(body, "ij_outbox_backlog"), 0);
  ck_assert_double_ge(sample(body, "ij_outbox_oldest_undelivered_seconds"), 0);
  ck_assert_double_gt(sample(body, "process_resident_memory_bytes"), 1024 * 1024);
  ck_assert_double_gt(sample(body, "process_start_time_seconds"), 1.7e9);
  ck_assert_double_ge(sample(body, "ij_uptime_seconds"), 0);
  ck_assert_ptr_nonnull(strstr(body, "# TYPE ij_db_pool_in_use gauge\n"));
  free(body);
}
END_TEST

/* An undelivered notice of an area with a webhook counts in the backlog (no worker runs here). */
START_TEST(outbox_backlog_counts_undelivered_notices) {
  char *token = ts_token("officer", AREA, "pc-1");
  char *rb = ts_referral_body("ward-a");
  ts_response *r = ts_http(S, "POST", "/v1/referrals", "/v1/referrals", token, NULL, rb);
  ck_assert_int_eq(r->status, 201);
  char referral[64];
  snprintf(referral, sizeof referral, "%s", ts_id(r));
  ts_response_free(r);

  char *body = scrape();
  double before = sample(body, "ij_outbox_backlog");
  free(body);
  ck_assert_double_ge(before, 0);

  const char *area[1] = {AREA};
  free(ts_sql("UPDATE areas SET webhook_url = 'http://127.0.0.1:9/hook' WHERE code = $1", 1, area));
  const char *p[2] = {AREA, referral};
  free(ts_sql("INSERT INTO notices (id, area, referral_id, kind, event, payload, created_at,"
              " next_attempt_at) VALUES (gen_random_uuid(), $1, $2::uuid, 'outcome', 'completed',"
              " '{}'::jsonb, now() - interval '1 minute', now())",
              2, p));
  body = scrape();
  ck_assert_double_ge(sample(body, "ij_outbox_backlog"), before + 1);
  ck_assert_double_ge(sample(body, "ij_outbox_oldest_undelivered_seconds"), 59);
  free(body);
  free(rb);
  free(token);
}
END_TEST

Suite *http_metrics_suite(void) {
  Suite *s = suite_create("http_metrics");
  TCase *tc = tcase_create("metrics");
  tcase_set_timeout(tc, 60);
  tcase_add_checked_fixture(tc, http_setup, http_teardown);
  tcase_add_test(tc, counters_grow_with_requests);
  tcase_add_test(tc, gauges_are_present);
  tcase_add_test(tc, outbox_backlog_counts_undelivered_notices);
  suite_add_tcase(s, tc);
  return s;
}
