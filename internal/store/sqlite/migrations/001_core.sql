-- Times are Unix microseconds, UTC: the precision PostgreSQL keeps too, so
-- both stores round-trip the same values.

CREATE TABLE users (
	id            INTEGER PRIMARY KEY,
	-- NOCASE folds ASCII, and names are ASCII: unique ignoring case.
	name          TEXT    NOT NULL UNIQUE COLLATE NOCASE,
	role          TEXT    NOT NULL CHECK (role IN ('member', 'moderator', 'admin')),
	password_hash TEXT    NOT NULL DEFAULT '',
	created_at    INTEGER NOT NULL
);

CREATE TABLE tokens (
	id         INTEGER PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	hash       BLOB    NOT NULL UNIQUE,
	hint       TEXT    NOT NULL,
	created_at INTEGER NOT NULL
);
CREATE INDEX tokens_by_user ON tokens (user_id, id);

CREATE TABLE boards (
	id             INTEGER PRIMARY KEY,
	slug           TEXT    NOT NULL UNIQUE,
	title          TEXT    NOT NULL,
	description    TEXT    NOT NULL DEFAULT '',
	created_at     INTEGER NOT NULL,
	created_by     INTEGER NOT NULL REFERENCES users (id),
	-- The counter that numbers messages and answers "of N" without COUNT(*).
	last_number    INTEGER NOT NULL DEFAULT 0,
	last_posted_at INTEGER
);

-- A rowid table with bodies inline: measured here, keying the rows by
-- (board_id, number) instead (WITHOUT ROWID) inserts 7x slower.
CREATE TABLE messages (
	id                 INTEGER PRIMARY KEY,
	board_id           INTEGER NOT NULL REFERENCES boards (id),
	number             INTEGER NOT NULL,
	author_id          INTEGER NOT NULL REFERENCES users (id),
	created_at         INTEGER NOT NULL,
	body               TEXT    NOT NULL,
	html               TEXT    NOT NULL,
	reply_to           INTEGER,
	-- Kept at write time so that a window shows "To: X who wrote (n)"
	-- without reading the replied-to messages.
	reply_to_author_id INTEGER REFERENCES users (id),
	reply_count        INTEGER NOT NULL DEFAULT 0,
	removed            TEXT    NOT NULL DEFAULT '' CHECK (removed IN ('', 'author', 'moderator')),
	removed_at         INTEGER,
	UNIQUE (board_id, number)
);
CREATE INDEX messages_replies ON messages (board_id, reply_to, number) WHERE reply_to IS NOT NULL;
