-- The access log written in batches: the service queues each request's records and writes them
-- every few hundred milliseconds, one statement per area, instead of one write transaction per
-- read. The records are whole rows (arrays of equal length, one element per referral touched);
-- each referral's person is looked up in the area, and ids of no referral in the area are left
-- out. As ij_log_access, the commit does not wait for the WAL flush.
CREATE FUNCTION ij_log_access_rows(p_area text, p_at timestamptz[], p_sub text[], p_role text[],
                                   p_action text[], p_ids uuid[], p_route text[],
                                   p_method text[], p_request_id text[]) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  n integer;
BEGIN
  PERFORM set_config('synchronous_commit', 'off', true);
  INSERT INTO personal_data_access (area, at, actor_sub, actor_role, action, referral_id,
                                    person_id, route, method, request_id)
  SELECT p_area, v.at, v.sub, v.role, v.action, v.id, r.person_id, v.route, v.method, v.request_id
  FROM unnest(p_at, p_sub, p_role, p_action, p_ids, p_route, p_method, p_request_id)
    AS v(at, sub, role, action, id, route, method, request_id)
  JOIN referrals r ON r.id = v.id AND r.area = p_area
  ORDER BY v.at;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END;
$$;
