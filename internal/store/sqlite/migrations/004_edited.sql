-- When a message was last edited; NULL when never. Imports keep it, so
-- that a board moved from another forum loses nothing.
ALTER TABLE messages ADD COLUMN edited_at INTEGER;
