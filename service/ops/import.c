/* Importing reoffending checks from a police CSV export: parse and validate every row, match it
 * to a check, then record them all in one transaction, or none and say why for each row. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ij/store/audit.h"
#include "ij/store/followups.h"
#include "ij/str.h"
#include "ops_internal.h"

enum {
  COL_POLICE,
  COL_PERSON,
  COL_REFERRAL,
  COL_WINDOW,
  COL_REOFFENDED,
  COL_DATE,
  COL_CATEGORY,
  COL_COUNT
};
static const char *const COLUMNS[COL_COUNT] = {
    "police_id",  "person_id",          "referral_id",       "window_months",
    "reoffended", "first_reoffence_on", "reoffence_category"};

#define MAX_FIELDS 16
#define MAX_RECORD 4096

typedef struct {
  char *key[3]; /* police_id, person_id, referral_id as given (owned) */
  int window;
  int reoffended;
  char *date, *category; /* owned; NULL when empty */
  int row;
  int match; /* index into the candidates, or -1 */
  bool bad;  /* the row itself is not valid: not matched */
} import_row;

static void add_error(ij_import_errors *errs, int row, const char *column, const char *fmt, ...) {
  errs->total++;
  if (errs->count >= IJ_IMPORT_ERRORS_MAX)
    return;
  ij_import_error *e = &errs->items[errs->count++];
  e->row = row;
  ij_str_copy(e->column, sizeof e->column, column ? column : "");
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(e->message, sizeof e->message, fmt, ap);
  va_end(ap);
  /* a name from the file, cut to fit, must still be text */
  ij_text_utf8_trim(e->column);
  ij_text_utf8_trim(e->message);
}

static char *dup_or_null(const char *s) {
  return s && *s ? strdup(s) : NULL;
}

static int parse_bool(const char *s) {
  static const char *const yes[] = {"true", "yes", "y", "1"}, *const no[] = {"false", "no", "n",
                                                                             "0"};
  for (int i = 0; i < 4; i++) {
    if (strcasecmp(s, yes[i]) == 0)
      return 1;
    if (strcasecmp(s, no[i]) == 0)
      return 0;
  }
  return -1;
}

/* A Postgres array literal, built up value by value: "{" then "v1","v2" then "}". */
typedef struct {
  char *buf;
  size_t len, cap;
} array_lit;

static bool array_add(array_lit *a, const char *v) {
  size_t need = a->len + strlen(v) * 2 + 5;
  if (need >= a->cap) {
    size_t ncap = a->cap ? a->cap * 2 : 1024;
    while (ncap <= need)
      ncap *= 2;
    char *n = realloc(a->buf, ncap);
    if (!n)
      return false;
    a->buf = n;
    a->cap = ncap;
  }
  char *p = a->buf + a->len;
  if (a->len == 0)
    *p++ = '{';
  else if (v)
    *p++ = ',';
  *p++ = '"';
  for (const char *s = v; *s; s++) {
    if (*s == '"' || *s == '\\')
      *p++ = '\\';
    *p++ = *s;
  }
  *p++ = '"';
  *p = 0;
  a->len = (size_t)(p - a->buf);
  return true;
}

/* Closes the literal; an array with no values is "{}". */
static const char *array_end(array_lit *a) {
  if (!a->buf)
    return "{}";
  a->buf[a->len++] = '}';
  a->buf[a->len] = 0;
  return a->buf;
}

static void free_rows(import_row *rows, int n) {
  for (int i = 0; i < n; i++) {
    for (int k = 0; k < 3; k++)
      free(rows[i].key[k]);
    free(rows[i].date);
    free(rows[i].category);
  }
  free(rows);
}

/* Reads the header and the rows. */
/* What the file's text must be, said once per row or header that is not it. */
#define NOT_UTF8 "is not UTF-8 text: save the file as \"CSV UTF-8\""

/* The first field of the record that is not UTF-8, or -1. */
static int not_utf8(const char *const *fields, int n) {
  for (int i = 0; i < n; i++)
    if (!ij_text_utf8_valid(fields[i]))
      return i;
  return -1;
}

