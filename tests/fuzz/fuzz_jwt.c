/* libFuzzer harness: the Authorization header and ij_auth_verify. A key pair is made once with
 * ij_auth_keygen (no key is ever written to disk or committed). The first byte picks the mode:
 *   '0' the rest is an Authorization header value, handled as service/http/server.c's
 *       authenticate does ("Bearer " case-insensitively, then any spaces) and verified;
 *   '1' the rest is a claims set, signed with the real key (RS256, its kid), so that arbitrary
 *       claims reach the checks after the signature;
 *   '2' the rest is a JOSE header, put in front of a real token's claims and signature (algorithm
 *       confusion, unknown kid, "none", embedded keys).
 * Every outcome must be IJ_OK with a sane principal or IJ_ERR_UNAUTHENTICATED with a reason. */
#include <jansson.h>
#include <rhonabwy.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ij/auth.h"

#define ISSUER "ij-dev"
#define AUDIENCE "immediate-justice"
#define NOW INT64_C(1767268800) /* 2026-01-01T12:00:00Z */

static ij_auth *g_auth;
static jwk_t *g_key;
static char *g_token; /* a valid token, for mode '2' */

static void setup(void) {
  char *priv = NULL, *jwks = NULL;
  static const char *const roles[] = {"coordinator", NULL};
  if (ij_auth_keygen("fuzz-key", &priv, &jwks) != IJ_OK ||
      ij_auth_open(jwks, ISSUER, AUDIENCE, &g_auth) != IJ_OK || r_jwk_init(&g_key) != RHN_OK ||
      r_jwk_import_from_json_str(g_key, priv) != RHN_OK ||
      ij_auth_mint(priv, ISSUER, AUDIENCE, "coord-1", "Coordinator", "derbyshire", roles, NOW, 3600,
                   &g_token) != IJ_OK)
    abort();
  free(priv);
  free(jwks);
}

static void verify(const char *token) {
  ij_principal p;
  const char *why = NULL;
  ij_err err = ij_auth_verify(g_auth, token, NOW, &p, &why);
  if (err == IJ_OK) {
    if (!memchr(p.sub, 0, sizeof p.sub) || !p.sub[0] || !memchr(p.name, 0, sizeof p.name) ||
        !memchr(p.area, 0, sizeof p.area) || !p.area[0] || (p.roles & ~IJ_ROLES_HUMAN))
      abort();
  } else if (err != IJ_ERR_UNAUTHENTICATED || !why) {
    abort();
  }
}

/* service/http/server.c authenticate(): the header's prefix, then the token. */
static void header(const char *h) {
  if (h && strncasecmp(h, "Bearer ", 7) == 0) {
    const char *token = h + 7;
    while (*token == ' ')
      token++;
    verify(token);
  }
}

static char *b64url(const uint8_t *data, size_t size) {
  static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  char *out = malloc(size / 3 * 4 + 5);
  if (!out)
    return NULL;
  size_t o = 0, i = 0;
  for (; i + 2 < size; i += 3) {
    uint32_t v = (uint32_t)data[i] << 16 | (uint32_t)data[i + 1] << 8 | data[i + 2];
    out[o++] = abc[v >> 18 & 63];
    out[o++] = abc[v >> 12 & 63];
    out[o++] = abc[v >> 6 & 63];
    out[o++] = abc[v & 63];
  }
  if (i + 1 == size) {
    uint32_t v = (uint32_t)data[i] << 16;
    out[o++] = abc[v >> 18 & 63];
    out[o++] = abc[v >> 12 & 63];
  } else if (i + 2 == size) {
    uint32_t v = (uint32_t)data[i] << 16 | (uint32_t)data[i + 1] << 8;
    out[o++] = abc[v >> 18 & 63];
    out[o++] = abc[v >> 12 & 63];
    out[o++] = abc[v >> 6 & 63];
  }
  out[o] = 0;
  return out;
}

static void signed_claims(const uint8_t *data, size_t size) {
  json_t *claims = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
  jwt_t *jwt = NULL;
  if (json_is_object(claims) && r_jwt_init(&jwt) == RHN_OK &&
      r_jwt_set_header_str_value(jwt, "kid", "fuzz-key") == RHN_OK &&
      r_jwt_set_full_claims_json_t(jwt, claims) == RHN_OK &&
      r_jwt_set_sign_alg(jwt, R_JWA_ALG_RS256) == RHN_OK) {
    char *token = r_jwt_serialize_signed(jwt, g_key, 0);
    if (token) {
      verify(token);
      r_free(token);
    }
  }
  r_jwt_free(jwt);
  json_decref(claims);
}

static void forged_header(const uint8_t *data, size_t size) {
  char *head = b64url(data, size);
  const char *rest = strchr(g_token, '.');
  if (!head || !rest) {
    free(head);
    return;
  }
  size_t n = strlen(head) + strlen(rest) + 1;
  char *token = malloc(n);
  if (token) {
    snprintf(token, n, "%s%s", head, rest);
    verify(token);
    free(token);
  }
  free(head);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!g_auth)
    setup();
  if (size == 0 || size > 16384)
    return 0;
  const uint8_t *rest = data + 1;
  size_t len = size - 1;
  switch (data[0] % 3) {
  case 0: {
    char *h = malloc(len + 1);
    if (!h)
      return 0;
    memcpy(h, rest, len);
    h[len] = 0;
    header(h);
    free(h);
    break;
  }
  case 1:
    signed_claims(rest, len);
    break;
  default:
    forged_header(rest, len);
    break;
  }
  return 0;
}
