-- post_messages stores a batch of posts in the caller's transaction and
-- answers a row for each, in the order given: its ID, number and the
-- replied-to author's name, or why it was refused (board, author,
-- reply_to), in which case it wrote nothing. Each post takes its board's
-- row, held to the commit, which numbers it; posts come sorted by board,
-- and the authors' message counts are raised at the end in ID order, so
-- that batches sharing boards or authors never deadlock. Each post's terms
-- (a tsvector's text; empty for none) are indexed, and the post written
-- to the outbox (events), which announces it.
--
-- Applied at every start, after the migrations (migrate.go): change it
-- here. A change of its arguments or answer needs a migration that drops
-- the old one first.
CREATE OR REPLACE FUNCTION post_messages(
	p_board bigint[], p_author bigint[], p_at timestamptz[], p_body text[], p_html text[],
	p_reply_to bigint[], p_terms text[])
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
		INSERT INTO events (kind, board_id, number, at) VALUES ('posted', p_board[i], message_number, p_at[i]);
		RETURN NEXT;
	END LOOP;
	FOR poster, posts IN
		SELECT a, count(*) FROM unnest(posted_authors) AS a GROUP BY a ORDER BY a
	LOOP
		UPDATE users SET message_count = message_count + posts WHERE users.id = poster;
	END LOOP;
END
$$;
