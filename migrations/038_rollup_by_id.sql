-- A booking write's summary read by id (issue 17's demo data, seeded "in seconds"). The summary
-- of a write's few referrals joined the rollup view to them by `x.id = r.id` with `r.id = ANY
-- (ids)`; the planner does not carry an ANY condition across an equality, so it could read the
-- view's referrals whole and hash them: on the demo's small tables, where that plan looks cheap,
-- every booking written scanned every referral (0.9 ms a booking on 800 referrals, growing as the
-- seed adds them; half of the seed's database time). Naming the ids on the view's side too lets
-- it read them by primary key (0.19 ms). The bulk path is unchanged.
CREATE OR REPLACE FUNCTION ij_referral_rollup(ids uuid[]) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  changed bigint;
BEGIN
  IF cardinality(ids) < 1000 THEN -- a write's few referrals: each from its bookings by index
    UPDATE referrals r SET booking_statuses = x.booking_statuses, booked_types = x.booked_types,
      type_minutes = x.type_minutes
    FROM referral_booking_rollup x
    WHERE r.id = ANY (ids) AND x.id = ANY (ids) AND x.id = r.id
      AND (r.booking_statuses, r.booked_types, r.type_minutes)
          IS DISTINCT FROM (x.booking_statuses, x.booked_types, x.type_minutes);
    GET DIAGNOSTICS changed = ROW_COUNT;
    RETURN changed;
  END IF;
  WITH i AS (SELECT DISTINCT u.id FROM unnest(ids) u (id)),
    st AS (SELECT b.referral_id, array_agg(b.status ORDER BY b.status) AS statuses
             FROM bookings b JOIN i ON i.id = b.referral_id GROUP BY b.referral_id),
    bt AS (SELECT b.referral_id, p.type,
             bool_or(b.status NOT IN ('cancelled', 'rescheduled')) AS booked,
             sum(b.minutes_credited) FILTER (WHERE b.minutes_credited > 0) AS minutes
             FROM bookings b JOIN i ON i.id = b.referral_id
             JOIN sessions s ON s.id = b.session_id JOIN placements p ON p.id = s.placement_id
             GROUP BY b.referral_id, p.type),
    ty AS (SELECT referral_id, array_agg(type ORDER BY type) FILTER (WHERE booked) AS types,
             jsonb_object_agg(type, minutes) FILTER (WHERE minutes IS NOT NULL) AS minutes
             FROM bt GROUP BY referral_id),
    x AS (SELECT i.id, coalesce(st.statuses, '{}') AS booking_statuses,
             coalesce(ty.types, '{}') AS booked_types, coalesce(ty.minutes, '{}') AS type_minutes
             FROM i LEFT JOIN st ON st.referral_id = i.id LEFT JOIN ty ON ty.referral_id = i.id)
  UPDATE referrals r SET booking_statuses = x.booking_statuses, booked_types = x.booked_types,
    type_minutes = x.type_minutes
  FROM x
  WHERE x.id = r.id
    AND (r.booking_statuses, r.booked_types, r.type_minutes)
        IS DISTINCT FROM (x.booking_statuses, x.booked_types, x.type_minutes);
  GET DIAGNOSTICS changed = ROW_COUNT;
  RETURN changed;
END;
$$;
