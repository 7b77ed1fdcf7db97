-- Messages to people through GOV.UK Notify: booking confirmations, the day-before reminder,
-- cancellations and moves, completion, and a victim's updates.
--
-- A message is written in the transaction of the change that causes it (a reminder, in the
-- transaction of the outbox round that finds it due) and delivered by the outbox: claimed with
-- row locks (SKIP LOCKED), posted to Notify, and its result recorded. A message that cannot be
-- sent (no consent, marked not to be messaged, no usable contact, no template) is written anyway
-- with status 'not_sent' and the reason, so that a coordinator sees what nobody was told.

-- ---- what a referral and a person say about being messaged ----
-- contact_consent: the person (or, under 18, their parent or guardian) agreed to be contacted
-- about the work by text or e-mail. message_language: 'cy' only where the area sends Welsh.
ALTER TABLE referrals
  ADD COLUMN contact_consent  boolean NOT NULL DEFAULT false,
  ADD COLUMN message_language text NOT NULL DEFAULT 'en' CHECK (message_language IN ('en', 'cy'));
-- A person marked not to be messaged is sent nothing, whatever a referral's consent says.
ALTER TABLE people ADD COLUMN do_not_message boolean NOT NULL DEFAULT false;
-- What to wear and bring to a placement's sessions (the meeting place is its location).
ALTER TABLE placements ADD COLUMN what_to_bring text;

-- ---- an area's Notify service ----
-- The settings an admin sees. service_id and key_name are read off the API key when it is set
-- (a Notify key is "<key name>-<service id>-<secret>"); the secret itself is kept apart below.
CREATE TABLE area_notify (
  area          text PRIMARY KEY REFERENCES areas (code),
  base_url      text NOT NULL,
  service_id    uuid,
  key_name      text,
  reminder_time time NOT NULL DEFAULT '18:00',
  welsh         boolean NOT NULL DEFAULT false,
  version       integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  updated_at    timestamptz NOT NULL
);

-- The secrets, in a table of their own (as area_webhook_secrets): no query of the settings
-- returns them and no error about a settings row can quote them. secret_key: the secret part of
-- the API key, which signs each request's JWT. callback_token_sha256: the SHA-256 of the bearer
-- token Notify sends with delivery receipts; the token itself is never kept.
CREATE TABLE area_notify_secrets (
  area                  text PRIMARY KEY REFERENCES areas (code),
  secret_key            text,
  callback_token_sha256 bytea,
  updated_at            timestamptz NOT NULL
);

-- Notify template ids by message kind, language and channel.
CREATE TABLE message_templates (
  area        text NOT NULL REFERENCES areas (code),
  kind        text NOT NULL,
  language    text NOT NULL CHECK (language IN ('en', 'cy')),
  channel     text NOT NULL CHECK (channel IN ('sms', 'email')),
  template_id uuid NOT NULL,
  updated_at  timestamptz NOT NULL,
  PRIMARY KEY (area, kind, language, channel)
);

