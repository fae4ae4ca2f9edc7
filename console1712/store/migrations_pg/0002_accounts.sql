-- Staff accounts, their sessions, failed-login bookkeeping and the hash-chained audit log.
-- display and totp_secret are sealed (AAD row: name); audit.detail is sealed (AAD row: hash).
CREATE TABLE accounts (
    name TEXT COLLATE "C" PRIMARY KEY,
    role TEXT COLLATE "C" NOT NULL CHECK (role IN ('counsellor', 'supervisor', 'admin')),
    team TEXT COLLATE "C",
    display BYTEA NOT NULL,
    password_hash TEXT COLLATE "C" NOT NULL,
    totp_secret BYTEA NOT NULL,
    totp_last_step BIGINT NOT NULL DEFAULT -1,
    disabled BIGINT NOT NULL DEFAULT 0,
    created_at TEXT COLLATE "C" NOT NULL,
    updated_at TEXT COLLATE "C" NOT NULL
);

-- Only the SHA-256 of a session token is stored: a copy of the database opens no session.
CREATE TABLE sessions (
    token_hash TEXT COLLATE "C" PRIMARY KEY,
    name TEXT COLLATE "C" NOT NULL REFERENCES accounts (name) ON DELETE CASCADE,
    created_at TEXT COLLATE "C" NOT NULL,
    expires_at TEXT COLLATE "C" NOT NULL
);
CREATE INDEX sessions_by_name ON sessions (name);

-- Failed logins per keyed hash of the typed name (unknown names too, without storing them).
CREATE TABLE login_failures (
    name_key TEXT COLLATE "C" NOT NULL,
    at TEXT COLLATE "C" NOT NULL
);
CREATE INDEX login_failures_by_name ON login_failures (name_key, at);

CREATE TABLE login_locks (
    name_key TEXT COLLATE "C" PRIMARY KEY,
    until TEXT COLLATE "C" NOT NULL
);

-- Append-only: each entry holds the hash of the previous one (see store/audit.py).
CREATE TABLE audit (
    seq BIGINT PRIMARY KEY,
    at TEXT COLLATE "C" NOT NULL,
    actor TEXT COLLATE "C" NOT NULL,
    action TEXT COLLATE "C" NOT NULL,
    object TEXT COLLATE "C" NOT NULL,
    outcome TEXT COLLATE "C" NOT NULL,
    detail BYTEA,
    prev_hash TEXT COLLATE "C" NOT NULL,
    hash TEXT COLLATE "C" NOT NULL UNIQUE
);

-- Only the sealed detail may be rewritten (key rotation); nothing may be deleted.
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = 'integrity_constraint_violation';
END $$;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_no_update
    BEFORE UPDATE OF seq, at, actor, action, object, outcome, prev_hash, hash ON audit
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
