/* SHA-256 (ij/digest.h) against the published test vectors (FIPS 180-2 and the empty string). */
#include <check.h>
#include <string.h>

#include "ij/digest.h"

Suite *digest_suite(void);

START_TEST(known_vectors) {
  char out[IJ_SHA256_HEX_BUF];
  ck_assert_int_eq(ij_sha256_hex("", 0, out), IJ_OK);
  ck_assert_str_eq(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  ck_assert_int_eq(ij_sha256_hex("abc", 3, out), IJ_OK);
  ck_assert_str_eq(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  ck_assert_int_eq(ij_sha256_hex(two, strlen(two), out), IJ_OK);
  ck_assert_str_eq(out, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  /* the length given is the data, not up to a NUL */
  ck_assert_int_eq(ij_sha256_hex("abcdef", 3, out), IJ_OK);
  ck_assert_str_eq(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
END_TEST

Suite *digest_suite(void) {
  Suite *s = suite_create("digest");
  TCase *tc = tcase_create("digest");
  tcase_add_test(tc, known_vectors);
  suite_add_tcase(s, tc);
  return s;
}
