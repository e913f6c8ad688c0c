-- events_notify announces each event written to the outbox on the
-- schema's channel, as "kind board number", when its transaction commits:
-- "parley." and the schema, or, when that is longer than an identifier
-- may be, "parley." and a hash of the schema (as postgres.go names it).
CREATE OR REPLACE FUNCTION events_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	channel text := 'parley.' || current_schema();
BEGIN
	IF octet_length(channel) > 63 THEN
		channel := 'parley.' || left(encode(sha256(convert_to(current_schema(), 'UTF8')), 'hex'), 32);
	END IF;
	PERFORM pg_notify(channel, NEW.kind || ' ' || NEW.board_id || ' ' || NEW.number);
	RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER events_notify AFTER INSERT ON events
FOR EACH ROW EXECUTE FUNCTION events_notify();
