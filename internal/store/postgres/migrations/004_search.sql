-- The search index: each message's terms, as search.Text makes them in Go
-- so that this store and SQLite find the same messages, kept as a tsvector
-- written out by the store (positions included, for phrases). PostgreSQL's
-- own parser and dictionaries never see the text: they would split and stem
-- it their way, by the database's locale. Removed messages have no row.
--
-- A table of its own rather than a column of messages, whose rows every
-- window reads: they stay as narrow as they were. No foreign key: imports
-- COPY rows here by the million, and only the store writes them.
CREATE TABLE message_search (
	message_id bigint   PRIMARY KEY,
	terms      tsvector NOT NULL
);
CREATE INDEX message_search_terms ON message_search USING gin (terms);

-- Boards whose messages are not in the index yet, because they were
-- written before it existed. The terms are made in Go, not SQL, so the
-- server indexes these boards (Service.IndexBacklog) before it serves.
CREATE TABLE search_backlog (board_id bigint PRIMARY KEY);
INSERT INTO search_backlog SELECT id FROM boards WHERE last_number > 0;

-- post_messages, which indexes each post's terms, is now kept in
-- functions/post_messages.sql and applied at every start.
DROP FUNCTION IF EXISTS post_messages(bigint[], bigint[], timestamptz[], text[], text[], bigint[], text);
