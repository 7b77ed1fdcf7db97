/* The `ij` command: wiring of configuration, logging, pool, verifier and server. */
#include "ij/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ij/auth.h"
#include "ij/config.h"
#include "ij/http.h"
#include "ij/log.h"
#include "ij/ops.h"
#include "ij/outbox.h"
#include "ij/retention.h"
#include "ij/str.h"

static void usage(FILE *out) {
  char settings[8192]; /* the settings table: about 3.5 kB today */
  ij_config_describe(settings, sizeof settings);
  fprintf(out,
          "usage: ij COMMAND [options]\n"
          "commands:\n"
          "  serve                 serve the API\n"
          "  migrate               apply database migrations\n"
          "  seed                  load the demo data set (once)\n"
          "  token --role ROLE[,ROLE] --area AREA --sub SUB [--name NAME] [--ttl SECONDS]\n"
          "                        print a development token signed with IJ_JWT_PRIVATE_KEY_FILE\n"
          "  keygen --private FILE --jwks FILE [--kid KID]\n"
          "                        write a new RSA signing key and its public JWKS\n"
          "  routes                list the served routes\n"
          "  retention [--area AREA]\n"
          "                        erase the personal data of referrals that ended more than\n"
          "                        IJ_RETENTION_MONTHS ago, and of their people, and the access\n"
          "                        log's rows older than IJ_ACCESS_LOG_RETENTION_MONTHS\n"
          "settings (environment):\n%s",
          settings);
}

static ij_time_us now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (ij_time_us)ts.tv_sec * IJ_US_PER_SECOND + ts.tv_nsec / 1000;
}

static bool load_config(ij_config *c, int needs) {
  char problems[2048];
  if (ij_config_load(c, needs, problems, sizeof problems) != IJ_OK) {
    fprintf(stderr, "ij: configuration is not valid:\n%s", problems);
    return false;
  }
  ij_log_min_level = (ij_log_level)c->log_level;
  ij_log_output_format = (ij_log_format)c->log_format;
  return true;
}

/* The whole file as a string (owned: free()), or NULL with errno set. */
static char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  char *buf = NULL;
  size_t len = 0, cap = 0;
  for (;;) {
    if (cap - len < 4096) {
      cap = cap ? cap * 2 : 8192;
      if (cap > 16 * 1024 * 1024)
        break;
      char *n = realloc(buf, cap);
      if (!n)
        break;
      buf = n;
    }
    size_t got = fread(buf + len, 1, cap - len - 1, f);
    len += got;
    if (got == 0)
      break;
  }
  bool bad = ferror(f) || !buf;
  fclose(f);
  if (bad) {
    free(buf);
    errno = EIO;
    return NULL;
  }
  buf[len] = 0;
  return buf;
}

static bool write_file(const char *path, const char *text, mode_t mode) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
  if (fd < 0)
    return false;
  size_t n = strlen(text);
  bool ok = write(fd, text, n) == (ssize_t)n && write(fd, "\n", 1) == 1;
  return close(fd) == 0 && ok;
}

/* glibc's allocator, bounded for a long-running server: a fixed threshold above which blocks are
 * mapped on their own (by default glibc raises it after each large free, and a list page's answer
 * then stays in a thread's heap for good), memory at the top of a heap given back past a small
 * threshold, and no more arenas than the service's threads need. Measured by the load test (60 s
 * at 64 connections, two runs each): without it the resident set rose 25-29% over the run, to
 * 26-28 MiB (once 17% over its last three quarters, which fails the test); with it, 6%, to 19-20
 * MiB, at the same request rate. */
static void bound_allocator(int threads) {
#ifdef __GLIBC__
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
  mallopt(M_TRIM_THRESHOLD, 256 * 1024);
  mallopt(M_ARENA_MAX, threads < 2 ? 2 : threads);
#else
  (void)threads;
#endif
}

