/* The Accept header's media ranges and the choice among a route's media types (accept.h). */
#include "accept.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

/* One element of the header. */
typedef struct {
  const char *type, *sub;
  size_t type_len, sub_len;
  int q;
  bool ok; /* a media range with a valid weight; false elements are skipped */
} range;

/* How a type fared against the whole header. */
typedef struct {
  int q;
  int specificity; /* of the range that set q; -1 when none matched */
  int position;    /* that range's place in the header */
} judged;

static bool ows(char c) {
  return c == ' ' || c == '\t';
}

static bool tchar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* Past a quoted string starting at s ('"'), or NULL when it is not closed. */
static const char *skip_quoted(const char *s) {
  for (s++; *s && *s != '"'; s++)
    if (*s == '\\' && s[1])
      s++;
  return *s == '"' ? s + 1 : NULL;
}

/* To the comma that ends the element (outside quotes), or the end. */
static const char *skip_element(const char *s) {
  while (*s && *s != ',') {
    if (*s == '"') {
      const char *e = skip_quoted(s);
      if (!e)
        return s + strlen(s);
      s = e;
    } else {
      s++;
    }
  }
  return s;
}

/* A qvalue: "0" or "1", optionally followed by "." and up to three digits, at most 1. */
static bool qvalue(const char *v, size_t n, int *out) {
  if (n == 0 || (v[0] != '0' && v[0] != '1') || (n > 1 && v[1] != '.') || n > 5)
    return false;
  int q = (v[0] - '0') * IJ_ACCEPT_QMAX;
  int scale = IJ_ACCEPT_QMAX / 10;
  for (size_t i = 2; i < n; i++, scale /= 10) {
    if (v[i] < '0' || v[i] > '9')
      return false;
    q += (v[i] - '0') * scale;
  }
  if (q > IJ_ACCEPT_QMAX)
    return false;
  *out = q;
  return true;
}

static bool is_star(const char *s, size_t n) {
  return n == 1 && s[0] == '*';
}

/* The parameters after a media range, from s: the weight into r->q; false when they do not
 * parse. *end is where reading stopped. */
static bool read_params(const char *s, range *r, const char **end) {
  for (;;) {
    while (ows(*s))
      s++;
    if (*s == 0 || *s == ',')
      break;
    if (*s != ';')
      goto bad;
    s++;
    while (ows(*s))
      s++;
    if (*s == ';' || *s == ',' || *s == 0) /* an empty parameter is allowed */
      continue;
    const char *name = s;
    while (tchar(*s))
      s++;
    size_t name_len = (size_t)(s - name);
    if (name_len == 0 || *s != '=')
      goto bad;
    const char *value = ++s;
    if (*s == '"') {
      const char *closed = skip_quoted(s);
      if (!closed) {
        *end = s + strlen(s);
        return false;
      }
      s = closed;
    } else {
      while (tchar(*s))
        s++;
    }
    if (name_len == 1 && (name[0] == 'q' || name[0] == 'Q') &&
        !qvalue(value, (size_t)(s - value), &r->q))
      goto bad;
  }
  *end = s;
  return true;
bad:
  *end = skip_element(s);
  return false;
}

/* Reads the element at *p into r and moves *p past it; false at the end of the header. */
static bool next_range(const char **p, range *r) {
  const char *s = *p;
  while (ows(*s) || *s == ',')
    s++;
  if (*s == 0) {
    *p = s;
    return false;
  }
  memset(r, 0, sizeof *r);
  r->q = IJ_ACCEPT_QMAX;
  r->type = s;
  while (tchar(*s))
    s++;
  r->type_len = (size_t)(s - r->type);
  if (*s != '/') {
    *p = skip_element(s);
    return true;
  }
  r->sub = ++s;
  while (tchar(*s))
    s++;
  r->sub_len = (size_t)(s - r->sub);
  r->ok = read_params(s, r, p) && r->type_len > 0 && r->sub_len > 0 &&
          (!is_star(r->type, r->type_len) || is_star(r->sub, r->sub_len));
  return true;
}

static bool same(const char *a, size_t a_len, const char *b, size_t b_len) {
  return a_len == b_len && strncasecmp(a, b, a_len) == 0;
}

/* How specifically the range names the type: 3 itself, 2 application/problem+json for
 * application/json, 1 its type with any subtype, 0 any type; -1 not at all. */
static int specificity(const range *r, const char *type) {
  if (is_star(r->type, r->type_len))
    return 0;
  const char *slash = strchr(type, '/');
  if (!slash || !same(r->type, r->type_len, type, (size_t)(slash - type)))
    return -1;
  if (is_star(r->sub, r->sub_len))
    return 1;
  if (same(r->sub, r->sub_len, slash + 1, strlen(slash + 1)))
    return 3;
  static const char problem[] = "problem+json";
  if (strcmp(type, "application/json") == 0 &&
      same(r->sub, r->sub_len, problem, sizeof problem - 1))
    return 2;
  return -1;
}

/* The type against every element; false when no element parses (the header says nothing). */
static bool judge(const char *accept, const char *type, judged *out) {
  out->q = 0;
  out->specificity = -1;
  out->position = 0;
  bool said = false;
  range r;
  int position = 0;
  for (const char *p = accept; next_range(&p, &r); position++) {
    if (!r.ok)
      continue;
    said = true;
    int s = specificity(&r, type);
    if (s > out->specificity || (s == out->specificity && s >= 0 && r.q > out->q)) {
      out->q = r.q;
      out->specificity = s;
      out->position = position;
    }
  }
  return said;
}

int ij_accept_quality(const char *accept, const char *type) {
  judged j;
  if (!accept || !judge(accept, type, &j))
    return IJ_ACCEPT_QMAX;
  return j.q;
}

int ij_accept_choose(const char *accept, const char *const *types) {
  if (!types[0])
    return -1;
  int best = -1;
  judged b = {0, -1, 0};
  for (int i = 0; types[i]; i++) {
    judged j;
    if (!accept || !judge(accept, types[i], &j))
      return 0;
    if (j.q == 0)
      continue;
    if (best < 0 || j.q > b.q || (j.q == b.q && j.specificity > b.specificity) ||
        (j.q == b.q && j.specificity == b.specificity && j.position < b.position)) {
      best = i;
      b = j;
    }
  }
  return best;
}
