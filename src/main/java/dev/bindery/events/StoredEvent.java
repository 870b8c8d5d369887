package dev.bindery.events;

import java.time.Instant;

/**
 * An event in the outbox.
 *
 * @param seq      its position: global, gap-free, in commit order; a reader resumes after the last it saw
 * @param recorded when it entered the outbox (what retention counts from)
 */
public record StoredEvent(long seq, Instant recorded, Event event) {
}
