package dev.bindery.support;

import dev.bindery.Bindery;
import dev.bindery.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts the real Bindery in-process on a random port with a temporary data directory, once per
 * test class, and offers HTTP clients for the users it creates. The database is H2 unless the
 * system property {@code bindery.test.db} is {@code postgres}: then each server gets its own schema
 * in the PostgreSQL at 127.0.0.1:5432 (database {@code test}), dropped afterwards. Without a
 * reachable PostgreSQL such a run is skipped locally and fails under CI.
 */
public final class BinderyServer implements BeforeAllCallback, AfterAllCallback {

    public static final String ADMIN_KEY = "test-admin-key";
    private static final String POSTGRES = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

    private final UnaryOperator<Config> customize;
    private final Map<String, String> apiKeys = new HashMap<>();
    private Path dataDir;
    private String schema;
    private Bindery bindery;
    private Config config;

    public BinderyServer() {
        this(config -> config);
    }

    public BinderyServer(UnaryOperator<Config> customize) {
        this.customize = customize;
    }

    public static BinderyServer withClock(Clock clock) {
        return new BinderyServer(config -> config.withClock(clock));
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dataDir = Files.createTempDirectory("bindery-test");
        var config = Config.defaults(dataDir).withPort(0).withAdminApiKey(ADMIN_KEY)
                .withRateLimits(1_000_000, 1_000_000);
        if ("postgres".equals(System.getProperty("bindery.test.db"))) {
            config = config.withDbUrl(createPostgresSchema());
        }
        this.config = customize.apply(config);
        bindery = Bindery.start(this.config);
        apiKeys.put("admin", ADMIN_KEY);
    }

    private String createPostgresSchema() {
        schema = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        try (var connection = DriverManager.getConnection(POSTGRES)) {
            connection.createStatement().execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException("PostgreSQL at 127.0.0.1:5432 is required under CI", e);
            }
            Assumptions.abort("PostgreSQL at 127.0.0.1:5432 is not reachable: " + e.getMessage());
        }
        return POSTGRES + "&currentSchema=" + schema;
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (bindery != null) {
            bindery.close();
        }
        if (schema != null) {
            try (var connection = DriverManager.getConnection(POSTGRES)) {
                connection.createStatement().execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
        if (dataDir != null) {
            deleteRecursively(dataDir);
        }
    }

    private static void deleteRecursively(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            for (var path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    /** Stops the server and starts it again on the same data directory and database (on a new port). */
    public void restart() throws IOException {
        bindery.close();
        bindery = Bindery.start(config);
    }

    /** The configuration the server runs with, e.g. to start a second node on its database. */
    public Config config() {
        return config;
    }

    public Bindery bindery() {
        return bindery;
    }

    public Path dataDir() {
        return dataDir;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + bindery.port();
    }

    public int port() {
        return bindery.port();
    }

    public Client anonymous() {
        return new Client(baseUrl(), null, null);
    }

    /** A client authenticated as {@code user}, created on first use through the admin API. */
    public Client as(String user) {
        return new Client(baseUrl(), user, apiKey(user));
    }

    public Client withCredentials(String user, String apiKey) {
        return new Client(baseUrl(), user, apiKey);
    }

    public String apiKey(String user) {
        return apiKeys.computeIfAbsent(user, this::createUser);
    }

    private String createUser(String name) {
        var response = new Client(baseUrl(), "admin", ADMIN_KEY).postJson("/api/v1/admin/users",
                "{\"name\": \"" + name + "\", \"full_name\": \"" + name + " Tester\", \"email\": \"" + name + "@example.com\"}");
        if (response.status() != 201) {
            throw new IllegalStateException("Cannot create user " + name + ": " + response);
        }
        return response.json().get("api_key").asText();
    }

    /**
     * Waits until at least {@code downloads} download events were captured since start, all of them
     * are in the log, and the rollups have caught up with the log.
     */
    public void awaitAnalytics(long downloads) {
        var analytics = bindery.analytics();
        long deadline = System.currentTimeMillis() + 10_000;
        try {
            while (analytics.recorded() < downloads || analytics.written() < analytics.recorded()) {
                if (System.currentTimeMillis() > deadline) {
                    throw new AssertionError("Only " + analytics.recorded() + " of " + downloads
                            + " downloads captured, " + analytics.written() + " written");
                }
                Thread.sleep(5);
            }
            if (!bindery.rollups().awaitCaughtUp(10_000)) {
                throw new AssertionError("Rollups did not catch up with the download log");
            }
            while (bindery.logs().position() < analytics.log().end()) {
                if (System.currentTimeMillis() > deadline + 10_000) {
                    throw new AssertionError("Download log files did not catch up with the download log");
                }
                Thread.sleep(5);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Creates an organization owned by {@code owner}. */
    public void createOrg(String org, String owner) {
        apiKey(owner);
        var response = as("admin").postJson("/api/v1/admin/orgs",
                "{\"name\": \"" + org + "\", \"owner\": \"" + owner + "\"}");
        if (response.status() != 201) {
            throw new IllegalStateException("Cannot create org " + org + ": " + response);
        }
    }

    /** Creates a repository as its owner. */
    public void createRepository(String owner, String repo, String json) {
        var response = as(owner).postJson("/api/v1/repos/" + owner + "/" + repo, json);
        if (response.status() != 201) {
            throw new IllegalStateException("Cannot create repository " + owner + "/" + repo + ": " + response);
        }
    }

    public void createRepository(String owner, String repo) {
        createRepository(owner, repo, "{\"type\": \"generic\"}");
    }

    /** Creates a package with an OSS license and VCS URL, valid in public and private repositories. */
    public void createPackage(String owner, String repo, String pkg) {
        var response = as(owner).postJson("/api/v1/packages/" + owner + "/" + repo,
                "{\"name\": \"" + pkg + "\", \"licenses\": [\"Apache-2.0\"], \"vcs_url\": \"https://example.com/" + pkg + ".git\"}");
        if (response.status() != 201) {
            throw new IllegalStateException("Cannot create package " + pkg + ": " + response);
        }
    }

    /** Uploads and publishes one file as the owner. */
    public void publishFile(String owner, String repo, String pkg, String version, String path, String content) {
        var response = as(owner).put("/api/v1/content/" + owner + "/" + repo + "/" + pkg + "/" + version + "/" + path
                + "?publish=1", content);
        if (response.status() != 201) {
            throw new IllegalStateException("Cannot upload " + path + ": " + response);
        }
    }
}
