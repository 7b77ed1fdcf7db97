/* SHA-256 through OpenSSL's EVP interface. */
#include <openssl/evp.h>
#include <stdio.h>

#include "ij/digest.h"

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
