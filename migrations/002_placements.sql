-- Placements, sessions, bookings and attendance; enforcement counters; the outcome-notice outbox.

CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE placement_types (
  code   text PRIMARY KEY CHECK (code ~ '^[a-z0-9_]{1,64}$'),
  label  text NOT NULL,
  active boolean NOT NULL DEFAULT true
);
INSERT INTO placement_types (code, label) VALUES
  ('gardening', 'Gardening'),
  ('litter_picking', 'Litter picking'),
  ('charity_work', 'Charity work'),
  ('graffiti_removal', 'Graffiti removal'),
  ('community_clean_up', 'Community clean-up'),
  ('other', 'Other');

CREATE TABLE placements (
  id              uuid PRIMARY KEY,
  area            text NOT NULL REFERENCES areas (code),
  name            text NOT NULL,
  type            text NOT NULL REFERENCES placement_types (code),
  provider        text NOT NULL,
  ward            text NOT NULL,
  location        text,
  min_age         integer NOT NULL DEFAULT 10 CHECK (min_age BETWEEN 10 AND 99),
  supervisor_sub  text NOT NULL,
  supervisor_name text NOT NULL,
  active          boolean NOT NULL DEFAULT true,
  version         integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL,
  CONSTRAINT placements_ward_fkey FOREIGN KEY (area, ward) REFERENCES wards (area, code)
);
CREATE INDEX placements_area_created ON placements (area, created_at DESC, id DESC);

CREATE TABLE sessions (
  id              uuid PRIMARY KEY,
  area            text NOT NULL REFERENCES areas (code),
  placement_id    uuid NOT NULL REFERENCES placements (id),
  starts_at       timestamptz NOT NULL,
  ends_at         timestamptz NOT NULL,
  capacity        integer NOT NULL CHECK (capacity BETWEEN 1 AND 200),
  -- active bookings, kept in step with bookings in the same transaction; never above capacity
  booked          integer NOT NULL DEFAULT 0,
  supervisor_sub  text NOT NULL,
  supervisor_name text NOT NULL,
  cancelled       boolean NOT NULL DEFAULT false,
  version         integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL,
  CONSTRAINT sessions_times CHECK (ends_at > starts_at AND ends_at <= starts_at + interval '24 hours'),
  CONSTRAINT sessions_capacity CHECK (booked BETWEEN 0 AND capacity)
);
CREATE INDEX sessions_area_starts ON sessions (area, starts_at, id);
CREATE INDEX sessions_placement_starts ON sessions (placement_id, starts_at);
CREATE INDEX sessions_supervisor_starts ON sessions (area, supervisor_sub, starts_at);

CREATE TABLE bookings (
  id               uuid PRIMARY KEY,
  area             text NOT NULL REFERENCES areas (code),
  referral_id      uuid NOT NULL REFERENCES referrals (id),
  session_id       uuid NOT NULL REFERENCES sessions (id),
  person_id        uuid NOT NULL REFERENCES people (id),
  -- copied from the session so that overlaps can be refused by a constraint
  starts_at        timestamptz NOT NULL,
  ends_at          timestamptz NOT NULL,
  -- booked until an outcome is recorded; cancelled and rescheduled free the place
  status           text NOT NULL DEFAULT 'booked' CHECK (status IN ('booked', 'attended_complied',
                     'attended_failed_to_comply', 'sent_home_behaviour', 'sent_home_service_issue',
                     'absent_acceptable', 'absent_unacceptable', 'rescheduled', 'cancelled')),
  absence_reason   text CHECK (absence_reason IN ('medical', 'family_childcare', 'employment',
                     'court_legal', 'stood_down')),
  penalty_minutes  integer NOT NULL DEFAULT 0 CHECK (penalty_minutes >= 0),
  minutes_credited integer NOT NULL DEFAULT 0 CHECK (minutes_credited >= 0),
  behaviour        text CHECK (behaviour IN ('excellent', 'good', 'satisfactory', 'unsatisfactory', 'poor')),
  work_quality     text CHECK (work_quality IN ('excellent', 'good', 'satisfactory', 'unsatisfactory', 'poor')),
  notes            text,
  rescheduled_to   uuid REFERENCES bookings (id),
  version          integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL,
  CONSTRAINT bookings_no_overlap EXCLUDE USING gist (
    person_id WITH =, tstzrange(starts_at, ends_at) WITH &&) WHERE (status NOT IN ('cancelled', 'rescheduled')),
  CONSTRAINT bookings_one_per_session EXCLUDE USING btree (
    referral_id WITH =, session_id WITH =) WHERE (status NOT IN ('cancelled', 'rescheduled'))
);
CREATE INDEX bookings_referral ON bookings (referral_id, starts_at);
CREATE INDEX bookings_session ON bookings (session_id);
CREATE INDEX bookings_outcome_due ON bookings (area, ends_at) WHERE status = 'booked';

