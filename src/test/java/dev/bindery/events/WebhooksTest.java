package dev.bindery.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.bindery.subject.ApiKeys;
import dev.bindery.support.BinderyServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Webhooks end to end: Get, Register, Test and Delete a Webhook, and their calls when a version is
 * published, received by a real HTTP server on 127.0.0.1.
 */
class WebhooksTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final BinderyServer server = new BinderyServer(config -> config.withPrivateCallbacks(true));

    /** The default configuration: hooks to private addresses refused. */
    @RegisterExtension
    static final BinderyServer strict = new BinderyServer();

    /** What the receiver got: per first path segment (the test's user), in order. */
    private static final Map<String, BlockingQueue<Received>> RECEIVED = new ConcurrentHashMap<>();
    /** Whether paths under {@code /:user/flaky} answer 500. */
    private static final AtomicBoolean FAILING = new AtomicBoolean();
    private static HttpServer receiver;

    record Received(String method, String path, String hmac, String body) {
        JsonNode json() throws Exception {
            return JSON.readTree(body);
        }
    }

    @BeforeAll
    static void startReceiver() throws Exception {
        server.bindery().webhookDelivery().retries(3, Duration.ofMillis(10), Duration.ofSeconds(2));
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        receiver.createContext("/", exchange -> {
            var path = exchange.getRequestURI().getRawPath();
            var segments = path.split("/");
            var body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            received(segments[1]).add(new Received(exchange.getRequestMethod(), path,
                    exchange.getRequestHeaders().getFirst("X-Bintray-Hook-Hmac"), body));
            int status = 200;
            if (segments[2].equals("slow")) {
                try {
                    Thread.sleep(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            } else if (segments[2].equals("flaky") && FAILING.get()) {
                status = 500;
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterAll
    static void stopReceiver() {
        receiver.stop(0);
    }

    private static BlockingQueue<Received> received(String user) {
        return RECEIVED.computeIfAbsent(user, name -> new LinkedBlockingQueue<>());
    }

    private static String hookUrl(String user, String mode) {
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/" + user + "/" + mode + "/%r-%p-build";
    }

    private static String hook(String url, String method) {
        return "{\"url\": \"" + url + "\", \"method\": \"" + method + "\"}";
    }

    private static void givenPackage(String user, String... packages) {
        server.createRepository(user, "generic");
        for (var pkg : packages) {
            server.createPackage(user, "generic", pkg);
        }
    }

    private static JsonNode hookOf(String user, String pkg) {
        for (var hook : server.as(user).get("/api/v1/webhooks/" + user + "/generic").json()) {
            if (hook.get("package").asText().equals(pkg)) {
                return hook;
            }
        }
        throw new AssertionError("No webhook of " + pkg);
    }

    private static void awaitHook(String user, String pkg, Predicate<JsonNode> condition) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (!condition.test(hookOf(user, pkg))) {
            assertThat(System.currentTimeMillis()).as("webhook state of " + pkg + ": " + hookOf(user, pkg))
                    .isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    @Test
    void registersListsAndDeletesWithinTheLimit() {
        // given: a repository with 11 packages
        givenPackage("wanda", "p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9", "p10");
        var wanda = server.as("wanda");
        var url = hookUrl("wanda", "ok");
        // when: the first registration
        var first = wanda.postJson("/api/v1/webhooks/wanda/generic/p0", hook(url, "post"));
        // then
        assertThat(first.status()).isEqualTo(201);
        assertThat(first.header("X-Bintray-WebHookLimit-Limit")).isEqualTo("10");
        assertThat(first.header("X-Bintray-WebHookLimit-Remaining")).isEqualTo("9");
        // registering the same package again replaces its hook and takes no place
        assertThat(wanda.postJson("/api/v1/webhooks/wanda/generic/p0", "{\"url\": \"" + url + "\"}")
                .header("X-Bintray-WebHookLimit-Remaining")).isEqualTo("9");
        for (int i = 1; i < 10; i++) {
            var response = wanda.postJson("/api/v1/webhooks/wanda/generic/p" + i, hook(url, "put"));
            assertThat(response.status()).isEqualTo(201);
            assertThat(response.header("X-Bintray-WebHookLimit-Remaining")).isEqualTo(String.valueOf(9 - i));
        }
        // the eleventh is refused
        var eleventh = wanda.postJson("/api/v1/webhooks/wanda/generic/p10", hook(url, "post"));
        assertThat(eleventh.status()).isEqualTo(400);
        assertThat(eleventh.message()).contains("10");

        // Get Webhooks, of the subject and of the repository
        var all = wanda.get("/api/v1/webhooks/wanda");
        assertThat(all.status()).isEqualTo(200);
        assertThat(all.json()).hasSize(10);
        var p0 = all.json().get(0);
        assertThat(p0.get("package").asText()).isEqualTo("p0");
        assertThat(p0.get("url").asText()).isEqualTo(url);
        assertThat(p0.get("failure_count").asText()).isEqualTo("0");
        assertThat(wanda.get("/api/v1/webhooks/wanda/generic").json()).hasSize(10);

        // Delete a Webhook frees a place
        var deleted = wanda.delete("/api/v1/webhooks/wanda/generic/p0");
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.json().get("message").asText()).isEqualTo("success");
        assertThat(wanda.delete("/api/v1/webhooks/wanda/generic/p0").status()).isEqualTo(404);
        var tenth = wanda.postJson("/api/v1/webhooks/wanda/generic/p10", hook(url, "get"));
        assertThat(tenth.status()).isEqualTo(201);
        assertThat(tenth.header("X-Bintray-WebHookLimit-Remaining")).isEqualTo("0");
    }

    @Test
    void refusesCallersWithoutPublishAndBadMethods() {
        // given
        givenPackage("petra", "tool");
        server.apiKey("mallory");
        var url = hookUrl("petra", "ok");
        // then
        assertThat(server.anonymous().postJson("/api/v1/webhooks/petra/generic/tool", hook(url, "post")).status())
                .isEqualTo(401);
        assertThat(server.as("mallory").postJson("/api/v1/webhooks/petra/generic/tool", hook(url, "post")).status())
                .isIn(403, 404);
        assertThat(server.as("mallory").delete("/api/v1/webhooks/petra/generic/tool").status()).isIn(403, 404);
        assertThat(server.as("petra").postJson("/api/v1/webhooks/petra/generic/tool", hook(url, "patch")).status())
                .isEqualTo(400);
        assertThat(server.as("petra").postJson("/api/v1/webhooks/petra/generic/nope", hook(url, "post")).status())
                .isEqualTo(404);
        assertThat(server.as("petra").postJson("/api/v1/webhooks/petra/generic/tool", "{}").status())
                .isEqualTo(400);
    }

    @Test
    void publishingCallsTheHookWithTheDocumentedBodyAndHmac() throws Exception {
        // given: a hook with %r and %p
        givenPackage("hugo", "tool");
        assertThat(server.as("hugo").postJson("/api/v1/webhooks/hugo/generic/tool",
                hook(hookUrl("hugo", "ok"), "post")).status()).isEqualTo(201);
        // when
        server.publishFile("hugo", "generic", "tool", "1.0", "tool-1.0.txt", "one");
        // then
        var call = received("hugo").poll(10, TimeUnit.SECONDS);
        assertThat(call).isNotNull();
        assertThat(call.method()).isEqualTo("POST");
        assertThat(call.path()).isEqualTo("/hugo/ok/generic-tool-build");
        var body = call.json();
        assertThat(body.get("package").asText()).isEqualTo("tool");
        assertThat(body.get("version").asText()).isEqualTo("1.0");
        assertThat(body.get("released").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\+0000");
        assertThat(body.has("release_notes")).isTrue();
        // the receiver verifies the HMAC with the hex SHA-256 of hugo's API key
        assertThat(call.hmac()).isEqualTo(WebhookService.hmac(ApiKeys.hash(server.apiKey("hugo")), "tool"));
        assertThat(received("hugo").poll(300, TimeUnit.MILLISECONDS)).as("called once").isNull();
    }

    @Test
    void testCallSendsTheHookNow() throws Exception {
        // given: a published version, then a hook (publishing came first, so nothing was sent yet)
        givenPackage("tess", "tool");
        server.publishFile("tess", "generic", "tool", "1.2.1", "tool.txt", "one");
        assertThat(server.bindery().webhookDelivery().awaitCaughtUp(10_000)).as("publish event passed").isTrue();
        assertThat(server.as("tess").postJson("/api/v1/webhooks/tess/generic/tool",
                hook(hookUrl("tess", "ok"), "put")).status()).isEqualTo(201);
        // when: Test a Webhook with the registered URL and method
        var response = server.as("tess").post("/api/v1/webhooks/tess/generic/tool/1.2.1");
        // then
        assertThat(response.status()).isEqualTo(200);
        var call = received("tess").poll(5, TimeUnit.SECONDS);
        assertThat(call.method()).isEqualTo("PUT");
        assertThat(call.path()).isEqualTo("/tess/ok/generic-tool-build");
        assertThat(call.json().get("version").asText()).isEqualTo("1.2.1");
        assertThat(call.hmac()).isEqualTo(WebhookService.hmac(ApiKeys.hash(server.apiKey("tess")), "tool"));

        // when: with the documented body naming another URL and GET
        var other = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/tess/ok/other/%p";
        assertThat(server.as("tess").postJson("/api/v1/webhooks/tess/generic/tool/1.2.1",
                hook(other, "GET")).status()).isEqualTo(200);
        var get = received("tess").poll(5, TimeUnit.SECONDS);
        assertThat(get.method()).isEqualTo("GET");
        assertThat(get.path()).isEqualTo("/tess/ok/other/tool");
        assertThat(get.body()).isEmpty();
        // an unknown version is 404
        assertThat(server.as("tess").post("/api/v1/webhooks/tess/generic/tool/9.9").status()).isEqualTo(404);
    }

    @Test
    void failingReceiverIsRetriedCountedDeactivatedAndReactivated() throws Exception {
        // given: a hook whose receiver fails
        givenPackage("fred", "tool");
        var fred = server.as("fred");
        assertThat(fred.postJson("/api/v1/webhooks/fred/generic/tool", hook(hookUrl("fred", "flaky"), "post"))
                .status()).isEqualTo(201);
        FAILING.set(true);
        try {
            // when: two publishes fail
            for (int i = 1; i <= 2; i++) {
                server.publishFile("fred", "generic", "tool", "0." + i, "a-0." + i + ".txt", "x");
                int failures = i;
                awaitHook("fred", "tool", hook -> hook.get("failure_count").asInt() == failures);
            }
            // then: each delivery was tried three times
            assertThat(received("fred")).hasSize(6);
            // a success resets the count
            FAILING.set(false);
            server.publishFile("fred", "generic", "tool", "0.3", "a-0.3.txt", "x");
            awaitHook("fred", "tool", hook -> hook.get("failure_count").asInt() == 0);
            assertThat(received("fred")).hasSize(7);

            // seven failures in a row deactivate it
            FAILING.set(true);
            for (int i = 1; i <= 7; i++) {
                server.publishFile("fred", "generic", "tool", "1." + i, "b-1." + i + ".txt", "x");
                int failures = i;
                awaitHook("fred", "tool", hook -> hook.get("failure_count").asInt() == failures);
            }
            awaitHook("fred", "tool", hook -> !hook.get("active").asBoolean());
            received("fred").clear();
            server.publishFile("fred", "generic", "tool", "2.0", "c.txt", "x");
            assertThat(received("fred").poll(700, TimeUnit.MILLISECONDS)).as("inactive hooks are not called").isNull();
        } finally {
            FAILING.set(false);
        }
        // registering it again re-activates it
        assertThat(fred.postJson("/api/v1/webhooks/fred/generic/tool", hook(hookUrl("fred", "flaky"), "post"))
                .status()).isEqualTo(201);
        var hook = hookOf("fred", "tool");
        assertThat(hook.get("active").asBoolean()).isTrue();
        assertThat(hook.get("failure_count").asText()).isEqualTo("0");
        server.publishFile("fred", "generic", "tool", "3.0", "d.txt", "x");
        var call = received("fred").poll(5, TimeUnit.SECONDS);
        assertThat(call).isNotNull();
        assertThat(call.json().get("version").asText()).isEqualTo("3.0");
    }

    @Test
    void slowReceiverSlowsNeitherPublishingNorOtherHooks() throws Exception {
        // given: a receiver that takes 10 s, and a prompt one on another package
        givenPackage("sam", "slow", "quick");
        var sam = server.as("sam");
        assertThat(sam.postJson("/api/v1/webhooks/sam/generic/slow", hook(hookUrl("sam", "slow"), "post")).status())
                .isEqualTo(201);
        assertThat(sam.postJson("/api/v1/webhooks/sam/generic/quick", hook(hookUrl("sam", "ok"), "post")).status())
                .isEqualTo(201);
        assertThat(sam.put("/api/v1/content/sam/generic/slow/1.0/s.txt", "s").status()).isEqualTo(201);
        // when
        long start = System.nanoTime();
        assertThat(sam.post("/api/v1/content/sam/generic/slow/1.0/publish").status()).isEqualTo(200);
        long publishMillis = (System.nanoTime() - start) / 1_000_000;
        // then: publishing did not wait for the receiver
        assertThat(publishMillis).isLessThan(2_000);
        var slowCall = received("sam").poll(5, TimeUnit.SECONDS);
        assertThat(slowCall.path()).startsWith("/sam/slow/");
        // while the slow receiver is busy, the other hook is called promptly
        long quickStart = System.nanoTime();
        server.publishFile("sam", "generic", "quick", "1.0", "q.txt", "q");
        Received quickCall;
        do {
            quickCall = received("sam").poll(5, TimeUnit.SECONDS);
            assertThat(quickCall).isNotNull();
        } while (!quickCall.path().startsWith("/sam/ok/"));
        assertThat((System.nanoTime() - quickStart) / 1_000_000).isLessThan(3_000);
    }

    @Test
    void refusesNonHttpAndPrivateUrlsUnlessAllowed() {
        // given: the strict server
        strict.createRepository("rita", "generic");
        strict.createPackage("rita", "generic", "tool");
        var rita = strict.as("rita");
        // then
        for (var url : new String[] {"ftp://example.com/%p", "file:///etc/passwd", "http://127.0.0.1:8080/%p",
                "http://10.0.0.1/hook", "http://169.254.169.254/latest", "http://[::1]/x", "not a url"}) {
            var response = rita.postJson("/api/v1/webhooks/rita/generic/tool", hook(url, "post"));
            assertThat(response.status()).as(url).isEqualTo(400);
            assertThat(response.message()).as(url).contains("url");
        }
        strict.publishFile("rita", "generic", "tool", "1.0", "t.txt", "t");
        assertThat(rita.postJson("/api/v1/webhooks/rita/generic/tool/1.0", hook("http://127.0.0.1:9/x", "post"))
                .status()).isEqualTo(400);
        assertThat(rita.get("/api/v1/webhooks/rita").json()).isEmpty();
        // and non-http URLs are refused even where private targets are allowed
        givenPackage("ursula", "tool");
        assertThat(server.as("ursula").postJson("/api/v1/webhooks/ursula/generic/tool",
                hook("ftp://127.0.0.1/x", "post")).status()).isEqualTo(400);
    }

    @Test
    void deliversEveryEventOnceUnderLoadWithTwoNodes() throws Exception {
        // given: 50 hooks, 10 on each of 5 subjects, and a second node's worker competing for the outbox
        int subjects = 5;
        int perSubject = 10;
        int versions = 100;
        var base = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/load/ok/";
        for (int s = 0; s < subjects; s++) {
            var user = "load" + s;
            server.createRepository(user, "generic");
            for (int p = 0; p < perSubject; p++) {
                server.createPackage(user, "generic", "p" + p);
                assertThat(server.as(user).postJson("/api/v1/webhooks/" + user + "/generic/p" + p,
                        hook(base + user + "/%p", "post")).status()).isEqualTo(201);
            }
        }
        // when: 100 published versions of each package go into the outbox
        var events = server.bindery().events();
        // a generous timeout: a call the loaded receiver answers late would be retried, and received twice
        var firstNode = server.bindery().webhookDelivery().retries(3, Duration.ofMillis(10), Duration.ofSeconds(30));
        var secondNode = firstNode.anotherNode().start();
        for (int v = 0; v < versions; v++) {
            for (int s = 0; s < subjects; s++) {
                for (int p = 0; p < perSubject; p++) {
                    events.record(Event.versionPublished(java.time.Instant.now(), "load" + s, "load" + s, "generic",
                            "p" + p, "1." + v));
                }
            }
        }
        // then: every one is delivered, once
        int expected = subjects * perSubject * versions;
        var seen = new java.util.HashSet<String>();
        var queue = received("load");
        long deadline = System.currentTimeMillis() + 60_000;
        while (seen.size() < expected && System.currentTimeMillis() < deadline) {
            var call = queue.poll(1, TimeUnit.SECONDS);
            if (call != null) {
                assertThat(seen.add(call.path() + "@" + call.json().get("version").asText()))
                        .as("delivered once: " + call.path()).isTrue();
            }
        }
        assertThat(seen).hasSize(expected);
        assertThat(queue.poll(500, TimeUnit.MILLISECONDS)).isNull();
        secondNode.close();
        firstNode.retries(3, Duration.ofMillis(10), Duration.ofSeconds(2));
        assertThat(secondNode.delivered()).as("the second node took part").isPositive();
        // and the checkpoint has passed them all
        assertThat(new WebhookStore(server.bindery().events().jdbi()).checkpoint())
                .isGreaterThanOrEqualTo(events.latestSeq() - 1);
    }

    @Test
    void onlyOneNodeClaimsABatch() {
        // given: the checkpoint as two nodes read it
        var store = new WebhookStore(server.bindery().events().jdbi());
        long seen = store.checkpoint();
        // when both try to move it past the same batch; then only the first succeeds
        // (the live worker may have moved it already: then neither does, which is just as safe)
        boolean first = store.claim(seen, seen);
        assertThat(store.claim(seen - 1, seen)).isFalse();
        if (first) {
            assertThat(store.checkpoint()).isEqualTo(seen);
        }
    }
}
