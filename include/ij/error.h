/* One error list for the whole service (X-macro): codes, names and messages are generated from it.
 * Only the http layer maps a code to an HTTP status and a problem type. */
#ifndef IJ_ERROR_H
#define IJ_ERROR_H

/* X(code, name, message) */
#define IJ_ERROR_LIST(X)                                                                          \
  X(IJ_OK, "ok", "success")                                                                       \
  X(IJ_ERR_INVALID, "invalid", "the request is not valid")                                        \
  X(IJ_ERR_MALFORMED, "malformed", "the request body could not be parsed")                        \
  X(IJ_ERR_UNAUTHENTICATED, "unauthenticated", "a valid bearer token is required")                \
  X(IJ_ERR_FORBIDDEN, "forbidden", "your role does not allow this")                               \
  X(IJ_ERR_NOT_FOUND, "not_found", "no such resource")                                            \
  X(IJ_ERR_METHOD, "method_not_allowed", "method not allowed on this resource")                   \
  X(IJ_ERR_TRANSITION, "illegal_transition", "this event is not allowed in the current state")    \
  X(IJ_ERR_CONFLICT, "conflict", "the request conflicts with the current state")                  \
  X(IJ_ERR_IDEMPOTENCY, "idempotency_mismatch",                                                   \
    "the Idempotency-Key was already used with a different request")                              \
  X(IJ_ERR_STALE, "stale_version", "the resource has changed since you read it")                  \
  X(IJ_ERR_PRECONDITION_REQUIRED, "precondition_required", "an If-Match header is required")      \
  X(IJ_ERR_TOO_LARGE, "payload_too_large", "the request body is too large")                       \
  X(IJ_ERR_MEDIA_TYPE, "unsupported_media_type", "the request body's media type is not accepted") \
  X(IJ_ERR_NOT_ACCEPTABLE, "not_acceptable", "the requested representation is not available")     \
  X(IJ_ERR_UNAVAILABLE, "unavailable", "the service is temporarily unavailable")                  \
  X(IJ_ERR_NOMEM, "out_of_memory", "out of memory")                                               \
  X(IJ_ERR_INTERNAL, "internal", "internal error")

typedef enum {
#define IJ_ERROR_ENUM(code, name, message) code,
  IJ_ERROR_LIST(IJ_ERROR_ENUM)
#undef IJ_ERROR_ENUM
      IJ_ERR__COUNT
} ij_err;

/* Both return static strings (borrowed, never NULL). */
const char *ij_err_name(ij_err e);
const char *ij_err_message(ij_err e);

#endif
