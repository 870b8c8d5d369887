package dev.bindery.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.bindery.events.WebhookStore.HookKey;
import dev.bindery.events.WebhookStore.PendingCall;
import dev.bindery.support.BinderyServer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * How webhook calls are delivered when receivers die and nodes stop: a dead receiver holds only its
 * hook's few slots, a deactivated hook's queued calls are dropped, pending calls survive a restart,
 * and rows of a node that died are taken over once (and only once) its lease has passed. Real
 * receivers on 127.0.0.1; on H2, and on PostgreSQL with {@code -Dbindery.test.db=postgres}.
 */
class WebhookDeliveryTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final BinderyServer server = new BinderyServer(config -> config.withPrivateCallbacks(true));

    private static HttpServer receiver;
    /** Calls answered 200, per "user/package@version". */
    private static final Map<String, AtomicInteger> ANSWERED = new ConcurrentHashMap<>();
    /** Calls that arrived at /dead/ or /gate/, per user. */
    private static final Map<String, AtomicInteger> ARRIVED = new ConcurrentHashMap<>();
    /** Requests of /dead/ in progress now and at most, per user. */
    private static final Map<String, AtomicInteger> HANGING = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> MOST_HANGING = new ConcurrentHashMap<>();
    /** Per user: /dead/ answers once it is counted down; /gate/ holds calls until then, answering none. */
    private static final Map<String, CountDownLatch> RELEASE = new ConcurrentHashMap<>();

    @BeforeAll
    static void startReceiver() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1_000);
        receiver.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        // /<mode>/<user>/<package>
        receiver.createContext("/", exchange -> {
            var segments = exchange.getRequestURI().getRawPath().split("/");
            var mode = segments[1];
            var user = segments[2];
            var body = JSON.readTree(exchange.getRequestBody().readAllBytes());
            var call = user + "/" + body.get("package").asText() + "@" + body.get("version").asText();
            var release = latch(user);
            try {
                if (mode.equals("dead")) {
                    counter(ARRIVED, user).incrementAndGet();
                    int now = counter(HANGING, user).incrementAndGet();
                    counter(MOST_HANGING, user).accumulateAndGet(now, Math::max);
                    try {
                        release.await(120, TimeUnit.SECONDS);
                    } finally {
                        counter(HANGING, user).decrementAndGet();
                    }
                } else if (mode.equals("gate")) {
                    counter(ARRIVED, user).incrementAndGet();
                    if (release.getCount() > 0) {
                        // never answered: the node is stopped meanwhile, and the call must come again
                        release.await(120, TimeUnit.SECONDS);
                        exchange.close();
                        return;
                    }
                }
                counter(ANSWERED, call).incrementAndGet();
                exchange.sendResponseHeaders(200, -1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                exchange.close();
            }
        });
        receiver.start();
    }

    @AfterAll
    static void stopReceiver() {
        RELEASE.values().forEach(CountDownLatch::countDown);
        receiver.stop(0);
    }

    private static AtomicInteger counter(Map<String, AtomicInteger> counters, String key) {
        return counters.computeIfAbsent(key, k -> new AtomicInteger());
    }

    private static CountDownLatch latch(String user) {
        return RELEASE.computeIfAbsent(user, k -> new CountDownLatch(1));
    }

    private static int answered(String call) {
        return counter(ANSWERED, call).get();
    }

    private static void givenHooks(String user, String mode, String... packages) {
        server.createRepository(user, "generic");
        for (var pkg : packages) {
            server.createPackage(user, "generic", pkg);
            var url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/" + mode + "/" + user + "/%p";
            assertThat(server.as(user).postJson("/api/v1/webhooks/" + user + "/generic/" + pkg,
                    "{\"url\": \"" + url + "\"}").status()).isEqualTo(201);
        }
    }

    private static void registerHook(String user, String pkg, String mode) {
        server.createPackage(user, "generic", pkg);
        var url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/" + mode + "/" + user + "/%p";
        assertThat(server.as(user).postJson("/api/v1/webhooks/" + user + "/generic/" + pkg,
                "{\"url\": \"" + url + "\"}").status()).isEqualTo(201);
    }

    /** Releases of {@code pkg} straight into the outbox, as publishing writes them. */
    private static void releases(String user, String pkg, int count) {
        var events = server.bindery().events();
        for (int i = 0; i < count; i++) {
            events.record(Event.versionPublished(Instant.now(), user, user, "generic", pkg, "1." + i));
        }
    }

    private static long rows(String user) {
        return server.bindery().events().jdbi().withHandle(handle -> handle.createQuery(
                "SELECT COUNT(*) FROM webhooks_delivery WHERE owner = :owner").bind("owner", user)
                .mapTo(Long.class).one());
    }

    private static void await(String what, long millis, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (!condition.getAsBoolean()) {
            assertThat(System.currentTimeMillis()).as("waiting for " + what).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    @Test
    void deadReceiverHoldsOnlyItsOwnSlotsWhileOtherHooksAreCalled() throws Exception {
        // given: a hook whose receiver never answers (each delivery: three 4 s timeouts, over 12 s),
        // and a healthy hook on another package
        server.bindery().webhookDelivery().retries(3, Duration.ofMillis(100), Duration.ofSeconds(4));
        givenHooks("dora", "dead", "stuck");
        registerHook("dora", "live", "ok");
        try {
            // when: a burst of 300 releases of the dead hook's package, more than there are request slots
            releases("dora", "stuck", 300);
            await("the dead receiver's first calls", 10_000, () -> counter(ARRIVED, "dora").get() > 0);
            // then: a release of the healthy package is called while the dead ones still hang,
            // not after their retries
            long start = System.nanoTime();
            server.publishFile("dora", "generic", "live", "2.0", "live.txt", "x");
            await("the healthy hook's call", 10_000, () -> answered("dora/live@2.0") > 0);
            assertThat((System.nanoTime() - start) / 1_000_000).as("healthy call after (ms)").isLessThan(5_000);
            assertThat(counter(HANGING, "dora").get()).as("dead calls still hanging").isPositive();
            // and the dead hook never had more than its own few calls in flight
            assertThat(counter(MOST_HANGING, "dora").get()).isLessThanOrEqualTo(WebhookDelivery.PER_HOOK);
        } finally {
            latch("dora").countDown();
        }
        // once the receiver answers, every queued call of the burst arrives
        await("the burst delivered", 60_000, () -> rows("dora") == 0);
        for (int i = 0; i < 300; i++) {
            assertThat(answered("dora/stuck@1." + i)).as("1." + i).isPositive();
        }
    }

    @Test
    void deactivationDropsTheQueuedCallsOfADeadHook() throws Exception {
        // given: a dead receiver and short timeouts (a delivery fails after 2 x 300 ms)
        var delivery = server.bindery().webhookDelivery().retries(2, Duration.ofMillis(10), Duration.ofMillis(300));
        givenHooks("dana", "dead", "stuck");
        long droppedBefore = delivery.dropped();
        try {
            // when: a burst of 100 releases
            releases("dana", "stuck", 100);
            // then: 7 failed deliveries deactivate the hook
            await("deactivation", 30_000, () -> !server.as("dana").get("/api/v1/webhooks/dana").json().get(0)
                    .get("active").asBoolean());
            await("the queue dropped", 10_000, () -> rows("dana") == 0);
            // the calls still queued were dropped, not made: the receiver saw about 7 deliveries' attempts
            // (at most PER_HOOK more were under way), not 100
            int started = counter(ARRIVED, "dana").get();
            assertThat(started).isLessThanOrEqualTo(2 * (WebhookService.MAX_FAILURES + 2 * WebhookDelivery.PER_HOOK));
            assertThat(delivery.dropped() - droppedBefore).isGreaterThanOrEqualTo(100 - started);
            var hook = server.as("dana").get("/api/v1/webhooks/dana").json().get(0);
            assertThat(hook.get("failure_count").asInt()).isEqualTo(WebhookService.MAX_FAILURES);
            Thread.sleep(500);
            assertThat(counter(ARRIVED, "dana").get()).as("no call after the drop").isEqualTo(started);
        } finally {
            latch("dana").countDown();
            server.bindery().webhookDelivery().retries(3, Duration.ofMillis(100), Duration.ofSeconds(5));
        }
    }

    @Test
    void pendingAndInFlightCallsArriveAfterARestart() throws Exception {
        // given: two hooks whose receiver takes calls but answers none yet
        server.bindery().webhookDelivery().retries(3, Duration.ofMillis(100), Duration.ofSeconds(30));
        givenHooks("rhea", "gate", "a", "b");
        var expected = new HashSet<String>();
        // when: 12 releases of each are published, so some calls are in flight and the rest queued
        for (int v = 0; v < 12; v++) {
            for (var pkg : new String[] {"a", "b"}) {
                server.publishFile("rhea", "generic", pkg, "1." + v, pkg + "-1." + v + ".txt", "x");
                expected.add("rhea/" + pkg + "@1." + v);
            }
        }
        await("calls in flight", 10_000, () -> counter(ARRIVED, "rhea").get() >= 2);
        await("24 pending calls", 10_000, () -> rows("rhea") == 24);
        // and the server stops (in-flight calls cut after a grace period) and starts again
        server.restart();
        latch("rhea").countDown();
        // then: every call arrives, answered, at least once; and nothing else does
        await("every call after the restart", 30_000, () -> expected.stream().allMatch(call -> answered(call) >= 1));
        await("the rows deleted", 10_000, () -> rows("rhea") == 0);
        var arrived = new HashSet<String>();
        ANSWERED.forEach((call, count) -> {
            if (call.startsWith("rhea/") && count.get() > 0) {
                arrived.add(call);
            }
        });
        assertThat(arrived).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void rowsOfADeadNodeAreTakenOverOnceTheirLeasePassed() throws Exception {
        // given: a healthy hook and two rows of another node: one whose lease passed (it died),
        // one whose lease holds
        givenHooks("tao", "ok", "tool");
        long now = System.currentTimeMillis();
        var jdbi = server.bindery().events().jdbi();
        for (var row : new Object[][] {{"dead-1", now - 1_000, -10}, {"held-1", now + 60_000, -11}}) {
            jdbi.useHandle(handle -> handle.createUpdate("INSERT INTO webhooks_delivery (seq, owner, repo, package,"
                            + " version, released, attempts, next_attempt, claimed_by, lease_until)"
                            + " VALUES (:seq, 'tao', 'generic', 'tool', :version, :now, 1, 0, :node, :lease)")
                    .bind("seq", row[2]).bind("version", row[0]).bind("now", now).bind("node", "node-" + row[0])
                    .bind("lease", row[1]).execute());
        }
        // then: the dead node's row is delivered by this node, the held one is not
        await("the dead node's call", 10_000, () -> answered("tao/tool@dead-1") == 1);
        Thread.sleep(1_500);
        assertThat(answered("tao/tool@held-1")).isZero();
        assertThat(rows("tao")).isEqualTo(1);
        // when its lease passes too, it is delivered, once
        jdbi.useHandle(handle -> handle.createUpdate("UPDATE webhooks_delivery SET lease_until = :past"
                + " WHERE version = 'held-1'").bind("past", System.currentTimeMillis() - 1).execute());
        await("the held call", 10_000, () -> answered("tao/tool@held-1") == 1);
        await("the rows deleted", 10_000, () -> rows("tao") == 0);
        assertThat(answered("tao/tool@dead-1")).isEqualTo(1);
    }

    @Test
    void ofNodesRacingForARowWhoseLeasePassedExactlyOneTakesIt() throws Exception {
        // given: a row held until a minute from now (so the live worker leaves it alone)
        var store = new WebhookStore(server.bindery().events().jdbi());
        long now = System.currentTimeMillis();
        var row = new PendingCall(-1, new HookKey("race", "generic", "tool"), "1.0", now, 0, now);
        server.bindery().events().jdbi().useHandle(handle -> handle.createUpdate("INSERT INTO webhooks_delivery"
                        + " (seq, owner, repo, package, version, released, attempts, next_attempt, claimed_by,"
                        + " lease_until) VALUES (-1, 'race', 'generic', 'tool', '1.0', :now, 0, :now, 'node-x', :lease)")
                .bind("now", now).bind("lease", now + 60_000).execute());
        try {
            // then: while the lease holds nobody takes it
            assertThat(store.take(row, "node-y", now, now + 60_000)).isFalse();
            // when: 8 nodes race for it as its lease has passed (as their clocks read two minutes later)
            long later = now + 120_000;
            var wins = new AtomicInteger();
            var start = new CountDownLatch(1);
            var threads = new ArrayList<Thread>();
            for (int n = 0; n < 8; n++) {
                var node = "node-" + n;
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                        if (store.take(row, node, later, later + 60_000)) {
                            wins.incrementAndGet();
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            start.countDown();
            for (var thread : threads) {
                thread.join(10_000);
            }
            // then: exactly one took it, and its lease holds against the next one
            assertThat(wins.get()).isEqualTo(1);
            assertThat(store.take(row, "node-z", later + 1, later + 60_000)).isFalse();
        } finally {
            store.finish(java.util.List.of(row));
        }
    }
}
