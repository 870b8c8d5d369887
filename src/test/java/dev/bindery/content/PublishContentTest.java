package dev.bindery.content;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bindery.support.BinderyServer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** "Publish/Discard Uploaded Content" and "Delete Content". */
class PublishContentTest {

    @RegisterExtension
    static final BinderyServer server = new BinderyServer();

    private static void givenPackage(String owner, String pkg) {
        server.createRepository(owner, "generic");
        server.createPackage(owner, "generic", pkg);
    }

    private static void upload(String owner, String pkg, String version, String path, String content) {
        var response = server.as(owner).put("/api/v1/content/" + owner + "/generic/" + pkg + "/" + version + "/" + path,
                content);
        assertThat(response.status()).isEqualTo(201);
    }

    private static List<String> filePaths(String owner, String pkg) {
        var files = server.as(owner).get("/api/v1/packages/" + owner + "/generic/" + pkg + "/files?include_unpublished=1");
        assertThat(files.status()).isEqualTo(200);
        return StreamSupport.stream(files.json().spliterator(), false).map(file -> file.get("path").asText()).sorted()
                .toList();
    }

    @Test
    void publishesUnpublishedFilesAndCountsThem() {
        // given
        givenPackage("petra", "tool");
        upload("petra", "tool", "1.0", "a.txt", "a");
        upload("petra", "tool", "1.0", "b.txt", "b");
        upload("petra", "tool", "1.0", "c/d.txt", "d");
        assertThat(server.anonymous().get("/dl/petra/generic/a.txt").status()).isEqualTo(404);
        // when
        var response = server.as("petra").post("/api/v1/content/petra/generic/tool/1.0/publish");
        // then
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().get("files").asInt()).isEqualTo(3);
        assertThat(server.anonymous().get("/dl/petra/generic/a.txt").body()).isEqualTo("a");
        assertThat(server.anonymous().get("/dl/petra/generic/c/d.txt").body()).isEqualTo("d");
    }

    @Test
    void publishCountsOnlyFilesNotYetPublished() {
        // given
        givenPackage("pete", "tool");
        server.publishFile("pete", "generic", "tool", "1.0", "first.txt", "1");
        upload("pete", "tool", "1.0", "second.txt", "2");
        // when
        var response = server.as("pete").postJson("/api/v1/content/pete/generic/tool/1.0/publish", "{}");
        // then
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().get("files").asInt()).isEqualTo(1);
    }

    @Test
    void discardRemovesUnpublishedFilesOnly() {
        // given
        givenPackage("dana", "tool");
        server.publishFile("dana", "generic", "tool", "1.0", "kept.txt", "kept");
        upload("dana", "tool", "1.0", "drop-1.txt", "x");
        upload("dana", "tool", "1.0", "drop-2.txt", "y");
        // when
        var response = server.as("dana").postJson("/api/v1/content/dana/generic/tool/1.0/publish", "{\"discard\": true}");
        // then
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().get("files").asInt()).isEqualTo(2);
        assertThat(filePaths("dana", "tool")).containsExactly("kept.txt");
        assertThat(server.as("dana").get("/dl/dana/generic/drop-1.txt").status()).isEqualTo(404);
        assertThat(server.anonymous().get("/dl/dana/generic/kept.txt").body()).isEqualTo("kept");
    }

    @Test
    void rejectsPublishOfUnknownVersion() {
        // given
        givenPackage("uwe", "tool");
        // when
        var response = server.as("uwe").post("/api/v1/content/uwe/generic/tool/9.9/publish");
        // then
        assertThat(response.status()).isEqualTo(404);
        assertThat(response.message()).contains("9.9");
    }

    @Test
    void rejectsPublishByAnonymousAndByOutsider() {
        // given
        givenPackage("owen", "tool");
        upload("owen", "tool", "1.0", "a.txt", "a");
        // when
        var anonymous = server.anonymous().post("/api/v1/content/owen/generic/tool/1.0/publish");
        var outsider = server.as("mallory").post("/api/v1/content/owen/generic/tool/1.0/publish");
        // then
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.header("WWW-Authenticate")).startsWith("Basic");
        assertThat(outsider.status()).isEqualTo(403);
        assertThat(server.anonymous().get("/dl/owen/generic/a.txt").status()).isEqualTo(404);
    }

    @Test
    void rejectsNegativeWaitOtherThanMinusOne() {
        // given
        givenPackage("nell", "tool");
        upload("nell", "tool", "1.0", "a.txt", "a");
        // when
        var response = server.as("nell").postJson("/api/v1/content/nell/generic/tool/1.0/publish",
                "{\"publish_wait_for_secs\": -5}");
        // then
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.message()).contains("publish_wait_for_secs");
    }

    @Test
    void rejectsMalformedPublishBody() {
        // given
        givenPackage("mabel", "tool");
        upload("mabel", "tool", "1.0", "a.txt", "a");
        // when
        var response = server.as("mabel").postJson("/api/v1/content/mabel/generic/tool/1.0/publish", "{\"discard\": ");
        // then
        assertThat(response.status()).isEqualTo(400);
        assertThat(server.as("mabel").get("/dl/mabel/generic/a.txt").status()).isEqualTo(200);
        assertThat(server.anonymous().get("/dl/mabel/generic/a.txt").status()).isEqualTo(404);
    }

    @Test
    void waitsForListenersWhenAskedTo() {
        // given: a listener that takes a moment on this package
        givenPackage("wanda", "waited");
        upload("wanda", "waited", "1.0", "a.txt", "a");
        var finished = new CopyOnWriteArrayList<String>();
        server.bindery().content().addListener(new ContentListener() {
            @Override
            public void published(Repository repository, Pkg pkg, Version version) {
                if (pkg.name().equals("waited")) {
                    sleep(300);
                    finished.add(version.name());
                }
            }
        });
        // when
        var response = server.as("wanda").postJson("/api/v1/content/wanda/generic/waited/1.0/publish",
                "{\"publish_wait_for_secs\": 5}");
        // then: the listener was done before the answer
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().get("files").asInt()).isEqualTo(1);
        assertThat(finished).containsExactly("1.0");
    }

    @Test
    void answers408WhenListenersOutlastTheWaitButPublishesAnyway() throws InterruptedException {
        // given: a listener held until the test lets it go
        givenPackage("sloane", "slow");
        upload("sloane", "slow", "1.0", "a.txt", "a");
        upload("sloane", "slow", "1.0", "b.txt", "b");
        var release = new CountDownLatch(1);
        var finished = new CountDownLatch(1);
        server.bindery().content().addListener(new ContentListener() {
            @Override
            public void published(Repository repository, Pkg pkg, Version version) {
                if (pkg.name().equals("slow")) {
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    finished.countDown();
                }
            }
        });
        try {
            // when
            long started = System.nanoTime();
            var response = server.as("sloane").postJson("/api/v1/content/sloane/generic/slow/1.0/publish",
                    "{\"publish_wait_for_secs\": 1}");
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            // then
            assertThat(response.status()).isEqualTo(408);
            assertThat(response.message()).contains("sloane/generic/slow/1.0");
            assertThat(tookMillis).isBetween(900L, 10_000L);
            assertThat(finished.getCount()).isEqualTo(1);
            assertThat(server.anonymous().get("/dl/sloane/generic/a.txt").body()).isEqualTo("a");
            assertThat(server.anonymous().get("/dl/sloane/generic/b.txt").body()).isEqualTo("b");
        } finally {
            release.countDown();
        }
        assertThat(finished.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void deletesFile() {
        // given
        givenPackage("della", "tool");
        server.publishFile("della", "generic", "tool", "1.0", "dir/gone.txt", "bye");
        server.publishFile("della", "generic", "tool", "1.0", "dir/stays.txt", "hi");
        // when
        var response = server.as("della").delete("/api/v1/content/della/generic/dir/gone.txt");
        // then
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().get("message").asText()).isEqualTo("success");
        assertThat(server.anonymous().get("/dl/della/generic/dir/gone.txt").status()).isEqualTo(404);
        assertThat(filePaths("della", "tool")).containsExactly("dir/stays.txt");
    }

    @Test
    void deletesUnpublishedFile() {
        // given
        givenPackage("delphine", "tool");
        upload("delphine", "tool", "1.0", "draft.txt", "d");
        // when
        var response = server.as("delphine").delete("/api/v1/content/delphine/generic/draft.txt");
        // then
        assertThat(response.status()).isEqualTo(200);
        assertThat(filePaths("delphine", "tool")).isEmpty();
    }

    @Test
    void answers404WhenDeletingMissingFile() {
        // given
        givenPackage("mila", "tool");
        // when
        var response = server.as("mila").delete("/api/v1/content/mila/generic/no/such/file.txt");
        // then
        assertThat(response.status()).isEqualTo(404);
        assertThat(response.message()).contains("no/such/file.txt");
    }

    @Test
    void refusesDeleteByAnonymousAndByOutsider() {
        // given
        givenPackage("dirk", "tool");
        server.publishFile("dirk", "generic", "tool", "1.0", "keep.txt", "k");
        // when
        var anonymous = server.anonymous().delete("/api/v1/content/dirk/generic/keep.txt");
        var outsider = server.as("eve").delete("/api/v1/content/dirk/generic/keep.txt");
        // then
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(outsider.status()).isEqualTo(403);
        assertThat(server.anonymous().get("/dl/dirk/generic/keep.txt").body()).isEqualTo("k");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
