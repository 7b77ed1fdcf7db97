/* Copying text into fixed buffers, shared by every layer. */
#ifndef IJ_STR_H
#define IJ_STR_H

#include <stddef.h>
#include <string.h>

/* Copies src into dst of `size` bytes, cut at size - 1 bytes, always terminated (when size > 0):
 * what snprintf(dst, size, "%s", src) does, without parsing a format on every call (the read
 * path copies a dozen identifiers a request). */
static inline void ij_str_copy(char *dst, size_t size, const char *src) {
  if (size == 0)
    return;
  size_t n = strnlen(src, size - 1);
  memcpy(dst, src, n);
  dst[n] = '\0';
}

#endif
