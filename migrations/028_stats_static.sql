-- The statistics without a filter in one planned statement each, whatever the period (issue 17).
-- Since migration 026 a period's partial months come from the kept daily rows, but only a period
-- of whole months took the static statement; any other went through dynamic SQL, planned again on
-- every request (the dashboard's default year ends today, so nearly every request). The rows of a
-- period without a filter, whole months and partial months' days together, are now two inlined
-- functions, and the three statements read them for any period.

CREATE FUNCTION ij_stats_agg_rows(p_area text, p_from timestamptz, p_to timestamptz)
  RETURNS SETOF stats_agg LANGUAGE sql STABLE AS $$
  SELECT a.* FROM stats_agg a, ij_stats_whole_months(p_from, p_to) w
  WHERE a.lvl = CASE WHEN p_area IS NULL THEN 0 ELSE 1 END AND a.area = coalesce(p_area, '')
    AND a.month >= (w.m_from AT TIME ZONE 'UTC')::date AND a.month < (w.m_to AT TIME ZONE 'UTC')::date
  UNION ALL
  SELECT a.* FROM stats_agg a, ij_stats_whole_months(p_from, p_to) w
  WHERE a.lvl = CASE WHEN p_area IS NULL THEN 3 ELSE 4 END AND a.area = coalesce(p_area, '')
    AND ((a.month >= (p_from AT TIME ZONE 'UTC')::date AND a.month < (w.m_from AT TIME ZONE 'UTC')::date)
      OR (a.month >= (w.m_to AT TIME ZONE 'UTC')::date AND a.month < (p_to AT TIME ZONE 'UTC')::date))
$$;

CREATE FUNCTION ij_stats_hist_rows(p_area text, p_from timestamptz, p_to timestamptz)
  RETURNS SETOF stats_hist LANGUAGE sql STABLE AS $$
  SELECT a.* FROM stats_hist a, ij_stats_whole_months(p_from, p_to) w
  WHERE a.lvl = CASE WHEN p_area IS NULL THEN 0 ELSE 1 END AND a.area = coalesce(p_area, '')
    AND a.month >= (w.m_from AT TIME ZONE 'UTC')::date AND a.month < (w.m_to AT TIME ZONE 'UTC')::date
  UNION ALL
  SELECT a.* FROM stats_hist a, ij_stats_whole_months(p_from, p_to) w
  WHERE a.lvl = CASE WHEN p_area IS NULL THEN 3 ELSE 4 END AND a.area = coalesce(p_area, '')
    AND ((a.month >= (p_from AT TIME ZONE 'UTC')::date AND a.month < (w.m_from AT TIME ZONE 'UTC')::date)
      OR (a.month >= (w.m_to AT TIME ZONE 'UTC')::date AND a.month < (p_to AT TIME ZONE 'UTC')::date))
$$;

CREATE OR REPLACE FUNCTION ij_stats_figures(p_area text, p_from timestamptz, p_to timestamptz, p_ward text,
    p_category text, p_age_min int, p_age_max int, p_type text)
  RETURNS TABLE (referrals bigint, accepted bigint, rejected bigint, started bigint,
    started_within_target bigint, completed bigint, non_compliant bigint, rereferrals bigint,
    minutes_credited bigint, credited_referrals bigint, median_hours_to_first_session float8)
  LANGUAGE plpgsql STABLE SECURITY DEFINER
  SET search_path = public, pg_temp SET max_parallel_workers_per_gather = 0 AS $f$
#variable_conflict use_column
DECLARE
  w record := ij_stats_whole_months(p_from, p_to);
BEGIN
  PERFORM ij_stats_guard(p_area);
  -- the dashboard's usual question (whole months, no filter): one statement, planned once per
  -- connection, over the area's or the nation's rows of those months
  IF p_ward IS NULL AND p_category IS NULL AND p_age_min IS NULL AND p_type IS NULL THEN
    RETURN QUERY WITH p AS (SELECT * FROM ij_stats_agg_rows(p_area, p_from, p_to) a),
      h AS (SELECT a.hour, sum(a.n) AS n FROM ij_stats_hist_rows(p_area, p_from, p_to) a
            GROUP BY a.hour HAVING sum(a.n) > 0),
      c AS (SELECT h.hour, sum(h.n) OVER (ORDER BY h.hour) AS cum, sum(h.n) OVER () AS tot FROM h),
      m AS (SELECT (min(c.hour) FILTER (WHERE c.cum >= div(c.tot + 1, 2))
              + min(c.hour) FILTER (WHERE c.cum >= div(c.tot, 2) + 1)) / 2.0 AS median FROM c)
    SELECT coalesce(sum(p.referrals), 0)::bigint, coalesce(sum(p.accepted), 0)::bigint,
      coalesce(sum(p.rejected), 0)::bigint, coalesce(sum(p.started), 0)::bigint,
      coalesce(sum(p.started_within_target), 0)::bigint, coalesce(sum(p.completed), 0)::bigint,
      coalesce(sum(p.non_compliant), 0)::bigint, coalesce(sum(p.rereferrals), 0)::bigint,
      coalesce(sum(p.minutes_credited), 0)::bigint, coalesce(sum(p.credited_referrals), 0)::bigint,
      (SELECT m.median::float8 FROM m) FROM p;
    RETURN;
  END IF;
  RETURN QUERY EXECUTE 'WITH p AS (' || ij_stats_parts_sql(p_area, p_ward, p_category, p_age_min,
      p_type, false, w.m_from <> p_from OR w.m_to <> p_to) || '), h AS (SELECT hour, sum(n) AS n FROM ('
    || ij_stats_parts_sql(p_area, p_ward, p_category, p_age_min, p_type, true, w.m_from <> p_from OR w.m_to <> p_to)
    || ') x GROUP BY hour HAVING sum(n) > 0),'
    || ' c AS (SELECT hour, sum(n) OVER (ORDER BY hour) AS cum, sum(n) OVER () AS tot FROM h),'
    || ' m AS (SELECT (min(hour) FILTER (WHERE cum >= div(tot + 1, 2))'
    || '   + min(hour) FILTER (WHERE cum >= div(tot, 2) + 1)) / 2.0 AS median FROM c)'
    || ' SELECT coalesce(sum(referrals), 0)::bigint, coalesce(sum(accepted), 0)::bigint,'
    || ' coalesce(sum(rejected), 0)::bigint, coalesce(sum(started), 0)::bigint,'
    || ' coalesce(sum(started_within_target), 0)::bigint, coalesce(sum(completed), 0)::bigint,'
    || ' coalesce(sum(non_compliant), 0)::bigint, coalesce(sum(rereferrals), 0)::bigint,'
    || ' coalesce(sum(minutes_credited), 0)::bigint, coalesce(sum(credited_referrals), 0)::bigint,'
    || ' (SELECT median::float8 FROM m) FROM p'
    USING p_area, p_from, p_to, p_ward, p_category, p_age_min, p_age_max, p_type, w.m_from,
      w.m_to;
END;
$f$;

CREATE OR REPLACE FUNCTION ij_stats_monthly(p_area text, p_from timestamptz, p_to timestamptz,
    p_ward text, p_category text, p_age_min int, p_age_max int, p_type text)
  RETURNS TABLE (month_day integer, referrals bigint, completed bigint)
  LANGUAGE plpgsql STABLE SECURITY DEFINER
  SET search_path = public, pg_temp SET max_parallel_workers_per_gather = 0 AS $f$
#variable_conflict use_column
DECLARE
  w record := ij_stats_whole_months(p_from, p_to);
BEGIN
  PERFORM ij_stats_guard(p_area);
  IF p_ward IS NULL AND p_category IS NULL AND p_age_min IS NULL AND p_type IS NULL THEN
    RETURN QUERY SELECT m.month::date - DATE '1970-01-01', coalesce(sum(x.referrals), 0)::bigint,
        coalesce(sum(x.completed), 0)::bigint
      FROM generate_series(date_trunc('month', p_from AT TIME ZONE 'UTC'),
        (p_to AT TIME ZONE 'UTC') - interval '1 day', interval '1 month') AS m (month)
      LEFT JOIN (SELECT a.month, a.referrals, a.completed FROM ij_stats_agg_rows(p_area, p_from, p_to) a) x
        ON date_trunc('month', x.month::timestamp) = m.month
      GROUP BY m.month ORDER BY m.month;
    RETURN;
  END IF;
  RETURN QUERY EXECUTE 'SELECT m.month::date - DATE ''1970-01-01'','
    || ' coalesce(sum(x.referrals), 0)::bigint, coalesce(sum(x.completed), 0)::bigint'
    || ' FROM generate_series(date_trunc(''month'', $2 AT TIME ZONE ''UTC''),'
    || ' ($3 AT TIME ZONE ''UTC'') - interval ''1 day'', interval ''1 month'') AS m (month)'
    || ' LEFT JOIN (' || ij_stats_parts_sql(p_area, p_ward, p_category, p_age_min, p_type, false, w.m_from <> p_from OR w.m_to <> p_to)
    || ') x ON x.month = m.month::date GROUP BY m.month ORDER BY m.month'
    USING p_area, p_from, p_to, p_ward, p_category, p_age_min, p_age_max, p_type, w.m_from,
      w.m_to;
END;
$f$;

CREATE OR REPLACE FUNCTION ij_stats_bookings(p_area text, p_from timestamptz, p_to timestamptz,
    p_ward text, p_category text, p_age_min int, p_age_max int, p_type text)
  RETURNS TABLE (kind text, key text, amount bigint, referrals bigint)
  LANGUAGE plpgsql STABLE SECURITY DEFINER
  SET search_path = public, pg_temp SET max_parallel_workers_per_gather = 0 AS $f$
#variable_conflict use_column
DECLARE
  w record := ij_stats_whole_months(p_from, p_to);
BEGIN
  PERFORM ij_stats_guard(p_area);
  IF p_ward IS NULL AND p_category IS NULL AND p_age_min IS NULL AND p_type IS NULL THEN
    RETURN QUERY WITH s AS (SELECT sum(a.b_booked) AS b_booked,
        sum(a.b_attended_complied) AS b_attended_complied,
        sum(a.b_attended_failed_to_comply) AS b_attended_failed_to_comply,
        sum(a.b_sent_home_behaviour) AS b_sent_home_behaviour,
        sum(a.b_sent_home_service_issue) AS b_sent_home_service_issue,
        sum(a.b_absent_acceptable) AS b_absent_acceptable,
        sum(a.b_absent_unacceptable) AS b_absent_unacceptable,
        sum(a.b_rescheduled) AS b_rescheduled, sum(a.b_cancelled) AS b_cancelled,
        sum(a.m_gardening) AS m_gardening, sum(a.m_litter_picking) AS m_litter_picking,
        sum(a.m_charity_work) AS m_charity_work, sum(a.m_graffiti_removal) AS m_graffiti_removal,
        sum(a.m_community_clean_up) AS m_community_clean_up, sum(a.m_other) AS m_other,
        sum(a.n_gardening) AS n_gardening, sum(a.n_litter_picking) AS n_litter_picking,
        sum(a.n_charity_work) AS n_charity_work, sum(a.n_graffiti_removal) AS n_graffiti_removal,
        sum(a.n_community_clean_up) AS n_community_clean_up, sum(a.n_other) AS n_other
        FROM ij_stats_agg_rows(p_area, p_from, p_to) a)
      SELECT v.kind, v.key, v.amount::bigint, v.referrals::bigint FROM s CROSS JOIN LATERAL (VALUES
        ('status', 'booked', s.b_booked, 0),
        ('status', 'attended_complied', s.b_attended_complied, 0),
        ('status', 'attended_failed_to_comply', s.b_attended_failed_to_comply, 0),
        ('status', 'sent_home_behaviour', s.b_sent_home_behaviour, 0),
        ('status', 'sent_home_service_issue', s.b_sent_home_service_issue, 0),
        ('status', 'absent_acceptable', s.b_absent_acceptable, 0),
        ('status', 'absent_unacceptable', s.b_absent_unacceptable, 0),
        ('status', 'rescheduled', s.b_rescheduled, 0),
        ('status', 'cancelled', s.b_cancelled, 0),
        ('type', 'gardening', s.m_gardening, s.n_gardening),
        ('type', 'litter_picking', s.m_litter_picking, s.n_litter_picking),
        ('type', 'charity_work', s.m_charity_work, s.n_charity_work),
        ('type', 'graffiti_removal', s.m_graffiti_removal, s.n_graffiti_removal),
        ('type', 'community_clean_up', s.m_community_clean_up, s.n_community_clean_up),
        ('type', 'other', s.m_other, s.n_other)) v (kind, key, amount, referrals)
      WHERE (v.kind = 'status' AND v.amount > 0) OR (v.kind = 'type' AND v.referrals > 0);
    RETURN;
  END IF;
  RETURN QUERY EXECUTE 'WITH s AS (SELECT '
    || (SELECT string_agg(format('sum(%I)::bigint AS %I', v, v), ', ')
          FROM unnest(ij_stats_value_columns()) v)
    || ' FROM (' || ij_stats_parts_sql(p_area, p_ward, p_category, p_age_min, p_type, false, w.m_from <> p_from OR w.m_to <> p_to)
    || ') p)'
    || ' SELECT v.kind, v.key, v.amount, v.referrals FROM s CROSS JOIN LATERAL (VALUES '
    || (SELECT string_agg(format('(''status'', %L, s.%I, 0::bigint)', substr(v, 3), v), ', ')
          FROM unnest(ij_stats_value_columns()) v WHERE v LIKE 'b\_%')
    || ', '
    || (SELECT string_agg(format('(''type'', %L, s.%I, s.%I)', substr(v, 3), v,
                                 'n_' || substr(v, 3)), ', ')
          FROM unnest(ij_stats_value_columns()) v WHERE v LIKE 'm\_%')
    || ') v (kind, key, amount, referrals)'
    || ' WHERE (v.kind = ''status'' AND v.amount > 0) OR (v.kind = ''type'' AND v.referrals > 0)'
    USING p_area, p_from, p_to, p_ward, p_category, p_age_min, p_age_max, p_type, w.m_from,
      w.m_to;
END;
$f$;
