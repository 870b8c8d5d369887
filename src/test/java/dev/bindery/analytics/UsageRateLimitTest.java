package dev.bindery.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bindery.support.BinderyServer;
import dev.bindery.support.MutableClock;
import dev.bindery.support.Response;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The usage data export's own rate limits: per client address 10 in 10 minutes and 20 in an hour,
 * per user 5 in 5 minutes and 10 in an hour. Its own server, so no other test spends them; each
 * test uses its own users and addresses.
 */
class UsageRateLimitTest {

    private static final MutableClock CLOCK = MutableClock.startingNow();

    @RegisterExtension
    static final BinderyServer server = new BinderyServer(config -> config
            .withClock(CLOCK).withTrustedProxies(List.of("127.0.0.1")));

    private static Response export(String user, String address) {
        var today = LocalDate.ofInstant(CLOCK.instant(), ZoneOffset.UTC);
        return server.as(user).get("/api/v1/usage_data/traffic?format=csv&start_date=" + today.minusDays(6)
                + "&end_date=" + today + "&granularity=day&samples=10", "X-Forwarded-For", address);
    }

    @Test
    void allowsAUserFiveExportsInFiveMinutesAndTenInAnHour() {
        // given: five exports from five addresses
        for (int i = 0; i < 5; i++) {
            assertThat(export("nora", "203.0.113." + (10 + i)).status()).isEqualTo(200);
        }
        // when
        var sixth = export("nora", "203.0.113.20");
        CLOCK.advance(Duration.ofMinutes(5).plusSeconds(1));
        var afterFiveMinutes = List.of(export("nora", "203.0.113.21"), export("nora", "203.0.113.22"),
                export("nora", "203.0.113.23"), export("nora", "203.0.113.24"), export("nora", "203.0.113.25"));
        CLOCK.advance(Duration.ofMinutes(5).plusSeconds(1));
        var eleventh = export("nora", "203.0.113.26");
        // then
        assertThat(sixth.status()).isEqualTo(429);
        assertThat(sixth.message()).contains("user 'nora'").contains("at most 5 requests within 5 minutes");
        assertThat(afterFiveMinutes).allSatisfy(response -> assertThat(response.status()).isEqualTo(200));
        assertThat(eleventh.status()).isEqualTo(429);
        assertThat(eleventh.message()).contains("user 'nora'").contains("at most 10 requests within an hour");
    }

    @Test
    void allowsAnAddressTenExportsInTenMinutes() {
        // given: ten exports from one address by three users, none over their own limit
        var users = List.of("olaf", "olaf", "olaf", "olaf", "pia", "pia", "pia", "pia", "quin", "quin");
        for (var user : users) {
            assertThat(export(user, "192.0.2.77").status()).isEqualTo(200);
        }
        // when
        var eleventh = export("quin", "192.0.2.77");
        var elsewhere = export("quin", "192.0.2.78");
        // then: a refused call counts against nothing, so quin still had one left
        assertThat(eleventh.status()).isEqualTo(429);
        assertThat(eleventh.message()).contains("client address 192.0.2.77")
                .contains("at most 10 requests within 10 minutes");
        assertThat(elsewhere.status()).isEqualTo(200);
    }

    @Test
    void allowsAnAddressTwentyExportsInAnHour() {
        // given: ten exports, then ten more after ten minutes, from one address by four users
        var users = List.of("sven", "sven", "sven", "sven", "sven", "tina", "tina", "tina", "tina", "tina");
        for (var user : users) {
            assertThat(export(user, "192.0.2.90").status()).isEqualTo(200);
        }
        CLOCK.advance(Duration.ofMinutes(10).plusSeconds(1));
        for (var user : List.of("ugo", "ugo", "ugo", "ugo", "ugo", "vera", "vera", "vera", "vera", "vera")) {
            assertThat(export(user, "192.0.2.90").status()).isEqualTo(200);
        }
        CLOCK.advance(Duration.ofMinutes(10).plusSeconds(1));
        // when
        var twentyFirst = export("sven", "192.0.2.90");
        // then
        assertThat(twentyFirst.status()).isEqualTo(429);
        assertThat(twentyFirst.message()).contains("client address 192.0.2.90")
                .contains("at most 20 requests within an hour");
    }

    @Test
    void doesNotCountRefusedRequests() {
        // given: invalid requests are refused before they are counted
        for (int i = 0; i < 8; i++) {
            assertThat(server.as("rosa").get("/api/v1/usage_data/traffic?format=xml", "X-Forwarded-For",
                    "198.18.0.1").status()).isEqualTo(400);
        }
        // when / then
        for (int i = 0; i < 5; i++) {
            assertThat(export("rosa", "198.18.0.1").status()).isEqualTo(200);
        }
    }
}
