package dev.bindery.ui;

import dev.bindery.subject.Caller;
import io.javalin.http.Context;
import java.util.Optional;

/**
 * Who is looking at a page. Pages never read credentials themselves: they ask this class, which
 * asks the {@link SessionLookup} it was built with and falls back to {@link Caller#ANONYMOUS}.
 * Logging in to the web UI is therefore one change: a {@code SessionLookup} that reads the session
 * cookie, passed where {@code WebServer} builds {@link UiRoutes}. The answer is remembered on the
 * request, so a page may ask more than once. Thread-safe if the lookup is.
 */
public final class UiCaller {

    /** Finds the caller of a request from its session (cookie), or empty when it has none or it expired. */
    @FunctionalInterface
    public interface SessionLookup {
        Optional<Caller> caller(Context ctx);
    }

    /** No sessions yet: every page is rendered for an anonymous caller. */
    public static final SessionLookup NO_SESSIONS = ctx -> Optional.empty();

    private static final String ATTRIBUTE = "bindery.ui.caller";

    private final SessionLookup sessions;

    public UiCaller(SessionLookup sessions) {
        this.sessions = sessions;
    }

    /** The caller of this request: its session's user, else anonymous. Never null. */
    public Caller of(Context ctx) {
        Caller cached = ctx.attribute(ATTRIBUTE);
        if (cached == null) {
            cached = sessions.caller(ctx).orElse(Caller.ANONYMOUS);
            ctx.attribute(ATTRIBUTE, cached);
        }
        return cached;
    }
}
