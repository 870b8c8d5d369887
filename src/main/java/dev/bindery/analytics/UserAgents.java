package dev.bindery.analytics;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.Optional;
import ua_parser.Parser;

/**
 * Classifies a download's User-Agent into an OS family and a client, from the fixed vocabularies
 * of {@link ClientInfo}.
 *
 * <p>Two sources, in order. First the tool table in {@link UserAgentRules}: package managers,
 * build and container tools, downloaders and runtime HTTP clients, with the OS read from where
 * each tool writes it. Then, only for User-Agents that start like a browser's ({@code Mozilla/},
 * {@code Opera/}), ua-parser (uap-java) for the browser and the OS. Anything else is unknown, so
 * junk never reaches the parser's thousand regexes. Only the first {@value #MAX_LENGTH} characters
 * are read, and only the first {@value #MAX_BROWSER_LENGTH} go to the parser; real User-Agents are
 * shorter (pip's, the longest here, about 500).
 *
 * <p>Results are cached by User-Agent, since a few hundred of them make nearly all downloads. The
 * cache (Caffeine, W-TinyLFU) holds about 10,000 typical User-Agents: it is bounded by weight, each
 * entry counting its length plus {@value #ENTRY_WEIGHT}, so 1 KiB junk cannot make it big, and its
 * admission policy keeps a flood of one-off User-Agents from evicting the frequent ones.
 *
 * <p>Cost, measured on the 2-core development machine: a cache hit about 55 ns; a miss 1 to 3 µs
 * for a tool, about 0.5 ms for a browser (ua-parser tries its regexes in turn) and up to 3 ms for
 * junk that starts like a browser. The parser's regexes are compiled once per JVM, on the first
 * browser User-Agent: about half a second and 2 MB of heap, shared by every instance.
 *
 * <p>Thread-safe. {@link #classify} never throws.
 */
public final class UserAgents {

    /** Characters of a User-Agent that are classified (and cached); the rest is ignored. */
    static final int MAX_LENGTH = 1024;
    /** Characters of a browser User-Agent given to ua-parser, whose cost grows with the length. */
    static final int MAX_BROWSER_LENGTH = 512;
    /** Cache weight of an entry beyond its key's length, roughly its bytes of bookkeeping. */
    static final int ENTRY_WEIGHT = 64;
    /** About 10,000 entries of a typical 150 to 250 characters. */
    static final long DEFAULT_CACHE_WEIGHT = 10_000L * (ENTRY_WEIGHT + 192);

    private static volatile Parser browserParser;

    private final Cache<String, ClientInfo> cache;

    public UserAgents() {
        this(DEFAULT_CACHE_WEIGHT);
    }

    /** @param cacheWeight the cache's bound: the sum over entries of key length plus {@value #ENTRY_WEIGHT} */
    UserAgents(long cacheWeight) {
        this.cache = Caffeine.newBuilder()
                .maximumWeight(cacheWeight)
                .weigher((String userAgent, ClientInfo info) -> ENTRY_WEIGHT + userAgent.length())
                // Evict on the calling thread: the pipeline's threads are the ones to pay, not the common pool.
                .executor(Runnable::run)
                .build();
    }

    /**
     * The OS family and client the User-Agent names.
     *
     * @param userAgent the header's value; null, blank and unrecognised give {@link ClientInfo#UNKNOWN}
     *                  or an unknown field
     */
    public ClientInfo classify(String userAgent) {
        if (userAgent == null) {
            return ClientInfo.UNKNOWN;
        }
        String key = userAgent.length() > MAX_LENGTH ? userAgent.substring(0, MAX_LENGTH) : userAgent;
        ClientInfo info = cache.getIfPresent(key);
        if (info == null) {
            // Two threads missing on the same key both classify it; cheaper than locking the entry
            // while a browser User-Agent goes through hundreds of regexes.
            info = classifyUncached(key);
            cache.put(key, info);
        }
        return info;
    }

    /** Entries in the cache now, after pending evictions; for tests. */
    long cachedEntries() {
        cache.cleanUp();
        return cache.estimatedSize();
    }

    private static ClientInfo classifyUncached(String userAgent) {
        try {
            String stripped = userAgent.strip();
            if (stripped.isEmpty()) {
                return ClientInfo.UNKNOWN;
            }
            Optional<ClientInfo> tool = UserAgentRules.match(stripped);
            if (tool.isPresent()) {
                return tool.get();
            }
            if (stripped.startsWith("Mozilla/") || stripped.startsWith("Opera/")) {
                return browser(stripped.length() > MAX_BROWSER_LENGTH
                        ? stripped.substring(0, MAX_BROWSER_LENGTH) : stripped);
            }
            return ClientInfo.UNKNOWN;
        } catch (RuntimeException | StackOverflowError e) {
            // java.util.regex recurses on some inputs; a User-Agent that defeats a regex costs its
            // download the classification, never the pipeline its thread.
            return ClientInfo.UNKNOWN;
        }
    }

    private static ClientInfo browser(String userAgent) {
        Parser parser = browserParser();
        String client = browserClient(parser.parseUserAgent(userAgent).family);
        String os = UserAgentRules.osFamily(parser.parseOS(userAgent).family);
        return client.equals(ClientInfo.UNKNOWN_VALUE) && os.equals(ClientInfo.UNKNOWN_VALUE)
                ? ClientInfo.UNKNOWN : new ClientInfo(os, client);
    }

    /** ua-parser's browser family as one of ours; in-app web views, crawlers and the rest are unknown. */
    static String browserClient(String family) {
        if (family == null) {
            return ClientInfo.UNKNOWN_VALUE;
        }
        return switch (family) {
            case "Chrome", "Chrome Mobile", "Chrome Mobile iOS", "Chromium" -> "Chrome";
            case "Safari", "Mobile Safari" -> "Safari";
            case "Edge", "Edge Mobile" -> "Edge";
            case "Samsung Internet" -> "Samsung Internet";
            default -> family.startsWith("Firefox") ? "Firefox"
                    : family.startsWith("Opera") ? "Opera"
                    : ClientInfo.UNKNOWN_VALUE;
        };
    }

    // Built on first use and shared: most servers, and most tests, never see a browser. A failed
    // build throws to classifyUncached (unknown) and is tried again on the next browser.
    private static Parser browserParser() {
        Parser parser = browserParser;
        if (parser == null) {
            synchronized (UserAgents.class) {
                parser = browserParser;
                if (parser == null) {
                    parser = new Parser();
                    browserParser = parser;
                }
            }
        }
        return parser;
    }
}
