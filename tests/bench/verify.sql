-- Invariant violations in a loaded data set (run with psql as the owner: row-level security would
-- hide every row from the service's role). Every count is zero when all is well.
--   psql "$DATABASE_OWNER_URL" -f tests/bench/verify.sql
\pset expanded on

-- What was checked (not a violation): an empty database passes every check below.
SELECT (SELECT count(*) FROM referrals) AS referrals_checked,
       (SELECT count(*) FROM bookings) AS bookings_checked;

WITH ev AS (
  SELECT referral_id, count(*) AS n, max(seq) AS max_seq, min(seq) AS min_seq
  FROM referral_events GROUP BY referral_id
), last_ev AS (
  SELECT DISTINCT ON (referral_id) referral_id, to_state
  FROM referral_events ORDER BY referral_id, seq DESC
), bk AS (
  SELECT referral_id,
         count(*) FILTER (WHERE status NOT IN ('cancelled', 'rescheduled')) AS holding,
         coalesce(sum(minutes_credited), 0) AS minutes,
         count(*) FILTER (WHERE status IN ('absent_unacceptable', 'attended_failed_to_comply',
                                           'sent_home_behaviour')) AS breaches,
         min(starts_at) FILTER (WHERE status IN ('attended_complied', 'attended_failed_to_comply',
                                                 'sent_home_behaviour', 'sent_home_service_issue'))
           AS first_attended
  FROM bookings GROUP BY referral_id
), fu AS (
  SELECT referral_id, count(*) AS n,
         bool_or(window_months = 12 AND recorded_at IS NOT NULL) AS last_recorded
  FROM followup_checks GROUP BY referral_id
)
SELECT
  -- the event log: version rows numbered 1..version, the last one giving the state
  (SELECT count(*) FROM referrals r LEFT JOIN ev ON ev.referral_id = r.id
   WHERE ev.n IS DISTINCT FROM r.version OR ev.max_seq <> r.version OR ev.min_seq <> 1)
    AS events_vs_version,
  (SELECT count(*) FROM referrals r JOIN last_ev l ON l.referral_id = r.id
   WHERE l.to_state <> r.state) AS last_event_vs_state,
  (SELECT count(*) FROM referral_events e
   WHERE (e.seq = 1) <> (e.event = 'create' AND e.from_state IS NULL AND e.to_state = 'submitted'))
    AS first_event_not_create,
  (SELECT count(*) FROM referral_events e JOIN referral_events p
     ON p.referral_id = e.referral_id AND p.seq = e.seq - 1
   WHERE e.from_state IS DISTINCT FROM p.to_state OR e.at < p.at) AS events_not_chained,
  -- the referral's counters against its bookings
  (SELECT count(*) FROM referrals r LEFT JOIN bk ON bk.referral_id = r.id
   WHERE r.active_bookings <> coalesce(bk.holding, 0)
      OR r.minutes_credited <> coalesce(bk.minutes, 0)
      OR r.breaches <> coalesce(bk.breaches, 0)
      OR r.first_attended_at IS DISTINCT FROM bk.first_attended) AS counters_vs_bookings,
  (SELECT count(*) FROM referrals r
   WHERE (r.state = 'completed' OR r.completed_at IS NOT NULL)
         AND (r.completed_at IS NULL OR r.exited_at IS DISTINCT FROM r.completed_at
              OR r.minutes_credited < 60 * coalesce(r.hours_confirmed, r.hours_proposed)))
    AS completed_inconsistent,
  (SELECT count(*) FROM referrals r
   WHERE (r.exited_at IS NOT NULL) <> (r.state IN ('completed', 'non_compliant', 'closed')
                                       AND EXISTS (SELECT FROM referral_events e
                                                   WHERE e.referral_id = r.id
                                                     AND e.event IN ('complete', 'declare_non_compliance'))))
    AS exited_inconsistent,
  -- places: a session's booked count is the bookings holding a place on it
  (SELECT count(*) FROM sessions s
   LEFT JOIN (SELECT session_id, count(*) AS n FROM bookings
              WHERE status NOT IN ('cancelled', 'rescheduled') GROUP BY session_id) b
     ON b.session_id = s.id
   WHERE s.booked <> coalesce(b.n, 0) OR s.booked > s.capacity) AS sessions_booked,
  (SELECT count(*) FROM bookings b JOIN sessions s ON s.id = b.session_id
   WHERE b.starts_at <> s.starts_at OR b.ends_at <> s.ends_at OR b.area <> s.area)
    AS bookings_vs_sessions,
  -- the exclusion constraint holds by construction; this counts what it would refuse
  (SELECT count(*) FROM bookings a JOIN bookings b
     ON a.person_id = b.person_id AND a.id < b.id
    AND tstzrange(a.starts_at, a.ends_at) && tstzrange(b.starts_at, b.ends_at)
   WHERE a.status NOT IN ('cancelled', 'rescheduled')
     AND b.status NOT IN ('cancelled', 'rescheduled')) AS overlapping_bookings,
  (SELECT count(*) FROM bookings b JOIN referrals r ON r.id = b.referral_id
   WHERE b.person_id <> r.person_id OR b.area <> r.area) AS bookings_vs_referral,
  (SELECT count(*) FROM bookings b
   WHERE (b.status NOT IN ('booked') AND b.version = 2
          AND NOT EXISTS (SELECT FROM booking_outcomes o WHERE o.booking_id = b.id)
          AND b.status <> 'cancelled')
      OR (b.status = 'booked' AND (b.version <> 1 OR EXISTS (SELECT FROM booking_outcomes o
                                                             WHERE o.booking_id = b.id))))
    AS booking_history,
  -- follow-up checks: three for each exit, closed exactly when the 12-month one is recorded
  (SELECT count(*) FROM referrals r LEFT JOIN fu ON fu.referral_id = r.id
   WHERE (r.exited_at IS NOT NULL) <> (coalesce(fu.n, 0) = 3)) AS followups_vs_exits,
  (SELECT count(*) FROM referrals r LEFT JOIN fu ON fu.referral_id = r.id
   WHERE (r.state = 'closed') <> coalesce(fu.last_recorded, false)) AS closed_vs_last_check,
  (SELECT count(*) FROM followup_checks f
   WHERE f.recorded_at IS NOT NULL AND f.recorded_at::date < f.due_on) AS recorded_before_due,
  (SELECT count(*) FROM referrals r WHERE r.age_at_offence IS NULL) AS age_missing,
  -- what the statistics read of a referral's bookings (migration 010) against the bookings
  (SELECT count(*) FROM referrals r JOIN referral_booking_rollup x ON x.id = r.id
   WHERE (r.booking_statuses, r.booked_types, r.type_minutes)
         IS DISTINCT FROM (x.booking_statuses, x.booked_types, x.type_minutes))
    AS booking_summaries_vs_bookings,
  -- the statistics' kept aggregates (migration 024) against the referrals and checks: per area and
  -- month, and per area and day of exit
  (SELECT count(*) FROM stats_kept_vs_raw) AS kept_statistics_vs_raw,
  (SELECT count(*) FROM stats_kept_days_vs_raw) AS kept_daily_statistics_vs_raw,
  (SELECT count(*) FROM stats_kept_exit_months_vs_raw) AS kept_exit_month_statistics_vs_raw,
  (SELECT count(*) FROM stats_kept_bands_vs_hours) AS kept_bands_vs_hours;
