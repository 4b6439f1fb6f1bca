package uk.sharedcare.record.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class StoredSearchesOnlyTest {

    @Test
    void noStoreAndItsMaxResultsBecomeNoCache() {
        assertThat(StoredSearchesOnly.rewritten(List.of("no-store, max-results=50"))).isEqualTo("no-cache");
    }

    @Test
    void otherDirectivesAreKeptOnceEach() {
        assertThat(StoredSearchesOnly.rewritten(List.of("No-Store", "no-cache, max-age=0")))
                .isEqualTo("no-cache, max-age=0");
    }
}
