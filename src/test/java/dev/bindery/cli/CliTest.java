package dev.bindery.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bindery.Bindery;
import dev.bindery.Config;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The admin commands write to the same store the server reads. */
class CliTest {

    @TempDir
    Path data;

    @Test
    void createsAUserWhoseKeyTheServerAccepts() throws Exception {
        // when
        var created = CliRun.of("user", "create", "--name", "carol", "--email", "carol@example.com", "--data", data.toString());
        // then
        assertThat(created.exit()).isZero();
        var matcher = Pattern.compile("user 'carol' with API key ([0-9a-f]{40})").matcher(created.out());
        assertThat(matcher.find()).as(created.out()).isTrue();
        try (var bindery = Bindery.start(Config.defaults(data).withPort(0))) {
            var response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + bindery.port() + "/api/v1/users/carol"))
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                            ("carol:" + matcher.group(1)).getBytes(StandardCharsets.UTF_8)))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).contains("\"name\":\"carol\"");
        }
    }

    @Test
    void createsAnOrganizationOwnedByAUser() {
        CliRun.of("user", "create", "--name", "dan", "--data", data.toString());
        var created = CliRun.of("org", "create", "--name", "acme", "--owner", "dan", "--data", data.toString());
        assertThat(created.exit()).isZero();
        assertThat(created.out()).contains("Created organization 'acme'");
        var again = CliRun.of("org", "create", "--name", "acme", "--owner", "dan", "--data", data.toString());
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).contains("already exists");
    }

    @Test
    void refusesBadNamesWithAReason() {
        var created = CliRun.of("user", "create", "--name", "-bad", "--data", data.toString());
        assertThat(created.exit()).isEqualTo(1);
        assertThat(created.err()).contains("must start with a letter or digit");
    }

    @Test
    void explainsItselfWithHelp() {
        var help = CliRun.of("--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("serve", "user", "org");
        var serveHelp = CliRun.of("serve", "--help");
        assertThat(serveHelp.out()).contains("--port", "--data", "--db-url", "--base-url", "BINDERY_PORT");
    }
}
