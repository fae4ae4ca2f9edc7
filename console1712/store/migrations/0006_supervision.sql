-- Supervision (issue 7): phone contacts for the statistics and emergency disclosure requests.
-- A phone contact holds no content at all: only codes, a date and a duration.
CREATE TABLE phone_contacts (
    id TEXT PRIMARY KEY,                 -- "p_" + random
    day TEXT NOT NULL,                   -- YYYY-MM-DD (Brussels) of the call
    minutes INTEGER NOT NULL CHECK (minutes BETWEEN 1 AND 600),
    region TEXT NOT NULL,                -- a region id or 'unknown'
    age_band TEXT NOT NULL,              -- 0-11, 12-17, 18-24, 25-64, 65+, unknown
    gender TEXT NOT NULL,                -- female, male, other, unknown
    theme TEXT NOT NULL,                 -- a theme id (domain/themes.py) or 'unknown'
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX phone_contacts_day ON phone_contacts (day);

-- Emergency disclosure of a chat's network address (policy 2.6): a counsellor asks with a
-- reason (sealed, AAD row: id), a different supervisor decides, and sees the address once.
-- No foreign key to chats: the request stays as proof after the chat is purged.
CREATE TABLE disclosures (
    id TEXT PRIMARY KEY,                 -- "x_" + random
    chat TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    reason BLOB NOT NULL,                -- sealed
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'refused')),
    decided_by TEXT,
    decided_at TEXT,
    viewed_at TEXT                       -- set once: the address is shown a single time
);
CREATE INDEX disclosures_status ON disclosures (status, requested_at);
CREATE INDEX disclosures_chat ON disclosures (chat);
