/* The outbox worker: a thread that, every interval, has the due notices of each area delivered
 * (ij_ops_deliver_notices: claimed with row locks, SKIP LOCKED, and recorded in one transaction
 * per area and batch), posting each to its area's webhook with libcurl, then each area's due
 * messages to GOV.UK Notify (ij_ops_deliver_messages, the same way; notify.c makes the request).
 * A stop request wakes the thread's timed wait and aborts a transfer in progress. */
#include "ij/outbox.h"

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ij/wait.h"
#include "ij/log.h"
#include "ij/ops.h"
#include "ij/ops_message_delivery.h"
#include "ij/ops_messages.h"
#include "outbox_internal.h"

struct ij_outbox {
  ij_store *store;
  ij_outbox_options opts;
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t cv; /* on CLOCK_MONOTONIC */
  atomic_bool stopping;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_FAILED_INIT;

static void curl_init(void) {
  curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* ---- the signature ---- */

ij_err ij_outbox_signature(const char *secret, long long t, const char *body, char *out,
                           size_t size) {
  if (!secret || !body || !out || size < IJ_SIGNATURE_BUF)
    return IJ_ERR_INVALID;
  /* HMAC-SHA256(secret, "<t>.<body>"): the timestamp is signed with the body, so a receiver that
   * refuses an old t refuses a replayed delivery */
  char prefix[32];
  int plen = snprintf(prefix, sizeof prefix, "%lld.", t);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  ij_err err = IJ_ERR_INTERNAL;
  /* OpenSSL 3's HMAC through EVP_MAC (the HMAC_CTX functions are deprecated there) */
  EVP_MAC *m = EVP_MAC_fetch(NULL, "HMAC", NULL);
  EVP_MAC_CTX *c = m ? EVP_MAC_CTX_new(m) : NULL;
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", (char *)"SHA256", 0),
                         OSSL_PARAM_construct_end()};
  size_t got = 0;
  if (c && EVP_MAC_init(c, (const unsigned char *)secret, strlen(secret), params) == 1 &&
      EVP_MAC_update(c, (const unsigned char *)prefix, (size_t)plen) == 1 &&
      EVP_MAC_update(c, (const unsigned char *)body, strlen(body)) == 1 &&
      EVP_MAC_final(c, mac, &got, sizeof mac) == 1) {
    mac_len = (unsigned int)got;
    err = IJ_OK;
  }
  EVP_MAC_CTX_free(c);
  EVP_MAC_free(m);
  if (err != IJ_OK || mac_len != 32)
    return IJ_ERR_INTERNAL;
  int n = snprintf(out, size, "t=%lld,v1=", t);
  for (unsigned i = 0; i < mac_len && (size_t)n + 2 < size; i++)
    n += snprintf(out + n, size - (size_t)n, "%02x", mac[i]);
  OPENSSL_cleanse(mac, sizeof mac);
  return IJ_OK;
}

/* ---- one delivery ---- */

typedef enum { POST_DELIVERED, POST_FAILED, POST_ABANDONED } post_result;

static size_t discard_body(char *p, size_t size, size_t n, void *user) {
  (void)p;
  (void)user;
  return size * n;
}

/* The stop flag is looked at every STOP_TICK_MS. */
#define STOP_TICK_MS 50

CURLcode ij_outbox_perform(CURLM *m, CURL *c, atomic_bool *stop, bool *abandoned) {
  *abandoned = false;
  if (curl_multi_add_handle(m, c) != CURLM_OK)
    return CURLE_FAILED_INIT;
  CURLcode rc = CURLE_FAILED_INIT;
  int running = 1;
  for (;;) {
    if (curl_multi_perform(m, &running) != CURLM_OK)
      break;
    if (!running) {
      int left;
      CURLMsg *msg;
      while ((msg = curl_multi_info_read(m, &left)))
        if (msg->msg == CURLMSG_DONE && msg->easy_handle == c)
          rc = msg->data.result;
      break;
    }
    if (stop && atomic_load(stop)) {
      *abandoned = true;
      break;
    }
    if (curl_multi_poll(m, NULL, 0, STOP_TICK_MS, NULL) != CURLM_OK)
      break;
  }
  curl_multi_remove_handle(m, c);
  return rc;
}

static post_result post(CURLM *m, CURL *c, const ij_notice_delivery *n, atomic_bool *stop,
                        char *error, size_t error_size) {
  char notice_header[96];
  snprintf(notice_header, sizeof notice_header, "X-Notice-Id: %s", n->id);
  /* signed when the area has a secret; the time is the moment of this attempt, so that a receiver
   * can refuse a replay of an old delivery */
  char signature[IJ_SIGNATURE_BUF + 32] = "";
  if (n->secret) {
    memcpy(signature, "X-IJ-Signature: ", 16);
    if (ij_outbox_signature(n->secret, (long long)time(NULL), n->body, signature + 16,
                            sizeof signature - 16) != IJ_OK) {
      snprintf(error, error_size, "could not sign the delivery");
      return POST_FAILED;
    }
  }
  struct curl_slist *all = curl_slist_append(NULL, "Content-Type: application/json");
  const char *more[] = {notice_header, "Expect:" /* no 100-continue round trip before the body */,
                        signature[0] ? signature : NULL};
  for (size_t i = 0; all && i < sizeof more / sizeof more[0] && more[i]; i++) {
    struct curl_slist *grown = curl_slist_append(all, more[i]);
    if (!grown) {
      curl_slist_free_all(all);
      all = NULL;
    } else {
      all = grown;
    }
  }
  if (!all) {
    snprintf(error, error_size, "out of memory");
    return POST_FAILED;
  }
  char curl_error[CURL_ERROR_SIZE] = "";
  curl_easy_reset(c);
  curl_easy_setopt(c, CURLOPT_URL, n->url);
#if LIBCURL_VERSION_NUM >= 0x075500
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
  curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, all);
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, n->body);
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(n->body));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, IJ_OUTBOX_TIMEOUT_MS);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "immediate-justice-outbox/1");
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard_body);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_error);
  bool abandoned;
  CURLcode rc = ij_outbox_perform(m, c, stop, &abandoned);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(all);
  if (abandoned)
    return POST_ABANDONED;
  if (rc != CURLE_OK) {
    snprintf(error, error_size, "%s%s%s", curl_easy_strerror(rc), curl_error[0] ? ": " : "",
             curl_error);
    return POST_FAILED;
  }
  if (status < 200 || status > 299) {
    snprintf(error, error_size, "HTTP status %ld", status);
    return POST_FAILED;
  }
  return POST_DELIVERED;
}

