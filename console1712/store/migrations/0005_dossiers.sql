-- Dossiers, their append-only annotations, links to chats and mail threads, and rights
-- requests. Free text (pseudonym, annotation text, legal-hold reason, request note) is
-- sealed; codes, teams, statuses, dates, kinds and theme ids stay plain for queries.
CREATE TABLE dossiers (
    id TEXT PRIMARY KEY,                 -- "d_" + random: the AAD row of sealed values
    code TEXT NOT NULL UNIQUE,           -- readable: D-YYYY-NNNN, numbered per year
    team TEXT NOT NULL,                  -- region of the team that owns it
    status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    opened_at TEXT NOT NULL,
    closed_at TEXT,                      -- set while closed; retention counts from here
    pseudonym BLOB NOT NULL,             -- sealed
    created_by TEXT NOT NULL,
    restricted_at TEXT,                  -- set: read-only (right to restriction)
    restricted_by TEXT,
    hold_reason BLOB,                    -- sealed: legal hold, blocks erasure and purge
    hold_by TEXT,
    hold_at TEXT
);
CREATE INDEX dossiers_team ON dossiers (team, status);
CREATE INDEX dossiers_closed ON dossiers (closed_at) WHERE status = 'closed';

CREATE TABLE dossier_themes (
    dossier TEXT NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
    theme TEXT NOT NULL,
    PRIMARY KEY (dossier, theme)
) WITHOUT ROWID;
CREATE INDEX dossier_themes_theme ON dossier_themes (theme);

CREATE TABLE annotations (
    id TEXT PRIMARY KEY,                 -- "a_" + random
    dossier TEXT NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN
        ('note', 'assessment', 'referral', 'safety_concern', 'client_disagrees')),
    referral_to TEXT,                    -- for referrals: caw, police, vk, jac, gp, other
    text BLOB NOT NULL,                  -- sealed
    author TEXT NOT NULL,
    at TEXT NOT NULL,
    version INTEGER NOT NULL,            -- 1 for an original, n+1 for a correction
    corrects TEXT REFERENCES annotations (id),  -- the version this one corrects
    origin TEXT NOT NULL                 -- id of version 1 of this annotation
);
CREATE INDEX annotations_dossier ON annotations (dossier, at);
-- A version is corrected at most once: corrections form a line, not a tree.
CREATE UNIQUE INDEX annotations_corrects ON annotations (corrects) WHERE corrects IS NOT NULL;

-- Append-only: only the sealed text may be rewritten (key rotation). Deleting happens only
-- with the whole dossier (erasure, retention).
CREATE TRIGGER annotations_no_update BEFORE UPDATE OF id, dossier, kind, referral_to, author, at, version, corrects, origin ON annotations BEGIN SELECT RAISE(ABORT, 'annotations are append-only'); END;

CREATE TABLE dossier_links (
    dossier TEXT NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('chat', 'mail')),
    target TEXT NOT NULL,                -- chat id or mail thread id (no foreign key: a chat
                                         -- is purged after 6 months, the dossier stays)
    linked_at TEXT NOT NULL,
    linked_by TEXT NOT NULL,
    PRIMARY KEY (dossier, kind, target)
) WITHOUT ROWID;
CREATE INDEX dossier_links_target ON dossier_links (kind, target);

CREATE TABLE rights_requests (
    id TEXT PRIMARY KEY,                 -- "r_" + random
    dossier TEXT REFERENCES dossiers (id) ON DELETE SET NULL,  -- NULL once erased
    code TEXT NOT NULL,                  -- the dossier's code, kept as proof after erasure
    team TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('access', 'copy', 'portability', 'rectification',
        'objection', 'restriction', 'erasure', 'withdrawal')),
    received TEXT NOT NULL,              -- YYYY-MM-DD (Brussels)
    due TEXT NOT NULL,                   -- YYYY-MM-DD, last day to answer
    status TEXT NOT NULL CHECK (status IN ('open', 'done', 'refused')),
    note BLOB,                           -- sealed, cleared on erasure
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    done_at TEXT,
    done_by TEXT
);
CREATE INDEX rights_requests_team ON rights_requests (team, status, due);
