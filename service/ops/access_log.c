/* Reading the personal-data access log (the http layer's audit writer fills it). */
#include "ops_internal.h"

ij_err ij_ops_access_log_list(ij_conn *conn, const ij_access_filter *f, ij_access_page *out) {
  return ij_store_access_list(conn, f, out);
}
