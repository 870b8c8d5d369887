package dev.bindery.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bindery.support.BinderyServer;
import dev.bindery.support.MutableClock;
import java.net.http.HttpRequest.BodyPublishers;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What every JSON resource shares: Bintray's date format, errors for broken bodies, lenient Content-Type. */
class JsonWireTest {

    // A clock standing still at a time with milliseconds, so every date on the wire is known exactly.
    static final MutableClock clock = new MutableClock(Instant.parse("2019-07-07T10:11:12.345Z"));

    @RegisterExtension
    static final BinderyServer server = BinderyServer.withClock(clock);

    private static final String NOW = "2019-07-07T10:11:12.345Z";

    // --- dates ------------------------------------------------------------------------------------

    @Test
    void everyDateIsWrittenAsUtcWithMilliseconds() {
        // given: a user, repository, package, version and file, all made at NOW
        server.createRepository("dirk", "dates");
        server.createPackage("dirk", "dates", "clock");
        server.publishFile("dirk", "dates", "clock", "1.0", "clock-1.0.txt", "tick");
        var dirk = server.as("dirk");
        // when
        var user = dirk.get("/api/v1/users/dirk").json();
        var repo = dirk.get("/api/v1/repos/dirk/dates").json();
        var pkg = dirk.get("/api/v1/packages/dirk/dates/clock").json();
        var version = dirk.get("/api/v1/packages/dirk/dates/clock/versions/1.0").json();
        var file = dirk.get("/api/v1/packages/dirk/dates/clock/files").json().get(0);
        // then
        assertThat(user.get("registered").asText()).isEqualTo(NOW);
        assertThat(repo.get("created").asText()).isEqualTo(NOW);
        assertThat(pkg.get("created").asText()).isEqualTo(NOW);
        assertThat(pkg.get("updated").asText()).isEqualTo(NOW);
        assertThat(version.get("created").asText()).isEqualTo(NOW);
        assertThat(version.get("updated").asText()).isEqualTo(NOW);
        assertThat(file.get("created").asText()).isEqualTo(NOW);
    }

    @Test
    void releasedDatesInAnyIsoFormAreWrittenBackInUtc() {
        // given
        server.createRepository("rita", "dates");
        server.createPackage("rita", "dates", "clock");
        var inputs = List.of(
                List.of("1.0", "2019-07-07T12:00:00.000+02:00", "2019-07-07T10:00:00.000Z"),
                List.of("1.1", "2019-07-07T12:00:00.000+0200", "2019-07-07T10:00:00.000Z"),
                List.of("1.2", "2019-07-07T10:00:00Z", "2019-07-07T10:00:00.000Z"),
                List.of("1.3", "2019-07-07", "2019-07-07T00:00:00.000Z"),
                List.of("1.4", "2019-07-07T10:00:00.5Z", "2019-07-07T10:00:00.500Z"));
        for (var input : inputs) {
            // when
            var response = server.as("rita").postJson("/api/v1/packages/rita/dates/clock/versions",
                    "{\"name\": \"" + input.get(0) + "\", \"released\": \"" + input.get(1) + "\"}");
            // then
            assertThat(response.status()).as(input.get(1)).isEqualTo(201);
            assertThat(response.json().get("released").asText()).as(input.get(1)).isEqualTo(input.get(2));
        }
    }

    @Test
    void unsetDatesAreNull() {
        // given
        server.createRepository("nils", "dates");
        server.createPackage("nils", "dates", "clock");
        // when
        var response = server.as("nils").postJson("/api/v1/packages/nils/dates/clock/versions", "{\"name\": \"1.0\"}");
        // then
        assertThat(response.json().get("released").isNull()).isTrue();
    }

    // --- broken bodies ----------------------------------------------------------------------------

