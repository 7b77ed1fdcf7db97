/* Validation of placements and sessions: every problem is collected, each on its field's JSON
 * path. Pure: "now" is passed in. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "domain_internal.h"

#define MIN_AGE_LOW 10 /* the age of criminal responsibility in England and Wales */
#define MIN_AGE_HIGH 99

static const char *const k_types[] = {
#define IJ_TYPE_ENTRY(name) name,
    IJ_PLACEMENT_TYPE_LIST(IJ_TYPE_ENTRY)
#undef IJ_TYPE_ENTRY
};
#define TYPE_COUNT (sizeof k_types / sizeof k_types[0])

typedef struct {
  ij_field_errors *errs; /* may be NULL */
  int count;             /* problems found, also past the list's capacity */
} problems;

static void problem(problems *p, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void problem(problems *p, const char *field, const char *fmt, ...) {
  char buf[256];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n < 0) {
    buf[0] = '\0';
  }
  /* one message per field: a field the request's decoding found wrong (not a string, say) is
   * not named again as missing */
  if (!ij_field_errors_has(p->errs, field)) {
    ij_field_errors_add(p->errs, field, "%s", buf);
  }
  p->count++;
}

/* Length without leading and trailing ASCII spaces. */
static size_t trimmed_length(const char *s) {
  const char *end = s + strlen(s);
  while (*s == ' ') {
    s++;
  }
  while (end > s && end[-1] == ' ') {
    end--;
  }
  return (size_t)(end - s);
}

/* A short text such as a name: present (when required), no control characters, not blank, at
 * most max bytes once trimmed. */
static void check_text(problems *p, const char *field, const char *value, bool required,
                       size_t max) {
  if (value == NULL) {
    if (required) {
      problem(p, field, "is required");
    }
    return;
  }
  if (ij_text_has_control(value)) {
    problem(p, field, "must not contain control characters");
  } else if (trimmed_length(value) == 0) {
    problem(p, field, "must not be blank");
  } else if (trimmed_length(value) > max) {
    problem(p, field, "is too long (at most %zu bytes)", max);
  }
}

static void check_type(problems *p, const char *value, bool required) {
  if (value == NULL) {
    if (required) {
      problem(p, "type", "is required");
    }
    return;
  }
  for (size_t i = 0; i < TYPE_COUNT; i++) {
    if (strcmp(value, k_types[i]) == 0) {
      return;
    }
  }
  char choices[256] = "";
  size_t used = 0;
  for (size_t i = 0; i < TYPE_COUNT && used < sizeof choices; i++) {
    int w = snprintf(choices + used, sizeof choices - used, "%s%s", i > 0 ? ", " : "", k_types[i]);
    if (w < 0) {
      break;
    }
    used += (size_t)w;
  }
  problem(p, "type", "must be one of: %s", choices);
}

static void check_ward(problems *p, const char *value, bool required) {
  if (value == NULL) {
    if (required) {
      problem(p, "ward", "is required");
    }
    return;
  }
  if (!ij_text_is_code(value, IJ_MAX_CODE, "_-")) {
    problem(p, "ward", "must be a ward code of 1 to %d characters a-z, 0-9, _ and -", IJ_MAX_CODE);
  }
}

/* The supervisor object: when given (or required), both members are required. */
static void check_supervisor(problems *p, bool given, const char *sub, const char *name,
                             bool required) {
  if (!given) {
    if (required) {
      problem(p, "supervisor", "is required");
    }
    return;
  }
  check_text(p, "supervisor.sub", sub, true, IJ_MAX_SUPERVISOR);
  check_text(p, "supervisor.name", name, true, IJ_MAX_SUPERVISOR);
}

ij_err ij_domain_placement_validate(const ij_placement_input *in, bool create,
                                    ij_field_errors *errs) {
  if (in == NULL) {
    return IJ_ERR_INTERNAL;
  }
  problems p = {errs, 0};
  if (!create && in->name == NULL && in->type == NULL && in->provider == NULL && in->ward == NULL &&
      !in->has_location && !in->has_min_age && !in->has_supervisor && in->active == -1 &&
      !in->has_what_to_bring) {
    problem(&p, "body", "must change at least one field");
    return IJ_ERR_INVALID;
  }
  check_text(&p, "name", in->name, create, IJ_MAX_NAME);
  check_type(&p, in->type, create);
  check_text(&p, "provider", in->provider, create, IJ_MAX_NAME);
  check_ward(&p, in->ward, create);
  if (in->has_location && in->location != NULL) {
    if (strlen(in->location) > IJ_MAX_NOTE) {
      problem(&p, "location", "is too long (at most %d bytes)", IJ_MAX_NOTE);
    } else if (ij_text_is_blank(in->location)) {
      problem(&p, "location", "must not be blank (send null to leave it out)");
    }
  }
  if (in->has_what_to_bring && in->what_to_bring != NULL) {
    size_t chars = 0;
    for (const unsigned char *c = (const unsigned char *)in->what_to_bring; *c; c++)
      chars += (*c & 0xC0) != 0x80;
    if (!ij_text_utf8_valid(in->what_to_bring) || ij_text_has_control(in->what_to_bring)) {
      problem(&p, "what_to_bring", "must be text without control characters");
    } else if (chars > 500) {
      problem(&p, "what_to_bring", "is too long (at most 500 characters)");
    } else if (ij_text_is_blank(in->what_to_bring)) {
      problem(&p, "what_to_bring", "must not be blank (send null to leave it out)");
    }
  }
  if (in->has_min_age && (in->min_age < MIN_AGE_LOW || in->min_age > MIN_AGE_HIGH)) {
    problem(&p, "min_age", "must be a whole number from %d to %d", MIN_AGE_LOW, MIN_AGE_HIGH);
  }
  check_supervisor(&p, in->has_supervisor, in->supervisor_sub, in->supervisor_name, create);
  if (in->active < -1 || in->active > 1) {
    problem(&p, "active", "must be true or false");
  }
  return p.count > 0 ? IJ_ERR_INVALID : IJ_OK;
}

