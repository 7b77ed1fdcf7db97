-- A referral's next session, read with every GET of a referral (the LATERAL in the store's
-- REFERRAL_COLUMNS: the referral's first booked booking that has not ended), found from the
-- referral's own booked bookings. With only bookings_referral (every booking of the referral) and
-- bookings_outcome_due (the area's booked bookings by end), the planner took the second, since the
-- row-level policy gives it the area: every GET walked the area's upcoming booked bookings and
-- kept the referral's (235 rows for one GET on the benchmark's data set, and more as an area books
-- ahead). pgbench on the GET's statement, 2 clients: about 6,000 transactions a second before
-- this index, 15,200 to 15,500 after. This index names the referral and holds only booked
-- bookings, in start order, so the next session is its first entry still to end.
CREATE INDEX bookings_referral_booked ON bookings (referral_id, starts_at) WHERE status = 'booked';
