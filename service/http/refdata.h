/* The handlers of an area's reference data as its admins maintain it (refdata.c). */
#ifndef IJ_HTTP_REFDATA_H
#define IJ_HTTP_REFDATA_H

#include "internal.h"

void ij_h_ward_add(ij_ctx *ctx);
void ij_h_ward_change(ij_ctx *ctx);
void ij_h_ward_delete(ij_ctx *ctx);
void ij_h_reason_code_add(ij_ctx *ctx);
void ij_h_reason_code_change(ij_ctx *ctx);
void ij_h_reason_code_delete(ij_ctx *ctx);
void ij_h_area_rules_get(ij_ctx *ctx);
void ij_h_area_rules_put(ij_ctx *ctx);
void ij_h_supervisor_list(ij_ctx *ctx);
void ij_h_supervisor_add(ij_ctx *ctx);
void ij_h_supervisor_change(ij_ctx *ctx);
void ij_h_reference_changes(ij_ctx *ctx);

#endif
