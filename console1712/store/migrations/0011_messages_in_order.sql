-- Messages stored in the order they arrive (a rowid table) instead of clustered per chat,
-- and without the UNIQUE (chat, sender, client_id) index.
--
-- With hundreds of chats open, every message landed on another page of the clustered
-- table and of that index: each group commit wrote (and fsynced) two scattered pages a
-- message. Now a commit appends to the table's last pages and updates one index, (chat, seq),
-- which finds a chat's messages as the primary key did. Idempotency never rested on the
-- dropped index: the relay keeps every open chat's (sender, client id) pairs in memory and
-- rebuilds them from these rows at start (relay/switchboard.py, `restore`); the index only
-- duplicated that check at a cost paid on every message.
CREATE TABLE chat_messages_in_order (
    chat TEXT NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,                -- 1, 2, 3 ... per chat, both directions, no gaps
    sender TEXT NOT NULL,                -- '' for the chatter, else the staff account name
    client_id TEXT NOT NULL,             -- keyed hash of the client's id (idempotency)
    at TEXT NOT NULL,
    text BLOB NOT NULL,                  -- sealed, row key "chat:seq"
    UNIQUE (chat, seq)
);
INSERT INTO chat_messages_in_order (chat, seq, sender, client_id, at, text)
    SELECT chat, seq, sender, client_id, at, text FROM chat_messages ORDER BY at, chat, seq;
DROP TABLE chat_messages;
ALTER TABLE chat_messages_in_order RENAME TO chat_messages;
