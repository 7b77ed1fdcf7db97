-- Finding people (GET /v1/people) and amending referrals (PATCH /v1/referrals/{id}).
--
-- Names are matched by trigram similarity (pg_trgm), which tolerates typing errors and word
-- order ("smith jordn" finds "Jordan Smith"), on the normalised name people already carry
-- (name_key: lower case, runs of other characters one space; ij_domain_name_key). pg_trgm ships
-- with PostgreSQL (Debian's postgresql-15 package holds it) and is a trusted extension since
-- PostgreSQL 13: the schema's owner, who runs the migrations, may create it with the CREATE
-- privilege on the database and no superuser. The service's role needs nothing more: its
-- operators and functions are usable by every role.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX people_name_trgm ON people USING gin (name_key gin_trgm_ops);
-- Postcodes are compared without spaces, in capitals, as ij_domain_postcode_key writes them.
CREATE INDEX people_area_postcode ON people (area, (upper(replace(postcode, ' ', ''))))
  WHERE postcode IS NOT NULL;
CREATE INDEX people_area_dob ON people (area, date_of_birth);
-- A person's referrals, newest first (the person's page and the search results).
CREATE INDEX referrals_person_created ON referrals (person_id, created_at DESC);
