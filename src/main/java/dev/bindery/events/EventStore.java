package dev.bindery.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * SQL for the {@code events_*} tables: the outbox, its sequence counter and the checkpoints of the
 * download log's follower. Holds no rules ({@link EventService} does). Methods taking a
 * {@link Handle} join the caller's transaction. Thread-safe.
 */
public final class EventStore {

    private static final String COLUMNS = "seq, type, occurred, recorded, actor, owner, repo, package, version,"
            + " path, ip_address, details, last_seq, payload";
    /**
     * The most events one packed row holds: a reader looking for positions after N finds every row
     * that holds one among those with {@code seq > N - MAX_PACKED}, through the primary key.
     */
    static final int MAX_PACKED = 5_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Jdbi jdbi;

    public EventStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    Jdbi jdbi() {
        return jdbi;
    }

    /**
     * Reserves {@code count} sequence numbers and returns the first. The counter row stays locked
     * until the transaction ends, which is what keeps the sequence gap-free and in commit order:
     * call it last in the transaction, so the lock is held only for the inserts and the commit.
     */
    long reserve(Handle handle, int count) {
        int updated = handle.createUpdate("UPDATE events_counter SET last_seq = last_seq + :count WHERE id = 1")
                .bind("count", count).execute();
        if (updated != 1) {
            throw new IllegalStateException("The events_counter row is missing");
        }
        long last = handle.createQuery("SELECT last_seq FROM events_counter WHERE id = 1").mapTo(Long.class).one();
        return last - count + 1;
    }

    /**
     * Inserts the events with consecutive sequence numbers from {@code firstSeq}. Plain JDBC with
     * positional parameters: every download passes through here, and binding twelve values by name
     * per row cost more than the insert itself.
     */
    void insert(Handle handle, long firstSeq, List<Event> events, Instant recorded) {
        try (var statement = handle.getConnection().prepareStatement("INSERT INTO events_event (" + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)")) {
            long seq = firstSeq;
            long recordedMillis = recorded.toEpochMilli();
            for (var event : events) {
                statement.setLong(13, seq);
                statement.setLong(1, seq++);
                statement.setString(2, event.type().wire());
                statement.setLong(3, event.time().toEpochMilli());
                statement.setLong(4, recordedMillis);
                statement.setString(5, event.subject());
                statement.setString(6, event.owner());
                statement.setString(7, event.repo());
                statement.setString(8, event.pkg());
                statement.setString(9, event.version());
                statement.setString(10, event.path());
                statement.setString(11, event.ipAddress());
                statement.setString(12, details(event.threshold()));
                statement.addBatch();
            }
            statement.executeBatch();
        } catch (SQLException e) {
            throw new UnableToExecuteStatementException("Cannot append " + events.size() + " events", e, null);
        }
    }

    /**
     * Inserts {@code events} (one type, one owner, no threshold, at most {@value #MAX_PACKED}) as one
     * packed row holding the positions from {@code firstSeq} on.
     */
    void insertPacked(Handle handle, long firstSeq, List<Event> events, Instant recorded) {
        if (events.size() > MAX_PACKED) {
            throw new IllegalArgumentException("At most " + MAX_PACKED + " events pack into a row, not " + events.size());
        }
        var first = events.get(0);
        try (var statement = handle.getConnection().prepareStatement("INSERT INTO events_event (" + COLUMNS
                + ") VALUES (?, ?, ?, ?, NULL, ?, NULL, NULL, NULL, NULL, NULL, NULL, ?, ?)")) {
            statement.setLong(1, firstSeq);
            statement.setString(2, first.type().wire());
            statement.setLong(3, first.time().toEpochMilli());
            statement.setLong(4, recorded.toEpochMilli());
            statement.setString(5, first.owner());
            statement.setLong(6, firstSeq + events.size() - 1);
            statement.setBytes(7, PackedEvents.pack(events));
            statement.executeUpdate();
        } catch (SQLException e) {
            throw new UnableToExecuteStatementException("Cannot append " + events.size() + " packed events", e, null);
        }
    }

