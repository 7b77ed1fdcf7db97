/* Identifiers: random UUIDs and their canonical text, and the size of an area code, shared by
 * every layer. */
#ifndef IJ_IDS_H
#define IJ_IDS_H

#include <stdbool.h>

#define IJ_UUID_BUF 37 /* 36 characters and the NUL */
#define IJ_AREA_MAX 65 /* an area code (at most 64 characters) and the NUL */

/* A new random (version 4) UUID, lower case. */
void ij_uuid_new(char out[IJ_UUID_BUF]);
/* The canonical lower-case form of a UUID in `in` (may be NULL); false when it is not one. */
bool ij_uuid_canonical(const char *in, char out[IJ_UUID_BUF]);

#endif
