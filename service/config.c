/* The settings table and its checks. */
#include "ij/config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ij/log.h"

typedef enum {
  SET_INT,
  SET_BOOL,
  SET_STRING,
  SET_LISTEN,
  SET_LOG_LEVEL,
  SET_LOG_FORMAT
} setting_kind;

typedef struct {
  const char *env;
  setting_kind kind;
  const char *def; /* NULL: no default */
  long min, max;   /* for SET_INT */
  size_t offset;   /* into ij_config */
  int need;        /* IJ_NEED_* that requires it, or 0 */
  const char *help;
} setting;

#define OFF(field) offsetof(ij_config, field)

static const setting settings[] = {
    {"DATABASE_URL", SET_STRING, NULL, 0, 0, OFF(database_url), IJ_NEED_DATABASE,
     "PostgreSQL URI or key=value string of the service's role (a member of ij_service)"},
    {"DATABASE_OWNER_URL", SET_STRING, NULL, 0, 0, OFF(database_owner_url), 0,
     "the schema owner's connection, for migrate and seed (default: DATABASE_URL)"},
    {"DATABASE_URL_READ", SET_STRING, NULL, 0, 0, OFF(database_url_read), 0,
     "a hot standby (streaming replica) that serves the statistics, as the service's role"},
    {"IJ_READ_MAX_LAG_SECONDS", SET_INT, "30", 0, 86400, OFF(read_max_lag_seconds), 0,
     "statistics come from the primary when DATABASE_URL_READ is further behind than this"},
    {"IJ_LISTEN", SET_LISTEN, "127.0.0.1:8080", 0, 0, 0, 0, "address and port to serve on"},
    {"IJ_THREADS", SET_INT, "4", 1, 64, OFF(threads), 0, "HTTP worker threads"},
    {"IJ_DB_POOL", SET_INT, "0", 0, 256, OFF(db_pool), 0,
     "database connections (0: one per worker thread)"},
    {"IJ_DB_ACQUIRE_TIMEOUT_MS", SET_INT, "5000", 1, 60000, OFF(db_acquire_timeout_ms), 0,
     "how long a request waits for a database connection before 503"},
    {"IJ_DB_PREPARE", SET_BOOL, "true", 0, 0, OFF(db_prepare), 0,
     "server-side prepared statements (false behind a transaction pooler)"},
    {"IJ_JWKS_FILE", SET_STRING, NULL, 0, 0, OFF(jwks_file), IJ_NEED_JWKS,
     "JWKS file with the identity provider's public keys"},
    {"IJ_JWT_PRIVATE_KEY_FILE", SET_STRING, NULL, 0, 0, OFF(jwt_private_key_file),
     IJ_NEED_PRIVATE_KEY, "private JWK for minting development tokens (ij token)"},
    {"IJ_JWT_ISSUER", SET_STRING, "ij-dev", 0, 0, OFF(jwt_issuer), 0, "expected iss claim"},
    {"IJ_JWT_AUDIENCE", SET_STRING, "immediate-justice", 0, 0, OFF(jwt_audience), 0,
     "expected aud claim"},
    {"IJ_MAX_BODY_BYTES", SET_INT, "1048576", 1024, 64L * 1024 * 1024, OFF(max_body_bytes), 0,
     "largest request body accepted (413 above)"},
    {"IJ_MAX_IMPORT_BYTES", SET_INT, "16777216", 1024, 256L * 1024 * 1024, OFF(max_import_bytes), 0,
     "largest CSV file accepted by an import (413 above)"},
    {"IJ_MAX_CONNECTIONS", SET_INT, "1000", 16, 100000, OFF(max_connections), 0,
     "concurrent HTTP connections"},
    {"IJ_CONNECTION_TIMEOUT_SECONDS", SET_INT, "60", 1, 3600, OFF(connection_timeout_seconds), 0,
     "idle HTTP connection timeout"},
    {"IJ_REQUEST_TIMEOUT_SECONDS", SET_INT, "10", 1, 3600, OFF(request_timeout_seconds), 0,
     "a request's headers and body: the longest pause between their bytes"},
    {"IJ_MAX_CONNECTIONS_PER_ADDRESS", SET_INT, "100", 0, 100000, OFF(max_connections_per_address),
     0, "connections open at once from one client address (0: no limit, behind a balancer)"},
    {"IJ_SHUTDOWN_GRACE_SECONDS", SET_INT, "10", 0, 3600, OFF(shutdown_grace_seconds), 0,
     "on SIGTERM or SIGINT, how long requests in flight may take to finish before the stop"},
    {"IJ_LOG_LEVEL", SET_LOG_LEVEL, "info", 0, 0, OFF(log_level), 0, "debug, info, warn or error"},
    {"IJ_LOG_FORMAT", SET_LOG_FORMAT, "json", 0, 0, OFF(log_format), 0,
     "json (one JSON object a line) or text"},
    {"IJ_OUTBOX_INTERVAL_MS", SET_INT, "1000", 10, 3600000, OFF(outbox_interval_ms), 0,
     "pause between delivery rounds of outcome notices to the areas' webhooks"},
    {"IJ_OUTBOX_BATCH", SET_INT, "20", 1, 1000, OFF(outbox_batch), 0,
     "outcome notices delivered per round"},
    {"IJ_TARGET_START_HOURS", SET_INT, "48", 1, 720, OFF(area_defaults.target_start_hours), 0,
     "default hours from referral to the first session"},
    {"IJ_HOURS_MIN", SET_INT, "2", 1, 200, OFF(area_defaults.hours_min), 0,
     "default fewest hours of work"},
    {"IJ_HOURS_MAX", SET_INT, "20", 1, 200, OFF(area_defaults.hours_max), 0,
     "default most hours of work"},
    {"IJ_HOURS_DEFAULT", SET_INT, "7", 1, 200, OFF(area_defaults.hours_default), 0,
     "default hours proposed"},
    {"IJ_SUPPRESS_MIN_COUNT", SET_INT, "5", 1, 1000, OFF(suppress_min_count), 0,
     "statistics: counts from 1 to this minus one are suppressed (1: none)"},
    {"IJ_SUPPRESS_MIN_DENOMINATOR", SET_INT, "10", 1, 100000, OFF(suppress_min_denominator), 0,
     "statistics: rates on a denominator under this are withheld"},
    {"IJ_STATS_CONCURRENCY", SET_INT, "2", 0, 256, OFF(stats_concurrency), 0,
     "statistics requests read at once by an instance; a few more wait up to 5 s, the rest 503 (0: "
     "any)"},
    {"IJ_STATS_TIMEOUT_SECONDS", SET_INT, "30", 0, 3600, OFF(stats_timeout_seconds), 0,
     "a statistics query running longer is cancelled and answered 503 (0: never)"},
    {"IJ_RETENTION_MONTHS", SET_INT, "36", 1, 1200, OFF(retention_months), 0,
     "personal data of a referral is erased this many months after it ends"},
    {"IJ_RETENTION_INTERVAL_HOURS", SET_INT, "24", 0, 8760, OFF(retention_interval_hours), 0,
     "how often serve runs retention (0: never; run `ij retention` instead)"},
    {"IJ_ACCESS_LOG_RETENTION_MONTHS", SET_INT, "24", 6, 1200, OFF(access_log_retention_months), 0,
     "rows of the personal-data access log are erased this many months after they were written"},
};

