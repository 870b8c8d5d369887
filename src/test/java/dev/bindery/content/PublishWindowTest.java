package dev.bindery.content;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bindery.support.BinderyServer;
import dev.bindery.support.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bintray's time windows on published versions: "Additional content can be uploaded to a published
 * version within 180 days from its publish date", overrides likewise, and Delete Content "for OSS,
 * is limited for 180 days"; plus a repository's {@code version_update_max_days}. Each test publishes
 * at the clock's current time and then moves the shared clock forward.
 */
class PublishWindowTest {

    static final MutableClock clock = MutableClock.startingNow();

    @RegisterExtension
    static final BinderyServer server = BinderyServer.withClock(clock);

    private static final String PUBLIC = "{\"type\": \"generic\"}";
    private static final String PRIVATE = "{\"type\": \"generic\", \"private\": true}";

    private static void givenPublishedVersion(String owner, String repositoryJson) {
        server.createRepository(owner, "generic", repositoryJson);
        server.createPackage(owner, "generic", "tool");
        server.publishFile(owner, "generic", "tool", "1.0", "tool-1.0.txt", "original");
    }

    @Test
    void acceptsNewFilesInPublicVersionWithin180Days() {
        // given
        givenPublishedVersion("early", PUBLIC);
        clock.advance(Duration.ofDays(179));
        // when
        var response = server.as("early").put("/api/v1/content/early/generic/tool/1.0/late-addition.txt?publish=1", "x");
        // then
        assertThat(response.status()).isEqualTo(201);
        assertThat(server.anonymous().get("/dl/early/generic/late-addition.txt").body()).isEqualTo("x");
    }

    @Test
    void refusesNewFilesInPublicVersionAfter180Days() {
        // given
        givenPublishedVersion("addie", PUBLIC);
        clock.advance(Duration.ofDays(181));
        // when
        var response = server.as("addie").put("/api/v1/content/addie/generic/tool/1.0/too-late.txt?publish=1", "x");
        // then
        assertThat(response.status()).isEqualTo(403);
        assertThat(response.message()).contains("180 days");
        assertThat(server.as("addie").get("/dl/addie/generic/too-late.txt").status()).isEqualTo(404);
    }

    @Test
    void refusesNewUnpublishedFilesInPublicVersionAfter180Days() {
        // given
        givenPublishedVersion("unpa", PUBLIC);
        clock.advance(Duration.ofDays(181));
        // when: even without publishing, the file would join the old version
        var response = server.as("unpa").put("/api/v1/content/unpa/generic/tool/1.0/draft.txt", "x");
        // then
        assertThat(response.status()).isEqualTo(403);
    }

    @Test
    void acceptsNewVersionOfPackageWhoseOldVersionIsPast180Days() {
        // given
        givenPublishedVersion("newer", PUBLIC);
        clock.advance(Duration.ofDays(181));
        // when: the window is per version
        var response = server.as("newer").put("/api/v1/content/newer/generic/tool/2.0/tool-2.0.txt?publish=1", "two");
        // then
        assertThat(response.status()).isEqualTo(201);
    }

    @Test
    void refusesOverrideInPublicVersionAfter180Days() {
        // given
        givenPublishedVersion("oliver", PUBLIC);
        clock.advance(Duration.ofDays(181));
        // when
        var response = server.as("oliver").put("/api/v1/content/oliver/generic/tool/1.0/tool-1.0.txt?override=1&publish=1",
                "replacement");
        // then
        assertThat(response.status()).isEqualTo(403);
        assertThat(response.message()).contains("180 days");
        assertThat(server.anonymous().get("/dl/oliver/generic/tool-1.0.txt").body()).isEqualTo("original");
    }

    @Test
    void refusesDeleteOfPublishedFileInPublicVersionAfter180Days() {
        // given
        givenPublishedVersion("delia", PUBLIC);
        clock.advance(Duration.ofDays(181));
        // when
        var response = server.as("delia").delete("/api/v1/content/delia/generic/tool-1.0.txt");
        // then
        assertThat(response.status()).isEqualTo(403);
        assertThat(response.message()).contains("180 days");
        assertThat(server.anonymous().get("/dl/delia/generic/tool-1.0.txt").body()).isEqualTo("original");
    }

