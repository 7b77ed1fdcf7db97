/* libFuzzer harness: the CSV reader of POST /v1/followups/import (ij_csv_next) over arbitrary
 * bytes, read to the end with the import's buffer and again with small ones, and the name key
 * that matches people (ij_domain_name_key) on every field. Checks the reader's contract: every
 * record moves forward, fields are NUL-terminated inside the buffer, and the field count is
 * bounded. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ij/domain.h"

#define MAX_FIELDS 16   /* as service/ops/import.c */
#define MAX_RECORD 4096 /* as service/ops/import.c */

static void check_name_key(const char *field) {
  char key[256], again[256];
  ij_domain_name_key(field, key, sizeof key);
  size_t n = strlen(key);
  if (n >= sizeof key)
    abort();
  /* lower case, single spaces, no space at either end */
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)key[i];
    if ((c >= 'A' && c <= 'Z') ||
        (c < 0x80 && c != ' ' && !(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9')))
      abort();
    if (c == ' ' && (i == 0 || i + 1 == n || key[i + 1] == ' '))
      abort();
  }
  /* a key of a name that fits is its own key */
  if (strlen(field) < sizeof key) {
    ij_domain_name_key(key, again, sizeof again);
    if (strcmp(key, again) != 0)
      abort();
  }
  /* tiny buffers stay inside their size */
  char tiny[4];
  for (size_t size = 0; size <= sizeof tiny; size++) {
    memset(tiny, 'x', sizeof tiny);
    ij_domain_name_key(field, tiny, size);
    if (size > 0 && !memchr(tiny, 0, size))
      abort();
  }
}

static void read_all(const char *data, size_t len, size_t bufsize, int max_fields, bool keys) {
  char *buf = malloc(bufsize ? bufsize : 1);
  const char **fields = malloc(sizeof *fields * (size_t)(max_fields ? max_fields : 1));
  if (!buf || !fields)
    abort();
  ij_csv csv = {data, len, 0, 0};
  for (;;) {
    size_t before = csv.pos;
    int n = -1;
    ij_err err = ij_csv_next(&csv, buf, bufsize, fields, max_fields, &n);
    if (err == IJ_ERR_NOT_FOUND) {
      if (before < len || n != 0)
        abort();
      break;
    }
    if (err == IJ_ERR_MALFORMED)
      break; /* the import stops at the first malformed record */
    if (err != IJ_OK || csv.pos <= before || csv.pos > len || n < 1 || n > max_fields)
      abort();
    for (int i = 0; i < n; i++) {
      if (fields[i] < buf || fields[i] >= buf + bufsize)
        abort();
      size_t room = bufsize - (size_t)(fields[i] - buf);
      if (!memchr(fields[i], 0, room))
        abort();
      if (keys)
        check_name_key(fields[i]);
    }
  }
  free(fields);
  free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  /* the reader never reads past len: hand it an exact-size copy so ASan sees any overread */
  char *copy = malloc(size ? size : 1);
  if (!copy)
    return 0;
  memcpy(copy, data, size);
  read_all(copy, size, MAX_RECORD, MAX_FIELDS, true);
  static const size_t small[] = {0, 1, 2, 3, 8, 17};
  for (size_t i = 0; i < sizeof small / sizeof small[0]; i++)
    read_all(copy, size, small[i], (int)(i % 4), false);
  read_all(copy, size, 64, 1, false);
  free(copy);
  return 0;
}
