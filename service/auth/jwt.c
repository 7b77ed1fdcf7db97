/* JWT verification and development minting with rhonabwy. Each thread verifies with its own copy
 * of the key set, so no lock is taken on the request path and no library object is shared. */
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <rhonabwy.h>
#include <stdlib.h>
#include <string.h>

#include "ij/auth.h"
#include "ij/log.h"

#define LEEWAY_SECONDS 30

struct ij_auth {
  atomic_ulong signature_checks;
  char *jwks_json;
  char *issuer;
  char *audience;
  pthread_key_t thread_keys; /* this thread's thread_state, made on first use */
};

/* Tokens this thread has verified, until they expire: a token is verified once, not on every
 * request (RS256 verification costs more than the rest of a read). Set-associative: a hash of the
 * token picks a set of CACHE_WAYS entries, and a new token replaces the set's least recently used
 * one, so tokens whose hashes collide (a direct-mapped cache evicted two areas' tokens on every
 * request) are kept side by side. An entry matches only the identical token. Per thread, so no
 * lock. */
#define CACHE_SETS 32
#define CACHE_WAYS 8
typedef struct {
  uint64_t hash;
  uint64_t used; /* the thread's use counter when last matched or filled */
  char *token;   /* owned */
  ij_principal principal;
} cache_entry;

typedef struct {
  jwks_t *jwks;
  uint64_t uses;
  cache_entry cache[CACHE_SETS][CACHE_WAYS];
} thread_state;

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static void global_init(void) {
  r_global_init();
}

static void free_thread_keys(void *p) {
  thread_state *t = p;
  if (!t)
    return;
  r_jwks_free(t->jwks);
  for (int i = 0; i < CACHE_SETS; i++)
    for (int w = 0; w < CACHE_WAYS; w++)
      free(t->cache[i][w].token);
  free(t);
}

/* Where a token goes in the cache: 8 bytes a step (a token is some 700 bytes, and a multiply a
 * byte cost about a microsecond a request), each step's product folded down so that no byte's
 * high bits are lost, and MurmurHash3's finaliser at the end so that every bit of the set index
 * depends on every byte. A hit is still an exact comparison of the whole token. */
static uint64_t token_hash(const char *s) {
  size_t n = strlen(s);
  uint64_t h = 0x9E3779B97F4A7C15u ^ n;
  for (; n >= 8; n -= 8, s += 8) {
    uint64_t w;
    memcpy(&w, s, sizeof w);
    h = (h ^ w) * 0xFF51AFD7ED558CCDu;
    h ^= h >> 32;
  }
  uint64_t tail = 0;
  memcpy(&tail, s, n);
  h = (h ^ tail) * 0xFF51AFD7ED558CCDu;
  h ^= h >> 33;
  h *= 0xC4CEB9FE1A85EC53u;
  h ^= h >> 33;
  return h;
}

static jwks_t *parse_jwks(const char *json) {
  jwks_t *jwks = NULL;
  if (r_jwks_init(&jwks) != RHN_OK)
    return NULL;
  if (r_jwks_import_from_json_str(jwks, json) != RHN_OK || r_jwks_size(jwks) == 0) {
    r_jwks_free(jwks);
    return NULL;
  }
  return jwks;
}

ij_err ij_auth_open(const char *jwks_json, const char *issuer, const char *audience,
                    ij_auth **out) {
  *out = NULL;
  pthread_once(&global_once, global_init);
  if (!jwks_json || !issuer || !audience)
    return IJ_ERR_INVALID;
  jwks_t *probe = parse_jwks(jwks_json);
  if (!probe)
    return IJ_ERR_INVALID;
  r_jwks_free(probe);
  ij_auth *a = calloc(1, sizeof *a);
  if (!a)
    return IJ_ERR_NOMEM;
  atomic_init(&a->signature_checks, 0);
  a->jwks_json = strdup(jwks_json);
  a->issuer = strdup(issuer);
  a->audience = strdup(audience);
  if (!a->jwks_json || !a->issuer || !a->audience ||
      pthread_key_create(&a->thread_keys, free_thread_keys) != 0) {
    free(a->jwks_json);
    free(a->issuer);
    free(a->audience);
    free(a);
    return IJ_ERR_NOMEM;
  }
  *out = a;
  return IJ_OK;
}

