-- The outbox: what happened to the forum (forum.Event), written in the
-- transaction that made it happen, in the order of id, and announced on
-- the schema's channel at its commit by the trigger in
-- functions/events_notify.sql. The newest forum.OutboxKeep are kept;
-- batches of writes forget older ones.
CREATE TABLE events (
	id       bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	kind     text        NOT NULL,
	board_id bigint      NOT NULL,
	number   bigint      NOT NULL,
	at       timestamptz NOT NULL
);

-- post_messages no longer announces posts itself: it writes them to the
-- outbox (functions/post_messages.sql), and takes no channel.
DROP FUNCTION IF EXISTS post_messages(bigint[], bigint[], timestamptz[], text[], text[], bigint[], text[], text);
