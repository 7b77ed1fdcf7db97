/* Authentication: JWT bearer tokens verified against a JWKS with rhonabwy. Tokens are minted here
 * only for development (`ij token`) and tests. */
#ifndef IJ_AUTH_H
#define IJ_AUTH_H

#include <stdint.h>

#include "ij/domain.h"
#include "ij/error.h"
#include "ij/ids.h"

typedef struct ij_auth ij_auth; /* thread-safe once opened */

#define IJ_CLAIM_MAX 128

typedef struct {
  char sub[IJ_CLAIM_MAX];
  char name[IJ_CLAIM_MAX];
  char area[IJ_AREA_MAX];
  ij_roles roles; /* known roles only; unknown role names are ignored */
  int64_t exp;    /* seconds since the epoch */
} ij_principal;

/* Loads the public keys (a JWKS document, as a string) for tokens from `issuer` to `audience`.
 * IJ_ERR_INVALID when the document holds no usable key. *out: ij_auth_close. */
ij_err ij_auth_open(const char *jwks_json, const char *issuer, const char *audience, ij_auth **out);
void ij_auth_close(ij_auth *auth);

/* Verifies a compact JWT at `now` (seconds): an allowed asymmetric algorithm (never "none" or
 * HMAC), a signature by a known key, iss, aud, exp (required) and nbf (when present), with
 * 30 seconds of leeway; then claims sub, name, area and roles. IJ_ERR_UNAUTHENTICATED with a
 * short reason in `why` (static) otherwise. */
ij_err ij_auth_verify(ij_auth *auth, const char *token, int64_t now, ij_principal *out,
                      const char **why);

/* How many tokens have been verified by their signature (not answered from the cache of verified
 * tokens) since ij_auth_open, over all threads. */
unsigned long ij_auth_signature_checks(const ij_auth *auth);

/* A new RSA key pair: the private JWK and the public JWKS as JSON strings (owned: free()). */
ij_err ij_auth_keygen(const char *kid, char **private_jwk, char **public_jwks);

/* Signs a token with a private JWK (JSON string). roles: a NULL-terminated list of names.
 * *token owned: free(). */
ij_err ij_auth_mint(const char *private_jwk, const char *issuer, const char *audience,
                    const char *sub, const char *name, const char *area, const char *const *roles,
                    int64_t now, int64_t ttl_seconds, char **token);

#endif
