-- Statistics from kept aggregates (issue 17). The summary's figures (GET /v1/stats/summary) are
-- sums over referrals of what each referral contributes (ij_stats_contrib): the counts, the minutes,
-- the bookings by status, the minutes per placement type, and the hours from referral to first
-- session (for the median). Those contributions are kept summed per UTC month of the referral's
-- creation at three levels:
--   0: national (area ''), no dimensions: the national view without filters;
--   1: per area, no dimensions: an area's view without filters;
--   2: per area and the filter dimensions: ward, offence category, age on the offence date, and
--      the set of placement types booked (a referral with bookings on two types is in one row
--      whose `types` holds both, so "has a booking of type T" is `T = ANY (types)`, exactly).
-- stats_agg holds the sums, stats_hist the distribution of whole hours from referral to first
-- session (the median is exact to the hour: the median of those times rounded down to the whole
-- hour).
--
-- Kept in the writers' transactions, without a hot row: statement-level triggers on referrals
-- (whose booking summaries migration 010's trigger keeps, so bookings, outcomes, cancellations
-- and placement type corrections all arrive as referral updates) append delta rows (new
-- contribution minus old, summed per key by the statement; nothing when no figure changes). No
-- row is ever updated by a writer, so concurrent writers in one area never wait on one another.
-- The reads sum every row of a key. ij_stats_fold() folds the deltas of each key into one row,
-- under an advisory lock so only one fold runs; the triggers call it every 256th statement, and
-- it may be called at any time (after a bulk load, by hand): the sums, and so the figures, are the
-- same before and after a fold.
--
-- A period is whole months from the aggregates, plus the referrals of its partial months at
-- either end read from the referrals themselves (an area's partial months are a few hundred rows
-- from the list index), so any period of days is exact.

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
    n_graffiti_removal bigint, n_community_clean_up bigint, n_other bigint)
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
    (r.type_minutes ? 'other')::int::bigint
$$;

CREATE TABLE stats_agg (
  lvl smallint NOT NULL, area text NOT NULL, month date NOT NULL, ward text NOT NULL,
  category text NOT NULL, age int NOT NULL, types text[] NOT NULL,
  folded boolean NOT NULL DEFAULT false,
  referrals bigint NOT NULL, accepted bigint NOT NULL, rejected bigint NOT NULL,
  started bigint NOT NULL, started_within_target bigint NOT NULL, completed bigint NOT NULL,
  non_compliant bigint NOT NULL, rereferrals bigint NOT NULL, minutes_credited bigint NOT NULL,
  credited_referrals bigint NOT NULL,
  b_booked bigint NOT NULL, b_attended_complied bigint NOT NULL,
  b_attended_failed_to_comply bigint NOT NULL, b_sent_home_behaviour bigint NOT NULL,
  b_sent_home_service_issue bigint NOT NULL, b_absent_acceptable bigint NOT NULL,
  b_absent_unacceptable bigint NOT NULL, b_rescheduled bigint NOT NULL,
  b_cancelled bigint NOT NULL,
  m_gardening bigint NOT NULL, m_litter_picking bigint NOT NULL, m_charity_work bigint NOT NULL,
  m_graffiti_removal bigint NOT NULL, m_community_clean_up bigint NOT NULL,
  m_other bigint NOT NULL,
  n_gardening bigint NOT NULL, n_litter_picking bigint NOT NULL, n_charity_work bigint NOT NULL,
  n_graffiti_removal bigint NOT NULL, n_community_clean_up bigint NOT NULL,
  n_other bigint NOT NULL
);
CREATE INDEX stats_agg_key ON stats_agg (lvl, area, month, ward, category, age, types);
CREATE INDEX stats_agg_unfolded ON stats_agg (lvl) WHERE NOT folded;

CREATE TABLE stats_hist (
  lvl smallint NOT NULL, area text NOT NULL, month date NOT NULL, ward text NOT NULL,
  category text NOT NULL, age int NOT NULL, types text[] NOT NULL, hour int NOT NULL,
  folded boolean NOT NULL DEFAULT false, n bigint NOT NULL
);
CREATE INDEX stats_hist_key ON stats_hist (lvl, area, month, ward, category, age, types, hour);
CREATE INDEX stats_hist_unfolded ON stats_hist (lvl) WHERE NOT folded;

