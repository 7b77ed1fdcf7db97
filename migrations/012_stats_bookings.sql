-- The statistics' statements, measured on the benchmark's national data set (issue 7):
--   - which booking statuses count as attended, and which count at all, are the domain's (C): the
--     figures no longer take them as arguments and unnest each referral's statuses in a subplan
--     per row. ij_stats_bookings returns the period's booking statuses with their counts, and the
--     minutes per placement type, in one statement; the service adds them up;
--   - none of them starts parallel workers: on an area's few thousand rows, starting one cost about
--     100 ms on a busy 2-core machine, many times the query itself, and several dashboards at once
--     would take every core.
DROP FUNCTION ij_stats_figures(text, timestamptz, timestamptz, text, text, int, int, text, text[],
  text[]);
DROP FUNCTION ij_stats_hours(text, timestamptz, timestamptz, text, text, int, int, text);

CREATE FUNCTION ij_stats_figures(p_area text, p_from timestamptz, p_to timestamptz, p_ward text,
    p_category text, p_age_min int, p_age_max int, p_type text)
  RETURNS TABLE (referrals bigint, accepted bigint, rejected bigint, started bigint,
    started_within_target bigint, completed bigint, non_compliant bigint, rereferrals bigint,
    minutes_credited bigint, credited_referrals bigint, median_hours_to_first_session float8)
  LANGUAGE plpgsql STABLE SECURITY DEFINER
  SET search_path = public SET max_parallel_workers_per_gather = 0 AS $f$
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
        r.created_at) / 3600)::float8$q$
    || ij_stats_referrals()
    USING p_area, p_from, p_to, p_ward, p_category, p_age_min, p_age_max, p_type;
END;
$f$;

-- The bookings of the period's referrals: ('status', status, bookings, 0) for each booking status,
-- and ('type', placement type, minutes credited, referrals with any) for each placement type.
CREATE FUNCTION ij_stats_bookings(p_area text, p_from timestamptz, p_to timestamptz, p_ward text,
    p_category text, p_age_min int, p_age_max int, p_type text)
  RETURNS TABLE (kind text, key text, amount bigint, referrals bigint)
  LANGUAGE plpgsql STABLE SECURITY DEFINER
  SET search_path = public SET max_parallel_workers_per_gather = 0 AS $f$
BEGIN
  PERFORM ij_stats_guard(p_area);
  RETURN QUERY EXECUTE $q$WITH r AS MATERIALIZED (SELECT r.booking_statuses, r.type_minutes$q$
      || ij_stats_referrals() || $q$)
      SELECT 'status', s.status, count(*), 0::bigint
        FROM r CROSS JOIN LATERAL unnest(r.booking_statuses) AS s (status) GROUP BY s.status
      UNION ALL
      SELECT 'type', t.key, sum(t.value::bigint)::bigint, count(*)
        FROM r CROSS JOIN LATERAL jsonb_each_text(r.type_minutes) t GROUP BY t.key$q$
    USING p_area, p_from, p_to, p_ward, p_category, p_age_min, p_age_max, p_type;
END;
$f$;

ALTER FUNCTION ij_stats_monthly(text, timestamptz, timestamptz, text, text, int, int, text)
  SET max_parallel_workers_per_gather = 0;
ALTER FUNCTION ij_stats_reoffending(text, date, date, text, text, int, int, text, date)
  SET max_parallel_workers_per_gather = 0;

REVOKE ALL ON FUNCTION ij_stats_figures(text, timestamptz, timestamptz, text, text, int, int, text),
  ij_stats_bookings(text, timestamptz, timestamptz, text, text, int, int, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ij_stats_figures(text, timestamptz, timestamptz, text, text, int, int,
  text), ij_stats_bookings(text, timestamptz, timestamptz, text, text, int, int, text)
  TO ij_service;
