-- Leaner reads and loads (issue 17).

-- Lists at depth from a narrow index again (issue 17). Migration 010 widened the list index to
-- cover every column the statistics read of a referral (its arrays and jsonb among them), so that
-- an area's period was one index-only scan. The statistics now read kept aggregates (migrations
-- 024 and 026) and read referrals only for a filtered view's partial months, a few hundred rows of
-- one area. The wide entries made a filtered list page walk about three times as many index pages,
-- and every referral write maintain them. The list's own columns, as migration 009 had them:
CREATE INDEX referrals_area_list ON referrals (area, created_at DESC, id DESC)
  INCLUDE (state, ward, officer_sub, first_attended_at, target_start_by);
DROP INDEX referrals_area_period;

-- ij_us (migration 001) was not inlined into the statements that call it: extract(epoch FROM
-- timestamptz) is only stable, so PostgreSQL called the immutable function once per value (about
-- 12 microseconds each: 1.6 s of the demo data's 10 s in the database). Through a timestamp at UTC
-- the expression is immutable, the same number, and inlined.
CREATE OR REPLACE FUNCTION ij_us(timestamptz) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN (extract(epoch FROM $1 AT TIME ZONE 'UTC') * 1000000)::bigint;

-- Every kept figure again from the rows, set-based (after a bulk load with the triggers off: the
-- benchmark's loader): the same statements as the triggers and the backfills, all levels at once.
CREATE FUNCTION ij_stats_rebuild() RETURNS void LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = public, pg_temp AS $f$
DECLARE
  q text[] := ij_stats_delta_sql('SELECT 1 AS sign, x.* FROM referrals r'
    || ' CROSS JOIN LATERAL ij_stats_contrib(r) x', true);
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('ij_stats_fold'));
  TRUNCATE stats_agg, stats_hist, stats_reoff;
  EXECUTE q[1];
  EXECUTE q[2];
  EXECUTE ij_stats_reoff_sql(ij_stats_reoff_cols(1, 'f', 'r')
    || ' FROM followup_checks f JOIN referrals r ON r.id = f.referral_id', true);
END;
$f$;
REVOKE ALL ON FUNCTION ij_stats_rebuild() FROM PUBLIC;
