-- Failed logins are counted per (name, source address) as well as per name: a stranger can
-- lock a name only from where they are, and the per-name cap (much higher) spares sources
-- that recently logged in for that name (store/accounts.py). The source is a keyed hash
-- of the address, never the address.
ALTER TABLE login_failures ADD COLUMN source_key TEXT COLLATE "C" NOT NULL DEFAULT '';

CREATE INDEX login_failures_by_source ON login_failures (name_key, source_key, at);

-- For the periodic clean-up of old failures of names nobody tries again.
CREATE INDEX login_failures_by_time ON login_failures (at);

-- A lock on one name from one source (protocol v1: five failures within 15 minutes).
-- login_locks (0002) now holds the lock of the per-name cap.
CREATE TABLE login_source_locks (
    name_key TEXT COLLATE "C" NOT NULL,
    source_key TEXT COLLATE "C" NOT NULL,
    until TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (name_key, source_key)
);

-- Sources from which a name logged in successfully, and when last.
CREATE TABLE login_known_sources (
    name_key TEXT COLLATE "C" NOT NULL,
    source_key TEXT COLLATE "C" NOT NULL,
    last_ok TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (name_key, source_key)
);

CREATE INDEX login_known_sources_by_time ON login_known_sources (last_ok);
