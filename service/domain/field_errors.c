/* Field-level error lists: fixed storage, messages truncated on a UTF-8 character boundary. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ij/domain.h"

/* Only the count: the entries past it are never read (about 8 KB not cleared per request). */
void ij_field_errors_init(ij_field_errors *errs) {
  if (errs != NULL) {
    errs->count = 0;
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
    ij_text_utf8_trim(e->field);
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
      ij_text_utf8_trim(e->message);
    }
  }
  errs->count++;
}

bool ij_field_errors_has(const ij_field_errors *errs, const char *field) {
  for (int i = 0; errs != NULL && field != NULL && i < errs->count; i++) {
    if (strcmp(errs->items[i].field, field) == 0) {
      return true;
    }
  }
  return false;
}