-- The value columns, once, for the statements generated below.
CREATE FUNCTION ij_stats_value_columns() RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY['referrals', 'accepted', 'rejected', 'started', 'started_within_target',
    'completed', 'non_compliant', 'rereferrals', 'minutes_credited', 'credited_referrals',
    'b_booked', 'b_attended_complied', 'b_attended_failed_to_comply', 'b_sent_home_behaviour',
    'b_sent_home_service_issue', 'b_absent_acceptable', 'b_absent_unacceptable', 'b_rescheduled',
    'b_cancelled', 'm_gardening', 'm_litter_picking', 'm_charity_work', 'm_graffiti_removal',
    'm_community_clean_up', 'm_other', 'n_gardening', 'n_litter_picking', 'n_charity_work',
    'n_graffiti_removal', 'n_community_clean_up', 'n_other']
$$;

-- The three levels' keys of a contribution row `c`, and the key columns.
CREATE FUNCTION ij_stats_level_keys() RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT 'l.lvl, CASE WHEN l.lvl = 0 THEN '''' ELSE c.area END, c.month,'
      || ' CASE WHEN l.lvl = 2 THEN c.ward ELSE '''' END,'
      || ' CASE WHEN l.lvl = 2 THEN c.category ELSE '''' END,'
      || ' CASE WHEN l.lvl = 2 THEN c.age ELSE 0 END,'
      || ' CASE WHEN l.lvl = 2 THEN c.types ELSE ''{}''::text[] END'
$$;

-- Generates, from one template, the statements over a source of signed contributions `src`
-- (columns: sign, then ij_stats_contrib's): the delta rows for stats_agg and stats_hist.
CREATE FUNCTION ij_stats_delta_sql(src text, folded boolean) RETURNS text[]
  LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY[
    format('INSERT INTO stats_agg (lvl, area, month, ward, category, age, types, folded, %s)'
      ' SELECT %s, %s, %s FROM (%s) c CROSS JOIN (VALUES (0::smallint), (1), (2)) l (lvl)'
      ' GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING %s',
      array_to_string(ij_stats_value_columns(), ', '), ij_stats_level_keys(),
      CASE WHEN folded THEN 'true' ELSE 'false' END,
      (SELECT string_agg(format('sum(c.sign * c.%I)::bigint', v), ', ')
         FROM unnest(ij_stats_value_columns()) v),
      src,
      (SELECT string_agg(format('sum(c.sign * c.%I) <> 0', v), ' OR ')
         FROM unnest(ij_stats_value_columns()) v)),
    format('INSERT INTO stats_hist (lvl, area, month, ward, category, age, types, hour, folded, n)'
      ' SELECT %s, c.hour, %s, sum(c.sign)::bigint FROM (%s) c'
      ' CROSS JOIN (VALUES (0::smallint), (1), (2)) l (lvl) WHERE c.hour IS NOT NULL'
      ' GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 HAVING sum(c.sign) <> 0',
      ij_stats_level_keys(), CASE WHEN folded THEN 'true' ELSE 'false' END, src)]
$$;

CREATE SEQUENCE stats_fold_turn;

-- Folds every key with unfolded rows into one row (and drops keys whose sums are all zero).
-- Returns the rows removed, 0 when another fold holds the lock.
CREATE FUNCTION ij_stats_fold_parts() RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = public, pg_temp AS $f$
DECLARE
  gone bigint;
  more bigint;
BEGIN
  EXECUTE format('WITH k AS (SELECT DISTINCT lvl, area, month, ward, category, age, types'
    '   FROM stats_agg WHERE NOT folded),'
    ' d AS (DELETE FROM stats_agg a USING k WHERE a.lvl = k.lvl AND a.area = k.area'
    '   AND a.month = k.month AND a.ward = k.ward AND a.category = k.category AND a.age = k.age'
    '   AND a.types = k.types RETURNING a.*),'
    ' i AS (INSERT INTO stats_agg (lvl, area, month, ward, category, age, types, folded, %s)'
    '   SELECT lvl, area, month, ward, category, age, types, true, %s FROM d'
    '   GROUP BY lvl, area, month, ward, category, age, types HAVING %s RETURNING 1)'
    ' SELECT (SELECT count(*) FROM d) - (SELECT count(*) FROM i)',
    array_to_string(ij_stats_value_columns(), ', '),
    (SELECT string_agg(format('sum(%I)', v), ', ') FROM unnest(ij_stats_value_columns()) v),
    (SELECT string_agg(format('sum(%I) <> 0', v), ' OR ') FROM unnest(ij_stats_value_columns()) v))
    INTO gone;
  WITH k AS (SELECT DISTINCT lvl, area, month, ward, category, age, types, hour
               FROM stats_hist WHERE NOT folded),
    d AS (DELETE FROM stats_hist h USING k WHERE h.lvl = k.lvl AND h.area = k.area
            AND h.month = k.month AND h.ward = k.ward AND h.category = k.category
            AND h.age = k.age AND h.types = k.types AND h.hour = k.hour RETURNING h.*),
    i AS (INSERT INTO stats_hist (lvl, area, month, ward, category, age, types, hour, folded, n)
            SELECT lvl, area, month, ward, category, age, types, hour, true, sum(n) FROM d
            GROUP BY lvl, area, month, ward, category, age, types, hour HAVING sum(n) <> 0
            RETURNING 1)
  SELECT (SELECT count(*) FROM d) - (SELECT count(*) FROM i) INTO more;
  RETURN gone + more;
END;
$f$;
REVOKE ALL ON FUNCTION ij_stats_fold_parts() FROM PUBLIC;

-- Folds every kept table's deltas, one fold at a time (the others return 0 at once). The reoffending
-- part is defined below; this first version folds the summary's tables.
CREATE FUNCTION ij_stats_fold() RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = public, pg_temp AS $f$
BEGIN
  IF NOT pg_try_advisory_xact_lock(hashtext('ij_stats_fold')) THEN
    RETURN 0;
  END IF;
  RETURN ij_stats_fold_parts();
END;
$f$;
REVOKE ALL ON FUNCTION ij_stats_fold() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ij_stats_fold() TO ij_service;

-- The triggers: one function per event (a transition table exists only for its events).
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
    EXECUTE format($fn$CREATE FUNCTION ij_stats_on_%s() RETURNS trigger LANGUAGE plpgsql
      SECURITY DEFINER SET search_path = public, pg_temp AS $b$
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

CREATE TRIGGER referrals_stats_insert AFTER INSERT ON referrals
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ij_stats_on_insert();
CREATE TRIGGER referrals_stats_update AFTER UPDATE ON referrals
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ij_stats_on_update();
CREATE TRIGGER referrals_stats_delete AFTER DELETE ON referrals
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ij_stats_on_delete();

-- The booking summaries of many referrals at once, set-based (the bulk path: the bench's loader,
-- after a bulk insert of bookings): one pass over their bookings grouped by referral, instead of
-- three correlated subqueries per referral. Same values as referral_booking_rollup.
CREATE OR REPLACE FUNCTION ij_referral_rollup(ids uuid[]) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  changed bigint;
BEGIN
  IF cardinality(ids) < 1000 THEN -- a write's few referrals: each from its bookings by index
    UPDATE referrals r SET booking_statuses = x.booking_statuses, booked_types = x.booked_types,
      type_minutes = x.type_minutes
    FROM referral_booking_rollup x
    WHERE r.id = ANY (ids) AND x.id = r.id
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

-- The backfill: every referral's contribution, summed, in two statements.
DO $do$
DECLARE
  q text[] := ij_stats_delta_sql('SELECT 1 AS sign, x.* FROM referrals r'
    || ' CROSS JOIN LATERAL ij_stats_contrib(r) x', true);
BEGIN
  EXECUTE q[1];
  EXECUTE q[2];
END;
$do$;

-- The reads. The rows (per month, the value columns) of the period's whole months from the
-- aggregates, and of its partial months from the referrals; $1-$8 as the statistics' functions
-- take them, $9/$10 the whole months' bounds (timestamptz, [$9, $10)). `hist` true: (hour, n).
CREATE FUNCTION ij_stats_parts_sql(p_area text, p_ward text, p_category text, p_age_min int,
    p_type text, hist boolean, edges boolean) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $f$
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
    w := CASE WHEN p_area IS NULL THEN 'a.lvl = 0 AND a.area = ''''' ELSE 'a.lvl = 1 AND a.area = $1' END;
  ELSE
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

