-- The statistics' partial months from kept aggregates too (issue 17). Migration 024 kept the
-- figures per UTC month and read a period's partial months at either end from the referrals
-- themselves: cheap for an area (its list index), but for the nation a scan of every referral,
-- since no index leads with the creation time. Two more levels, per UTC day of creation, with no
-- filter dimension:
--   3: national, per day;
--   4: per area, per day.
-- In stats_agg and stats_hist their `month` column holds the day. A period without a filter is
-- now read from the kept rows alone: its whole months from levels 0/1, the days of its partial
-- months from levels 3/4 (at most 60 rows of stats_agg). So are the comparison of areas without a
-- filter and its bookings (migration 025), which summed every referral of the period. Filtered
-- views read as before (level 2, and the referrals of the partial months).

-- The contribution with its day (added last: the earlier columns keep their places).
DROP FUNCTION ij_stats_contrib(referrals);
CREATE FUNCTION ij_stats_contrib(r referrals)
  RETURNS TABLE (area text, month date, ward text, category text, age int, types text[],
    hour int, referrals bigint, accepted bigint, rejected bigint, started bigint,
    started_within_target bigint, completed bigint, non_compliant bigint, rereferrals bigint,
    minutes_credited bigint, credited_referrals bigint,
    b_booked bigint, b_attended_complied bigint, b_attended_failed_to_comply bigint,
    b_sent_home_behaviour bigint, b_sent_home_service_issue bigint, b_absent_acceptable bigint,
    b_absent_unacceptable bigint, b_rescheduled bigint, b_cancelled bigint,
    m_gardening bigint, m_litter_picking bigint, m_charity_work bigint,
    m_graffiti_removal bigint, m_community_clean_up bigint, m_other bigint,
    n_gardening bigint, n_litter_picking bigint, n_charity_work bigint,
    n_graffiti_removal bigint, n_community_clean_up bigint, n_other bigint, day date)
  LANGUAGE sql IMMUTABLE AS $$
  SELECT r.area, date_trunc('month', r.created_at AT TIME ZONE 'UTC')::date, r.ward,
    r.offence_category, coalesce(r.age_at_offence::int, -1000), r.booked_types,
    floor(extract(epoch FROM r.first_attended_at - r.created_at) / 3600)::int,
    1::bigint,
    (r.state IN ('accepted', 'scheduled', 'in_progress', 'completed', 'non_compliant', 'closed')
      OR (r.state = 'withdrawn' AND r.hours_confirmed IS NOT NULL))::int::bigint,
    (r.state = 'rejected')::int::bigint,
    (r.first_attended_at IS NOT NULL)::int::bigint,
    coalesce(r.first_attended_at <= r.target_start_by, false)::int::bigint,
    (r.completed_at IS NOT NULL)::int::bigint,
    (r.exited_at IS NOT NULL AND r.completed_at IS NULL)::int::bigint,
    (r.rereferral_of IS NOT NULL)::int::bigint,
    r.minutes_credited::bigint,
    (r.minutes_credited > 0)::int::bigint,
    cardinality(array_positions(r.booking_statuses, 'booked'))::bigint,
    cardinality(array_positions(r.booking_statuses, 'attended_complied'))::bigint,
    cardinality(array_positions(r.booking_statuses, 'attended_failed_to_comply'))::bigint,
    cardinality(array_positions(r.booking_statuses, 'sent_home_behaviour'))::bigint,
    cardinality(array_positions(r.booking_statuses, 'sent_home_service_issue'))::bigint,
    cardinality(array_positions(r.booking_statuses, 'absent_acceptable'))::bigint,
    cardinality(array_positions(r.booking_statuses, 'absent_unacceptable'))::bigint,
    cardinality(array_positions(r.booking_statuses, 'rescheduled'))::bigint,
    cardinality(array_positions(r.booking_statuses, 'cancelled'))::bigint,
    coalesce((r.type_minutes ->> 'gardening')::bigint, 0),
    coalesce((r.type_minutes ->> 'litter_picking')::bigint, 0),
    coalesce((r.type_minutes ->> 'charity_work')::bigint, 0),
    coalesce((r.type_minutes ->> 'graffiti_removal')::bigint, 0),
    coalesce((r.type_minutes ->> 'community_clean_up')::bigint, 0),
    coalesce((r.type_minutes ->> 'other')::bigint, 0),
    (r.type_minutes ? 'gardening')::int::bigint,
    (r.type_minutes ? 'litter_picking')::int::bigint,
    (r.type_minutes ? 'charity_work')::int::bigint,
    (r.type_minutes ? 'graffiti_removal')::int::bigint,
    (r.type_minutes ? 'community_clean_up')::int::bigint,
    (r.type_minutes ? 'other')::int::bigint,
    (r.created_at AT TIME ZONE 'UTC')::date
