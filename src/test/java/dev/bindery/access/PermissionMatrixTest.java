package dev.bindery.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.bindery.support.BinderyServer;
import dev.bindery.support.Client;
import dev.bindery.support.Response;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Who may do what, as a table: every endpoint that touches a private repository or its subject,
 * against every kind of caller, with the status each must get. Rows are data: a new endpoint
 * adds a row. {@code {caller}} in a path or body becomes the column's name, so writes of one
 * caller do not meet those of another; a row's {@code prepare} runs as the owner before each cell.
 *
 * <p>The columns: anonymous; an unrelated user; a plain member of the owning organization; members
 * of teams with read, publish and admin on the repository; the organization's owner; access keys
 * with a read and a read/write entitlement on the repository; the holder of a signed URL for
 * {@code a.txt} (anonymous, with the URL's query on every request); the organization owner's bearer
 * token of scope read.
 */
class PermissionMatrixTest {

    @RegisterExtension
    static final BinderyServer server = new BinderyServer();

    private static final List<String> CALLERS = List.of("anon", "outsider", "member", "reader", "publisher",
            "repoadmin", "orgadmin", "keyr", "keyrw", "signed", "tokenread");
    private static final String REPO = "acme/vault";
    private static final String FILES = "/api/v1/content/" + REPO + "/tool/1.0/";

    private static final Map<String, Client> clients = new LinkedHashMap<>();
    private static String signedQuery;

    /** One endpoint: how to call it, and the status of each caller in {@link #CALLERS} order. */
    private record Row(String method, String path, String body, String prepare, String expected) {
        Row(String method, String path, String body, String expected) {
            this(method, path, body, null, expected);
        }
    }

    private static final List<Row> MATRIX = List.of(
            // statuses, in CALLERS order:                         anon out mem rdr pub adm org kr  krw sig tkr
            // Repositories, packages, versions, files: read
            new Row("GET", "/api/v1/repos/" + REPO, null, "401 404 200 200 200 200 200 200 200 401 200"),
            new Row("GET", "/api/v1/repos/" + REPO + "/packages", null, "401 404 200 200 200 200 200 200 200 401 200"),
            new Row("GET", "/api/v1/packages/" + REPO + "/tool", null, "401 404 200 200 200 200 200 200 200 401 200"),
            new Row("GET", "/api/v1/packages/" + REPO + "/tool/versions/1.0", null,
                    "401 404 200 200 200 200 200 200 200 401 200"),
            new Row("GET", "/api/v1/packages/" + REPO + "/tool/files", null,
                    "401 404 200 200 200 200 200 200 200 401 200"),
            // Downloads: the signed URL opens its own file and no other
            new Row("GET", "/dl/" + REPO + "/a.txt", null, "401 404 200 200 200 200 200 200 200 200 200"),
            new Row("GET", "/dl/" + REPO + "/b.txt", null, "401 404 200 200 200 200 200 200 200 403 200"),
            new Row("GET", "/dl/" + REPO + "/draft.txt", null, "401 404 404 404 200 200 200 404 200 403 404"),
            // Publishing: upload, delete, packages, versions
            new Row("PUT", FILES + "up-{caller}.txt?publish=1", "content",
                    "401 404 403 403 201 201 201 403 201 401 403"),
            new Row("DELETE", "/api/v1/content/" + REPO + "/del-{caller}.txt", null,
                    "PUT " + FILES + "del-{caller}.txt?publish=1", "401 404 403 403 200 200 200 403 200 401 403"),
            new Row("POST", "/api/v1/packages/" + REPO,
                    "{\"name\": \"pkg-{caller}\", \"licenses\": [\"MIT\"], \"vcs_url\": \"https://example.com/x.git\"}",
                    "401 404 403 403 201 201 201 403 201 401 403"),
            new Row("POST", "/api/v1/packages/" + REPO + "/tool/versions", "{\"name\": \"2.{caller}\"}",
                    "401 404 403 403 201 201 201 403 201 401 403"),
            new Row("POST", "/api/v1/signed_url/" + REPO + "/a.txt", "{\"valid_for_secs\": 60}",
                    "401 404 403 403 200 200 200 403 200 401 403"),
            new Row("POST", "/api/v1/packages/" + REPO + "/tool/stats/total_downloads", "{}",
                    "401 404 403 403 200 200 200 403 200 401 403"),
            new Row("GET", "/api/v1/packages/" + REPO + "/tool/logs", null,
                    "401 404 403 403 200 200 200 403 200 401 403"),
            new Row("POST", "/api/v1/packages/" + REPO + "/tool/readme", "{\"bintray\": {\"content\": \"by {caller}\"}}",
                    "401 404 403 403 200 200 200 403 200 401 403"),
            // Repository administration
            new Row("PATCH", "/api/v1/repos/" + REPO, "{\"desc\": \"by {caller}\"}",
                    "401 404 403 403 403 200 200 403 403 401 403"),
            new Row("GET", "/api/v1/repos/" + REPO + "/permissions", null,
                    "401 404 403 403 403 200 200 403 403 401 403"),
            new Row("GET", "/api/v1/repos/" + REPO + "/entitlements", null,
                    "401 404 403 403 403 200 200 403 403 401 403"),
            new Row("GET", "/api/v1/repos/" + REPO + "/ip_restrictions", null,
                    "401 404 403 403 403 200 200 403 403 401 403"),
            new Row("GET", "/api/v1/repos/" + REPO + "/geo_restrictions", null,
                    "401 404 403 403 403 200 200 403 403 401 403"),
            // Subject administration
            new Row("POST", "/api/v1/repos/acme/new-{caller}", "{\"type\": \"generic\", \"private\": true}",
                    "401 403 403 403 403 403 201 403 403 401 403"),
            new Row("GET", "/api/v1/orgs/acme/teams", null, "401 403 403 403 403 403 200 403 403 401 403"),
            new Row("GET", "/api/v1/orgs/acme/followers", null, "401 200 200 200 200 200 200 200 200 401 200"),
            new Row("GET", "/api/v1/orgs/acme/access_keys", null, "401 403 403 403 403 403 200 403 403 401 403"),
            new Row("PUT", "/api/v1/orgs/acme/members/extra", "{\"type\": \"member\"}",
                    "401 403 403 403 403 403 200 403 403 401 403"),
            new Row("POST", "/api/v1/products/acme", "{\"name\": \"prod-{caller}\", \"packages\": [\"vault/tool\"]}",
                    "401 403 403 403 403 403 201 403 403 401 403"),
            new Row("POST", "/api/v1/usage_threshold/repo/" + REPO, "{\"daily_download_bytes\": 1000}",
                    "401 403 403 403 403 403 201 403 403 401 403"));

    @BeforeAll
    static void seed() {
        server.createOrg("acme", "orgadmin");
        var owner = server.as("orgadmin");
        expect(owner.postJson("/api/v1/repos/" + REPO, "{\"type\": \"generic\", \"private\": true}"), 201);
        expect(owner.postJson("/api/v1/packages/" + REPO, "{\"name\": \"tool\", \"licenses\": [\"MIT\"]}"), 201);
        for (var file : List.of("a.txt", "b.txt")) {
            expect(owner.put(FILES + file + "?publish=1", "file " + file), 201);
        }
        expect(owner.put(FILES + "draft.txt", "not published"), 201);
        server.apiKey("extra");
        // Org members, three of them in teams with a permission on the repository
        for (var member : List.of("member", "reader", "publisher", "repoadmin")) {
            server.apiKey(member);
            expect(owner.putJson("/api/v1/orgs/acme/members/" + member, "{\"type\": \"member\"}"), 200);
        }
        for (var team : Map.of("reader", "read", "publisher", "publish", "repoadmin", "admin").entrySet()) {
            expect(owner.postJson("/api/v1/orgs/acme/teams",
                    "{\"name\": \"" + team.getKey() + "s\", \"members\": [\"" + team.getKey() + "\"]}"), 201);
            expect(owner.putJson("/api/v1/repos/" + REPO + "/permissions",
                    "{\"team\": \"" + team.getKey() + "s\", \"permission\": \"" + team.getValue() + "\"}"), 200);
        }
        // Access keys with entitlements on the whole repository
        var keyPasswords = new LinkedHashMap<String, String>();
        for (var key : Map.of("keyr", "r", "keyrw", "rw").entrySet()) {
            var created = expect(owner.postJson("/api/v1/orgs/acme/access_keys", "{\"id\": \"" + key.getKey() + "\"}"),
                    201);
            keyPasswords.put(key.getKey(), created.json().get("password").asText());
            expect(owner.postJson("/api/v1/repos/" + REPO + "/entitlements",
                    "{\"access\": \"" + key.getValue() + "\", \"access_keys\": [\"" + key.getKey() + "\"]}"), 201);
        }
        // A signed URL for a.txt
        var signed = expect(owner.postJson("/api/v1/signed_url/" + REPO + "/a.txt", "{}"), 200);
        signedQuery = URI.create(signed.json().get("url").asText()).getRawQuery();

        clients.put("anon", server.anonymous());
        clients.put("outsider", server.as("outsider"));
        for (var user : List.of("member", "reader", "publisher", "repoadmin", "orgadmin")) {
            clients.put(user, server.as(user));
        }
        clients.put("keyr", server.withCredentials("keyr@acme", keyPasswords.get("keyr")));
        clients.put("keyrw", server.withCredentials("keyrw@acme", keyPasswords.get("keyrw")));
        clients.put("signed", server.anonymous());
        var token = expect(owner.postJson("/api/v1/users/orgadmin/tokens",
                "{\"name\": \"matrix\", \"scope\": \"read\"}"), 201).json().get("token").asText();
        clients.put("tokenread", Client.bearer(server.baseUrl(), token));
    }

    private static Response expect(Response response, int status) {
        assertThat(response.status()).as("%s", response).isEqualTo(status);
        return response;
    }

    @TestFactory
    Stream<DynamicTest> everyCallerGetsTheExpectedStatusFromEveryEndpoint() {
        return MATRIX.stream().map(row -> dynamicTest(row.method() + " " + row.path(), () -> {
            var expected = row.expected().trim().split("\\s+");
            assertThat(expected).as("one status per caller").hasSize(CALLERS.size());
            var mismatches = new ArrayList<String>();
            for (int i = 0; i < CALLERS.size(); i++) {
                var caller = CALLERS.get(i);
                if (row.prepare() != null) {
                    var prepare = row.prepare().replace("{caller}", caller).split(" ", 2);
                    var prepared = call(server.as("orgadmin"), prepare[0], prepare[1], "prepared by the owner");
                    assertThat(prepared.status()).as("prepare %s: %s", caller, prepared).isLessThan(300);
                }
                var path = row.path().replace("{caller}", caller);
                if (caller.equals("signed")) {
                    path += (path.contains("?") ? "&" : "?") + signedQuery;
                }
                var body = row.body() == null ? null : row.body().replace("{caller}", caller);
                var response = call(clients.get(caller), row.method(), path, body);
                if (response.status() != Integer.parseInt(expected[i])) {
                    mismatches.add(caller + ": expected " + expected[i] + ", got " + response.status() + " "
                            + abbreviate(response.body()));
                }
                if (response.status() >= 400 && !row.path().startsWith("/dl/")) {
                    assertThat(response.json().has("message")).as("%s gets a {\"message\"}: %s", caller, response)
                            .isTrue();
                }
            }
            assertThat(mismatches).as(row.method() + " " + row.path()).isEmpty();
        }));
    }

    private static Response call(Client client, String method, String path, String body) {
        return switch (method) {
            case "GET" -> client.get(path);
            case "DELETE" -> client.delete(path);
            case "POST" -> client.postJson(path, body);
            case "PATCH" -> client.patchJson(path, body);
            case "PUT" -> body != null && body.startsWith("{") ? client.putJson(path, body)
                    : client.put(path, body == null ? "" : body);
            default -> throw new IllegalArgumentException(method);
        };
    }

    private static String abbreviate(String text) {
        return text.length() > 120 ? text.substring(0, 120) + "..." : text;
    }
}
