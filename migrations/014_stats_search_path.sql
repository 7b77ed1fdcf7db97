-- The statistics' functions run as the schema's owner (SECURITY DEFINER): their search path ends
-- with pg_temp, as migration 006's functions' do, so that no temporary table of the caller can
-- stand in for one of ours.
ALTER FUNCTION ij_stats_figures(text, timestamptz, timestamptz, text, text, int, int, text)
  SET search_path = public, pg_temp;
ALTER FUNCTION ij_stats_bookings(text, timestamptz, timestamptz, text, text, int, int, text)
  SET search_path = public, pg_temp;
ALTER FUNCTION ij_stats_monthly(text, timestamptz, timestamptz, text, text, int, int, text)
  SET search_path = public, pg_temp;
ALTER FUNCTION ij_stats_reoffending(text, date, date, text, text, int, int, text, date)
  SET search_path = public, pg_temp;