-- Every outcome recorded on a booking, the original and each amendment: append-only.
CREATE TABLE booking_outcomes (
  booking_id       uuid NOT NULL REFERENCES bookings (id),
  seq              integer NOT NULL CHECK (seq >= 1),
  area             text NOT NULL REFERENCES areas (code),
  status           text NOT NULL,
  absence_reason   text,
  penalty_minutes  integer NOT NULL,
  minutes_credited integer NOT NULL,
  behaviour        text,
  work_quality     text,
  notes            text,
  amendment_reason text,
  actor_sub        text NOT NULL,
  actor_name       text NOT NULL,
  actor_role       text NOT NULL,
  request_id       text NOT NULL,
  at               timestamptz NOT NULL,
  PRIMARY KEY (booking_id, seq)
);
CREATE TRIGGER booking_outcomes_append_only BEFORE UPDATE OR DELETE ON booking_outcomes
  FOR EACH ROW EXECUTE FUNCTION ij_refuse_change();

-- Enforcement and attendance counters on the referral, kept in the same transaction as the
-- outcome that changes them.
ALTER TABLE referrals
  ADD COLUMN breaches integer NOT NULL DEFAULT 0 CHECK (breaches >= 0),
  ADD COLUMN warnings integer NOT NULL DEFAULT 0 CHECK (warnings BETWEEN 0 AND 2),
  ADD COLUMN active_bookings integer NOT NULL DEFAULT 0 CHECK (active_bookings >= 0),
  ADD COLUMN completed_at timestamptz,
  ADD COLUMN exited_at timestamptz;

ALTER TABLE reason_codes DROP CONSTRAINT reason_codes_kind_check;
ALTER TABLE reason_codes ADD CONSTRAINT reason_codes_kind_check
  CHECK (kind IN ('reject', 'withdraw', 'non_compliance', 'warning'));
INSERT INTO reason_codes (kind, code, label) VALUES
  ('warning', 'unacceptable_absence', 'Absent without acceptable reason'),
  ('warning', 'failure_to_comply', 'Failed to comply during a session'),
  ('warning', 'behaviour', 'Sent home for behaviour');

-- Where an area's outcome notices are delivered (NULL: the feed only).
ALTER TABLE areas ADD COLUMN webhook_url text CHECK (webhook_url ~ '^https?://');

-- The outbox: written in the same transaction as the change it reports, delivered at least once.
CREATE TABLE notices (
  seq             bigserial UNIQUE,
  id              uuid PRIMARY KEY,
  area            text NOT NULL REFERENCES areas (code),
  referral_id     uuid NOT NULL REFERENCES referrals (id),
  kind            text NOT NULL CHECK (kind IN ('outcome', 'victim_update')),
  event           text NOT NULL,
  payload         jsonb NOT NULL,
  created_at      timestamptz NOT NULL,
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  delivered_at    timestamptz,
  last_error      text
);
CREATE INDEX notices_area_seq ON notices (area, seq);
CREATE INDEX notices_pending ON notices (next_attempt_at) WHERE delivered_at IS NULL;
