/* Connections beyond the instance's limit, answered at once instead of left waiting. */
#ifndef IJ_HTTP_OVERFLOW_H
#define IJ_HTTP_OVERFLOW_H

#include <stdbool.h>

typedef struct ij_overflow ij_overflow;

/* Counts the open connections against `limit` (ij_overflow_opened and _closed, from
 * libmicrohttpd's connection notifications, from the daemon's start). NULL without memory. */
ij_overflow *ij_overflow_new(int limit);

/* While the count is at the limit, libmicrohttpd no longer accepts on `listen_fd`, and new
 * connections would wait in the kernel's queue for as long as the open ones last; from now on a
 * thread of its own then accepts each one, writes a 503 with Retry-After and Connection: close, and
 * closes it. False when the thread cannot be started. */
bool ij_overflow_watch(ij_overflow *o, int listen_fd);

void ij_overflow_opened(ij_overflow *o);
void ij_overflow_closed(ij_overflow *o);

/* Connections answered 503 so far. */
unsigned long ij_overflow_refused(ij_overflow *o);

/* Stops the thread, before the listening socket is quiesced or closed. Again is fine. */
void ij_overflow_stop(ij_overflow *o);

/* Frees, once no notification can come (the daemon has stopped). NULL is fine. */
void ij_overflow_free(ij_overflow *o);

#endif
