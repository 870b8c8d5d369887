package dev.bindery.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.bindery.Times;
import dev.bindery.events.StoredEvent;
import dev.bindery.events.StreamService;
import dev.bindery.web.json.Json;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.BufferUtil;

/**
 * The Stream API (events firehose): a chunked response of {@code \r\n}-terminated lines, each one
 * JSON event or empty (keep-alive), optionally gzip-compressed with a flush per event.
 */
final class StreamRoutes {

    static final String RECONNECT_ID = "X-Bintray-Stream-Reconnect-Id";
    /** The name some Bintray clients sent the id under. */
    static final String HOSE_RECONNECT_ID = "X-Bintray-Hose-Reconnect-Id";
    private static final byte[] CRLF = "\r\n".getBytes(StandardCharsets.US_ASCII);

    private final StreamService streams;

    StreamRoutes(StreamService streams) {
        this.streams = streams;
    }

    void getStream(Context ctx) throws Exception {
        var reconnectId = ctx.header(RECONNECT_ID);
        if (reconnectId == null || reconnectId.isBlank()) {
            reconnectId = ctx.header(HOSE_RECONNECT_ID);
        }
        try (var stream = streams.open(Http.caller(ctx), ctx.pathParam("subject"), reconnectId)) {
            var gzip = acceptsGzip(ctx.header("Accept-Encoding"));
            var response = ctx.res();
            response.setStatus(200);
            response.setContentType("application/json; charset=utf-8");
            response.setHeader(RECONNECT_ID, stream.reconnectId());
            response.setHeader("Cache-Control", "no-cache");
            if (gzip) {
                response.setHeader("Content-Encoding", "gzip");
                response.setHeader("Vary", "Accept-Encoding");
            }
            // Written straight to the servlet stream, so Javalin's own compression never sees (or doubles) it.
            var endPoint = endPoint(ctx);
            var raw = response.getOutputStream();
            try (OutputStream out = gzip ? new GZIPOutputStream(raw, 8192, true) : raw) {
                out.flush();
                raw.flush();
                while (stream.active()) {
                    var batch = stream.next(streams.keepAlive());
                    if (!stream.active() || clientClosed(endPoint)) {
                        break;
                    }
                    if (batch.isEmpty()) {
                        out.write(CRLF);
                    } else {
                        for (var event : batch) {
                            out.write(Json.MAPPER.writeValueAsBytes(EventJson.of(event)));
                            out.write(CRLF);
                        }
                    }
                    out.flush();
                    raw.flush();
                    if (!batch.isEmpty()) {
                        stream.delivered(batch.get(batch.size() - 1).seq());
                    }
                }
            } catch (IOException gone) {
                // The client left: the position stays for the reconnect window.
            } catch (InterruptedException stopping) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The connection's end point, to see whether the client has closed; null if Jetty does not say. */
    private static EndPoint endPoint(Context ctx) {
        try {
            var request = ServletContextRequest.getServletContextRequest(ctx.req());
            return request == null ? null : request.getConnectionMetaData().getConnection().getEndPoint();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * Whether the client has closed its side. A write to a closed connection still succeeds once (the
     * client's reset comes back later), so without this check the events of that write would count as
     * sent and be missing on reconnect. Reading is safe here: the request (a GET) is complete, and a
     * client of an endless response sends nothing more on the connection.
     */
    private static boolean clientClosed(EndPoint endPoint) {
        if (endPoint == null) {
            return false;
        }
        try {
            return endPoint.fill(BufferUtil.allocate(1)) < 0;
        } catch (IOException e) {
            return true;
        }
    }

    private static boolean acceptsGzip(String acceptEncoding) {
        if (acceptEncoding == null) {
            return false;
        }
        for (var part : acceptEncoding.toLowerCase(Locale.ROOT).split(",")) {
            var fields = part.trim().split(";");
            if (fields[0].trim().equals("gzip")) {
                return fields.length < 2 || !fields[1].replace(" ", "").equals("q=0");
            }
        }
        return false;
    }

    /** An event as the firehose writes it (Bintray's Stream API example), absent fields left out. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"type", "time", "subject", "path", "ip_address", "repo", "package", "version", "threshold"})
    record EventJson(String type, String time, String subject, String path,
                     @JsonProperty("ip_address") String ipAddress, String repo,
                     @JsonProperty("package") String pkg, String version, ThresholdJson threshold) {
        static EventJson of(StoredEvent stored) {
            var event = stored.event();
            return new EventJson(event.type().wire(), Times.format(event.time()), event.subject(), event.path(),
                    event.ipAddress(), event.repo(), event.pkg(), event.version(), ThresholdJson.of(event.threshold()));
        }
    }

    /** Which threshold a {@code threshold_exceeded} event is about, in the usage threshold's own field names. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"scope", "business_unit", "type", "limit_bytes", "usage_bytes", "period_start"})
    record ThresholdJson(String scope, @JsonProperty("business_unit") String businessUnit, String type,
                         @JsonProperty("limit_bytes") long limitBytes, @JsonProperty("usage_bytes") long usageBytes,
                         @JsonProperty("period_start") String periodStart) {
        static ThresholdJson of(dev.bindery.events.Event.ThresholdExceeded threshold) {
            if (threshold == null) {
                return null;
            }
            var unit = "business_unit".equals(threshold.scope()) ? threshold.target() : null;
            return new ThresholdJson(threshold.scope(), unit, threshold.kind(), threshold.limitBytes(),
                    threshold.usageBytes(), Times.format(threshold.periodStart()));
        }
    }
}
