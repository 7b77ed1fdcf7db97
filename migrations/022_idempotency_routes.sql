-- Idempotency-Key on every write a client may retry, not only POST /v1/referrals.
--
-- A key of those routes is claimed before the operation runs (a pending row: no status, no
-- response yet) and its answer is kept once the operation has answered, with the headers a
-- replay must repeat (ETag, Location, Content-Type). POST /v1/referrals still writes its row
-- answered, in the referral's own transaction.
--
-- claimed_at: when the request holding a pending claim claimed it; a claim left pending for a
-- minute belongs to a request that died, and a repeat may take it over (claimed_at moves on).
-- route: the route the key was first used on ("POST /v1/bookings/{id}/sign-in"), for whoever
-- reads the table; the request hash already tells one route from another.
--
-- Retention (ij_retention_area, migrations 007 and 011) deletes an area's keys by created_at,
-- which every row has, pending or answered, with or without a referral.
ALTER TABLE idempotency_keys
  ALTER COLUMN status DROP NOT NULL,
  ALTER COLUMN response DROP NOT NULL,
  ADD COLUMN route text,
  ADD COLUMN etag text,
  ADD COLUMN location text,
  ADD COLUMN content_type text,
  ADD COLUMN claimed_at timestamptz,
  ADD CONSTRAINT idempotency_keys_answered CHECK ((status IS NULL) = (response IS NULL)),
  ADD CONSTRAINT idempotency_keys_pending_claimed CHECK (status IS NOT NULL OR claimed_at IS NOT NULL);
