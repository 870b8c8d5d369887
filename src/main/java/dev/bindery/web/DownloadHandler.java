package dev.bindery.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.bindery.BinderyException;
import dev.bindery.access.Authenticator;
import dev.bindery.access.RestrictionService;
import dev.bindery.analytics.AnalyticsPipeline;
import dev.bindery.analytics.DownloadEvent;
import dev.bindery.content.FilePath;
import dev.bindery.content.Refs.RepoRef;
import dev.bindery.download.ByteRange;
import dev.bindery.download.DownloadService;
import dev.bindery.download.DownloadService.Download;
import dev.bindery.download.FileBodies;
import dev.bindery.download.SignedUrlService;
import dev.bindery.download.SignedUrlService.Verified;
import dev.bindery.subject.Caller;
import dev.bindery.web.json.Json;
import dev.bindery.web.json.MessageJson;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.URIUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Download Content, {@code GET/HEAD /dl/:subject/:repo/:file_path}: the hot path, so it is a Jetty
 * handler in front of Javalin rather than a route behind it. It answers conditional requests (the
 * ETag is the file's SHA-1, as Bintray's download server sent it) and single byte ranges, and
 * writes headers and body with one non-blocking write from memory or a file mapping. Errors have
 * the API's {@code {"message": "..."}} shape.
 */
final class DownloadHandler extends Handler.Abstract {