$$;

-- The five levels' keys of a contribution row `c`.
CREATE OR REPLACE FUNCTION ij_stats_level_keys() RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT 'l.lvl, CASE WHEN l.lvl IN (0, 3) THEN '''' ELSE c.area END,'
      || ' CASE WHEN l.lvl IN (3, 4) THEN c.day ELSE c.month END,'
      || ' CASE WHEN l.lvl = 2 THEN c.ward ELSE '''' END,'
      || ' CASE WHEN l.lvl = 2 THEN c.category ELSE '''' END,'
      || ' CASE WHEN l.lvl = 2 THEN c.age ELSE 0 END,'
      || ' CASE WHEN l.lvl = 2 THEN c.types ELSE ''{}''::text[] END'
$$;

-- The delta statements of migration 024, for the given levels.
CREATE FUNCTION ij_stats_delta_sql(src text, folded boolean, levels int[]) RETURNS text[]
  LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY[
    format('INSERT INTO stats_agg (lvl, area, month, ward, category, age, types, folded, %s)'
      ' SELECT %s, %s, %s FROM (%s) c CROSS JOIN unnest(%L::smallint[]) l (lvl)'
      ' GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING %s',
      array_to_string(ij_stats_value_columns(), ', '), ij_stats_level_keys(),
      CASE WHEN folded THEN 'true' ELSE 'false' END,
      (SELECT string_agg(format('sum(c.sign * c.%I)::bigint', v), ', ')
         FROM unnest(ij_stats_value_columns()) v),
      src, levels,
      (SELECT string_agg(format('sum(c.sign * c.%I) <> 0', v), ' OR ')
         FROM unnest(ij_stats_value_columns()) v)),
    format('INSERT INTO stats_hist (lvl, area, month, ward, category, age, types, hour, folded, n)'
      ' SELECT %s, c.hour, %s, sum(c.sign)::bigint FROM (%s) c'
      ' CROSS JOIN unnest(%L::smallint[]) l (lvl) WHERE c.hour IS NOT NULL'
      ' GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 HAVING sum(c.sign) <> 0',
      ij_stats_level_keys(), CASE WHEN folded THEN 'true' ELSE 'false' END, src, levels)]
$$;

CREATE OR REPLACE FUNCTION ij_stats_delta_sql(src text, folded boolean) RETURNS text[]
  LANGUAGE sql IMMUTABLE AS $$
  SELECT ij_stats_delta_sql(src, folded, ARRAY[0, 1, 2, 3, 4])
$$;

-- The triggers' functions again, with every level (their statements are made once, here).
DO $do$
DECLARE
  ev record;
  q text[];
BEGIN
  FOR ev IN SELECT * FROM (VALUES
      ('insert', 'SELECT 1 AS sign, x.* FROM new_rows n CROSS JOIN LATERAL ij_stats_contrib(n) x'),
      ('delete', 'SELECT -1 AS sign, x.* FROM old_rows o CROSS JOIN LATERAL ij_stats_contrib(o) x'),
      ('update', 'SELECT 1 AS sign, x.* FROM new_rows n CROSS JOIN LATERAL ij_stats_contrib(n) x'
        || ' UNION ALL SELECT -1, x.* FROM old_rows o CROSS JOIN LATERAL ij_stats_contrib(o) x'))
    AS t (op, src) LOOP
    q := ij_stats_delta_sql(ev.src, false);
    EXECUTE format($fn$CREATE OR REPLACE FUNCTION ij_stats_on_%s() RETURNS trigger
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $b$
      BEGIN
        %s;
        %s;
        IF nextval('stats_fold_turn') %% 256 = 0 THEN
          PERFORM ij_stats_fold();
        END IF;
        RETURN NULL;
      END;
      $b$$fn$, ev.op, q[1], q[2]);
  END LOOP;
END;
$do$;

-- The backfill of the new levels, set-based.
DO $do$
DECLARE
  q text[] := ij_stats_delta_sql('SELECT 1 AS sign, x.* FROM referrals r'
    || ' CROSS JOIN LATERAL ij_stats_contrib(r) x', true, ARRAY[3, 4]);
BEGIN
  EXECUTE q[1];
  EXECUTE q[2];
END;
$do$;

-- The reads of the filtered views: the partial months' referrals carry the extra column now.
CREATE OR REPLACE FUNCTION ij_stats_parts_sql(p_area text, p_ward text, p_category text,
    p_age_min int, p_type text, hist boolean, edges boolean) RETURNS text
  LANGUAGE plpgsql IMMUTABLE AS $f$
DECLARE
  dims boolean := p_ward IS NOT NULL OR p_category IS NOT NULL OR p_age_min IS NOT NULL
    OR p_type IS NOT NULL;
  agg text := CASE WHEN hist THEN 'stats_hist' ELSE 'stats_agg' END;
  cols text;
  w text;
  rw text := '';
BEGIN
  IF hist THEN
    cols := 'hour, n';
  ELSE
    cols := 'month, ' || array_to_string(ij_stats_value_columns(), ', ');
  END IF;
  IF NOT dims THEN
    -- no filter: whole months from levels 0/1, the partial months' days from levels 3/4
    RETURN 'SELECT ' || cols || ' FROM ' || agg || ' a WHERE '
      || CASE WHEN p_area IS NULL THEN 'a.lvl = 0 AND a.area = ''''' ELSE 'a.lvl = 1 AND a.area = $1' END
      || ' AND a.month >= ($9 AT TIME ZONE ''UTC'')::date AND a.month < ($10 AT TIME ZONE ''UTC'')::date'
      || CASE WHEN NOT edges THEN '' ELSE
         ' UNION ALL SELECT '
         || CASE WHEN hist THEN cols ELSE 'date_trunc(''month'', month)::date, '
              || array_to_string(ij_stats_value_columns(), ', ') END
         || ' FROM ' || agg || ' a WHERE '
         || CASE WHEN p_area IS NULL THEN 'a.lvl = 3 AND a.area = ''''' ELSE 'a.lvl = 4 AND a.area = $1' END
         || ' AND ((a.month >= ($2 AT TIME ZONE ''UTC'')::date AND a.month < ($9 AT TIME ZONE ''UTC'')::date)'
         || ' OR (a.month >= ($10 AT TIME ZONE ''UTC'')::date AND a.month < ($3 AT TIME ZONE ''UTC'')::date))'
         END;
  END IF;
  w := 'a.lvl = 2' || CASE WHEN p_area IS NULL THEN '' ELSE ' AND a.area = $1' END;
  IF p_ward IS NOT NULL THEN w := w || ' AND a.ward = $4'; rw := rw || ' AND r.ward = $4'; END IF;
  IF p_category IS NOT NULL THEN
    w := w || ' AND a.category = $5'; rw := rw || ' AND r.offence_category = $5';
  END IF;
  IF p_age_min IS NOT NULL THEN
    w := w || ' AND a.age BETWEEN $6 AND $7';
    rw := rw || ' AND r.age_at_offence BETWEEN $6 AND $7';
  END IF;
  IF p_type IS NOT NULL THEN
    w := w || ' AND $8 = ANY (a.types)'; rw := rw || ' AND $8 = ANY (r.booked_types)';
  END IF;
  IF NOT edges THEN -- whole months only: no referral is read (and none is planned for)
    RETURN 'SELECT ' || cols || ' FROM ' || agg || ' a WHERE ' || w
      || ' AND a.month >= ($9 AT TIME ZONE ''UTC'')::date AND a.month < ($10 AT TIME ZONE ''UTC'')::date';
  END IF;
  RETURN 'SELECT ' || cols || ' FROM ' || agg || ' a WHERE ' || w
    || ' AND a.month >= ($9 AT TIME ZONE ''UTC'')::date AND a.month < ($10 AT TIME ZONE ''UTC'')::date'
    || ' UNION ALL SELECT '
    || CASE WHEN hist THEN 'c.hour, 1::bigint' ELSE 'c.*' END
    || ' FROM referrals r CROSS JOIN LATERAL (SELECT '
    || CASE WHEN hist THEN 'x.hour' ELSE cols END
    || ' FROM ij_stats_contrib(r) x) c WHERE '
    || CASE WHEN p_area IS NULL THEN 'true' ELSE 'r.area = $1' END
    || ' AND ((r.created_at >= $2 AND r.created_at < $9) OR (r.created_at >= $10 AND r.created_at < $3))'
    || rw
    || CASE WHEN hist THEN ' AND r.first_attended_at IS NOT NULL' ELSE '' END;
END;
$f$;

-- The comparison of areas without a filter, from the kept rows of levels 1 and 4 (with a filter,
-- from the period's referrals as before). The whole months of [p_from, p_to) as in
-- ij_stats_figures.
CREATE OR REPLACE FUNCTION ij_stats_areas(p_from timestamptz, p_to timestamptz, p_category text,
    p_age_min int, p_age_max int, p_type text)
  RETURNS TABLE (area text, name text, referrals bigint, accepted bigint, rejected bigint,
    started bigint, started_within_target bigint, completed bigint, non_compliant bigint)
  LANGUAGE plpgsql STABLE SECURITY DEFINER
  SET search_path = public, pg_temp SET max_parallel_workers_per_gather = 0 AS $f$
#variable_conflict use_column
DECLARE
  w record := ij_stats_whole_months(p_from, p_to);
  d_from date := (p_from AT TIME ZONE 'UTC')::date;
  d_to date := (p_to AT TIME ZONE 'UTC')::date;
  m_from date := (w.m_from AT TIME ZONE 'UTC')::date;
  m_to date := (w.m_to AT TIME ZONE 'UTC')::date;
BEGIN
  IF p_category IS NULL AND p_age_min IS NULL AND p_type IS NULL THEN
    RETURN QUERY SELECT a.code, a.name, coalesce(sum(k.referrals), 0)::bigint,
        coalesce(sum(k.accepted), 0)::bigint, coalesce(sum(k.rejected), 0)::bigint,
        coalesce(sum(k.started), 0)::bigint, coalesce(sum(k.started_within_target), 0)::bigint,
        coalesce(sum(k.completed), 0)::bigint, coalesce(sum(k.non_compliant), 0)::bigint
      FROM areas a LEFT JOIN (
        SELECT s.area, s.referrals, s.accepted, s.rejected, s.started, s.started_within_target,
            s.completed, s.non_compliant
          FROM stats_agg s WHERE s.lvl = 1 AND s.month >= m_from AND s.month < m_to
        UNION ALL
        SELECT s.area, s.referrals, s.accepted, s.rejected, s.started, s.started_within_target,
            s.completed, s.non_compliant
          FROM stats_agg s WHERE s.lvl = 4
            AND ((s.month >= d_from AND s.month < m_from) OR (s.month >= m_to AND s.month < d_to))
      ) k ON k.area = a.code
      GROUP BY a.code, a.name ORDER BY a.code;
    RETURN;
  END IF;
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

CREATE OR REPLACE FUNCTION ij_stats_areas_bookings(p_from timestamptz, p_to timestamptz,
    p_category text, p_age_min int, p_age_max int, p_type text)
  RETURNS TABLE (area text, status text, bookings bigint)
  LANGUAGE plpgsql STABLE SECURITY DEFINER
  SET search_path = public, pg_temp SET max_parallel_workers_per_gather = 0 AS $f$
#variable_conflict use_column
DECLARE
  w record := ij_stats_whole_months(p_from, p_to);
  d_from date := (p_from AT TIME ZONE 'UTC')::date;
  d_to date := (p_to AT TIME ZONE 'UTC')::date;
  m_from date := (w.m_from AT TIME ZONE 'UTC')::date;
  m_to date := (w.m_to AT TIME ZONE 'UTC')::date;
BEGIN
  IF p_category IS NULL AND p_age_min IS NULL AND p_type IS NULL THEN
    RETURN QUERY WITH k AS (
        SELECT s.* FROM stats_agg s WHERE s.lvl = 1 AND s.month >= m_from AND s.month < m_to
        UNION ALL
        SELECT s.* FROM stats_agg s WHERE s.lvl = 4
          AND ((s.month >= d_from AND s.month < m_from) OR (s.month >= m_to AND s.month < d_to))),
      t AS (SELECT k.area, sum(k.b_booked) AS booked,
          sum(k.b_attended_complied) AS attended_complied,
          sum(k.b_attended_failed_to_comply) AS attended_failed_to_comply,
          sum(k.b_sent_home_behaviour) AS sent_home_behaviour,
          sum(k.b_sent_home_service_issue) AS sent_home_service_issue,
          sum(k.b_absent_acceptable) AS absent_acceptable,
          sum(k.b_absent_unacceptable) AS absent_unacceptable,
          sum(k.b_rescheduled) AS rescheduled, sum(k.b_cancelled) AS cancelled
        FROM k GROUP BY k.area)
      SELECT t.area, v.status, v.n::bigint FROM t CROSS JOIN LATERAL (VALUES
        ('booked', t.booked), ('attended_complied', t.attended_complied),
        ('attended_failed_to_comply', t.attended_failed_to_comply),
        ('sent_home_behaviour', t.sent_home_behaviour),
        ('sent_home_service_issue', t.sent_home_service_issue),
        ('absent_acceptable', t.absent_acceptable), ('absent_unacceptable', t.absent_unacceptable),
        ('rescheduled', t.rescheduled), ('cancelled', t.cancelled)) v (status, n)
      WHERE v.n > 0;
    RETURN;
  END IF;
  RETURN QUERY EXECUTE $q$WITH r AS MATERIALIZED (SELECT r.area, r.booking_statuses$q$
      || ij_stats_referrals() || $q$)
      SELECT r.area, s.status, count(*)
        FROM r CROSS JOIN LATERAL unnest(r.booking_statuses) AS s (status)
        GROUP BY r.area, s.status$q$
    USING NULL::text, p_from, p_to, NULL::text, p_category, p_age_min, p_age_max, p_type;
END;
$f$;

-- The check of the daily levels, beside stats_kept_vs_raw (migration 024): each area's and the
-- nation's days whose kept sums differ from the referrals' own rows. Empty when all is well.
CREATE VIEW stats_kept_days_vs_raw AS
WITH raw AS (
  SELECT area, (created_at AT TIME ZONE 'UTC')::date AS day, count(*) AS referrals,
    count(completed_at) AS completed, sum(minutes_credited) AS minutes
  FROM referrals GROUP BY 1, 2),
kept AS (
  SELECT lvl, area, month AS day, sum(referrals) AS referrals, sum(completed) AS completed,
    sum(minutes_credited) AS minutes
  FROM stats_agg WHERE lvl IN (3, 4) GROUP BY 1, 2, 3 HAVING sum(referrals) <> 0),
started AS (
  SELECT area, (created_at AT TIME ZONE 'UTC')::date AS day, count(*) AS n FROM referrals
  WHERE first_attended_at IS NOT NULL GROUP BY 1, 2),
hist AS (
  SELECT area, month AS day, sum(n) AS n FROM stats_hist WHERE lvl = 4 GROUP BY 1, 2
  HAVING sum(n) <> 0)
SELECT 'area day' AS what, area, day FROM raw
    FULL JOIN (SELECT * FROM kept WHERE lvl = 4) k USING (area, day)
  WHERE (raw.referrals, raw.completed, raw.minutes)
    IS DISTINCT FROM (k.referrals, k.completed, k.minutes)
UNION ALL
SELECT 'national day', NULL, day FROM (SELECT day, sum(referrals) AS referrals,
    sum(completed) AS completed, sum(minutes) AS minutes FROM raw GROUP BY day) r
    FULL JOIN (SELECT * FROM kept WHERE lvl = 3) k USING (day)
  WHERE (r.referrals, r.completed, r.minutes) IS DISTINCT FROM (k.referrals, k.completed, k.minutes)
UNION ALL
SELECT 'hours to first session, area day', area, day FROM started FULL JOIN hist USING (area, day)
  WHERE started.n IS DISTINCT FROM hist.n;

-- Reoffending without a filter: the nation's and each area's checks kept per day of exit (levels
-- 0/1, migration 024) are about 50,000 rows for the nation over ten years. Two more levels of
-- stats_reoff, per month of exit and month due (both kept as the month's first day):
--   5: national, per month of exit;
--   6: per area, per month of exit.
-- A period's whole months are read from them, except the checks due in today's month (whether a
-- check is due by today depends on its day): those, and the partial months' days of exit, from
-- levels 0/1 (an index on the day due finds the former).
CREATE FUNCTION ij_stats_reoff_sql(src text, folded boolean, levels int[]) RETURNS text
  LANGUAGE sql IMMUTABLE AS $$
  SELECT format('INSERT INTO stats_reoff (lvl, area, exited_on, due_on, window_months, exit_state,'
    ' ward, category, age, types, recorded, reoffended, folded, n)'
    ' SELECT l.lvl, CASE WHEN l.lvl IN (0, 5) THEN '''' ELSE c.area END,'
    ' CASE WHEN l.lvl IN (5, 6) THEN date_trunc(''month'', c.exited_on)::date ELSE c.exited_on END,'
    ' CASE WHEN l.lvl IN (5, 6) THEN date_trunc(''month'', c.due_on)::date ELSE c.due_on END,'
    ' c.window_months, c.exit_state, CASE WHEN l.lvl = 2 THEN c.ward ELSE '''' END,'
    ' CASE WHEN l.lvl = 2 THEN c.category ELSE '''' END, CASE WHEN l.lvl = 2 THEN c.age ELSE 0 END,'
    ' CASE WHEN l.lvl = 2 THEN c.types ELSE ''{}''::text[] END, c.recorded, c.reoffended, %s,'
    ' sum(c.sign)::bigint FROM (%s) c CROSS JOIN unnest(%L::smallint[]) l (lvl)'
    ' GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 HAVING sum(c.sign) <> 0',
    CASE WHEN folded THEN 'true' ELSE 'false' END, src, levels)
