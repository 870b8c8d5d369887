package dev.bindery.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bindery.BinderyException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The white and black CIDR lists of access keys. */
class CidrsTest {

    private static Cidrs white(String... blocks) {
        return Cidrs.of(List.of(blocks), List.of());
    }

    private static Cidrs black(String... blocks) {
        return Cidrs.of(List.of(), List.of(blocks));
    }

    @Test
    void admitsEveryClientWithoutLists() {
        var cidrs = Cidrs.of(List.of(), List.of());
        assertThat(cidrs.admits("10.0.0.1")).isTrue();
        assertThat(cidrs.admits("::1")).isTrue();
        assertThat(cidrs.admits(null)).isTrue();
    }

    @Test
    void whiteListAdmitsOnlyItsBlocks() {
        var cidrs = white("192.168.4.0/22", "10.0.0.0/8");
        assertThat(cidrs.admits("192.168.7.255")).isTrue();
        assertThat(cidrs.admits("192.168.8.0")).isFalse();
        assertThat(cidrs.admits("10.255.255.255")).isTrue();
        assertThat(cidrs.admits("11.0.0.0")).isFalse();
    }

    @Test
    void hostBitsBelowThePrefixAreIgnored() {
        // Bintray's own example: 127.0.0.1/22 means 127.0.0.0 - 127.0.3.255
        var cidrs = white("127.0.0.1/22");
        assertThat(cidrs.admits("127.0.3.200")).isTrue();
        assertThat(cidrs.admits("127.0.4.0")).isFalse();
    }

    @Test
    void slash32AndBareAddressesAreOneAddress() {
        assertThat(white("203.0.113.7/32").admits("203.0.113.7")).isTrue();
        assertThat(white("203.0.113.7/32").admits("203.0.113.8")).isFalse();
        assertThat(white("203.0.113.7").admits("203.0.113.7")).isTrue();
        assertThat(white("203.0.113.7").admits("203.0.113.6")).isFalse();
    }

    @Test
    void slash0IsEveryAddressOfItsVersion() {
        assertThat(white("0.0.0.0/0").admits("255.255.255.255")).isTrue();
        assertThat(white("0.0.0.0/0").admits("0.0.0.0")).isTrue();
        assertThat(white("0.0.0.0/0").admits("2001:db8::1")).isFalse();
        assertThat(white("::/0").admits("2001:db8::1")).isTrue();
        assertThat(white("::/0").admits("10.0.0.1")).isFalse();
        assertThat(black("0.0.0.0/0").admits("8.8.8.8")).isFalse();
        assertThat(black("0.0.0.0/0").admits("::1")).isTrue();
    }

    @Test
    void matchesIpv6Blocks() {
        var cidrs = white("2001:db8:abcd::/48", "::1/128");
        assertThat(cidrs.admits("2001:db8:abcd:12::5")).isTrue();
        assertThat(cidrs.admits("2001:db8:abce::5")).isFalse();
        assertThat(cidrs.admits("::1")).isTrue();
        assertThat(cidrs.admits("0:0:0:0:0:0:0:1")).isTrue();
        assertThat(cidrs.admits("::2")).isFalse();
    }

    @Test
    void ipv4MappedClientsMatchIpv4Blocks() {
        assertThat(white("127.0.0.0/8").admits("::ffff:127.0.0.1")).isTrue();
        assertThat(black("127.0.0.0/8").admits("::ffff:127.0.0.1")).isFalse();
    }

    @Test
    void blackListWinsOverWhiteList() {
        var cidrs = Cidrs.of(List.of("10.0.0.0/8"), List.of("10.1.0.0/16"));
        assertThat(cidrs.admits("10.2.0.1")).isTrue();
        assertThat(cidrs.admits("10.1.0.1")).isFalse();
        assertThat(cidrs.admits("192.0.2.1")).isFalse();
    }

    @Test
    void refusesUnknownClientWhenRestricted() {
        assertThat(white("10.0.0.0/8").admits(null)).isFalse();
        assertThat(black("10.0.0.0/8").admits("not-an-address")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"193.5.0.1/92", "10.0.0.0/33", "::1/129", "not-a-cidr", "", "10.0.0.*", "1.2.3.4-5",
            "10.0.0.0/8/8", "example.com"})
    void rejectsInvalidBlocks(String block) {
        assertThatThrownBy(() -> Cidrs.validate(List.of(block), "white_cidrs"))
                .isInstanceOf(BinderyException.class)
                .hasMessageContaining("white_cidrs");
    }
}
