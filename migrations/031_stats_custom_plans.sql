-- The statistics' statements planned for each call's own values (issue 17). PL/pgSQL keeps a
-- statement's plan per connection and, after five calls, may settle on a generic plan made
-- without the values. The same statement serves an area (a few dozen kept rows) and the nation
-- (thousands), and a period of whole months or of partial ones: measured on the benchmark's data,
-- after a run of area requests the generic plans took a national summary from 6 ms to 1.2 s and an
-- area's reoffending from 1.5 ms to 78 ms. Planning each call costs well under a millisecond.
ALTER FUNCTION ij_stats_figures(text, timestamptz, timestamptz, text, text, int, int, text)
  SET plan_cache_mode = force_custom_plan;
ALTER FUNCTION ij_stats_monthly(text, timestamptz, timestamptz, text, text, int, int, text)
  SET plan_cache_mode = force_custom_plan;
ALTER FUNCTION ij_stats_bookings(text, timestamptz, timestamptz, text, text, int, int, text)
  SET plan_cache_mode = force_custom_plan;
ALTER FUNCTION ij_stats_reoffending(text, date, date, text, text, int, int, text, date)
  SET plan_cache_mode = force_custom_plan;
ALTER FUNCTION ij_stats_areas(timestamptz, timestamptz, text, int, int, text)
  SET plan_cache_mode = force_custom_plan;
ALTER FUNCTION ij_stats_areas_bookings(timestamptz, timestamptz, text, int, int, text)
  SET plan_cache_mode = force_custom_plan;