    @Test
    void malformedJsonAnswers400SayingWhereAndWhat() {
        // given
        server.createRepository("mona", "libs");
        // when
        var truncated = server.as("mona").postJson("/api/v1/packages/mona/libs", "{\"name\": \"x\",");
        var unquoted = server.as("mona").postJson("/api/v1/packages/mona/libs", "{name: \"x\"}");
        var repository = server.as("mona").postJson("/api/v1/repos/mona/other", "{\"type\": maven}");
        // then
        assertThat(truncated.status()).isEqualTo(400);
        assertThat(truncated.message()).startsWith("Malformed JSON at line 1, column").contains("end-of-input");
        assertThat(unquoted.status()).isEqualTo(400);
        assertThat(unquoted.message()).startsWith("Malformed JSON at line 1, column 2").contains("'n'");
        assertThat(repository.status()).isEqualTo(400);
        assertThat(repository.message()).startsWith("Malformed JSON").contains("maven");
        assertThat(server.as("mona").get("/api/v1/repos/mona/other").status()).isEqualTo(404);
    }

    @Test
    void contentAfterTheJsonObjectAnswers400() {
        // when
        var secondObject = server.as("tara").postJson("/api/v1/repos/tara/trailing",
                "{\"type\": \"maven\"} {\"private\": true}");
        var garbage = server.as("tara").postJson("/api/v1/repos/tara/trailing", "{\"type\": \"maven\"} oops");
        // then
        assertThat(secondObject.status()).isEqualTo(400);
        assertThat(secondObject.message())
                .isEqualTo("Malformed JSON at line 1, column 19: unexpected content after the JSON object");
        assertThat(garbage.status()).isEqualTo(400);
        assertThat(garbage.message()).startsWith("Malformed JSON at line 1, column").contains("oops");
        assertThat(server.as("tara").get("/api/v1/repos/tara/trailing").status()).isEqualTo(404);
    }

    @Test
    void bodyThatIsNotAJsonObjectAnswers400() {
        // given
        server.createRepository("olaf", "libs");
        for (var body : List.of("[]", "\"text\"", "42", "null", "true")) {
            // when
            var response = server.as("olaf").postJson("/api/v1/packages/olaf/libs", body);
            // then
            assertThat(response.status()).as(body).isEqualTo(400);
            assertThat(response.message()).as(body).isEqualTo("Request body must be a JSON object");
        }
    }