static int cmd_serve(void) {
  ij_config c;
  if (!load_config(&c, IJ_NEED_DATABASE | IJ_NEED_JWKS))
    return 2;
  bound_allocator(c.threads);
  char *jwks = read_file(c.jwks_file);
  if (!jwks) {
    fprintf(stderr, "ij: IJ_JWKS_FILE: cannot read %s: %s\n", c.jwks_file, strerror(errno));
    return 2;
  }
  ij_auth *auth = NULL;
  ij_err err = ij_auth_open(jwks, c.jwt_issuer, c.jwt_audience, &auth);
  free(jwks);
  if (err != IJ_OK) {
    fprintf(stderr, "ij: IJ_JWKS_FILE: %s holds no usable public key\n", c.jwks_file);
    return 2;
  }
  /* two connections more than requests may take: the outbox worker holds one while it delivers,
   * the access log's writer one while it writes */
  ij_store_options so = {c.database_url, c.db_pool < 255 ? c.db_pool + 2 : c.db_pool,
                         c.db_acquire_timeout_ms, c.db_prepare, true};
  ij_store *store = NULL;
  if (ij_store_open(&so, &store) != IJ_OK) {
    ij_auth_close(auth);
    return 2;
  }
  /* A role that row-level security does not bind is refused now (and on every new connection);
   * a database that is down is waited for: requests get 503 until it is back. */
  ij_conn *probe = NULL;
  err = ij_store_acquire(store, &probe);
  ij_store_release(store, probe);
  if (err == IJ_ERR_FORBIDDEN) {
    fprintf(stderr, "ij: DATABASE_URL connects as a role that row-level security does not bind"
                    " (see the log line above); use a member of ij_service that owns nothing\n");
    ij_store_close(store);
    ij_auth_close(auth);
    return 2;
  }
  /* Read routing: the statistics from a hot standby while it keeps up (same checks and options;
   * requests only, so one connection per worker). A standby that is down is no reason not to
   * serve: the primary answers meanwhile. */
  ij_store *read_store = NULL;
  if (c.database_url_read) {
    ij_store_options ro = {c.database_url_read, c.db_pool, c.db_acquire_timeout_ms, c.db_prepare,
                           true};
    if (ij_store_open(&ro, &read_store) != IJ_OK) {
      ij_store_close(store);
      ij_auth_close(auth);
      return 2;
    }
    err = ij_store_acquire(read_store, &probe);
    ij_store_release(read_store, probe);
    if (err == IJ_ERR_FORBIDDEN) {
      fprintf(stderr, "ij: DATABASE_URL_READ connects as a role that row-level security does not"
                      " bind (see the log line above); use the service's role\n");
      ij_store_close(read_store);
      ij_store_close(store);
      ij_auth_close(auth);
      return 2;
    }
  }
  /* signals are taken by sigwait below; every thread started after this inherits the mask */
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  signal(SIGPIPE, SIG_IGN);

  ij_http_options ho = {c.listen_host,
                        c.listen_port,
                        c.threads,
                        c.max_connections,
                        c.connection_timeout_seconds,
                        c.max_body_bytes,
                        c.max_import_bytes,
                        c.area_defaults,
                        c.suppress_min_count,
                        c.suppress_min_denominator,
                        c.stats_concurrency,
                        c.stats_timeout_seconds * 1000,
                        c.request_timeout_seconds,
                        c.max_connections_per_address};
  ij_http_reads reads = {read_store, c.read_max_lag_seconds};
  ij_server *server = NULL;
  err = ij_http_start_with_reads(&ho, store, &reads, auth, &server);
  if (err != IJ_OK) {
    fprintf(stderr, "ij: cannot serve on %s:%d\n", c.listen_host, c.listen_port);
    ij_store_close(read_store);
    ij_store_close(store);
    ij_auth_close(auth);
    return 1;
  }
  ij_log(IJ_LOG_INFO, "serving on http://%s:%d with %d threads and %d database connections",
         c.listen_host, ij_http_port(server), c.threads, c.db_pool);
  if (read_store)
    ij_log(IJ_LOG_INFO,
           "statistics read from DATABASE_URL_READ while it is at most %d s behind the primary",
           c.read_max_lag_seconds);
  ij_outbox_options oo = {c.outbox_interval_ms, c.outbox_batch};
  ij_outbox *outbox = NULL;
  if (ij_outbox_start(store, &oo, &outbox) != IJ_OK) {
    fprintf(stderr, "ij: cannot start the notice outbox worker\n");
    ij_http_stop(server);
    ij_store_close(read_store);
    ij_store_close(store);
    ij_auth_close(auth);
    return 1;
  }
  ij_retention_worker *retention = NULL;
  if (c.retention_interval_hours > 0 &&
      ij_retention_start(store, c.retention_months, c.access_log_retention_months,
                         c.retention_interval_hours, &retention) != IJ_OK) {
    fprintf(stderr, "ij: cannot start the retention schedule\n");
    ij_outbox_stop(outbox);
    ij_http_stop(server);
    ij_store_close(read_store);
    ij_store_close(store);
    ij_auth_close(auth);
    return 1;
  }
  int sig = 0;
  sigwait(&set, &sig);
  /* Graceful stop: refuse new connections at once, let the requests in flight finish (up to
   * IJ_SHUTDOWN_GRACE_SECONDS; a second signal cuts the wait short), then stop. */
  ij_log(IJ_LOG_INFO, "signal %d: stopping; requests in flight may take up to %d s", sig,
         c.shutdown_grace_seconds);
  ij_http_quiesce(server);
  ij_retention_stop(retention);
  ij_outbox_stop(outbox);
  long long waited_ms = 0, grace_ms = (long long)c.shutdown_grace_seconds * 1000;
  bool drained = false;
  const struct timespec no_wait = {0, 0};
  while (!(drained = ij_http_drain(server, waited_ms < grace_ms ? 100 : 0)) &&
         waited_ms < grace_ms) {
    waited_ms += 100;
    if (sigtimedwait(&set, NULL, &no_wait) > 0) {
      ij_log(IJ_LOG_WARN, "second signal: stopping at once");
      break;
    }
  }
  if (!drained)
    ij_log(IJ_LOG_WARN, "stopping with %d requests still in flight", ij_http_in_flight(server));
  ij_http_stop(server);
  ij_log(IJ_LOG_INFO, "stopped");
  ij_store_close(read_store);
  ij_store_close(store);
  ij_auth_close(auth);
  return 0;
}

