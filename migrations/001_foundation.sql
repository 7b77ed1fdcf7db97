-- Foundation: areas, reference data, people, referrals with their append-only event log,
-- idempotency keys.

CREATE TABLE areas (
  code                text PRIMARY KEY CHECK (code ~ '^[a-z0-9_-]{1,64}$'),
  name                text NOT NULL,
  -- NULL means: use the service's configured default
  target_start_hours  integer CHECK (target_start_hours BETWEEN 1 AND 720),
  hours_min           integer CHECK (hours_min BETWEEN 1 AND 200),
  hours_max           integer CHECK (hours_max BETWEEN 1 AND 200),
  hours_default       integer CHECK (hours_default BETWEEN 1 AND 200),
  created_at          timestamptz NOT NULL DEFAULT now(),
  CHECK (hours_min IS NULL OR hours_max IS NULL OR hours_min <= hours_max)
);

CREATE TABLE wards (
  area  text NOT NULL REFERENCES areas (code),
  code  text NOT NULL CHECK (code ~ '^[a-z0-9_-]{1,64}$'),
  name  text NOT NULL,
  active boolean NOT NULL DEFAULT true,
  PRIMARY KEY (area, code)
);

-- Coded reasons for rejection, withdrawal and non-compliance: reference data, not code.
CREATE TABLE reason_codes (
  kind   text NOT NULL CHECK (kind IN ('reject', 'withdraw', 'non_compliance')),
  code   text NOT NULL CHECK (code ~ '^[a-z0-9_]{1,64}$'),
  label  text NOT NULL,
  active boolean NOT NULL DEFAULT true,
  PRIMARY KEY (kind, code)
);

INSERT INTO reason_codes (kind, code, label) VALUES
  ('reject', 'not_eligible', 'Not eligible for the scheme'),
  ('reject', 'no_consent', 'The person did not consent to take part'),
  ('reject', 'unsuitable', 'Unsuitable for reparative work (risk or needs)'),
  ('reject', 'insufficient_information', 'Insufficient information to triage'),
  ('reject', 'duplicate', 'Duplicate of another referral'),
  ('withdraw', 'made_in_error', 'Made by mistake'),
  ('withdraw', 'duplicate', 'Duplicate of another referral'),
  ('withdraw', 'moved_out_of_area', 'Moved out of the area'),
  ('withdraw', 'not_engaged', 'Did not engage'),
  ('withdraw', 'ill_health', 'Ill health'),
  ('withdraw', 'died', 'Died'),
  ('withdraw', 'charged_instead', 'Charged instead'),
  ('withdraw', 'victim_objection', 'The victim objected'),
  ('withdraw', 'other', 'Other'),
  ('non_compliance', 'unacceptable_absence', 'Absent without acceptable reason'),
  ('non_compliance', 'failure_to_comply', 'Failed to comply during a session'),
  ('non_compliance', 'behaviour', 'Sent home for behaviour'),
  ('non_compliance', 'other', 'Other');

CREATE TABLE people (
  id            uuid PRIMARY KEY,
  area          text NOT NULL REFERENCES areas (code),
  name          text NOT NULL,
  date_of_birth date NOT NULL,
  phone         text,
  email         text,
  address       text,
  postcode      text,
  police_id     text,
  needs_notes   text,
  risk_notes    text,
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL
);
-- A person known to the police by an identifier is one person in an area.
CREATE UNIQUE INDEX people_police_id_key ON people (area, police_id) WHERE police_id IS NOT NULL;

