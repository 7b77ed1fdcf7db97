-- The national commissioner's comparison of areas (issue 17): the summary's figures grouped by
-- area, with the same definitions as ij_stats_figures and ij_stats_bookings (migration 012) over
-- the same referrals (ij_stats_referrals, with no area and no ward), one row per known area
-- (zeros for an area with no referral in the period). Aggregates only; SECURITY DEFINER as the
-- others, since row security limits the service's role to one area at a time: the service asks
-- only for a national commissioner (IJ_ACTION_STATS_NATIONAL).
CREATE FUNCTION ij_stats_areas(p_from timestamptz, p_to timestamptz, p_category text,
    p_age_min int, p_age_max int, p_type text)
  RETURNS TABLE (area text, name text, referrals bigint, accepted bigint, rejected bigint,
    started bigint, started_within_target bigint, completed bigint, non_compliant bigint)
  LANGUAGE plpgsql STABLE SECURITY DEFINER
  SET search_path = public, pg_temp SET max_parallel_workers_per_gather = 0 AS $f$
BEGIN
  RETURN QUERY EXECUTE $q$SELECT a.code, a.name, coalesce(f.referrals, 0), coalesce(f.accepted, 0),
      coalesce(f.rejected, 0), coalesce(f.started, 0), coalesce(f.started_within_target, 0),
      coalesce(f.completed, 0), coalesce(f.non_compliant, 0)
    FROM areas a LEFT JOIN (SELECT r.area, count(*) AS referrals,
      count(*) FILTER (WHERE r.state IN ('accepted', 'scheduled', 'in_progress', 'completed',
        'non_compliant', 'closed') OR (r.state = 'withdrawn' AND r.hours_confirmed IS NOT NULL))
        AS accepted,
      count(*) FILTER (WHERE r.state = 'rejected') AS rejected,
      count(r.first_attended_at) AS started,
      count(*) FILTER (WHERE r.first_attended_at <= r.target_start_by) AS started_within_target,
      count(r.completed_at) AS completed,
      count(*) FILTER (WHERE r.exited_at IS NOT NULL AND r.completed_at IS NULL) AS non_compliant$q$
    || ij_stats_referrals() || $q$ GROUP BY r.area) f ON f.area = a.code
    ORDER BY a.code$q$
    USING NULL::text, p_from, p_to, NULL::text, p_category, p_age_min, p_age_max, p_type;
END;
$f$;

-- The bookings of the period's referrals by area and status: (area, status, bookings).
CREATE FUNCTION ij_stats_areas_bookings(p_from timestamptz, p_to timestamptz, p_category text,
    p_age_min int, p_age_max int, p_type text)
  RETURNS TABLE (area text, status text, bookings bigint)
  LANGUAGE plpgsql STABLE SECURITY DEFINER
  SET search_path = public, pg_temp SET max_parallel_workers_per_gather = 0 AS $f$
BEGIN
  RETURN QUERY EXECUTE $q$WITH r AS MATERIALIZED (SELECT r.area, r.booking_statuses$q$
      || ij_stats_referrals() || $q$)
      SELECT r.area, s.status, count(*)
        FROM r CROSS JOIN LATERAL unnest(r.booking_statuses) AS s (status)
        GROUP BY r.area, s.status$q$
    USING NULL::text, p_from, p_to, NULL::text, p_category, p_age_min, p_age_max, p_type;
END;
$f$;

REVOKE ALL ON FUNCTION ij_stats_areas(timestamptz, timestamptz, text, int, int, text),
  ij_stats_areas_bookings(timestamptz, timestamptz, text, int, int, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ij_stats_areas(timestamptz, timestamptz, text, int, int, text),
  ij_stats_areas_bookings(timestamptz, timestamptz, text, int, int, text) TO ij_service;