    @Test
    void deletesPublishedFileInPublicVersionWithin180Days() {
        // given
        givenPublishedVersion("dora", PUBLIC);
        clock.advance(Duration.ofDays(179));
        // when
        var response = server.as("dora").delete("/api/v1/content/dora/generic/tool-1.0.txt");
        // then
        assertThat(response.status()).isEqualTo(200);
        assertThat(server.anonymous().get("/dl/dora/generic/tool-1.0.txt").status()).isEqualTo(404);
    }

    @Test
    void deletesUnpublishedFileOfPublicVersionAfter180Days() {
        // given: a file uploaded to the version but never published
        givenPublishedVersion("ulrike", PUBLIC);
        assertThat(server.as("ulrike").put("/api/v1/content/ulrike/generic/tool/1.0/draft.txt", "draft").status())
                .isEqualTo(201);
        clock.advance(Duration.ofDays(181));
        // when: the window limits published content only
        var response = server.as("ulrike").delete("/api/v1/content/ulrike/generic/draft.txt");
        // then
        assertThat(response.status()).isEqualTo(200);
        assertThat(server.as("ulrike").get("/dl/ulrike/generic/draft.txt").status()).isEqualTo(404);
    }

    @Test
    void countsTheWindowFromThePublishCall() {
        // given: files uploaded unpublished, published 100 days later
        server.createRepository("paco", "generic");
        server.createPackage("paco", "generic", "tool");
        assertThat(server.as("paco").put("/api/v1/content/paco/generic/tool/1.0/a.txt", "a").status()).isEqualTo(201);
        clock.advance(Duration.ofDays(100));
        assertThat(server.as("paco").post("/api/v1/content/paco/generic/tool/1.0/publish").status()).isEqualTo(200);
        // when: 170 days after the publish, 270 after the upload
        clock.advance(Duration.ofDays(170));
        var within = server.as("paco").put("/api/v1/content/paco/generic/tool/1.0/b.txt?publish=1", "b");
        clock.advance(Duration.ofDays(11));
        var after = server.as("paco").put("/api/v1/content/paco/generic/tool/1.0/c.txt?publish=1", "c");
        // then
        assertThat(within.status()).isEqualTo(201);
        assertThat(after.status()).isEqualTo(403);
    }

    @Test
    void allowsAddOverrideAndDeleteInPrivateRepositoryAfter180Days() {
        // given
        givenPublishedVersion("priya", PRIVATE);
        clock.advance(Duration.ofDays(400));
        var priya = server.as("priya");
        // when
        var added = priya.put("/api/v1/content/priya/generic/tool/1.0/added.txt?publish=1", "added");
        var overridden = priya.put("/api/v1/content/priya/generic/tool/1.0/tool-1.0.txt?override=1&publish=1", "new");
        var deleted = priya.delete("/api/v1/content/priya/generic/added.txt");
        // then
        assertThat(added.status()).isEqualTo(201);
        assertThat(overridden.status()).isEqualTo(201);
        assertThat(priya.get("/dl/priya/generic/tool-1.0.txt").body()).isEqualTo("new");
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(priya.get("/dl/priya/generic/added.txt").status()).isEqualTo(404);
    }

    @Test
    void versionUpdateMaxDaysDoesNotBlockTheOwner() {
        // given: a public repository whose versions close to non-admins after 5 days
        givenPublishedVersion("maxine", "{\"type\": \"generic\", \"version_update_max_days\": 5}");
        assertThat(server.as("maxine").get("/api/v1/repos/maxine/generic").json().get("version_update_max_days").asInt())
                .isEqualTo(5);
        clock.advance(Duration.ofDays(6));
        var maxine = server.as("maxine");
        // when: the owner administers the repository
        var added = maxine.put("/api/v1/content/maxine/generic/tool/1.0/added.txt?publish=1", "added");
        var overridden = maxine.put("/api/v1/content/maxine/generic/tool/1.0/tool-1.0.txt?override=1&publish=1", "new");
        var deleted = maxine.delete("/api/v1/content/maxine/generic/added.txt");
        // then
        assertThat(added.status()).isEqualTo(201);
        assertThat(overridden.status()).isEqualTo(201);
        assertThat(server.anonymous().get("/dl/maxine/generic/tool-1.0.txt").body()).isEqualTo("new");
        assertThat(deleted.status()).isEqualTo(200);
    }
}
