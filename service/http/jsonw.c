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

/* Room for n more bytes and the terminating NUL (which ij_jw_text writes: the appends do not
 * keep the text terminated as they go). */
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

static void put(ij_jw *w, const void *s, size_t n) {
  if (!reserve(w, n))
    return;
  memcpy(w->buf + w->len, s, n);
  w->len += n;
}

static void put_char(ij_jw *w, char c) {
  if (!reserve(w, 1))
    return;
  w->buf[w->len++] = c;
}

/* The bytes a string carries as they are, one bit each: 0x20 to 0x7F but '"' (0x22) and '\\'
 * (0x5C). The bytes from 0x80 are UTF-8, checked sequence by sequence; the rest are escaped. */
static const uint64_t plain_bits[2] = {0xFFFFFFFB00000000u, 0xFFFFFFFFEFFFFFFFu};

static inline bool plain(unsigned char c) {
  return c < 0x80 && (plain_bits[c >> 6] >> (c & 63)) & 1u;
}

/* The length of the UTF-8 sequence at s, or 0 when it is not well formed (overlong forms,
 * surrogates and code points beyond U+10FFFF included, as jansson refuses them). A sequence cut
 * short by the string's end is not: its NUL is not a continuation byte, and is read last. */
static size_t utf8_sequence(const unsigned char *s) {
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

/* The escape of a byte a string cannot carry as it is: '"' and '\\', the control characters as
 * \b \f \n \r \t or \u00XX (jansson's upper-case hex digits). */
static void put_escape(ij_jw *w, unsigned char c) {
  static const char hex[] = "0123456789ABCDEF";
  char esc[6] = {'\\', 0, '0', '0', 0, 0};
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
    esc[4] = hex[c >> 4];
    esc[5] = hex[c & 0xF];
    esc_len = 6;
  }
  put(w, esc, esc_len);
}

/* Whether any of the 8 bytes in x is one a string cannot carry as it is, or starts UTF-8 (a byte
 * below 0x20, '"', '\\', or from 0x80): the classic tests for a zero byte and for a byte below n,
 * which may flag a byte above a true match but never miss one, so a flagged block is only looked
 * at byte by byte. */
static inline bool block_needs_a_look(uint64_t x) {
  const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
  uint64_t quote = x ^ (ones * '"'), backslash = x ^ (ones * '\\');
  uint64_t below_space = (x - ones * 0x20) & ~x;
  uint64_t is_quote = (quote - ones) & ~quote;
  uint64_t is_backslash = (backslash - ones) & ~backslash;
  return ((below_space | is_quote | is_backslash | x) & highs) != 0;
}

/* Whether the n bytes at p are all plain ASCII (none escaped, none from 0x80), 8 at a time: the
 * last fewer than 8 are copied into a block of plain bytes, not read past the end. */
static bool all_plain(const unsigned char *p, size_t n) {
  const uint64_t filler = 0x0101010101010101u * 'a';
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t block;
    memcpy(&block, p, sizeof block);
    if (block_needs_a_look(block))
      return false;
  }
  uint64_t tail = filler;
  memcpy(&tail, p, n);
  return !block_needs_a_look(tail);
}

/* A quoted, escaped string of n bytes: runs of bytes that need no escape (UTF-8 included) are
 * copied whole, which is jansson's compact output. Plain ASCII is passed over 8 bytes at a time. */
static void put_escaped(ij_jw *w, const char *s, size_t n) {
  const unsigned char *p = (const unsigned char *)s;
  const unsigned char *end = p + n;
  const unsigned char *run = p; /* the start of the bytes not yet written that need no escape */
  put_char(w, '"');
  while (p < end) {
    uint64_t block;
    if (end - p >= 8) {
      memcpy(&block, p, sizeof block);
      if (!block_needs_a_look(block)) {
        p += 8;
        continue;
      }
    }
    unsigned char c = *p;
    if (plain(c)) {
      p++;
      continue;
    }
    if (c >= 0x80) {
      size_t len = utf8_sequence(p);
      if (len == 0) {
        w->failed = true;
        return;
      }
      p += len;
      continue;
    }
    put(w, run, (size_t)(p - run));
    put_escape(w, c);
    run = ++p;
  }
  put(w, run, (size_t)(p - run));
  put_char(w, '"');
}

/* A string, quoted; most are plain ASCII, and go in one copy. */
static void put_string(ij_jw *w, const char *s) {
  size_t n = strlen(s);
  if (!all_plain((const unsigned char *)s, n)) {
    put_escaped(w, s, n);
    return;
  }
  if (!reserve(w, n + 2))
    return;
  char *d = w->buf + w->len;
  d[0] = '"';
  memcpy(d + 1, s, n);
  d[n + 1] = '"';
  w->len += n + 2;
}

/* The separator and the name before a value: a plain name (every name the service writes) in
 * one copy with them. */
static void member(ij_jw *w, const char *key) {
  if (w->failed)
    return;
  bool comma = w->has_member[w->depth];
  w->has_member[w->depth] = true;
  if (!key) {
    if (comma)
      put_char(w, ',');
    return;
  }
  size_t n = strlen(key);
  if (!all_plain((const unsigned char *)key, n)) {
    if (comma)
      put_char(w, ',');
    put_escaped(w, key, n);
    put_char(w, ':');
    return;
  }
  if (!reserve(w, n + 4))
    return;
  char *d = w->buf + w->len;
  size_t at = 0;
  if (comma)
    d[at++] = ',';
  d[at++] = '"';
  memcpy(d + at, key, n);
  at += n;
  d[at++] = '"';
  d[at++] = ':';
  w->len += at;
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
  w->buf[w->len] = '\0'; /* every append left room for it */
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