/* ---- one round ---- */

/* What the sender needs beside the notice or message: the transfer handles, made on the first
 * one of a round (a round with nothing due makes none), and the stop flag. */
typedef struct {
  CURLM *m;
  CURL *c;
  atomic_bool *stop;
} sender;

static bool sender_ready(sender *s) {
  if (!s->m)
    s->m = curl_multi_init();
  if (!s->c)
    s->c = curl_easy_init();
  return s->m && s->c;
}

static ij_delivery send_notice(const ij_notice_delivery *n, void *arg, char *error,
                               size_t error_size) {
  sender *s = arg;
  if (!sender_ready(s)) {
    snprintf(error, error_size, "out of memory");
    return IJ_DELIVERY_FAILED;
  }
  post_result r = post(s->m, s->c, n, s->stop, error, error_size);
  if (r == POST_DELIVERED) {
    ij_log(IJ_LOG_DEBUG, "notice %s delivered", n->id);
    return IJ_DELIVERY_DELIVERED;
  }
  if (r == POST_ABANDONED)
    return IJ_DELIVERY_ABANDONED;
  ij_log(IJ_LOG_WARN, "notice %s not delivered (attempt %d): %s", n->id, n->attempts + 1, error);
  return IJ_DELIVERY_FAILED;
}

static void send_message(const ij_message_delivery *m, void *arg, ij_notify_answer *out) {
  sender *s = arg;
  if (!sender_ready(s)) {
    memset(out, 0, sizeof *out);
    snprintf(out->error, sizeof out->error, "out of memory");
    return;
  }
  ij_outbox_notify_post(s->m, s->c, s->stop, m, out);
  /* the message's id and Notify's answer only: never its address, its key or the JWT */
  if (out->abandoned)
    return;
  if (out->status >= 200 && out->status <= 299)
    ij_log(IJ_LOG_DEBUG, "message %s accepted by Notify as %s", m->id,
           out->notify_id[0] ? out->notify_id : "(no id)");
  else
    ij_log(IJ_LOG_WARN, "message %s not accepted by Notify (attempt %d): %s", m->id,
           m->attempts + 1, out->error);
}

