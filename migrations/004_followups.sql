-- Reoffending follow-up: checks at 3, 6 and 12 months after a referral's exit, their imports, one
-- person per police identifier or normalised name and date of birth, and re-referral detection.

CREATE TABLE followup_checks (
  id                  uuid PRIMARY KEY,
  area                text NOT NULL REFERENCES areas (code),
  referral_id         uuid NOT NULL REFERENCES referrals (id),
  person_id           uuid NOT NULL REFERENCES people (id),
  window_months       integer NOT NULL CHECK (window_months IN (3, 6, 12)),
  exit_state          text NOT NULL CHECK (exit_state IN ('completed', 'non_compliant')),
  exited_on           date NOT NULL,
  due_on              date NOT NULL,
  recorded_at         timestamptz,
  reoffended          boolean,
  first_reoffence_on  date,
  reoffence_category  text,
  source              text CHECK (source IN ('pnc_check', 'police_import')),
  checked_by_sub      text,
  checked_by_name     text,
  import_id           uuid,
  version             integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_at          timestamptz NOT NULL,
  updated_at          timestamptz NOT NULL,
  UNIQUE (referral_id, window_months),
  CHECK ((recorded_at IS NULL) = (reoffended IS NULL)),
  CHECK (reoffended IS NOT TRUE OR first_reoffence_on IS NOT NULL),
  CHECK (reoffended IS NOT FALSE OR first_reoffence_on IS NULL),
  CHECK (first_reoffence_on IS NULL OR (first_reoffence_on > exited_on AND first_reoffence_on <= due_on))
);
CREATE INDEX followup_checks_due ON followup_checks (area, due_on, id) WHERE recorded_at IS NULL;
CREATE INDEX followup_checks_area_due ON followup_checks (area, due_on, id);
CREATE INDEX followup_checks_person ON followup_checks (person_id, window_months);

-- One row per imported file: re-sending the same file is recognised by its digest.
CREATE TABLE followup_imports (
  id          uuid PRIMARY KEY,
  area        text NOT NULL REFERENCES areas (code),
  sha256      text NOT NULL,
  rows        integer NOT NULL,
  recorded    integer NOT NULL,
  unchanged   integer NOT NULL,
  actor_sub   text NOT NULL,
  actor_name  text NOT NULL,
  created_at  timestamptz NOT NULL,
  UNIQUE (area, sha256)
);

-- A person without a police identifier is matched on a normalised name and date of birth.
ALTER TABLE people ADD COLUMN name_key text;
UPDATE people SET name_key = btrim(lower(regexp_replace(name, '[^[:alnum:]]+', ' ', 'g')));
-- People recorded twice before this release become one: the first recorded keeps the records.
CREATE TEMPORARY TABLE people_merge ON COMMIT DROP AS
  SELECT id, first_value(id) OVER (PARTITION BY area, name_key, date_of_birth
                                   ORDER BY created_at, id) AS keep
  FROM people WHERE police_id IS NULL;
DELETE FROM people_merge WHERE id = keep;
UPDATE referrals r SET person_id = m.keep FROM people_merge m WHERE r.person_id = m.id;
UPDATE bookings b SET person_id = m.keep FROM people_merge m WHERE b.person_id = m.id;
DELETE FROM people p USING people_merge m WHERE p.id = m.id;
CREATE UNIQUE INDEX people_name_key ON people (area, name_key, date_of_birth)
  WHERE police_id IS NULL;

-- Re-referral: a referral made within 12 months of an earlier exit of the same person.
ALTER TABLE referrals
  ADD COLUMN rereferral_of uuid REFERENCES referrals (id),
  ADD COLUMN rereferral_months integer CHECK (rereferral_months IN (3, 6, 12));
CREATE INDEX referrals_person_exit ON referrals (person_id, exited_at) WHERE exited_at IS NOT NULL;
