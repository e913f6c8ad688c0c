-- When a message was last edited; NULL when never. Imports keep it, so
-- that a board moved from another forum loses nothing. Adding a column
-- without a volatile default rewrites no rows.
ALTER TABLE messages ADD COLUMN edited_at timestamptz;

-- A board's revision counts the changes to its messages that are not new
-- messages (removals), and changed_at is the latest: with
-- last_number they say whether a page of the board is still what a cache
-- holds, at the cost of reading the board's row.
ALTER TABLE boards ADD COLUMN revision bigint NOT NULL DEFAULT 0;
ALTER TABLE boards ADD COLUMN changed_at timestamptz;
