#include "ij/log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

ij_log_level ij_log_min_level = IJ_LOG_INFO;
ij_log_format ij_log_output_format = IJ_LOG_FORMAT_JSON;

static _Thread_local const char *current_request_id;

static const char *const level_names[] = {"debug", "info", "warn", "error"};
static const char *const format_names[] = {"json", "text"};

/* The longest message kept (longer ones are cut), and the longest line written. */
#define MSG_MAX 1024
#define LINE_MAX_BYTES 8192

void ij_log_set_request_id(const char *request_id) {
  current_request_id = request_id;
}

int ij_log_level_parse(const char *s) {
  for (int i = 0; i < 4; i++)
    if (s && strcmp(s, level_names[i]) == 0)
      return i;
  return -1;
}

int ij_log_format_parse(const char *s) {
  for (int i = 0; i < 2; i++)
    if (s && strcmp(s, format_names[i]) == 0)
      return i;
  return -1;
}

/* ---- a bounded line writer ---- */

/* Room always kept for the end of a line: a closing quote, "}", "\n" and the NUL. */
#define RESERVE 4

typedef struct {
  char *buf;
  size_t size;
  size_t len;
  bool full; /* something did not fit: the rest of the line is left out */
} writer;

static bool fits(const writer *w, size_t n) {
  return !w->full && w->len + n + RESERVE <= w->size;
}

/* Appends n bytes when they fit (leaving the reserve); otherwise marks the line full. */
static bool put(writer *w, const char *s, size_t n) {
  if (!fits(w, n)) {
    w->full = true;
    return false;
  }
  memcpy(w->buf + w->len, s, n);
  w->len += n;
  w->buf[w->len] = 0;
  return true;
}

static bool puts_(writer *w, const char *s) {
  return put(w, s, strlen(s));
}

/* Appends a byte that belongs to the reserve (closing quote, brace, newline). */
static void put_end(writer *w, char c) {
  if (w->len + 1 < w->size) {
    w->buf[w->len++] = c;
    w->buf[w->len] = 0;
  }
}

/* The length of the well-formed UTF-8 sequence at s (1 to 4), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *s) {
  unsigned char c = s[0];
  if (c < 0x80)
    return 1;
  size_t n;
  unsigned min;
  unsigned cp;
  if (c >= 0xc2 && c <= 0xdf) {
    n = 2, min = 0x80, cp = c & 0x1f;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3, min = 0x800, cp = c & 0x0f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4, min = 0x10000, cp = c & 0x07;
  } else {
    return 0;
  }
  for (size_t i = 1; i < n; i++) {
    if ((s[i] & 0xc0) != 0x80)
      return 0;
    cp = (cp << 6) | (s[i] & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return n;
}

/* A JSON member: `prefix` (such as `,"msg":`) and the string, quoted, with control characters,
 * quotes and backslashes escaped and bytes that are not UTF-8 replaced by U+FFFD. When the line is
 * full the string is cut short (at a character) and still closed; when not even the prefix and
 * the opening quote fit, the member is left out. */
static void put_json_member(writer *w, const char *prefix, const char *s) {
  char head[64];
  int hn = snprintf(head, sizeof head, "%s\"", prefix);
  if (hn < 0 || (size_t)hn >= sizeof head || !put(w, head, (size_t)hn))
    return;
  const unsigned char *p = (const unsigned char *)s;
  while (*p) {
    char esc[8];
    const char *piece = esc;
    size_t n, advance = 1;
    if (*p == '"' || *p == '\\') {
      esc[0] = '\\', esc[1] = (char)*p, n = 2;
    } else if (*p == '\n') {
      piece = "\\n", n = 2;
    } else if (*p == '\r') {
      piece = "\\r", n = 2;
    } else if (*p == '\t') {
      piece = "\\t", n = 2;
    } else if (*p < 0x20 || *p == 0x7f) {
      n = (size_t)snprintf(esc, sizeof esc, "\\u%04x", *p);
    } else if ((advance = utf8_len(p)) > 0) {
      piece = (const char *)p, n = advance;
    } else {
      piece = "\\ufffd", n = 6, advance = 1;
    }
    if (!put(w, piece, n))
      break;
    p += advance;
  }
  put_end(w, '"');
}

/* Text: the bytes as they are, but control characters escaped, so a message stays on one line. */
static void put_text(writer *w, const char *s) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    char esc[8];
    size_t n;
    if (*p == '\n') {
      n = 2, memcpy(esc, "\\n", 2);
    } else if (*p < 0x20 || *p == 0x7f) {
      n = (size_t)snprintf(esc, sizeof esc, "\\x%02x", *p);
    } else {
      esc[0] = (char)*p, n = 1;
    }
    if (!put(w, esc, n))
      return;
  }
}

