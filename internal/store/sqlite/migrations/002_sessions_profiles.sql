-- Browser sessions. Only a hash of the secret is kept, as for tokens: a
-- copy of the database signs nobody in.
CREATE TABLE sessions (
	id         INTEGER PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	hash       BLOB    NOT NULL UNIQUE,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
);
-- Each new session deletes the expired ones through this index, so the
-- table does not grow with every sign-in ever made.
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
-- Deleting a user finds their sessions (ON DELETE CASCADE) without a scan.
CREATE INDEX sessions_by_user ON sessions (user_id);

-- A member's latest messages across every board, newest first, paged by
-- id (commit order): a profile page costs its size, not the author's
-- history.
CREATE INDEX messages_by_author ON messages (author_id, id);

-- The counter a profile shows, changed in the transaction that inserts the
-- message, so that no request counts rows. Removal does not lower it: the
-- member wrote the message. Filled here from the messages already written
-- (through the index above, one range per author).
ALTER TABLE users ADD COLUMN message_count INTEGER NOT NULL DEFAULT 0;
UPDATE users SET message_count = (SELECT count(*) FROM messages WHERE messages.author_id = users.id);