/* Retention once, as the service's role, area by area (for deployments that schedule it outside
 * `ij serve`, e.g. with a timer, with IJ_RETENTION_INTERVAL_HOURS=0). */
static int cmd_retention(int argc, char **argv) {
  const char *area = NULL;
  static const struct option opts[] = {{"area", required_argument, NULL, 'a'}, {0, 0, 0, 0}};
  int o;
  optind = 1;
  while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    if (o != 'a') {
      usage(stderr);
      return 2;
    }
    area = optarg;
  }
  ij_config c;
  if (!load_config(&c, IJ_NEED_DATABASE))
    return 2;
  ij_store_options so = {c.database_url, 1, 10000, false, true};
  ij_store *store = NULL;
  if (ij_store_open(&so, &store) != IJ_OK)
    return 2;
  ij_time_us now = now_us();
  ij_retention_totals t;
  ij_retention_policy policy = {c.retention_months, c.access_log_retention_months, 500};
  ij_err err = ij_ops_retention_run(store, area, &policy, now, &t);
  ij_store_close(store);
  char cutoff[IJ_TIME_BUF], log_cutoff[IJ_TIME_BUF];
  ij_time_format(ij_domain_retention_cutoff(now, c.retention_months), cutoff);
  ij_time_format(ij_domain_retention_cutoff(now, c.access_log_retention_months), log_cutoff);
  printf("erased %lld referrals that ended before %s and %lld people, and %lld access-log rows"
         " written before %s, in %d areas\n",
         (long long)t.referrals, cutoff, (long long)t.people, (long long)t.access_log, log_cutoff,
         t.areas);
  if (err != IJ_OK) {
    fprintf(stderr, "ij: retention stopped: %s\n", ij_err_message(err));
    return 1;
  }
  return 0;
}

static int cmd_migrate(void) {
  ij_config c;
  if (!load_config(&c, IJ_NEED_DATABASE))
    return 2;
  int applied = 0, version = 0;
  if (ij_store_migrate(c.database_owner_url ? c.database_owner_url : c.database_url, &applied,
                       &version) != IJ_OK) {
    fprintf(stderr, "ij: migration failed\n");
    return 1;
  }
  printf("schema at version %d (%d applied now)\n", version, applied);
  return 0;
}

static int cmd_seed(void) {
  ij_config c;
  if (!load_config(&c, IJ_NEED_DATABASE))
    return 2;
  /* prepared statements as `ij serve` uses them (IJ_DB_PREPARE): the seed runs thousands */
  ij_store_options so = {c.database_owner_url ? c.database_owner_url : c.database_url, 1, 10000,
                         c.db_prepare, false};
  ij_store *store = NULL;
  ij_conn *conn = NULL;
  if (ij_store_open(&so, &store) != IJ_OK || ij_store_acquire(store, &conn) != IJ_OK) {
    fprintf(stderr, "ij: cannot reach the database\n");
    ij_store_close(store);
    return 1;
  }
  int created = 0;
  ij_err err = ij_seed_demo(conn, &c.area_defaults, now_us(), &created);
  ij_store_release(store, conn);
  ij_store_close(store);
  if (err != IJ_OK) {
    fprintf(stderr, "ij: seeding failed: %s\n", ij_err_message(err));
    return 1;
  }
  printf(created ? "demo data loaded: %d referrals\n" : "demo data already present%.0d\n", created);
  return 0;
}

