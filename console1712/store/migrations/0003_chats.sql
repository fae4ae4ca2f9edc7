-- Anonymous chats, their messages, and blocks of abusive chatters.
-- Personal values (intake, nickname, network address, message text, block reason) are
-- sealed (AES-GCM, AAD = table/column/row); only routing data stays plain.
CREATE TABLE chats (
    id TEXT PRIMARY KEY,                 -- "c_" + random, chosen by the relay
    state TEXT NOT NULL CHECK (state IN ('waiting', 'assigned', 'ended')),
    since TEXT NOT NULL,                 -- started waiting (RFC 3339 UTC)
    nickname BLOB NOT NULL,              -- sealed
    age BLOB,                            -- sealed
    gender BLOB,                         -- sealed
    region BLOB,                         -- sealed: intake as the chatter gave it
    team TEXT,                           -- team (region) that owns the chat once accepted
    counsellor TEXT,                     -- account name of the counsellor
    accepted_at TEXT,
    address BLOB,                        -- sealed network address (emergency disclosure)
    address_hash TEXT NOT NULL,          -- keyed hash of the address (blocking)
    resume_hash TEXT NOT NULL,           -- SHA-256 of the current resume token
    dropped_at TEXT,                     -- chatter connection lost at; NULL while connected
    ended_at TEXT,
    ended_by TEXT CHECK (ended_by IN ('chatter', 'counsellor', 'timeout'))
);
CREATE INDEX chats_open ON chats (state) WHERE state <> 'ended';
CREATE INDEX chats_resume ON chats (resume_hash);
CREATE INDEX chats_counsellor ON chats (counsellor, state);

CREATE TABLE chat_messages (
    chat TEXT NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,                -- 1, 2, 3 ... per chat, both directions, no gaps
    sender TEXT NOT NULL,                -- '' for the chatter, else the staff account name
    client_id TEXT NOT NULL,             -- keyed hash of the client's id (idempotency)
    at TEXT NOT NULL,
    text BLOB NOT NULL,                  -- sealed, row key "chat:seq"
    PRIMARY KEY (chat, seq),
    UNIQUE (chat, sender, client_id)
) WITHOUT ROWID;

CREATE TABLE blocks (
    id TEXT PRIMARY KEY,                 -- "b_" + random
    address_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    until TEXT NOT NULL,
    chat TEXT,
    blocked_by TEXT NOT NULL,
    reason BLOB                          -- sealed
);
CREATE INDEX blocks_hash ON blocks (address_hash, until);
