package dev.bindery.analytics;

/**
 * Adds what can be found out about a download from its address and User-Agent: place and network
 * from the GeoIP databases, OS and client from the User-Agent. Never fails: what cannot be found
 * out is {@code "unknown"}. Thread-safe.
 */
public final class Enrichment {

    private final GeoLookup geo;
    private final UserAgents userAgents;

    /** @param geo null when no GeoIP database is configured */
    public Enrichment(GeoLookup geo, UserAgents userAgents) {
        this.geo = geo;
        this.userAgents = userAgents;
    }

    /** Where the download came from; {@link GeoInfo#UNKNOWN} when that cannot be found out. */
    GeoInfo place(DownloadEvent event) {
        try {
            return geo == null ? GeoInfo.UNKNOWN : geo.lookup(event.ip());
        } catch (RuntimeException e) {
            return GeoInfo.UNKNOWN;
        }
    }

    /** What made the download; {@link ClientInfo#UNKNOWN} when that cannot be found out. */
    ClientInfo client(DownloadEvent event) {
        try {
            return userAgents.classify(event.userAgent());
        } catch (RuntimeException e) {
            return ClientInfo.UNKNOWN;
        }
    }
}