/* What a round did. claimed: the largest batch claimed (a full one means more may be due). */
typedef struct {
  int delivered, failed; /* notices */
  int sent, not_sent;    /* messages: accepted by Notify; failed attempts (retried or given up) */
  int claimed;
} round_counts;

static ij_time_us clock_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (ij_time_us)ts.tv_sec * IJ_US_PER_SECOND + ts.tv_nsec / 1000;
}

/* The messages of each area the outbox serves, due at now. */
static ij_err deliver_messages(ij_conn *conn, int batch, ij_time_us now, sender *snd,
                               atomic_bool *stop, round_counts *out) {
  ij_rows areas;
  ij_err err = ij_ops_message_areas(conn, &areas);
  for (int i = 0; err == IJ_OK && i < areas.count && !(stop && atomic_load(stop)); i++) {
    const char *area = ij_rows_get(&areas, i, 0);
    /* the reminders of the area that fall due by now are made first, so that a reminder made in
     * this round is sent in it; a failure to make them is logged and the area's due messages are
     * still delivered (the next round makes the reminders: each is made once) */
    int made = 0;
    ij_err remind = ij_ops_messages_remind(conn, area, now, &made);
    if (remind != IJ_OK)
      ij_log(IJ_LOG_WARN, "outbox: reminders of area %s not made: %s", area,
             ij_err_message(remind));
    else if (made)
      ij_log(IJ_LOG_INFO, "outbox: %d reminders of area %s made", made, area);
    ij_message_round r;
    err = ij_ops_deliver_messages(conn, area, now, batch, send_message, snd, &r);
    out->sent += r.sent;
    out->not_sent += r.retried + r.failed;
    if (r.cancelled)
      ij_log(IJ_LOG_INFO, "outbox: %d reminders of area %s no longer wanted", r.cancelled, area);
    if (r.claimed > out->claimed)
      out->claimed = r.claimed;
  }
  ij_rows_clear(&areas);
  return err;
}

/* One round at `now` (the messages' clock): a batch of each area that has notices due, then a
 * batch of each area's due messages. */
static ij_err run_round(ij_store *store, int batch, ij_time_us now, atomic_bool *stop,
                        round_counts *out) {
  memset(out, 0, sizeof *out);
  pthread_once(&curl_once, curl_init);
  if (curl_init_rc != CURLE_OK)
    return IJ_ERR_INTERNAL;
  ij_conn *conn = NULL;
  ij_err err = ij_store_acquire(store, &conn);
  if (err != IJ_OK)
    return err;
  sender snd = {NULL, NULL, stop};
  ij_rows areas;
  err = ij_store_notice_due_areas(conn, &areas);
  for (int i = 0; err == IJ_OK && i < areas.count && !(stop && atomic_load(stop)); i++) {
    int d = 0, f = 0, n = 0;
    err = ij_ops_deliver_notices(conn, ij_rows_get(&areas, i, 0), batch, send_notice, &snd, &d, &f,
                                 &n);
    out->delivered += d;
    out->failed += f;
    if (n > out->claimed)
      out->claimed = n;
  }
  ij_rows_clear(&areas);
  /* a failure of the notices' delivery does not hold up the messages' */
  ij_err merr = IJ_OK;
  if (!(stop && atomic_load(stop)))
    merr = deliver_messages(conn, batch, now, &snd, stop, out);
  if (err == IJ_OK)
    err = merr;
  if (snd.m)
    curl_multi_cleanup(snd.m);
  if (snd.c)
    curl_easy_cleanup(snd.c);
  ij_store_release(store, conn);
  return err;
}

