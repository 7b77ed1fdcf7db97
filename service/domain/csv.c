/* An RFC 4180 reader that copies each record's fields into a caller's buffer. */
#include "domain_internal.h"

ij_err ij_csv_next(ij_csv *csv, char *buf, size_t size, const char **fields, int max_fields,
                   int *nfields) {
  *nfields = 0;
  if (csv->pos >= csv->len)
    return IJ_ERR_NOT_FOUND;
  size_t w = 0;
  int n = 0;
  const char *d = csv->data;
  size_t i = csv->pos;
  for (;;) {
    if (n == max_fields || w >= size)
      return IJ_ERR_MALFORMED;
    fields[n++] = buf + w;
    if (i < csv->len && d[i] == '"') {
      /* quoted: up to the closing quote; "" is one quote */
      i++;
      for (;;) {
        if (i >= csv->len)
          return IJ_ERR_MALFORMED; /* unterminated */
        char c = d[i++];
        if (c == '"') {
          if (i < csv->len && d[i] == '"') {
            i++;
          } else {
            break;
          }
        } else if (c == 0) {
          return IJ_ERR_MALFORMED;
        }
        if (w + 1 >= size)
          return IJ_ERR_MALFORMED;
        buf[w++] = c;
      }
      if (i < csv->len && d[i] != ',' && d[i] != '\r' && d[i] != '\n')
        return IJ_ERR_MALFORMED; /* text after the closing quote */
    } else {
      while (i < csv->len && d[i] != ',' && d[i] != '\r' && d[i] != '\n') {
        if (d[i] == '"' || d[i] == 0)
          return IJ_ERR_MALFORMED; /* a quote inside an unquoted field */
        if (w + 1 >= size)
          return IJ_ERR_MALFORMED;
        buf[w++] = d[i++];
      }
    }
    buf[w++] = 0;
    if (i < csv->len && d[i] == ',') {
      i++;
      continue;
    }
    if (i < csv->len && d[i] == '\r') {
      i++;
      if (i < csv->len && d[i] != '\n')
        return IJ_ERR_MALFORMED; /* a lone CR */
    }
    if (i < csv->len && d[i] == '\n')
      i++;
    break;
  }
  csv->pos = i;
  csv->record++;
  *nfields = n;
  return IJ_OK;
}
