-- Which relay is the active one, and where the others reach it (several relays on one
-- PostgreSQL database: relay/standby.py). One row at most. With SQLite there is one relay
-- and the table stays empty; it exists so that both databases have the same tables.
CREATE TABLE active_relay (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    node TEXT NOT NULL,   -- a random name the relay process gave itself at start
    url TEXT NOT NULL,    -- ws://host:port where the standby relays forward connections
    since TEXT NOT NULL   -- when it became the active relay (RFC 3339, UTC)
);
