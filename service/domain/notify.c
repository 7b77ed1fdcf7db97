/* An area's GOV.UK Notify settings and templates: the rules an admin's changes must meet. */
#include <stdio.h>
#include <string.h>

#include "domain_internal.h"
#include "ij/domain_notices.h"
#include "ij/domain_notify.h"

static bool hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* A UUID's shape in the first IJ_NOTIFY_UUID_LEN bytes of s (s holds at least that many). */
static bool uuid_at(const char *s) {
  for (int i = 0; i < IJ_NOTIFY_UUID_LEN; i++) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !hex(s[i]))
      return false;
  }
  return true;
}

bool ij_domain_notify_uuid_ok(const char *s) {
  return s && strlen(s) == IJ_NOTIFY_UUID_LEN && uuid_at(s);
}

ij_err ij_domain_notify_key_parse(const char *api_key, ij_notify_key *out) {
  memset(out, 0, sizeof *out);
  if (!api_key)
    return IJ_ERR_INVALID;
  /* the tail is "-<uuid>-<uuid>": 2 dashes and 2 UUIDs */
  size_t len = strlen(api_key), tail = 2 + 2 * IJ_NOTIFY_UUID_LEN;
  if (len <= tail || len - tail > IJ_NOTIFY_KEY_NAME_MAX)
    return IJ_ERR_INVALID;
  size_t name_len = len - tail;
  for (size_t i = 0; i < name_len; i++)
    if (api_key[i] < 0x21 || api_key[i] > 0x7e)
      return IJ_ERR_INVALID;
  const char *service = api_key + name_len + 1, *secret = service + IJ_NOTIFY_UUID_LEN + 1;
  if (api_key[name_len] != '-' || service[IJ_NOTIFY_UUID_LEN] != '-' || !uuid_at(service) ||
      !uuid_at(secret))
    return IJ_ERR_INVALID;
  memcpy(out->key_name, api_key, name_len);
  for (int i = 0; i < IJ_NOTIFY_UUID_LEN; i++)
    out->service_id[i] =
        (char)(service[i] >= 'A' && service[i] <= 'F' ? service[i] - 'A' + 'a' : service[i]);
  memcpy(out->secret, secret, IJ_NOTIFY_UUID_LEN);
  return IJ_OK;
}

bool ij_domain_notify_time_ok(const char *s) {
  if (!s || strlen(s) != 5 || s[2] != ':')
    return false;
  for (int i = 0; i < 5; i++)
    if (i != 2 && (s[i] < '0' || s[i] > '9'))
      return false;
  int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
  return h <= 23 && m <= 59;
}

static bool token_ok(const char *t) {
  size_t len = strlen(t);
  if (len < IJ_NOTIFY_TOKEN_MIN || len > IJ_NOTIFY_TOKEN_MAX)
    return false;
  for (const unsigned char *p = (const unsigned char *)t; *p; p++)
    if (*p < 0x21 || *p > 0x7e)
      return false;
  return true;
}

ij_err ij_domain_notify_settings_validate(const ij_notify_settings_input *in, ij_notify_key *key,
                                          ij_field_errors *errs) {
  memset(key, 0, sizeof *key);
  /* neither message repeats what was sent, nor which character was refused */
  if (in->has_api_key && in->api_key && !ij_field_errors_has(errs, "api_key") &&
      ij_domain_notify_key_parse(in->api_key, key) != IJ_OK)
    ij_field_errors_add(errs, "api_key",
                        "must be a GOV.UK Notify API key: the key's name, its service id and its "
                        "secret, joined by dashes");
  if (in->has_callback_token && in->callback_token &&
      !ij_field_errors_has(errs, "callback_token") && !token_ok(in->callback_token))
    ij_field_errors_add(errs, "callback_token",
                        "must be %d to %d printable ASCII characters without spaces",
                        IJ_NOTIFY_TOKEN_MIN, IJ_NOTIFY_TOKEN_MAX);
  if (!ij_field_errors_has(errs, "base_url")) {
    if (!in->base_url)
      ij_field_errors_add(errs, "base_url", "is required (GOV.UK Notify's is %s)",
                          IJ_NOTIFY_DEFAULT_BASE_URL);
    else
      ij_domain_url_check(in->base_url, "base_url", errs);
  }
  if (!ij_field_errors_has(errs, "reminder_time") && !ij_domain_notify_time_ok(in->reminder_time))
    ij_field_errors_add(errs, "reminder_time",
                        "must be a time of day as HH:MM, from 00:00 to 23:59 (UK time)");
  if (!ij_field_errors_has(errs, "welsh") && in->welsh != 0 && in->welsh != 1)
    ij_field_errors_add(errs, "welsh", "is required: true or false");
  if (errs->count > 0) { /* the decoding's errors refuse the change too */
    memset(key, 0, sizeof *key);
    return IJ_ERR_INVALID;
  }
  return IJ_OK;
}

