package dev.bindery.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bindery.support.BinderyServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Bintray's allowance: calls on other subjects' resources count; calls on your own do not. */
class RateLimitTest {

    @RegisterExtension
    static final BinderyServer server = new BinderyServer(config -> config.withRateLimits(3, 5));

    @Test
    void countsCallsOnOtherSubjectsResourcesAndRefusesPastTheDailyLimit() {
        // given: alice's public repository, read by bob
        server.createRepository("alice", "shared");
        var bob = server.as("bob");
        // when
        var first = bob.get("/api/v1/repos/alice/shared");
        var second = bob.get("/api/v1/repos/alice/shared");
        var third = bob.get("/api/v1/repos/alice/shared");
        var fourth = bob.get("/api/v1/repos/alice/shared");
        // then
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.header("X-RateLimit-Limit")).isEqualTo("3");
        assertThat(first.header("X-RateLimit-Remaining")).isEqualTo("2");
        assertThat(second.header("X-RateLimit-Remaining")).isEqualTo("1");
        assertThat(third.header("X-RateLimit-Remaining")).isEqualTo("0");
        assertThat(fourth.status()).isEqualTo(429);
        assertThat(fourth.message()).contains("rate limit");
        assertThat(fourth.header("X-RateLimit-Remaining")).isEqualTo("0");
    }

    @Test
    void neverCountsCallsOnTheCallersOwnResources() {
        // given
        server.createRepository("carol", "mine");
        var carol = server.as("carol");
        // when
        for (int i = 0; i < 5; i++) {
            assertThat(carol.get("/api/v1/repos/carol/mine").status()).isEqualTo(200);
        }
        // then
        var response = carol.get("/api/v1/repos/carol/mine");
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("X-RateLimit-Limit")).isNull();
    }

    @Test
    void neverCountsCallsOnTheCallersOrganizations() {
        // given: an organization dave owns
        server.createOrg("dave-org", "dave");
        server.createRepository("dave", "x");
        var dave = server.as("dave");
        assertThat(dave.postJson("/api/v1/repos/dave-org/tools", "{\"type\": \"generic\"}").status()).isEqualTo(201);
        // when
        for (int i = 0; i < 5; i++) {
            assertThat(dave.get("/api/v1/repos/dave-org/tools").status()).isEqualTo(200);
        }
        // then
        assertThat(dave.get("/api/v1/repos/dave-org/tools").header("X-RateLimit-Remaining")).isNull();
    }

    @Test
    void countsAnonymousCallsByAddress() {
        // given
        server.createRepository("erin", "pub");
        var anonymous = server.anonymous();
        // when: anonymous callers share one allowance per client address
        int lastStatus = 0;
        for (int i = 0; i < 4; i++) {
            lastStatus = anonymous.get("/api/v1/repos/erin").status();
        }
        // then
        assertThat(lastStatus).isEqualTo(429);
    }

    @Test
    void downloadsAreNotApiCalls() {
        // given
        server.createRepository("frank", "files");
        server.createPackage("frank", "files", "tool");
        server.publishFile("frank", "files", "tool", "1.0", "a.txt", "hello");
        var grace = server.as("grace");
        // when
        for (int i = 0; i < 10; i++) {
            assertThat(grace.get("/dl/frank/files/a.txt").status()).isEqualTo(200);
        }
        // then: grace still has her whole API allowance
        assertThat(grace.get("/api/v1/repos/frank/files").header("X-RateLimit-Remaining")).isEqualTo("2");
    }
}
