package dev.bindery.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.bindery.subject.ApiKeys;
import dev.bindery.support.BinderyServer;
import dev.bindery.support.Client;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 6's load requirement, end to end: 200 webhooks (10 on each of 20 subjects, the most a subject
 * may have) receive while 10,000 events flow through the outbox, all made over the HTTP API: version
 * releases of the hooked packages, and around them releases of a package without a hook, uploads,
 * deletes and downloads. A real receiver on 127.0.0.1 checks every call's HMAC.
 *
 * <p>Delivery is at least once ({@link WebhookDelivery}): a call is repeated only after a failed
 * attempt or when a node stops or dies before recording the answer, and a receiver that answers every
 * call at once on a node that keeps running gives no reason for either. So the test expects every
 * release of a hooked package to reach its hook exactly once, and nothing else to reach any hook.
 *
 * <p>Publishing latency under this load is measured by bench/webhooks.sh, not asserted here.
 */
class WebhookLoadTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SUBJECTS = 20;
    private static final int HOOKS_PER_SUBJECT = WebhookService.LIMIT;
    /** Steps per subject; each is a download and a hooked release, some also another upload or a delete. */
    private static final int STEPS = 80;
    /** Files in each archive a subject uploads exploded (two), then deletes with their version. */
    private static final int ARCHIVE_FILES = 60;
    /**
     * Outbox events per subject: 80 downloads, 80 hooked releases and 10 of "free" (an upload and a
     * version_published each), 2 x 60 files uploaded from archives and deleted again.
     */
    private static final int EVENTS_PER_SUBJECT = STEPS + 2 * STEPS + 2 * STEPS / 8 + 2 * 2 * ARCHIVE_FILES;

    @RegisterExtension
    static final BinderyServer server = new BinderyServer(config -> config.withPrivateCallbacks(true));

    private static HttpServer receiver;
    /** Calls received with a valid HMAC, as "subject/package@version". */
    private static final Map<String, AtomicInteger> RECEIVED = new ConcurrentHashMap<>();
    /** Calls whose HMAC, path or body was wrong: should stay empty. */
    private static final ConcurrentLinkedQueue<String> REJECTED = new ConcurrentLinkedQueue<>();
    /** The hex SHA-256 of each subject's API key: what the receiver checks the HMAC with. */
    private static final Map<String, String> SIGNING_KEYS = new ConcurrentHashMap<>();

    @BeforeAll
    static void startReceiver() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1_000);
        receiver.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        // /hook/<subject>/<repo>/<package>, from the registered /hook/<subject>/%r/%p
        receiver.createContext("/hook/", exchange -> {
            var segments = exchange.getRequestURI().getRawPath().split("/");
            var body = exchange.getRequestBody().readAllBytes();
            var hmac = exchange.getRequestHeaders().getFirst("X-Bintray-Hook-Hmac");
            int status = 200;
            try {
                var subject = segments[2];
                var pkg = segments[4];
                var json = JSON.readTree(body);
                var key = SIGNING_KEYS.get(subject);
                if (key == null || !WebhookService.hmac(key, pkg).equals(hmac)
                        || !json.get("package").asText().equals(pkg)) {
                    REJECTED.add(exchange.getRequestURI() + " hmac " + hmac);
                    status = 401;
                } else {
                    RECEIVED.computeIfAbsent(subject + "/" + pkg + "@" + json.get("version").asText(),
                            call -> new AtomicInteger()).incrementAndGet();
                }
            } catch (RuntimeException | java.io.IOException e) {
                REJECTED.add(exchange.getRequestURI() + " " + e);
                status = 400;
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

    private static String subject(int index) {
        return String.format("hl%02d", index);
    }

    @Test
    void everyReleaseReachesItsHookWhileTenThousandEventsFlow() throws Exception {
        // given: 20 subjects, each with 10 hooked packages and one package "free" without a hook, whose
        // first version (downloaded below) is published before counting starts
        var hookBase = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook/";
        for (int s = 0; s < SUBJECTS; s++) {
            var user = subject(s);
            SIGNING_KEYS.put(user, ApiKeys.hash(server.apiKey(user)));
        }
        try (var pool = Executors.newFixedThreadPool(SUBJECTS)) {
            var setups = new ArrayList<Future<?>>();
            for (int s = 0; s < SUBJECTS; s++) {
                var user = subject(s);
                setups.add(pool.submit(() -> {
                    server.createRepository(user, "generic");
                    server.createPackage(user, "generic", "free");
                    server.publishFile(user, "generic", "free", "0", "free-0.txt", "free " + user);
                    for (int p = 0; p < HOOKS_PER_SUBJECT; p++) {
                        server.createPackage(user, "generic", "p" + p);
                        var method = p % 2 == 0 ? "post" : "put";
                        var response = server.as(user).postJson("/api/v1/webhooks/" + user + "/generic/p" + p,
                                "{\"url\": \"" + hookBase + user + "/%r/%p\", \"method\": \"" + method + "\"}");
                        expectStatus(response.status(), 201, "register " + response);
                    }
                }));
            }
            for (var setup : setups) {
                setup.get(120, TimeUnit.SECONDS);
            }
        }
        var delivery = server.bindery().webhookDelivery();
        assertThat(delivery.awaitCaughtUp(10_000)).isTrue();
        var events = server.bindery().events();
        long start = events.latestSeq();
        long deliveredBefore = delivery.delivered();

        // when: every subject's client, concurrently, runs its steps: 500 events per subject
        //   80 downloads of free-0.txt                          80 download events
        //   80 releases of the hooked packages (PUT publish=1)  160 (upload + version_published)
        //   10 releases of "free"                               20
        //    2 archives of 60 files uploaded exploded           120 uploads
        //    and their 2 versions deleted                       120 deletes
        var expected = new ArrayList<String>();
        var clients = new ArrayList<Future<List<String>>>();
        try (var pool = Executors.newFixedThreadPool(SUBJECTS)) {
            for (int s = 0; s < SUBJECTS; s++) {
                var user = subject(s);
                clients.add(pool.submit(() -> runSteps(user)));
            }
            for (var client : clients) {
                expected.addAll(client.get(120, TimeUnit.SECONDS));
            }
        }

        // then: exactly 10,000 events went into the outbox (downloads arrive through the log follower)
        long expectedEvents = (long) SUBJECTS * EVENTS_PER_SUBJECT;
        assertThat(expectedEvents).isEqualTo(10_000);
        await("10,000 outbox events", () -> events.latestSeq() - start >= expectedEvents);
        assertThat(events.latestSeq() - start).isEqualTo(expectedEvents);
        assertThat(delivery.awaitCaughtUp(30_000)).as("the delivery worker passed every event").isTrue();
        // every release of a hooked package reached its hook, with a valid HMAC, once; nothing else did
        assertThat(expected).hasSize(SUBJECTS * STEPS).doesNotHaveDuplicates();
        await("1,600 deliveries", () -> RECEIVED.size() >= expected.size() || !REJECTED.isEmpty());
        Thread.sleep(500);
        assertThat(REJECTED).isEmpty();
        assertThat(RECEIVED.keySet()).containsExactlyInAnyOrderElementsOf(expected);
        var counts = new HashMap<String, Integer>();
        RECEIVED.forEach((call, count) -> counts.put(call, count.get()));
        assertThat(counts).allSatisfy((call, count) -> assertThat(count).as(call + " received").isEqualTo(1));
        assertThat(delivery.delivered() - deliveredBefore).isEqualTo(expected.size());
        // and no delivery failed: every hook is active with failure_count 0
        assertThat(delivery.failed()).isZero();
        for (int s = 0; s < SUBJECTS; s++) {
            var user = subject(s);
            var hooks = server.as(user).get("/api/v1/webhooks/" + user).json();
            assertThat(hooks).hasSize(HOOKS_PER_SUBJECT);
            for (var hook : hooks) {
                assertThat(hook.get("failure_count").asText()).as(user + " " + hook).isEqualTo("0");
                assertThat(hook.get("active").asBoolean()).as(user + " " + hook).isTrue();
            }
        }
    }

    /** One subject's steps (500 events); returns the "subject/package@version" of each hooked release. */
    private static List<String> runSteps(String user) throws java.io.IOException {
        Client client = server.as(user);
        Client anonymous = server.anonymous();
        var content = "/api/v1/content/" + user + "/generic/";
        var released = new ArrayList<String>();
        int free = 0;
        int archives = 0;
        int deleted = 0;
        for (int step = 0; step < STEPS; step++) {
            expectStatus(anonymous.get("/dl/" + user + "/generic/free-0.txt").status(), 200, "download");
            var pkg = "p" + step % HOOKS_PER_SUBJECT;
            var version = "1." + step / HOOKS_PER_SUBJECT;
            expectStatus(client.put(content + pkg + "/" + version + "/" + pkg + "-" + version + ".txt?publish=1",
                    pkg + " " + version).status(), 201, "release " + pkg);
            released.add(user + "/" + pkg + "@" + version);
            if (step % 8 == 4) {
                var freeVersion = "2." + free++;
                expectStatus(client.put(content + "free/" + freeVersion + "/free-" + freeVersion + ".txt?publish=1",
                        freeVersion).status(), 201, "release free");
            }
            if (step % 40 == 20) {
                expectStatus(client.put(content + "free/scratch-" + archives + "/files.zip?explode=1",
                        archive(ARCHIVE_FILES)).status(), 201, "upload archive");
                archives++;
            }
            if (step % 40 == 39 && deleted < archives) {
                expectStatus(client.delete("/api/v1/packages/" + user + "/generic/free/versions/scratch-" + deleted++)
                        .status(), 200, "delete version");
            }
        }
        return released;
    }

    /** A zip of {@code files} small files, which an exploding upload stores as that many files. */
    private static byte[] archive(int files) throws java.io.IOException {
        var bytes = new java.io.ByteArrayOutputStream();
        try (var zip = new java.util.zip.ZipOutputStream(bytes)) {
            for (int i = 0; i < files; i++) {
                zip.putNextEntry(new java.util.zip.ZipEntry("f" + i + ".txt"));
                zip.write(("file " + i).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static void expectStatus(int status, int expected, String what) {
        if (status != expected) {
            throw new AssertionError(what + " answered " + status);
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("waiting for " + what).isNegative();
            Thread.sleep(20);
        }
    }
}
