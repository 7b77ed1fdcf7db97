/* Small text checks shared by the domain's validators. */
#include <string.h>

#include "domain_internal.h"

bool ij_text_is_code(const char *s, size_t max_len, const char *extra) {
  if (s == NULL || s[0] == '\0') {
    return false;
  }
  size_t n = 0;
  for (const char *p = s; *p != '\0'; p++, n++) {
    char c = *p;
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              (extra != NULL && strchr(extra, c) != NULL);
    if (!ok || n >= max_len) {
      return false;
    }
  }
  return true;
}

bool ij_text_is_blank(const char *s) {
  if (s == NULL) {
    return true;
  }
  for (const char *p = s; *p != '\0'; p++) {
    if (strchr(" \t\r\n\v\f", *p) == NULL) {
      return false;
    }
  }
  return true;
}

bool ij_text_has_control(const char *s) {
  if (s == NULL) {
    return false;
  }
  for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
    if (*p < 0x20 || *p == 0x7f) {
      return true;
    }
  }
  return false;
}
