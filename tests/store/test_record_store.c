/* A row read as one record (ij_db_record): the decoder against written cases, good and malformed,
 * and against PostgreSQL's own text of records of random values, NULL and empty among them. */
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "../../service/store/db.h"
#include "suites.h"
#include "support.h"

typedef struct {
  const char *text;
  int n;                 /* fields, or -1 when it is not a record */
  const char *fields[6]; /* each field's text; NULL for SQL NULL */
} record_case;

static const record_case CASES[] = {
    {"(a,b)", 2, {"a", "b"}},
    {"(,)", 2, {NULL, NULL}},
    {"()", 1, {NULL}},
    {"(\"\")", 1, {""}},
    {"(\"a,b\",\"(c)\")", 2, {"a,b", "(c)"}},
    {"(\"say \"\"hi\"\"\",x)", 2, {"say \"hi\"", "x"}},
    {"(\"back\\\\slash\")", 1, {"back\\slash"}},
    {"(a\\,b)", 1, {"a,b"}},            /* a backslash escapes the next byte, unquoted too */
    {"(\"ab\"cd,e)", 2, {"abcd", "e"}}, /* quoted and plain parts run together */
    {"(\" \",\"\t\")", 2, {" ", "\t"}},
    {" (a) ", 1, {"a"}},
    {"(1,,t,\"\",\xC3\xA9)", 5, {"1", NULL, "t", "", "\xC3\xA9"}},
    {"", -1, {NULL}},
    {"a,b", -1, {NULL}},
    {"(a", -1, {NULL}},
    {"(a,", -1, {NULL}},
    {"(\"a)", -1, {NULL}},
    {"(a\\", -1, {NULL}},
    {"(a)b", -1, {NULL}},
    {"(a,b,c,d,e,f,g)", -1, {NULL}}, /* more fields than asked for */
};

START_TEST(written_records_decode_as_postgresql_reads_them) {
  const record_case *k = &CASES[_i];
  char buf[64];
  const char *fields[6];
  int n = ij_db_record(k->text, buf, fields, 6);
  ck_assert_msg(n == k->n, "%s: %d fields, not %d", k->text, n, k->n);
  for (int i = 0; i < n; i++) {
    if (!k->fields[i])
      ck_assert_msg(!fields[i], "%s: field %d is not NULL", k->text, i);
    else
      ck_assert_msg(fields[i] && strcmp(fields[i], k->fields[i]) == 0, "%s: field %d is [%s]",
                    k->text, i, fields[i] ? fields[i] : "NULL");
  }
}
END_TEST

/* A random value: NULL, empty, or up to 12 bytes drawn mostly from the characters a record's text
 * treats apart, with UTF-8 sequences among them. */
static const char *random_value(char *buf, unsigned *seed) {
  static const char *const pieces[] = {"\"",
                                       "\\",
                                       ",",
                                       "(",
                                       ")",
                                       " ",
                                       "\t",
                                       "\n",
                                       "a",
                                       "Z",
                                       "0",
                                       "'",
                                       "\xC3\xA9",
                                       "\xE2\x82\xAC",
                                       "\xF0\x9F\x98\x80"};
  int kind = rand_r(seed) % 10;
  if (kind == 0)
    return NULL;
  buf[0] = 0;
  if (kind == 1)
    return buf;
  int len = 1 + rand_r(seed) % 12;
  for (int i = 0; i < len; i++)
    strcat(buf, pieces[rand_r(seed) % (int)(sizeof pieces / sizeof *pieces)]);
  return buf;
}

START_TEST(postgresql_records_of_random_values_decode_to_those_values) {
  PGconn *pg = PQconnectdb(ts_database_url());
  ck_assert_int_eq(PQstatus(pg), CONNECTION_OK);
  /* a record of text, an integer, a boolean and text again, as the statements select them */
  const char *sql = "SELECT ROW($1::text, $2::bigint, $3::boolean, $4::text, $5::text)";
  unsigned seed = 20261207;
  for (int round = 0; round < 2000; round++) {
    char a[64], d[64], e[64], num[24];
    const char *params[5];
    params[0] = random_value(a, &seed);
    snprintf(num, sizeof num, "%d", rand_r(&seed) - RAND_MAX / 2);
    params[1] = round % 7 == 0 ? NULL : num;
    params[2] = round % 5 == 0 ? NULL : round % 2 ? "true" : "false";
    params[3] = random_value(d, &seed);
    params[4] = random_value(e, &seed);
    PGresult *res = PQexecParams(pg, sql, 5, NULL, params, NULL, NULL, 0);
    ck_assert_int_eq(PQresultStatus(res), PGRES_TUPLES_OK);
    const char *fields[5];
    char *block = ij_db_records(res, 1, fields, 5);
    ck_assert_msg(block, "not a record of 5 fields: %s", PQgetvalue(res, 0, 0));
    for (int i = 0; i < 5; i++) {
      const char *want = i == 2 && params[2] ? (params[2][0] == 't' ? "t" : "f") : params[i];
      if (!want)
        ck_assert_msg(!fields[i], "%s: field %d is not NULL", PQgetvalue(res, 0, 0), i);
      else
        ck_assert_msg(fields[i] && strcmp(fields[i], want) == 0, "%s: field %d is [%s], not [%s]",
                      PQgetvalue(res, 0, 0), i, fields[i] ? fields[i] : "NULL", want);
    }
    free(block);
    PQclear(res);
  }
  /* every row of a result, each into its own part of one block */
  PGresult *res = PQexec(pg, "SELECT ROW(g, 'x,' || g, NULL::text) FROM generate_series(1, 50) g");
  ck_assert_int_eq(PQresultStatus(res), PGRES_TUPLES_OK);
  const char *fields[150];
  char *block = ij_db_records(res, 50, fields, 3);
  ck_assert_ptr_nonnull(block);
  for (int r = 0; r < 50; r++) {
    char want[16];
    snprintf(want, sizeof want, "%d", r + 1);
    ck_assert_str_eq(fields[r * 3], want);
    snprintf(want, sizeof want, "x,%d", r + 1);
    ck_assert_str_eq(fields[r * 3 + 1], want);
    ck_assert_ptr_null(fields[r * 3 + 2]);
  }
  free(block);
  /* a row with another number of fields is refused, not half read */
  ck_assert_ptr_null(ij_db_records(res, 50, fields, 2));
  PQclear(res);
  PQfinish(pg);
}
END_TEST

Suite *store_record_suite(void) {
  Suite *s = suite_create("store-record");
  TCase *tc = tcase_create("record");
  tcase_set_timeout(tc, 60);
  tcase_add_loop_test(tc, written_records_decode_as_postgresql_reads_them, 0,
                      (int)(sizeof CASES / sizeof *CASES));
  tcase_add_test(tc, postgresql_records_of_random_values_decode_to_those_values);
  suite_add_tcase(s, tc);
  return s;
}