$$;

CREATE OR REPLACE FUNCTION ij_stats_reoff_sql(src text, folded boolean) RETURNS text
  LANGUAGE sql IMMUTABLE AS $$
  SELECT ij_stats_reoff_sql(src, folded, ARRAY[0, 1, 2, 5, 6])
$$;

-- The checks' triggers again, with every level.
DO $do$
DECLARE
  ev record;
BEGIN
  FOR ev IN SELECT * FROM (VALUES
      ('insert', ij_stats_reoff_cols(1, 'f', 'r')
        || ' FROM new_rows f JOIN referrals r ON r.id = f.referral_id'),
      ('delete', ij_stats_reoff_cols(-1, 'f', 'r')
        || ' FROM old_rows f JOIN referrals r ON r.id = f.referral_id'),
      ('update', ij_stats_reoff_cols(1, 'f', 'r')
        || ' FROM new_rows f JOIN referrals r ON r.id = f.referral_id UNION ALL '
        || ij_stats_reoff_cols(-1, 'f', 'r')
        || ' FROM old_rows f JOIN referrals r ON r.id = f.referral_id'))
    AS t (op, src) LOOP
    EXECUTE format($fn$CREATE OR REPLACE FUNCTION ij_stats_checks_on_%s() RETURNS trigger
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $b$
      BEGIN
        %s;
        RETURN NULL;
      END;
      $b$$fn$, ev.op, ij_stats_reoff_sql(ev.src, false));
  END LOOP;
  -- a referral's dimensions moving changes only level 2 (the others' deltas cancel out)
  EXECUTE format($fn$CREATE OR REPLACE FUNCTION ij_stats_checks_move() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $b$
    BEGIN
      %s;
      RETURN NULL;
    END;
    $b$$fn$, ij_stats_reoff_sql(
      'WITH m AS (SELECT o.id, o.ward AS o_ward, o.offence_category AS o_category,'
      || ' o.age_at_offence AS o_age, o.booked_types AS o_types, n.ward, n.offence_category,'
      || ' n.age_at_offence, n.booked_types FROM old_rows o JOIN new_rows n ON n.id = o.id'
      || ' WHERE (o.ward, o.offence_category, o.age_at_offence, o.booked_types)'
      || ' IS DISTINCT FROM (n.ward, n.offence_category, n.age_at_offence, n.booked_types)) '
      || ij_stats_reoff_cols(1, 'f', 'm') || ' FROM m JOIN followup_checks f ON f.referral_id = m.id'
      || ' UNION ALL SELECT -1, f.area, f.exited_on, f.due_on, f.window_months, f.exit_state,'
      || ' m.o_ward, m.o_category, coalesce(m.o_age::int, -1000), m.o_types,'
      || ' f.recorded_at IS NOT NULL, coalesce(f.reoffended, false)'
      || ' FROM m JOIN followup_checks f ON f.referral_id = m.id', false, ARRAY[2]));
