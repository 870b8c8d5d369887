package dev.bindery.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bindery.Bindery;
import dev.bindery.Config;
import dev.bindery.support.BinderyServer;
import dev.bindery.support.Client;
import dev.bindery.support.MutableClock;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The event outbox of issue 6: uploads, deletes, publishes, downloads and failed authentications
 * append events with a global, gap-free sequence, in the transaction of their change.
 */
class OutboxTest {

    @RegisterExtension
    static final BinderyServer server = new BinderyServer();

    static final MutableClock CLOCK = MutableClock.startingNow();

    /** A second server on a clock of its own, asking for less retention than the replay window. */
    @RegisterExtension
    static final BinderyServer clocked = new BinderyServer(config -> config.withClock(CLOCK)
            .withEventRetention(Duration.ofSeconds(60)));

    private static EventService events() {
        return server.bindery().events();
    }

    private static void givenPackage(BinderyServer on, String owner) {
        on.createRepository(owner, "generic");
        on.createPackage(owner, "generic", "tool");
    }

    /** The events after {@code seq}, once {@code done} holds for them (downloads arrive a moment later). */
    private static List<StoredEvent> eventsAfter(long seq, Predicate<List<StoredEvent>> done) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (true) {
            var all = events().after(seq, 10_000);
            if (done.test(all)) {
                return all;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("Events after " + seq + " never got there: " + all);
            }
            Thread.sleep(10);
        }
    }

    private static long count(List<StoredEvent> events, EventType type) {
        return events.stream().filter(event -> event.event().type() == type).count();
    }

    private static List<EventType> types(List<StoredEvent> events) {
        return events.stream().map(event -> event.event().type()).toList();
    }

    @Test
    void uploadPublishDownloadAndDeleteAppearInOrderWithTheirFields() throws Exception {
        // given
        givenPackage(server, "olga");
        long start = events().latestSeq();
        var before = Instant.now().minusSeconds(1);
        // when: an upload, its publish, a download and a delete
        assertThat(server.as("olga").put("/api/v1/content/olga/generic/tool/1.0/docs/a.txt", "hello").status())
                .isEqualTo(201);
        assertThat(server.as("olga").post("/api/v1/content/olga/generic/tool/1.0/publish").status()).isEqualTo(200);
        assertThat(server.anonymous().get("/dl/olga/generic/docs/a.txt").status()).isEqualTo(200);
        eventsAfter(start, all -> count(all, EventType.DOWNLOAD) == 1);
        assertThat(server.as("olga").delete("/api/v1/content/olga/generic/docs/a.txt").status()).isEqualTo(200);
        // then
        var all = events().after(start, 100);
        assertThat(types(all)).containsExactly(EventType.UPLOAD, EventType.VERSION_PUBLISHED, EventType.DOWNLOAD,
                EventType.DELETE);
        assertThat(all).extracting(StoredEvent::seq).containsExactly(start + 1, start + 2, start + 3, start + 4);
        var upload = all.get(0).event();
        assertThat(upload.subject()).isEqualTo("olga");
        assertThat(upload.owner()).isEqualTo("olga");
        assertThat(upload.repo()).isEqualTo("generic");
        assertThat(upload.pkg()).isEqualTo("tool");
        assertThat(upload.version()).isEqualTo("1.0");
        assertThat(upload.path()).isEqualTo("/olga/generic/docs/a.txt");
        assertThat(upload.ipAddress()).isEqualTo("127.0.0.1");
        assertThat(upload.time()).isAfter(before).isBefore(Instant.now().plusSeconds(1));
        var published = all.get(1).event();
        assertThat(published.subject()).isEqualTo("olga");
        assertThat(published.version()).isEqualTo("1.0");
        assertThat(published.path()).isNull();
        var download = all.get(2).event();
        assertThat(download.subject()).isEqualTo("anonymous");
        assertThat(download.owner()).isEqualTo("olga");
        assertThat(download.path()).isEqualTo("/olga/generic/docs/a.txt");
        assertThat(download.version()).isEqualTo("1.0");
        assertThat(download.ipAddress()).isEqualTo("127.0.0.1");
        var deleted = all.get(3).event();
        assertThat(deleted.subject()).isEqualTo("olga");
        assertThat(deleted.path()).isEqualTo("/olga/generic/docs/a.txt");
        assertThat(deleted.ipAddress()).isEqualTo("127.0.0.1");
        // and: readers filter by the subject owning the resource
        assertThat(events().after(start, 100, "olga")).isEqualTo(all);
        assertThat(events().after(start, 100, "somebody-else")).isEmpty();
        assertThat(events().latestSeq()).isEqualTo(start + 4);
    }

    @Test
    void concurrentUploadsGetAGapFreeTotalOrder() throws Exception {
        // given
        givenPackage(server, "conny");
        var client = server.as("conny");
        long start = events().latestSeq();
        // when: 8 threads upload 25 files each, all at once
        var statuses = new ConcurrentLinkedQueue<Integer>();
        try (var pool = Executors.newFixedThreadPool(8)) {
            for (int thread = 0; thread < 8; thread++) {
                int t = thread;
                pool.submit(() -> {
                    for (int i = 0; i < 25; i++) {
                        statuses.add(client.put("/api/v1/content/conny/generic/tool/1.0/t" + t + "/f" + i + ".txt",
                                "content " + t + "/" + i).status());
                    }
                });
            }
        }
        // then: seqs start+1..start+200 without a hole, each upload exactly once
        assertThat(statuses).hasSize(200).containsOnly(201);
        var all = events().after(start, 1_000);
        assertThat(all).extracting(StoredEvent::seq)
                .containsExactlyElementsOf(LongStream.rangeClosed(start + 1, start + 200).boxed().toList());
        var paths = new HashSet<String>();
        for (var event : all) {
            assertThat(event.event().type()).isEqualTo(EventType.UPLOAD);
            assertThat(paths.add(event.event().path())).as("uploaded once: %s", event.event().path()).isTrue();
        }
        assertThat(paths).hasSize(200).contains("/conny/generic/t7/f24.txt");
        assertThat(events().latestSeq()).isEqualTo(start + 200);
    }

    @Test
    void deletingAVersionOrAPackageDeletesEachOfItsFiles() {
        // given: two files in 1.0 (one unpublished), one in 2.0
        givenPackage(server, "vera");
        server.publishFile("vera", "generic", "tool", "1.0", "a.txt", "a");
        server.as("vera").put("/api/v1/content/vera/generic/tool/1.0/b.txt", "b");
        server.publishFile("vera", "generic", "tool", "2.0", "c.txt", "c");
        long start = events().latestSeq();
        // when
        assertThat(server.as("vera").delete("/api/v1/packages/vera/generic/tool/versions/1.0").status())
                .isEqualTo(200);
        assertThat(server.as("vera").delete("/api/v1/packages/vera/generic/tool").status()).isEqualTo(200);
        // then
        var all = events().after(start, 100);
        assertThat(types(all)).containsOnly(EventType.DELETE);
        assertThat(all).extracting(event -> event.event().path())
                .containsExactly("/vera/generic/a.txt", "/vera/generic/b.txt", "/vera/generic/c.txt");
        assertThat(all).extracting(event -> event.event().version()).containsExactly("1.0", "1.0", "2.0");
    }

    @Test
    void aRefusedUploadWritesNoEvent() {
        // given: a published file
        givenPackage(server, "rita");
        server.publishFile("rita", "generic", "tool", "1.0", "x.txt", "one");
        long start = events().latestSeq();
        // when: uploading it again without override
        var response = server.as("rita").put("/api/v1/content/rita/generic/tool/1.0/x.txt", "two");
        // then
        assertThat(response.status()).isEqualTo(409);
        assertThat(events().latestSeq()).isEqualTo(start);
        assertThat(events().after(start, 10)).isEmpty();
    }

    @Test
    void aRolledBackChangeGivesItsNumbersBack() {
        // given
        long start = events().latestSeq();
        var event = Event.login(EventType.LOGIN_SUCCESS, Instant.now(), "rob", "rob", "127.0.0.1");
        // when: a change appends its events, then fails
        assertThatThrownBy(() -> events().jdbi().useTransaction(handle -> {
            events().append(handle, List.of(event, event));
            throw new IllegalStateException("the change failed");
        })).hasMessageContaining("the change failed");
        // then: nothing was written, and the next event takes the next number
        assertThat(events().latestSeq()).isEqualTo(start);
        assertThat(events().after(start, 10)).isEmpty();
        events().loginSucceeded("rob", "127.0.0.1");
        assertThat(events().after(start, 10)).extracting(StoredEvent::seq).containsExactly(start + 1);
    }

    @Test
    void wrongCredentialsAreLoginFailuresAtMostOncePerSecondEach() throws Exception {
        // given
        server.apiKey("lena");
        long start = events().latestSeq();
        // when: the same wrong key three times, another wrong key, a wrong access key and a wrong token
        for (int i = 0; i < 3; i++) {
            assertThat(server.withCredentials("lena", "wrong-secret-1").get("/api/v1/repos/lena").status())
                    .isEqualTo(401);
        }
        assertThat(server.withCredentials("lena", "wrong-secret-2").get("/api/v1/repos/lena").status())
                .isEqualTo(401);
        assertThat(server.withCredentials("key@lena", "wrong-secret-3").get("/api/v1/repos/lena").status())
                .isEqualTo(401);
        assertThat(Client.bearer(server.baseUrl(), "wrong-secret-4").get("/api/v1/repos/lena").status())
                .isEqualTo(401);
        // and: a right key, which is no log-in
        assertThat(server.as("lena").get("/api/v1/repos/lena").status()).isEqualTo(200);
        // then
        var all = events().after(start, 100);
        assertThat(types(all)).containsOnly(EventType.LOGIN_FAILURE).hasSize(4);
        assertThat(all).extracting(event -> event.event().subject())
                .containsExactly("lena", "lena", "key@lena", null);
        assertThat(all).extracting(event -> event.event().owner())
                .containsExactly("lena", "lena", "lena", null);
        for (var event : all) {
            assertThat(event.event().ipAddress()).isEqualTo("127.0.0.1");
            assertThat(event.event().toString()).doesNotContain("wrong-secret");
        }
    }

    @Test
    void aRestartDoesNotAddDownloadsTwice() throws Exception {
        // given: three downloads in the outbox
        givenPackage(server, "rosa");
        server.publishFile("rosa", "generic", "tool", "1.0", "r.txt", "bytes");
        long start = events().latestSeq();
        for (int i = 0; i < 3; i++) {
            assertThat(server.anonymous().get("/dl/rosa/generic/r.txt").status()).isEqualTo(200);
        }
        eventsAfter(start, all -> count(all, EventType.DOWNLOAD) == 3);
        // when: the server stops and starts again on the same data
        server.restart();
        assertThat(server.bindery().downloadEvents().awaitCaughtUp(10_000)).isTrue();
        // then: the log's downloads are not appended again, and new ones go on from there
        assertThat(count(events().after(start, 100), EventType.DOWNLOAD)).isEqualTo(3);
        assertThat(server.anonymous().get("/dl/rosa/generic/r.txt").status()).isEqualTo(200);
        var all = eventsAfter(start, events -> count(events, EventType.DOWNLOAD) == 4);
        Thread.sleep(200);
        assertThat(events().after(start, 100)).isEqualTo(all);
        assertThat(all).extracting(StoredEvent::seq)
                .containsExactlyElementsOf(LongStream.rangeClosed(start + 1, start + 4).boxed().toList());
    }

    @Test
    void retentionPurgesOldEventsButKeepsTheReplayWindow() {
        // given: retention asked for 60 s, raised to the 120 s replay window
        var outbox = clocked.bindery().events();
        assertThat(outbox.retention()).isEqualTo(EventService.REPLAY_WINDOW);
        clocked.createRepository("tess", "generic");
        clocked.createPackage("tess", "generic", "tool");
        long start = outbox.latestSeq();
        clocked.publishFile("tess", "generic", "tool", "1.0", "old.txt", "old");
        // when: 100 s later, within the replay window
        CLOCK.advance(Duration.ofSeconds(100));
        outbox.purge();
        // then: nothing is gone
        assertThat(outbox.after(start, 100)).hasSize(2);
        // when: 130 s after the first upload, with a new one
        CLOCK.advance(Duration.ofSeconds(30));
        clocked.publishFile("tess", "generic", "tool", "1.0", "new.txt", "new");
        int removed = outbox.purge();
        // then: everything from before the window is gone, the new events stay
        var kept = outbox.after(0, 1_000);
        assertThat(removed).isGreaterThanOrEqualTo(2);
        assertThat(kept).extracting(event -> event.event().path()).containsExactly("/tess/generic/new.txt", null);
        assertThat(outbox.firstSeq()).contains(start + 3);
        assertThat(outbox.latestSeq()).isEqualTo(start + 4);
    }

    @Test
    void twoNodesSharingTheDatabaseShareOneSequence() throws Exception {
        // given: a second node on the same database, with a data directory and download log of its own
        givenPackage(server, "nina");
        server.publishFile("nina", "generic", "tool", "1.0", "n0.txt", "n");
        var secondData = Files.createTempDirectory("bindery-node2");
        var second = Bindery.start(Config.defaults(secondData).withPort(0).withAdminApiKey(BinderyServer.ADMIN_KEY)
                .withRateLimits(1_000_000, 1_000_000).withDbUrl(server.config().effectiveDbUrl()));
        try {
            var nodes = List.of(server.as("nina"),
                    new Client("http://127.0.0.1:" + second.port(), "nina", server.apiKey("nina")));
            // Each node has its own blob directory here (no shared object store): each serves its own upload.
            assertThat(nodes.get(1).put("/api/v1/content/nina/generic/tool/1.0/n1.txt?publish=1", "n").status())
                    .isEqualTo(201);
            long start = events().latestSeq();
            // when: 4 threads on each node upload 10 files each and download one file 3 times
            var statuses = new ConcurrentLinkedQueue<Integer>();
            try (var pool = Executors.newFixedThreadPool(8)) {
                for (int thread = 0; thread < 8; thread++) {
                    int t = thread;
                    var client = nodes.get(t % 2);
                    pool.submit(() -> {
                        for (int i = 0; i < 10; i++) {
                            statuses.add(client.put("/api/v1/content/nina/generic/tool/2.0/t" + t + "/f" + i + ".txt",
                                    "content " + t + "/" + i).status());
                            if (i < 3 && t < 2) {
                                statuses.add(client.get("/dl/nina/generic/n" + (t % 2) + ".txt").status() - 1);
                            }
                        }
                    });
                }
            }
            // then: one sequence without holes holds every upload once and the downloads of both nodes
            assertThat(statuses).hasSize(86).containsOnly(201, 199);
            var all = eventsAfter(start, events -> count(events, EventType.DOWNLOAD) == 6);
            assertThat(all).extracting(StoredEvent::seq)
                    .containsExactlyElementsOf(LongStream.rangeClosed(start + 1, start + 86).boxed().toList());
            assertThat(count(all, EventType.UPLOAD)).isEqualTo(80);
            assertThat(all.stream().filter(event -> event.event().type() == EventType.UPLOAD)
                    .map(event -> event.event().path()).distinct().count()).isEqualTo(80);
            assertThat(second.events().after(start, 1_000)).isEqualTo(all);
        } finally {
            second.close();
        }
    }

    @Test
    void readersPageThroughTheOutboxInOrder() {
        // given: 5 uploads
        givenPackage(server, "paige");
        long start = events().latestSeq();
        for (int i = 0; i < 5; i++) {
            server.as("paige").put("/api/v1/content/paige/generic/tool/1.0/p" + i + ".txt", "p" + i);
        }
        // when: reading two at a time
        var read = new ArrayList<StoredEvent>();
        long position = start;
        List<StoredEvent> page;
        while (!(page = events().after(position, 2)).isEmpty()) {
            read.addAll(page);
            position = page.get(page.size() - 1).seq();
        }
        // then
        assertThat(read).extracting(event -> event.event().path()).containsExactly("/paige/generic/p0.txt",
                "/paige/generic/p1.txt", "/paige/generic/p2.txt", "/paige/generic/p3.txt", "/paige/generic/p4.txt");
        assertThat(position).isEqualTo(events().latestSeq());
    }

    @Test
    void aScanForOneTypeLooksPastOthersWithinItsWindowAndStopsAtItsLimit() {
        // given: after the current end, 30 downloads with a published version at the 10th and the 25th
        var on = clocked.bindery().events();
        long start = on.latestSeq();
        var now = Instant.now();
        for (int i = 1; i <= 30; i++) {
            on.record(i == 10 || i == 25
                    ? Event.versionPublished(now, "scanner", "scanner", "generic", "tool", "1." + i)
                    : Event.file(EventType.DOWNLOAD, now, "anonymous", "scanner", "generic", "tool", "1.0",
                    "/scanner/generic/f.bin", "127.0.0.1"));
        }
        // when
        var all = on.scan(start, EventType.VERSION_PUBLISHED, 1_000, 10);
        var limited = on.scan(start, EventType.VERSION_PUBLISHED, 1_000, 1);
        var windowed = on.scan(start, EventType.VERSION_PUBLISHED, 5, 10);
        var caughtUp = on.scan(start + 30, EventType.VERSION_PUBLISHED, 1_000, 10);
        // then: both found, up to the last committed event
        assertThat(all.events()).extracting(stored -> stored.event().version()).containsExactly("1.10", "1.25");
        assertThat(all.scannedTo()).isEqualTo(start + 30);
        // the limit stops at the last one found, so the next scan starts after it
        assertThat(limited.events()).hasSize(1);
        assertThat(limited.scannedTo()).isEqualTo(start + 10);
        // the window: five positions looked at, nothing of the type among them, and still progress
        assertThat(windowed.events()).isEmpty();
        assertThat(windowed.scannedTo()).isEqualTo(start + 5);
        assertThat(caughtUp.events()).isEmpty();
        assertThat(caughtUp.scannedTo()).isEqualTo(start + 30);
    }
}
