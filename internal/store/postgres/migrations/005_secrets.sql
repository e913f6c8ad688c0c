-- Secrets of the forum's own, each made once by whichever process first
-- needs it and read by every other: the key that signs device cookies.
CREATE TABLE secrets (
	name  text PRIMARY KEY,
	value bytea NOT NULL
);
