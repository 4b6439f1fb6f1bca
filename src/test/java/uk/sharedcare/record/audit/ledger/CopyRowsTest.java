package uk.sharedcare.record.audit.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CopyRowsTest {

    @Test
    void backslashesTabsAndLineBreaksAreEscapedSoAValueCannotEndItsColumnOrRow() {
        assertThat(CopyRows.field("{\"reason\":\"a \\\"quote\\\"\"}")).isEqualTo("{\"reason\":\"a \\\\\"quote\\\\\"\"}");
        assertThat(CopyRows.field("one\ttwo\nthree\rfour")).isEqualTo("one\\ttwo\\nthree\\rfour");
    }

    @Test
    void nullIsCopiedAsNullAndPlainTextAsItIs() {
        assertThat(CopyRows.field(null)).isEqualTo("\\N");
        assertThat(CopyRows.field("Observation/123")).isEqualTo("Observation/123");
    }
}
