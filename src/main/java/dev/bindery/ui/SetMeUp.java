package dev.bindery.ui;

import dev.bindery.content.FileEntry;
import dev.bindery.content.Repository;
import java.util.ArrayList;
import java.util.List;

/**
 * The repository page's "set me up" box: what a client needs to use a repository, per type, with
 * this server's address as the visitor reached it. Every snippet works as printed (the browser
 * tests feed the apt line to apt-get); where a value must be the reader's own, the note says so.
 */
public final class SetMeUp {

    private SetMeUp() {
    }

    /**
     * @param id    stable id for the page (element id {@code setup-<id>}) and tests
     * @param title what the snippet is, e.g. the file it goes into
     * @param text  the snippet, copied verbatim by the copy button
     * @param note  a sentence for the reader, or null
     */
    public record Snippet(String id, String title, String text, String note) {
    }

    /**
     * @param baseUrl    scheme, host and port of this server as the visitor reached it
     * @param sampleFile a published file of the repository for the download example, or null
     */
    public static List<Snippet> of(Repository repository, String baseUrl, FileEntry sampleFile) {
        var subject = repository.owner().name();
        var name = repository.name();
        var url = baseUrl + "/dl/" + subject + "/" + name;
        var id = subject + "-" + name;
        var snippets = new ArrayList<Snippet>();
        switch (repository.type()) {
            case MAVEN -> maven(snippets, repository, url, id);
            case DEBIAN -> debian(snippets, repository, baseUrl, url, id);
            case RPM -> rpm(snippets, repository, baseUrl, url, id);
            default -> { }
        }
        var path = sampleFile == null ? "PATH" : sampleFile.path();
        snippets.add(new Snippet("curl", "Download a file with curl",
                "curl -fLO " + (repository.isPrivate() ? "-u USER:API_KEY " : "") + url + "/" + path,
                sampleFile == null ? "Replace PATH with the path of a file in this repository." : null));
        return snippets;
    }

    private static void maven(List<Snippet> snippets, Repository repository, String url, String id) {
        var privateNote = repository.isPrivate()
                ? " This repository is private: put your user name and API key in a <server> with the id "
                        + id + " in ~/.m2/settings.xml."
                : "";
        snippets.add(new Snippet("maven-pom", "pom.xml",
                """
                <repositories>
                  <repository>
                    <id>%s</id>
                    <url>%s</url>
                  </repository>
                </repositories>""".formatted(id, url),
                httpNote(url) + privateNote));
        var servers = repository.isPrivate() ? """
                  <servers>
                    <server>
                      <id>%s</id>
                      <username>USER</username>
                      <password>API_KEY</password>
                    </server>
                  </servers>
                """.formatted(id) : "";
        snippets.add(new Snippet("maven-settings", "~/.m2/settings.xml",
                """
                <settings>
                %s  <profiles>
                    <profile>
                      <id>%s</id>
                      <repositories>
                        <repository>
                          <id>%s</id>
                          <url>%s</url>
                        </repository>
                      </repositories>
                    </profile>
                  </profiles>
                  <activeProfiles>
                    <activeProfile>%s</activeProfile>
                  </activeProfiles>
                </settings>""".formatted(servers, id, id, url, id),
                httpNote(url).isEmpty() ? null : httpNote(url).strip()));
    }

    /** Maven 3.8.1 and newer block plain-HTTP repositories other than localhost. */
    private static String httpNote(String url) {
        boolean local = url.startsWith("http://localhost") || url.startsWith("http://127.0.0.1")
                || url.startsWith("http://[::1]");
        return url.startsWith("http://") && !local
                ? " Maven 3.8.1 and newer refuse repositories over plain HTTP: serve Bindery over HTTPS."
                : "";
    }

    private static void debian(List<Snippet> snippets, Repository repository, String baseUrl, String url,
                               String id) {
        var distribution = orDefault(repository.defaultDebianDistribution(), "stable");
        var component = orDefault(repository.defaultDebianComponent(), "main");
        var keyUrl = keyUrl(repository, baseUrl);
        var keyring = "/etc/apt/keyrings/" + id + ".asc";
        String options;
        if (keyUrl == null) {
            options = "[trusted=yes]";
        } else {
            options = "[signed-by=" + keyring + "]";
            snippets.add(new Snippet("apt-key", "Fetch the signing key",
                    "sudo mkdir -p /etc/apt/keyrings && sudo curl -fsSL -o " + keyring + " " + keyUrl, null));
        }
        var line = "deb " + options + " " + url + " " + distribution + " " + component;
        snippets.add(new Snippet("apt-source", "/etc/apt/sources.list.d/" + id + ".list", line,
                (keyUrl == null ? "This repository's metadata is not signed, so apt must be told to trust it."
                        : "apt checks the repository's signature with the key fetched above.")
                        + (repository.isPrivate()
                                ? " This repository is private: add 'machine " + hostOf(baseUrl)
                                        + " login USER password API_KEY' to /etc/apt/auth.conf."
                                : "")));
    }

    private static void rpm(List<Snippet> snippets, Repository repository, String baseUrl, String url, String id) {
        var keyUrl = keyUrl(repository, baseUrl);
        // The owner's key signs the packages themselves; the server key signs only repomd.xml.
        var gpgcheck = repository.gpgUseOwnerKey() ? 1 : 0;
        var text = "[" + id + "]\nname=" + repository.fullName() + "\nbaseurl=" + url + "\nenabled=1\n"
                + "gpgcheck=" + gpgcheck + "\nrepo_gpgcheck=" + (keyUrl == null ? 0 : 1) + "\n"
                + (keyUrl == null ? "" : "gpgkey=" + keyUrl + "\n")
                + (repository.isPrivate() ? "username=USER\npassword=API_KEY\n" : "");
        snippets.add(new Snippet("dnf-repo", "/etc/yum.repos.d/" + id + ".repo", text.strip(), null));
    }

    /** The key that signs the repository's metadata, or null when nothing signs it. */
    private static String keyUrl(Repository repository, String baseUrl) {
        var owner = repository.owner();
        if (repository.gpgUseOwnerKey()) {
            return baseUrl + "/api/v1/" + (owner.isOrg() ? "orgs/" : "users/") + owner.name() + "/keys/gpg/public.key";
        }
        return repository.gpgSignMetadata() ? baseUrl + "/api/v1/keys/gpg/public.key" : null;
    }

    private static String hostOf(String baseUrl) {
        return baseUrl.substring(baseUrl.indexOf("://") + 3);
    }

    private static String orDefault(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }
}
