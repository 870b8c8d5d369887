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

    public DownloadEvent enrich(DownloadEvent event) {
        GeoInfo place;
        ClientInfo client;
        try {
            place = geo == null ? GeoInfo.UNKNOWN : geo.lookup(event.ip());
        } catch (RuntimeException e) {
            place = GeoInfo.UNKNOWN;
        }
        try {
            client = userAgents.classify(event.userAgent());
        } catch (RuntimeException e) {
            client = ClientInfo.UNKNOWN;
        }
        return event.enriched(place, client);
    }
}