    @Test
    void missingBodyAnswers400WhereOneIsRequired() {
        // given
        server.createRepository("mika", "libs");
        // when
        var response = server.as("mika").post("/api/v1/packages/mika/libs");
        // then
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.message()).contains("body is missing");
    }

    @Test
    void fieldOfTheWrongTypeAnswers400NamingTheField() {
        // given
        server.createRepository("walt", "libs");
        server.createPackage("walt", "libs", "tool");
        var walt = server.as("walt");
        // when
        var licenses = walt.postJson("/api/v1/packages/walt/libs",
                "{\"name\": \"x\", \"licenses\": \"MIT\", \"vcs_url\": \"https://example.com/x.git\"}");
        var labels = walt.postJson("/api/v1/packages/walt/libs", "{\"name\": \"x\", \"labels\": [{\"a\": 1}],"
                + " \"licenses\": [\"MIT\"], \"vcs_url\": \"https://example.com/x.git\"}");
        var isPrivate = walt.postJson("/api/v1/repos/walt/typed", "{\"type\": \"generic\", \"private\": \"yes\"}");
        var quotedBoolean = walt.postJson("/api/v1/repos/walt/typed", "{\"type\": \"generic\", \"private\": \"true\"}");
        var maxDays = walt.postJson("/api/v1/repos/walt/typed",
                "{\"type\": \"generic\", \"version_update_max_days\": \"sixty\"}");
        var useTag = walt.postJson("/api/v1/packages/walt/libs/tool/versions",
                "{\"name\": \"1.0\", \"github_use_tag_release_notes\": 1}");
        var patch = walt.patchJson("/api/v1/packages/walt/libs/tool", "{\"desc\": {\"text\": \"nested\"}}");
        var numberAsText = walt.patchJson("/api/v1/packages/walt/libs/tool", "{\"desc\": 5}");
        var fractionalDays = walt.postJson("/api/v1/repos/walt/typed",
                "{\"type\": \"rpm\", \"yum_metadata_depth\": 3.5}");
        // then
        assertThat(licenses.status()).isEqualTo(400);
        assertThat(licenses.message()).startsWith("Field 'licenses' has the wrong type");
        assertThat(labels.status()).isEqualTo(400);
        assertThat(labels.message()).startsWith("Field 'labels");
        assertThat(isPrivate.status()).isEqualTo(400);
        assertThat(isPrivate.message()).startsWith("Field 'private' has the wrong type");
        assertThat(quotedBoolean.status()).isEqualTo(400);
        assertThat(quotedBoolean.message()).startsWith("Field 'private' has the wrong type");
        assertThat(maxDays.status()).isEqualTo(400);
        assertThat(maxDays.message()).startsWith("Field 'version_update_max_days' has the wrong type");
        assertThat(useTag.status()).isEqualTo(400);
        assertThat(useTag.message()).startsWith("Field 'github_use_tag_release_notes' has the wrong type");
        assertThat(patch.status()).isEqualTo(400);
        assertThat(patch.message()).startsWith("Field 'desc' has the wrong type");
        assertThat(numberAsText.status()).isEqualTo(400);
        assertThat(numberAsText.message()).startsWith("Field 'desc' has the wrong type");
        assertThat(fractionalDays.status()).isEqualTo(400);
        assertThat(fractionalDays.message()).startsWith("Field 'yum_metadata_depth' has the wrong type");
        assertThat(walt.get("/api/v1/repos/walt/libs/packages").json()).hasSize(1);
        assertThat(walt.get("/api/v1/repos/walt/typed").status()).isEqualTo(404);
    }

    @Test
    void unknownFieldsAreIgnored() {
        // given
        server.createRepository("uli", "libs");
        // when
        var response = server.as("uli").postJson("/api/v1/packages/uli/libs", "{\"name\": \"x\", \"licenses\": [\"MIT\"],"
                + " \"vcs_url\": \"https://example.com/x.git\", \"maturity\": \"stable\", \"extra\": {\"a\": [1]}}");
        // then
        assertThat(response.status()).isEqualTo(201);
    }

    // --- Content-Type -----------------------------------------------------------------------------

    @Test
    void bodiesWithoutContentTypeAreReadAsJson() {
        // given: a client that sends no Content-Type at all
        var cara = server.as("cara");
        // when
        var repo = cara.send(cara.request("/api/v1/repos/cara/untyped")
                .POST(BodyPublishers.ofString("{\"type\": \"maven\", \"desc\": \"no header\"}")));
        var pkg = cara.send(cara.request("/api/v1/packages/cara/untyped").POST(BodyPublishers.ofString(
                "{\"name\": \"lib\", \"licenses\": [\"MIT\"], \"vcs_url\": \"https://example.com/l.git\"}")));
        var version = cara.send(cara.request("/api/v1/packages/cara/untyped/lib/versions")
                .POST(BodyPublishers.ofString("{\"name\": \"1.0\"}")));
        var patch = cara.send(cara.request("/api/v1/packages/cara/untyped/lib")
                .method("PATCH", BodyPublishers.ofString("{\"desc\": \"patched\"}")));
        var textPlain = cara.send(cara.request("/api/v1/repos/cara/untyped", "Content-Type", "text/plain")
                .method("PATCH", BodyPublishers.ofString("{\"desc\": \"plain\"}")));
        // then
        assertThat(repo.status()).isEqualTo(201);
        assertThat(repo.json().get("type").asText()).isEqualTo("maven");
        assertThat(pkg.status()).isEqualTo(201);
        assertThat(version.status()).isEqualTo(201);
        assertThat(patch.status()).isEqualTo(200);
        assertThat(patch.json().get("desc").asText()).isEqualTo("patched");
        assertThat(textPlain.status()).isEqualTo(200);
        assertThat(cara.get("/api/v1/repos/cara/untyped").json().get("desc").asText()).isEqualTo("plain");
    }

    @Test
    void answersAndErrorsAreJson() {
        // given
        server.createRepository("jo", "libs");
        // when
        var ok = server.anonymous().get("/api/v1/repos/jo/libs");
        var notFound = server.anonymous().get("/api/v1/repos/jo/none");
        var badRequest = server.as("jo").postJson("/api/v1/packages/jo/libs", "{");
        // then
        for (var response : List.of(ok, notFound, badRequest)) {
            assertThat(response.header("Content-Type")).as(response.toString()).startsWith("application/json");
        }
        assertThat(notFound.json().size()).isEqualTo(1);
        assertThat(badRequest.json().size()).isEqualTo(1);
    }
}
