-- The national scope of the statistics named, not implied (issue 18). Until now every statistics
-- function read a NULL area as "every area", so a caller that lost or forgot the area widened an
-- area's figures to the country. The service now names the scope for each statistics transaction
-- (ij.stats_scope: 'national' or 'area', set with the statement bound, service/store/stats.c), and
-- refuses, before any SQL, a filter that has neither an area nor the national scope; here a NULL
-- area is refused unless the transaction named the national scope. An area other than the
-- connection's stays refused, as before.
CREATE OR REPLACE FUNCTION ij_stats_guard(area text) RETURNS void LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF area IS NULL THEN
    IF current_setting('ij.stats_scope', true) IS DISTINCT FROM 'national' THEN
      RAISE EXCEPTION 'statistics of every area need the national scope named (ij.stats_scope)'
        USING ERRCODE = 'insufficient_privilege';
    END IF;
  ELSIF area IS DISTINCT FROM current_setting('ij.area', true) THEN
    RAISE EXCEPTION 'statistics of an area other than the connection''s'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
END;
$$;