static void format_time(long long when_us, char out[32]) {
  time_t sec = (time_t)(when_us / 1000000);
  struct tm tm;
  gmtime_r(&sec, &tm);
  char date[24];
  strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(out, 32, "%s.%03dZ", date, (int)(when_us % 1000000 / 1000));
}

size_t ij_log_format_line(char *out, size_t size, ij_log_format format, long long when_us,
                          ij_log_level level, const char *request_id, const char *msg,
                          const ij_log_field *fields, int nfields) {
  if (size < 2 * RESERVE) {
    if (size)
      out[0] = 0;
    return 0;
  }
  writer w = {out, size, 0, false};
  out[0] = 0;
  char when[32], num[48];
  format_time(when_us, when);
  int lv = (level >= IJ_LOG_DEBUG && level <= IJ_LOG_ERROR) ? (int)level : IJ_LOG_ERROR;
  if (!msg)
    msg = "";
  if (format == IJ_LOG_FORMAT_TEXT) {
    puts_(&w, when);
    puts_(&w, " ");
    puts_(&w, level_names[lv]);
    if (request_id) {
      puts_(&w, " [");
      put_text(&w, request_id);
      puts_(&w, "]");
    }
    puts_(&w, " ");
    put_text(&w, msg);
    for (int i = 0; i < nfields && !w.full; i++) {
      const ij_log_field *f = &fields[i];
      if (f->kind == IJ_LOG_FIELD_STR && !f->str)
        continue;
      puts_(&w, " ");
      puts_(&w, f->key);
      puts_(&w, "=");
      if (f->kind == IJ_LOG_FIELD_STR) {
        put_text(&w, f->str);
      } else {
        if (f->kind == IJ_LOG_FIELD_INT)
          snprintf(num, sizeof num, "%lld", f->num);
        else
          snprintf(num, sizeof num, "%.3f", f->ms);
        puts_(&w, num);
      }
    }
    put_end(&w, '\n');
    return w.len;
  }
  char head[96];
  snprintf(head, sizeof head, "{\"time\":\"%s\",\"level\":\"%s\"", when, level_names[lv]);
  if (!puts_(&w, head)) {
    snprintf(out, size, "{}\n");
    return strlen(out);
  }
  put_json_member(&w, ",\"msg\":", msg);
  if (request_id)
    put_json_member(&w, ",\"request_id\":", request_id);
  for (int i = 0; i < nfields && !w.full; i++) {
    const ij_log_field *f = &fields[i];
    char prefix[48];
    if (snprintf(prefix, sizeof prefix, ",\"%s\":", f->key) >= (int)sizeof prefix)
      continue; /* keys are short constants */
    if (f->kind == IJ_LOG_FIELD_STR) {
      if (f->str)
        put_json_member(&w, prefix, f->str);
    } else {
      char member[96];
      if (f->kind == IJ_LOG_FIELD_INT)
        snprintf(member, sizeof member, "%s%lld", prefix, f->num);
      else
        snprintf(member, sizeof member, "%s%.3f", prefix, f->ms);
      puts_(&w, member);
    }
  }
  put_end(&w, '}');
  put_end(&w, '\n');
  return w.len;
}

static void write_line(ij_log_level level, const ij_log_field *fields, int nfields, const char *fmt,
                       va_list ap) {
  char msg[MSG_MAX];
  vsnprintf(msg, sizeof msg, fmt, ap);
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  long long when = (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
  char line[LINE_MAX_BYTES];
  size_t n = ij_log_format_line(line, sizeof line, ij_log_output_format, when, level,
                                current_request_id, msg, fields, nfields);
  /* one write per line: lines from threads do not interleave (a pipe takes it whole up to
   * PIPE_BUF, a file opened for appending always) */
  const char *p = line;
  while (n > 0) {
    ssize_t wrote = write(STDERR_FILENO, p, n);
    if (wrote <= 0)
      break;
    p += wrote;
    n -= (size_t)wrote;
  }
}

void ij_log_write(ij_log_level level, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  write_line(level, NULL, 0, fmt, ap);
  va_end(ap);
}

void ij_log_write_fields(ij_log_level level, const ij_log_field *fields, int nfields,
                         const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  write_line(level, fields, nfields, fmt, ap);
  va_end(ap);
}