void ij_auth_close(ij_auth *a) {
  if (!a)
    return;
  /* the calling thread's copy; worker threads' copies go with their threads */
  thread_state *mine = pthread_getspecific(a->thread_keys);
  if (mine) {
    free_thread_keys(mine);
    pthread_setspecific(a->thread_keys, NULL);
  }
  pthread_key_delete(a->thread_keys);
  free(a->jwks_json);
  free(a->issuer);
  free(a->audience);
  free(a);
}

static thread_state *thread_of(ij_auth *a) {
  thread_state *t = pthread_getspecific(a->thread_keys);
  if (!t) {
    t = calloc(1, sizeof *t);
    if (!t)
      return NULL;
    t->jwks = parse_jwks(a->jwks_json);
    if (!t->jwks) {
      free(t);
      return NULL;
    }
    pthread_setspecific(a->thread_keys, t);
  }
  return t;
}

static bool alg_allowed(jwa_alg alg) {
  switch (alg) {
  case R_JWA_ALG_RS256:
  case R_JWA_ALG_RS384:
  case R_JWA_ALG_RS512:
  case R_JWA_ALG_PS256:
  case R_JWA_ALG_PS384:
  case R_JWA_ALG_PS512:
  case R_JWA_ALG_ES256:
  case R_JWA_ALG_ES384:
  case R_JWA_ALG_ES512:
  case R_JWA_ALG_EDDSA:
    return true;
  default:
    return false;
  }
}

static bool copy_claim(json_t *claims, const char *key, char *out, size_t size, bool required) {
  json_t *v = json_object_get(claims, key);
  if (!v)
    return !required;
  if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) >= size)
    return false;
  const char *s = json_string_value(v);
  for (const char *p = s; *p; p++)
    if ((unsigned char)*p < 0x20)
      return false;
  memcpy(out, s, json_string_length(v) + 1);
  return true;
}

