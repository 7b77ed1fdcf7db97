/* Small text checks shared by the domain's validators. */
#include <stdint.h>
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

bool ij_text_utf8_valid(const char *s) {
  if (s == NULL) {
    return true;
  }
  const unsigned char *p = (const unsigned char *)s;
  while (*p != '\0') {
    unsigned char c = *p;
    int more;
    uint32_t cp;
    if (c < 0x80) {
      p++;
      continue;
    } else if ((c & 0xE0u) == 0xC0u) {
      more = 1;
      cp = c & 0x1Fu;
    } else if ((c & 0xF0u) == 0xE0u) {
      more = 2;
      cp = c & 0x0Fu;
    } else if ((c & 0xF8u) == 0xF0u) {
      more = 3;
      cp = c & 0x07u;
    } else {
      return false;
    }
    p++;
    for (int i = 0; i < more; i++, p++) {
      if ((*p & 0xC0u) != 0x80u) {
        return false;
      }
      cp = (cp << 6) | (*p & 0x3Fu);
    }
    /* overlong forms, surrogates and code points past U+10FFFF are not UTF-8 */
    static const uint32_t least[4] = {0, 0x80, 0x800, 0x10000};
    if (cp < least[more] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      return false;
    }
  }
  return true;
}

/* After a truncating snprintf, drop a trailing UTF-8 sequence that was cut short. */
void ij_text_utf8_trim(char *buf) {
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
