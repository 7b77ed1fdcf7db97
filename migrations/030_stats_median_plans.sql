-- The two passes of the median (migration 029) planned for the period they read (issue 17). Read
-- through a function scan of the whole months, the partial months' bounds were unknown to the
-- planner, which then read every day of the nation's daily bands (50,000 index entries, and
-- 100,000 of a band's hours) instead of the period's few edge days; and after five calls a generic
-- plan made it worse (a second per call). The bounds are now computed first, each part of the
-- period is its own range, and the function's statements are planned for each call's values.
CREATE OR REPLACE FUNCTION ij_stats_median_hours(p_area text, p_from timestamptz, p_to timestamptz)
  RETURNS float8 LANGUAGE plpgsql STABLE SET plan_cache_mode = force_custom_plan AS $f$
#variable_conflict use_column
DECLARE
  ar text := coalesce(p_area, '');
  lm int := CASE WHEN p_area IS NULL THEN 0 ELSE 1 END; -- hours per month
  ld int := CASE WHEN p_area IS NULL THEN 3 ELSE 4 END; -- hours per day
  bm int := CASE WHEN p_area IS NULL THEN 5 ELSE 6 END; -- bands per month
  bd int := CASE WHEN p_area IS NULL THEN 7 ELSE 8 END; -- bands per day
  width int := ij_stats_band_hours();
  w record := ij_stats_whole_months(p_from, p_to);
  d_from date := (p_from AT TIME ZONE 'UTC')::date;
  d_to date := (p_to AT TIME ZONE 'UTC')::date;
  m_from date;
  m_to date;
  tot bigint;
  b1 int;
  below1 bigint;
  b2 int;
  below2 bigint;
  h1 int;
  h2 int;
BEGIN
  m_from := (w.m_from AT TIME ZONE 'UTC')::date;
  m_to := (w.m_to AT TIME ZONE 'UTC')::date;
  -- the bands holding the two middle values, and how many values lie below each band
  WITH hb AS (SELECT x.hour AS band, sum(x.n) AS n FROM (
          SELECT a.hour, a.n FROM stats_hist a WHERE a.lvl = bm AND a.area = ar
            AND a.month >= m_from AND a.month < m_to
          UNION ALL SELECT a.hour, a.n FROM stats_hist a WHERE a.lvl = bd AND a.area = ar
            AND a.month >= d_from AND a.month < m_from
          UNION ALL SELECT a.hour, a.n FROM stats_hist a WHERE a.lvl = bd AND a.area = ar
            AND a.month >= m_to AND a.month < d_to) x
        GROUP BY x.hour HAVING sum(x.n) > 0),
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
  -- the hours of those bands (one band, or two adjacent ones)
  WITH hh AS (SELECT x.hour, sum(x.n) AS n FROM (
          SELECT a.hour, a.n FROM stats_hist a WHERE a.lvl = lm AND a.area = ar
            AND a.hour >= b1 AND a.hour < b2 + width AND a.month >= m_from AND a.month < m_to
          UNION ALL SELECT a.hour, a.n FROM stats_hist a WHERE a.lvl = ld AND a.area = ar
            AND a.month >= d_from AND a.month < m_from AND a.hour >= b1 AND a.hour < b2 + width
          UNION ALL SELECT a.hour, a.n FROM stats_hist a WHERE a.lvl = ld AND a.area = ar
            AND a.month >= m_to AND a.month < d_to AND a.hour >= b1 AND a.hour < b2 + width) x
        GROUP BY x.hour HAVING sum(x.n) > 0),
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
