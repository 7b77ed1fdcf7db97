/* Idempotency-Key on the route table's idempotent rows: the dispatcher claims the key before the
 * handler runs and keeps the answer it sent after, so that every such route honours the key the
 * same way and no handler repeats it. POST /v1/referrals keeps its key in the referral's own
 * transaction instead (referrals.c), sharing the key's rule and the table. */
#include <gnutls/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ij/log.h"
#include "ij/ops_idempotency.h"
#include "ij/str.h"
#include "internal.h"

const char *const ij_idem_routes[] = {
    "POST /v1/referrals/{id}/transitions",
    "PATCH /v1/referrals/{id}",
    "POST /v1/referrals/{id}/bookings",
    "POST /v1/bookings/{id}/sign-in",
    "POST /v1/bookings/{id}/sign-out",
    "POST /v1/bookings/{id}/outcome",
    "POST /v1/sessions/{id}/outcomes",
    "POST /v1/sessions/{id}/walk-ins",
    "PATCH /v1/followups/{id}",
    "POST /v1/non-associations",
    NULL,
};

bool ij_idem_route(const ij_route *route) {
  size_t m = strlen(route->method);
  for (const char *const *r = ij_idem_routes; *r; r++)
    if (strncmp(*r, route->method, m) == 0 && (*r)[m] == ' ' &&
        strcmp(*r + m + 1, route->path) == 0)
      return true;
  return false;
}

static long long monotonic_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static ij_time_us clock_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (ij_time_us)ts.tv_sec * IJ_US_PER_SECOND + ts.tv_nsec / 1000;
}

static bool hex_digest(gnutls_hash_hd_t h, char out[65]) {
  unsigned char digest[32];
  gnutls_hash_deinit(h, digest);
  for (int i = 0; i < 32; i++)
    snprintf(out + 2 * i, 3, "%02x", digest[i]);
  return true;
}

bool ij_idem_body_hash(ij_ctx *ctx, char out[65]) {
  gnutls_hash_hd_t h;
  if (gnutls_hash_init(&h, GNUTLS_DIG_SHA256) != 0)
    return false;
  if (gnutls_hash(h, ctx->req->binary_body ? ctx->req->binary_body : "",
                  ctx->req->binary_body_length) != 0) {
    gnutls_hash_deinit(h, NULL);
    return false;
  }
  return hex_digest(h, out);
}

/* One part of the request, its length first, so that no two requests hash alike by moving bytes
 * from one part to the next. */
static int hash_part(gnutls_hash_hd_t h, const void *data, size_t len) {
  char prefix[24];
  int n = snprintf(prefix, sizeof prefix, "%zu:", len);
  if (gnutls_hash(h, prefix, (size_t)n) != 0)
    return -1;
  return len ? gnutls_hash(h, data, len) : 0;
}

/* The request a key stands for: the method, the route, its {id}, the If-Match header (a request
 * made on another version is another request) and the body's bytes. */
static bool request_hash(ij_ctx *ctx, char out[65]) {
  gnutls_hash_hd_t h;
  if (gnutls_hash_init(&h, GNUTLS_DIG_SHA256) != 0)
    return false;
  const char *if_match = ij_header(ctx, "If-Match");
  const char *id = ctx->id ? ctx->id : "";
  const void *body = ctx->req->binary_body ? ctx->req->binary_body : "";
  int rc = hash_part(h, ctx->route->method, strlen(ctx->route->method));
  if (rc == 0)
    rc = hash_part(h, ctx->route->path, strlen(ctx->route->path));
  if (rc == 0)
    rc = hash_part(h, id, strlen(id));
  /* absent and empty differ */
  if (rc == 0)
    rc = if_match ? hash_part(h, if_match, strlen(if_match)) : gnutls_hash(h, "-", 1);
  if (rc == 0)
    rc = hash_part(h, body, ctx->req->binary_body_length);
  if (rc != 0) {
    gnutls_hash_deinit(h, NULL);
    return false;
  }
  return hex_digest(h, out);
}

/* The kept answer, as it was first sent, saying it is a replay. */
static void send_kept(ij_ctx *ctx, const ij_idem_row *kept) {
  const char *body = kept->body ? kept->body : "";
  ulfius_set_binary_body_response(ctx->res, (unsigned)kept->status, body, strlen(body));
  if (kept->content_type)
    ij_set_header(ctx, "Content-Type", kept->content_type);
  if (kept->etag)
    ij_set_header(ctx, "ETag", kept->etag);
  if (kept->location)
    ij_set_header(ctx, "Location", kept->location);
  ij_set_header(ctx, "Idempotent-Replayed", "true");
  ctx->status = kept->status;
}

