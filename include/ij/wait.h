/* Waits on condition variables on the monotonic clock: the background threads' pause (the
 * outbox, retention, the access-log writer), which ends after a time or once stopped, and a wait
 * for a turn until a deadline (the statistics). */
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

/* The monotonic clock `ms` milliseconds from now, in milliseconds: a deadline for
 * ij_cond_wait_until. */
long long ij_deadline_ms(long ms);

/* With mu held: waits on cv (made by ij_cond_init_monotonic) until it is signalled or the
 * monotonic clock reaches deadline_ms. False once the deadline has passed. Spurious wake-ups
 * return true: the caller looks at what it waits for again. */
bool ij_cond_wait_until(pthread_cond_t *cv, pthread_mutex_t *mu, long long deadline_ms);

#endif
