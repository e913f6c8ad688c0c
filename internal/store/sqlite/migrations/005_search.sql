-- The search index: the terms of each message that is not removed, as
-- search.Text makes them in Go, so that this store and PostgreSQL find the
-- same messages. It keeps no copy of the text (content = ''), only the
-- index, and its rowid is the message's id. Terms are letters and digits
-- between single spaces: the ascii tokenizer splits them at the spaces and
-- changes nothing else in them.
CREATE VIRTUAL TABLE message_search USING fts5 (terms, content = '', contentless_delete = 1, tokenize = 'ascii');

-- Boards whose messages are not in the index yet, because they were
-- written before it existed. The terms are made in Go, not SQL, so the
-- store indexes these boards when it opens.
CREATE TABLE search_backlog (board_id INTEGER PRIMARY KEY);
INSERT INTO search_backlog SELECT id FROM boards WHERE last_number > 0;
