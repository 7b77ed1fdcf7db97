/* Reoffending follow-up: windows, due dates, validation of a check's result, re-referral, and
 * the name key that matches people without a police identifier. */
#include <string.h>

#include "domain_internal.h"

const int ij_followup_windows[IJ_FOLLOWUP_WINDOW_COUNT] = {3, 6, 12};

ij_date ij_domain_followup_due(ij_date exited_on, int window_months) {
  return ij_date_add_months(exited_on, window_months);
}

bool ij_domain_followup_closes(int window_months) {
  return window_months == ij_followup_windows[IJ_FOLLOWUP_WINDOW_COUNT - 1];
}

static bool is_category(const char *s) {
#define IJ_CATEGORY_MATCH(name) \
  if (strcmp(s, name) == 0)     \
    return true;
  IJ_OFFENCE_CATEGORY_LIST(IJ_CATEGORY_MATCH)
#undef IJ_CATEGORY_MATCH
  return false;
}

ij_err ij_domain_followup_validate(const ij_followup_input *in, const ij_followup_facts *facts,
                                   ij_date today, ij_followup_result *out, ij_field_errors *errs) {
  memset(out, 0, sizeof *out);
  int before = errs ? errs->count : 0;
  out->source = "pnc_check";
  if (in->source) {
    if (strcmp(in->source, "pnc_check") == 0)
      out->source = "pnc_check";
    else if (strcmp(in->source, "police_import") == 0)
      out->source = "police_import";
    else
      ij_field_errors_add(errs, "source", "must be pnc_check or police_import");
  }
  if (in->reoffended < 0) {
    ij_field_errors_add(errs, "reoffended", "is required (true or false)");
  } else if (in->reoffended == 0) {
    if (in->first_reoffence_on)
      ij_field_errors_add(errs, "first_reoffence_on", "must be absent when there was no reoffence");
    if (in->category)
      ij_field_errors_add(errs, "reoffence_category", "must be absent when there was no reoffence");
  } else {
    out->reoffended = true;
    if (!in->first_reoffence_on) {
      ij_field_errors_add(errs, "first_reoffence_on", "is required when the person reoffended");
    } else if (ij_date_parse(in->first_reoffence_on, &out->first_reoffence_on) != IJ_OK) {
      ij_field_errors_add(errs, "first_reoffence_on", "must be a date YYYY-MM-DD");
    } else if (out->first_reoffence_on > today) {
      ij_field_errors_add(errs, "first_reoffence_on", "must not be in the future");
    } else if (out->first_reoffence_on <= facts->exited_on) {
      ij_field_errors_add(errs, "first_reoffence_on", "must be after the referral ended");
    } else if (out->first_reoffence_on > facts->due_on) {
      ij_field_errors_add(errs, "first_reoffence_on",
                          "falls after this check's window; record it on a later check");
    }
    if (!in->category)
      ij_field_errors_add(errs, "reoffence_category", "is required when the person reoffended");
    else if (!is_category(in->category))
      ij_field_errors_add(errs, "reoffence_category", "is not an offence category");
  }
  if (errs && errs->count > before)
    return IJ_ERR_INVALID;
  if (facts->recorded) {
    ij_field_errors_add(errs, "check", "is recorded already");
    return IJ_ERR_CONFLICT;
  }
  if (today < facts->due_on) {
    char due[IJ_DATE_BUF];
    ij_date_format(facts->due_on, due);
    ij_field_errors_add(errs, "check", "is not due until %s", due);
    return IJ_ERR_CONFLICT;
  }
  return IJ_OK;
}

int ij_domain_rereferral_window(ij_date earlier_exit, ij_date referred_on) {
  if (referred_on < earlier_exit)
    return 0;
  for (int i = 0; i < IJ_FOLLOWUP_WINDOW_COUNT; i++)
    if (referred_on <= ij_date_add_months(earlier_exit, ij_followup_windows[i]))
      return ij_followup_windows[i];
  return 0;
}

void ij_domain_name_key(const char *name, char *out, size_t size) {
  size_t n = 0;
  bool space = false;
  if (size == 0)
    return;
  for (const unsigned char *p = (const unsigned char *)name; p && *p && n + 1 < size; p++) {
    unsigned char c = *p;
    bool keep =
        (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || c >= 0x80;
    if (!keep) {
      space = n > 0;
      continue;
    }
    if (space && n + 2 < size) {
      out[n++] = ' ';
      space = false;
    }
    out[n++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : (char)c;
  }
  out[n] = 0;
}
