/* The HTTP layer: the only code that includes ulfius. Routes, handlers, problem+json. */
#ifndef IJ_HTTP_H
#define IJ_HTTP_H

#include <stdbool.h>
#include <stdio.h>

#include "ij/auth.h"
#include "ij/domain.h"
#include "ij/error.h"
#include "ij/store/pool.h"

typedef struct {
  const char *host; /* numeric IPv4 address */
  int port;         /* 0: any free port (see ij_http_port) */
  int threads;
  int max_connections;
  int connection_timeout_seconds;
  long max_body_bytes;
  long max_import_bytes; /* the body limit of file imports (text/csv) */
  ij_area_rules area_defaults;
  int suppress_min_count;          /* statistics: counts 1..this-1 are suppressed */
  int suppress_min_denominator;    /* statistics: rates on a smaller denominator are withheld */
  int stats_concurrency;           /* statistics requests reading at once; 0: any number */
  int stats_timeout_ms;            /* a statistics statement's bound; 0: none */
  int request_timeout_seconds;     /* a request's headers and body: the longest pause between their
                                      bytes before the connection is closed; 0: as idle ones */
  int max_connections_per_address; /* connections open at once from one client address; 0: any */
} ij_http_options;

/* Read routing: the statistics are read from `store` (a hot standby's pool) while its server is at
 * most max_lag_seconds behind the primary, else from the primary's pool. */
typedef struct {
  ij_store *store; /* borrowed: must outlive the server; NULL: the primary serves every read */
  int max_lag_seconds;
} ij_http_reads;

typedef struct ij_server ij_server;

/* Starts serving with the given pool and verifier (borrowed: they must outlive the server). */
ij_err ij_http_start(const ij_http_options *opts, ij_store *store, ij_auth *auth, ij_server **out);
/* As ij_http_start, with the statistics routed to a read pool as `reads` says (copied). */
ij_err ij_http_start_with_reads(const ij_http_options *opts, ij_store *store,
                                const ij_http_reads *reads, ij_auth *auth, ij_server **out);
int ij_http_port(const ij_server *server);
/* A graceful stop is ij_http_quiesce, ij_http_drain, then ij_http_stop. */
/* Stops accepting: new connections are refused from now on; requests already received go on, and
 * their answers close their connections. Safe to repeat. */
void ij_http_quiesce(ij_server *server);
/* Quiesces, then waits up to wait_ms for the requests in flight to finish; true when none is left
 * (idle kept-alive connections are not waited for). May be called again to wait longer. */
bool ij_http_drain(ij_server *server, int wait_ms);
/* Requests received and not yet answered. */
int ij_http_in_flight(ij_server *server);
/* Stops at once (a request still in flight is cut off) and frees the server. */
void ij_http_stop(ij_server *server);

/* Writes the personal-data access rows queued so far (normally written in batches every 200 ms
 * by a thread of the server), on the calling thread. */
ij_err ij_http_flush_audit(ij_server *server);

/* One line per served route: "METHOD /path/{param}". */
void ij_http_print_routes(FILE *out);

#endif