static ij_err read_file(const char *data, size_t len, import_row **out, int *nrows,
                        ij_import_errors *errs) {
  /* spreadsheet programs write "CSV UTF-8" with a byte-order mark in front of the header */
  if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
    data += 3;
    len -= 3;
  }
  ij_csv csv = {data, len, 0, 0};
  char *buf = malloc(MAX_RECORD);
  const char *fields[MAX_FIELDS];
  int n = 0, map[MAX_FIELDS], have[COL_COUNT];
  *out = NULL;
  *nrows = 0;
  if (!buf)
    return IJ_ERR_NOMEM;
  for (int c = 0; c < COL_COUNT; c++)
    have[c] = -1;
  ij_err err = ij_csv_next(&csv, buf, MAX_RECORD, fields, MAX_FIELDS, &n);
  if (err != IJ_OK) {
    add_error(errs, 1, NULL,
              err == IJ_ERR_NOT_FOUND ? "the file is empty" : "the header row is not valid CSV");
    free(buf);
    return IJ_ERR_INVALID;
  }
  int bad = not_utf8(fields, n);
  if (bad >= 0) {
    add_error(errs, 1, NULL, "the header's column %d " NOT_UTF8, bad + 1);
    free(buf);
    return IJ_ERR_INVALID;
  }
  for (int i = 0; i < n; i++) {
    map[i] = -1;
    for (int c = 0; c < COL_COUNT; c++)
      if (strcmp(fields[i], COLUMNS[c]) == 0)
        map[i] = c;
    if (map[i] < 0)
      add_error(errs, 1, fields[i], "is not a known column");
    else if (have[map[i]] >= 0)
      add_error(errs, 1, fields[i], "appears twice");
    else
      have[map[i]] = i;
  }
  if (have[COL_WINDOW] < 0)
    add_error(errs, 1, "window_months", "the column is required");
  if (have[COL_REOFFENDED] < 0)
    add_error(errs, 1, "reoffended", "the column is required");
  if (have[COL_POLICE] < 0 && have[COL_PERSON] < 0 && have[COL_REFERRAL] < 0)
    add_error(errs, 1, "police_id", "one of police_id, person_id or referral_id is required");
  if (errs->total) {
    free(buf);
    return IJ_ERR_INVALID;
  }
  int columns = n, cap = 0;
  import_row *rows = NULL;
  for (;;) {
    err = ij_csv_next(&csv, buf, MAX_RECORD, fields, MAX_FIELDS, &n);
    if (err == IJ_ERR_NOT_FOUND)
      break;
    int row = err == IJ_OK ? csv.record : csv.record + 1; /* the header is row 1 */
    if (err != IJ_OK) {
      add_error(errs, row, NULL, "the row is not valid CSV (quotes, length or field count)");
      break; /* the reader cannot find the next row reliably */
    }
    if (n == 1 && fields[0][0] == 0)
      continue; /* a blank line */
    if (n != columns) {
      add_error(errs, row, NULL, "has %d fields; the header has %d", n, columns);
      continue;
    }
    if ((bad = not_utf8(fields, n)) >= 0) {
      add_error(errs, row, map[bad] >= 0 ? COLUMNS[map[bad]] : NULL, NOT_UTF8);
      continue;
    }
    if (*nrows == cap) {
      cap = cap ? cap * 2 : 256;
      import_row *grown = realloc(rows, (size_t)cap * sizeof *rows);
      if (!grown) {
        free_rows(rows, *nrows);
        free(buf);
        return IJ_ERR_NOMEM;
      }
      rows = grown;
    }
    import_row *r = &rows[(*nrows)++];
    memset(r, 0, sizeof *r);
    int problems = errs->total;
    r->row = row;
    r->match = -1;
    for (int k = 0; k < 3; k++)
      r->key[k] = have[k] >= 0 ? dup_or_null(fields[have[k]]) : NULL;
    char canon[IJ_UUID_BUF];
    for (int k = 1; k < 3; k++) {
      if (r->key[k] && !ij_uuid_canonical(r->key[k], canon))
        add_error(errs, row, COLUMNS[k], "is not an id the service gave");
      else if (r->key[k])
        memcpy(r->key[k], canon, IJ_UUID_BUF);
    }
    if (!r->key[0] && !r->key[1] && !r->key[2])
      add_error(errs, row, "police_id", "names nobody: give police_id, person_id or referral_id");
    const char *w = fields[have[COL_WINDOW]];
    r->window = (strcmp(w, "3") == 0)    ? 3
                : (strcmp(w, "6") == 0)  ? 6
                : (strcmp(w, "12") == 0) ? 12
                                         : 0;
    if (!r->window)
      add_error(errs, row, "window_months", "must be 3, 6 or 12");
    r->reoffended = parse_bool(fields[have[COL_REOFFENDED]]);
    if (r->reoffended < 0)
      add_error(errs, row, "reoffended", "must be true or false");
    r->date = have[COL_DATE] >= 0 ? dup_or_null(fields[have[COL_DATE]]) : NULL;
    r->category = have[COL_CATEGORY] >= 0 ? dup_or_null(fields[have[COL_CATEGORY]]) : NULL;
    r->bad = errs->total > problems;
  }
  free(buf);
  *out = rows;
  /* rows with problems are reported with the others, after matching */
  return err == IJ_ERR_NOT_FOUND ? IJ_OK : IJ_ERR_INVALID;
}