    static final String PREFIX = "/dl/";
    private static final Logger LOG = LoggerFactory.getLogger(DownloadHandler.class);
    private static final HttpField ACCEPT_RANGES = new PreEncodedHttpField(HttpHeader.ACCEPT_RANGES, "bytes");
    private static final HttpField JSON = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "application/json");
    private static final HttpField CHALLENGE = new PreEncodedHttpField(HttpHeader.WWW_AUTHENTICATE,
            ErrorHandling.WWW_AUTHENTICATE);

    private final Authenticator authenticator;
    private final DownloadService downloads;
    private final FileBodies bodies;
    /** Null when download analytics are off. */
    private final AnalyticsPipeline analytics;
    private final ClientAddress clientAddress;
    private final Clock clock;
    private final RestrictionService restrictions;
    private final SignedUrlService signedUrls;

    DownloadHandler(Authenticator authenticator, DownloadService downloads, FileBodies bodies,
                    AnalyticsPipeline analytics, ClientAddress clientAddress, Clock clock,
                    RestrictionService restrictions, SignedUrlService signedUrls) {
        this.restrictions = restrictions;
        this.signedUrls = signedUrls;
        this.authenticator = authenticator;
        this.downloads = downloads;
        this.bodies = bodies;
        this.analytics = analytics;
        this.clientAddress = clientAddress;
        this.clock = clock;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        var rawPath = request.getHttpURI().getPath();
        if (rawPath == null || !rawPath.startsWith(PREFIX)) {
            return false;
        }
        var method = request.getMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            error(response, callback, 405, "Method " + method + " is not allowed on '" + rawPath + "'");
            return true;
        }
        try {
            serve(request, response, callback, rawPath, method.equals("HEAD"));
        } catch (BinderyException e) {
            error(response, callback, ErrorHandling.status(e.kind()), e.getMessage());
        } catch (RuntimeException | IOException e) {
            LOG.error("Unexpected error on {} {}", method, rawPath, e);
            error(response, callback, 500, "Internal server error");
        }
        return true;
    }

    private void serve(Request request, Response response, Callback callback, String rawPath, boolean head)
            throws IOException {
        var target = parse(rawPath);
        var clientIp = clientAddress.of(Request.getRemoteAddr(request),
                request.getHeaders().get(HttpHeader.X_FORWARDED_FOR));
        var authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        var query = request.getHttpURI().getQuery();
        if (query != null) {
            // A bearer token may come as ?access_token=; requests without a query skip this.
            authorization = AccessTokenParam.authorization(authorization, AccessTokenParam.fromQuery(query));
        }
        // A signed URL (URL Signing) stands in for credentials; plain downloads, without a query, skip this.
        Optional<Verified> signed = query == null ? Optional.empty()
                : signedUrls.verify(target.repo(), target.path(), query);
        var caller = signed.isPresent() ? Caller.of(signed.get().credential())
                : authenticator.authenticate(authorization, clientIp);
        var download = downloads.resolve(caller, target.repo(), target.path());
        // Geo and IP restrictions: every download of the repository, by anyone (as on Bintray).
        restrictions.check(download.repository().id(), download.repository().fullName(), clientIp);
        downloads.admit(caller, download, request.getHttpURI().getAuthority());
        var file = download.file();
        var headers = response.getHeaders();
        long lastModified = file.created().getEpochSecond();
        headers.put(HttpHeader.ETAG, "\"" + file.sha1() + "\"");
        headers.put(HttpHeader.LAST_MODIFIED, DateTimeFormatter.RFC_1123_DATE_TIME.format(
                Instant.ofEpochSecond(lastModified).atOffset(ZoneOffset.UTC)));
        headers.put(ACCEPT_RANGES);
        headers.put("X-Checksum-Sha1", file.sha1());
        headers.put("X-Checksum-Sha256", file.sha256());
        headers.put("X-Checksum-Md5", file.md5());
        var requestHeaders = request.getHeaders();
        if (notModified(requestHeaders.get(HttpHeader.IF_NONE_MATCH), requestHeaders.get(HttpHeader.IF_MODIFIED_SINCE),
                file.sha1(), lastModified)) {
            response.setStatus(304);
            callback.succeeded();
            return;
        }
        var rangeHeader = requestHeaders.get(HttpHeader.RANGE);
        Optional<ByteRange> range;
        try {
            range = rangeApplies(requestHeaders.get(HttpHeader.IF_RANGE), file.sha1(), lastModified)
                    ? ByteRange.parse(rangeHeader, file.size()) : Optional.empty();
        } catch (ByteRange.UnsatisfiableException e) {
            headers.put(HttpHeader.CONTENT_RANGE, "bytes */" + file.size());
            error(response, callback, 416, "Range '" + rangeHeader + "' is outside the file's " + file.size() + " bytes");
            return;
        }
        long start = range.map(ByteRange::start).orElse(0L);
        long length = range.map(ByteRange::length).orElse(file.size());
        response.setStatus(range.isPresent() ? 206 : 200);
        range.ifPresent(r -> headers.put(HttpHeader.CONTENT_RANGE, "bytes " + r.start() + "-" + r.end() + "/" + file.size()));
        headers.put(HttpHeader.CONTENT_TYPE, download.contentType());
        headers.put(HttpHeader.CONTENT_LENGTH, length);
        if (head || length == 0) {
            response.write(true, null, callback);
            return;
        }
        var slices = bodies.slices(download, start, length);
        var capture = new Capture(request, clientIp, signed.map(Verified::userName).orElseGet(caller::name), download,
                range.isPresent() ? 206 : 200, range.isPresent() ? rangeHeader : null, signed.orElse(null));
        if (slices.isPresent()) {
            var buffers = slices.get();
            writeAll(response, buffers, 0, Callback.from(() -> {
                capture.record(length);
                capture.completed();
                callback.succeeded();
            }, failure -> {
                // A client that hung up: count what reached the socket.
                capture.record(buffers.stream().mapToLong(ByteBuffer::position).sum());
                callback.failed(failure);
            }));
        } else {
            stream(response, download, start, length, capture, callback);
        }
    }

    /** What a download event needs from the request, kept until the response is done. */
    private final class Capture {
        private final String ip;
        private final String user;
        private final Download download;
        private final int status;
        private final String range;
        private final String userAgent;
        private final String referrer;
        /** The signed URL the download came through, or null. */
        private final Verified signed;

        Capture(Request request, String ip, String user, Download download, int status, String range,
                Verified signed) {
            this.signed = signed;
            this.ip = ip;
            this.user = user;
            this.download = download;
            this.status = status;
            this.range = range;
            this.userAgent = request.getHeaders().get(HttpHeader.USER_AGENT);
            this.referrer = request.getHeaders().get(HttpHeader.REFERER);
        }

        void record(long bytesSent) {
            // Index files (Release, repomd.xml, maven-metadata.xml) belong to no package: not downloads.
            if (analytics == null || download.file().pkg() == null) {
                return;
            }
            var file = download.file();
            analytics.record(DownloadEvent.captured(clock.millis(), ip, user, file.owner(),
                    file.repository(), file.pkg(), file.version(), file.path(), "GET", status, bytesSent, range,
                    userAgent, referrer));
        }

        /** Once the whole body went out: a signed URL's callbacks. */
        void completed() {
            if (signed != null) {
                signedUrls.downloaded(signed, download.file(), ip);
            }
        }
    }

    /** Writes the buffers in order, each after the previous completed; the last one ends the response. */
    private static void writeAll(Response response, List<ByteBuffer> buffers, int index, Callback callback) {
        boolean last = index == buffers.size() - 1;
        response.write(last, buffers.get(index), last ? callback : Callback.from(
                () -> writeAll(response, buffers, index + 1, callback), callback::failed));
    }

    /** For stores without local files: blocking copy through a buffer. */
    private void stream(Response response, Download download, long start, long length, Capture capture,
                        Callback callback) throws IOException {
        long sent = 0;
        try (InputStream in = downloads.open(download);
             var out = Response.asBufferedOutputStream(null, response)) {
            in.skipNBytes(start);
            var buffer = new byte[64 * 1024];
            while (sent < length) {
                int read = in.read(buffer, 0, (int) Math.min(buffer.length, length - sent));
                if (read < 0) {
                    break;
                }
                out.write(buffer, 0, read);
                sent += read;
            }
        } finally {
            capture.record(sent);
        }
        if (sent == length) {
            capture.completed();
        }
        callback.succeeded();
    }

    private record Target(RepoRef repo, FilePath path) {
    }

    /**
     * {@code /dl/subject/repo/path}, decoded. Encoded slashes, backslashes and NULs are refused
     * before decoding, since they would change what the path means.
     */
    static Target parse(String rawPath) {
        Gate.checkRawUri(rawPath);
        String decoded;
        try {
            decoded = URIUtil.decodePath(rawPath.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw BinderyException.badRequest("Path is not validly encoded");
        }
        var segments = java.util.Arrays.stream(decoded.split("/")).filter(segment -> !segment.isEmpty()).toList();
        if (segments.size() < 3) {
            throw BinderyException.notFound("Downloads are at /dl/:subject/:repo/:file_path");
        }
        return new Target(new RepoRef(segments.get(0), segments.get(1)),
                FilePath.of(String.join("/", segments.subList(2, segments.size()))));
    }

    private static void error(Response response, Callback callback, int status, String message) {
        response.setStatus(status);
        var headers = response.getHeaders();
        headers.remove(HttpHeader.CONTENT_LENGTH);
        headers.put(JSON);
        if (status == 401) {
            headers.put(CHALLENGE);
        }
        try {
            response.write(true, ByteBuffer.wrap(Json.MAPPER.writeValueAsBytes(new MessageJson(message))), callback);
        } catch (JsonProcessingException e) {
            callback.failed(e);
        }
    }

    /** RFC 9110: If-None-Match wins over If-Modified-Since. */
    static boolean notModified(String ifNoneMatch, String ifModifiedSince, String sha1, long lastModifiedSeconds) {
        if (ifNoneMatch != null) {
            return etagMatches(ifNoneMatch, sha1);
        }
        var since = httpDate(ifModifiedSince);
        return since != null && lastModifiedSeconds <= since;
    }

    /** A Range counts only if If-Range (when sent) still names this representation. */
    static boolean rangeApplies(String ifRange, String sha1, long lastModifiedSeconds) {
        if (ifRange == null) {
            return true;
        }
        if (ifRange.contains("\"")) {
            return etagMatches(ifRange, sha1);
        }
        var date = httpDate(ifRange);
        return date != null && date == lastModifiedSeconds;
    }

    private static boolean etagMatches(String header, String sha1) {
        for (var candidate : header.split(",")) {
            var tag = candidate.trim();
            if (tag.startsWith("W/")) {
                tag = tag.substring(2);
            }
            if (tag.equals("*") || tag.replace("\"", "").equalsIgnoreCase(sha1)) {
                return true;
            }
        }
        return false;
    }

    private static Long httpDate(String value) {
        if (value == null) {
            return null;
        }
        try {
            return DateTimeFormatter.RFC_1123_DATE_TIME.parse(value.trim(), Instant::from).getEpochSecond();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