/* A required instant; true (with *out set) when it is usable. */
static bool check_instant(problems *p, const char *field, const char *value, ij_time_us *out) {
  if (value == NULL) {
    problem(p, field, "is required");
    return false;
  }
  if (ij_time_parse(value, out) != IJ_OK) {
    problem(p, field, "must be an RFC 3339 date-time such as 2026-11-25T09:00:00Z");
    return false;
  }
  return true;
}

static void check_times(problems *p, const ij_session_input *in, ij_time_us now,
                        ij_session_times *out) {
  ij_time_us starts = 0, ends = 0;
  bool starts_ok = check_instant(p, "starts_at", in->starts_at, &starts);
  bool ends_ok = check_instant(p, "ends_at", in->ends_at, &ends);
  if (in->late_entry_reason != NULL) {
    /* a paper register entered afterwards: the session must be over, and say why it is late */
    if (ij_domain_late_entry_reason(in->late_entry_reason, true, p->errs) != IJ_OK) {
      p->count++;
    }
    if (starts_ok && ends_ok && ends > now) {
      problem(p, "late_entry_reason",
              "is only for a session that is over; this one ends after now");
      ends_ok = false;
    }
  } else if (starts_ok && starts < now - IJ_SESSION_PAST_GRACE_US) {
    problem(p, "starts_at",
            "must not be in the past; a coordinator enters a session that is over with a "
            "late_entry_reason");
    starts_ok = false;
  }
  if (starts_ok && ends_ok) {
    if (ends <= starts) {
      problem(p, "ends_at", "must be after starts_at");
      ends_ok = false;
    } else if (ends - starts > (ij_time_us)IJ_SESSION_MAX_HOURS * IJ_US_PER_HOUR) {
      problem(p, "ends_at", "must be at most %d hours after starts_at", IJ_SESSION_MAX_HOURS);
      ends_ok = false;
    }
  }
  if (out != NULL && starts_ok && ends_ok) {
    out->starts_at = starts;
    out->ends_at = ends;
  }
}

ij_err ij_domain_session_validate(const ij_session_input *in, bool create, ij_time_us now,
                                  ij_session_times *out, ij_field_errors *errs) {
  if (out != NULL) {
    memset(out, 0, sizeof *out);
  }
  if (in == NULL) {
    return IJ_ERR_INTERNAL;
  }
  problems p = {errs, 0};
  if (create) {
    check_times(&p, in, now, out);
    if (!in->has_capacity) {
      problem(&p, "capacity", "is required");
    }
    if (in->cancelled != -1) {
      problem(&p, "cancelled", "cannot be set on a new session");
    }
  } else {
    if (in->starts_at == NULL && in->ends_at == NULL && !in->has_capacity && !in->has_supervisor &&
        in->cancelled == -1) {
      problem(&p, "body", "must change at least one field");
      return IJ_ERR_INVALID;
    }
    /* a move gives both times, and is not made in the request that cancels the session */
    if (in->cancelled == 1 && (in->starts_at != NULL || in->ends_at != NULL)) {
      problem(&p, in->starts_at ? "starts_at" : "ends_at",
              "cannot be changed in the request that cancels the session");
    } else if (in->starts_at != NULL && in->ends_at == NULL) {
      problem(&p, "starts_at", "is changed together with ends_at: give both");
    } else if (in->ends_at != NULL && in->starts_at == NULL) {
      problem(&p, "ends_at", "is changed together with starts_at: give both");
    } else if (in->starts_at != NULL) {
      ij_session_input times = *in;
      times.late_entry_reason = NULL; /* a session moves to a time to come */
      check_times(&p, &times, now, out);
    }
    if (in->cancelled == 0) {
      problem(&p, "cancelled", "can only be true: a cancelled session is not reopened");
    } else if (in->cancelled != -1 && in->cancelled != 1) {
      problem(&p, "cancelled", "must be true");
    }
  }
  if (in->has_capacity && (in->capacity < 1 || in->capacity > IJ_SESSION_CAPACITY_MAX)) {
    problem(&p, "capacity", "must be a whole number from 1 to %d", IJ_SESSION_CAPACITY_MAX);
  }
  check_supervisor(&p, in->has_supervisor, in->supervisor_sub, in->supervisor_name, false);
  if (p.count > 0 && out != NULL) {
    memset(out, 0, sizeof *out);
  }
  return p.count > 0 ? IJ_ERR_INVALID : IJ_OK;
}

ij_err ij_domain_session_move_check(ij_time_us current_starts_at, ij_time_us now,
                                    ij_field_errors *errs) {
  if (now < current_starts_at)
    return IJ_OK;
  ij_field_errors_add(errs, "starts_at", "the session has started and can no longer move");
  return IJ_ERR_CONFLICT;
}