END;
$do$;

DO $do$
BEGIN
  EXECUTE ij_stats_reoff_sql(ij_stats_reoff_cols(1, 'f', 'r')
    || ' FROM followup_checks f JOIN referrals r ON r.id = f.referral_id', true, ARRAY[5, 6]);
END;
$do$;

CREATE INDEX stats_reoff_due ON stats_reoff (lvl, area, due_on) WHERE lvl IN (0, 1);

CREATE OR REPLACE FUNCTION ij_stats_reoffending(p_area text, p_from date, p_to date, p_ward text,
    p_category text, p_age_min int, p_age_max int, p_type text, p_today date)
  RETURNS TABLE (window_months integer, exit_state text, cohort bigint, reoffended bigint,
    pending bigint)
  LANGUAGE plpgsql STABLE SECURITY DEFINER
  SET search_path = public, pg_temp SET max_parallel_workers_per_gather = 0 AS $f$
#variable_conflict use_column
DECLARE
  w text;
  ar text := coalesce(p_area, '');
  ld smallint := CASE WHEN p_area IS NULL THEN 0 ELSE 1 END; -- per day of exit
  lm smallint := CASE WHEN p_area IS NULL THEN 5 ELSE 6 END; -- per month of exit
  -- the whole months of exit [m_from, m_to) of [p_from, p_to]; none: both p_to + 1
  m_from date := CASE WHEN date_trunc('month', p_from) = p_from THEN p_from
                      ELSE (date_trunc('month', p_from) + interval '1 month')::date END;
  m_to date := date_trunc('month', p_to + 1)::date;
  t_month date := date_trunc('month', p_today)::date;
