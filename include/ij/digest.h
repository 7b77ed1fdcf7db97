/* SHA-256 (OpenSSL's libcrypto), for a secret kept only as its hash: an area's GOV.UK Notify
 * receipt token is stored as the digest this computes, never as itself. */
#ifndef IJ_DIGEST_H
#define IJ_DIGEST_H

#include <stddef.h>

#include "ij/error.h"

#include <stdbool.h>

#define IJ_SHA256_LEN 32
#define IJ_SHA256_HEX_BUF 65 /* 64 lower-case hex digits and a NUL */

/* The SHA-256 of data[0..len). IJ_ERR_INTERNAL (out zeroed) when libcrypto fails. */
ij_err ij_sha256(const void *data, size_t len, unsigned char out[IJ_SHA256_LEN]);
/* Whether the SHA-256 of the text s is `want`, compared in constant time. */
bool ij_sha256_matches(const char *s, const unsigned char want[IJ_SHA256_LEN]);

/* The SHA-256 of data[0..len) as lower-case hex. IJ_ERR_INTERNAL (out "") when libcrypto fails. */
ij_err ij_sha256_hex(const void *data, size_t len, char out[IJ_SHA256_HEX_BUF]);

#endif