static bool one_of(const char *s, const char *a, const char *b) {
  return s && (strcmp(s, a) == 0 || strcmp(s, b) == 0);
}

ij_err ij_domain_notify_templates_validate(const ij_notify_template_input *rows, int n, bool welsh,
                                           ij_field_errors *errs) {
  if (n > IJ_NOTIFY_TEMPLATES_MAX) {
    ij_field_errors_add(errs, "templates",
                        "must hold at most %d templates: one per kind, language and channel",
                        IJ_NOTIFY_TEMPLATES_MAX);
    return IJ_ERR_INVALID;
  }
  char path[64];
  for (int i = 0; i < n; i++) {
    const ij_notify_template_input *t = &rows[i];
    bool ok = true;
    snprintf(path, sizeof path, "templates[%d]", i);
    if (ij_field_errors_has(errs, path))
      continue; /* the decoding refused the row whole (not an object) */
    ij_message_kind kind;
    snprintf(path, sizeof path, "templates[%d].kind", i);
    if (ij_field_errors_has(errs, path)) {
      ok = false;
    } else if (!t->kind || ij_message_kind_parse(t->kind, &kind) != IJ_OK) {
      size_t count;
      const ij_message_kind_info *kinds = ij_domain_message_kinds(&count);
      ij_field_errors_add(errs, path, "must be one of %s, %s, %s, %s, %s, %s, %s", kinds[0].name,
                          kinds[1].name, kinds[2].name, kinds[3].name, kinds[4].name, kinds[5].name,
                          kinds[6].name);
      ok = false;
    }
    snprintf(path, sizeof path, "templates[%d].language", i);
    if (ij_field_errors_has(errs, path)) {
      ok = false;
    } else if (!one_of(t->language, "en", "cy")) {
      ij_field_errors_add(errs, path, "must be en or cy");
      ok = false;
    } else if (strcmp(t->language, "cy") == 0 && !welsh) {
      ij_field_errors_add(errs, path,
                          "cannot be cy: the area does not send Welsh (turn Welsh on first)");
      ok = false;
    }
    snprintf(path, sizeof path, "templates[%d].channel", i);
    if (ij_field_errors_has(errs, path)) {
      ok = false;
    } else if (!one_of(t->channel, "sms", "email")) {
      ij_field_errors_add(errs, path, "must be sms or email");
      ok = false;
    }
    snprintf(path, sizeof path, "templates[%d].template_id", i);
    if (!ij_field_errors_has(errs, path) && !ij_domain_notify_uuid_ok(t->template_id))
      ij_field_errors_add(errs, path, "must be a Notify template id (a UUID)");
    if (!ok)
      continue;
    /* a repeat of an earlier valid row's kind, language and channel */
    for (int j = 0; j < i; j++) {
      const ij_notify_template_input *u = &rows[j];
      if (u->kind && u->language && u->channel && strcmp(u->kind, t->kind) == 0 &&
          strcmp(u->language, t->language) == 0 && strcmp(u->channel, t->channel) == 0) {
        snprintf(path, sizeof path, "templates[%d]", i);
        ij_field_errors_add(errs, path,
                            "repeats templates[%d]: one template per kind, language "
                            "and channel",
                            j);
        break;
      }
    }
  }
  return errs->count > 0 ? IJ_ERR_INVALID : IJ_OK; /* the decoding's errors refuse it too */
}
