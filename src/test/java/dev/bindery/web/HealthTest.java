package dev.bindery.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bindery.support.BinderyServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class HealthTest {

    @RegisterExtension
    static final BinderyServer server = new BinderyServer();

    @Test
    void answersHealthWithoutCredentials() {
        var response = server.anonymous().get("/health");
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().get("status").asText()).isEqualTo("ok");
    }

    @Test
    void unknownPathsAnswerJson404() {
        var response = server.anonymous().get("/api/v1/nothing/here");
        assertThat(response.status()).isEqualTo(404);
        assertThat(response.message()).contains("/api/v1/nothing/here");
    }

    @Test
    void wrongMethodAnswersJson405() {
        server.createRepository("alice", "generic");
        var response = server.as("alice").put("/api/v1/repos/alice/generic", "{}");
        assertThat(response.status()).isEqualTo(405);
        assertThat(response.message()).contains("PUT");
    }

    @Test
    void exposesAnalyticsHealthAsPrometheusMetrics() {
        var response = server.anonymous().get("/metrics");
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).contains("bindery_analytics_events_dropped_total", "bindery_analytics_events_written_total",
                "bindery_analytics_rollup_lag_bytes");
    }
}
