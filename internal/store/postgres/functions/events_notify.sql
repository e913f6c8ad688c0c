-- events_notify announces the events each statement writes to the
-- outbox on the schema's channel, when its transaction commits: a
-- notification per hundred events at most, a line "kind board number"
-- each, in order. The channel is "parley." and the schema, or, when that is longer
-- than an identifier may be, "parley." and a hash of the schema (as
-- postgres.go names it). A batch of posts is one statement, so one
-- notification (each of which PostgreSQL queues, and every listener
-- reads) where a post was one.
CREATE OR REPLACE FUNCTION events_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	channel text := 'parley.' || current_schema();
	payload text;
BEGIN
	IF octet_length(channel) > 63 THEN
		channel := 'parley.' || left(encode(sha256(convert_to(current_schema(), 'UTF8')), 'hex'), 32);
	END IF;
	-- At most a hundred events a notification: those whose ids share
	-- their hundreds.
	FOR payload IN
		SELECT string_agg(kind || ' ' || board_id || ' ' || number, E'\n' ORDER BY id)
		FROM new_events GROUP BY id / 100 ORDER BY id / 100
	LOOP
		PERFORM pg_notify(channel, payload);
	END LOOP;
	RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS events_notify ON events;
CREATE TRIGGER events_notify AFTER INSERT ON events
REFERENCING NEW TABLE AS new_events
FOR EACH STATEMENT EXECUTE FUNCTION events_notify();
