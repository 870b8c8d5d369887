package dev.bindery.analytics;

/**
 * One download that sent bytes, as captured on the download path and then enriched by the
 * analytics writer. Text fields the capture could not know are {@code null} until enrichment, which
 * turns what it cannot find out into {@code "unknown"}.
 *
 * @param timeMillis  when the response finished, epoch milliseconds UTC
 * @param ip          the client's address (X-Forwarded-For only from trusted proxies)
 * @param user        {@code anonymous}, or the user name, plus {@code :callback_id} for signed URLs
 * @param status      200 or 206
 * @param bytesSent   bytes actually written to the client (less than asked when it hung up)
 * @param range       the Range header that was served, or null
 */
public record DownloadEvent(
        long timeMillis,
        String ip,
        String user,
        String subject,
        String repo,
        String pkg,
        String version,
        String path,
        String method,
        int status,
        long bytesSent,
        String range,
        String userAgent,
        String referrer,
        String country,
        String region,
        String city,
        String postalCode,
        Double latitude,
        Double longitude,
        Long asn,
        String organization,
        String os,
        String client) {

    /** A freshly captured event: nothing enriched yet. */
    public static DownloadEvent captured(long timeMillis, String ip, String user, String subject, String repo,
                                         String pkg, String version, String path, String method, int status,
                                         long bytesSent, String range, String userAgent, String referrer) {
        return new DownloadEvent(timeMillis, ip, user, subject, repo, pkg, version, path, method, status, bytesSent,
                range, userAgent, referrer, null, null, null, null, null, null, null, null, null, null);
    }

    /** This event with what enrichment found out. */
    public DownloadEvent enriched(GeoInfo geo, ClientInfo client) {
        return new DownloadEvent(timeMillis, ip, user, subject, repo, pkg, version, path, method, status, bytesSent,
                range, userAgent, referrer, geo.country(), geo.region(), geo.city(), geo.postalCode(), geo.latitude(),
                geo.longitude(), geo.asn(), geo.organization(), client.os(), client.client());
    }
}
