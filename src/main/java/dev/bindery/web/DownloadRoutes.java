package dev.bindery.web;

import dev.bindery.download.ByteRange;
import dev.bindery.download.DownloadService;
import dev.bindery.download.DownloadService.Download;
import dev.bindery.download.FileBodies;
import io.javalin.http.Context;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import org.eclipse.jetty.ee10.servlet.HttpOutput;

/**
 * Download Content: {@code GET/HEAD /dl/:subject/:repo/:file_path}. Answers conditional requests
 * (ETag is the file's SHA-1, as Bintray's download server sent it) and single byte ranges, and
 * writes bytes straight from memory or a file mapping.
 */
final class DownloadRoutes {

    private final DownloadService downloads;
    private final FileBodies bodies;

    DownloadRoutes(DownloadService downloads, FileBodies bodies) {
        this.downloads = downloads;
        this.bodies = bodies;
    }

    void downloadContent(Context ctx) throws IOException {
        var download = downloads.resolve(Http.caller(ctx), RepositoryRoutes.repoRef(ctx), Http.filePath(ctx));
        var file = download.file();
        var res = ctx.res();
        var etag = "\"" + file.sha1() + "\"";
        var lastModified = file.created().getEpochSecond();
        res.setHeader("ETag", etag);
        res.setHeader("Last-Modified", DateTimeFormatter.RFC_1123_DATE_TIME.format(
                Instant.ofEpochSecond(lastModified).atOffset(ZoneOffset.UTC)));
        res.setHeader("Accept-Ranges", "bytes");
        res.setHeader("X-Checksum-Sha1", file.sha1());
        res.setHeader("X-Checksum-Sha256", file.sha256());
        res.setHeader("X-Checksum-Md5", file.md5());
        if (notModified(ctx, file.sha1(), lastModified)) {
            res.setStatus(304);
            return;
        }
        Optional<ByteRange> range;
        try {
            range = rangeApplies(ctx, file.sha1(), lastModified)
                    ? ByteRange.parse(ctx.header("Range"), file.size()) : Optional.empty();
        } catch (ByteRange.UnsatisfiableException e) {
            res.setHeader("Content-Range", "bytes */" + file.size());
            ErrorHandling.respond(ctx, 416, "Range '" + ctx.header("Range") + "' is outside the file's "
                    + file.size() + " bytes");
            return;
        }
        long start = range.map(ByteRange::start).orElse(0L);
        long length = range.map(ByteRange::length).orElse(file.size());
        res.setStatus(range.isPresent() ? 206 : 200);
        range.ifPresent(r -> res.setHeader("Content-Range", "bytes " + r.start() + "-" + r.end() + "/" + file.size()));
        res.setContentType(download.contentType());
        res.setContentLengthLong(length);
        if (ctx.method().name().equals("HEAD")) {
            return;
        }
        send(res, download, start, length);
    }

    private void send(HttpServletResponse res, Download download, long start, long length) throws IOException {
        var out = res.getOutputStream();
        Optional<List<ByteBuffer>> slices = bodies.slices(download, start, length);
        if (slices.isPresent() && out instanceof HttpOutput jetty) {
            var buffers = slices.get();
            if (buffers.size() == 1) {
                // One call: Jetty writes headers and body together and completes the response.
                jetty.sendContent(buffers.get(0));
            } else {
                for (var buffer : buffers) {
                    jetty.write(buffer);
                }
                jetty.close();
            }
            return;
        }
        try (var in = downloads.open(download)) {
            in.skipNBytes(start);
            var buffer = new byte[64 * 1024];
            long remaining = length;
            while (remaining > 0) {
                int read = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
                if (read < 0) {
                    break;
                }
                out.write(buffer, 0, read);
                remaining -= read;
            }
        }
    }

    /** RFC 9110: If-None-Match wins over If-Modified-Since. */
    private static boolean notModified(Context ctx, String sha1, long lastModifiedSeconds) {
        var ifNoneMatch = ctx.header("If-None-Match");
        if (ifNoneMatch != null) {
            return etagMatches(ifNoneMatch, sha1);
        }
        var since = httpDate(ctx.header("If-Modified-Since"));
        return since != null && lastModifiedSeconds <= since;
    }

    /** A Range counts only if If-Range (when sent) still names this representation. */
    private static boolean rangeApplies(Context ctx, String sha1, long lastModifiedSeconds) {
        var ifRange = ctx.header("If-Range");
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
