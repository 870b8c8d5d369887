package dev.bindery.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;

/** An HTTP response as tests read it. */
public record Response(int status, HttpHeaders headers, byte[] bytes) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public String body() {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    public JsonNode json() {
        try {
            return JSON.readTree(bytes);
        } catch (java.io.IOException e) {
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

    public String header(String name) {
        return headers.firstValue(name).orElse(null);
    }

    @Override
    public String toString() {
        return status + " " + body();
    }
}
