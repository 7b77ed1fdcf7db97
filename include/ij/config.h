/* Configuration: read once from the environment at start, checked against a typed table of
 * settings with defaults and bounds. */
#ifndef IJ_CONFIG_H
#define IJ_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "ij/domain.h"
#include "ij/error.h"

typedef struct {
  const char *database_url;       /* DATABASE_URL: the service's role, bound by row security */
  const char *database_owner_url; /* DATABASE_OWNER_URL: the owner, for migrate and seed */
  const char *database_url_read;  /* DATABASE_URL_READ: a hot standby for the statistics, or NULL */
  int read_max_lag_seconds;       /* IJ_READ_MAX_LAG_SECONDS: further behind, the primary answers */
  char listen_host[64];           /* from IJ_LISTEN host:port */
  int listen_port;
  int threads;
  int db_pool;
  int db_acquire_timeout_ms;
  bool db_prepare;
  const char *jwks_file;
  const char *jwt_private_key_file;
  const char *jwt_issuer;
  const char *jwt_audience;
  long max_body_bytes;
  long max_import_bytes;
  int max_connections;
  int connection_timeout_seconds;
  int request_timeout_seconds;     /* IJ_REQUEST_TIMEOUT_SECONDS */
  int max_connections_per_address; /* IJ_MAX_CONNECTIONS_PER_ADDRESS */
  int shutdown_grace_seconds;      /* on SIGTERM: how long requests in flight may take to finish */
  int log_level;
  int log_format;         /* ij_log_format: IJ_LOG_FORMAT */
  int outbox_interval_ms; /* between delivery rounds of the notice outbox */
  int outbox_batch;       /* notices claimed per round */
  ij_area_rules area_defaults;
  int suppress_min_count;          /* IJ_SUPPRESS_MIN_COUNT */
  int stats_concurrency;           /* IJ_STATS_CONCURRENCY */
  int stats_timeout_seconds;       /* IJ_STATS_TIMEOUT_SECONDS */
  int suppress_min_denominator;    /* IJ_SUPPRESS_MIN_DENOMINATOR */
  int retention_months;            /* IJ_RETENTION_MONTHS: erasure after a referral ends */
  int retention_interval_hours;    /* IJ_RETENTION_INTERVAL_HOURS: 0, no schedule in serve */
  int access_log_retention_months; /* IJ_ACCESS_LOG_RETENTION_MONTHS: the access log's rows */
} ij_config;

/* What a command needs: settings not needed are still checked when set. */
enum { IJ_NEED_DATABASE = 1, IJ_NEED_JWKS = 2, IJ_NEED_PRIVATE_KEY = 4 };

/* Reads and checks the environment. On IJ_ERR_INVALID, `problems` holds one line per bad or
 * missing setting, naming it and saying what it must be. Strings point into the environment. */
ij_err ij_config_load(ij_config *out, int needs, char *problems, size_t problems_size);

/* The settings table, for `ij help`: one line per setting with its default. */
void ij_config_describe(char *out, size_t size);

#endif
