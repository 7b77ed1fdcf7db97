-- Walk-ins and paper registers. A session entered after it was over says why; a booking says
-- whether it was a walk-in (added once its session had started) or a late entry (added after its
-- session was over, with the reason); the referral events such an entry causes carry the same
-- marks in their data.
ALTER TABLE sessions
  ADD COLUMN late_entry_reason text CHECK (length(late_entry_reason) BETWEEN 1 AND 500);
ALTER TABLE bookings
  ADD COLUMN walk_in boolean NOT NULL DEFAULT false,
  ADD COLUMN late_entry_reason text CHECK (length(late_entry_reason) BETWEEN 1 AND 500),
  ADD CONSTRAINT bookings_entry_kind CHECK (NOT (walk_in AND late_entry_reason IS NOT NULL));
