package dev.bindery.usage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.bindery.Config;
import dev.bindery.events.EventType;
import dev.bindery.events.StoredEvent;
import dev.bindery.support.BinderyServer;
import dev.bindery.support.MutableClock;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Usage thresholds (issue 6): the documented API on organizations, repositories and business units,
 * and the alerts: one {@code threshold_exceeded} event in the firehose and one mail per threshold and
 * period, not one per download.
 */
class UsageThresholdTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final GreenMail SMTP = startSmtp();
    private static final MutableClock CLOCK = MutableClock.startingNow();

    @RegisterExtension
    static final BinderyServer server = new BinderyServer(config -> config.withClock(CLOCK)
            .withSmtp(new Config.Smtp("127.0.0.1", SMTP.getSmtp().getPort(), "bindery@example.org")));

    private static GreenMail startSmtp() {
        var smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        return smtp;
    }

    @AfterAll
    static void stopSmtp() {
        SMTP.stop();
    }

    /** An organization {@code org} owned by {@code owner}, with repositories in the given business units. */
    private static void givenOrg(String org, String owner, String... reposAndUnits) {
        server.createOrg(org, owner);
        for (int i = 0; i < reposAndUnits.length; i += 2) {
            var repo = server.as(owner).postJson("/api/v1/repos/" + org + "/" + reposAndUnits[i],
                    "{\"type\": \"generic\", \"business_unit\": \"" + reposAndUnits[i + 1] + "\"}");
            assertThat(repo.status()).as("%s", repo).isEqualTo(201);
            var pkg = server.as(owner).postJson("/api/v1/packages/" + org + "/" + reposAndUnits[i],
                    "{\"name\": \"tool\", \"licenses\": [\"Apache-2.0\"], \"vcs_url\": \"https://example.com/t.git\"}");
            assertThat(pkg.status()).as("%s", pkg).isEqualTo(201);
        }
    }

    /** Uploads and publishes {@code content} as {@code path} of version 1.0 of package "tool", as {@code user}. */
    private static void publish(String org, String repo, String path, String content, String user) {
        var response = server.as(user).put("/api/v1/content/" + org + "/" + repo + "/tool/1.0/" + path
                + "?publish=1", content);
        assertThat(response.status()).as("%s", response).isEqualTo(201);
    }

    private static String bytes(int count) {
        return "x".repeat(count);
    }

    private static void download(String org, String repo, String path, int times) {
        for (int i = 0; i < times; i++) {
            var response = server.anonymous().get("/dl/" + org + "/" + repo + "/" + path);
            assertThat(response.status()).as("%s", response).isEqualTo(200);
        }
    }

    private static List<StoredEvent> thresholdEvents(String org) {
        return server.bindery().events().after(0, 100_000, org).stream()
                .filter(stored -> stored.event().type() == EventType.THRESHOLD_EXCEEDED).toList();
    }

    /** Waits (checks running on their own schedule) until {@code org} has {@code count} threshold events. */
    private static List<StoredEvent> awaitThresholdEvents(String org, int count) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 15_000;
        while (thresholdEvents(org).size() < count) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("Only " + thresholdEvents(org).size() + " threshold events of " + org);
            }
            Thread.sleep(50);
        }
        return thresholdEvents(org);
    }

    /** The mails received so far whose subject mentions {@code text}, one per recipient. */
    private static List<MimeMessage> mails(String text) throws MessagingException {
        var found = new ArrayList<MimeMessage>();
        for (var message : SMTP.getReceivedMessages()) {
            if (message.getSubject().contains(text)) {
                found.add(message);
            }
        }
        return found;
    }

    private static List<MimeMessage> awaitMails(String text, int count) throws Exception {
        SMTP.waitForIncomingEmail(15_000, count);
        long deadline = System.currentTimeMillis() + 15_000;
        while (mails(text).size() < count && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        return mails(text);
    }

    private static List<String> recipients(List<MimeMessage> mails) throws MessagingException {
        var to = new ArrayList<String>();
        for (var mail : mails) {
            Arrays.stream(mail.getRecipients(Message.RecipientType.TO)).map(Object::toString).forEach(to::add);
        }
        return to;
    }

    private static long todayStart() {
        return LocalDate.ofInstant(CLOCK.instant(), ZoneOffset.UTC).atStartOfDay(ZoneOffset.UTC).toInstant()
                .toEpochMilli();
    }

    @Test
    void createsReadsUpdatesAndDeletesThresholdsOfEachScope() {
        // given
        givenOrg("acme", "olive", "bin", "red");
        var olive = server.as("olive");
        var body = "{\"monthly_storage_bytes\": 10000000, \"monthly_download_bytes\": 10000000,"
                + " \"daily_download_bytes\": 10000, \"alert_to_emails\": [\"recipient1@email.com\","
                + " \"recipient2@email.com\"], \"alert_to_admins\": true}";

        for (var path : List.of("organization/acme", "repo/acme/bin", "business_unit/acme/red")) {
            // when
            var created = olive.postJson("/api/v1/usage_threshold/" + path, body);
            // then: the documented fields, as sent
            assertThat(created.status()).as("%s %s", path, created).isEqualTo(201);
            assertThat(created.json().get("monthly_storage_bytes").asLong()).isEqualTo(10_000_000);
            assertThat(created.json().get("monthly_download_bytes").asLong()).isEqualTo(10_000_000);
            assertThat(created.json().get("daily_download_bytes").asLong()).isEqualTo(10_000);
            assertThat(created.json().get("alert_to_emails")).extracting(JsonNode::asText)
                    .containsExactly("recipient1@email.com", "recipient2@email.com");
            assertThat(created.json().get("alert_to_admins").asBoolean()).isTrue();
            assertThat(olive.get("/api/v1/usage_threshold/" + path).json()).isEqualTo(created.json());
            assertThat(olive.postJson("/api/v1/usage_threshold/" + path, body).status()).isEqualTo(409);
        }

        // when: a threshold set to 0 is off; fields not sent keep their value
        var updated = olive.patchJson("/api/v1/usage_threshold/repo/acme/bin",
                "{\"monthly_download_bytes\": 0, \"alert_to_admins\": false}");
        // then
        assertThat(updated.status()).as("%s", updated).isEqualTo(200);
        assertThat(updated.json().get("monthly_download_bytes").asLong()).isZero();
        assertThat(updated.json().get("alert_to_admins").asBoolean()).isFalse();
        assertThat(updated.json().get("daily_download_bytes").asLong()).isEqualTo(10_000);
        assertThat(updated.json().get("alert_to_emails")).hasSize(2);
        assertThat(olive.get("/api/v1/usage_threshold/repo/acme/bin").json()).isEqualTo(updated.json());
        // the organization's own threshold did not change
        assertThat(olive.get("/api/v1/usage_threshold/organization/acme").json().get("monthly_download_bytes")
                .asLong()).isEqualTo(10_000_000);

        // when
        var deleted = olive.delete("/api/v1/usage_threshold/business_unit/acme/red");
        // then
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.message()).isEqualTo("success");
        assertThat(olive.get("/api/v1/usage_threshold/business_unit/acme/red").status()).isEqualTo(404);
        assertThat(olive.delete("/api/v1/usage_threshold/business_unit/acme/red").status()).isEqualTo(404);
        assertThat(olive.patchJson("/api/v1/usage_threshold/business_unit/acme/red", "{}").status()).isEqualTo(404);
    }

    @Test
    void refusesBadInputUnknownTargetsAndCallersWhoDoNotAdministerTheOrganization() {
        // given
        givenOrg("badco", "bea", "bin", "red");
        server.apiKey("mel");
        assertThat(server.as("bea").putJson("/api/v1/orgs/badco/members/mel", "{\"type\": \"member\"}").status())
                .isEqualTo(200);
        var bea = server.as("bea");
        var path = "/api/v1/usage_threshold/organization/badco";

        // then: at least one threshold type, byte counts, mail addresses
        var none = bea.postJson(path, "{\"alert_to_emails\": [\"a@example.com\"]}");
        assertThat(none.status()).isEqualTo(400);
        assertThat(none.message()).contains("At least one threshold type");
        assertThat(bea.postJson(path, "{\"daily_download_bytes\": -1}").message()).contains("daily_download_bytes");
        assertThat(bea.postJson(path, "{\"daily_download_bytes\": \"lots\"}").status()).isEqualTo(400);
        assertThat(bea.postJson(path, "{\"daily_download_bytes\": 1.5}").status()).isEqualTo(400);
        var badMail = bea.postJson(path, "{\"daily_download_bytes\": 1, \"alert_to_emails\": [\"not a mail\"]}");
        assertThat(badMail.status()).isEqualTo(400);
        assertThat(badMail.message()).contains("alert_to_emails").contains("not a mail");
        assertThat(bea.postJson(path, "").status()).isEqualTo(400);
        assertThat(bea.postJson(path, "{\"daily_download_bytes\": 1").status()).isEqualTo(400);
        assertThat(bea.get(path).status()).as("nothing was stored").isEqualTo(404);

        // then: unknown targets
        assertThat(bea.postJson("/api/v1/usage_threshold/repo/badco/nope", "{\"daily_download_bytes\": 1}").status())
                .isEqualTo(404);
        var unit = bea.postJson("/api/v1/usage_threshold/business_unit/badco/blue", "{\"daily_download_bytes\": 1}");
        assertThat(unit.status()).isEqualTo(404);
        assertThat(unit.message()).contains("blue");
        assertThat(bea.postJson("/api/v1/usage_threshold/organization/nobody", "{\"daily_download_bytes\": 1}")
                .status()).isEqualTo(404);
        assertThat(bea.postJson("/api/v1/usage_threshold/organization/bea", "{\"daily_download_bytes\": 1}").status())
                .as("a user is no organization").isEqualTo(404);

        // then: organization admins only
        assertThat(server.anonymous().postJson(path, "{\"daily_download_bytes\": 1}").status()).isEqualTo(401);
        assertThat(server.anonymous().get(path).status()).isEqualTo(401);
        assertThat(server.as("mel").postJson(path, "{\"daily_download_bytes\": 1}").status()).isEqualTo(403);
        assertThat(server.as("stranger").get(path).status()).isEqualTo(403);
        assertThat(bea.postJson(path, "{\"daily_download_bytes\": 1}").status()).isEqualTo(201);
        assertThat(server.as("mel").get(path).status()).isEqualTo(403);
        assertThat(server.as("mel").delete(path).status()).isEqualTo(403);
        assertThat(bea.get(path).status()).isEqualTo(200);
    }

    @Test
    void crossingADailyDownloadLimitRaisesOneEventAndOneMailPerDay() throws Exception {
        // given: a repository threshold of 2,500 bytes a day, alerting a list and the admins
        givenOrg("dlco", "dora", "files", "blue");
        server.apiKey("adam");
        assertThat(server.as("dora").putJson("/api/v1/orgs/dlco/members/adam", "{\"type\": \"admin\"}").status())
                .isEqualTo(200);
        server.apiKey("mona");
        assertThat(server.as("dora").putJson("/api/v1/orgs/dlco/members/mona", "{\"type\": \"member\"}").status())
                .isEqualTo(200);
        publish("dlco", "files", "tool-1.0.bin", bytes(1000), "dora");
        assertThat(server.as("dora").postJson("/api/v1/usage_threshold/repo/dlco/files",
                "{\"daily_download_bytes\": 2500, \"alert_to_emails\": [\"ops@example.org\"]}").status())
                .isEqualTo(201);
        var thresholds = server.bindery().thresholds();

        // when: 2,000 bytes downloaded
        download("dlco", "files", "tool-1.0.bin", 2);
        server.awaitAnalytics(server.bindery().analytics().recorded());
        // then: under the limit, nothing
        assertThat(thresholds.checkNow()).isZero();
        assertThat(thresholdEvents("dlco")).isEmpty();

        // when: 3,000 bytes, past the limit; the scheduled check notices on its own
        download("dlco", "files", "tool-1.0.bin", 1);
        var events = awaitThresholdEvents("dlco", 1);
        // then: the event names the threshold, the usage and the day
        var event = events.get(0).event();
        assertThat(event.owner()).isEqualTo("dlco");
        assertThat(event.repo()).isEqualTo("files");
        assertThat(event.threshold().scope()).isEqualTo("repo");
        assertThat(event.threshold().kind()).isEqualTo("daily_download_bytes");
        assertThat(event.threshold().limitBytes()).isEqualTo(2500);
        assertThat(event.threshold().usageBytes()).isEqualTo(3000);
        assertThat(event.threshold().periodStart().toEpochMilli()).isEqualTo(todayStart());
        // and one mail reached the list, the owner and the admin, not the plain member
        // (one message to three addresses: the SMTP server delivers one copy per recipient)
        var mails = awaitMails("dlco/files", 3);
        assertThat(mails).hasSize(3);
        assertThat(recipients(mails.subList(0, 1))).containsExactlyInAnyOrder("ops@example.org",
                "dora@example.com", "adam@example.com");
        assertThat(mails.get(0).getSubject()).contains("daily download volume");
        assertThat(com.icegreen.greenmail.util.GreenMailUtil.getBody(mails.get(0)))
                .contains("limit_bytes: 2500").contains("usage_bytes: 3000");

        // when: more downloads the same day
        download("dlco", "files", "tool-1.0.bin", 4);
        server.awaitAnalytics(server.bindery().analytics().recorded());
        // then: no second alert, however often it is checked
        assertThat(thresholds.checkNow()).isZero();
        Thread.sleep(2_500);
        assertThat(thresholdEvents("dlco")).hasSize(1);
        assertThat(mails("dlco/files")).hasSize(3);

        // when: the next day, past the limit again
        CLOCK.advance(Duration.ofDays(1));
        download("dlco", "files", "tool-1.0.bin", 3);
        server.awaitAnalytics(server.bindery().analytics().recorded());
        thresholds.checkNow();
        // then: a new period, a new alert and mail (yesterday's event may be gone: past the outbox's retention)
        var nextDay = thresholdEvents("dlco").stream()
                .filter(stored -> stored.event().threshold().periodStart().toEpochMilli() == todayStart()).toList();
        assertThat(nextDay).hasSize(1);
        assertThat(nextDay.get(0).event().threshold().usageBytes()).isEqualTo(3000);
        assertThat(awaitMails("dlco/files", 6)).hasSize(6);
    }

    @Test
    void businessUnitStorageAlertReachesTheFirehose() throws Exception {
        // given: two repositories of business unit "green" and one of "gold"; storage threshold on green
        givenOrg("stco", "sven", "one", "green", "two", "green", "three", "gold");
        var sven = server.as("sven");
        assertThat(sven.postJson("/api/v1/usage_threshold/business_unit/stco/green",
                "{\"monthly_storage_bytes\": 1500, \"monthly_download_bytes\": 0, \"alert_to_admins\": false}")
                .status()).isEqualTo(201);
        var stream = openStream("sven", "stco");
        try {
            // when: 1,000 bytes in each of "one" and "three": green holds 1,000
            publish("stco", "one", "a.bin", bytes(1000), "sven");
            publish("stco", "three", "c.bin", bytes(1000), "sven");
            // then
            assertThat(server.bindery().thresholds().checkNow()).isZero();

            // when: 1,000 more in "two": green holds 2,000
            publish("stco", "two", "b.bin", bytes(1000), "sven");
            // then: the firehose carries the alert
            var line = stream.next(text -> text.contains("threshold_exceeded"), Duration.ofSeconds(15));
            var json = JSON.readTree(line);
            assertThat(json.get("type").asText()).isEqualTo("threshold_exceeded");
            assertThat(json.get("subject").asText()).isEqualTo("stco");
            assertThat(json.get("threshold").get("scope").asText()).isEqualTo("business_unit");
            assertThat(json.get("threshold").get("business_unit").asText()).isEqualTo("green");
            assertThat(json.get("threshold").get("type").asText()).isEqualTo("monthly_storage_bytes");
            assertThat(json.get("threshold").get("limit_bytes").asLong()).isEqualTo(1500);
            assertThat(json.get("threshold").get("usage_bytes").asLong()).isEqualTo(2000);
            assertThat(json.get("threshold").get("period_start").asText()).endsWith("-01T00:00:00.000Z");
        } finally {
            stream.close();
        }
        // and nobody is mailed: no list, admins not asked for
        assertThat(mails("stco")).isEmpty();
        assertThat(thresholdEvents("stco")).hasSize(1);
    }

    /** The firehose of {@code subject}, read line by line in the background. */
    private static StreamReader openStream(String user, String subject) throws Exception {
        var credentials = user + ":" + server.apiKey(user);
        var request = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/v1/stream/" + subject))
                .header("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString(credentials.getBytes(StandardCharsets.UTF_8))).build();
        var client = HttpClient.newHttpClient();
        var response = client.send(request, HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        return new StreamReader(client, response.body());
    }

    private record StreamReader(HttpClient client, Stream<String> lines) implements AutoCloseable {

        String next(java.util.function.Predicate<String> wanted, Duration timeout) throws Exception {
            return CompletableFuture.supplyAsync(() -> lines.filter(wanted).findFirst().orElseThrow())
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public void close() {
            lines.close();
            client.close();
        }
    }
}
