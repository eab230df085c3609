-- The audit chain under a key kept outside the database (issue 17). Keep in step with
-- ../sqlite/20261214000001_audit_key.sql: same tables, same columns, same rules.
--
-- Each record says which formula its hash follows: 1 = plain SHA-256 (records written before
-- this migration), 2 = HMAC-SHA-256 under the deployment's audit key. A keyed record's hash
-- covers digests of its personal details instead of the details: the client's address always,
-- the before/after JSON of contact records. The digests stay; the details may later be replaced
-- by a redaction marker (retention, or a parent's request) without breaking the chain.
ALTER TABLE audit_log ADD COLUMN hash_alg BIGINT NOT NULL DEFAULT 1;
ALTER TABLE audit_log ADD COLUMN origin_digest TEXT;
ALTER TABLE audit_log ADD COLUMN before_digest TEXT;
ALTER TABLE audit_log ADD COLUMN after_digest TEXT;

-- The key's public id (an HMAC of a fixed text under the key), written at the first start with a
-- key: a start with another key is refused. One row. `plain_until` lists where each chain stood
-- then ("chain:seq" separated by commas): records after those positions must be keyed, so that
-- a chain rewritten in the first formula by someone without the key is found; its MAC under the
-- key keeps the list itself from being changed.
CREATE TABLE audit_key (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    key_id TEXT NOT NULL,
    since_micros BIGINT NOT NULL,
    plain_until TEXT NOT NULL,
    plain_until_mac TEXT NOT NULL
);

CREATE FUNCTION audit_key_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit key''s id is written once';
END
$$;
CREATE TRIGGER audit_key_no_change BEFORE UPDATE OR DELETE ON audit_key
    FOR EACH ROW EXECUTE FUNCTION audit_key_once();
CREATE TRIGGER audit_key_no_truncate BEFORE TRUNCATE ON audit_key
    FOR EACH STATEMENT EXECUTE FUNCTION audit_key_once();

-- The one change a record admits: a sealed detail (one with a digest) replaced by a redaction
-- marker, everything the hash covers left as it was.
CREATE FUNCTION audit_redact_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
        AND NEW.id = OLD.id AND NEW.chain_id = OLD.chain_id AND NEW.seq = OLD.seq
        AND NEW.at_micros = OLD.at_micros
        AND NEW.actor_user_id IS NOT DISTINCT FROM OLD.actor_user_id
        AND NEW.action = OLD.action AND NEW.entity = OLD.entity AND NEW.entity_id = OLD.entity_id
        AND NEW.reason IS NOT DISTINCT FROM OLD.reason
        AND NEW.prev_hash = OLD.prev_hash AND NEW.hash = OLD.hash AND NEW.hash_alg = OLD.hash_alg
        AND NEW.origin_digest IS NOT DISTINCT FROM OLD.origin_digest
        AND NEW.before_digest IS NOT DISTINCT FROM OLD.before_digest
        AND NEW.after_digest IS NOT DISTINCT FROM OLD.after_digest
        AND (NEW.origin IS NOT DISTINCT FROM OLD.origin OR (OLD.origin_digest IS NOT NULL
            AND NEW.origin IN ('redacted:retention', 'redacted:request')))
        AND (NEW.before_json IS NOT DISTINCT FROM OLD.before_json OR (OLD.before_digest IS NOT NULL
            AND NEW.before_json IN ('redacted:retention', 'redacted:request')))
        AND (NEW.after_json IS NOT DISTINCT FROM OLD.after_json OR (OLD.after_digest IS NOT NULL
            AND NEW.after_json IN ('redacted:retention', 'redacted:request')))
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only';
END
$$;
DROP TRIGGER audit_log_no_change ON audit_log;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_redact_only();
