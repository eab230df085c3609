-- The audit log is append-only: no statement of the application updates or deletes a record,
-- and the database refuses one from anyone else who does not first drop these triggers. A
-- chain's head only moves forward, and keeps the hash of its last record (backfilled here), so
-- that a removed tail is seen even when the head's position is set back.
UPDATE audit_heads SET hash = (
    SELECT l.hash FROM audit_log l WHERE l.chain_id = audit_heads.chain_id AND l.seq = audit_heads.seq
) WHERE EXISTS (
    SELECT 1 FROM audit_log l WHERE l.chain_id = audit_heads.chain_id AND l.seq = audit_heads.seq
);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_heads_forward BEFORE UPDATE ON audit_heads
WHEN NEW.seq < OLD.seq OR NEW.chain_id <> OLD.chain_id
BEGIN
    SELECT RAISE(ABORT, 'an audit chain''s head only moves forward');
END;

CREATE TRIGGER audit_heads_no_delete BEFORE DELETE ON audit_heads
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
