-- Retention and the free text added since migration 007. A booking entered late (migration 019)
-- says why in late_entry_reason, text a coordinator wrote about the person's attendance: erasing
-- the referral (referrals.erased_at set, by whichever version of ij_retention_erase runs) replaces
-- it with 'erased', the placeholder erasure writes elsewhere (people.name). It is not set to NULL:
-- a booking without a reason and not a walk-in is an ordinary one, and a late entry stays one.
CREATE FUNCTION ij_erase_late_entry_reasons() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE bookings SET late_entry_reason = 'erased'
  WHERE referral_id = NEW.id AND late_entry_reason IS NOT NULL
    AND late_entry_reason <> 'erased';
  RETURN NULL;
END;
$$;
CREATE TRIGGER referrals_erase_late_entry_reasons AFTER UPDATE OF erased_at ON referrals
  FOR EACH ROW WHEN (NEW.erased_at IS NOT NULL AND OLD.erased_at IS NULL)
  EXECUTE FUNCTION ij_erase_late_entry_reasons();

-- Ending a non-association may now say why (1 to 500 characters, as the service checks): text
-- about the two people, which goes with the notes once retention erases either of them.
ALTER TABLE non_associations
  ADD CONSTRAINT non_associations_end_reason CHECK (length(end_reason) BETWEEN 1 AND 500);
CREATE OR REPLACE FUNCTION ij_erase_non_association_notes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE non_associations SET notes = NULL, end_reason = NULL
  WHERE (person_a = NEW.id OR person_b = NEW.id)
    AND (notes IS NOT NULL OR end_reason IS NOT NULL);
  RETURN NULL;
END;
$$;
