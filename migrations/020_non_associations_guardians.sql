-- Keeping people apart, and the parent or guardian of a person under 18.
--
-- A non-association says that two people of an area must never be booked on one session
-- (co-offenders, an offender and their victim where the victim also takes part). It is kept
-- between people, not referrals, so that it holds across every referral of either. The pair is
-- stored in a fixed order (person_a < person_b) so that one unique index finds it whichever way
-- round it was given; ending one keeps the row (who ended it, when) rather than deleting it.

CREATE TABLE non_associations (
  id              uuid PRIMARY KEY,
  area            text NOT NULL REFERENCES areas (code),
  person_a        uuid NOT NULL REFERENCES people (id),
  person_b        uuid NOT NULL REFERENCES people (id),
  reason          text NOT NULL CHECK (reason IN ('co_offenders', 'victim', 'safeguarding', 'other')),
  notes           text,
  created_at      timestamptz NOT NULL,
  created_by_sub  text NOT NULL,
  created_by_name text NOT NULL,
  request_id      text NOT NULL,
  ended_at        timestamptz,
  ended_by_sub    text,
  ended_by_name   text,
  end_reason      text,
  CHECK (person_a < person_b),
  CHECK ((ended_at IS NULL) = (ended_by_sub IS NULL))
);
-- At most one active non-association per pair; an ended one may be recorded again.
CREATE UNIQUE INDEX non_associations_active_pair ON non_associations (person_a, person_b)
  WHERE ended_at IS NULL;
CREATE INDEX non_associations_person_b ON non_associations (person_b) WHERE ended_at IS NULL;
CREATE INDEX non_associations_area_created ON non_associations (area, created_at, id);

-- The record of who said so stays: rows are ended, never deleted.
CREATE TRIGGER non_associations_no_delete BEFORE DELETE ON non_associations
  FOR EACH ROW EXECUTE FUNCTION ij_refuse_change();

GRANT SELECT, INSERT, UPDATE ON non_associations TO ij_service;
ALTER TABLE non_associations ENABLE ROW LEVEL SECURITY;
CREATE POLICY area_isolation ON non_associations TO ij_service
  USING (area = current_setting('ij.area', true))
  WITH CHECK (area = current_setting('ij.area', true));

-- The parent or guardian of a person under 18 on the day of referral, with their consent to the
-- person taking part. Kept with the referral (consent is given for this referral's work).
ALTER TABLE referrals
  ADD COLUMN guardian_name         text,
  ADD COLUMN guardian_relationship text,
  ADD COLUMN guardian_phone        text,
  ADD COLUMN guardian_email        text,
  ADD COLUMN guardian_consent      boolean;

-- Retention erases a referral's personal data by setting erased_at (ij_retention_erase): the
-- guardian's details go with it, whichever version of that function runs.
CREATE FUNCTION ij_erase_guardian() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.guardian_name := NULL;
  NEW.guardian_relationship := NULL;
  NEW.guardian_phone := NULL;
  NEW.guardian_email := NULL;
  NEW.guardian_consent := NULL;
  RETURN NEW;
END;
$$;
CREATE TRIGGER referrals_erase_guardian BEFORE UPDATE OF erased_at ON referrals
  FOR EACH ROW WHEN (NEW.erased_at IS NOT NULL AND OLD.erased_at IS NULL)
  EXECUTE FUNCTION ij_erase_guardian();

-- A non-association's notes may say things about both people: once retention erases either of
-- them (people.erased_at set), the notes go; the pair and who recorded it stay.
CREATE FUNCTION ij_erase_non_association_notes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE non_associations SET notes = NULL
  WHERE (person_a = NEW.id OR person_b = NEW.id) AND notes IS NOT NULL;
  RETURN NULL;
END;
$$;
CREATE TRIGGER people_erase_non_association_notes AFTER UPDATE OF erased_at ON people
  FOR EACH ROW WHEN (NEW.erased_at IS NOT NULL AND OLD.erased_at IS NULL)
  EXECUTE FUNCTION ij_erase_non_association_notes();
