/* The background threads' pause (the outbox, retention, the access-log writer): a condition
 * variable on the monotonic clock, and a wait on it that ends after a time or once stopped. */
#ifndef IJ_WAIT_H
#define IJ_WAIT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

/* Initialises cv on CLOCK_MONOTONIC (a change of the wall clock does not move its deadlines). */
void ij_cond_init_monotonic(pthread_cond_t *cv);

/* With mu held: waits on cv until `ms` milliseconds have passed or *stop is true (whoever sets it
 * signals cv under mu). Returns *stop. */
bool ij_wait_or_stop(pthread_cond_t *cv, pthread_mutex_t *mu, long ms, atomic_bool *stop);

#endif
