-- Which relay is the active one, and where the others reach it (several relays on one
-- PostgreSQL database: relay/standby.py). One row at most; it is written by the relay
-- that holds the relay advisory lock, in a transaction on the locked connection.
CREATE TABLE active_relay (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    node TEXT COLLATE "C" NOT NULL,   -- a random name the relay process gave itself at start
    url TEXT COLLATE "C" NOT NULL,    -- ws://host:port where the standby relays forward connections
    since TEXT COLLATE "C" NOT NULL   -- when it became the active relay (RFC 3339, UTC)
);
