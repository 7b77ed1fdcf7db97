/* A JSON text writer for the hottest representations: members are appended to one buffer as
 * they are written, with no tree of values between the row and the text (building a jansson tree
 * and dumping it was a fifth of a GET's CPU in the service). Strings are escaped as jansson
 * escapes them and must be UTF-8; a string that is not, a NULL where a string is required, nesting
 * deeper than IJ_JW_DEPTH or running out of memory marks the writer failed, and its text is then
 * NULL. */
#ifndef IJ_HTTP_JSONW_H
#define IJ_HTTP_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ij/domain.h"

#define IJ_JW_DEPTH 16

typedef struct {
  char *buf;
  size_t len, cap;
  bool failed;
  int depth;
  bool heap;
  bool has_member[IJ_JW_DEPTH + 1]; /* per open container: a member is already written */
  char closers[IJ_JW_DEPTH];        /* per open container: the character that closes it */
  char inline_buf[4096];            /* most representations fit without an allocation */
} ij_jw;

void ij_jw_init(ij_jw *w);
void ij_jw_free(ij_jw *w);

/* key: the member's name inside an object; NULL for an array's element or the top level */
void ij_jw_object(ij_jw *w, const char *key);
void ij_jw_array(ij_jw *w, const char *key);
void ij_jw_end(ij_jw *w); /* closes the innermost object or array */

void ij_jw_string(ij_jw *w, const char *key, const char *s); /* s NULL fails the writer */
void ij_jw_string_or_null(ij_jw *w, const char *key, const char *s);
void ij_jw_int(ij_jw *w, const char *key, long long v);
void ij_jw_int_or_null(ij_jw *w, const char *key, long long v); /* 0 is null */
void ij_jw_bool(ij_jw *w, const char *key, bool v);
void ij_jw_null(ij_jw *w, const char *key);
void ij_jw_time(ij_jw *w, const char *key, ij_time_us t);
void ij_jw_time_or_null(ij_jw *w, const char *key, ij_time_us t); /* 0 is null */
void ij_jw_date(ij_jw *w, const char *key, ij_date d);

/* The text, NUL-terminated, owned by the writer; NULL when it failed or a container is open. */
const char *ij_jw_text(const ij_jw *w, size_t *len);
/* The text as a malloc'd string the caller frees; NULL as ij_jw_text. */
char *ij_jw_take(ij_jw *w);

#endif
