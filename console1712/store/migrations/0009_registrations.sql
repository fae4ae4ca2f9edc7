-- Registrations (wrap-up) of contacts, chat notes, and the statistics archive with codes.
-- A registration holds codes in clear text (what the yearly statistics count) and one
-- sealed note (AAD row: contact). It becomes open when a chat with a counsellor ends, a
-- mail thread is answered or a phone contact is added (triggers below, so every way a chat ends is covered in the
-- same transaction), and is erased with its chat or mail thread. A trigger ends its inner
-- statements mid-line: migrations are split at a semicolon that ends a line.
CREATE TABLE registrations (
    contact TEXT PRIMARY KEY,            -- chat id, mail thread id or phone contact id
    channel TEXT NOT NULL CHECK (channel IN ('chat', 'mail', 'phone')),
    counsellor TEXT NOT NULL,            -- who registers it (the chat's last counsellor)
    team TEXT,
    opened_at TEXT NOT NULL,             -- when the contact ended (the registration became due)
    status TEXT NOT NULL CHECK (status IN ('open', 'done')),
    done_at TEXT,
    kind TEXT,                           -- help, information, silent, abusive, wrong
    themes TEXT,                         -- theme ids, space separated, main theme first
    about TEXT,
    relation TEXT,
    risk TEXT,
    action TEXT,
    referrals TEXT,                      -- referral codes, space separated
    age_band TEXT,
    gender TEXT,
    note BLOB                            -- sealed
);
CREATE INDEX registrations_open ON registrations (counsellor, status);
CREATE INDEX registrations_team ON registrations (team, status);

CREATE TRIGGER registration_chat_ended AFTER UPDATE OF state ON chats
WHEN NEW.state = 'ended' AND OLD.state <> 'ended' AND NEW.counsellor IS NOT NULL
BEGIN
    INSERT INTO registrations (contact, channel, counsellor, team, opened_at, status)
    VALUES (NEW.id, 'chat', NEW.counsellor, NEW.team, COALESCE(NEW.ended_at, NEW.since), 'open')
    ON CONFLICT (contact) DO NOTHING; END;

CREATE TRIGGER registration_mail_answered AFTER UPDATE OF status ON mail_threads
WHEN NEW.status = 'answered' AND OLD.status = 'open' AND NEW.claimed_by IS NOT NULL
BEGIN
    INSERT INTO registrations (contact, channel, counsellor, team, opened_at, status)
    VALUES (NEW.id, 'mail', NEW.claimed_by, NEW.team, COALESCE(NEW.answered_at, NEW.last_at),
            'open')
    ON CONFLICT (contact) DO NOTHING; END;

-- A phone contact (its dialog stores codes only) gets the same form: open at once.
CREATE TRIGGER registration_phone_added AFTER INSERT ON phone_contacts
BEGIN
    INSERT INTO registrations (contact, channel, counsellor, team, opened_at, status)
    VALUES (NEW.id, 'phone', NEW.created_by,
            (SELECT team FROM accounts WHERE name = NEW.created_by), NEW.created_at, 'open')
    ON CONFLICT (contact) DO NOTHING; END;

CREATE TRIGGER registration_chat_erased AFTER DELETE ON chats
BEGIN
    DELETE FROM registrations WHERE contact = OLD.id; DELETE FROM chat_notes WHERE chat = OLD.id; END;

CREATE TRIGGER registration_mail_erased AFTER DELETE ON mail_threads
BEGIN
    DELETE FROM registrations WHERE contact = OLD.id; END;

-- A counsellor's own notes during a chat: one sealed text per chat (AAD row: chat),
-- replaced as it is edited; it travels with the chat (transfer) and prefills the note of
-- the registration.
CREATE TABLE chat_notes (
    chat TEXT PRIMARY KEY,
    text BLOB NOT NULL,                  -- sealed
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Counted contacts the retention purge erased, now with the registration's codes (the
-- note never): rebuilt from stats_archive, whose rows get 'unknown' for the new codes.
CREATE TABLE stats_archive_codes (
    year INTEGER NOT NULL,
    channel TEXT NOT NULL,
    month INTEGER NOT NULL,
    region TEXT NOT NULL,
    age_band TEXT NOT NULL,
    gender TEXT NOT NULL,
    theme TEXT NOT NULL,
    kind TEXT NOT NULL,
    about TEXT NOT NULL,
    relation TEXT NOT NULL,
    risk TEXT NOT NULL,
    themes TEXT NOT NULL,                -- every theme, space separated ('' none)
    referrals TEXT NOT NULL,             -- every referral, space separated ('' none)
    count INTEGER NOT NULL,
    PRIMARY KEY (year, channel, month, region, age_band, gender, theme, kind, about, relation,
                 risk, themes, referrals)
);
INSERT INTO stats_archive_codes (year, channel, month, region, age_band, gender, theme, kind,
    about, relation, risk, themes, referrals, count)
SELECT year, channel, month, region, age_band, gender, theme, 'unknown', 'unknown', 'unknown',
    'unknown', CASE WHEN theme = 'unknown' THEN '' ELSE theme END, '', count FROM stats_archive;
DROP TABLE stats_archive;
