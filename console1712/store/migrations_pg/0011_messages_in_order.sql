-- Without the UNIQUE (chat, sender, client_id) index: every message paid for it, and
-- idempotency never rested on it. The relay keeps every open chat's (sender, client id)
-- pairs in memory and rebuilds them from these rows at start (relay/switchboard.py,
-- `restore`). The SQLite migration of the same number also stores messages in arrival
-- order; a PostgreSQL table is stored that way already.
ALTER TABLE chat_messages DROP CONSTRAINT IF EXISTS chat_messages_chat_sender_client_id_key;
