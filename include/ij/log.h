/* Cheap logging: the level is checked before the arguments are evaluated. One line per call on
 * stderr, written with a single write(2) so that lines from threads never interleave: a JSON
 * object (the default) or plain text, with the current thread's request id when one is set.
 * Never pass request bodies, tokens or personal data: log lines leave the service's control. */
#ifndef IJ_LOG_H
#define IJ_LOG_H

#include <stddef.h>

typedef enum { IJ_LOG_DEBUG, IJ_LOG_INFO, IJ_LOG_WARN, IJ_LOG_ERROR } ij_log_level;
typedef enum { IJ_LOG_FORMAT_JSON, IJ_LOG_FORMAT_TEXT } ij_log_format;

extern ij_log_level ij_log_min_level;
extern ij_log_format ij_log_output_format; /* IJ_LOG_FORMAT_JSON unless configured */

/* A named value added to a line: a JSON member, or " key=value" in text. */
typedef enum { IJ_LOG_FIELD_STR, IJ_LOG_FIELD_INT, IJ_LOG_FIELD_MS } ij_log_field_kind;
typedef struct {
  const char *key; /* a constant name: written as it is, never escaped */
  ij_log_field_kind kind;
  const char *str; /* IJ_LOG_FIELD_STR (borrowed); NULL leaves the field out */
  long long num;   /* IJ_LOG_FIELD_INT */
  double ms;       /* IJ_LOG_FIELD_MS: written with three decimals */
} ij_log_field;

void ij_log_write(ij_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* As ij_log_write, with fields after the message (nfields may be 0). */
void ij_log_write_fields(ij_log_level level, const ij_log_field *fields, int nfields,
                         const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The request id for this thread's log lines (borrowed until cleared with NULL). */
void ij_log_set_request_id(const char *request_id);
/* "debug", "info", "warn", "error"; returns -1 for anything else. */
int ij_log_level_parse(const char *s);
/* "json", "text"; returns -1 for anything else. */
int ij_log_format_parse(const char *s);

/* One log line, newline included, into out (NUL-terminated; a line that does not fit is cut
 * short and still ends with a newline, and in JSON stays one valid object). `when_us` is
 * microseconds since the epoch; request_id and msg may be NULL. Returns the length written. The
 * formatter behind ij_log_write, exposed for tests. */
size_t ij_log_format_line(char *out, size_t size, ij_log_format format, long long when_us,
                          ij_log_level level, const char *request_id, const char *msg,
                          const ij_log_field *fields, int nfields);

#define ij_log_enabled(level) ((level) >= ij_log_min_level)

#define ij_log(level, ...)                \
  do {                                    \
    if (ij_log_enabled(level))            \
      ij_log_write((level), __VA_ARGS__); \
  } while (0)

#define ij_log_fields(level, fields, nfields, ...)                    \
  do {                                                                \
    if (ij_log_enabled(level))                                        \
      ij_log_write_fields((level), (fields), (nfields), __VA_ARGS__); \
  } while (0)

#endif
