-- Kept statistics deferred for a bulk load, then rebuilt set-based (issue 17: the demo data "in
-- seconds"). The demo seed makes about 800 referrals through the service's own operations, about
-- 10,000 referral writes, and each write's statement trigger added its contribution to the kept
-- figures: about 0.5 ms a write, 9 s of the seed's 16. A bulk load computes kept figures set-based
-- instead (as the benchmark's loader and the migrations do): the seed's connection defers the
-- triggers' work, and at its end ij_stats_rebuild() (migration 027) computes every kept figure
-- again from the rows, in a tenth of a second for the demo.
--
-- The switch is the session's `ij.stats_deferred` = 'on', honoured only for a session whose login
-- role is a member of the tables' owner: a custom setting is one any role may set, and the
-- service's role, which row-level security binds, must never be able to leave figures unkept. A
-- session of the owner that defers must rebuild before the figures are read again (the seed does,
-- in the same run).
CREATE FUNCTION ij_stats_deferred() RETURNS boolean LANGUAGE sql STABLE
  SET search_path = public, pg_temp AS $$
  SELECT coalesce(current_setting('ij.stats_deferred', true), '') = 'on'
    AND pg_has_role(session_user, (SELECT relowner FROM pg_class WHERE oid = 'referrals'::regclass),
                    'MEMBER')
$$;

-- The referrals' triggers (migration 029's generator, with the switch first).
CREATE OR REPLACE FUNCTION ij_stats_make_triggers() RETURNS void LANGUAGE plpgsql AS $do$
DECLARE
  ev record;
  q text[];
BEGIN
  FOR ev IN SELECT * FROM (VALUES
      ('insert', 'SELECT 1 AS sign, x.* FROM new_rows n CROSS JOIN LATERAL ij_stats_contrib(n) x'),
      ('delete', 'SELECT -1 AS sign, x.* FROM old_rows o CROSS JOIN LATERAL ij_stats_contrib(o) x'),
      ('update', 'SELECT 1 AS sign, x.* FROM new_rows n CROSS JOIN LATERAL ij_stats_contrib(n) x'
        || ' UNION ALL SELECT -1, x.* FROM old_rows o CROSS JOIN LATERAL ij_stats_contrib(o) x'))
    AS t (op, src) LOOP
    q := ij_stats_delta_sql(ev.src, false);
    EXECUTE format($fn$CREATE OR REPLACE FUNCTION ij_stats_on_%s() RETURNS trigger
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $b$
      BEGIN
        IF ij_stats_deferred() THEN
          RETURN NULL;
        END IF;
        %s;
        %s;
        IF nextval('stats_fold_turn') %% 256 = 0 THEN
          PERFORM ij_stats_fold();
        END IF;
        RETURN NULL;
      END;
      $b$$fn$, ev.op, q[1], q[2]);
  END LOOP;
END;
$do$;
SELECT ij_stats_make_triggers();

-- The follow-up checks' triggers (migration 026 made them; nothing makes them again): the same
-- switch first, put into their current definitions.
DO $do$
DECLARE
  fn text;
  def text;
  patched text;
BEGIN
  FOREACH fn IN ARRAY ARRAY['ij_stats_checks_on_insert', 'ij_stats_checks_on_update',
                            'ij_stats_checks_on_delete', 'ij_stats_checks_move'] LOOP
    def := pg_get_functiondef(fn::regproc);
    patched := regexp_replace(def, '\$function\$\s*BEGIN',
      E'$function$\n      BEGIN\n        IF ij_stats_deferred() THEN\n          RETURN NULL;\n        END IF;');
    IF patched = def THEN
      RAISE EXCEPTION 'migration 039: % does not begin as expected', fn;
    END IF;
    EXECUTE patched;
  END LOOP;
END;
$do$;