static ij_idem_request request_of(const ij_idem_call *call) {
  return (ij_idem_request){call->key, call->hash, call->route};
}

bool ij_idem_before(ij_ctx *ctx, ij_idem_call *call) {
  memset(call, 0, sizeof *call);
  const char *key = ij_header(ctx, "Idempotency-Key");
  if (!key)
    return true;
  if (!ij_domain_idem_key_ok(key)) {
    ij_field_errors errs;
    ij_field_errors_init(&errs);
    ij_field_errors_add(&errs, "Idempotency-Key", IJ_IDEM_KEY_RULE);
    ij_send_problem(ctx, IJ_ERR_INVALID, NULL, &errs);
    return false;
  }
  ij_str_copy(call->key, sizeof call->key, key);
  snprintf(call->route, sizeof call->route, "%s %s", ctx->route->method, ctx->route->path);
  if (!request_hash(ctx, call->hash)) {
    ij_send_problem(ctx, IJ_ERR_INTERNAL, NULL, NULL);
    return false;
  }
  ij_conn *conn = ij_ctx_conn(ctx);
  if (!conn)
    return false;
  ij_idem_request req = request_of(call);
  long long deadline = monotonic_us() + IJ_IDEM_WAIT_MS * 1000LL;
  long pause_ms = 10;
  for (;;) {
    ij_op_ctx op = ij_ctx_op(ctx);
    op.now = clock_now();
    ij_idem_outcome outcome;
    ij_idem_row kept;
    ij_time_us claimed_at;
    ij_err err =
        ij_ops_idempotency_claim(conn, &op, &ctx->actor, &req, &outcome, &kept, &claimed_at);
    if (err == IJ_ERR_IDEMPOTENCY) {
      ij_send_problem(
          ctx, err, "this Idempotency-Key was used with a different request; use a new key", NULL);
      return false;
    }
    if (err != IJ_OK) {
      ij_send_store_error(ctx, err, NULL);
      return false;
    }
    if (outcome == IJ_IDEM_RUN) {
      call->claimed = true;
      call->claimed_at = claimed_at;
      return true;
    }
    if (outcome == IJ_IDEM_KEPT) {
      send_kept(ctx, &kept);
      ij_idem_row_clear(&kept);
      return false;
    }
    /* the first request with the key is still running: wait for its answer, a while */
    if (monotonic_us() >= deadline) {
      char retry[16];
      snprintf(retry, sizeof retry, "%d", IJ_IDEM_RETRY_AFTER_SECONDS);
      ij_set_header(ctx, "Retry-After", retry);
      ij_field_errors errs;
      ij_field_errors_init(&errs);
      ij_field_errors_add(&errs, "Idempotency-Key",
                          "a request with this key is still being answered; send it again "
                          "shortly to get its answer");
      ij_send_problem(ctx, IJ_ERR_CONFLICT,
                      "a request with this Idempotency-Key is still being answered; send it "
                      "again shortly to get its answer",
                      &errs);
      return false;
    }
    struct timespec pause = {0, pause_ms * 1000 * 1000};
    nanosleep(&pause, NULL);
    if (pause_ms < 100)
      pause_ms *= 2;
  }
}

void ij_idem_after(ij_ctx *ctx, ij_idem_call *call) {
  if (!call->claimed)
    return;
  call->claimed = false;
  const struct _u_response *res = ctx->res;
  int status = ctx->status; /* 0: the handler sent nothing of its own, nothing to keep */
  size_t len = res->binary_body ? res->binary_body_length : 0;
  char *body = malloc(len + 1);
  if (body) {
    if (len)
      memcpy(body, res->binary_body, len);
    body[len] = 0;
  }
  ij_idem_answer answer = {
      status,
      /* kept as text: a body with a NUL byte in it is not kept (the claim is forgotten) */
      status && body && strlen(body) == len ? body : NULL,
      u_map_get_case(res->map_header, "ETag"),
      u_map_get_case(res->map_header, "Location"),
      u_map_get_case(res->map_header, "Content-Type"),
  };
  ij_idem_request req = request_of(call);
  ij_op_ctx op = ij_ctx_op(ctx);
  /* the claim's connection, held until the dispatcher is done */
  ij_err err = ctx->conn ? ij_ops_idempotency_finish(ctx->conn, &op, &ctx->actor, &req,
                                                     call->claimed_at, &answer, NULL)
                         : IJ_ERR_UNAVAILABLE;
  /* the answer still goes out; the claim stays pending until a repeat takes it over */
  if (err != IJ_OK)
    ij_log(IJ_LOG_ERROR, "idempotency: the answer of %s could not be kept: %s", call->route,
           ij_err_name(err));
  free(body);
}
