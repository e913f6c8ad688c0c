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
-- store indexes these boards when it opens.
CREATE TABLE search_backlog (board_id bigint PRIMARY KEY);
INSERT INTO search_backlog SELECT id FROM boards WHERE last_number > 0;

-- post_messages as before (002_post_messages.sql), with each post's terms
-- (p_terms, a tsvector's text; empty for none) indexed in its transaction.
DROP FUNCTION post_messages(bigint[], bigint[], timestamptz[], text[], text[], bigint[], text);
CREATE FUNCTION post_messages(
	p_board bigint[], p_author bigint[], p_at timestamptz[], p_body text[], p_html text[],
	p_reply_to bigint[], p_terms text[], p_channel text)
RETURNS TABLE (message_id bigint, message_number bigint, reply_author text, refused text)
LANGUAGE plpgsql AS $$
DECLARE
	parent_author bigint;
	posted_authors bigint[] := '{}';
	poster bigint;
	posts bigint;
BEGIN
	IF current_setting('synchronous_commit') = 'off' THEN
		PERFORM set_config('synchronous_commit', 'on', true);
	END IF;
	PERFORM set_config('lock_timeout', '30s', true);
	FOR i IN 1 .. coalesce(cardinality(p_board), 0) LOOP
		message_id := NULL;
		message_number := NULL;
		reply_author := NULL;
		refused := NULL;
		parent_author := NULL;
		-- The board's row numbers its posts: held until the commit.
		PERFORM FROM boards WHERE boards.id = p_board[i] FOR UPDATE;
		IF NOT FOUND THEN
			refused := 'board';
			RETURN NEXT;
			CONTINUE;
		END IF;
		PERFORM FROM users WHERE users.id = p_author[i];
		IF NOT FOUND THEN
			refused := 'author';
			RETURN NEXT;
			CONTINUE;
		END IF;
		IF p_reply_to[i] IS NOT NULL THEN
			UPDATE messages SET reply_count = reply_count + 1
			WHERE messages.board_id = p_board[i] AND messages.number = p_reply_to[i]
			RETURNING messages.author_id INTO parent_author;
			IF NOT FOUND THEN
				refused := 'reply_to';
				RETURN NEXT;
				CONTINUE;
			END IF;
			SELECT users.name INTO reply_author FROM users WHERE users.id = parent_author;
		END IF;
		UPDATE boards SET last_number = last_number + 1, last_posted_at = greatest(last_posted_at, p_at[i])
		WHERE boards.id = p_board[i]
		RETURNING last_number INTO message_number;
		INSERT INTO messages (board_id, number, author_id, created_at, body, html, reply_to, reply_to_author_id)
		VALUES (p_board[i], message_number, p_author[i], p_at[i], p_body[i], p_html[i], p_reply_to[i], parent_author)
		RETURNING messages.id INTO message_id;
		IF p_terms[i] <> '' THEN
			INSERT INTO message_search (message_id, terms) VALUES (message_id, p_terms[i]::tsvector);
		END IF;
		posted_authors := posted_authors || p_author[i];
		PERFORM pg_notify(p_channel, p_board[i] || ' ' || message_number);
		RETURN NEXT;
	END LOOP;
	FOR poster, posts IN
		SELECT a, count(*) FROM unnest(posted_authors) AS a GROUP BY a ORDER BY a
	LOOP
		UPDATE users SET message_count = message_count + posts WHERE users.id = poster;
	END LOOP;
END
$$;