static int cmd_token(int argc, char **argv) {
  static const struct option opts[] = {
      {"role", required_argument, NULL, 'r'}, {"area", required_argument, NULL, 'a'},
      {"sub", required_argument, NULL, 's'},  {"name", required_argument, NULL, 'n'},
      {"ttl", required_argument, NULL, 't'},  {NULL, 0, NULL, 0}};
  const char *roles_arg = NULL, *area = NULL, *sub = NULL, *name = NULL;
  long ttl = 3600;
  int o;
  optind = 1;
  while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (o) {
    case 'r':
      roles_arg = optarg;
      break;
    case 'a':
      area = optarg;
      break;
    case 's':
      sub = optarg;
      break;
    case 'n':
      name = optarg;
      break;
    case 't':
      ttl = strtol(optarg, NULL, 10);
      break;
    default:
      usage(stderr);
      return 2;
    }
  }
  if (!roles_arg || !area || !sub || ttl < 1 || ttl > 31L * 86400) {
    fprintf(stderr, "ij token: --role, --area and --sub are required; --ttl 1 to 2678400\n");
    return 2;
  }
  ij_config c;
  if (!load_config(&c, IJ_NEED_PRIVATE_KEY))
    return 2;
  char *key = read_file(c.jwt_private_key_file);
  if (!key) {
    fprintf(stderr, "ij: IJ_JWT_PRIVATE_KEY_FILE: cannot read %s: %s\n", c.jwt_private_key_file,
            strerror(errno));
    return 2;
  }
  char roles_buf[256];
  ij_str_copy(roles_buf, sizeof roles_buf, roles_arg);
  const char *roles[8] = {NULL};
  int n = 0;
  char *save = NULL;
  for (char *r = strtok_r(roles_buf, ",", &save); r && n < 7; r = strtok_r(NULL, ",", &save)) {
    ij_roles bit;
    if (ij_role_parse(r, &bit) != IJ_OK) {
      fprintf(stderr, "ij token: unknown role %s\n", r);
      free(key);
      return 2;
    }
    roles[n++] = r;
  }
  char *token = NULL;
  ij_err err = ij_auth_mint(key, c.jwt_issuer, c.jwt_audience, sub, name ? name : sub, area, roles,
                            now_us() / IJ_US_PER_SECOND, ttl, &token);
  free(key);
  if (err != IJ_OK) {
    fprintf(stderr, "ij token: cannot sign with IJ_JWT_PRIVATE_KEY_FILE\n");
    return 1;
  }
  printf("%s\n", token);
  free(token);
  return 0;
}

static int cmd_keygen(int argc, char **argv) {
  static const struct option opts[] = {{"private", required_argument, NULL, 'p'},
                                       {"jwks", required_argument, NULL, 'j'},
                                       {"kid", required_argument, NULL, 'k'},
                                       {NULL, 0, NULL, 0}};
  const char *priv_path = NULL, *jwks_path = NULL, *kid = NULL;
  int o;
  optind = 1;
  while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    if (o == 'p')
      priv_path = optarg;
    else if (o == 'j')
      jwks_path = optarg;
    else if (o == 'k')
      kid = optarg;
    else {
      usage(stderr);
      return 2;
    }
  }
  if (!priv_path || !jwks_path) {
    fprintf(stderr, "ij keygen: --private and --jwks are required\n");
    return 2;
  }
  char kid_buf[32];
  if (!kid) {
    snprintf(kid_buf, sizeof kid_buf, "dev-%lld", (long long)(now_us() / IJ_US_PER_SECOND));
    kid = kid_buf;
  }
  char *priv = NULL, *pub = NULL;
  if (ij_auth_keygen(kid, &priv, &pub) != IJ_OK) {
    fprintf(stderr, "ij keygen: key generation failed\n");
    return 1;
  }
  bool ok = write_file(priv_path, priv, 0600) && write_file(jwks_path, pub, 0644);
  free(priv);
  free(pub);
  if (!ok) {
    fprintf(stderr, "ij keygen: cannot write the key files: %s\n", strerror(errno));
    return 1;
  }
  printf("wrote %s (private) and %s (public JWKS), kid %s\n", priv_path, jwks_path, kid);
  return 0;
}

int ij_cli_main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "serve") == 0)
    return cmd_serve();
  if (strcmp(cmd, "migrate") == 0)
    return cmd_migrate();
  if (strcmp(cmd, "seed") == 0)
    return cmd_seed();
  if (strcmp(cmd, "token") == 0)
    return cmd_token(argc - 1, argv + 1);
  if (strcmp(cmd, "keygen") == 0)
    return cmd_keygen(argc - 1, argv + 1);
  if (strcmp(cmd, "retention") == 0)
    return cmd_retention(argc - 1, argv + 1);
  if (strcmp(cmd, "routes") == 0) {
    ij_http_print_routes(stdout);
    return 0;
  }
  if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
    usage(stdout);
    return 0;
  }
  fprintf(stderr, "ij: unknown command %s\n", cmd);
  usage(stderr);
  return 2;
}