    /** Up to {@code limit} events after {@code seq} in order; only {@code owner}'s unless it is null. */
    List<StoredEvent> after(long seq, int limit, String owner) {
        return read((owner == null ? "" : " AND owner = :owner"), seq, Long.MAX_VALUE, limit,
                query -> query.bind("owner", owner));
    }

    /**
     * Up to {@code limit} events of {@code type} after {@code seq} and up to {@code upTo}, in order:
     * the filter runs in the database, so a reader of one rare type skips the others cheaply.
     */
    List<StoredEvent> ofType(long seq, long upTo, EventType type, int limit) {
        return read(" AND type = :type AND seq <= :upTo", seq, upTo, limit,
                query -> query.bind("type", type.wire()).bind("upTo", upTo));
    }

    /**
     * Up to {@code limit} events at positions after {@code seq} and up to {@code upTo}, in rows that
     * also match {@code where}: packed rows are unpacked, and those that hold {@code seq} itself start
     * after it. Each row holds at least one event, so {@code limit} rows always hold enough.
     */
    private List<StoredEvent> read(String where, long seq, long upTo, int limit, Consumer<Query> binder) {
        var rows = jdbi.withHandle(handle -> {
            var query = handle.createQuery("SELECT " + COLUMNS + " FROM events_event WHERE seq > :from"
                    + " AND last_seq > :seq" + where + " ORDER BY seq LIMIT :limit");
            binder.accept(query);
            return query.bind("from", seq - MAX_PACKED).bind("seq", seq).bind("limit", limit)
                    .map((rs, ctx) -> map(rs)).list();
        });
        var events = new ArrayList<StoredEvent>();
        for (var row : rows) {
            for (var event : row) {
                if (event.seq() > seq && event.seq() <= upTo) {
                    events.add(event);
                    if (events.size() == limit) {
                        return events;
                    }
                }
            }
        }
        return events;
    }

