/* Waits on monotonic condition variables: see ij/wait.h. */
#include "ij/wait.h"

#include <errno.h>
#include <time.h>

void ij_cond_init_monotonic(pthread_cond_t *cv) {
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(cv, &ca);
  pthread_condattr_destroy(&ca);
}

bool ij_wait_or_stop(pthread_cond_t *cv, pthread_mutex_t *mu, long ms, atomic_bool *stop) {
  struct timespec deadline;
  clock_gettime(CLOCK_MONOTONIC, &deadline);
  deadline.tv_sec += ms / 1000;
  deadline.tv_nsec += (ms % 1000) * 1000000L;
  if (deadline.tv_nsec >= 1000000000L) {
    deadline.tv_sec++;
    deadline.tv_nsec -= 1000000000L;
  }
  while (!atomic_load(stop))
    if (pthread_cond_timedwait(cv, mu, &deadline) == ETIMEDOUT)
      break;
  return atomic_load(stop);
}

long long ij_deadline_ms(long ms) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000 + ms;
}

bool ij_cond_wait_until(pthread_cond_t *cv, pthread_mutex_t *mu, long long deadline_ms) {
  if (ij_deadline_ms(0) >= deadline_ms)
    return false;
  struct timespec at = {(time_t)(deadline_ms / 1000), (long)(deadline_ms % 1000) * 1000000L};
  return pthread_cond_timedwait(cv, mu, &at) != ETIMEDOUT;
}