-- ---- the messages ----
-- status: queued (waiting for the outbox), sending (Notify accepted it: notify_id is set),
-- delivered / permanent-failure / temporary-failure / technical-failure (Notify's receipt),
-- failed (Notify refused the request: a 4xx, or retries ran out; last_error says why),
-- not_sent (reason says why), cancelled (a reminder whose booking ended before it was sent).
CREATE TABLE messages (
  seq             bigserial UNIQUE,
  id              uuid PRIMARY KEY,
  area            text NOT NULL REFERENCES areas (code),
  referral_id     uuid NOT NULL REFERENCES referrals (id),
  booking_id      uuid REFERENCES bookings (id),
  kind            text NOT NULL,
  recipient       text NOT NULL CHECK (recipient IN ('person', 'guardian', 'victim')),
  channel         text CHECK (channel IN ('sms', 'email')),
  to_address      text,
  language        text NOT NULL CHECK (language IN ('en', 'cy')),
  template_id     uuid,
  personalisation jsonb,
  status          text NOT NULL CHECK (status IN ('queued', 'sending', 'delivered',
                    'permanent-failure', 'temporary-failure', 'technical-failure', 'failed',
                    'not_sent', 'cancelled')),
  reason          text,
  notify_id       uuid,
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz,
  last_error      text,
  created_at      timestamptz NOT NULL,
  sent_at         timestamptz,
  status_at       timestamptz NOT NULL,
  CONSTRAINT messages_queued_complete CHECK (status <> 'queued' OR (channel IS NOT NULL AND
    template_id IS NOT NULL AND next_attempt_at IS NOT NULL)),
  CONSTRAINT messages_not_sent_reason CHECK (status <> 'not_sent' OR reason IS NOT NULL)
);
CREATE INDEX messages_referral ON messages (referral_id, seq);
CREATE INDEX messages_due ON messages (area, next_attempt_at) WHERE status = 'queued';
CREATE INDEX messages_notify_id ON messages (notify_id) WHERE notify_id IS NOT NULL;
-- A booking's reminder is made once per recipient, however many rounds find it due.
CREATE UNIQUE INDEX messages_reminder_once ON messages (booking_id, recipient)
  WHERE kind = 'reminder';
-- Failed reminders, for the coordinators' work list.
CREATE INDEX messages_failed_reminders ON messages (area, status_at)
  WHERE kind = 'reminder' AND status IN ('failed', 'permanent-failure', 'temporary-failure',
    'technical-failure', 'not_sent');

-- Erasing a referral (retention) erases where its messages went and what they said.
CREATE FUNCTION ij_erase_messages() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE messages SET to_address = NULL, personalisation = NULL, last_error = NULL
    WHERE referral_id = NEW.id;
  RETURN NULL;
END
$$;
CREATE TRIGGER referrals_erase_messages AFTER UPDATE OF erased_at ON referrals
  FOR EACH ROW WHEN (NEW.erased_at IS NOT NULL AND OLD.erased_at IS NULL)
  EXECUTE FUNCTION ij_erase_messages();

GRANT SELECT, INSERT, UPDATE ON area_notify TO ij_service;
GRANT SELECT, INSERT, UPDATE ON area_notify_secrets TO ij_service;
GRANT SELECT, INSERT, UPDATE, DELETE ON message_templates TO ij_service;
GRANT SELECT, INSERT, UPDATE ON messages TO ij_service;
GRANT USAGE, SELECT ON SEQUENCE messages_seq_seq TO ij_service;
ALTER TABLE area_notify ENABLE ROW LEVEL SECURITY;
ALTER TABLE area_notify_secrets ENABLE ROW LEVEL SECURITY;
ALTER TABLE message_templates ENABLE ROW LEVEL SECURITY;
ALTER TABLE messages ENABLE ROW LEVEL SECURITY;
CREATE POLICY area_isolation ON area_notify TO ij_service
  USING (area = current_setting('ij.area', true))
  WITH CHECK (area = current_setting('ij.area', true));
CREATE POLICY area_isolation ON area_notify_secrets TO ij_service
  USING (area = current_setting('ij.area', true))
  WITH CHECK (area = current_setting('ij.area', true));
CREATE POLICY area_isolation ON message_templates TO ij_service
  USING (area = current_setting('ij.area', true))
  WITH CHECK (area = current_setting('ij.area', true));
CREATE POLICY area_isolation ON messages TO ij_service
  USING (area = current_setting('ij.area', true))
  WITH CHECK (area = current_setting('ij.area', true));

-- The outbox serves every area, one at a time: which areas have a Notify service (reminders may
-- fall due there) or messages queued. Only area codes leave this function.
CREATE FUNCTION ij_message_areas() RETURNS SETOF text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT area FROM area_notify WHERE service_id IS NOT NULL
  UNION
  SELECT DISTINCT area FROM messages WHERE status = 'queued'
$$;
REVOKE ALL ON FUNCTION ij_message_areas() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ij_message_areas() TO ij_service;

-- Changes of an area's Notify settings and templates are reference changes like any other
-- (never with a secret in before or after).
ALTER TABLE reference_changes DROP CONSTRAINT reference_changes_entity_check;
ALTER TABLE reference_changes ADD CONSTRAINT reference_changes_entity_check
  CHECK (entity IN ('ward', 'reason_code', 'area_rules', 'supervisor', 'notify', 'message_template'));