/* Candidate columns (see ij_store_followups_candidates). */
enum {
  C_ID,
  C_VERSION,
  C_WINDOW,
  C_REFERRAL,
  C_PERSON,
  C_POLICE,
  C_EXITED,
  C_DUE,
  C_RECORDED,
  C_REOFFENDED,
  C_FIRST,
  C_CATEGORY
};

/* Finds the check a row names: the given referral's, else the person's, one with that window. */
static int match(const import_row *r, const ij_rows *c, ij_date today, int *ambiguous) {
  int found = -1, count = 0;
  char w[8];
  snprintf(w, sizeof w, "%d", r->window);
  for (int i = 0; i < c->count; i++) {
    if (strcmp(ij_rows_get(c, i, C_WINDOW), w) != 0)
      continue;
    const char *police = ij_rows_get(c, i, C_POLICE);
    bool hit = r->key[2]   ? strcmp(ij_rows_get(c, i, C_REFERRAL), r->key[2]) == 0
               : r->key[1] ? strcmp(ij_rows_get(c, i, C_PERSON), r->key[1]) == 0
                           : police && strcmp(police, r->key[0]) == 0;
    if (!hit)
      continue;
    /* of several referrals of one person, the check that is due and not recorded */
    bool open = ij_rows_get(c, i, C_RECORDED)[0] == 'f' && atoi(ij_rows_get(c, i, C_DUE)) <= today;
    if (found < 0 || open)
      found = i;
    count += open ? 1 : 0;
  }
  *ambiguous = count > 1;
  return found;
}

void ij_import_report_clear(ij_import_report *report) {
  if (report)
    ij_rows_clear(&report->referrals);
}

/* The referrals whose checks the import recorded, after its commit. A failure is reported, not
 * returned: the file is recorded whether or not they can be named. */
static void read_referrals(ij_conn *conn, const ij_op_ctx *op, int max, ij_import_report *report) {
  if (max < 1 || report->recorded < 1)
    return;
  if (ij_store_import_referrals(conn, op->area, report->import_id, max, &report->referrals) !=
      IJ_OK) {
    memset(&report->referrals, 0, sizeof report->referrals);
    report->referrals_unread = true;
  }
}

/* The import, or (dry_run) everything it does before its transaction: the same checks of every
 * row, and the same report, with nothing written. */
