-- Statistics from the referrals alone. What the commissioners' figures need of a referral's
-- bookings is kept on the referral: the status of each booking (a sorted multiset), the
-- placement types it is booked on (bookings not cancelled or rescheduled) and the minutes
-- credited per placement type. Triggers keep them equal to the bookings in the same transaction,
-- and the list index grows to cover every column the statistics read, so that an area's period
-- is one index-only range scan rather than a visit to each booking, session and placement.

ALTER TABLE referrals
  ADD COLUMN booking_statuses text[] NOT NULL DEFAULT '{}',
  ADD COLUMN booked_types text[] NOT NULL DEFAULT '{}',
  ADD COLUMN type_minutes jsonb NOT NULL DEFAULT '{}';

-- The three values computed from the raw rows: what the triggers store, and what a check compares
-- the stored values with (tests/bench/verify.sql).
CREATE VIEW referral_booking_rollup WITH (security_invoker = true) AS
SELECT r.id,
  coalesce((SELECT array_agg(b.status ORDER BY b.status) FROM bookings b
            WHERE b.referral_id = r.id), '{}') AS booking_statuses,
  coalesce((SELECT array_agg(DISTINCT p.type ORDER BY p.type) FROM bookings b
            JOIN sessions s ON s.id = b.session_id JOIN placements p ON p.id = s.placement_id
            WHERE b.referral_id = r.id AND b.status NOT IN ('cancelled', 'rescheduled')), '{}')
    AS booked_types,
  coalesce((SELECT jsonb_object_agg(t.type, t.minutes) FROM (
              SELECT p.type, sum(b.minutes_credited) AS minutes FROM bookings b
              JOIN sessions s ON s.id = b.session_id JOIN placements p ON p.id = s.placement_id
              WHERE b.referral_id = r.id AND b.minutes_credited > 0 GROUP BY p.type) t), '{}')
    AS type_minutes
FROM referrals r;
GRANT SELECT ON referral_booking_rollup TO ij_service;

-- Brings the stored values of the referrals in `ids` up to date; returns how many changed.
CREATE FUNCTION ij_referral_rollup(ids uuid[]) RETURNS bigint LANGUAGE sql AS $$
  WITH u AS (
    UPDATE referrals r SET booking_statuses = x.booking_statuses, booked_types = x.booked_types,
      type_minutes = x.type_minutes
    FROM referral_booking_rollup x
    WHERE r.id = ANY (ids) AND x.id = r.id
      AND (r.booking_statuses, r.booked_types, r.type_minutes)
          IS DISTINCT FROM (x.booking_statuses, x.booked_types, x.type_minutes)
    RETURNING 1)
  SELECT count(*) FROM u
$$;
GRANT EXECUTE ON FUNCTION ij_referral_rollup(uuid[]) TO ij_service;

-- After the statement, so that a statement that also updates the referral (a session's
-- cancellation) has done so first.
CREATE FUNCTION ij_booking_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM ij_referral_rollup(ARRAY[NEW.referral_id]);
  RETURN NULL;
END;
$$;
CREATE TRIGGER bookings_rollup AFTER INSERT OR UPDATE OF status, minutes_credited, session_id
  ON bookings FOR EACH ROW EXECUTE FUNCTION ij_booking_rollup();

-- A placement whose type is corrected moves the minutes of every referral booked on it.
CREATE FUNCTION ij_placement_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM ij_referral_rollup(ARRAY(SELECT DISTINCT b.referral_id FROM sessions s
                                   JOIN bookings b ON b.session_id = s.id
                                   WHERE s.placement_id = NEW.id));
  RETURN NULL;
END;
$$;
CREATE TRIGGER placements_rollup AFTER UPDATE OF type ON placements
  FOR EACH ROW WHEN (NEW.type IS DISTINCT FROM OLD.type) EXECUTE FUNCTION ij_placement_rollup();

SELECT ij_referral_rollup(ARRAY(SELECT DISTINCT referral_id FROM bookings));

-- One index for lists and statistics: the list's columns and every column the figures read.
CREATE INDEX referrals_area_period ON referrals (area, created_at DESC, id DESC)
  INCLUDE (state, ward, officer_sub, first_attended_at, target_start_by, offence_category,
           age_at_offence, completed_at, exited_at, rereferral_of, minutes_credited,
           hours_confirmed, booking_statuses, booked_types, type_minutes);
