package dev.bindery.storage;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LikeTest {

    @Test
    void turnsWildcardsIntoLikePatternsAndEscapesTheRest() {
        assertThat(Like.fromWildcard("lib*-?.jar")).isEqualTo("lib%-_.jar");
        assertThat(Like.fromWildcard("100%_done\\")).isEqualTo("100\\%\\_done\\\\");
    }

    @Test
    void escapesLiteralsForContainsSearches() {
        assertThat(Like.escape("a%b_c\\")).isEqualTo("a\\%b\\_c\\\\");
    }
}
