/* Cheap logging: the level is checked before the arguments are evaluated. One line per call on
 * stderr, with the current thread's request id when one is set. */
#ifndef IJ_LOG_H
#define IJ_LOG_H

typedef enum { IJ_LOG_DEBUG, IJ_LOG_INFO, IJ_LOG_WARN, IJ_LOG_ERROR } ij_log_level;

extern ij_log_level ij_log_min_level;

void ij_log_write(ij_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The request id for this thread's log lines (borrowed until cleared with NULL). */
void ij_log_set_request_id(const char *request_id);
/* "debug", "info", "warn", "error"; returns -1 for anything else. */
int ij_log_level_parse(const char *s);

#define ij_log(level, ...)                \
  do {                                    \
    if ((level) >= ij_log_min_level)      \
      ij_log_write((level), __VA_ARGS__); \
  } while (0)

#endif
