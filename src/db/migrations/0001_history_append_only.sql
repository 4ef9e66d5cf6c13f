-- The history is append-only: the database itself refuses to change or remove a row, whoever asks.
-- The one exception is a GDPR erasure, which blanks an erased person's values: the use-case sets
-- kamerton.erasing to 'on' for its transaction (SET LOCAL), and even then only old_value and
-- new_value may change, and only to null.
CREATE FUNCTION history_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE'
     AND coalesce(current_setting('kamerton.erasing', true), '') = 'on'
     AND NEW.id = OLD.id AND NEW.at = OLD.at AND NEW.user_id IS NOT DISTINCT FROM OLD.user_id
     AND NEW.entity = OLD.entity AND NEW.entity_id = OLD.entity_id
     AND NEW.account_id IS NOT DISTINCT FROM OLD.account_id
     AND NEW.action = OLD.action AND NEW.field IS NOT DISTINCT FROM OLD.field
     AND (NEW.old_value IS NULL OR NEW.old_value IS NOT DISTINCT FROM OLD.old_value)
     AND (NEW.new_value IS NULL OR NEW.new_value IS NOT DISTINCT FROM OLD.new_value) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'history is append-only: % of history row % refused', lower(TG_OP), OLD.id
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER history_append_only BEFORE UPDATE OR DELETE ON history
  FOR EACH ROW EXECUTE FUNCTION history_append_only();
--> statement-breakpoint
CREATE FUNCTION history_no_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'history is append-only: truncate refused' USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER history_no_truncate BEFORE TRUNCATE ON history
  FOR EACH STATEMENT EXECUTE FUNCTION history_no_truncate();
