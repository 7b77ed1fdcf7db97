-- An area's statistics without a filter planned once per connection (issue 17: the area-year at 16
-- connections sat on its 50 ms p95). Migration 031 made the statistics' functions plan every call
-- for its own values, because a plan made without them and kept after area calls took the national
-- summary from 6 ms to 1.2 s. Planning is about half of an area's summary, though, and for an
-- area without a filter the kept rows' plan does not depend on which area or year: measured on the
-- benchmark's national data set, 60 area-years of nine areas and five years (partial months at
-- both ends), planned each call against planned once: the figures 1.54 -> 1.16 ms, the monthly
-- series 0.62 -> 0.26 ms, the bookings 0.64 -> 0.23 ms (the median's p50s). Reoffending was no
-- better (0.44 -> 0.51 ms) and keeps 031's way.
--
-- So those three functions now ask for the plan made once (force_generic_plan, for the function's
-- call alone: its own `SET plan_cache_mode` restores 031's setting when it returns) when the call
-- is an area's without a filter. The nation and every filtered view are planned each call as
-- before; PostgreSQL keeps one plan per statement and connection, and a call that forces custom
-- plans never uses it.
DO $do$
DECLARE
  fn text;
  def text;
  patched text;
BEGIN
  FOREACH fn IN ARRAY ARRAY[
      'ij_stats_figures(text, timestamptz, timestamptz, text, text, int, int, text)',
      'ij_stats_monthly(text, timestamptz, timestamptz, text, text, int, int, text)',
      'ij_stats_bookings(text, timestamptz, timestamptz, text, text, int, int, text)'] LOOP
    def := pg_get_functiondef(fn::regprocedure);
    IF def !~ 'SET plan_cache_mode TO ''force_custom_plan''' THEN
      RAISE EXCEPTION 'migration 040: % is not planned per call (migration 031)', fn;
    END IF;
    patched := regexp_replace(def, E'\n  PERFORM ij_stats_guard\\(p_area\\);\n',
      E'\n  PERFORM ij_stats_guard(p_area);\n'
      || E'  IF p_area IS NOT NULL AND p_ward IS NULL AND p_category IS NULL AND p_age_min IS NULL\n'
      || E'      AND p_type IS NULL THEN\n'
      || E'    PERFORM set_config(''plan_cache_mode'', ''force_generic_plan'', true);\n'
      || E'  END IF;\n');
    IF patched = def THEN
      RAISE EXCEPTION 'migration 040: % does not begin as expected', fn;
    END IF;
    EXECUTE patched;
  END LOOP;
END;
$do$;
