-- Work waiting for the write scenarios, added after the national load (as the owner), in areas of
-- their own (:prefix01 ...: wait01 ...), so that the history's areas keep their realistic size for
-- the reads, lists and statistics; the rows go into the same tables and indexes. Per area:
--   :per_area referrals just made (submitted), for the transition scenario to accept:
--     ids 00000001-AAAA-4000-8000-JJJJJJJJJJJJ (A the area's number, J = 1..per_area, hex);
--   :per_area referrals scheduled on a session that ended yesterday (7 hours, as confirmed), for
--     the outcome scenario: recording attended_complied on the booking completes the referral:
--     referrals 00000003-..., bookings 00000004-..., people 00000002-... and 00000005-....
-- J runs from :first to :first + :per_area - 1, so that a later run adds work after an earlier
-- one's (whose events are append-only). The history of each (events, counters) is what the
-- service would have written. Run with
--   psql -v prefix=wait -v areas=43 -v per_area=3000 -v first=1 -f work.sql
-- (:per_area and :first - 1 multiples of 50: bookings fill sessions of 50).
\set ON_ERROR_STOP on
BEGIN;
INSERT INTO areas (code, name)
SELECT :'prefix' || lpad(a::text, 2, '0'), 'Waiting work ' || a FROM generate_series(1, :areas) a
ON CONFLICT DO NOTHING;
INSERT INTO wards (area, code, name)
SELECT :'prefix' || lpad(a::text, 2, '0'), 'ward-01', 'Ward 1' FROM generate_series(1, :areas) a
ON CONFLICT DO NOTHING;
CREATE TEMPORARY TABLE w ON COMMIT DROP AS
SELECT a, j, :'prefix' || lpad(a::text, 2, '0') AS area,
       lpad(to_hex(a), 4, '0') || '-4000-8000-' || lpad(to_hex(j), 12, '0') AS tail,
       now() - make_interval(secs => (j * 7919) % 172800) AS at
FROM generate_series(1, :areas) a, generate_series(:first, :first + :per_area - 1) j;
CREATE TEMPORARY TABLE w_ward ON COMMIT DROP AS
SELECT area, min(code) AS ward FROM wards WHERE area LIKE :'prefix' || '%' GROUP BY area;

-- submitted
INSERT INTO people (id, area, name, name_key, date_of_birth, police_id, created_at, updated_at)
SELECT ('00000002-' || tail)::uuid, area, 'Waiting Person ' || j, 'waiting person ' || j,
       date '1995-01-01' + (j % 5000), 'W' || a || '/' || j, at, at FROM w;
INSERT INTO referrals (id, area, person_id, state, version, officer_sub, officer_name, offence_date,
                       offence_category, ward, disposal, consent_recorded, hours_proposed,
                       target_start_by, created_at, updated_at)
SELECT ('00000001-' || tail)::uuid, w.area, ('00000002-' || tail)::uuid, 'submitted', 1,
       'bench-officer', 'Bench Officer', (at - interval '1 day')::date, 'asb', w_ward.ward,
       'community_resolution', true, 7, at + interval '48 hours', at, at
FROM w JOIN w_ward USING (area);
INSERT INTO referral_events (referral_id, seq, area, at, event, from_state, to_state, actor_sub,
                             actor_name, actor_role, request_id)
SELECT ('00000001-' || tail)::uuid, 1, area, at, 'create', NULL, 'submitted', 'bench-officer',
       'Bench Officer', 'officer', 'bench-work' FROM w;

-- scheduled, booked on a session that ended yesterday: one placement per area, sessions of 50
INSERT INTO placements (id, area, name, type, provider, ward, supervisor_sub, supervisor_name,
                        created_at, updated_at)
SELECT ('00000006-' || lpad(to_hex(a), 4, '0') || '-4000-8000-000000000000')::uuid, area,
       'Bench completions', 'gardening', 'Bench provider', ward, 'bench-supervisor',
       'Bench Supervisor', now() - interval '30 days', now() - interval '30 days'
FROM (SELECT DISTINCT a, area FROM w) x JOIN w_ward USING (area)
ON CONFLICT (id) DO NOTHING;
INSERT INTO sessions (id, area, placement_id, starts_at, ends_at, capacity, booked,
                      supervisor_sub, supervisor_name, created_at, updated_at)
SELECT ('00000007-' || lpad(to_hex(a), 4, '0') || '-4000-8000-' || lpad(to_hex(s), 12, '0'))::uuid,
       area, ('00000006-' || lpad(to_hex(a), 4, '0') || '-4000-8000-000000000000')::uuid,
       date_trunc('day', now()) - interval '1 day' + interval '9 hours',
       date_trunc('day', now()) - interval '1 day' + interval '16 hours', 50,
       50, 'bench-supervisor', 'Bench Supervisor', now() - interval '10 days',
       now() - interval '10 days'
FROM (SELECT DISTINCT a, area FROM w) x,
     generate_series((:first - 1) / 50 + 1, (:first + :per_area - 2) / 50 + 1) s
WHERE :per_area > 0;
INSERT INTO people (id, area, name, name_key, date_of_birth, police_id, created_at, updated_at)
SELECT ('00000005-' || tail)::uuid, area, 'Booked Person ' || j, 'booked person ' || j,
       date '1990-01-01' + (j % 5000), 'B' || a || '/' || j, at - interval '10 days',
       at - interval '10 days' FROM w;
INSERT INTO referrals (id, area, person_id, state, version, officer_sub, officer_name, offence_date,
                       offence_category, ward, disposal, consent_recorded, hours_proposed,
                       hours_confirmed, active_bookings, target_start_by, created_at, updated_at)
SELECT ('00000003-' || tail)::uuid, w.area, ('00000005-' || tail)::uuid, 'scheduled', 3,
       'bench-officer', 'Bench Officer', (at - interval '11 days')::date, 'asb', w_ward.ward,
       'community_resolution', true, 7, 7, 1, at - interval '8 days', at - interval '10 days',
       at - interval '9 days'
FROM w JOIN w_ward USING (area);
INSERT INTO referral_events (referral_id, seq, area, at, event, from_state, to_state, actor_sub,
                             actor_name, actor_role, request_id)
SELECT ('00000003-' || tail)::uuid, e.seq, area, at - interval '10 days' + e.seq * interval '1 hour',
       e.event, e.from_state, e.to_state, e.actor, e.actor, e.role, 'bench-work'
FROM w, (VALUES (1, 'create', NULL, 'submitted', 'bench-officer', 'officer'),
                (2, 'accept', 'submitted', 'accepted', 'bench-coordinator', 'coordinator'),
                (3, 'book', 'accepted', 'scheduled', 'bench-coordinator', 'coordinator'))
       AS e(seq, event, from_state, to_state, actor, role);
-- the referrals' booking summaries (migration 010) once for all, not by the trigger row by row
ALTER TABLE bookings DISABLE TRIGGER bookings_rollup;
INSERT INTO bookings (id, area, referral_id, session_id, person_id, starts_at, ends_at, status,
                      created_at, updated_at)
SELECT ('00000004-' || tail)::uuid, area, ('00000003-' || tail)::uuid,
       ('00000007-' || lpad(to_hex(a), 4, '0') || '-4000-8000-' || lpad(to_hex((j - 1) / 50 + 1), 12, '0'))::uuid,
       ('00000005-' || tail)::uuid,
       date_trunc('day', now()) - interval '1 day' + interval '9 hours',
       date_trunc('day', now()) - interval '1 day' + interval '16 hours', 'booked',
       at - interval '9 days', at - interval '9 days'
FROM w;
ALTER TABLE bookings ENABLE TRIGGER bookings_rollup;
SELECT ij_referral_rollup(ARRAY(SELECT ('00000003-' || tail)::uuid FROM w));
COMMIT;
ANALYZE people;
ANALYZE referrals;
ANALYZE referral_events;
ANALYZE bookings;
ANALYZE sessions;
