package dev.bindery.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * HTTP/1.1 written by hand on a socket, for attack tests: the request line and headers go out
 * byte for byte as the test wrote them, so no client normalises a path or drops a header. Every
 * request asks for {@code Connection: close}; the response is read on its own thread from the
 * moment the socket opens (so an early answer to a half-sent body is not lost to a reset) until
 * the server closes the connection.
 */
public final class RawHttp implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Socket socket;
    private final CompletableFuture<byte[]> received;

    private RawHttp(Socket socket) {
        this.socket = socket;
        this.received = CompletableFuture.supplyAsync(this::readUntilClosed,
                command -> Thread.ofVirtual().start(command));
    }

    /** Opens a connection to the test server on {@code port}. */
    public static RawHttp connect(int port) {
        try {
            var socket = new Socket();
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout(30_000);
            return new RawHttp(socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Sends {@code requestLine} and {@code headers} ("Name: value" each) with no body, and returns
     * the answer.
     */
    public static RawResponse request(int port, String requestLine, String... headers) {
        try (var connection = connect(port)) {
            connection.sendHead(requestLine, headers);
            return connection.response(Duration.ofSeconds(30));
        }
    }

    /** Writes the request line, the headers, {@code Host} and {@code Connection: close}, and the blank line. */
    public RawHttp sendHead(String requestLine, String... headers) {
        var head = new StringBuilder(requestLine).append("\r\n");
        head.append("Host: 127.0.0.1\r\n");
        for (var header : headers) {
            head.append(header).append("\r\n");
        }
        head.append("Connection: close\r\n\r\n");
        return send(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Writes raw bytes; a server that already closed the connection makes this a no-op. */
    public RawHttp send(byte[] bytes) {
        try {
            var out = socket.getOutputStream();
            out.write(bytes);
            out.flush();
        } catch (IOException closedByServer) {
            // The server may answer early (409, 400) and close; the response says what happened.
        }
        return this;
    }

    /** Whether writing {@code bytes} succeeded (false once the server has closed its side). */
    public boolean trySend(byte[] bytes) {
        try {
            var out = socket.getOutputStream();
            out.write(bytes);
            out.flush();
            return true;
        } catch (IOException closedByServer) {
            return false;
        }
    }

    /** Waits for the server to answer and close. */
    public RawResponse response(Duration timeout) {
        try {
            return RawResponse.parse(received.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Reading the response failed", e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("No complete response within " + timeout);
        }
    }

    /** Whether the server has answered and closed. */
    public boolean answered() {
        return received.isDone();
    }

    /** Closes the socket: for the client side, a disconnect. */
    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    private byte[] readUntilClosed() {
        var buffer = new ByteArrayOutputStream();
        try {
            var in = socket.getInputStream();
            var chunk = new byte[8192];
            int read;
            while ((read = in.read(chunk)) >= 0) {
                buffer.write(chunk, 0, read);
            }
        } catch (IOException resetOrClosed) {
            // Whatever arrived before a reset is the response.
        }
        return buffer.toByteArray();
    }

    /** A response as it came off the wire; header names are lower-cased. */
    public record RawResponse(int status, Map<String, List<String>> headers, byte[] bytes) {

        static RawResponse parse(byte[] raw) {
            int headEnd = indexOf(raw, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), 0);
            if (headEnd < 0) {
                throw new AssertionError("No complete HTTP response head in: "
                        + new String(raw, StandardCharsets.ISO_8859_1));
            }
            var lines = new String(raw, 0, headEnd, StandardCharsets.ISO_8859_1).split("\r\n");
            var statusLine = lines[0].split(" ", 3);
            int status = Integer.parseInt(statusLine[1]);
            var headers = new LinkedHashMap<String, List<String>>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.computeIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        name -> new ArrayList<>()).add(lines[i].substring(colon + 1).trim());
            }
            var body = Arrays.copyOfRange(raw, headEnd + 4, raw.length);
            var encoding = headers.getOrDefault("transfer-encoding", List.of());
            if (encoding.stream().anyMatch(value -> value.equalsIgnoreCase("chunked"))) {
                body = dechunk(body);
            }
            return new RawResponse(status, headers, body);
        }

        private static byte[] dechunk(byte[] chunked) {
            var out = new ByteArrayOutputStream();
            int position = 0;
            while (position < chunked.length) {
                int lineEnd = indexOf(chunked, "\r\n".getBytes(StandardCharsets.ISO_8859_1), position);
                if (lineEnd < 0) {
                    break;
                }
                var sizeText = new String(chunked, position, lineEnd - position, StandardCharsets.ISO_8859_1)
                        .split(";")[0].trim();
                int size = Integer.parseInt(sizeText, 16);
                position = lineEnd + 2;
                if (size == 0) {
                    break;
                }
                out.write(chunked, position, Math.min(size, chunked.length - position));
                position += size + 2;
            }
            return out.toByteArray();
        }

        private static int indexOf(byte[] haystack, byte[] needle, int from) {
            outer:
            for (int i = from; i <= haystack.length - needle.length; i++) {
                for (int j = 0; j < needle.length; j++) {
                    if (haystack[i + j] != needle[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }

        public String header(String name) {
            var values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        public String body() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        public JsonNode json() {
            try {
                return JSON.readTree(bytes);
            } catch (IOException e) {
                throw new AssertionError("Not JSON (status " + status + "): " + body(), e);
            }
        }

        /** The {@code message} of Bintray's error shape. */
        public String message() {
            var node = json().get("message");
            if (node == null) {
                throw new AssertionError("No message in: " + body());
            }
            return node.asText();
        }

        @Override
        public String toString() {
            return status + " " + body();
        }
    }
}