#define NSETTINGS (sizeof settings / sizeof settings[0])

static void problem(char *out, size_t size, const char *fmt, const char *env, const char *value) {
  size_t used = strlen(out);
  if (used < size)
    snprintf(out + used, size - used, fmt, env, value ? value : "");
}

static bool parse_long(const char *s, long *out) {
  if (!s || !*s)
    return false;
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || *end)
    return false;
  *out = v;
  return true;
}

static bool parse_listen(const char *s, ij_config *c) {
  const char *colon = strrchr(s, ':');
  if (!colon || colon == s || (size_t)(colon - s) >= sizeof c->listen_host)
    return false;
  long port;
  if (!parse_long(colon + 1, &port) || port < 0 || port > 65535)
    return false;
  memcpy(c->listen_host, s, (size_t)(colon - s));
  c->listen_host[colon - s] = 0;
  c->listen_port = (int)port;
  return true;
}

ij_err ij_config_load(ij_config *c, int needs, char *problems, size_t size) {
  memset(c, 0, sizeof *c);
  if (size)
    problems[0] = 0;
  bool bad = false;
  for (size_t i = 0; i < NSETTINGS; i++) {
    const setting *s = &settings[i];
    const char *v = getenv(s->env);
    if (v && !*v)
      v = NULL;
    if (!v && (s->need & needs)) {
      problem(problems, size, "%s: required but not set%s\n", s->env, "");
      bad = true;
      continue;
    }
    if (!v)
      v = s->def;
    if (!v)
      continue;
    char *field = (char *)c + s->offset;
    long n;
    switch (s->kind) {
    case SET_INT:
      if (!parse_long(v, &n) || n < s->min || n > s->max) {
        char range[96];
        snprintf(range, sizeof range, "%s: must be a whole number from %ld to %ld", s->env, s->min,
                 s->max);
        problem(problems, size, "%s (got \"%s\")\n", range, v);
        bad = true;
      } else if (s->offset == OFF(max_body_bytes) || s->offset == OFF(max_import_bytes)) {
        *(long *)(void *)field = n;
      } else {
        *(int *)(void *)field = (int)n;
      }
      break;
    case SET_BOOL:
      if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
        *(bool *)(void *)field = true;
      else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
        *(bool *)(void *)field = false;
      else {
        problem(problems, size, "%s: must be true or false (got \"%s\")\n", s->env, v);
        bad = true;
      }
      break;
    case SET_STRING:
      *(const char **)(void *)field = v;
      break;
    case SET_LISTEN:
      if (!parse_listen(v, c)) {
        problem(problems, size, "%s: must be host:port with a port from 0 to 65535 (got \"%s\")\n",
                s->env, v);
        bad = true;
      }
      break;
    case SET_LOG_LEVEL:
      n = ij_log_level_parse(v);
      if (n < 0) {
        problem(problems, size, "%s: must be debug, info, warn or error (got \"%s\")\n", s->env, v);
        bad = true;
      } else {
        *(int *)(void *)field = (int)n;
      }
      break;
    case SET_LOG_FORMAT:
      n = ij_log_format_parse(v);
      if (n < 0) {
        problem(problems, size, "%s: must be json or text (got \"%s\")\n", s->env, v);
        bad = true;
      } else {
        *(int *)(void *)field = (int)n;
      }
      break;
    }
  }
  const ij_area_rules *r = &c->area_defaults;
  if (!bad && r->hours_min > r->hours_max) {
    problem(problems, size, "%s: must not exceed IJ_HOURS_MAX%s\n", "IJ_HOURS_MIN", "");
    bad = true;
  }
  if (!bad && (r->hours_default < r->hours_min || r->hours_default > r->hours_max)) {
    problem(problems, size, "%s: must lie from IJ_HOURS_MIN to IJ_HOURS_MAX%s\n",
            "IJ_HOURS_DEFAULT", "");
    bad = true;
  }
  if (c->db_pool == 0)
    c->db_pool = c->threads;
  return bad ? IJ_ERR_INVALID : IJ_OK;
}

void ij_config_describe(char *out, size_t size) {
  size_t used = 0;
  out[0] = 0;
  for (size_t i = 0; i < NSETTINGS && used < size; i++) {
    int w = snprintf(out + used, size - used, "  %-30s %s (default: %s)\n", settings[i].env,
                     settings[i].help, settings[i].def ? settings[i].def : "none");
    if (w < 0)
      break;
    used += (size_t)w;
  }
}
