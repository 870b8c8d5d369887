-- Downloads enter the outbox packed: one row per owner per batch of the download log's follower,
-- holding the events of positions seq..last_seq in payload (see PackedEvents). A row per download
-- cost an insert, two index entries and a share of a commit per download. Other events keep a row
-- each, with last_seq = seq and no payload.
--
-- A packed row holds at most EventStore.MAX_PACKED events, so the rows that hold positions after N
-- all have seq > N - MAX_PACKED: readers find them through the primary key and (owner, seq).
ALTER TABLE events_event ADD COLUMN last_seq BIGINT;
UPDATE events_event SET last_seq = seq;
ALTER TABLE events_event ALTER COLUMN last_seq SET NOT NULL;
ALTER TABLE events_event ADD COLUMN payload BYTEA;
