-- A chain's head keeps the hash of its last record: set by the database when the record is
-- inserted, so that an append holds the write for two statements (take the head, insert the
-- record) and not three.
CREATE FUNCTION audit_keep_head() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE audit_heads SET hash = NEW.hash WHERE chain_id = NEW.chain_id AND seq = NEW.seq;
    RETURN NULL;
END
$$;

CREATE TRIGGER audit_log_keeps_head AFTER INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_keep_head();
