package dev.bindery.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bindery.formats.debian.Apt;
import dev.bindery.formats.debian.Debs;
import dev.bindery.support.BinderyServer;
import dev.bindery.support.Browser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The repository page's "set me up" snippets work as printed, with this server's address. */
class SetMeUpTest {

    @RegisterExtension
    static final BinderyServer server = new BinderyServer();

    @RegisterExtension
    static final Browser browser = new Browser(server::baseUrl);

    private static Path work;

    @BeforeAll
    static void createWorkDir() throws IOException {
        work = Files.createTempDirectory("setmeup-test");
    }

    @AfterAll
    static void removeWorkDir() throws IOException {
        try (var paths = Files.walk(work)) {
            for (var path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    @Test
    void aptLineAndKeyCommandOfASignedDebianRepositoryWorkWithAptGet() throws Exception {
        // given: a Debian repository whose metadata the server key signs, with one package
        server.createRepository("debby", "deb", "{\"type\": \"debian\", \"gpg_sign_metadata\": true,"
                + " \"default_debian_distribution\": \"stable\", \"default_debian_component\": \"main\","
                + " \"default_debian_architecture\": \"amd64\"}");
        server.createPackage("debby", "deb", "hello");
        var deb = Debs.build(Files.createTempDirectory(work, "deb"), "hello", "1.0-1", "amd64");
        var upload = server.as("debby").putFile("/api/v1/content/debby/deb/hello/1.0-1/pool/main/h/hello/"
                + "hello_1.0-1_amd64.deb;deb_distribution=stable;deb_component=main;deb_architecture=amd64;publish=1", deb);
        assertThat(upload.status()).as(upload.toString()).isEqualTo(201);
        awaitIndex("/dl/debby/deb/dists/stable/main/binary-amd64/Packages", "Package: hello");
        // when
        browser.open("/debby/deb");
        browser.screenshot("repository-debian");
        var keyCommand = browser.text("#setup-apt-key pre");
        var line = browser.text("#setup-apt-source pre");
        // then: the same line the Debian tests give apt-get, with the key where the command puts it
        var keyring = "/etc/apt/keyrings/debby-deb.asc";
        var keyUrl = server.baseUrl() + "/api/v1/keys/gpg/public.key";
        assertThat(keyCommand).isEqualTo("sudo mkdir -p /etc/apt/keyrings && sudo curl -fsSL -o " + keyring + " " + keyUrl);
        assertThat(line).isEqualTo("deb [signed-by=" + keyring + "] " + server.baseUrl() + "/dl/debby/deb stable main");
        // and apt-get accepts it: the key from the printed URL, at a path of this test's own
        var key = server.anonymous().get(keyCommand.substring(keyCommand.lastIndexOf(' ') + 1)
                .substring(server.baseUrl().length()));
        assertThat(key.body()).startsWith("-----BEGIN PGP PUBLIC KEY BLOCK-----");
        var keyFile = Files.writeString(work.resolve("debby-deb.asc"), key.body());
        try (var apt = Apt.isolated(line.replace(keyring, keyFile.toString()))) {
            var update = apt.aptGet("update");
            assertThat(update.exit()).as(update.output()).isZero();
            assertThat(update.output()).doesNotContain("W:", "E:");
            var download = apt.aptGet("download", "hello");
            assertThat(download.exit()).as(download.output()).isZero();
        }
    }

    @Test
    void unsignedDebianRepositoryIsTrustedExplicitly() {
        // given
        server.createRepository("plain", "deb", "{\"type\": \"debian\"}");
        // when
        browser.open("/plain/deb");
        // then: no key to fetch, and apt is told to trust the repository
        assertThat(browser.findAll("#setup-apt-key")).isEmpty();
        assertThat(browser.text("#setup-apt-source pre"))
                .isEqualTo("deb [trusted=yes] " + server.baseUrl() + "/dl/plain/deb stable main");
    }

    @Test
    void mavenRepositoryShowsPomAndSettingsWithItsUrl() {
        // given
        server.createRepository("mave", "m2", "{\"type\": \"maven\"}");
        // when
        browser.open("/mave/m2");
        browser.screenshot("repository-maven");
        // then
        var url = server.baseUrl() + "/dl/mave/m2";
        assertThat(browser.text("#setup-maven-pom pre")).contains("<id>mave-m2</id>").contains("<url>" + url + "</url>");
        assertThat(browser.text("#setup-maven-settings pre")).contains("<activeProfile>mave-m2</activeProfile>")
                .contains("<url>" + url + "</url>").doesNotContain("<servers>");
    }

    @Test
    void rpmRepositoryWithTheOwnersKeyChecksPackagesAndMetadata() {
        // given: a key pair for the owner, signing the repository
        server.apiKey("rita");
        var generated = server.as("rita").postJson("/api/v1/users/rita/keys/gpg", "{}");
        assertThat(generated.status()).as(generated.toString()).isBetween(200, 201);
        server.createRepository("rita", "rpms", "{\"type\": \"rpm\", \"gpg_use_owner_key\": true}");
        // when
        browser.open("/rita/rpms");
        // then
        assertThat(browser.text("#setup-dnf-repo pre")).isEqualTo("""
                [rita-rpms]
                name=rita/rpms
                baseurl=%s/dl/rita/rpms
                enabled=1
                gpgcheck=1
                repo_gpgcheck=1
                gpgkey=%s/api/v1/users/rita/keys/gpg/public.key""".formatted(server.baseUrl(), server.baseUrl()));
        assertThat(server.anonymous().get("/api/v1/users/rita/keys/gpg/public.key").status()).isEqualTo(200);
    }

    private static void awaitIndex(String path, String expected) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 15_000;
        while (System.currentTimeMillis() < deadline) {
            var response = server.anonymous().get(path);
            if (response.status() == 200 && response.body().contains(expected)) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError(path + " did not come to contain " + expected);
    }
}
