#include "ij/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

ij_log_level ij_log_min_level = IJ_LOG_INFO;

static _Thread_local const char *current_request_id;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void ij_log_set_request_id(const char *request_id) {
  current_request_id = request_id;
}

int ij_log_level_parse(const char *s) {
  for (int i = 0; i < 4; i++)
    if (s && strcmp(s, level_names[i]) == 0)
      return i;
  return -1;
}

void ij_log_write(ij_log_level level, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm;
  gmtime_r(&ts.tv_sec, &tm);
  char when[32];
  strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
  int lv = (level >= IJ_LOG_DEBUG && level <= IJ_LOG_ERROR) ? (int)level : IJ_LOG_ERROR;
  /* one fprintf per line: stdio locks the stream, so lines from threads do not interleave */
  if (current_request_id)
    fprintf(stderr, "%s.%03ldZ %s [%s] %s\n", when, ts.tv_nsec / 1000000, level_names[lv],
            current_request_id, msg);
  else
    fprintf(stderr, "%s.%03ldZ %s %s\n", when, ts.tv_nsec / 1000000, level_names[lv], msg);
}
