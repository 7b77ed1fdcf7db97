-- Reference data maintained by an area's admins through the API rather than by migrations: the
-- area's wards (add, rename, retire, delete when unused), its reason codes (the national list,
-- which an area may retire for itself, and codes of its own), its rules (target start hours and
-- the hours bounds) and its directory of supervisors, whom sessions name. Every change is one
-- row of reference_changes: who, when, what, and the record before and after.

-- ---- the audit trail of reference data: append-only, per area ----
CREATE TABLE reference_changes (
  id          bigserial PRIMARY KEY,
  area        text NOT NULL REFERENCES areas (code),
  at          timestamptz NOT NULL,
  actor_sub   text NOT NULL,
  actor_name  text NOT NULL,
  actor_role  text NOT NULL,
  request_id  text NOT NULL,
  entity      text NOT NULL CHECK (entity IN ('ward', 'reason_code', 'area_rules', 'supervisor')),
  key         text NOT NULL,
  action      text NOT NULL CHECK (action IN ('add', 'change', 'retire', 'reinstate', 'delete')),
  before      jsonb,
  after       jsonb
);
CREATE INDEX reference_changes_area_at ON reference_changes (area, id DESC);
CREATE TRIGGER reference_changes_append_only BEFORE UPDATE OR DELETE ON reference_changes
  FOR EACH ROW EXECUTE FUNCTION ij_refuse_change();
CREATE TRIGGER reference_changes_no_truncate BEFORE TRUNCATE ON reference_changes
  FOR EACH STATEMENT EXECUTE FUNCTION ij_refuse_change();

-- ---- reason codes: the national list, and each area's own codes and retirements ----
-- A code the service adds for an area goes into the catalogue (what events' foreign keys name)
-- as not national: no other area sees it. The service may set only kind, code and label.
ALTER TABLE reason_codes ADD COLUMN national boolean NOT NULL DEFAULT true;
ALTER TABLE reason_codes ALTER COLUMN national SET DEFAULT false;

CREATE TABLE area_reason_codes (
  area    text NOT NULL REFERENCES areas (code),
  kind    text NOT NULL,
  code    text NOT NULL,
  label   text NOT NULL,
  active  boolean NOT NULL DEFAULT true,
  added   boolean NOT NULL, -- the area's own code (else a national code the area retired)
  PRIMARY KEY (area, kind, code),
  CONSTRAINT area_reason_codes_code_fkey FOREIGN KEY (kind, code) REFERENCES reason_codes (kind, code)
);

-- ---- the directory of supervisors, which sessions name ----
CREATE TABLE supervisors (
  area          text NOT NULL REFERENCES areas (code),
  sub           text NOT NULL CHECK (length(sub) BETWEEN 1 AND 128),
  name          text NOT NULL,
  organisation  text,
  phone         text,
  active        boolean NOT NULL DEFAULT true,
  version       integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL,
  PRIMARY KEY (area, sub)
);
-- Every supervisor a session or placement already names is in the directory, by the newest name
-- it was given, so that existing sessions keep working.
INSERT INTO supervisors (area, sub, name, created_at, updated_at)
SELECT DISTINCT ON (area, supervisor_sub) area, supervisor_sub, supervisor_name, now(), now()
FROM (SELECT area, supervisor_sub, supervisor_name, updated_at FROM sessions
      UNION ALL
      SELECT area, supervisor_sub, supervisor_name, updated_at FROM placements) s
ORDER BY area, supervisor_sub, updated_at DESC;

-- ---- who may do what in the database ----
ALTER TABLE areas ENABLE ROW LEVEL SECURITY;
CREATE POLICY refdata_areas_read ON areas FOR SELECT TO ij_service USING (true);
CREATE POLICY refdata_areas_rules ON areas FOR UPDATE TO ij_service
  USING (code = current_setting('ij.area', true))
  WITH CHECK (code = current_setting('ij.area', true));
GRANT UPDATE (target_start_hours, hours_min, hours_max, hours_default) ON areas TO ij_service;

GRANT INSERT (kind, code, label) ON reason_codes TO ij_service;
GRANT INSERT, UPDATE, DELETE ON wards TO ij_service;
GRANT SELECT, INSERT, UPDATE, DELETE ON area_reason_codes, supervisors TO ij_service;
GRANT SELECT, INSERT ON reference_changes TO ij_service;
GRANT USAGE, SELECT ON SEQUENCE reference_changes_id_seq TO ij_service;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['area_reason_codes', 'supervisors', 'reference_changes']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY area_isolation ON %I TO ij_service'
                   ' USING (area = current_setting(''ij.area'', true))'
                   ' WITH CHECK (area = current_setting(''ij.area'', true))', t);
  END LOOP;
END
$$;