BEGIN
  PERFORM ij_stats_guard(p_area);
  IF m_from >= m_to THEN
    m_from := p_to + 1;
    m_to := p_to + 1;
  END IF;
  IF p_ward IS NULL AND p_category IS NULL AND p_age_min IS NULL AND p_type IS NULL THEN
    -- no filter: one statement, planned once per connection
    RETURN QUERY SELECT a.window_months, a.exit_state,
        coalesce(sum(a.n) FILTER (WHERE a.due_on <= p_today AND a.recorded), 0)::bigint,
        coalesce(sum(a.n) FILTER (WHERE a.due_on <= p_today AND a.recorded AND a.reoffended),
          0)::bigint,
        coalesce(sum(a.n) FILTER (WHERE a.due_on > p_today OR NOT a.recorded), 0)::bigint
      FROM (SELECT k.window_months, k.exit_state, k.due_on, k.recorded, k.reoffended, k.n
              FROM stats_reoff k WHERE k.lvl = lm AND k.area = ar
                AND k.exited_on >= m_from AND k.exited_on < m_to AND k.due_on <> t_month
            UNION ALL
            SELECT k.window_months, k.exit_state, k.due_on, k.recorded, k.reoffended, k.n
              FROM stats_reoff k WHERE k.lvl = ld AND k.area = ar
                AND ((k.exited_on >= p_from AND k.exited_on < m_from)
                  OR (k.exited_on >= m_to AND k.exited_on <= p_to))
            UNION ALL
            SELECT k.window_months, k.exit_state, k.due_on, k.recorded, k.reoffended, k.n
              FROM stats_reoff k WHERE k.lvl = ld AND k.area = ar
                AND k.due_on >= t_month AND k.due_on < (t_month + interval '1 month')::date
                AND k.exited_on >= m_from AND k.exited_on < m_to) a
      GROUP BY a.window_months, a.exit_state HAVING sum(a.n) <> 0;
    RETURN;
  END IF;
  w := 'a.lvl = 2' || CASE WHEN p_area IS NULL THEN '' ELSE ' AND a.area = $1' END
    || CASE WHEN p_ward IS NULL THEN '' ELSE ' AND a.ward = $4' END
    || CASE WHEN p_category IS NULL THEN '' ELSE ' AND a.category = $5' END
    || CASE WHEN p_age_min IS NULL THEN '' ELSE ' AND a.age BETWEEN $6 AND $7' END
    || CASE WHEN p_type IS NULL THEN '' ELSE ' AND $8 = ANY (a.types)' END;
  RETURN QUERY EXECUTE 'SELECT a.window_months, a.exit_state,'
    || ' coalesce(sum(a.n) FILTER (WHERE a.due_on <= $9 AND a.recorded), 0)::bigint,'
    || ' coalesce(sum(a.n) FILTER (WHERE a.due_on <= $9 AND a.recorded AND a.reoffended), 0)::bigint,'
    || ' coalesce(sum(a.n) FILTER (WHERE a.due_on > $9 OR NOT a.recorded), 0)::bigint'
    || ' FROM stats_reoff a WHERE ' || w || ' AND a.exited_on BETWEEN $2 AND $3'
    || ' GROUP BY a.window_months, a.exit_state HAVING sum(a.n) <> 0'
    USING p_area, p_from, p_to, p_ward, p_category, p_age_min, p_age_max, p_type, p_today;
