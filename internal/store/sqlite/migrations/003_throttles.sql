-- Rate limits' buckets, each kept as the time it will be full again
-- (Unix microseconds). A row whose time has passed means what no row
-- means, so each throttling deletes those through the index: the table
-- holds only the buckets of recent attempts.
CREATE TABLE throttles (
	key  TEXT    PRIMARY KEY,
	full_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX throttles_by_full ON throttles (full_at);
