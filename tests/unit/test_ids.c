/* Request and record ids: random (version 4) UUIDs in canonical lower-case form. */
#include <check.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "ij/ids.h"

Suite *ids_suite(void);

static int compare(const void *a, const void *b) {
  return strcmp(a, b);
}

START_TEST(makes_distinct_version_4_uuids) {
  enum { N = 20000 };
  char(*ids)[IJ_UUID_BUF] = calloc(N, IJ_UUID_BUF);
  ck_assert_ptr_nonnull(ids);
  for (int i = 0; i < N; i++) {
    ij_uuid_new(ids[i]);
    char canonical[IJ_UUID_BUF];
    ck_assert(ij_uuid_canonical(ids[i], canonical));
    ck_assert_str_eq(canonical, ids[i]);               /* lower case, hyphens where they belong */
    ck_assert_int_eq(ids[i][14], '4');                 /* version 4: random */
    ck_assert_ptr_nonnull(strchr("89ab", ids[i][19])); /* the RFC 4122 variant */
  }
  qsort(ids, N, IJ_UUID_BUF, compare);
  for (int i = 1; i < N; i++)
    ck_assert_str_ne(ids[i - 1], ids[i]);
  /* every random bit varies: no position is the same in all of them */
  for (int pos = 0; pos < 36; pos++) {
    if (pos == 8 || pos == 13 || pos == 14 || pos == 18 || pos == 23)
      continue;
    bool varies = false;
    for (int i = 1; i < N && !varies; i++)
      varies = ids[i][pos] != ids[0][pos];
    ck_assert_msg(varies, "position %d never varies", pos);
  }
  free(ids);
}
END_TEST

/* The random bytes are drawn a block at a time: a child made by fork while the parent's thread
 * holds part of a block must not hand out the same ids as the parent. */
/* What libuuid makes of a text: whether uuid_parse reads it (36 characters, as the service asks),
 * and then its lower-case form. */
static bool libuuid_canonical(const char *in, char out[IJ_UUID_BUF]) {
  uuid_t u;
  if (strlen(in) != 36 || uuid_parse(in, u) != 0)
    return false;
  uuid_unparse_lower(u, out);
  return true;
}

START_TEST(canonical_form_is_libuuids) {
  ck_assert(!ij_uuid_canonical(NULL, (char[IJ_UUID_BUF]){0}));
  /* texts near a UUID: each character of a valid one (in either case) replaced by every byte, a
   * character dropped or one added at every place; and random texts of the right shape */
  static const char *const bases[] = {"0f1e2d3c-4b5a-4987-8a6b-5c4d3e2f1a0b",
                                      "0F1E2D3C-4B5A-4987-8A6B-5C4D3E2F1A0B"};
  char text[64], got[IJ_UUID_BUF], want[IJ_UUID_BUF];
  long checked = 0;
  for (int b = 0; b < 2; b++) {
    for (int pos = 0; pos < 36; pos++) {
      for (int byte = 1; byte < 256; byte++) {
        strcpy(text, bases[b]);
        text[pos] = (char)byte;
        bool ok = libuuid_canonical(text, want);
        ck_assert_msg(ij_uuid_canonical(text, got) == ok, "[%s]", text);
        if (ok)
          ck_assert_str_eq(got, want);
        checked++;
      }
      strcpy(text, bases[b]);
      memmove(text + pos, text + pos + 1, 36 - (size_t)pos); /* one character fewer */
      ck_assert(!ij_uuid_canonical(text, got));
      strcpy(text, bases[b]);
      memmove(text + pos + 1, text + pos, 37 - (size_t)pos); /* one more */
      ck_assert(!ij_uuid_canonical(text, got));
    }
  }
  static const char alphabet[] = "0123456789abcdefABCDEF-gG x";
  unsigned seed = 19;
  for (int i = 0; i < 200000; i++, checked++) {
    for (int pos = 0; pos < 36; pos++) {
      bool hyphen = pos == 8 || pos == 13 || pos == 18 || pos == 23;
      text[pos] = rand_r(&seed) % 50 == 0 ? alphabet[rand_r(&seed) % (int)(sizeof alphabet - 1)]
                  : hyphen                ? '-'
                                          : alphabet[rand_r(&seed) % 22];
    }
    text[36] = '\0';
    bool ok = libuuid_canonical(text, want);
    ck_assert_msg(ij_uuid_canonical(text, got) == ok, "[%s]", text);
    if (ok)
      ck_assert_str_eq(got, want);
  }
  ck_assert_int_gt(checked, 200000);
}
END_TEST

START_TEST(a_forked_child_does_not_repeat_the_parents_ids) {
  enum { N = 8 };
  char first[IJ_UUID_BUF];
  ij_uuid_new(first); /* the thread now holds the rest of a block */
  int fds[2];
  ck_assert_int_eq(pipe(fds), 0);
  pid_t child = fork();
  ck_assert_int_ge(child, 0);
  if (child == 0) {
    close(fds[0]);
    for (int i = 0; i < N; i++) {
      char id[IJ_UUID_BUF];
      ij_uuid_new(id);
      if (write(fds[1], id, IJ_UUID_BUF) != IJ_UUID_BUF)
        _exit(1);
    }
    _exit(0);
  }
  close(fds[1]);
  char theirs[N][IJ_UUID_BUF];
  for (int i = 0; i < N; i++)
    ck_assert_int_eq(read(fds[0], theirs[i], IJ_UUID_BUF), IJ_UUID_BUF);
  close(fds[0]);
  int status = 0;
  ck_assert_int_eq(waitpid(child, &status, 0), child);
  ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  for (int i = 0; i < N; i++) {
    char mine[IJ_UUID_BUF];
    ij_uuid_new(mine);
    for (int j = 0; j < N; j++)
      ck_assert_str_ne(mine, theirs[j]);
  }
}
END_TEST

Suite *ids_suite(void) {
  Suite *s = suite_create("ids");
  TCase *tc = tcase_create("ids");
  tcase_add_test(tc, makes_distinct_version_4_uuids);
  tcase_add_test(tc, canonical_form_is_libuuids);
  tcase_add_test(tc, a_forked_child_does_not_repeat_the_parents_ids);
  suite_add_tcase(s, tc);
  return s;
}
