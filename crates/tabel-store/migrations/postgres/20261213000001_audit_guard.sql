-- The audit log is append-only: no statement of the application updates or deletes a record,
-- and the database refuses one from anyone else who does not first drop these triggers. A
-- chain's head only moves forward, and keeps the hash of its last record (backfilled here), so
-- that a removed tail is seen even when the head's position is set back.
UPDATE audit_heads SET hash = l.hash
FROM audit_log l
WHERE l.chain_id = audit_heads.chain_id AND l.seq = audit_heads.seq;

CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END
$$;

CREATE FUNCTION audit_head_forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.seq < OLD.seq OR NEW.chain_id <> OLD.chain_id THEN
        RAISE EXCEPTION 'an audit chain''s head only moves forward';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_heads_forward BEFORE UPDATE ON audit_heads
    FOR EACH ROW EXECUTE FUNCTION audit_head_forward();
CREATE TRIGGER audit_heads_no_delete BEFORE DELETE ON audit_heads
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_heads_no_truncate BEFORE TRUNCATE ON audit_heads
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
