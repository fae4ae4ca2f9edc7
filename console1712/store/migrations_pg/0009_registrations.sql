-- Registrations (wrap-up) of contacts, chat notes, and the statistics archive with codes.
-- A registration holds codes in clear text (what the yearly statistics count) and one
-- sealed note (AAD row: contact). It becomes open when a chat with a counsellor ends, a
-- mail thread is answered or a phone contact is added (triggers below, so every way a chat ends is covered in the
-- same transaction), and is erased with its chat or mail thread.
CREATE TABLE registrations (
    contact TEXT COLLATE "C" PRIMARY KEY,            -- chat id, mail thread id or phone contact id
    channel TEXT COLLATE "C" NOT NULL CHECK (channel IN ('chat', 'mail', 'phone')),
    counsellor TEXT COLLATE "C" NOT NULL,            -- who registers it (the chat's last counsellor)
    team TEXT COLLATE "C",
    opened_at TEXT COLLATE "C" NOT NULL,             -- when the contact ended (the registration became due)
    status TEXT COLLATE "C" NOT NULL CHECK (status IN ('open', 'done')),
    done_at TEXT COLLATE "C",
    kind TEXT COLLATE "C",                           -- help, information, silent, abusive, wrong
    themes TEXT COLLATE "C",                         -- theme ids, space separated, main theme first
    about TEXT COLLATE "C",
    relation TEXT COLLATE "C",
    risk TEXT COLLATE "C",
    action TEXT COLLATE "C",
    referrals TEXT COLLATE "C",                      -- referral codes, space separated
    age_band TEXT COLLATE "C",
    gender TEXT COLLATE "C",
    note BYTEA                            -- sealed
);
CREATE INDEX registrations_open ON registrations (counsellor, status);
CREATE INDEX registrations_team ON registrations (team, status);

CREATE FUNCTION registration_chat_ended() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO registrations (contact, channel, counsellor, team, opened_at, status)
    VALUES (NEW.id, 'chat', NEW.counsellor, NEW.team, COALESCE(NEW.ended_at, NEW.since), 'open')
    ON CONFLICT (contact) DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER registration_chat_ended AFTER UPDATE OF state ON chats FOR EACH ROW
    WHEN (NEW.state = 'ended' AND OLD.state <> 'ended' AND NEW.counsellor IS NOT NULL)
    EXECUTE FUNCTION registration_chat_ended();

CREATE FUNCTION registration_mail_answered() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO registrations (contact, channel, counsellor, team, opened_at, status)
    VALUES (NEW.id, 'mail', NEW.claimed_by, NEW.team, COALESCE(NEW.answered_at, NEW.last_at),
            'open')
    ON CONFLICT (contact) DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER registration_mail_answered AFTER UPDATE OF status ON mail_threads FOR EACH ROW
    WHEN (NEW.status = 'answered' AND OLD.status = 'open' AND NEW.claimed_by IS NOT NULL)
    EXECUTE FUNCTION registration_mail_answered();

-- A phone contact (its dialog stores codes only) gets the same form: open at once.
CREATE FUNCTION registration_phone_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO registrations (contact, channel, counsellor, team, opened_at, status)
    VALUES (NEW.id, 'phone', NEW.created_by,
            (SELECT team FROM accounts WHERE name = NEW.created_by), NEW.created_at, 'open')
    ON CONFLICT (contact) DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER registration_phone_added AFTER INSERT ON phone_contacts FOR EACH ROW
    EXECUTE FUNCTION registration_phone_added();

CREATE FUNCTION registration_chat_erased() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM registrations WHERE contact = OLD.id;
    DELETE FROM chat_notes WHERE chat = OLD.id;
    RETURN NULL;
END $$;
CREATE TRIGGER registration_chat_erased AFTER DELETE ON chats FOR EACH ROW
    EXECUTE FUNCTION registration_chat_erased();

CREATE FUNCTION registration_mail_erased() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM registrations WHERE contact = OLD.id;
    RETURN NULL;
END $$;
CREATE TRIGGER registration_mail_erased AFTER DELETE ON mail_threads FOR EACH ROW
    EXECUTE FUNCTION registration_mail_erased();

-- A counsellor's own notes during a chat: one sealed text per chat (AAD row: chat),
-- replaced as it is edited; it travels with the chat (transfer) and prefills the note of
-- the registration.
CREATE TABLE chat_notes (
    chat TEXT COLLATE "C" PRIMARY KEY,
    text BYTEA NOT NULL,                  -- sealed
    updated_by TEXT COLLATE "C" NOT NULL,
    updated_at TEXT COLLATE "C" NOT NULL
);

-- Counted contacts the retention purge erased, now with the registration's codes (the
-- note never): rebuilt from stats_archive, whose rows get 'unknown' for the new codes.
CREATE TABLE stats_archive_codes (
    year BIGINT NOT NULL,
    channel TEXT COLLATE "C" NOT NULL,
    month BIGINT NOT NULL,
    region TEXT COLLATE "C" NOT NULL,
    age_band TEXT COLLATE "C" NOT NULL,
    gender TEXT COLLATE "C" NOT NULL,
    theme TEXT COLLATE "C" NOT NULL,
    kind TEXT COLLATE "C" NOT NULL,
    about TEXT COLLATE "C" NOT NULL,
    relation TEXT COLLATE "C" NOT NULL,
    risk TEXT COLLATE "C" NOT NULL,
    themes TEXT COLLATE "C" NOT NULL,                -- every theme, space separated ('' none)
    referrals TEXT COLLATE "C" NOT NULL,             -- every referral, space separated ('' none)
    count BIGINT NOT NULL,
    PRIMARY KEY (year, channel, month, region, age_band, gender, theme, kind, about, relation,
                 risk, themes, referrals)
);
INSERT INTO stats_archive_codes (year, channel, month, region, age_band, gender, theme, kind,
    about, relation, risk, themes, referrals, count)
SELECT year, channel, month, region, age_band, gender, theme, 'unknown', 'unknown', 'unknown',
    'unknown', CASE WHEN theme = 'unknown' THEN '' ELSE theme END, '', count FROM stats_archive;
DROP TABLE stats_archive;
