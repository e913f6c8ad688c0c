-- The outbox: what happened to the forum (forum.Event), written in the
-- transaction that made it happen, in the order of id. The newest
-- forum.OutboxKeep are kept; each batch of writes forgets older ones.
CREATE TABLE events (
	id       INTEGER PRIMARY KEY,
	kind     TEXT    NOT NULL,
	board_id INTEGER NOT NULL,
	number   INTEGER NOT NULL,
	at       INTEGER NOT NULL
);
