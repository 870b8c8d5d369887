package dev.bindery.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;

/** Talks HTTP to a test server as one identity (or anonymously). */
public final class Client {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private final String baseUrl;
    private final String authorization;

    public Client(String baseUrl, String user, String apiKey) {
        this(baseUrl, user == null ? null
                : "Basic " + Base64.getEncoder().encodeToString((user + ":" + apiKey).getBytes(StandardCharsets.UTF_8)));
    }

    private Client(String baseUrl, String authorization) {
        this.baseUrl = baseUrl;
        this.authorization = authorization;
    }

    /** A client sending {@code Authorization: Bearer <token>}. */
    public static Client bearer(String baseUrl, String token) {
        return new Client(baseUrl, "Bearer " + token);
    }

    public Response get(String path, String... headers) {
        return send(request(path, headers).GET());
    }

    public Response head(String path, String... headers) {
        return send(request(path, headers).method("HEAD", HttpRequest.BodyPublishers.noBody()));
    }

    public Response delete(String path) {
        return send(request(path).DELETE());
    }

    public Response postJson(String path, String json) {
        return send(request(path, "Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    public Response post(String path) {
        return send(request(path).POST(HttpRequest.BodyPublishers.noBody()));
    }

    public Response patchJson(String path, String json) {
        return send(request(path, "Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(json)));
    }

    public Response putJson(String path, String json) {
        return send(request(path, "Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    public Response put(String path, byte[] body, String... headers) {
        return send(request(path, headers).PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    public Response put(String path, String body, String... headers) {
        return put(path, body.getBytes(StandardCharsets.UTF_8), headers);
    }

    public Response putFile(String path, Path file, String... headers) throws IOException {
        return send(request(path, headers).PUT(HttpRequest.BodyPublishers.ofFile(file)));
    }

    public HttpRequest.Builder request(String path, String... headers) {
        var builder = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(60));
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        for (int i = 0; i < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        return builder;
    }

    public Response send(HttpRequest.Builder builder) {
        try {
            var response = HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Response(response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
