#include "ij/ids.h"

#include <openssl/rand.h>
#include <string.h>
#include <uuid/uuid.h>

/* A random (version 4) UUID. The bytes come from OpenSSL's generator (a per-thread DRBG seeded
 * from the kernel): libuuid's uuid_generate_random seeds a second generator from the pid, uid and
 * time on every call besides reading the kernel's, which cost 3% of a read request's CPU. */
void ij_uuid_new(char out[IJ_UUID_BUF]) {
  uuid_t u;
  if (RAND_bytes(u, (int)sizeof u) == 1) {
    u[6] = (unsigned char)((u[6] & 0x0F) | 0x40); /* version 4 */
    u[8] = (unsigned char)((u[8] & 0x3F) | 0x80); /* the RFC 4122 variant */
  } else {
    uuid_generate_random(u);
  }
  uuid_unparse_lower(u, out);
}

bool ij_uuid_canonical(const char *in, char out[IJ_UUID_BUF]) {
  uuid_t u;
  if (!in || strlen(in) != 36 || uuid_parse(in, u) != 0)
    return false;
  uuid_unparse_lower(u, out);
  return true;
}
