/* An area's GOV.UK Notify service as its admins set it: the API key (split into its key name,
 * service id and secret), the base URL, the reminder's time of day, whether Welsh is sent, the
 * token Notify's delivery receipts carry, and the template ids by message kind, language and
 * channel. Pure domain: no I/O; strings passed in are borrowed for the call. */
#ifndef IJ_DOMAIN_NOTIFY_H
#define IJ_DOMAIN_NOTIFY_H

#include <stdbool.h>

#include "ij/domain.h"
#include "ij/domain_messages.h"

#define IJ_NOTIFY_UUID_LEN 36
#define IJ_NOTIFY_KEY_NAME_MAX 255 /* bytes of a key's name */
#define IJ_NOTIFY_TOKEN_MIN 32     /* a receipt token's length in printable ASCII characters */
#define IJ_NOTIFY_TOKEN_MAX 256
/* One template per kind, language (en, cy) and channel (sms, email). */
#define IJ_NOTIFY_TEMPLATES_MAX (IJ_MESSAGE_KIND_COUNT * 2 * 2)
#define IJ_NOTIFY_DEFAULT_BASE_URL "https://api.notifications.service.gov.uk"

/* A Notify API key, "<key name>-<service id>-<secret>", the two last parts UUIDs (the key name may
 * hold dashes itself). service_id is lower case; secret is as given. */
typedef struct {
  char key_name[IJ_NOTIFY_KEY_NAME_MAX + 1];
  char service_id[IJ_NOTIFY_UUID_LEN + 1];
  char secret[IJ_NOTIFY_UUID_LEN + 1];
} ij_notify_key;

/* Splits a key. IJ_ERR_INVALID (out zeroed) unless it is a key name of 1 to IJ_NOTIFY_KEY_NAME_MAX
 * printable ASCII characters without spaces, a dash, a UUID, a dash and a UUID. */
ij_err ij_domain_notify_key_parse(const char *api_key, ij_notify_key *out);

/* Whether s is a UUID written 8-4-4-4-12 in hexadecimal digits (either case). */
bool ij_domain_notify_uuid_ok(const char *s);

/* An area's settings as a PUT gives them. has_*: the member was sent; api_key and callback_token
 * NULL with has_*: removed; not sent: kept. base_url, reminder_time and welsh are required (welsh
 * -1: not sent, else 0 or 1). */
typedef struct {
  bool has_api_key;
  const char *api_key;
  bool has_callback_token;
  const char *callback_token;
  const char *base_url;
  const char *reminder_time; /* "HH:MM", 00:00 to 23:59 */
  int welsh;
} ij_notify_settings_input;

/* Validates settings; on IJ_OK, *key holds the parsed API key when one was sent (not NULL), else it
 * is zeroed. IJ_ERR_INVALID with every problem in errs, on the fields "api_key", "callback_token",
 * "base_url", "reminder_time" and "welsh"; a message never repeats a key or a token. A field
 * already named in errs (by the decoding) is not checked again, and any error already there makes
 * the answer IJ_ERR_INVALID too. */
ij_err ij_domain_notify_settings_validate(const ij_notify_settings_input *in, ij_notify_key *key,
                                          ij_field_errors *errs);

/* Whether s is "HH:MM" from 00:00 to 23:59. */
bool ij_domain_notify_time_ok(const char *s);

/* One template row as a PUT gives it (NULL: not sent, or not a string). */
typedef struct {
  const char *kind;
  const char *language;
  const char *channel;
  const char *template_id;
} ij_notify_template_input;

/* Validates a whole list of templates for an area whose Welsh setting is `welsh`: at most
 * IJ_NOTIFY_TEMPLATES_MAX rows, each with a known kind (ij_message_kind_parse), a language "en" or
 * "cy" ("cy" only when welsh), a channel "sms" or "email" and a template_id UUID, no two rows of
 * the same kind, language and channel. Errors are on "templates" (too many) and
 * "templates[i].kind", ".language", ".channel", ".template_id" and "templates[i]" (a repeat).
 * A path already named in errs (by the decoding) is not checked again. IJ_OK, or IJ_ERR_INVALID
 * when errs holds any error (the decoding's too). */
ij_err ij_domain_notify_templates_validate(const ij_notify_template_input *rows, int n, bool welsh,
                                           ij_field_errors *errs);

#endif
