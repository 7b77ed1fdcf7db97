-- Attendance as it happens on site: when the person was signed in on arrival, and the actual
-- times they started and finished work, given when they are signed out. The minutes credited by
-- a sign-out come from these times; an outcome recorded without them leaves them empty.
ALTER TABLE bookings
  ADD COLUMN signed_in_at timestamptz,
  ADD COLUMN started_at   timestamptz,
  ADD COLUMN finished_at  timestamptz,
  ADD CONSTRAINT bookings_worked_order CHECK (finished_at IS NULL OR started_at IS NULL
                                              OR finished_at >= started_at);
