/* Field-level error lists: fixed storage, messages truncated on a UTF-8 character boundary. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ij/domain.h"

/* After a truncating snprintf, drop a trailing UTF-8 sequence that was cut short. */
static void drop_partial_utf8(char *buf) {
  size_t len = strlen(buf);
  size_t i = len;
  while (i > 0 && ((unsigned char)buf[i - 1] & 0xC0u) == 0x80u) {
    i--;
  }
  if (i == 0) {
    return;
  }
  unsigned char lead = (unsigned char)buf[i - 1];
  size_t need = 1;
  if ((lead & 0xE0u) == 0xC0u) {
    need = 2;
  } else if ((lead & 0xF0u) == 0xE0u) {
    need = 3;
  } else if ((lead & 0xF8u) == 0xF0u) {
    need = 4;
  }
  if (len - (i - 1) < need) {
    buf[i - 1] = '\0';
  }
}

void ij_field_errors_init(ij_field_errors *errs) {
  if (errs != NULL) {
    memset(errs, 0, sizeof *errs);
  }
}

void ij_field_errors_add(ij_field_errors *errs, const char *field, const char *fmt, ...) {
  if (errs == NULL || errs->count < 0 || errs->count >= IJ_FIELD_ERRORS_MAX) {
    return;
  }
  ij_field_error *e = &errs->items[errs->count];
  int n = snprintf(e->field, sizeof e->field, "%s", field != NULL ? field : "");
  if (n < 0) {
    e->field[0] = '\0';
  } else if ((size_t)n >= sizeof e->field) {
    drop_partial_utf8(e->field);
  }
  e->message[0] = '\0';
  if (fmt != NULL) {
    va_list ap;
    va_start(ap, fmt);
    n = vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    if (n < 0) {
      e->message[0] = '\0';
    } else if ((size_t)n >= sizeof e->message) {
      drop_partial_utf8(e->message);
    }
  }
  errs->count++;
}
