/* The dashboard's files, embedded into the binary at build time (web/embed_assets.cmake). */
#ifndef IJ_HTTP_DASHBOARD_FILES_H
#define IJ_HTTP_DASHBOARD_FILES_H

#include <stddef.h>

typedef struct {
  const char *name; /* as in /dashboard/assets/{name}; "index.html" is the page itself */
  const char *type; /* Content-Type */
  const unsigned char *data;
  size_t size;
} ij_dashboard_file;

extern const ij_dashboard_file ij_dashboard_files[];
extern const int ij_dashboard_files_count;

#endif
