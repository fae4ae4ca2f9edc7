-- Staff accounts, their sessions, failed-login bookkeeping and the hash-chained audit log.
-- display and totp_secret are sealed (AAD row: name); audit.detail is sealed (AAD row: hash).
CREATE TABLE accounts (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('counsellor', 'supervisor', 'admin')),
    team TEXT,
    display BLOB NOT NULL,
    password_hash TEXT NOT NULL,
    totp_secret BLOB NOT NULL,
    totp_last_step INTEGER NOT NULL DEFAULT -1,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Only the SHA-256 of a session token is stored: a copy of the database opens no session.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    name TEXT NOT NULL REFERENCES accounts (name) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_by_name ON sessions (name);

-- Failed logins per keyed hash of the typed name (unknown names too, without storing them).
CREATE TABLE login_failures (
    name_key TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX login_failures_by_name ON login_failures (name_key, at);

CREATE TABLE login_locks (
    name_key TEXT PRIMARY KEY,
    until TEXT NOT NULL
);

-- Append-only: each entry holds the hash of the previous one (see store/audit.py).
CREATE TABLE audit (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    object TEXT NOT NULL,
    outcome TEXT NOT NULL,
    detail BLOB,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE
);

-- Only the sealed detail may be rewritten (key rotation); nothing may be deleted.
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

CREATE TRIGGER audit_no_update BEFORE UPDATE OF seq, at, actor, action, object, outcome, prev_hash, hash ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
