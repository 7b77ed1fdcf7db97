-- Retention: a set time after a referral ends (closed, rejected or withdrawn: the domain's
-- ij_domain_state_ended), its personal data is
-- erased: the free text about the offence, the victim and decisions, the notes of its sessions,
-- the personal fields of its outcome notices, and, once none of the person's referrals is still
-- kept, the person's name, date of birth, contact details, police identifier and notes. What the
-- statistics count stays: states, dates, wards, categories, hours, outcomes, follow-up results,
-- and the age on the offence date, now kept on the referral itself.

ALTER TABLE people
  ALTER COLUMN date_of_birth DROP NOT NULL,
  ADD COLUMN erased_at timestamptz;
ALTER TABLE referrals
  ADD COLUMN erased_at timestamptz,
  ADD COLUMN age_at_offence smallint;

-- The age on the offence date: what the statistics' age bands use, so that they do not need the
-- date of birth (and stay the same once it is erased).
UPDATE referrals r SET age_at_offence = date_part('year', age(r.offence_date, p.date_of_birth))
FROM people p WHERE p.id = r.person_id;

CREATE FUNCTION ij_referral_age() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  dob date;
BEGIN
  SELECT date_of_birth INTO dob FROM people WHERE id = NEW.person_id;
  IF dob IS NOT NULL THEN
    NEW.age_at_offence := date_part('year', age(NEW.offence_date, dob));
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER referrals_age BEFORE INSERT OR UPDATE OF person_id, offence_date ON referrals
  FOR EACH ROW EXECUTE FUNCTION ij_referral_age();

-- A corrected date of birth corrects the ages (an erased one, NULL, leaves them).
CREATE FUNCTION ij_person_age() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE referrals SET age_at_offence = date_part('year', age(offence_date, NEW.date_of_birth))
  WHERE person_id = NEW.id;
  RETURN NULL;
END;
$$;
CREATE TRIGGER people_age AFTER UPDATE OF date_of_birth ON people
  FOR EACH ROW WHEN (NEW.date_of_birth IS NOT NULL AND NEW.date_of_birth IS DISTINCT FROM OLD.date_of_birth)
  EXECUTE FUNCTION ij_person_age();

-- Append-only tables refuse every change, except erasure: inside ij_retention_erase (which sets
-- ij.erasing for its transaction), an UPDATE may set the columns named as the trigger's arguments
-- to NULL and change nothing else.
CREATE FUNCTION ij_refuse_change_but_erasure() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND current_setting('ij.erasing', true) = 'on'
     AND (to_jsonb(NEW) - TG_ARGV) = (to_jsonb(OLD) - TG_ARGV)
     AND NOT EXISTS (SELECT FROM unnest(TG_ARGV) AS c WHERE to_jsonb(NEW) -> c <> 'null'::jsonb) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END;
$$;
DROP TRIGGER referral_events_append_only ON referral_events;
CREATE TRIGGER referral_events_append_only BEFORE UPDATE OR DELETE ON referral_events
  FOR EACH ROW EXECUTE FUNCTION ij_refuse_change_but_erasure('reason', 'data');
DROP TRIGGER booking_outcomes_append_only ON booking_outcomes;
CREATE TRIGGER booking_outcomes_append_only BEFORE UPDATE OR DELETE ON booking_outcomes
  FOR EACH ROW EXECUTE FUNCTION ij_refuse_change_but_erasure('notes', 'amendment_reason');

-- The referrals still kept, oldest change first: where retention looks for those whose time is up.
CREATE INDEX referrals_retention ON referrals (area, updated_at) WHERE erased_at IS NULL;

-- Erases up to p_limit referrals of p_area that ended (their state is one of p_ended, which the
-- domain names) before p_ended_before, and the people none
-- of whose referrals is kept any longer; idempotency records older than p_ended_before go too (the
-- responses they keep hold personal data). Runs as the caller: for the service, within its
-- area's row-level security. Returns how many referrals and people it erased.
CREATE FUNCTION ij_retention_erase(p_area text, p_ended text[], p_ended_before timestamptz,
                                   p_now timestamptz,
                                   p_limit integer, OUT referrals_erased integer,
                                   OUT people_erased integer)
LANGUAGE plpgsql AS $$
DECLARE
  ids uuid[];
BEGIN
  PERFORM set_config('ij.erasing', 'on', true);
  SELECT coalesce(array_agg(id), '{}') INTO ids FROM (
    SELECT id FROM referrals
    WHERE area = p_area AND erased_at IS NULL AND state = ANY (p_ended)
      AND updated_at < p_ended_before
    ORDER BY updated_at LIMIT p_limit FOR UPDATE SKIP LOCKED) due;

  UPDATE referrals SET offence_description = NULL, offence_location = NULL,
    suitability_notes = NULL, victim_preference = NULL, victim_contact = NULL, reason = NULL,
    erased_at = p_now
  WHERE id = ANY (ids);
  GET DIAGNOSTICS referrals_erased = ROW_COUNT;

  UPDATE referral_events SET reason = NULL, data = NULL
  WHERE referral_id = ANY (ids) AND (reason IS NOT NULL OR data IS NOT NULL);
  UPDATE bookings SET notes = NULL WHERE referral_id = ANY (ids) AND notes IS NOT NULL;
  UPDATE booking_outcomes o SET notes = NULL, amendment_reason = NULL
  FROM bookings b
  WHERE b.referral_id = ANY (ids) AND o.booking_id = b.id
    AND (o.notes IS NOT NULL OR o.amendment_reason IS NOT NULL);
  UPDATE notices SET payload = payload - 'police_id' - 'contact'
  WHERE referral_id = ANY (ids) AND (payload ? 'police_id' OR payload ? 'contact');

  UPDATE people p SET name = 'erased', name_key = NULL, date_of_birth = NULL, phone = NULL,
    email = NULL, address = NULL, postcode = NULL, police_id = NULL, needs_notes = NULL,
    risk_notes = NULL, erased_at = p_now
  WHERE p.id IN (SELECT person_id FROM referrals WHERE id = ANY (ids)) AND p.erased_at IS NULL
    AND NOT EXISTS (SELECT FROM referrals r WHERE r.person_id = p.id AND r.erased_at IS NULL);
  GET DIAGNOSTICS people_erased = ROW_COUNT;

  DELETE FROM idempotency_keys WHERE area = p_area AND created_at < p_ended_before;
END;
$$;
