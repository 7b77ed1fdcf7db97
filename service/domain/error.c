/* Names and messages of the service's error codes, generated from IJ_ERROR_LIST. */
#include "ij/error.h"

static const char *const k_err_names[IJ_ERR__COUNT] = {
#define IJ_ERR_NAME_ENTRY(code, name, message) [code] = name,
    IJ_ERROR_LIST(IJ_ERR_NAME_ENTRY)
#undef IJ_ERR_NAME_ENTRY
};

static const char *const k_err_messages[IJ_ERR__COUNT] = {
#define IJ_ERR_MESSAGE_ENTRY(code, name, message) [code] = message,
    IJ_ERROR_LIST(IJ_ERR_MESSAGE_ENTRY)
#undef IJ_ERR_MESSAGE_ENTRY
};

const char *ij_err_name(ij_err e) {
  if ((unsigned)e >= IJ_ERR__COUNT) {
    return "unknown";
  }
  return k_err_names[e];
}

const char *ij_err_message(ij_err e) {
  if ((unsigned)e >= IJ_ERR__COUNT) {
    return "unknown error";
  }
  return k_err_messages[e];
}