DROP INDEX referrals_area_list;

-- Reoffending: the checks of an area's exits in a period, from one index. Only a filter on the
-- referral (ward, category, age, placement type) reads the referral.
CREATE INDEX followup_checks_area_exit ON followup_checks (area, exited_on)
  INCLUDE (window_months, exit_state, due_on, recorded_at, reoffended, referral_id);

-- The statistics' statements. They return aggregates only, never a row about a person, and run as
-- the schema's owner: for an area, only the area the connection is scoped to (ij.area, which
-- row-level security would otherwise enforce); with no area (NULL), every area, which is the
-- national view. Each is planned for its arguments (EXECUTE), so that the optional filters fold
-- away and the area and period reach the index.
--   $1 area (NULL: national), $2/$3 the period, $4 ward, $5 offence category, $6/$7 age band on
--   the offence date, $8 placement type (a booking on such a placement, not cancelled or
--   rescheduled); each filter NULL when not used.
CREATE FUNCTION ij_stats_guard(area text) RETURNS void LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF area IS NOT NULL AND area IS DISTINCT FROM current_setting('ij.area', true) THEN
    RAISE EXCEPTION 'statistics of an area other than the connection''s'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
END;
$$;

CREATE FUNCTION ij_stats_filters() RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT ' AND ($4::text IS NULL OR r.ward = $4)'
      || ' AND ($5::text IS NULL OR r.offence_category = $5)'
      || ' AND ($6::int IS NULL OR r.age_at_offence BETWEEN $6 AND $7)'
      || ' AND ($8::text IS NULL OR $8 = ANY (r.booked_types))'
$$;

-- The referrals made in [$2, $3), filtered.
CREATE FUNCTION ij_stats_referrals() RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT ' FROM referrals r WHERE ($1::text IS NULL OR r.area = $1)'
      || ' AND r.created_at >= $2 AND r.created_at < $3' || ij_stats_filters()
$$;

-- Accepted or beyond: every state after acceptance, and withdrawals after it (hours confirmed).
-- $9/$10: the booking statuses that count as attended, and those that count at all (the domain's).
CREATE FUNCTION ij_stats_figures(p_area text, p_from timestamptz, p_to timestamptz, p_ward text,
    p_category text, p_age_min int, p_age_max int, p_type text, p_attended text[],
    p_counted text[])
  RETURNS TABLE (referrals bigint, accepted bigint, rejected bigint, started bigint,
    started_within_target bigint, completed bigint, non_compliant bigint, rereferrals bigint,
    minutes_credited bigint, credited_referrals bigint, median_hours_to_first_session float8,
    bookings_attended bigint, bookings_counted bigint)
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $f$
BEGIN
  PERFORM ij_stats_guard(p_area);
  RETURN QUERY EXECUTE $q$SELECT count(*),
      count(*) FILTER (WHERE r.state IN ('accepted', 'scheduled', 'in_progress', 'completed',
        'non_compliant', 'closed') OR (r.state = 'withdrawn' AND r.hours_confirmed IS NOT NULL)),
      count(*) FILTER (WHERE r.state = 'rejected'),
      count(r.first_attended_at),
      count(*) FILTER (WHERE r.first_attended_at <= r.target_start_by),
      count(r.completed_at),
      count(*) FILTER (WHERE r.exited_at IS NOT NULL AND r.completed_at IS NULL),
      count(r.rereferral_of),
      coalesce(sum(r.minutes_credited), 0)::bigint,
      count(*) FILTER (WHERE r.minutes_credited > 0),
      percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM r.first_attended_at -
        r.created_at) / 3600)::float8,
      coalesce(sum((SELECT count(*) FROM unnest(r.booking_statuses) s WHERE s = ANY ($9))), 0)::bigint,
      coalesce(sum((SELECT count(*) FROM unnest(r.booking_statuses) s WHERE s = ANY ($10))), 0)::bigint$q$
    || ij_stats_referrals()
    USING p_area, p_from, p_to, p_ward, p_category, p_age_min, p_age_max, p_type, p_attended,
      p_counted;
END;
$f$;

