-- A referral exits once: at most one notice of each kind for each exit event.
CREATE UNIQUE INDEX notices_once ON notices (referral_id, kind, event);
