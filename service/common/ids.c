#include "ij/ids.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <string.h>
#include <uuid/uuid.h>

/* Random bytes for UUIDs, drawn from OpenSSL's generator (a per-thread DRBG seeded from the
 * kernel) a block at a time. libuuid's uuid_generate_random seeds a second generator from the pid,
 * uid and time on every call (3% of a read request's CPU), and a RAND_bytes call per UUID still
 * cost 4.7% (its locking, and a getpid system call to notice a fork); a block of 32 UUIDs' worth
 * makes that a fraction of it. A child made by fork must not reuse its parent's block: the fork
 * handler empties the forking thread's (the only thread the child has). */
#define RANDOM_BLOCK 512
static _Thread_local unsigned char block[RANDOM_BLOCK];
static _Thread_local size_t block_left;
static pthread_once_t fork_guard = PTHREAD_ONCE_INIT;

static void forget_block(void) {
  OPENSSL_cleanse(block, sizeof block);
  block_left = 0;
}

static void guard_fork(void) {
  (void)pthread_atfork(NULL, NULL, forget_block);
}

static bool random_bytes(unsigned char *out, size_t n) {
  if (block_left < n) {
    pthread_once(&fork_guard, guard_fork);
    if (RAND_bytes(block, (int)sizeof block) != 1)
      return false;
    block_left = sizeof block;
  }
  unsigned char *from = block + sizeof block - block_left;
  memcpy(out, from, n);
  OPENSSL_cleanse(from, n); /* a byte handed out once is not kept */
  block_left -= n;
  return true;
}

/* A random (version 4) UUID. */
void ij_uuid_new(char out[IJ_UUID_BUF]) {
  uuid_t u;
  if (random_bytes(u, sizeof u)) {
    u[6] = (unsigned char)((u[6] & 0x0F) | 0x40); /* version 4 */
    u[8] = (unsigned char)((u[8] & 0x3F) | 0x80); /* the RFC 4122 variant */
  } else {
    uuid_generate_random(u);
  }
  uuid_unparse_lower(u, out);
}

/* The form libuuid's uuid_parse reads (36 characters, hyphens at 8, 13, 18 and 23, hex digits in
 * either case elsewhere), checked and lowered in one pass: parsing to bytes and writing them out
 * again cost about 2,500 instructions a request (strtoul on each group), 2% of a GET. The unit test
 * holds it to uuid_parse and uuid_unparse_lower. */
bool ij_uuid_canonical(const char *in, char out[IJ_UUID_BUF]) {
  if (!in)
    return false;
  char lower[IJ_UUID_BUF];
  for (int i = 0; i < 36; i++) {
    unsigned char c = (unsigned char)in[i]; /* a shorter text fails at its end, not past it */
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-')
        return false;
      lower[i] = '-';
    } else if (c >= '0' && c <= '9') {
      lower[i] = (char)c;
    } else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
      lower[i] = (char)(c | 0x20);
    } else {
      return false;
    }
  }
  if (in[36] != '\0')
    return false;
  lower[36] = '\0';
  memcpy(out, lower, IJ_UUID_BUF);
  return true;
}
