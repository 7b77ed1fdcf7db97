/* The web pages: the commissioners' dashboard (/dashboard) and the practitioners' pages (/app),
 * each one static page with its files, compiled into the binary (see web/embed_assets.cmake). No
 * token is needed to load them; the pages ask the JSON API for everything with the caller's bearer
 * token. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "dashboard_files.h"
#include "internal.h"

#define PAGE_NAME "index.html"
#define APP_PAGE_NAME "app.html"
#define APP_WORKER_NAME "app-sw.js"
#define ASSET_NAME_MAX 64

/* Only the page's own files: no inline script or style, no framing, nothing sent elsewhere. */
static const char csp[] = "default-src 'self'; script-src 'self'; style-src 'self'; "
                          "img-src 'self' data:; font-src 'self'; connect-src 'self'; "
                          "object-src 'none'; base-uri 'none'; form-action 'self'; "
                          "frame-ancestors 'none'";

static void security_headers(ij_ctx *ctx) {
  ij_set_header(ctx, "Content-Security-Policy", csp);
  ij_set_header(ctx, "X-Frame-Options", "DENY");
  ij_set_header(ctx, "Referrer-Policy", "no-referrer");
  ij_set_header(ctx, "Cross-Origin-Opener-Policy", "same-origin");
  ij_set_header(ctx, "Cross-Origin-Resource-Policy", "same-origin");
  ij_set_header(ctx, "Permissions-Policy",
                "camera=(), microphone=(), geolocation=(), payment=(), usb=()");
}

/* A name as the fixed list spells them: 1 to 64 of a-z, 0-9, '-', '.', not starting with '.'. */
static bool asset_name_ok(const char *s) {
  size_t n = 0;
  for (; s[n]; n++) {
    char c = s[n];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'))
      return false;
  }
  return n >= 1 && n <= ASSET_NAME_MAX && s[0] != '.' && !strstr(s, "..");
}

static const ij_dashboard_file *find_file(const char *name) {
  for (int i = 0; i < ij_dashboard_files_count; i++)
    if (strcmp(ij_dashboard_files[i].name, name) == 0)
      return &ij_dashboard_files[i];
  return NULL;
}

/* A strong entity tag from the content (FNV-1a, 64 bits). */
static void file_etag(const ij_dashboard_file *f, char out[24]) {
  uint64_t h = 14695981039346656037ull;
  for (size_t i = 0; i < f->size; i++) {
    h ^= f->data[i];
    h *= 1099511628211ull;
  }
  snprintf(out, 24, "\"%016" PRIx64 "\"", h);
}

/* True when If-None-Match names the tag (or is "*"). */
static bool etag_matches(const char *header, const char *etag) {
  if (!header)
    return false;
  if (strcmp(header, "*") == 0)
    return true;
  size_t n = strlen(etag);
  for (const char *p = strstr(header, etag); p; p = strstr(p + 1, etag)) {
    bool start = p == header || p[-1] == ' ' || p[-1] == ',' || p[-1] == '/';
    bool end = p[n] == 0 || p[n] == ' ' || p[n] == ',';
    if (start && end)
      return true;
  }
  return false;
}

static void send_file(ij_ctx *ctx, const ij_dashboard_file *f) {
  char etag[24];
  file_etag(f, etag);
  ij_set_header(ctx, "ETag", etag);
  /* the page and its files change with the binary: a browser asks again each time, and a
   * matching ETag gets 304 without the body */
  ij_set_header(ctx, "Cache-Control", "no-cache");
  if (etag_matches(ij_header(ctx, "If-None-Match"), etag)) {
    ulfius_set_empty_body_response(ctx->res, 304);
    ctx->status = 304;
    return;
  }
  ulfius_set_binary_body_response(ctx->res, 200, (const char *)f->data, f->size);
  ij_set_header(ctx, "Content-Type", f->type);
  ctx->status = 200;
}

void ij_h_dashboard(ij_ctx *ctx) {
  security_headers(ctx);
  const ij_dashboard_file *f = find_file(PAGE_NAME);
  if (!f) {
    ij_send_problem(ctx, IJ_ERR_INTERNAL, "the dashboard was not built into this binary", NULL);
    return;
  }
  send_file(ctx, f);
}

/* The practitioners' pages: one page whose views are chosen after '#' in the address. */
void ij_h_app(ij_ctx *ctx) {
  security_headers(ctx);
  const ij_dashboard_file *f = find_file(APP_PAGE_NAME);
  if (!f) {
    ij_send_problem(ctx, IJ_ERR_INTERNAL,
                    "the practitioners' pages were not built into this binary", NULL);
    return;
  }
  send_file(ctx, f);
}

/* The practitioners' pages' service worker, at /app/sw.js so that it may keep /app itself (the
 * header widens its scope from /app/ to /app). */
void ij_h_app_worker(ij_ctx *ctx) {
  security_headers(ctx);
  const ij_dashboard_file *f = find_file(APP_WORKER_NAME);
  if (!f) {
    ij_send_problem(ctx, IJ_ERR_NOT_FOUND, "no service worker was built into this binary", NULL);
    return;
  }
  ij_set_header(ctx, "Service-Worker-Allowed", "/app");
  send_file(ctx, f);
}

/* A page's file by name: any listed file but the pages themselves and the worker, which have
 * their own addresses. */
void ij_h_dashboard_asset(ij_ctx *ctx) {
  security_headers(ctx);
  const char *name = ctx->id ? ctx->id : "";
  const ij_dashboard_file *f = NULL;
  if (asset_name_ok(name) && strcmp(name, PAGE_NAME) != 0 && strcmp(name, APP_PAGE_NAME) != 0 &&
      strcmp(name, APP_WORKER_NAME) != 0)
    f = find_file(name);
  if (!f) {
    ij_send_problem(ctx, IJ_ERR_NOT_FOUND, "no page file with this name", NULL);
    return;
  }
  /* each file has its own type (the route's row leaves it to this handler): its type without
   * the parameters against the Accept header */
  char type[64];
  snprintf(type, sizeof type, "%.*s", (int)strcspn(f->type, ";"), f->type);
  if (ij_negotiate(ctx, (const char *const[]){type, NULL}) < 0)
    return;
  send_file(ctx, f);
}