    /** The last sequence number handed out by a committed transaction (0 before the first event). */
    long latestSeq() {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT last_seq FROM events_counter WHERE id = 1")
                .mapTo(Long.class).one());
    }

    /** The smallest sequence number still kept, if any event is. */
    Optional<Long> firstSeq() {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT MIN(seq) FROM events_event")
                .mapTo(Long.class).findOne());
    }

    /**
     * Deletes the events up to the last one recorded before {@code cutoff}: always a prefix of the
     * sequence, so what stays is contiguous even where recording times are not quite in seq order.
     * Deletes the rows of {@code chunk} positions per statement, so a large purge holds no long locks.
     * Returns how many events it removed, each event of a packed row counted.
     */
    int deleteRecordedBefore(Instant cutoff, int chunk) {
        var last = jdbi.withHandle(handle -> handle.createQuery("SELECT MAX(seq) FROM events_event"
                        + " WHERE recorded < :cutoff")
                .bind("cutoff", cutoff.toEpochMilli()).mapTo(Long.class).findOne());
        var first = firstSeq();
        if (last.isEmpty() || first.isEmpty()) {
            return 0;
        }
        int removed = 0;
        for (long upTo = Math.min(last.get(), first.get() + chunk - 1); ; upTo = Math.min(last.get(), upTo + chunk)) {
            long bound = upTo;
            removed += jdbi.inTransaction(handle -> {
                long events = handle.createQuery("SELECT COALESCE(SUM(last_seq - seq + 1), 0) FROM events_event"
                        + " WHERE seq <= :last").bind("last", bound).mapTo(Long.class).one();
                handle.createUpdate("DELETE FROM events_event WHERE seq <= :last").bind("last", bound).execute();
                return Math.toIntExact(events);
            });
            if (upTo >= last.get()) {
                return removed;
            }
        }
    }

    /** The log offset a follower has put into the outbox, if it ever started. */
    Optional<Long> checkpoint(String consumer) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT log_offset FROM events_checkpoint"
                        + " WHERE consumer = :consumer")
                .bind("consumer", consumer).mapTo(Long.class).findOne());
    }

    /** Creates a follower's checkpoint at {@code offset} unless it exists; returns the stored one. */
    long createCheckpoint(String consumer, long offset) {
        try {
            jdbi.useHandle(handle -> handle.createUpdate("INSERT INTO events_checkpoint (consumer, log_offset)"
                    + " VALUES (:consumer, :offset)").bind("consumer", consumer).bind("offset", offset).execute());
        } catch (RuntimeException e) {
            // created meanwhile: the stored one below wins
        }
        return checkpoint(consumer).orElseThrow();
    }

    /**
     * Moves a checkpoint from {@code expected} to {@code next} in the caller's transaction; false when
     * it is not at {@code expected} any more (another follower of the same log moved it).
     */
    boolean moveCheckpoint(Handle handle, String consumer, long expected, long next) {
        return handle.createUpdate("UPDATE events_checkpoint SET log_offset = :next"
                        + " WHERE consumer = :consumer AND log_offset = :expected")
                .bind("next", next).bind("consumer", consumer).bind("expected", expected).execute() == 1;
    }

    /** A row's events: the one it describes, or all it packs. */
    private static List<StoredEvent> map(ResultSet rs) throws SQLException {
        long seq = rs.getLong("seq");
        var recorded = Instant.ofEpochMilli(rs.getLong("recorded"));
        var type = EventType.fromWire(rs.getString("type"));
        var payload = rs.getBytes("payload");
        if (payload != null) {
            List<Event> packed;
            try {
                packed = PackedEvents.unpack(payload, type, rs.getString("owner"));
            } catch (IllegalArgumentException e) {
                throw new SQLException("Unreadable packed events at " + seq + ": " + e.getMessage(), e);
            }
            if (packed.size() != rs.getLong("last_seq") - seq + 1) {
                throw new SQLException("The packed row at " + seq + " holds " + packed.size() + " events, not "
                        + (rs.getLong("last_seq") - seq + 1));
            }
            var events = new ArrayList<StoredEvent>(packed.size());
            for (var event : packed) {
                events.add(new StoredEvent(seq++, recorded, event));
            }
            return events;
        }
        return List.of(new StoredEvent(seq, recorded,
                new Event(type, Instant.ofEpochMilli(rs.getLong("occurred")),
                        rs.getString("actor"), rs.getString("owner"), rs.getString("repo"), rs.getString("package"),
                        rs.getString("version"), rs.getString("path"), rs.getString("ip_address"),
                        threshold(rs.getString("details")))));
    }

    /** What {@code details} holds of a threshold event: its fields, the period as epoch millis. */
    private record ThresholdDetails(String scope, String target, String kind, long limitBytes, long usageBytes,
                                    long periodStart) {
    }

    private static String details(Event.ThresholdExceeded threshold) {
        if (threshold == null) {
            return null;
        }
        try {
            return JSON.writeValueAsString(new ThresholdDetails(threshold.scope(), threshold.target(),
                    threshold.kind(), threshold.limitBytes(), threshold.usageBytes(),
                    threshold.periodStart().toEpochMilli()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Event.ThresholdExceeded threshold(String details) throws SQLException {
        if (details == null) {
            return null;
        }
        try {
            var stored = JSON.readValue(details, ThresholdDetails.class);
            return new Event.ThresholdExceeded(stored.scope(), stored.target(), stored.kind(), stored.limitBytes(),
                    stored.usageBytes(), Instant.ofEpochMilli(stored.periodStart()));
        } catch (JsonProcessingException e) {
            throw new SQLException("Unreadable event details: " + e.getOriginalMessage(), e);
        }
    }
}
