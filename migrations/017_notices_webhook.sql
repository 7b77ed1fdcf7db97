-- Progress notices and a signed webhook.
--
-- The referring force is told each step of a referral (accepted, rejected, scheduled, withdrawn)
-- as notices of kind 'progress', beside the 'outcome' notices of its exit and the victims'
-- updates; migration 003's index keeps one notice of each kind and event per referral.
ALTER TABLE notices DROP CONSTRAINT notices_kind_check;
ALTER TABLE notices ADD CONSTRAINT notices_kind_check
  CHECK (kind IN ('outcome', 'progress', 'victim_update'));

-- The secret each delivery to the area's webhook is signed with (HMAC-SHA256). A table of its
-- own, apart from areas: no error about an area's row (whose DETAIL quotes the failing row) can
-- quote it, and no query of areas returns it. The service reads it only to sign, within the
-- area (row-level security, as every table of an area), and no answer, log line or error of the
-- service shows it. No CHECK on the secret for the same reason: the domain validates it.
CREATE TABLE area_webhook_secrets (
  area       text PRIMARY KEY REFERENCES areas (code),
  secret     text NOT NULL,
  updated_at timestamptz NOT NULL
);

-- Every change of an area's webhook, append-only: who, when, the URL before and after, and what
-- became of the secret (never the secret itself).
CREATE TABLE area_webhook_changes (
  id            bigserial PRIMARY KEY,
  area          text NOT NULL REFERENCES areas (code),
  at            timestamptz NOT NULL,
  actor_sub     text NOT NULL,
  actor_name    text NOT NULL,
  actor_role    text NOT NULL,
  request_id    text NOT NULL,
  url_before    text,
  url_after     text,
  secret_change text NOT NULL CHECK (secret_change IN ('kept', 'set', 'replaced', 'removed'))
);
CREATE INDEX area_webhook_changes_area ON area_webhook_changes (area, id);
CREATE TRIGGER area_webhook_changes_append_only BEFORE UPDATE OR DELETE ON area_webhook_changes
  FOR EACH ROW EXECUTE FUNCTION ij_refuse_change();
CREATE TRIGGER area_webhook_changes_no_truncate BEFORE TRUNCATE ON area_webhook_changes
  FOR EACH STATEMENT EXECUTE FUNCTION ij_refuse_change();

GRANT SELECT, INSERT, UPDATE, DELETE ON area_webhook_secrets TO ij_service;
GRANT SELECT, INSERT ON area_webhook_changes TO ij_service;
GRANT USAGE, SELECT ON SEQUENCE area_webhook_changes_id_seq TO ij_service;
ALTER TABLE area_webhook_secrets ENABLE ROW LEVEL SECURITY;
ALTER TABLE area_webhook_changes ENABLE ROW LEVEL SECURITY;
CREATE POLICY area_isolation ON area_webhook_secrets TO ij_service
  USING (area = current_setting('ij.area', true))
  WITH CHECK (area = current_setting('ij.area', true));
CREATE POLICY area_isolation ON area_webhook_changes TO ij_service
  USING (area = current_setting('ij.area', true))
  WITH CHECK (area = current_setting('ij.area', true));

-- The service may read areas but not change them: this sets the webhook URL of the transaction's
-- own area only (ij.area, as the policies read it), locking the area's row until the transaction
-- ends so that two admins' changes are recorded one after the other. Returns the URL it replaced
-- (area_found false, nothing changed, for an area that does not exist).
CREATE FUNCTION ij_area_webhook_set(p_url text, OUT area_found boolean, OUT url_before text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  SELECT a.webhook_url INTO url_before FROM areas a
    WHERE a.code = current_setting('ij.area', true) FOR UPDATE;
  area_found := FOUND;
  IF area_found THEN
    UPDATE areas SET webhook_url = p_url WHERE code = current_setting('ij.area', true);
  END IF;
END
$$;
REVOKE ALL ON FUNCTION ij_area_webhook_set(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ij_area_webhook_set(text) TO ij_service;
