-- Statements planned once per connection, not on every call (issue 19: the outcome's 10 ms of
-- PostgreSQL a request). PostgreSQL plans a prepared statement, or a PL/pgSQL function's, for its
-- first five calls' values and then keeps a plan made without them unless that plan looks dearer
-- than the ones made for the values. Where the values can remove part of the statement (a CASE on
-- a parameter, an array of one), the kept plan always looks dearer, and the statement is planned
-- again on every call. pg_stat_statements (track = all, track_planning) on the benchmark's data,
-- the service recording outcomes, showed these planned on every call:
--   the booking trigger's summary of its referral, 1.37 ms a plan, once a booking written;
--   the access log's insert, 0.15 ms a batch;
--   the statistics' deferral switch, 0.05 ms, three times a referral written;
--   the notices' insert (store), 0.14 to 0.17 ms, once a notice;
-- and, in the store, the person's last exit (0.27 ms, once a referral created) and the booking's
-- outcome (0.26 ms, half the time). The statements here keep one plan: their values no longer
-- change what the planner can remove.

-- A booking's referral, by its id alone: `x.id = ANY (ids)` with an array of one made every plan
-- made without the array look dearer (the planner guesses ten ids), so ij_referral_rollup's
-- statement for a few referrals was planned for each booking written (with the view's three
-- subqueries: 1.37 ms, against 0.6 ms to run it). The placement trigger and bulk loads keep
-- ij_referral_rollup.
CREATE OR REPLACE FUNCTION ij_booking_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE referrals r SET booking_statuses = x.booking_statuses, booked_types = x.booked_types,
    type_minutes = x.type_minutes
  FROM referral_booking_rollup x
  WHERE r.id = NEW.referral_id AND x.id = NEW.referral_id
    AND (r.booking_statuses, r.booked_types, r.type_minutes)
        IS DISTINCT FROM (x.booking_statuses, x.booked_types, x.type_minutes);
  RETURN NULL;
END;
$$;

-- The deferral switch (migration 039) in PL/pgSQL, which keeps its statement's plan for the
-- session: as an SQL function with a SET clause it was planned again on every call (the
-- referrals' statement triggers ask it first, each time they fire). The setting is read first, so
-- the usual answer (not deferred) needs no statement at all.
CREATE OR REPLACE FUNCTION ij_stats_deferred() RETURNS boolean LANGUAGE plpgsql STABLE
  SET search_path = public, pg_temp AS $$
BEGIN
  IF coalesce(current_setting('ij.stats_deferred', true), '') <> 'on' THEN
    RETURN false;
  END IF;
  RETURN pg_has_role(session_user, (SELECT relowner FROM pg_class WHERE oid = 'referrals'::regclass),
                     'MEMBER');
END;
$$;

-- The access log's batch: the rows come as arrays, whose length a plan made without them cannot
-- know, so each batch was planned for its own arrays. Its plan does not depend on them (each id
-- read by the referrals' primary key), so the function keeps the one plan.
ALTER FUNCTION ij_log_access_rows(text, timestamptz[], text[], text[], text[], uuid[], text[],
                                  text[], text[])
  SET plan_cache_mode = force_generic_plan;

-- The two parts of a notice's payload that read other tables, as functions the notices' insert
-- (store/notices.c) calls only when the notice has them. As sub-selects in its CASEs they were in
-- the cost of any plan made without the notice's values, and a notice without them was planned
-- again each time.
CREATE FUNCTION ij_notice_reason_text(p_kind text, p_code text) RETURNS text
  LANGUAGE plpgsql STABLE COST 1 AS $$
BEGIN
  RETURN (SELECT rc.label FROM reason_codes rc WHERE rc.kind = p_kind AND rc.code = p_code);
END;
$$;

-- The referral's next booked session (the first by start), as the notice's payload names it.
CREATE FUNCTION ij_notice_session(p_referral uuid) RETURNS jsonb
  LANGUAGE plpgsql STABLE COST 1 AS $$
BEGIN
  RETURN (SELECT jsonb_build_object('id', s.id, 'placement_id', p.id, 'placement_name', p.name,
            'type', p.type, 'provider', p.provider, 'ward', p.ward, 'ward_name', w.name,
            'location', p.location,
            'starts_at', to_char(s.starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
            'ends_at', to_char(s.ends_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
            'date', to_char(s.starts_at AT TIME ZONE 'Europe/London', 'YYYY-MM-DD'),
            'start_time', to_char(s.starts_at AT TIME ZONE 'Europe/London', 'HH24:MI'),
            'end_time', to_char(s.ends_at AT TIME ZONE 'Europe/London', 'HH24:MI'))
          FROM bookings b JOIN sessions s ON s.id = b.session_id
          JOIN placements p ON p.id = s.placement_id
          LEFT JOIN wards w ON w.area = p.area AND w.code = p.ward
          WHERE b.referral_id = p_referral AND b.status = 'booked'
          ORDER BY b.starts_at, b.id LIMIT 1);
END;
$$;

REVOKE ALL ON FUNCTION ij_notice_reason_text(text, text), ij_notice_session(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ij_notice_reason_text(text, text), ij_notice_session(uuid)
  TO ij_service;
