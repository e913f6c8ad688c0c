-- post_messages stores a batch of posts in the transaction of the call:
-- the posts that one process's committer found waiting, committed together
-- so that they share one commit's sync, and one notifying commit
-- (PostgreSQL lets one transaction that notifies commit at a time). Element
-- i of each array is post i; the function returns one row per post, in
-- order: its id, number and the replied-to author's name, or in refused why
-- it was not stored: 'board', 'author' or 'reply_to'. Each post's terms (a
-- tsvector's text; empty for none) are indexed, and the posts are written
-- to the outbox (events) in one statement, whose trigger announces them.
--
-- An acknowledged post must survive a crash of the server: a session whose
-- synchronous_commit is off (from the URL, a role or the server's
-- defaults) has it turned on for this transaction. A board's row held by a
-- stuck transaction fails the batch after lock_timeout rather than hold
-- every poster for ever; it rolls back, so the posts are refused, never
-- stored unannounced.
--
-- Each post is checked before anything of it is written, so a refusal
-- needs no subtransaction (which, past 64 in a transaction, slow every
-- reader of the database). Locks are taken in one order by every process —
-- boards by id (the caller sorts the batch so), then authors by id at the
-- end — so that two processes' batches never wait for each other in a
-- circle.
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
	posted_boards bigint[] := '{}';
	posted_numbers bigint[] := '{}';
	posted_at timestamptz[] := '{}';
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
		posted_boards := posted_boards || p_board[i];
		posted_numbers := posted_numbers || message_number;
		posted_at := posted_at || p_at[i];
		RETURN NEXT;
	END LOOP;
	-- One statement for the batch's events: its trigger announces them
	-- together.
	INSERT INTO events (kind, board_id, number, at)
	SELECT 'posted', b, n, a FROM unnest(posted_boards, posted_numbers, posted_at) AS e (b, n, a);
	FOR poster, posts IN
		SELECT a, count(*) FROM unnest(posted_authors) AS a GROUP BY a ORDER BY a
	LOOP
		UPDATE users SET message_count = message_count + posts WHERE users.id = poster;
	END LOOP;
END
$$;