-- Every month of the period (UTC), with the referrals made in it and how many of those completed.
CREATE FUNCTION ij_stats_monthly(p_area text, p_from timestamptz, p_to timestamptz, p_ward text,
    p_category text, p_age_min int, p_age_max int, p_type text)
  RETURNS TABLE (month_day integer, referrals bigint, completed bigint)
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $f$
BEGIN
  PERFORM ij_stats_guard(p_area);
  RETURN QUERY EXECUTE $q$SELECT m.month::date - DATE '1970-01-01', count(x.month), count(x.completed_at)
      FROM generate_series(date_trunc('month', $2 AT TIME ZONE 'UTC'),
        ($3 AT TIME ZONE 'UTC') - interval '1 day', interval '1 month') AS m (month)
      LEFT JOIN (SELECT date_trunc('month', r.created_at AT TIME ZONE 'UTC') AS month,
        r.completed_at$q$ || ij_stats_referrals() || $q$) x ON x.month = m.month
      GROUP BY m.month ORDER BY m.month$q$
    USING p_area, p_from, p_to, p_ward, p_category, p_age_min, p_age_max, p_type;
END;
$f$;

-- Minutes credited per placement type, and how many referrals had any of them.
CREATE FUNCTION ij_stats_hours(p_area text, p_from timestamptz, p_to timestamptz, p_ward text,
    p_category text, p_age_min int, p_age_max int, p_type text)
  RETURNS TABLE (placement_type text, minutes bigint, referrals bigint)
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $f$
BEGIN
  PERFORM ij_stats_guard(p_area);
  RETURN QUERY EXECUTE $q$SELECT t.key, sum(t.value::bigint)::bigint, count(*)
      FROM (SELECT r.type_minutes$q$ || ij_stats_referrals() || $q$) r
      CROSS JOIN LATERAL jsonb_each_text(r.type_minutes) t GROUP BY t.key$q$
    USING p_area, p_from, p_to, p_ward, p_category, p_age_min, p_age_max, p_type;
END;
$f$;

-- The follow-up checks of exits in [$2, $3] (dates), by window and exit: checks recorded and due
-- by $9 (the cohort), those that found reoffending, and those not yet known.
CREATE FUNCTION ij_stats_reoffending(p_area text, p_from date, p_to date, p_ward text,
    p_category text, p_age_min int, p_age_max int, p_type text, p_today date)
  RETURNS TABLE (window_months integer, exit_state text, cohort bigint, reoffended bigint,
    pending bigint)
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $f$
BEGIN
  PERFORM ij_stats_guard(p_area);
  RETURN QUERY EXECUTE $q$SELECT f.window_months, f.exit_state,
      count(*) FILTER (WHERE f.due_on <= $9 AND f.recorded_at IS NOT NULL),
      count(*) FILTER (WHERE f.due_on <= $9 AND f.recorded_at IS NOT NULL AND f.reoffended),
      count(*) FILTER (WHERE f.due_on > $9 OR f.recorded_at IS NULL)
      FROM followup_checks f WHERE ($1::text IS NULL OR f.area = $1)
      AND f.exited_on BETWEEN $2 AND $3
      AND (($4::text IS NULL AND $5::text IS NULL AND $6::int IS NULL AND $8::text IS NULL)
        OR EXISTS (SELECT 1 FROM referrals r WHERE r.id = f.referral_id$q$ || ij_stats_filters()
    || $q$)) GROUP BY f.window_months, f.exit_state$q$
    USING p_area, p_from, p_to, p_ward, p_category, p_age_min, p_age_max, p_type, p_today;
END;
$f$;

REVOKE ALL ON FUNCTION ij_stats_figures(text, timestamptz, timestamptz, text, text, int, int, text,
  text[], text[]), ij_stats_monthly(text, timestamptz, timestamptz, text, text, int, int, text),
  ij_stats_hours(text, timestamptz, timestamptz, text, text, int, int, text),
  ij_stats_reoffending(text, date, date, text, text, int, int, text, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ij_stats_figures(text, timestamptz, timestamptz, text, text, int, int,
  text, text[], text[]), ij_stats_monthly(text, timestamptz, timestamptz, text, text, int, int,
  text), ij_stats_hours(text, timestamptz, timestamptz, text, text, int, int, text),
  ij_stats_reoffending(text, date, date, text, text, int, int, text, date) TO ij_service;
