/* Connections beyond IJ_MAX_CONNECTIONS. At its connection limit libmicrohttpd stops polling the
 * listening socket, so a new connection waits, unanswered, in the kernel's queue until one of the
 * open ones ends: for as long as slow clients hold them (up to IJ_REQUEST_TIMEOUT_SECONDS), or a
 * client's own timeout. A balancer would rather hear at once and try another instance. While the
 * limit is reached, this thread accepts each waiting connection, answers 503 with Retry-After, and
 * closes it; below the limit it sleeps and libmicrohttpd accepts as usual. */
#define _GNU_SOURCE /* accept4 */
#include "overflow.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ij/log.h"

struct ij_overflow {
  int listen_fd;
  int limit;
  atomic_int open;
  atomic_ulong refused;
  pthread_mutex_t mu;
  pthread_cond_t cv; /* signalled when the limit is reached, and at the stop */
  bool stopping;
  bool running; /* the thread; started and stopped by the daemon's owner only */
  pthread_t thread;
  char answer[512]; /* the whole 503 */
  size_t answer_len;
};

#define REFUSAL_BODY                                                                               \
  "{\"type\":\"/problems/unavailable\",\"title\":\"the service is temporarily unavailable\","      \
  "\"status\":503,\"detail\":\"this instance has as many connections as it takes; try again in a " \
  "moment\"}"

static long long seconds_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec;
}

/* Answers one waiting connection, if there is one. The request (if it came already) is read and
 * dropped first, so that the close sends the answer and a FIN, not a reset that could discard it.
 */
static void refuse_one(ij_overflow *o) {
  int fd = accept4(o->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd < 0)
    return; /* EAGAIN: libmicrohttpd took it, or the client gave up */
  char drop[4096];
  while (recv(fd, drop, sizeof drop, MSG_DONTWAIT) > 0) {
  }
  (void)send(fd, o->answer, o->answer_len, MSG_DONTWAIT | MSG_NOSIGNAL);
  shutdown(fd, SHUT_WR);
  close(fd);
  atomic_fetch_add(&o->refused, 1);
}

static void *run(void *arg) {
  ij_overflow *o = arg;
  long long logged_at = 0;
  unsigned long logged = 0;
  pthread_mutex_lock(&o->mu);
  while (!o->stopping) {
    if (atomic_load(&o->open) < o->limit) {
      pthread_cond_wait(&o->cv, &o->mu);
      continue;
    }
    pthread_mutex_unlock(&o->mu);
    struct pollfd p = {.fd = o->listen_fd, .events = POLLIN};
    int n = poll(&p, 1, 100); /* the stop and a fall below the limit are seen within 100 ms */
    if (n > 0 && (p.revents & POLLIN) && atomic_load(&o->open) >= o->limit)
      refuse_one(o);
    unsigned long refused = atomic_load(&o->refused);
    if (refused != logged && seconds_now() - logged_at >= 10) {
      ij_log(IJ_LOG_WARN, "at the connection limit (%d): %lu new connections answered 503",
             o->limit, refused - logged);
      logged = refused;
      logged_at = seconds_now();
    }
    pthread_mutex_lock(&o->mu);
  }
  pthread_mutex_unlock(&o->mu);
  return NULL;
}

ij_overflow *ij_overflow_new(int limit) {
  ij_overflow *o = calloc(1, sizeof *o);
  if (!o)
    return NULL;
  o->listen_fd = -1;
  o->limit = limit;
  atomic_init(&o->open, 0);
  atomic_init(&o->refused, 0);
  pthread_mutex_init(&o->mu, NULL);
  pthread_cond_init(&o->cv, NULL);
  int len = snprintf(o->answer, sizeof o->answer,
                     "HTTP/1.1 503 Service Unavailable\r\n"
                     "Content-Type: application/problem+json\r\n"
                     "Retry-After: 1\r\n"
                     "Cache-Control: no-store\r\n"
                     "Connection: close\r\n"
                     "Content-Length: %zu\r\n"
                     "\r\n%s",
                     sizeof REFUSAL_BODY - 1, REFUSAL_BODY);
  o->answer_len = (size_t)len;
  return o;
}

bool ij_overflow_watch(ij_overflow *o, int listen_fd) {
  if (!o || listen_fd < 0 || o->limit <= 0 || o->running)
    return false;
  o->listen_fd = listen_fd;
  if (pthread_create(&o->thread, NULL, run, o) != 0)
    return false;
  o->running = true;
  return true;
}

void ij_overflow_opened(ij_overflow *o) {
  if (o && atomic_fetch_add(&o->open, 1) + 1 == o->limit) {
    pthread_mutex_lock(&o->mu);
    pthread_cond_signal(&o->cv);
    pthread_mutex_unlock(&o->mu);
  }
}

void ij_overflow_closed(ij_overflow *o) {
  if (o)
    atomic_fetch_sub(&o->open, 1);
}

unsigned long ij_overflow_refused(ij_overflow *o) {
  return o ? atomic_load(&o->refused) : 0;
}

void ij_overflow_stop(ij_overflow *o) {
  if (!o || !o->running)
    return;
  pthread_mutex_lock(&o->mu);
  o->stopping = true;
  pthread_cond_signal(&o->cv);
  pthread_mutex_unlock(&o->mu);
  pthread_join(o->thread, NULL);
  o->running = false;
}

void ij_overflow_free(ij_overflow *o) {
  if (!o)
    return;
  ij_overflow_stop(o);
  pthread_cond_destroy(&o->cv);
  pthread_mutex_destroy(&o->mu);
  free(o);
}
