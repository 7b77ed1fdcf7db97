/* The Idempotency-Key of the routes the dispatcher answers once per key (the route table's
 * idempotent rows): claiming the key before the operation runs, and keeping its answer after. The
 * waiting between attempts is the caller's (no clock here): a claim that meets a request still
 * running says so and the caller tries again later, with a later op->now.
 *
 * Why the claim and the operation are not one transaction: the operations open and commit their
 * own. So a process that dies after an operation committed and before its answer was kept leaves
 * a pending claim; a repeat a minute later (IJ_IDEM_TAKE_OVER_US) takes it over and runs the
 * request again, and what it meets then is the operation's own guard (the If-Match version that
 * has moved on, the state that no longer allows the event, the booking that already exists), a
 * refusal rather than a second effect.
 *
 * Ownership: the connection, op, actor and request are borrowed for the call; *kept is the
 * caller's until ij_idem_row_clear. */
#ifndef IJ_OPS_IDEMPOTENCY_H
#define IJ_OPS_IDEMPOTENCY_H

#include "ij/domain_idempotency.h"
#include "ij/ops.h"
#include "ij/store/idempotency.h"

/* A request with a key (ij_domain_idem_key_ok: the caller checked it). */
typedef struct {
  const char *key;
  const char *request_hash; /* hex SHA-256 of the request: method, route, {id}, If-Match, body */
  const char *route;        /* "POST /v1/bookings/{id}/sign-in" */
} ij_idem_request;

typedef enum {
  IJ_IDEM_RUN,    /* the caller holds the claim (made at *claimed_at): run, then finish */
  IJ_IDEM_KEPT,   /* the first answer, in *kept: send it as it is */
  IJ_IDEM_PENDING /* the first request is still running: try again later */
} ij_idem_outcome;

/* One attempt to claim the key for actor in op's area at op->now: *outcome says what to do.
 * IJ_ERR_IDEMPOTENCY when the key came with another request. */
ij_err ij_ops_idempotency_claim(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                                const ij_idem_request *req, ij_idem_outcome *outcome,
                                ij_idem_row *kept, ij_time_us *claimed_at);

/* The answer the operation gave (strings borrowed; NULL when absent). */
typedef struct {
  int status;
  const char *body;
  const char *etag;
  const char *location;
  const char *content_type;
} ij_idem_answer;

/* After the operation answered, on the claim made at claimed_at: keeps the answer when the domain
 * keeps its status (ij_domain_idem_keeps), else forgets the claim so that a retry runs again.
 * *kept (may be NULL) says which. */
ij_err ij_ops_idempotency_finish(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                                 const ij_idem_request *req, ij_time_us claimed_at,
                                 const ij_idem_answer *answer, bool *kept);

#endif
