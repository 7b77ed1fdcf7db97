-- Retention on several instances at once: a person whose referrals two transactions erase at the
-- same time (each takes its own batch, SKIP LOCKED) was never erased. Each decided with the other's
-- referral still kept (not committed yet), neither erased the person, and no later run looked at
-- them again, since it starts from referrals still to erase. Now each first locks the people of its
-- batch (in id order, so two batches cannot deadlock on them) and decides in a statement of its
-- own, whose snapshot is taken once the lock is held: whoever decides last sees the other's
-- erasure committed. The same lock orders erasure against a referral being added to the person
-- (which locks the person's row as it upserts it). Otherwise as migration 007.
CREATE OR REPLACE FUNCTION ij_retention_erase(p_area text, p_ended text[],
                                              p_ended_before timestamptz, p_now timestamptz,
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

  PERFORM FROM people
  WHERE id IN (SELECT person_id FROM referrals WHERE id = ANY (ids)) AND erased_at IS NULL
  ORDER BY id FOR UPDATE;

  UPDATE people p SET name = 'erased', name_key = NULL, date_of_birth = NULL, phone = NULL,
    email = NULL, address = NULL, postcode = NULL, police_id = NULL, needs_notes = NULL,
    risk_notes = NULL, erased_at = p_now
  WHERE p.id IN (SELECT person_id FROM referrals WHERE id = ANY (ids)) AND p.erased_at IS NULL
    AND NOT EXISTS (SELECT FROM referrals r WHERE r.person_id = p.id AND r.erased_at IS NULL);
  GET DIAGNOSTICS people_erased = ROW_COUNT;

  DELETE FROM idempotency_keys WHERE area = p_area AND created_at < p_ended_before;
END;
$$;
