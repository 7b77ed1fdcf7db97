-- The access log's own retention. UK GDPR Article 5(1)(e) (storage limitation) applies to the log
-- as to the records it is about: its rows (who consulted which person's record, when) are personal
-- data of the person and of the staff, kept to answer complaints, subject access requests and
-- audits (Data Protection Act 2018 s.62: verifying lawfulness, self-monitoring, integrity and
-- security, criminal proceedings), and no longer. Rows older than the period the service is
-- configured with (IJ_ACCESS_LOG_RETENTION_MONTHS) are deleted by ij_access_log_erase, on the same
-- schedule as the rest of retention.
--
-- The log stays append-only for everyone else: the trigger lets a DELETE through only inside
-- erasure (ij.erasing on, which the function sets for its call) with the owner's rights (the
-- function is SECURITY DEFINER, as ij_retention_erase is since migration 033); UPDATE and TRUNCATE
-- are refused always. And so that the service's role cannot use the function to empty the log, it
-- refuses a cut-off less than six months back (a day's leeway for the clocks), whatever the
-- configuration says.

CREATE FUNCTION ij_refuse_change_but_expiry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('ij.erasing', true) = 'on'
     AND current_user = (SELECT pg_get_userbyid(c.relowner) FROM pg_class c WHERE c.oid = TG_RELID)
  THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END;
$$;
DROP TRIGGER personal_data_access_append_only ON personal_data_access;
CREATE TRIGGER personal_data_access_append_only BEFORE UPDATE OR DELETE ON personal_data_access
  FOR EACH ROW EXECUTE FUNCTION ij_refuse_change_but_expiry();

-- Deletes up to p_limit rows of p_area's access log recorded before p_before, oldest first,
-- skipping rows another transaction holds; returns how many.
CREATE FUNCTION ij_access_log_erase(p_area text, p_before timestamptz, p_limit integer)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET ij.erasing = 'on' AS $$
DECLARE
  n integer;
BEGIN
  IF p_area IS DISTINCT FROM current_setting('ij.area', true)
     AND NOT pg_has_role(session_user, (SELECT relowner FROM pg_class
                                        WHERE oid = 'personal_data_access'::regclass), 'USAGE')
  THEN
    RAISE EXCEPTION 'retention erases only the area of its transaction (ij.area)'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF p_before > now() - interval '6 months' + interval '1 day' THEN
    RAISE EXCEPTION 'the access log is kept at least six months'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  DELETE FROM personal_data_access WHERE id IN (
    SELECT id FROM personal_data_access
    WHERE area = p_area AND at < p_before
    ORDER BY at, id LIMIT p_limit FOR UPDATE SKIP LOCKED);
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END;
$$;
REVOKE ALL ON FUNCTION ij_access_log_erase(text, timestamptz, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ij_access_log_erase(text, timestamptz, integer) TO ij_service;
