-- Only retention may erase. Until now the append-only tables let any connection clear their
-- free-text columns: the trigger allowed it whenever the setting ij.erasing was on, and any
-- session may set a custom setting (the service's own role included: SET ij.erasing = on, then
-- UPDATE referral_events SET reason = NULL). Now erasure needs the setting and the rights of the
-- tables' owner as well: ij_retention_erase runs as its owner (SECURITY DEFINER), who owns the
-- tables (the migrations make both), and the service's login role is never that role (`ij serve`
-- refuses to start as a role with the owner's rights). The setting is now the function's own (SET
-- in its definition), so it lasts for the call only instead of the rest of the transaction.
--
-- Run as the owner, the function is no longer bound by row-level security, so it keeps a caller
-- that is bound by it (the service's role) to the area of its transaction: it refuses an area
-- other than ij.area, as the policies would have hidden another area's rows. A session with the
-- owner's rights (migrations, operators, the tests' owner connection), whom the policies never
-- bound, may still name any area. Otherwise as migration 011.

CREATE OR REPLACE FUNCTION ij_refuse_change_but_erasure() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND current_setting('ij.erasing', true) = 'on'
     AND current_user = (SELECT pg_get_userbyid(c.relowner) FROM pg_class c WHERE c.oid = TG_RELID)
     AND (to_jsonb(NEW) - TG_ARGV) = (to_jsonb(OLD) - TG_ARGV)
     AND NOT EXISTS (SELECT FROM unnest(TG_ARGV) AS c WHERE to_jsonb(NEW) -> c <> 'null'::jsonb) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE OR REPLACE FUNCTION ij_retention_erase(p_area text, p_ended text[],
                                              p_ended_before timestamptz, p_now timestamptz,
                                              p_limit integer, OUT referrals_erased integer,
                                              OUT people_erased integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET ij.erasing = 'on' AS $$
DECLARE
  ids uuid[];
BEGIN
  IF p_area IS DISTINCT FROM current_setting('ij.area', true)
     AND NOT pg_has_role(session_user, (SELECT relowner FROM pg_class
                                        WHERE oid = 'personal_data_access'::regclass), 'USAGE')
  THEN
    RAISE EXCEPTION 'retention erases only the area of its transaction (ij.area)'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
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
REVOKE ALL ON FUNCTION ij_retention_erase(text, text[], timestamptz, timestamptz, integer)
  FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ij_retention_erase(text, text[], timestamptz, timestamptz, integer)
  TO ij_service;
