-- The referrals' booking summaries (migration 010) are kept by a trigger on every booking write. As
-- a SQL function, ij_referral_rollup was planned again on every call (its view has three
-- subqueries with joins): about a millisecond on each booking, outcome and cancellation, and
-- minutes for a bulk insert. In PL/pgSQL its statement is planned once per connection.
CREATE OR REPLACE FUNCTION ij_referral_rollup(ids uuid[]) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  changed bigint;
BEGIN
  UPDATE referrals r SET booking_statuses = x.booking_statuses, booked_types = x.booked_types,
    type_minutes = x.type_minutes
  FROM referral_booking_rollup x
  WHERE r.id = ANY (ids) AND x.id = r.id
    AND (r.booking_statuses, r.booked_types, r.type_minutes)
        IS DISTINCT FROM (x.booking_statuses, x.booked_types, x.type_minutes);
  GET DIAGNOSTICS changed = ROW_COUNT;
  RETURN changed;
END;
$$;
