/* SHA-256 through OpenSSL's EVP interface. */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "ij/digest.h"

ij_err ij_sha256(const void *data, size_t len, unsigned char out[IJ_SHA256_LEN]) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  ij_err err = EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) == 1 && n == IJ_SHA256_LEN
                   ? IJ_OK
                   : IJ_ERR_INTERNAL;
  if (err == IJ_OK)
    memcpy(out, md, IJ_SHA256_LEN);
  else
    memset(out, 0, IJ_SHA256_LEN);
  OPENSSL_cleanse(md, sizeof md);
  return err;
}

bool ij_sha256_matches(const char *s, const unsigned char want[IJ_SHA256_LEN]) {
  unsigned char got[IJ_SHA256_LEN];
  bool ok =
      s && ij_sha256(s, strlen(s), got) == IJ_OK && CRYPTO_memcmp(got, want, IJ_SHA256_LEN) == 0;
  OPENSSL_cleanse(got, sizeof got);
  return ok;
}

ij_err ij_sha256_hex(const void *data, size_t len, char out[IJ_SHA256_HEX_BUF]) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  out[0] = 0;
  if (EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) != 1 || n != 32)
    return IJ_ERR_INTERNAL;
  for (unsigned i = 0; i < n; i++)
    snprintf(out + 2 * i, 3, "%02x", md[i]);
  return IJ_OK;
}
