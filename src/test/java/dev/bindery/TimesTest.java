package dev.bindery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class TimesTest {

    @Test
    void formatsAsBintrayDid() {
        assertThat(Times.format(Instant.parse("2019-07-07T10:00:00.5Z"))).isEqualTo("2019-07-07T10:00:00.500Z");
    }

    @Test
    void parsesEveryIso8601FormClientsSend() {
        var expected = Instant.parse("2019-07-07T10:00:00Z");
        assertThat(Times.parse("2019-07-07T10:00:00.000Z", "f")).isEqualTo(expected);
        assertThat(Times.parse("2019-07-07T12:00:00.000+0200", "f")).isEqualTo(expected);
        assertThat(Times.parse("2019-07-07T12:00:00+02:00", "f")).isEqualTo(expected);
        assertThat(Times.parse("2019-07-07T10:00:00", "f")).isEqualTo(expected);
        assertThat(Times.parse("2019-07-07", "f")).isEqualTo(Instant.parse("2019-07-07T00:00:00Z"));
        assertThat(Times.parse(null, "f")).isNull();
    }

    @Test
    void namesTheFieldWhenADateIsWrong() {
        assertThatThrownBy(() -> Times.parse("yesterday", "released")).hasMessageContaining("'released'");
    }
}
