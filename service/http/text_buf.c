/* A growing text buffer (text_buf.h). */
#include "text_buf.h"

#include <stdlib.h>
#include <string.h>

void ij_text_put_n(text_buf *b, const char *s, size_t n) {
  if (b->failed)
    return;
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + n + 1)
      cap *= 2;
    char *grown = realloc(b->data, cap);
    if (!grown) {
      b->failed = true;
      return;
    }
    b->data = grown;
    b->cap = cap;
  }
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = 0;
}

void ij_text_put(text_buf *b, const char *s) {
  ij_text_put_n(b, s, strlen(s));
}
