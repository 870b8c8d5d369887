package dev.bindery.events;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Function;

/**
 * Where a webhook call goes: {@link Http} makes one attempt; {@link WebhookDelivery} queues calls per
 * hook, schedules retries with exponential backoff (holding no request slot while it waits) and
 * filters which hooks an event reaches. Implementations are thread-safe.
 */
public interface WebhookSink {

    /** Makes the call; returns normally only when the receiver answered 2xx. */
    void send(Call call) throws IOException, InterruptedException;

    /**
     * One call of a hook.
     *
     * @param body null for GET
     * @param hmac the {@code X-Bintray-Hook-Hmac} value, or null when there is no key to sign with
     */
    record Call(URI uri, String method, byte[] body, String hmac) {
    }

    /** A call that must not be made (or repeated): its target is refused. */
    final class Refused extends IOException {
        public Refused(String message) {
            super(message);
        }
    }

    /** Calls over HTTP, after checking the target again (a name may resolve elsewhere by now). */
    final class Http implements WebhookSink {

        private final HttpClient client;
        private final Duration timeout;
        /** Why a URI may not be called, or null if it may. */
        private final Function<URI, String> refusal;

        public Http(Duration timeout, Function<URI, String> refusal) {
            this.timeout = timeout;
            this.refusal = refusal;
            this.client = HttpClient.newBuilder().connectTimeout(timeout)
                    .followRedirects(HttpClient.Redirect.NEVER).build();
        }

        @Override
        public void send(Call call) throws IOException, InterruptedException {
            var refused = refusal.apply(call.uri());
            if (refused != null) {
                throw new Refused("Webhook URL " + call.uri() + " " + refused);
            }
            var request = HttpRequest.newBuilder(call.uri()).timeout(timeout).method(call.method(),
                    call.body() == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(call.body()));
            if (call.body() != null) {
                request.header("Content-Type", "application/json");
            }
            if (call.hmac() != null) {
                request.header("X-Bintray-Hook-Hmac", call.hmac());
            }
            var response = client.send(request.build(), HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() / 100 != 2) {
                throw new IOException("Webhook " + call.uri() + " answered " + response.statusCode());
            }
        }
    }
}
