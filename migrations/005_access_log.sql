-- Personal-data access log (Data Protection Act 2018 Part 3, s.62): who consulted, altered or
-- disclosed which person's record, when, through which endpoint. Append-only.

CREATE TABLE personal_data_access (
  id          bigserial PRIMARY KEY,
  area        text NOT NULL REFERENCES areas (code),
  at          timestamptz NOT NULL,
  actor_sub   text NOT NULL,
  actor_role  text NOT NULL,
  action      text NOT NULL CHECK (action IN ('consult', 'alter', 'disclose')),
  referral_id uuid,
  person_id   uuid,
  route       text NOT NULL,
  method      text NOT NULL,
  request_id  text NOT NULL
);
CREATE INDEX personal_data_access_area_at ON personal_data_access (area, at DESC, id DESC);
CREATE INDEX personal_data_access_person ON personal_data_access (person_id, at);

CREATE TRIGGER personal_data_access_append_only BEFORE UPDATE OR DELETE ON personal_data_access
  FOR EACH ROW EXECUTE FUNCTION ij_refuse_change();
CREATE TRIGGER personal_data_access_no_truncate BEFORE TRUNCATE ON personal_data_access
  FOR EACH STATEMENT EXECUTE FUNCTION ij_refuse_change();

-- One request's records in one statement: the referrals it returned or changed (ids, with the
-- action of each), their people looked up in the caller's area. The commit does not wait for
-- the WAL flush (synchronous_commit off for this transaction only): the read path stays cheap,
-- and a crash of the database can lose the records of the last fraction of a second.
CREATE FUNCTION ij_log_access(p_area text, p_at timestamptz, p_sub text, p_role text,
                              p_ids uuid[], p_actions text[], p_route text, p_method text,
                              p_request_id text) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  n integer;
BEGIN
  PERFORM set_config('synchronous_commit', 'off', true);
  INSERT INTO personal_data_access (area, at, actor_sub, actor_role, action, referral_id,
                                    person_id, route, method, request_id)
  SELECT p_area, p_at, p_sub, p_role, v.action, v.id, r.person_id, p_route, p_method, p_request_id
  FROM unnest(p_ids, p_actions) AS v(id, action)
  JOIN referrals r ON r.id = v.id AND r.area = p_area;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END;
$$;