ij_err ij_outbox_run_once(ij_store *store, int batch, int *delivered, int *failed) {
  if (!store || batch < 1 || batch > 1000)
    return IJ_ERR_INVALID;
  round_counts counts;
  ij_err err = run_round(store, batch, clock_now(), NULL, &counts);
  if (delivered)
    *delivered = counts.delivered;
  if (failed)
    *failed = counts.failed;
  return err;
}

ij_err ij_outbox_run_once_at(ij_store *store, int batch, ij_time_us now, int *sent, int *failed) {
  if (!store || batch < 1 || batch > 1000)
    return IJ_ERR_INVALID;
  round_counts counts;
  ij_err err = run_round(store, batch, now, NULL, &counts);
  if (sent)
    *sent = counts.sent;
  if (failed)
    *failed = counts.not_sent;
  return err;
}

/* ---- the worker thread ---- */

static void *worker(void *arg) {
  ij_outbox *o = arg;
  ij_log(IJ_LOG_INFO, "outbox: delivering notices every %d ms, %d at a time", o->opts.interval_ms,
         o->opts.batch);
  while (!atomic_load(&o->stopping)) {
    round_counts c;
    ij_err err = run_round(o->store, o->opts.batch, clock_now(), &o->stopping, &c);
    if (err != IJ_OK)
      ij_log(IJ_LOG_WARN, "outbox: round failed: %s", ij_err_message(err));
    else if (c.delivered || c.failed || c.sent || c.not_sent)
      ij_log(IJ_LOG_INFO, "outbox: notices %d delivered, %d failed; messages %d sent, %d not sent",
             c.delivered, c.failed, c.sent, c.not_sent);
    /* a full batch: more may be due, go again at once */
    if (err == IJ_OK && c.claimed == o->opts.batch)
      continue;
    pthread_mutex_lock(&o->mu);
    ij_wait_or_stop(&o->cv, &o->mu, o->opts.interval_ms, &o->stopping);
    pthread_mutex_unlock(&o->mu);
  }
  return NULL;
}

ij_err ij_outbox_start(ij_store *store, const ij_outbox_options *opts, ij_outbox **out) {
  *out = NULL;
  if (!store || !opts || opts->interval_ms < 10 || opts->interval_ms > 3600000 || opts->batch < 1 ||
      opts->batch > 1000)
    return IJ_ERR_INVALID;
  pthread_once(&curl_once, curl_init); /* before any thread uses libcurl */
  if (curl_init_rc != CURLE_OK)
    return IJ_ERR_INTERNAL;
  ij_outbox *o = calloc(1, sizeof *o);
  if (!o)
    return IJ_ERR_NOMEM;
  o->store = store;
  o->opts = *opts;
  atomic_init(&o->stopping, false);
  pthread_mutex_init(&o->mu, NULL);
  ij_cond_init_monotonic(&o->cv);
  if (pthread_create(&o->thread, NULL, worker, o) != 0) {
    pthread_cond_destroy(&o->cv);
    pthread_mutex_destroy(&o->mu);
    free(o);
    return IJ_ERR_INTERNAL;
  }
  *out = o;
  return IJ_OK;
}

void ij_outbox_stop(ij_outbox *o) {
  if (!o)
    return;
  pthread_mutex_lock(&o->mu);
  atomic_store(&o->stopping, true);
  pthread_cond_signal(&o->cv);
  pthread_mutex_unlock(&o->mu);
  pthread_join(o->thread, NULL);
  pthread_cond_destroy(&o->cv);
  pthread_mutex_destroy(&o->mu);
  free(o);
}