static bool area_ok(const char *s) {
  for (const char *p = s; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
      return false;
  return *s != 0;
}

static bool aud_matches(json_t *aud, const char *want) {
  if (json_is_string(aud))
    return strcmp(json_string_value(aud), want) == 0;
  size_t i;
  json_t *v;
  json_array_foreach(aud, i, v) if (json_is_string(v) &&
                                    strcmp(json_string_value(v), want) == 0) return true;
  return false;
}

/* A NumericDate claim (exp, nbf) as whole seconds, clamped to +-2^62: a huge or fractional value
 * must not make the conversion from double or the leeway arithmetic undefined (found by
 * tests/fuzz/fuzz_jwt.c). */
static int64_t numeric_date(json_t *v) {
  const int64_t limit = INT64_C(1) << 62;
  if (json_is_integer(v)) {
    json_int_t i = json_integer_value(v);
    return i > limit ? limit : i < -limit ? -limit : (int64_t)i;
  }
  double d = json_number_value(v); /* jansson has no NaN or infinity */
  return d >= (double)limit ? limit : d <= -(double)limit ? -limit : (int64_t)d;
}

/* Claims after the signature is good. */
static ij_err check_claims(ij_auth *a, json_t *claims, int64_t now, ij_principal *out,
                           const char **why) {
  json_t *exp = json_object_get(claims, "exp");
  json_t *nbf = json_object_get(claims, "nbf");
  json_t *iss = json_object_get(claims, "iss");
  json_t *aud = json_object_get(claims, "aud");
  if (!json_is_integer(exp) && !json_is_real(exp))
    return *why = "the token has no expiry", IJ_ERR_UNAUTHENTICATED;
  if (numeric_date(exp) + LEEWAY_SECONDS <= now)
    return *why = "the token has expired", IJ_ERR_UNAUTHENTICATED;
  if (nbf && (!json_is_number(nbf) || numeric_date(nbf) - LEEWAY_SECONDS > now))
    return *why = "the token is not valid yet", IJ_ERR_UNAUTHENTICATED;
  if (!json_is_string(iss) || strcmp(json_string_value(iss), a->issuer) != 0)
    return *why = "the token is from another issuer", IJ_ERR_UNAUTHENTICATED;
  if (!aud || !aud_matches(aud, a->audience))
    return *why = "the token is for another audience", IJ_ERR_UNAUTHENTICATED;
  memset(out, 0, sizeof *out);
  out->exp = numeric_date(exp);
  if (!copy_claim(claims, "sub", out->sub, sizeof out->sub, true))
    return *why = "the token has no valid sub claim", IJ_ERR_UNAUTHENTICATED;
  if (!copy_claim(claims, "name", out->name, sizeof out->name, true))
    return *why = "the token has no valid name claim", IJ_ERR_UNAUTHENTICATED;
  if (!copy_claim(claims, "area", out->area, sizeof out->area, true) || !area_ok(out->area))
    return *why = "the token has no valid area claim", IJ_ERR_UNAUTHENTICATED;
  json_t *roles = json_object_get(claims, "roles");
  if (!json_is_array(roles))
    return *why = "the token has no roles claim", IJ_ERR_UNAUTHENTICATED;
  size_t i;
  json_t *r;
  json_array_foreach(roles, i, r) {
    ij_roles bit;
    if (json_is_string(r) && ij_role_parse(json_string_value(r), &bit) == IJ_OK)
      out->roles |= bit;
  }
  return IJ_OK;
}

ij_err ij_auth_verify(ij_auth *a, const char *token, int64_t now, ij_principal *out,
                      const char **why) {
  static const char *unused;
  if (!why)
    why = &unused;
  *why = NULL;
  if (!token || !*token || strlen(token) > 8192)
    return *why = "no token", IJ_ERR_UNAUTHENTICATED;
  thread_state *t = thread_of(a);
  if (!t)
    return *why = "no keys", IJ_ERR_INTERNAL;
  uint64_t hash = token_hash(token);
  cache_entry *set = t->cache[(hash >> 32) % CACHE_SETS];
  cache_entry *slot = &set[0]; /* where a newly verified token goes: a free or the oldest entry */
  t->uses++;
  for (int w = 0; w < CACHE_WAYS; w++) {
    cache_entry *e = &set[w];
    if (e->token && e->hash == hash && strcmp(e->token, token) == 0) {
      if (e->principal.exp + LEEWAY_SECONDS > now) {
        e->used = t->uses;
        *out = e->principal;
        return IJ_OK;
      }
      free(e->token); /* expired: verify again, which refuses it */
      e->token = NULL;
    }
    if (slot->token && (!e->token || e->used < slot->used))
      slot = e;
  }
  jwks_t *jwks = t->jwks;
  jwt_t *jwt = NULL;
  json_t *claims = NULL;
  ij_err err = IJ_ERR_UNAUTHENTICATED;
  if (r_jwt_init(&jwt) != RHN_OK) {
    err = IJ_ERR_NOMEM;
    goto done;
  }
  /* R_PARSE_NONE: keys named in the token's header (jwk, jku, x5c, x5u) are never trusted, and
   * unsigned tokens are refused by the parser itself. */
  if (r_jwt_advanced_parse(jwt, token, R_PARSE_NONE, R_FLAG_IGNORE_REMOTE) != RHN_OK ||
      r_jwt_get_type(jwt) != R_JWT_TYPE_SIGN) {
    *why = "the token is not a signed JWT";
    goto done;
  }
  if (!alg_allowed(r_jwt_get_sign_alg(jwt))) {
    *why = "the token's algorithm is not allowed";
    goto done;
  }
  const char *kid = r_jwt_get_header_str_value(jwt, "kid");
  jwk_t *key =
      kid ? r_jwks_get_by_kid(jwks, kid) : (r_jwks_size(jwks) == 1 ? r_jwks_get_at(jwks, 0) : NULL);
  if (!key) {
    *why = "the token's key is not known";
    goto done;
  }
  atomic_fetch_add(&a->signature_checks, 1);
  int rc = r_jwt_verify_signature(jwt, key, R_FLAG_IGNORE_REMOTE);
  r_jwk_free(key);
  if (rc != RHN_OK) {
    *why = "the token's signature is not valid";
    goto done;
  }
  /* the library checks iss, aud and exp; check_claims repeats them with leeway and types */
  if (r_jwt_validate_claims(jwt, R_JWT_CLAIM_ISS, a->issuer, R_JWT_CLAIM_AUD, a->audience,
                            R_JWT_CLAIM_EXP, R_JWT_CLAIM_PRESENT, R_JWT_CLAIM_NOP) != RHN_OK) {
    *why = "the token's issuer, audience or expiry is not valid";
    goto done;
  }
  claims = r_jwt_get_full_claims_json_t(jwt);
  if (!claims) {
    *why = "the token has no claims";
    goto done;
  }
  err = check_claims(a, claims, now, out, why);
  if (err == IJ_OK) {
    free(slot->token);
    slot->token = strdup(token);
    slot->hash = hash;
    slot->used = t->uses;
    slot->principal = *out;
  }
done:
  json_decref(claims);
  r_jwt_free(jwt);
  return err;
}

ij_err ij_auth_keygen(const char *kid, char **private_jwk, char **public_jwks) {
  *private_jwk = *public_jwks = NULL;
  pthread_once(&global_once, global_init);
  jwk_t *priv = NULL, *pub = NULL;
  jwks_t *set = NULL;
  ij_err err = IJ_ERR_INTERNAL;
  if (r_jwk_init(&priv) != RHN_OK || r_jwk_init(&pub) != RHN_OK || r_jwks_init(&set) != RHN_OK)
    goto done;
  if (r_jwk_generate_key_pair(priv, pub, R_KEY_TYPE_RSA, 2048, kid) != RHN_OK)
    goto done;
  r_jwk_set_property_str(priv, "alg", "RS256");
  r_jwk_set_property_str(pub, "alg", "RS256");
  r_jwk_set_property_str(pub, "use", "sig");
  if (r_jwks_append_jwk(set, pub) != RHN_OK)
    goto done;
  char *p = r_jwk_export_to_json_str(priv, JSON_INDENT(2));
  char *s = r_jwks_export_to_json_str(set, JSON_INDENT(2));
  if (p && s) {
    *private_jwk = strdup(p);
    *public_jwks = strdup(s);
    err = *private_jwk && *public_jwks ? IJ_OK : IJ_ERR_NOMEM;
  }
  r_free(p);
  r_free(s);
done:
  r_jwk_free(priv);
  r_jwk_free(pub);
  r_jwks_free(set);
  return err;
}

ij_err ij_auth_mint(const char *private_jwk, const char *issuer, const char *audience,
                    const char *sub, const char *name, const char *area, const char *const *roles,
                    int64_t now, int64_t ttl_seconds, char **token) {
  *token = NULL;
  pthread_once(&global_once, global_init);
  jwk_t *key = NULL;
  jwt_t *jwt = NULL;
  json_t *claims = NULL;
  ij_err err = IJ_ERR_INVALID;
  if (r_jwk_init(&key) != RHN_OK || r_jwt_init(&jwt) != RHN_OK)
    goto done;
  if (r_jwk_import_from_json_str(key, private_jwk) != RHN_OK)
    goto done;
  json_t *role_list = json_array();
  for (const char *const *r = roles; r && *r; r++)
    json_array_append_new(role_list, json_string(*r));
  claims =
      json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:I, s:I, s:I}", "iss", issuer, "aud", audience,
                "sub", sub, "name", name, "area", area, "roles", role_list, "iat", (json_int_t)now,
                "nbf", (json_int_t)now, "exp", (json_int_t)(now + ttl_seconds));
  if (!claims)
    goto done;
  const char *kid = r_jwk_get_property_str(key, "kid");
  if (kid)
    r_jwt_set_header_str_value(jwt, "kid", kid);
  if (r_jwt_set_full_claims_json_t(jwt, claims) != RHN_OK ||
      r_jwt_set_sign_alg(jwt, R_JWA_ALG_RS256) != RHN_OK)
    goto done;
  char *t = r_jwt_serialize_signed(jwt, key, 0);
  if (t) {
    *token = strdup(t);
    r_free(t);
    err = *token ? IJ_OK : IJ_ERR_NOMEM;
  }
done:
  json_decref(claims);
  r_jwk_free(key);
  r_jwt_free(jwt);
  return err;
}

unsigned long ij_auth_signature_checks(const ij_auth *a) {
  return atomic_load(&a->signature_checks);
}
