/* Private to the store: the migrations compiled into the binary, in order. */
#ifndef IJ_STORE_MIGRATIONS_H
#define IJ_STORE_MIGRATIONS_H

typedef struct {
  int version;
  const char *name;
  const char *sql;
} ij_migration;

extern const ij_migration ij_migrations[];
extern const int ij_migrations_count;

#endif
