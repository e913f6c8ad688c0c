-- The search index: the terms of each message that is not removed, as
-- search.Text makes them in Go, so that this store and PostgreSQL find the
-- same messages. It keeps no copy of the text (content = ''), only the
-- index, and its rowid is the message's id. Terms are letters and digits
-- between single spaces: the ascii tokenizer splits them at the spaces and
-- changes nothing else in them. tags holds the message's author, board and
-- the message it answers as words of their own (a12 b3 r3x17), so that a
-- search by author or board intersects lists in the index rather than
-- reading the row of every message that has the words.
CREATE VIRTUAL TABLE message_search USING fts5 (terms, tags, content = '', contentless_delete = 1, tokenize = 'ascii');
-- Each commit writes its terms as a new segment, and FTS5 merges segments
-- as they gather, a little at every write. By default it merges a level's
-- segments once there are 4; on an index of 1.5 million messages that work
-- made each post (32 posters) cost 0.8–1.3 ms instead of 0.3: 761–1,249
-- posts/s against 3,151 with no merging at all. At 16 it was 3,452. Reads
-- then look in up to 15 segments per level rather than 3.
INSERT INTO message_search (message_search, rank) VALUES ('automerge', 16);

-- Boards whose messages are not in the index yet, because they were
-- written before it existed. The terms are made in Go, not SQL, so the
-- store indexes these boards when it opens.
CREATE TABLE search_backlog (board_id INTEGER PRIMARY KEY);
INSERT INTO search_backlog SELECT id FROM boards WHERE last_number > 0;