END;
$f$;

-- The monthly levels of the checks, against the checks' own rows.
CREATE VIEW stats_kept_exit_months_vs_raw AS
WITH raw AS (
  SELECT area, date_trunc('month', exited_on)::date AS month, count(*) AS checks,
    count(recorded_at) AS recorded, count(*) FILTER (WHERE reoffended) AS reoffended
  FROM followup_checks GROUP BY 1, 2),
kept AS (
  SELECT lvl, area, exited_on AS month, sum(n) AS checks,
    coalesce(sum(n) FILTER (WHERE recorded), 0) AS recorded,
    coalesce(sum(n) FILTER (WHERE reoffended), 0) AS reoffended
  FROM stats_reoff WHERE lvl IN (5, 6) GROUP BY 1, 2, 3 HAVING sum(n) <> 0)
SELECT 'area month of exit' AS what, area, month FROM raw
    FULL JOIN (SELECT * FROM kept WHERE lvl = 6) k USING (area, month)
  WHERE (raw.checks, raw.recorded, raw.reoffended)
    IS DISTINCT FROM (k.checks, k.recorded, k.reoffended)
UNION ALL
SELECT 'national month of exit', NULL, month FROM (SELECT month, sum(checks) AS checks,
    sum(recorded) AS recorded, sum(reoffended) AS reoffended FROM raw GROUP BY month) r
    FULL JOIN (SELECT * FROM kept WHERE lvl = 5) k USING (month)
  WHERE (r.checks, r.recorded, r.reoffended) IS DISTINCT FROM (k.checks, k.recorded, k.reoffended);
