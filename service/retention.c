/* The retention schedule's thread. */
#include "ij/retention.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "ij/wait.h"
#include "ij/log.h"
#include "ij/ops.h"

#define FIRST_RUN_SECONDS 60
#define BATCH 500

struct ij_retention_worker {
  ij_store *store;
  ij_retention_policy policy;
  int interval_hours;
  atomic_bool stopping;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  pthread_t thread;
};

static ij_time_us now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (ij_time_us)ts.tv_sec * IJ_US_PER_SECOND + ts.tv_nsec / 1000;
}

/* Waits `seconds` or until stopped; true when stopped. */
static bool wait_or_stop(ij_retention_worker *w, long seconds) {
  pthread_mutex_lock(&w->mu);
  bool stopped = ij_wait_or_stop(&w->cv, &w->mu, seconds * 1000, &w->stopping);
  pthread_mutex_unlock(&w->mu);
  return stopped;
}

static void *run(void *arg) {
  ij_retention_worker *w = arg;
  ij_log(IJ_LOG_INFO,
         "retention: erasing personal data %d months after a referral ends, and the access"
         " log's rows %d months after they were written, every %d hours",
         w->policy.months, w->policy.access_log_months, w->interval_hours);
  long pause = FIRST_RUN_SECONDS;
  while (!wait_or_stop(w, pause)) {
    ij_retention_totals t;
    ij_err err = ij_ops_retention_run(w->store, NULL, &w->policy, now_us(), &t);
    if (err != IJ_OK)
      ij_log(IJ_LOG_WARN,
             "retention: run stopped (%s) after %lld referrals, %lld people and %lld access-log"
             " rows",
             ij_err_message(err), (long long)t.referrals, (long long)t.people,
             (long long)t.access_log);
    else if (t.referrals || t.people || t.access_log)
      ij_log(IJ_LOG_INFO,
             "retention: erased %lld referrals, %lld people and %lld access-log rows in %d areas",
             (long long)t.referrals, (long long)t.people, (long long)t.access_log, t.areas);
    pause = (long)w->interval_hours * 3600;
  }
  return NULL;
}

ij_err ij_retention_start(ij_store *store, int months, int access_log_months, int interval_hours,
                          ij_retention_worker **out) {
  *out = NULL;
  if (!store || months < 1 || months > 1200 || access_log_months < 6 || access_log_months > 1200 ||
      interval_hours < 1 || interval_hours > 8760)
    return IJ_ERR_INVALID;
  ij_retention_worker *w = calloc(1, sizeof *w);
  if (!w)
    return IJ_ERR_NOMEM;
  w->store = store;
  w->policy = (ij_retention_policy){months, access_log_months, BATCH};
  w->interval_hours = interval_hours;
  atomic_init(&w->stopping, false);
  pthread_mutex_init(&w->mu, NULL);
  ij_cond_init_monotonic(&w->cv);
  if (pthread_create(&w->thread, NULL, run, w) != 0) {
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w);
    return IJ_ERR_INTERNAL;
  }
  *out = w;
  return IJ_OK;
}

void ij_retention_stop(ij_retention_worker *w) {
  if (!w)
    return;
  pthread_mutex_lock(&w->mu);
  atomic_store(&w->stopping, true);
  pthread_cond_broadcast(&w->cv);
  pthread_mutex_unlock(&w->mu);
  pthread_join(w->thread, NULL);
  pthread_mutex_destroy(&w->mu);
  pthread_cond_destroy(&w->cv);
  free(w);
}
