-- Right of access (UK GDPR Article 15; Data Protection Act 2018 s.45 for law-enforcement
-- processing): everything the service holds about one person, as one document, for the area's
-- admin to hand to the data-protection officer.
--
-- The document is made from the rows themselves (to_jsonb of each row), so that a column added to
-- one of these tables later is disclosed without a change here. Left out: people.name_key (a
-- normalised copy of the name, for search), the other person of a non-association (a third
-- party's identity), sessions and placements beyond the booking's placement name (they are about
-- the work, not the person), and idempotency records (copies of API answers already disclosed
-- from their own rows). Runs as the caller (for the service: within its area's row-level
-- security) and filters by the area it is given as well; times are written in UTC whatever the
-- session's time zone. NULL when the area has no such person.
-- A row as JSON without some of its members, the others in the table's column order (jsonb would
-- sort them, and the CSV a data-protection officer reads keeps this order).
CREATE FUNCTION ij_json_without(p_row json, VARIADIC p_keys text[]) RETURNS json
LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(json_object_agg(e.key, e.value ORDER BY e.n), '{}'::json)
  FROM json_each(p_row) WITH ORDINALITY AS e(key, value, n)
  WHERE e.key <> ALL (p_keys)
$$;

CREATE FUNCTION ij_subject_access(p_area text, p_person uuid) RETURNS json
LANGUAGE sql STABLE SET TimeZone = 'UTC' AS $$
  WITH person AS (
    SELECT * FROM people WHERE id = p_person AND area = p_area
  ), refs AS (
    SELECT r.* FROM referrals r JOIN person p ON p.id = r.person_id WHERE r.area = p_area
  ), bks AS (
    SELECT b.*, pl.name AS placement_name
    FROM bookings b
    JOIN refs r ON r.id = b.referral_id
    JOIN sessions s ON s.id = b.session_id
    JOIN placements pl ON pl.id = s.placement_id
    WHERE b.area = p_area
  )
  SELECT json_build_object(
    'person', (SELECT ij_json_without(to_json(p), 'name_key') FROM person p),
    'referrals', (SELECT coalesce(json_agg(to_json(r) ORDER BY r.created_at, r.id), '[]')
                  FROM refs r),
    'referral_events', (SELECT coalesce(json_agg(to_json(e) ORDER BY r.created_at, r.id, e.seq),
                                        '[]')
                        FROM referral_events e JOIN refs r ON r.id = e.referral_id
                        WHERE e.area = p_area),
    'bookings', (SELECT coalesce(json_agg(to_json(b) ORDER BY b.starts_at, b.id), '[]')
                 FROM bks b),
    'booking_outcomes', (SELECT coalesce(json_agg(to_json(o) ORDER BY b.starts_at, b.id, o.seq),
                                         '[]')
                         FROM booking_outcomes o JOIN bks b ON b.id = o.booking_id
                         WHERE o.area = p_area),
    'followup_checks', (SELECT coalesce(json_agg(to_json(f) ORDER BY f.due_on, f.id), '[]')
                        FROM followup_checks f JOIN refs r ON r.id = f.referral_id
                        WHERE f.area = p_area),
    'notices', (SELECT coalesce(json_agg(to_json(n) ORDER BY n.seq), '[]')
                FROM notices n JOIN refs r ON r.id = n.referral_id WHERE n.area = p_area),
    'messages', (SELECT coalesce(json_agg(to_json(m) ORDER BY m.seq), '[]')
                 FROM messages m JOIN refs r ON r.id = m.referral_id WHERE m.area = p_area),
    'non_associations', (SELECT coalesce(json_agg(ij_json_without(to_json(na), 'person_a',
                                                                  'person_b')
                                                  ORDER BY na.created_at, na.id), '[]')
                         FROM non_associations na
                         WHERE na.area = p_area AND p_person IN (na.person_a, na.person_b)),
    'access_log', (SELECT coalesce(json_agg(to_json(a) ORDER BY a.at, a.id), '[]')
                   FROM personal_data_access a WHERE a.area = p_area AND a.person_id = p_person))
  WHERE EXISTS (SELECT FROM person)
$$;

-- A subject access request is itself recorded, as a disclosure of its own kind: the access log's
-- rows of it say subject_access, so that it is told apart from a victim update's disclosure.
ALTER TABLE personal_data_access DROP CONSTRAINT personal_data_access_action_check;
ALTER TABLE personal_data_access ADD CONSTRAINT personal_data_access_action_check
  CHECK (action IN ('consult', 'alter', 'disclose', 'subject_access'));
