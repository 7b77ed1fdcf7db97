/* The JSON text writer (jsonw.h). */
#include "jsonw.h"

#include <stdlib.h>
#include <string.h>

void ij_jw_init(ij_jw *w) {
  w->buf = w->inline_buf;
  w->cap = sizeof w->inline_buf;
  w->len = 0;
  w->buf[0] = '\0';
  w->failed = false;
  w->depth = 0;
  w->heap = false;
  w->has_member[0] = false;
}

void ij_jw_free(ij_jw *w) {
  if (w->heap)
    free(w->buf);
  w->buf = w->inline_buf;
  w->cap = sizeof w->inline_buf;
  w->heap = false;
  w->len = 0;
}

/* Room for n more bytes and the terminating NUL. */
static bool reserve(ij_jw *w, size_t n) {
  if (w->failed)
    return false;
  if (w->len + n + 1 <= w->cap)
    return true;
  size_t cap = w->cap * 2;
  while (cap < w->len + n + 1)
    cap *= 2;
  char *grown = w->heap ? realloc(w->buf, cap) : malloc(cap);
  if (!grown) {
    w->failed = true;
    return false;
  }
  if (!w->heap)
    memcpy(grown, w->buf, w->len);
  w->buf = grown;
  w->cap = cap;
  w->heap = true;
  return true;
}

static void put(ij_jw *w, const char *s, size_t n) {
  if (!reserve(w, n))
    return;
  memcpy(w->buf + w->len, s, n);
  w->len += n;
  w->buf[w->len] = '\0';
}

static void put_char(ij_jw *w, char c) {
  if (!reserve(w, 1))
    return;
  w->buf[w->len++] = c;
  w->buf[w->len] = '\0';
}

/* The length of the UTF-8 sequence at s (at most n bytes), or 0 when it is not well formed
 * (overlong forms, surrogates and code points beyond U+10FFFF included, as jansson refuses them).
 */
static size_t utf8_sequence(const unsigned char *s, size_t n) {
  unsigned char c = s[0];
  size_t len;
  uint32_t cp;
  if (c < 0x80)
    return 1;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
    cp = c & 0x1Fu;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    cp = c & 0x0Fu;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    cp = c & 0x07u;
  } else {
    return 0;
  }
  if (n < len)
    return 0;
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xC0) != 0x80)
      return 0;
    cp = (cp << 6) | (s[i] & 0x3Fu);
  }
  if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
      (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return len;
}

/* A quoted, escaped string: '"' and '\\' escaped, the control characters as \b \f \n \r \t or
 * \u00XX, everything else (UTF-8 included) as it is, which is jansson's compact output. */
static void put_string(ij_jw *w, const char *s) {
  static const char hex[] = "0123456789ABCDEF";
  const unsigned char *p = (const unsigned char *)s;
  size_t n = strlen(s);
  put_char(w, '"');
  size_t run = 0; /* bytes of p not yet written that need no escape */
  for (size_t i = 0; i < n;) {
    unsigned char c = p[i];
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      run++;
      i++;
      continue;
    }
    if (c >= 0x80) {
      size_t len = utf8_sequence(p + i, n - i);
      if (len == 0) {
        w->failed = true;
        return;
      }
      run += len;
      i += len;
      continue;
    }
    put(w, (const char *)p + i - run, run);
    run = 0;
    char esc[6] = {'\\', 0, 0, 0, 0, 0};
    size_t esc_len = 2;
    switch (c) {
    case '"':
      esc[1] = '"';
      break;
    case '\\':
      esc[1] = '\\';
      break;
    case '\b':
      esc[1] = 'b';
      break;
    case '\f':
      esc[1] = 'f';
      break;
    case '\n':
      esc[1] = 'n';
      break;
    case '\r':
      esc[1] = 'r';
      break;
    case '\t':
      esc[1] = 't';
      break;
    default:
      esc[1] = 'u';
      esc[2] = '0';
      esc[3] = '0';
      esc[4] = hex[c >> 4];
      esc[5] = hex[c & 0xF];
      esc_len = 6;
    }
    put(w, esc, esc_len);
    i++;
  }
  put(w, (const char *)p + n - run, run);
  put_char(w, '"');
}

/* The separator and the name before a value. */
static void member(ij_jw *w, const char *key) {
  if (w->failed)
    return;
  if (w->has_member[w->depth])
    put_char(w, ',');
  w->has_member[w->depth] = true;
  if (key) {
    put_string(w, key);
    put_char(w, ':');
  }
}

static void open_container(ij_jw *w, const char *key, char c) {
  member(w, key);
  if (w->depth == IJ_JW_DEPTH) {
    w->failed = true;
    return;
  }
  put_char(w, c);
  w->closers[w->depth] = c == '{' ? '}' : ']';
  w->depth++;
  w->has_member[w->depth] = false;
}

void ij_jw_object(ij_jw *w, const char *key) {
  open_container(w, key, '{');
}

void ij_jw_array(ij_jw *w, const char *key) {
  open_container(w, key, '[');
}

void ij_jw_end(ij_jw *w) {
  if (w->failed)
    return;
  if (w->depth == 0) {
    w->failed = true;
    return;
  }
  w->depth--;
  put_char(w, w->closers[w->depth]);
}

void ij_jw_string(ij_jw *w, const char *key, const char *s) {
  if (!s) {
    w->failed = true;
    return;
  }
  member(w, key);
  if (!w->failed)
    put_string(w, s);
}

void ij_jw_string_or_null(ij_jw *w, const char *key, const char *s) {
  if (s)
    ij_jw_string(w, key, s);
  else
    ij_jw_null(w, key);
}

void ij_jw_int(ij_jw *w, const char *key, long long v) {
  member(w, key);
  char digits[24];
  size_t n = 0;
  unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
  do {
    digits[n++] = (char)('0' + u % 10);
    u /= 10;
  } while (u);
  if (v < 0)
    digits[n++] = '-';
  if (!reserve(w, n))
    return;
  while (n)
    w->buf[w->len++] = digits[--n];
  w->buf[w->len] = '\0';
}

void ij_jw_int_or_null(ij_jw *w, const char *key, long long v) {
  if (v)
    ij_jw_int(w, key, v);
  else
    ij_jw_null(w, key);
}

void ij_jw_bool(ij_jw *w, const char *key, bool v) {
  member(w, key);
  if (v)
    put(w, "true", 4);
  else
    put(w, "false", 5);
}

void ij_jw_null(ij_jw *w, const char *key) {
  member(w, key);
  put(w, "null", 4);
}

void ij_jw_time(ij_jw *w, const char *key, ij_time_us t) {
  char text[IJ_TIME_BUF];
  ij_time_format(t, text);
  ij_jw_string(w, key, text);
}

void ij_jw_time_or_null(ij_jw *w, const char *key, ij_time_us t) {
  if (t)
    ij_jw_time(w, key, t);
  else
    ij_jw_null(w, key);
}

void ij_jw_date(ij_jw *w, const char *key, ij_date d) {
  char text[IJ_DATE_BUF];
  ij_date_format(d, text);
  ij_jw_string(w, key, text);
}

const char *ij_jw_text(const ij_jw *w, size_t *len) {
  if (w->failed || w->depth != 0 || w->len == 0)
    return NULL;
  if (len)
    *len = w->len;
  return w->buf;
}

char *ij_jw_take(ij_jw *w) {
  size_t len;
  const char *text = ij_jw_text(w, &len);
  if (!text)
    return NULL;
  char *copy = malloc(len + 1);
  if (copy)
    memcpy(copy, text, len + 1);
  return copy;
}