-- The whole months of [p_from, p_to): [from, to) of month starts, empty (both p_to) if none.
CREATE FUNCTION ij_stats_whole_months(p_from timestamptz, p_to timestamptz,
    OUT m_from timestamptz, OUT m_to timestamptz) LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN a < b THEN a ELSE p_to END, CASE WHEN a < b THEN b ELSE p_to END
  FROM (SELECT CASE WHEN date_trunc('month', p_from AT TIME ZONE 'UTC') = p_from AT TIME ZONE 'UTC'
                 THEN p_from AT TIME ZONE 'UTC'
                 ELSE date_trunc('month', p_from AT TIME ZONE 'UTC') + interval '1 month' END
               AT TIME ZONE 'UTC' AS a,
          date_trunc('month', p_to AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS b) t
$$;

DROP FUNCTION ij_stats_figures(text, timestamptz, timestamptz, text, text, int, int, text);
CREATE FUNCTION ij_stats_figures(p_area text, p_from timestamptz, p_to timestamptz, p_ward text,
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
  IF p_ward IS NULL AND p_category IS NULL AND p_age_min IS NULL AND p_type IS NULL
      AND w.m_from = p_from AND w.m_to = p_to THEN
    RETURN QUERY WITH p AS (SELECT * FROM stats_agg a WHERE a.lvl = CASE WHEN p_area IS NULL THEN 0 ELSE 1 END AND a.area = coalesce(p_area, '')
        AND a.month >= (p_from AT TIME ZONE 'UTC')::date AND a.month < (p_to AT TIME ZONE 'UTC')::date),
      h AS (SELECT a.hour, sum(a.n) AS n FROM stats_hist a WHERE a.lvl = CASE WHEN p_area IS NULL THEN 0 ELSE 1 END AND a.area = coalesce(p_area, '')
        AND a.month >= (p_from AT TIME ZONE 'UTC')::date AND a.month < (p_to AT TIME ZONE 'UTC')::date
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
  IF p_ward IS NULL AND p_category IS NULL AND p_age_min IS NULL AND p_type IS NULL
      AND w.m_from = p_from AND w.m_to = p_to THEN
    RETURN QUERY SELECT m.month::date - DATE '1970-01-01', coalesce(sum(x.referrals), 0)::bigint,
        coalesce(sum(x.completed), 0)::bigint
      FROM generate_series(date_trunc('month', p_from AT TIME ZONE 'UTC'),
        (p_to AT TIME ZONE 'UTC') - interval '1 day', interval '1 month') AS m (month)
      LEFT JOIN (SELECT a.month, a.referrals, a.completed FROM stats_agg a WHERE a.lvl = CASE WHEN p_area IS NULL THEN 0 ELSE 1 END AND a.area = coalesce(p_area, '')
        AND a.month >= (p_from AT TIME ZONE 'UTC')::date AND a.month < (p_to AT TIME ZONE 'UTC')::date) x
        ON x.month = m.month::date
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
  IF p_ward IS NULL AND p_category IS NULL AND p_age_min IS NULL AND p_type IS NULL
      AND w.m_from = p_from AND w.m_to = p_to THEN
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
        FROM stats_agg a WHERE a.lvl = CASE WHEN p_area IS NULL THEN 0 ELSE 1 END AND a.area = coalesce(p_area, '')
        AND a.month >= (p_from AT TIME ZONE 'UTC')::date AND a.month < (p_to AT TIME ZONE 'UTC')::date)
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

REVOKE ALL ON FUNCTION ij_stats_figures(text, timestamptz, timestamptz, text, text, int, int, text)
  FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ij_stats_figures(text, timestamptz, timestamptz, text, text, int, int,
  text) TO ij_service;

-- Reoffending (GET /v1/stats/reoffending): the follow-up checks counted per day of exit, day due,
-- window, exit, whether recorded and whether reoffending was found, at the same three levels, the
-- dimensions being those of the check's referral. Kept by statement triggers on followup_checks,
-- and on referrals for a change of a referral's dimensions (its checks move from the old key to
-- the new). Keyed by day, so any period of days is read from the aggregates alone, and any "today"
-- splits the elapsed checks from the pending ones exactly.
CREATE TABLE stats_reoff (
  lvl smallint NOT NULL, area text NOT NULL, exited_on date NOT NULL, due_on date NOT NULL,
  window_months int NOT NULL, exit_state text NOT NULL, ward text NOT NULL, category text NOT NULL,
  age int NOT NULL, types text[] NOT NULL, recorded boolean NOT NULL, reoffended boolean NOT NULL,
  folded boolean NOT NULL DEFAULT false, n bigint NOT NULL
);
CREATE INDEX stats_reoff_key ON stats_reoff (lvl, area, exited_on, ward, category, age, types);
CREATE INDEX stats_reoff_unfolded ON stats_reoff (lvl) WHERE NOT folded;

-- The delta rows of a source of signed checks with their referral's dimensions (columns: sign,
-- area, exited_on, due_on, window_months, exit_state, ward, category, age, types, recorded,
-- reoffended).
CREATE FUNCTION ij_stats_reoff_sql(src text, folded boolean) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT format('INSERT INTO stats_reoff (lvl, area, exited_on, due_on, window_months, exit_state,'
    ' ward, category, age, types, recorded, reoffended, folded, n)'
    ' SELECT l.lvl, CASE WHEN l.lvl = 0 THEN '''' ELSE c.area END, c.exited_on, c.due_on,'
    ' c.window_months, c.exit_state, CASE WHEN l.lvl = 2 THEN c.ward ELSE '''' END,'
    ' CASE WHEN l.lvl = 2 THEN c.category ELSE '''' END, CASE WHEN l.lvl = 2 THEN c.age ELSE 0 END,'
    ' CASE WHEN l.lvl = 2 THEN c.types ELSE ''{}''::text[] END, c.recorded, c.reoffended, %s,'
    ' sum(c.sign)::bigint FROM (%s) c CROSS JOIN (VALUES (0::smallint), (1), (2)) l (lvl)'
    ' GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 HAVING sum(c.sign) <> 0',
    CASE WHEN folded THEN 'true' ELSE 'false' END, src)
$$;

-- A check `f` with the dimensions of referral `r`, signed.
CREATE FUNCTION ij_stats_reoff_cols(sign int, f text, r text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT format('SELECT %s AS sign, %2$s.area, %2$s.exited_on, %2$s.due_on, %2$s.window_months,'
    ' %2$s.exit_state, %3$s.ward, %3$s.offence_category AS category,'
    ' coalesce(%3$s.age_at_offence::int, -1000) AS age, %3$s.booked_types AS types,'
    ' %2$s.recorded_at IS NOT NULL AS recorded, coalesce(%2$s.reoffended, false) AS reoffended',
    sign, f, r)
$$;

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
    EXECUTE format($fn$CREATE FUNCTION ij_stats_checks_on_%s() RETURNS trigger LANGUAGE plpgsql
      SECURITY DEFINER SET search_path = public, pg_temp AS $b$
      BEGIN
        %s;
        RETURN NULL;
      END;
      $b$$fn$, ev.op, ij_stats_reoff_sql(ev.src, false));
  END LOOP;
  -- a referral's dimensions changed: its checks move
  EXECUTE format($fn$CREATE FUNCTION ij_stats_checks_move() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path = public, pg_temp AS $b$
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
      || ' FROM m JOIN followup_checks f ON f.referral_id = m.id', false));
END;
$do$;

CREATE TRIGGER followup_checks_stats_insert AFTER INSERT ON followup_checks
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ij_stats_checks_on_insert();
CREATE TRIGGER followup_checks_stats_update AFTER UPDATE ON followup_checks
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ij_stats_checks_on_update();
CREATE TRIGGER followup_checks_stats_delete AFTER DELETE ON followup_checks
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ij_stats_checks_on_delete();
CREATE TRIGGER referrals_stats_checks_move AFTER UPDATE ON referrals
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ij_stats_checks_move();

DO $do$
BEGIN
  EXECUTE ij_stats_reoff_sql(ij_stats_reoff_cols(1, 'f', 'r')
    || ' FROM followup_checks f JOIN referrals r ON r.id = f.referral_id', true);
END;
$do$;

-- Folds the reoffending deltas too (the summary's fold, extended).
CREATE FUNCTION ij_stats_fold_reoff() RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = public, pg_temp AS $f$
DECLARE
  gone bigint;
BEGIN
  WITH k AS (SELECT DISTINCT lvl, area, exited_on, due_on, window_months, exit_state, ward,
               category, age, types, recorded, reoffended FROM stats_reoff WHERE NOT folded),
    d AS (DELETE FROM stats_reoff h USING k WHERE h.lvl = k.lvl AND h.area = k.area
            AND h.exited_on = k.exited_on AND h.due_on = k.due_on
            AND h.window_months = k.window_months AND h.exit_state = k.exit_state
            AND h.ward = k.ward AND h.category = k.category AND h.age = k.age
            AND h.types = k.types AND h.recorded = k.recorded AND h.reoffended = k.reoffended
            RETURNING h.*),
    i AS (INSERT INTO stats_reoff (lvl, area, exited_on, due_on, window_months, exit_state, ward,
            category, age, types, recorded, reoffended, folded, n)
            SELECT lvl, area, exited_on, due_on, window_months, exit_state, ward, category, age,
              types, recorded, reoffended, true, sum(n) FROM d
            GROUP BY lvl, area, exited_on, due_on, window_months, exit_state, ward, category, age,
              types, recorded, reoffended HAVING sum(n) <> 0 RETURNING 1)
  SELECT (SELECT count(*) FROM d) - (SELECT count(*) FROM i) INTO gone;
  RETURN gone;
END;
$f$;

-- ij_stats_fold (above) calls it: one fold for all three tables, under its lock.
CREATE OR REPLACE FUNCTION ij_stats_fold() RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = public, pg_temp AS $f$
BEGIN
  IF NOT pg_try_advisory_xact_lock(hashtext('ij_stats_fold')) THEN
    RETURN 0;
  END IF;
  RETURN ij_stats_fold_parts() + ij_stats_fold_reoff();
END;
$f$;

CREATE OR REPLACE FUNCTION ij_stats_reoffending(p_area text, p_from date, p_to date, p_ward text,
    p_category text, p_age_min int, p_age_max int, p_type text, p_today date)
  RETURNS TABLE (window_months integer, exit_state text, cohort bigint, reoffended bigint,
    pending bigint)
  LANGUAGE plpgsql STABLE SECURITY DEFINER
  SET search_path = public, pg_temp SET max_parallel_workers_per_gather = 0 AS $f$
#variable_conflict use_column
DECLARE
  w text;
BEGIN
  PERFORM ij_stats_guard(p_area);
  IF p_ward IS NULL AND p_category IS NULL AND p_age_min IS NULL AND p_type IS NULL THEN
    -- no filter: one statement, planned once per connection
    RETURN QUERY SELECT a.window_months, a.exit_state,
        coalesce(sum(a.n) FILTER (WHERE a.due_on <= p_today AND a.recorded), 0)::bigint,
        coalesce(sum(a.n) FILTER (WHERE a.due_on <= p_today AND a.recorded AND a.reoffended),
          0)::bigint,
        coalesce(sum(a.n) FILTER (WHERE a.due_on > p_today OR NOT a.recorded), 0)::bigint
      FROM stats_reoff a
      WHERE a.lvl = CASE WHEN p_area IS NULL THEN 0 ELSE 1 END AND a.area = coalesce(p_area, '')
        AND a.exited_on BETWEEN p_from AND p_to
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
REVOKE ALL ON FUNCTION ij_stats_fold_reoff() FROM PUBLIC;

-- The kept tables have an area, so they have the area's policy like every such table (the service
-- reads them only through the statistics' functions, which run as the owner; the national rows'
-- area '' is no area's). The triggers and the fold write them as the owner.
GRANT SELECT ON stats_agg, stats_hist, stats_reoff TO ij_service;
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['stats_agg', 'stats_hist', 'stats_reoff'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY area_isolation ON %I TO ij_service'
                   ' USING (area = current_setting(''ij.area'', true))', t);
  END LOOP;
END
$$;

-- A check for whole data sets (tests/bench/verify.sql, scripts/bench after its writes): the kept
-- sums of each area's months, and of its days of exit, that differ from the referrals' and checks'
-- own rows (plain counts, not ij_stats_contrib), national rows against the areas' sums. Empty when
-- all is well.
CREATE VIEW stats_kept_vs_raw AS
WITH raw AS (
  SELECT area, date_trunc('month', created_at AT TIME ZONE 'UTC')::date AS month,
    count(*) AS referrals, count(completed_at) AS completed, count(first_attended_at) AS started,
    sum(minutes_credited) AS minutes, count(rereferral_of) AS rereferrals
  FROM referrals GROUP BY 1, 2),
kept AS (
  SELECT area, month, sum(referrals) AS referrals, sum(completed) AS completed,
    sum(started) AS started, sum(minutes_credited) AS minutes, sum(rereferrals) AS rereferrals
  FROM stats_agg WHERE lvl = 1 GROUP BY 1, 2 HAVING sum(referrals) <> 0),
fine AS (
  SELECT area, month, sum(referrals) AS referrals, sum(minutes_credited) AS minutes
  FROM stats_agg WHERE lvl = 2 GROUP BY 1, 2 HAVING sum(referrals) <> 0),
national AS (
  SELECT month, sum(referrals) AS referrals, sum(minutes_credited) AS minutes
  FROM stats_agg WHERE lvl = 0 GROUP BY 1 HAVING sum(referrals) <> 0),
hist AS (
  SELECT area, month, sum(n) AS started FROM stats_hist WHERE lvl = 1 GROUP BY 1, 2
  HAVING sum(n) <> 0),
raw_checks AS (
  SELECT area, exited_on, count(*) AS checks, count(recorded_at) AS recorded,
    count(*) FILTER (WHERE reoffended) AS reoffended
  FROM followup_checks GROUP BY 1, 2),
kept_checks AS (
  SELECT area, exited_on, sum(n) AS checks, sum(n) FILTER (WHERE recorded) AS recorded,
    coalesce(sum(n) FILTER (WHERE reoffended), 0) AS reoffended
  FROM stats_reoff WHERE lvl = 1 GROUP BY 1, 2 HAVING sum(n) <> 0)
SELECT 'area month' AS what, area, month AS day FROM raw FULL JOIN kept USING (area, month)
  WHERE (raw.referrals, raw.completed, raw.started, raw.minutes, raw.rereferrals)
    IS DISTINCT FROM (kept.referrals, kept.completed, kept.started, kept.minutes, kept.rereferrals)
UNION ALL
SELECT 'area month by dimension', area, month FROM raw FULL JOIN fine USING (area, month)
  WHERE (raw.referrals, raw.minutes) IS DISTINCT FROM (fine.referrals, fine.minutes)
UNION ALL
SELECT 'national month', NULL, month FROM (SELECT month, sum(referrals) AS referrals,
    sum(minutes) AS minutes FROM raw GROUP BY month) r FULL JOIN national USING (month)
  WHERE (r.referrals, r.minutes) IS DISTINCT FROM (national.referrals, national.minutes)
UNION ALL
SELECT 'hours to first session', area, month FROM (SELECT area, month, started FROM raw
    WHERE started > 0) r FULL JOIN hist USING (area, month)
  WHERE r.started IS DISTINCT FROM hist.started
UNION ALL
SELECT 'area day of exit', area, exited_on FROM raw_checks FULL JOIN kept_checks
    USING (area, exited_on)
  WHERE (raw_checks.checks, raw_checks.recorded, raw_checks.reoffended)
    IS DISTINCT FROM (kept_checks.checks, coalesce(kept_checks.recorded, 0),
      kept_checks.reoffended);
