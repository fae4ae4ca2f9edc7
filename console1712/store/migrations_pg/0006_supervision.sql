-- Supervision (issue 7): phone contacts for the statistics and emergency disclosure requests.
-- A phone contact holds no content at all: only codes, a date and a duration.
CREATE TABLE phone_contacts (
    id TEXT COLLATE "C" PRIMARY KEY,                 -- "p_" + random
    day TEXT COLLATE "C" NOT NULL,                   -- YYYY-MM-DD (Brussels) of the call
    minutes BIGINT NOT NULL CHECK (minutes BETWEEN 1 AND 600),
    region TEXT COLLATE "C" NOT NULL,                -- a region id or 'unknown'
    age_band TEXT COLLATE "C" NOT NULL,              -- 0-11, 12-17, 18-24, 25-64, 65+, unknown
    gender TEXT COLLATE "C" NOT NULL,                -- female, male, other, unknown
    theme TEXT COLLATE "C" NOT NULL,                 -- a theme id (domain/themes.py) or 'unknown'
    created_by TEXT COLLATE "C" NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL
);
CREATE INDEX phone_contacts_day ON phone_contacts (day);

-- Emergency disclosure of a chat's network address (policy 2.6): a counsellor asks with a
-- reason (sealed, AAD row: id), a different supervisor decides, and sees the address once.
-- No foreign key to chats: the request stays as proof after the chat is purged.
CREATE TABLE disclosures (
    id TEXT COLLATE "C" PRIMARY KEY,                 -- "x_" + random
    chat TEXT COLLATE "C" NOT NULL,
    requested_by TEXT COLLATE "C" NOT NULL,
    requested_at TEXT COLLATE "C" NOT NULL,
    reason BYTEA NOT NULL,                -- sealed
    status TEXT COLLATE "C" NOT NULL CHECK (status IN ('pending', 'approved', 'refused')),
    decided_by TEXT COLLATE "C",
    decided_at TEXT COLLATE "C",
    viewed_at TEXT COLLATE "C"                       -- set once: the address is shown a single time
);
CREATE INDEX disclosures_status ON disclosures (status, requested_at);
CREATE INDEX disclosures_chat ON disclosures (chat);
