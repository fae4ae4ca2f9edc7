-- The mail helpline: threads and their messages.
-- Every header and body value is sealed (AES-GCM, AAD = table/column/row). What stays
-- plain is routing and counting: team, status, dates, sizes, flags, and keyed hashes
-- (not reversible without the key file) used to match replies to their thread.
CREATE TABLE mail_threads (
    id TEXT PRIMARY KEY,                 -- "t_" + random, chosen by the relay
    team TEXT,                           -- region that owns it; NULL: the unassigned pool
    status TEXT NOT NULL CHECK (status IN ('open', 'answered', 'forgotten')),
    claimed_by TEXT,                     -- account name of the counsellor handling it
    sender BLOB,                         -- sealed address of the writer (NULL once forgotten)
    sender_name BLOB,                    -- sealed display name of the writer
    subject BLOB,                        -- sealed subject of the latest incoming mail
    sender_hash TEXT,                    -- keyed hash of the address (subject fallback)
    subject_hash TEXT,                   -- keyed hash of the normalised subject
    created_at TEXT NOT NULL,            -- first mail received
    last_in_at TEXT NOT NULL,            -- latest incoming mail received
    last_at TEXT NOT NULL,               -- latest message either way (retention)
    due_at TEXT,                         -- answer due (2 working days); NULL when answered
    answered_at TEXT,
    forgotten_at TEXT,                   -- "do not retain": content deleted at
    count INTEGER NOT NULL DEFAULT 0     -- messages in the thread, both directions
);
CREATE INDEX mail_threads_team ON mail_threads (team, status);
CREATE INDEX mail_threads_match ON mail_threads (sender_hash, subject_hash);
CREATE INDEX mail_threads_last ON mail_threads (last_at);

CREATE TABLE mail_messages (
    id TEXT PRIMARY KEY,                 -- "m_" + random
    thread TEXT NOT NULL REFERENCES mail_threads (id) ON DELETE CASCADE,
    direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    at TEXT NOT NULL,                    -- received (in) or sent (out)
    size INTEGER NOT NULL,               -- bytes of the raw mail
    flags TEXT NOT NULL DEFAULT '',      -- what could not be read, comma separated
    sent_by TEXT,                        -- staff account for 'out'
    delivery TEXT,                       -- 'smarthost' or 'outbox' for 'out'
    msgid_hash TEXT,                     -- keyed hash of its Message-ID (NULL once forgotten)
    headers BLOB,                        -- sealed JSON: from, to, cc, subject, date, ids
    body BLOB,                           -- sealed plain text
    attachments BLOB                     -- sealed JSON list of {name, type, size}
);
CREATE INDEX mail_messages_thread ON mail_messages (thread, at);
CREATE INDEX mail_messages_msgid ON mail_messages (msgid_hash);
CREATE INDEX mail_messages_at ON mail_messages (at);

-- Message-IDs a thread's mails referred to (keyed hashes): a reply naming a message we
-- never received (a lost parent) still finds its siblings.
CREATE TABLE mail_refs (
    hash TEXT NOT NULL,
    thread TEXT NOT NULL REFERENCES mail_threads (id) ON DELETE CASCADE,
    PRIMARY KEY (hash, thread)
) WITHOUT ROWID;
CREATE INDEX mail_refs_thread ON mail_refs (thread);