static ij_err import_followups(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                               const char *data, size_t len, const char *sha256, int referrals_max,
                               bool dry_run, ij_import_report *report, ij_import_errors *errs) {
  memset(report, 0, sizeof *report);
  memset(errs, 0, sizeof *errs);
  ij_rows kept;
  ij_err err = ij_store_followup_import_find(conn, op->area, sha256, &kept);
  if (err == IJ_OK) {
    ij_str_copy(report->import_id, sizeof report->import_id, ij_rows_get(&kept, 0, 0));
    report->rows = atoi(ij_rows_get(&kept, 0, 1));
    report->recorded = atoi(ij_rows_get(&kept, 0, 2));
    report->unchanged = atoi(ij_rows_get(&kept, 0, 3));
    report->replayed = true;
    ij_rows_clear(&kept);
    return IJ_OK;
  }
  if (err != IJ_ERR_NOT_FOUND)
    return err;

  import_row *rows = NULL;
  int n = 0;
  err = read_file(data, len, &rows, &n, errs);
  if (err == IJ_OK && n == 0) {
    add_error(errs, 2, NULL, "the file has no rows");
    err = IJ_ERR_INVALID;
  }
  array_lit keys[3];
  memset(keys, 0, sizeof keys);
  const char *lits[3] = {"{}", "{}", "{}"};
  ij_rows cands;
  memset(&cands, 0, sizeof cands);
  for (int k = 0; k < 3 && err == IJ_OK; k++) {
    for (int i = 0; i < n && err == IJ_OK; i++)
      if (!rows[i].bad && rows[i].key[k] && !array_add(&keys[k], rows[i].key[k]))
        err = IJ_ERR_NOMEM;
    lits[k] = array_end(&keys[k]);
  }
  if (err == IJ_OK)
    err = ij_store_followups_candidates(conn, op->area, lits[0], lits[1], lits[2], &cands);
  ij_date today = ij_time_date(op->now);
  int recorded = 0, unchanged = 0;
  for (int i = 0; err == IJ_OK && i < n; i++) {
    import_row *r = &rows[i];
    if (r->bad)
      continue;
    int ambiguous = 0;
    r->match = match(r, &cands, today, &ambiguous);
    const char *col = r->key[2] ? "referral_id" : r->key[1] ? "person_id" : "police_id";
    if (r->match < 0) {
      add_error(errs, r->row, col, "no %d-month check of this %s in this area", r->window,
                r->key[2] ? "referral" : "person");
      continue;
    }
    if (ambiguous) {
      add_error(errs, r->row, col, "this person has several %d-month checks due; give referral_id",
                r->window);
      continue;
    }
    for (int j = 0; j < i; j++)
      if (rows[j].match == r->match) {
        add_error(errs, r->row, col, "names the same check as row %d", rows[j].row);
        break;
      }
    const ij_rows *c = &cands;
    int m = r->match;
    bool was = ij_rows_get(c, m, C_RECORDED)[0] == 't';
    if (was) {
      /* the same result again is no change; another result is a conflict */
      const char *prev = ij_rows_get(c, m, C_REOFFENDED);
      const char *first = ij_rows_get(c, m, C_FIRST);
      const char *cat = ij_rows_get(c, m, C_CATEGORY);
      char date[IJ_DATE_BUF] = "";
      if (first)
        ij_date_format((ij_date)atoi(first), date);
      bool same = prev && (prev[0] == 't') == (r->reoffended == 1) &&
                  ((!r->date && !first) || (r->date && first && strcmp(r->date, date) == 0)) &&
                  ((!r->category && !cat) || (r->category && cat && strcmp(r->category, cat) == 0));
      if (same)
        unchanged++;
      else
        add_error(errs, r->row, "reoffended", "the check is recorded already with another result");
      r->match = same ? -2 : r->match;
      continue;
    }
    ij_followup_input in = {r->reoffended, r->date, r->category, "police_import"};
    ij_followup_facts facts = {(ij_date)atoi(ij_rows_get(c, m, C_EXITED)),
                               (ij_date)atoi(ij_rows_get(c, m, C_DUE)), false};
    ij_followup_result result;
    ij_field_errors fe;
    ij_field_errors_init(&fe);
    if (ij_domain_followup_validate(&in, &facts, today, &result, &fe) != IJ_OK) {
      for (int k = 0; k < fe.count; k++) {
        const char *field = fe.items[k].field;
        add_error(errs, r->row,
                  strcmp(field, "first_reoffence_on") == 0   ? "first_reoffence_on"
                  : strcmp(field, "reoffence_category") == 0 ? "reoffence_category"
                  : strcmp(field, "check") == 0              ? "window_months"
                                                             : "reoffended",
                  "%s", fe.items[k].message);
      }
      continue;
    }
    recorded++;
  }
  if (err == IJ_OK && errs->total)
    err = IJ_ERR_INVALID;

  if (err == IJ_OK && dry_run) {
    report->rows = n;
    report->recorded = recorded;
    report->unchanged = unchanged;
  }
  /* every row is good: record them all, or nothing */
  if (err == IJ_OK && !dry_run) {
    ij_uuid_new(report->import_id);
    err = ij_store_begin(conn);
    ij_audit audit = {op->request_id, actor->sub, actor->name, "coordinator", op->now};
    if (err == IJ_OK)
      err = ij_store_followup_import_add(conn, op->area, report->import_id, sha256, n, recorded,
                                         unchanged, &audit);
    for (int i = 0; err == IJ_OK && i < n; i++) {
      import_row *r = &rows[i];
      if (r->match < 0)
        continue;
      ij_followup_input in = {r->reoffended, r->date, r->category, "police_import"};
      int current = 0;
      ij_field_errors fe;
      ij_field_errors_init(&fe);
      err = ij_ops_record_followup_in_tx(conn, op, actor, ij_rows_get(&cands, r->match, C_ID),
                                         atoi(ij_rows_get(&cands, r->match, C_VERSION)), &in,
                                         report->import_id, &current, &fe);
      if (err != IJ_OK)
        add_error(errs, r->row, NULL, "changed while importing: %s",
                  fe.count ? fe.items[0].message : ij_err_message(err));
    }
    if (err == IJ_OK)
      err = ij_store_commit(conn);
    if (err != IJ_OK)
      ij_store_rollback(conn);
    report->rows = n;
    report->recorded = recorded;
    report->unchanged = unchanged;
    if (err == IJ_OK)
      read_referrals(conn, op, referrals_max, report);
  }
  ij_rows_clear(&cands);
  for (int k = 0; k < 3; k++)
    free(keys[k].buf);
  free_rows(rows, n);
  return err;
}

ij_err ij_ops_import_followups(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                               const char *data, size_t len, const char *sha256, int referrals_max,
                               ij_import_report *report, ij_import_errors *errs) {
  return import_followups(conn, op, actor, data, len, sha256, referrals_max, false, report, errs);
}

ij_err ij_ops_import_followups_dry_run(ij_conn *conn, const ij_op_ctx *op, const ij_actor *actor,
                                       const char *data, size_t len, const char *sha256,
                                       ij_import_report *report, ij_import_errors *errs) {
  return import_followups(conn, op, actor, data, len, sha256, 0, true, report, errs);
}
