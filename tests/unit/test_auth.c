/* Token verification, including the per-thread cache of verified tokens. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "ij/auth.h"

Suite *auth_suite(void);

static char *priv, *pub;
static ij_auth *auth;
static const int64_t NOW = 1790000000;

static void setup(void) {
  ck_assert_int_eq(ij_auth_keygen("unit-key", &priv, &pub), IJ_OK);
  ck_assert_int_eq(ij_auth_open(pub, "iss-a", "aud-a", &auth), IJ_OK);
}

static void teardown(void) {
  ij_auth_close(auth);
  free(priv);
  free(pub);
}

static char *mint(const char *issuer, const char *audience, int64_t at, int64_t ttl) {
  const char *roles[] = {"coordinator", "martian", NULL};
  char *t = NULL;
  ck_assert_int_eq(
      ij_auth_mint(priv, issuer, audience, "coord-9", "Coord Nine", "area-x", roles, at, ttl, &t),
      IJ_OK);
  return t;
}

START_TEST(verifies_and_caches_until_expiry) {
  char *t = mint("iss-a", "aud-a", NOW, 600);
  ij_principal p;
  const char *why = NULL;
  ck_assert_int_eq(ij_auth_verify(auth, t, NOW, &p, &why), IJ_OK);
  ck_assert_str_eq(p.sub, "coord-9");
  ck_assert_str_eq(p.area, "area-x");
  ck_assert_uint_eq(p.roles, IJ_ROLE_COORDINATOR); /* unknown roles are ignored */
  /* the second time comes from the cache, with the same answer */
  memset(&p, 0, sizeof p);
  ck_assert_int_eq(ij_auth_verify(auth, t, NOW + 10, &p, &why), IJ_OK);
  ck_assert_str_eq(p.sub, "coord-9");
  /* a cached token still expires */
  ck_assert_int_eq(ij_auth_verify(auth, t, NOW + 3600, &p, &why), IJ_ERR_UNAUTHENTICATED);
  ck_assert_int_eq(ij_auth_verify(auth, t, NOW + 3600, &p, &why), IJ_ERR_UNAUTHENTICATED);
  free(t);
}
END_TEST

START_TEST(refuses_bad_tokens) {
  ij_principal p;
  const char *why = NULL;
  char *t = mint("iss-a", "aud-a", NOW, 600);
  ck_assert_int_eq(ij_auth_verify(auth, t, NOW, &p, &why), IJ_OK);
  /* one character changed in the signature: not the cached token, and not valid */
  size_t n = strlen(t);
  t[n - 3] = t[n - 3] == 'A' ? 'B' : 'A';
  ck_assert_int_eq(ij_auth_verify(auth, t, NOW, &p, &why), IJ_ERR_UNAUTHENTICATED);
  free(t);
  t = mint("iss-b", "aud-a", NOW, 600);
  ck_assert_int_eq(ij_auth_verify(auth, t, NOW, &p, &why), IJ_ERR_UNAUTHENTICATED);
  free(t);
  t = mint("iss-a", "aud-b", NOW, 600);
  ck_assert_int_eq(ij_auth_verify(auth, t, NOW, &p, &why), IJ_ERR_UNAUTHENTICATED);
  free(t);
  t = mint("iss-a", "aud-a", NOW + 3600, 600); /* not valid yet */
  ck_assert_int_eq(ij_auth_verify(auth, t, NOW, &p, &why), IJ_ERR_UNAUTHENTICATED);
  free(t);
  ck_assert_int_eq(ij_auth_verify(auth, "x.y.z", NOW, &p, &why), IJ_ERR_UNAUTHENTICATED);
  ck_assert_int_eq(ij_auth_verify(auth, "", NOW, &p, &why), IJ_ERR_UNAUTHENTICATED);
}
END_TEST

/* Many tokens at once (areas, roles, people) stay cached side by side: each is verified by its
 * signature once, whatever their hashes. A direct-mapped cache of 128 entries evicted colliding
 * tokens on every use; 32 tokens collide there with a probability of 98%. */
START_TEST(keeps_many_tokens_cached_at_once) {
  enum { TOKENS = 32 };
  char *tokens[TOKENS];
  for (int i = 0; i < TOKENS; i++)
    tokens[i] = mint("iss-a", "aud-a", NOW - i, 600); /* each its own iat: distinct tokens */
  ij_principal p;
  const char *why = NULL;
  unsigned long before = ij_auth_signature_checks(auth);
  for (int round = 0; round < 3; round++)
    for (int i = 0; i < TOKENS; i++)
      ck_assert_int_eq(ij_auth_verify(auth, tokens[i], NOW, &p, &why), IJ_OK);
  ck_assert_uint_eq(ij_auth_signature_checks(auth) - before, TOKENS);
  for (int i = 0; i < TOKENS; i++)
    free(tokens[i]);
}
END_TEST

Suite *auth_suite(void) {
  Suite *s = suite_create("auth");
  TCase *tc = tcase_create("auth");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, verifies_and_caches_until_expiry);
  tcase_add_test(tc, refuses_bad_tokens);
  tcase_add_test(tc, keeps_many_tokens_cached_at_once);
  suite_add_tcase(s, tc);
  return s;
}
