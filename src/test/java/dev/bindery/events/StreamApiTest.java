package dev.bindery.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bindery.support.BinderyServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Stream API (events firehose) of issue 6: chunked JSON lines of a subject's events, keep-alive
 * lines, gzip flushed per event, reconnect ids that resume without gaps or duplicates, and the limit
 * of 3 connections per subject. Streams are read on raw sockets, so the test sees each line as it
 * arrives and can cut a connection whenever it likes.
 */
class StreamApiTest {

    @RegisterExtension
    static final BinderyServer server = new BinderyServer();

    private static final ObjectMapper JSON = new ObjectMapper();

    private static StreamService streams() {
        return server.bindery().streams();
    }

    @AfterEach
    void restoreIntervals() {
        streams().keepAlive(Duration.ofSeconds(30));
        streams().holdWindow(EventService.REPLAY_WINDOW);
    }

    private static void givenPackage(String owner) {
        server.createRepository(owner, "generic");
        server.createPackage(owner, "generic", "tool");
    }

    private static StreamConnection open(String user, String subject, String... headers) throws IOException {
        return StreamConnection.open(server.port(), "/api/v1/stream/" + subject, user, headers);
    }

    /** Waits until the server has noticed that {@code subject} has {@code count} live streams. */
    private static void awaitLiveStreams(String subject, int count) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (streams().liveStreams(subject) != count) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("Streams of " + subject + " stayed at " + streams().liveStreams(subject));
            }
            Thread.sleep(20);
        }
    }

    @Test
    void aClientReadsUploadsDownloadsAndDeletesAsTheyHappen() throws Exception {
        // given: an open stream of sam's events, and somebody else's upload that it must not show
        givenPackage("sam");
        givenPackage("other");
        try (var stream = open("sam", "sam")) {
            assertThat(stream.status).isEqualTo(200);
            assertThat(stream.header("x-bintray-stream-reconnect-id")).matches("[0-9a-f]{32}");
            assertThat(stream.header("transfer-encoding")).isEqualToIgnoringCase("chunked");
            // when: an upload (with publish), a download and a delete, then a wrong key for sam
            server.as("other").put("/api/v1/content/other/generic/tool/1.0/o.txt?publish=1", "o");
            assertThat(server.as("sam").put("/api/v1/content/sam/generic/tool/1.0/a.txt?publish=1", "a").status())
                    .isEqualTo(201);
            var upload = stream.nextEvent();
            var published = stream.nextEvent();
            assertThat(server.anonymous().get("/dl/sam/generic/a.txt").status()).isEqualTo(200);
            var download = stream.nextEvent();
            assertThat(server.as("sam").delete("/api/v1/content/sam/generic/a.txt").status()).isEqualTo(200);
            var delete = stream.nextEvent();
            assertThat(server.withCredentials("sam", "wrong-key").get("/api/v1/repos/sam").status()).isEqualTo(401);
            var failure = stream.nextEvent();
            // then
            assertThat(upload.get("type").asText()).isEqualTo("upload");
            assertThat(upload.get("path").asText()).isEqualTo("/sam/generic/a.txt");
            assertThat(upload.get("subject").asText()).isEqualTo("sam");
            assertThat(upload.get("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
            assertThat(upload.get("repo").asText()).isEqualTo("generic");
            assertThat(upload.get("package").asText()).isEqualTo("tool");
            assertThat(upload.get("version").asText()).isEqualTo("1.0");
            assertThat(upload.get("ip_address").asText()).isEqualTo("127.0.0.1");
            assertThat(published.get("type").asText()).isEqualTo("version_published");
            assertThat(download.get("type").asText()).isEqualTo("download");
            assertThat(download.get("subject").asText()).isEqualTo("anonymous");
            assertThat(download.get("ip_address").asText()).isEqualTo("127.0.0.1");
            assertThat(download.get("path").asText()).isEqualTo("/sam/generic/a.txt");
            assertThat(delete.get("type").asText()).isEqualTo("delete");
            assertThat(delete.get("ip_address").asText()).isEqualTo("127.0.0.1");
            assertThat(failure.get("type").asText()).isEqualTo("login_failure");
            assertThat(failure.get("subject").asText()).isEqualTo("sam");
            assertThat(failure.has("path")).isFalse();
        }
    }

    @Test
    void aReconnectingClientGetsEveryMissedEventExactlyOnce() throws Exception {
        // given: a stream that saw one upload
        givenPackage("rick");
        String id;
        try (var stream = open("rick", "rick")) {
            id = stream.header("x-bintray-stream-reconnect-id");
            server.as("rick").put("/api/v1/content/rick/generic/tool/1.0/before.txt", "b");
            assertThat(stream.nextEvent().get("path").asText()).isEqualTo("/rick/generic/before.txt");
        }
        Thread.sleep(100);
        // when: it is cut off, five uploads happen at once, and it comes back with its id (under the older
        // header name); the server learns of the cut only when it has events to write
        for (int i = 0; i < 5; i++) {
            server.as("rick").put("/api/v1/content/rick/generic/tool/1.0/missed" + i + ".txt", "m");
        }
        try (var stream = open("rick", "rick", "X-Bintray-Hose-Reconnect-Id", id)) {
            server.as("rick").put("/api/v1/content/rick/generic/tool/1.0/after.txt", "a");
            // then: the same id, every missed upload once and in order, then the new one
            assertThat(stream.header("x-bintray-stream-reconnect-id")).isEqualTo(id);
            var paths = new ArrayList<String>();
            for (int i = 0; i < 6; i++) {
                paths.add(stream.nextEvent().get("path").asText());
            }
            assertThat(paths).containsExactly("/rick/generic/missed0.txt", "/rick/generic/missed1.txt",
                    "/rick/generic/missed2.txt", "/rick/generic/missed3.txt", "/rick/generic/missed4.txt",
                    "/rick/generic/after.txt");
            assertThat(stream.nextLine(Duration.ofMillis(300))).as("nothing twice").isNull();
        }
        // and: an unknown id starts a new stream from now, with a new id
        try (var stream = open("rick", "rick", "X-Bintray-Stream-Reconnect-Id", "0".repeat(32))) {
            assertThat(stream.status).isEqualTo(200);
            assertThat(stream.header("x-bintray-stream-reconnect-id")).isNotEqualTo(id).isNotEqualTo("0".repeat(32));
            assertThat(stream.nextLine(Duration.ofMillis(300))).as("nothing replayed").isNull();
        }
    }

    @Test
    void anIdInUseIsTakenOverAndTheOldConnectionEnds() throws Exception {
        // given
        givenPackage("tina");
        streams().keepAlive(Duration.ofMillis(100));
        try (var first = open("tina", "tina")) {
            var id = first.header("x-bintray-stream-reconnect-id");
            // when: a second connection presents the id of the first, which is still open
            try (var second = open("tina", "tina", "X-Bintray-Stream-Reconnect-Id", id)) {
                server.as("tina").put("/api/v1/content/tina/generic/tool/1.0/t.txt", "t");
                // then: the new connection gets the event, the old one is closed without it
                assertThat(second.nextEvent().get("path").asText()).isEqualTo("/tina/generic/t.txt");
                assertThat(first.readToEnd()).doesNotContain("t.txt");
                assertThat(streams().liveStreams("tina")).isEqualTo(1);
            }
        }
    }

    @Test
    void gzipStreamsAreFlushedPerEvent() throws Exception {
        // given
        givenPackage("gina");
        try (var stream = open("gina", "gina", "Accept-Encoding", "gzip")) {
            // then: compressed once, by the stream itself
            assertThat(stream.header("content-encoding")).isEqualTo("gzip");
            var gzip = new GZIPInputStream(stream.body);
            // when: uploads happen one by one; each is readable before the next
            for (int i = 0; i < 3; i++) {
                server.as("gina").put("/api/v1/content/gina/generic/tool/1.0/g" + i + ".txt", "g");
                var line = StreamConnection.readLine(gzip);
                assertThat(JSON.readTree(line).get("path").asText()).isEqualTo("/gina/generic/g" + i + ".txt");
            }
        }
    }

    @Test
    void keepAliveLinesArriveAtTheConfiguredInterval() throws Exception {
        // given
        server.apiKey("kate");
        streams().keepAlive(Duration.ofMillis(200));
        try (var stream = open("kate", "kate")) {
            // when
            long start = System.nanoTime();
            for (int i = 0; i < 3; i++) {
                assertThat(stream.nextLine(Duration.ofSeconds(2))).isEqualTo("");
            }
            long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
            // then: three empty lines, about 200 ms apart
            assertThat(elapsedMillis).isBetween(500L, 2_000L);
        }
    }

    @Test
    void aSubjectHasAtMostThreeConnectionsAndADroppedOneHoldsItsSlot() throws Exception {
        // given: three open streams
        server.apiKey("lily");
        streams().keepAlive(Duration.ofMillis(100));
        streams().holdWindow(Duration.ofMillis(1_500));
        var open = new ArrayList<StreamConnection>();
        try {
            for (int i = 0; i < 3; i++) {
                open.add(open("lily", "lily"));
                assertThat(open.get(i).status).isEqualTo(200);
            }
            // when: a fourth
            try (var fourth = open("lily", "lily")) {
                // then
                assertThat(fourth.status).isEqualTo(429);
                assertThat(JSON.readTree(fourth.readToEnd()).get("message").asText()).contains("3");
            }
            // when: one is dropped without coming back with its id
            open.remove(0).close();
            awaitLiveStreams("lily", 2);
            // then: its slot is still held, until the hold window has passed
            try (var again = open("lily", "lily")) {
                assertThat(again.status).isEqualTo(429);
            }
            Thread.sleep(1_600);
            try (var later = open("lily", "lily")) {
                assertThat(later.status).isEqualTo(200);
            }
        } finally {
            for (var stream : open) {
                stream.close();
            }
        }
    }

    @Test
    void onlyAdminsOfTheSubjectMayStream() throws Exception {
        // given
        server.apiKey("owen");
        server.apiKey("eve");
        // when / then
        try (var anonymous = open(null, "owen")) {
            assertThat(anonymous.status).isEqualTo(401);
        }
        try (var other = open("eve", "owen")) {
            assertThat(other.status).isEqualTo(403);
        }
        try (var unknown = open("owen", "nobody-here")) {
            assertThat(unknown.status).isEqualTo(404);
        }
    }

    /** One streaming request on a socket: status and headers read, the body de-chunked as it arrives. */
    static final class StreamConnection implements AutoCloseable {
        final Socket socket;
        final int status;
        final Map<String, String> headers;
        final InputStream body;

        private StreamConnection(Socket socket, int status, Map<String, String> headers, InputStream body) {
            this.socket = socket;
            this.status = status;
            this.headers = headers;
            this.body = body;
        }

        static StreamConnection open(int port, String path, String user, String... extra) throws IOException {
            var socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(10_000);
            var request = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
            if (user != null) {
                var credentials = user + ":" + server.apiKey(user);
                request.append("Authorization: Basic ")
                        .append(Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)))
                        .append("\r\n");
            }
            for (int i = 0; i < extra.length; i += 2) {
                request.append(extra[i]).append(": ").append(extra[i + 1]).append("\r\n");
            }
            OutputStream out = socket.getOutputStream();
            out.write(request.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            var in = socket.getInputStream();
            var statusLine = readLine(in);
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            var headers = new LinkedHashMap<String, String>();
            for (var line = readLine(in); !line.isEmpty(); line = readLine(in)) {
                int colon = line.indexOf(':');
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
            InputStream body = "chunked".equalsIgnoreCase(headers.get("transfer-encoding"))
                    ? new Dechunking(in)
                    : new java.io.ByteArrayInputStream(in.readNBytes(
                            Integer.parseInt(headers.getOrDefault("content-length", "0"))));
            return new StreamConnection(socket, status, headers, body);
        }

        String header(String name) {
            return headers.get(name);
        }

        /** The next line (without {@code \r\n}), or null if none came within {@code timeout}. */
        String nextLine(Duration timeout) throws IOException {
            socket.setSoTimeout((int) timeout.toMillis());
            try {
                return readLine(body);
            } catch (SocketTimeoutException e) {
                return null;
            } finally {
                socket.setSoTimeout(10_000);
            }
        }

        /** The next event, skipping keep-alive lines. */
        JsonNode nextEvent() throws IOException {
            while (true) {
                var line = readLine(body);
                if (!line.isEmpty()) {
                    return JSON.readTree(line);
                }
            }
        }

        String readToEnd() throws IOException {
            return new String(body.readAllBytes(), StandardCharsets.UTF_8);
        }

        /** Reads up to {@code \r\n}; fails at the end of the stream. */
        static String readLine(InputStream in) throws IOException {
            var line = new ByteArrayOutputStream();
            int previous = -1;
            while (true) {
                int next = in.read();
                if (next < 0) {
                    throw new IOException("The stream ended after: " + line);
                }
                if (previous == '\r' && next == '\n') {
                    var bytes = line.toByteArray();
                    return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
                }
                line.write(next);
                previous = next;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** Chunked transfer coding, decoded one chunk at a time (so nothing waits for more than is sent). */
    static final class Dechunking extends InputStream {
        private final InputStream in;
        private int left;
        private boolean ended;
        private boolean afterChunk;

        Dechunking(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            var one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (ended) {
                return -1;
            }
            if (left == 0) {
                if (afterChunk) {
                    // Jetty sends a chunk's closing CRLF with the next chunk's head: read it only now.
                    StreamConnection.readLine(in);
                }
                afterChunk = true;
                var size = StreamConnection.readLine(in);
                int semicolon = size.indexOf(';');
                left = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
                if (left == 0) {
                    ended = true;
                    return -1;
                }
            }
            int read = in.read(buffer, offset, Math.min(length, left));
            if (read < 0) {
                throw new IOException("The connection ended inside a chunk");
            }
            left -= read;
            return read;
        }
    }
}
