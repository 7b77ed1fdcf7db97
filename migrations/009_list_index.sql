-- Lists at any depth: one covering index serves every filter of GET /v1/referrals (state, ward,
-- officer, overdue) with an index-only scan from the keyset cursor down; the rows of the page are
-- read afterwards. It supersedes the four list indexes of migration 001, which the planner would
-- otherwise prefer for a filtered page and then read the table row by row (tens of milliseconds
-- deep in a large area); a referral write also maintains three indexes fewer.
CREATE INDEX referrals_area_list ON referrals (area, created_at DESC, id DESC)
  INCLUDE (state, ward, officer_sub, first_attended_at, target_start_by);
DROP INDEX referrals_area_created;
DROP INDEX referrals_area_state_created;
DROP INDEX referrals_area_ward_created;
DROP INDEX referrals_area_officer_created;
