-- Throttles of logins and public lookups (issue 17), kept in the database so that a restart or
-- a second server on the same database does not reset them. Keep in step with
-- ../postgres/20261210000001_login_throttle.sql: same table, same columns.
--
-- One row per key: 'address:<client>' (logins and password resets from an address),
-- 'verify:<client>' (verification-code lookups), 'account:<sha256 of the login>' (failed
-- logins of a login, whether or not an account has it). Instants are Unix seconds: the sweep
-- and the checks compare numbers, never text.
CREATE TABLE login_throttle (
    throttle_key TEXT PRIMARY KEY,
    -- Start of the counting window (address, verify) or the last failure (account).
    window_start BIGINT NOT NULL,
    -- Attempts in the window, or failures since the last lock or success.
    hits BIGINT NOT NULL,
    -- Locks in a row (each doubles the next one's length); account rows only.
    lockouts BIGINT NOT NULL,
    -- Refused until then (0: not refused).
    blocked_until BIGINT NOT NULL,
    -- The row says nothing after then and may be deleted.
    expires_at BIGINT NOT NULL
);
CREATE INDEX login_throttle_expires ON login_throttle (expires_at);
