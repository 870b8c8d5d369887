package dev.bindery.formats.rpm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bindery.support.BinderyServer;
import dev.bindery.support.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The previous generation of a repodata/ folder: what an old repomd.xml names still downloads for a
 * grace period after a rebuild, then is removed, rows and blobs. Its own server, as it moves the clock.
 */
class RpmSupersededRepodataTest {

    private static final MutableClock CLOCK = MutableClock.startingNow();

    @RegisterExtension
    static final BinderyServer server = BinderyServer.withClock(CLOCK);

    private static final Pattern PRIMARY = Pattern.compile(
            "<data type=\"primary\">.*?<location href=\"(repodata/([0-9a-f]{64})-primary\\.xml\\.gz)\"/>",
            Pattern.DOTALL);

    @TempDir
    Path tmp;

    @Test
    void keepsThePreviousPrimaryForTheGracePeriodThenRemovesIt() throws Exception {
        // given: a repository indexed once, and the primary its repomd.xml names
        server.createRepository("alice", "gen", "{\"type\": \"rpm\"}");
        upload("gen-one");
        var first = primaryOf(repomd());
        // when: another package is published, a new generation
        upload("gen-two");
        var second = primaryOf(repomd());
        // then: the old repomd.xml's primary still downloads, with the checksum in its name
        assertThat(second.group(1)).isNotEqualTo(first.group(1));
        var old = server.anonymous().get("/dl/alice/gen/" + first.group(1));
        assertThat(old.status()).as(old.toString()).isEqualTo(200);
        assertThat(sha256(old.bytes())).isEqualTo(first.group(2));

        // when: past the grace period (and the blob sweeper's), a third generation
        CLOCK.advance(Duration.ofHours(2));
        upload("gen-three");
        var third = primaryOf(repomd());
        // then: the first generation's primary is gone, the second's kept, its blob too through a sweep
        assertThat(server.anonymous().get("/dl/alice/gen/" + first.group(1)).status()).isEqualTo(404);
        assertThat(server.anonymous().get("/dl/alice/gen/" + second.group(1)).status()).isEqualTo(200);
        server.bindery().sweep();
        assertThat(blob(first.group(2))).doesNotExist();
        assertThat(blob(second.group(2))).exists();

        // when: the second generation's grace period is over, and the sweeper runs
        CLOCK.advance(Duration.ofMinutes(11));
        server.bindery().sweep();
        // then: it is gone, row and blob; the current one stays
        assertThat(server.anonymous().get("/dl/alice/gen/" + second.group(1)).status()).isEqualTo(404);
        assertThat(blob(second.group(2))).doesNotExist();
        assertThat(blob(third.group(2))).exists();
        assertThat(server.anonymous().get("/dl/alice/gen/" + third.group(1)).status()).isEqualTo(200);
    }

    private void upload(String name) throws Exception {
        var rpm = Rpms.buildOne(Files.createTempDirectory(tmp, name), Rpms.spec(name, "1.0", "1"));
        server.createPackage("alice", "gen", name);
        var response = server.as("alice").putFile("/api/v1/content/alice/gen/" + name + "/1.0/" + rpm.getFileName()
                + "?publish=1", rpm);
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        server.bindery().awaitIndexes(Duration.ofSeconds(60));
    }

    private static String repomd() {
        var response = server.anonymous().get("/dl/alice/gen/repodata/repomd.xml");
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.body();
    }

    private static java.util.regex.MatchResult primaryOf(String repomd) {
        var matcher = PRIMARY.matcher(repomd);
        assertThat(matcher.find()).as(repomd).isTrue();
        return matcher.toMatchResult();
    }

    private static Path blob(String sha256) {
        return server.dataDir().resolve("blobs/sha256").resolve(sha256.substring(0, 2)).resolve(sha256.substring(2, 4))
                .resolve(sha256);
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
