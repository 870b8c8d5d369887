package dev.bindery.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The writer's table of recent strings: one instance per string it keeps, with that string's exact bytes. */
class StringTableTest {

    @Test
    void equalStringsShareOneEntryWithTheirUtf8Bytes() {
        var table = new StringTable(16);
        var first = table.entry(new String("München/日本語.zip"));
        var again = table.entry(new String("München/日本語.zip"));
        assertThat(again).isSameAs(first);
        assertThat(first.utf8()).isEqualTo("München/日本語.zip".getBytes(StandardCharsets.UTF_8));
        assertThat(table.canonical(new String("München/日本語.zip"))).isSameAs(first.value());
        assertThat(table.canonical(null)).isNull();
    }

    @Test
    void aStringTakesItsSlotFromWhateverHeldIt() {
        // one slot: every string pushes out the last, and each still gets its own bytes
        var table = new StringTable(1);
        var a = table.entry("curl/8.5.0");
        var b = table.entry("Apache-Maven/3.9.6");
        assertThat(b.value()).isEqualTo("Apache-Maven/3.9.6");
        assertThat(b.utf8()).isEqualTo("Apache-Maven/3.9.6".getBytes(StandardCharsets.UTF_8));
        var c = table.entry(new String("curl/8.5.0"));
        assertThat(c).isNotSameAs(a).isEqualTo(new StringTable.Entry(c.value(), c.utf8()));
        assertThat(c.utf8()).isEqualTo(a.utf8());
    }

    @Test
    void longStringsAreNotKept() {
        var table = new StringTable(16);
        var agent = "x".repeat(StringTable.MAX_CHARS + 1);
        assertThat(table.entry(agent)).isNull();
        assertThat(table.canonical(agent)).isSameAs(agent);
        assertThat(table.entry("x".repeat(StringTable.MAX_CHARS))).isNotNull();
    }

    @Test
    void slotsArePowersOfTwo() {
        assertThatThrownBy(() -> new StringTable(12)).isInstanceOf(IllegalArgumentException.class);
    }
}
