#include "ij/ids.h"

#include <string.h>
#include <uuid/uuid.h>

void ij_uuid_new(char out[IJ_UUID_BUF]) {
  uuid_t u;
  uuid_generate_random(u);
  uuid_unparse_lower(u, out);
}

bool ij_uuid_canonical(const char *in, char out[IJ_UUID_BUF]) {
  uuid_t u;
  if (!in || strlen(in) != 36 || uuid_parse(in, u) != 0)
    return false;
  uuid_unparse_lower(u, out);
  return true;
}
