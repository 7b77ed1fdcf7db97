-- Area isolation in the database: row-level security on every table with an area.
--
-- The service connects as a login role that is a member of ij_service: not the owner of any table,
-- not a superuser, without BYPASSRLS (`ij serve` refuses to start otherwise). Every statement and
-- transaction the service runs for a request starts with set_config('ij.area', <the verified
-- token's area>, true) in the same round trip, so a row of another area is invisible even to a
-- query that forgets its area filter, and cannot be written. Without an area set, nothing is.
-- Migrations, the demo data and tests connect as the owner, to whom the policies do not apply.

DO $$
BEGIN
  CREATE ROLE ij_service NOLOGIN;
EXCEPTION
  WHEN duplicate_object OR unique_violation THEN
    NULL; -- roles belong to the cluster: another database (or a concurrent migration) made it
END
$$;

GRANT USAGE ON SCHEMA public TO ij_service;

-- Reference data without personal data: readable by the service, changed by migrations and admins'
-- tools running as the owner.
GRANT SELECT ON areas, reason_codes, placement_types, schema_migrations TO ij_service;

-- Tables of an area: the service reads and writes them within its area (append-only tables keep
-- their triggers, which refuse UPDATE and DELETE for everyone).
GRANT SELECT ON wards TO ij_service;
GRANT SELECT, INSERT, UPDATE, DELETE ON
  people, referrals, referral_events, idempotency_keys, placements, sessions, bookings,
  booking_outcomes, notices, followup_checks, followup_imports, personal_data_access
TO ij_service;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ij_service;

-- One policy per table: the row's area is the transaction's area. current_setting(..., true) is
-- NULL when no area is set, and NULL matches nothing.
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['wards', 'people', 'referrals', 'referral_events', 'idempotency_keys',
                           'placements', 'sessions', 'bookings', 'booking_outcomes', 'notices',
                           'followup_checks', 'followup_imports', 'personal_data_access']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY area_isolation ON %I TO ij_service'
                   ' USING (area = current_setting(''ij.area'', true))'
                   ' WITH CHECK (area = current_setting(''ij.area'', true))', t);
  END LOOP;
END
$$;

-- The outbox worker serves every area, one area at a time: these two tell it which areas have
-- notices due and how large the backlog is, without returning any row of a notice. They run as
-- the owner (SECURITY DEFINER) with a fixed search_path.
CREATE FUNCTION ij_notice_due_areas() RETURNS SETOF text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT DISTINCT n.area
  FROM notices n JOIN areas a ON a.code = n.area
  WHERE n.delivered_at IS NULL AND n.next_attempt_at <= now() AND a.webhook_url IS NOT NULL
  ORDER BY 1
$$;

CREATE FUNCTION ij_notice_backlog(OUT pending bigint, OUT oldest_seconds float8)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT count(*), coalesce(extract(epoch FROM now() - min(n.created_at)), 0)::float8
  FROM notices n JOIN areas a ON a.code = n.area
  WHERE n.delivered_at IS NULL AND a.webhook_url IS NOT NULL
$$;

REVOKE ALL ON FUNCTION ij_notice_due_areas(), ij_notice_backlog() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ij_notice_due_areas(), ij_notice_backlog() TO ij_service;
