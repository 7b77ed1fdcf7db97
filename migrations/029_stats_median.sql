-- The median time to first session in two passes (issue 17). Without a filter, the median read
-- every kept (month, hour) count of the period: about 77,000 rows for the nation over ten years
-- of a million referrals, 120 ms of the national summary's 125. The same counts are now also kept
-- in 64-hour bands, at four more levels of stats_hist (the band's first hour in `hour`):
--   5: national, per month;   6: per area, per month;
--   7: national, per day;     8: per area, per day.
-- The first pass reads the bands (about 2,000 rows nationally) and finds the band of each middle
-- value and how many values lie below it; the second reads the hourly counts of those bands only,
-- through an index that leads with the hour. The result is the same median, exact to the hour.
-- Filtered views read as before.

-- The keys of the nine levels (stats_agg has levels 0 to 4, stats_hist all nine).
CREATE OR REPLACE FUNCTION ij_stats_level_keys() RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT 'l.lvl, CASE WHEN l.lvl IN (0, 3, 5, 7) THEN '''' ELSE c.area END,'
      || ' CASE WHEN l.lvl IN (3, 4, 7, 8) THEN c.day ELSE c.month END,'
      || ' CASE WHEN l.lvl = 2 THEN c.ward ELSE '''' END,'
      || ' CASE WHEN l.lvl = 2 THEN c.category ELSE '''' END,'
      || ' CASE WHEN l.lvl = 2 THEN c.age ELSE 0 END,'
      || ' CASE WHEN l.lvl = 2 THEN c.types ELSE ''{}''::text[] END'
$$;

-- The width of the bands, once.
CREATE FUNCTION ij_stats_band_hours() RETURNS int LANGUAGE sql IMMUTABLE RETURN 64;

CREATE OR REPLACE FUNCTION ij_stats_delta_sql(src text, folded boolean, levels int[])
  RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY[
    format('INSERT INTO stats_agg (lvl, area, month, ward, category, age, types, folded, %s)'
      ' SELECT %s, %s, %s FROM (%s) c CROSS JOIN unnest(%L::smallint[]) l (lvl) WHERE l.lvl < 5'
      ' GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING %s',
      array_to_string(ij_stats_value_columns(), ', '), ij_stats_level_keys(),
      CASE WHEN folded THEN 'true' ELSE 'false' END,
      (SELECT string_agg(format('sum(c.sign * c.%I)::bigint', v), ', ')
         FROM unnest(ij_stats_value_columns()) v),
      src, levels,
      (SELECT string_agg(format('sum(c.sign * c.%I) <> 0', v), ' OR ')
         FROM unnest(ij_stats_value_columns()) v)),
    format('INSERT INTO stats_hist (lvl, area, month, ward, category, age, types, hour, folded, n)'
      ' SELECT %s, CASE WHEN l.lvl >= 5 THEN (floor(c.hour / %s::numeric) * %s)::int ELSE c.hour END,'
      ' %s, sum(c.sign)::bigint FROM (%s) c'
      ' CROSS JOIN unnest(%L::smallint[]) l (lvl) WHERE c.hour IS NOT NULL'
      ' GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 HAVING sum(c.sign) <> 0',
      ij_stats_level_keys(), ij_stats_band_hours(), ij_stats_band_hours(),
      CASE WHEN folded THEN 'true' ELSE 'false' END, src, levels)]
$$;

CREATE OR REPLACE FUNCTION ij_stats_delta_sql(src text, folded boolean) RETURNS text[]
  LANGUAGE sql IMMUTABLE AS $$
  SELECT ij_stats_delta_sql(src, folded, ARRAY[0, 1, 2, 3, 4, 5, 6, 7, 8])
$$;

-- The referrals' triggers from the current statements (called again by any migration that changes
-- them).
CREATE FUNCTION ij_stats_make_triggers() RETURNS void LANGUAGE plpgsql AS $do$
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
REVOKE ALL ON FUNCTION ij_stats_make_triggers() FROM PUBLIC;
SELECT ij_stats_make_triggers();

-- The bands of what is kept, set-based.
DO $do$
BEGIN
  EXECUTE (ij_stats_delta_sql('SELECT 1 AS sign, x.* FROM referrals r'
    || ' CROSS JOIN LATERAL ij_stats_contrib(r) x', true, ARRAY[5, 6, 7, 8]))[2];
END;
$do$;

-- The second pass's reads: the hourly counts of a few hours over many months.
CREATE INDEX stats_hist_hour ON stats_hist (lvl, area, hour, month) INCLUDE (n);

-- The rows of stats_hist of a period without a filter: whole months from level `lm`, the partial
-- months' days from level `ld` (inlined into the statements that call it).
CREATE FUNCTION ij_stats_hist_levels(lm int, ld int, p_area text, p_from timestamptz,
    p_to timestamptz) RETURNS SETOF stats_hist LANGUAGE sql STABLE AS $$
  SELECT a.* FROM stats_hist a, ij_stats_whole_months(p_from, p_to) w
  WHERE a.lvl = lm AND a.area = coalesce(p_area, '')
    AND a.month >= (w.m_from AT TIME ZONE 'UTC')::date AND a.month < (w.m_to AT TIME ZONE 'UTC')::date
  UNION ALL
  SELECT a.* FROM stats_hist a, ij_stats_whole_months(p_from, p_to) w
  WHERE a.lvl = ld AND a.area = coalesce(p_area, '')
    AND ((a.month >= (p_from AT TIME ZONE 'UTC')::date AND a.month < (w.m_from AT TIME ZONE 'UTC')::date)
      OR (a.month >= (w.m_to AT TIME ZONE 'UTC')::date AND a.month < (p_to AT TIME ZONE 'UTC')::date))
$$;

-- The median of the period's hours to first session, without a filter: the mean of the
-- div(n + 1, 2)-th and the (div(n, 2) + 1)-th smallest (as the filtered views compute it).
CREATE FUNCTION ij_stats_median_hours(p_area text, p_from timestamptz, p_to timestamptz)
  RETURNS float8 LANGUAGE plpgsql STABLE AS $f$
#variable_conflict use_column
DECLARE
  lm int := CASE WHEN p_area IS NULL THEN 0 ELSE 1 END;
  ld int := CASE WHEN p_area IS NULL THEN 3 ELSE 4 END;
  width int := ij_stats_band_hours();
  tot bigint;
  b1 int;
  below1 bigint;
  b2 int;
  below2 bigint;
  h1 int;
  h2 int;
BEGIN
  -- the bands holding the two middle values, and how many values lie below each band
  WITH hb AS (SELECT a.hour AS band, sum(a.n) AS n
                FROM ij_stats_hist_levels(lm + 5, ld + 4, p_area, p_from, p_to) a
                GROUP BY a.hour HAVING sum(a.n) > 0),
    c AS (SELECT hb.band, hb.n, sum(hb.n) OVER (ORDER BY hb.band) AS cum,
            sum(hb.n) OVER () AS tot FROM hb),
    f1 AS (SELECT c.band, c.cum - c.n AS below, c.tot FROM c WHERE c.cum >= div(c.tot + 1, 2)
             ORDER BY c.band LIMIT 1),
    f2 AS (SELECT c.band, c.cum - c.n AS below FROM c WHERE c.cum >= div(c.tot, 2) + 1
             ORDER BY c.band LIMIT 1)
  SELECT f1.tot, f1.band, f1.below, f2.band, f2.below INTO tot, b1, below1, b2, below2
    FROM f1, f2;
  IF tot IS NULL THEN
    RETURN NULL;
  END IF;
  -- the hours of those bands
  WITH hh AS (SELECT a.hour, sum(a.n) AS n FROM ij_stats_hist_levels(lm, ld, p_area, p_from, p_to) a
                WHERE (a.hour >= b1 AND a.hour < b1 + width) OR (a.hour >= b2 AND a.hour < b2 + width)
                GROUP BY a.hour HAVING sum(a.n) > 0),
    c1 AS (SELECT hh.hour, sum(hh.n) OVER (ORDER BY hh.hour) AS cum FROM hh
             WHERE hh.hour >= b1 AND hh.hour < b1 + width),
    c2 AS (SELECT hh.hour, sum(hh.n) OVER (ORDER BY hh.hour) AS cum FROM hh
             WHERE hh.hour >= b2 AND hh.hour < b2 + width)
  SELECT (SELECT min(c1.hour) FROM c1 WHERE below1 + c1.cum >= div(tot + 1, 2)),
         (SELECT min(c2.hour) FROM c2 WHERE below2 + c2.cum >= div(tot, 2) + 1)
    INTO h1, h2;
  RETURN (h1 + h2) / 2.0;
END;
$f$;

CREATE OR REPLACE FUNCTION ij_stats_figures(p_area text, p_from timestamptz, p_to timestamptz,
    p_ward text, p_category text, p_age_min int, p_age_max int, p_type text)
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
  -- no filter: the kept rows of the area or the nation, planned once per connection, and the
  -- median in two passes
  IF p_ward IS NULL AND p_category IS NULL AND p_age_min IS NULL AND p_type IS NULL THEN
    RETURN QUERY SELECT coalesce(sum(p.referrals), 0)::bigint, coalesce(sum(p.accepted), 0)::bigint,
      coalesce(sum(p.rejected), 0)::bigint, coalesce(sum(p.started), 0)::bigint,
      coalesce(sum(p.started_within_target), 0)::bigint, coalesce(sum(p.completed), 0)::bigint,
      coalesce(sum(p.non_compliant), 0)::bigint, coalesce(sum(p.rereferrals), 0)::bigint,
      coalesce(sum(p.minutes_credited), 0)::bigint, coalesce(sum(p.credited_referrals), 0)::bigint,
      ij_stats_median_hours(p_area, p_from, p_to)
      FROM ij_stats_agg_rows(p_area, p_from, p_to) p;
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

-- The bands against the hours they hold: each area's and the nation's months and days.
CREATE VIEW stats_kept_bands_vs_hours AS
WITH hours AS (
  SELECT lvl + 5 AS lvl, area, month, sum(n) AS n,
    sum(n * ((floor(hour / ij_stats_band_hours()::numeric) * ij_stats_band_hours())::int)) AS s
  FROM stats_hist WHERE lvl IN (0, 1) GROUP BY 1, 2, 3
  UNION ALL
  SELECT lvl + 4, area, month, sum(n),
    sum(n * ((floor(hour / ij_stats_band_hours()::numeric) * ij_stats_band_hours())::int))
  FROM stats_hist WHERE lvl IN (3, 4) GROUP BY 1, 2, 3),
bands AS (
  SELECT lvl, area, month, sum(n) AS n, sum(n * hour) AS s FROM stats_hist
  WHERE lvl BETWEEN 5 AND 8 GROUP BY 1, 2, 3)
SELECT lvl, area, month FROM (SELECT * FROM hours WHERE n <> 0) h
    FULL JOIN (SELECT * FROM bands WHERE n <> 0) b USING (lvl, area, month)
  WHERE (h.n, h.s) IS DISTINCT FROM (b.n, b.s);