CREATE TABLE referrals (
  id                  uuid PRIMARY KEY,
  area                text NOT NULL REFERENCES areas (code),
  person_id           uuid NOT NULL REFERENCES people (id),
  state               text NOT NULL CHECK (state IN ('submitted', 'accepted', 'rejected', 'scheduled',
                        'in_progress', 'completed', 'non_compliant', 'withdrawn', 'closed')),
  version             integer NOT NULL CHECK (version >= 1),
  officer_sub         text NOT NULL,
  officer_name        text NOT NULL,
  offence_date        date NOT NULL,
  offence_category    text NOT NULL,
  offence_description text,
  offence_location    text,
  ward                text NOT NULL,
  disposal            text NOT NULL,
  consent_recorded    boolean NOT NULL CHECK (consent_recorded),
  hours_proposed      integer NOT NULL CHECK (hours_proposed > 0),
  hours_confirmed     integer CHECK (hours_confirmed > 0),
  suitability_notes   text,
  minutes_credited    bigint NOT NULL DEFAULT 0 CHECK (minutes_credited >= 0),
  victim_consulted    boolean,
  victim_preference   text,
  victim_keep_updated boolean,
  victim_contact      text,
  has_victim          boolean NOT NULL DEFAULT false,
  reason_kind         text,
  reason_code         text,
  reason              text,
  target_start_by     timestamptz NOT NULL,
  first_attended_at   timestamptz,
  created_at          timestamptz NOT NULL,
  updated_at          timestamptz NOT NULL,
  CONSTRAINT referrals_ward_fkey FOREIGN KEY (area, ward) REFERENCES wards (area, code),
  CONSTRAINT referrals_reason_fkey FOREIGN KEY (reason_kind, reason_code)
    REFERENCES reason_codes (kind, code)
);
-- Lists: newest first within an area, optionally by state, ward or officer (keyset on created_at, id).
CREATE INDEX referrals_area_created ON referrals (area, created_at DESC, id DESC);
CREATE INDEX referrals_area_state_created ON referrals (area, state, created_at DESC, id DESC);
CREATE INDEX referrals_area_ward_created ON referrals (area, ward, created_at DESC, id DESC);
CREATE INDEX referrals_area_officer_created ON referrals (area, officer_sub, created_at DESC, id DESC);
CREATE INDEX referrals_overdue ON referrals (area, target_start_by)
  WHERE first_attended_at IS NULL AND state IN ('submitted', 'accepted', 'scheduled');
CREATE INDEX referrals_person ON referrals (person_id);

-- The append-only history: one row per change, numbered by the version it produced.
CREATE TABLE referral_events (
  referral_id  uuid NOT NULL REFERENCES referrals (id),
  seq          integer NOT NULL CHECK (seq >= 1),
  area         text NOT NULL REFERENCES areas (code),
  at           timestamptz NOT NULL,
  event        text NOT NULL,
  from_state   text,
  to_state     text NOT NULL,
  actor_sub    text NOT NULL,
  actor_name   text NOT NULL,
  actor_role   text NOT NULL,
  reason_kind  text,
  reason_code  text,
  reason       text,
  request_id   text NOT NULL,
  data         jsonb,
  PRIMARY KEY (referral_id, seq),
  CONSTRAINT referral_events_reason_fkey FOREIGN KEY (reason_kind, reason_code)
    REFERENCES reason_codes (kind, code)
);

CREATE FUNCTION ij_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER referral_events_append_only BEFORE UPDATE OR DELETE ON referral_events
  FOR EACH ROW EXECUTE FUNCTION ij_refuse_change();
CREATE TRIGGER referral_events_no_truncate BEFORE TRUNCATE ON referral_events
  FOR EACH STATEMENT EXECUTE FUNCTION ij_refuse_change();

-- Idempotency keys for POST /v1/referrals: the first response is kept and replayed.
CREATE TABLE idempotency_keys (
  area          text NOT NULL REFERENCES areas (code),
  actor_sub     text NOT NULL,
  key           text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
  request_hash  text NOT NULL,
  status        integer NOT NULL,
  response      text NOT NULL,
  referral_id   uuid REFERENCES referrals (id) DEFERRABLE INITIALLY DEFERRED,
  created_at    timestamptz NOT NULL,
  PRIMARY KEY (area, actor_sub, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- Instants leave the database as microseconds since the epoch (exact, no text parsing).
CREATE FUNCTION ij_us(timestamptz) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN (extract(epoch FROM $1) * 1000000)::bigint;
