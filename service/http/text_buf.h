/* A growing text buffer for answers built piece by piece (the CSV files). A failed allocation is
 * remembered (`failed`) and later appends do nothing; the text stays NUL-terminated. */
#ifndef IJ_HTTP_TEXT_BUF_H
#define IJ_HTTP_TEXT_BUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
  char *data;
  size_t len, cap;
  bool failed;
} text_buf;

void ij_text_put_n(text_buf *b, const char *s, size_t n);
void ij_text_put(text_buf *b, const char *s);

#endif
