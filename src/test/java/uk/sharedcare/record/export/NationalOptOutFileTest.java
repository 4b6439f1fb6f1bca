package uk.sharedcare.record.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import uk.sharedcare.record.consent.NationalOptOutList;
import uk.sharedcare.record.consent.NationalOptOutList.Meaning;

/** Reading the national service's answer as the deployment puts it: what is taken, and what makes it unusable. */
class NationalOptOutFileTest {

    @TempDir
    Path directory;

    @Test
    void anAnswerSaysWhenItWasCheckedWhereItCameFromAndWhichNumbersItHolds() throws Exception {
        NationalOptOutList answer = read("""
                # checked: 2026-11-28
                # source: MESH reply NDOP-20261128-0001
                NHS_NUMBER
                9990000018
                999 000 0026

                """, 1, Meaning.MAY_BE_USED).orElseThrow();

        assertThat(answer.checkedOn()).isEqualTo(LocalDate.of(2026, 11, 28));
        assertThat(answer.source()).isEqualTo("answer.csv, MESH reply NDOP-20261128-0001");
        assertThat(answer.nhsNumbers()).containsExactlyInAnyOrder("9990000018", "9990000026");
        assertThat(answer.meaning()).isEqualTo(Meaning.MAY_BE_USED);
        assertThat(answer.sha256()).hasSize(64);
    }

    @Test
    void theNhsNumberIsTakenFromTheConfiguredColumn() throws Exception {
        NationalOptOutList answer = read("""
                # checked: 2026-11-28
                row,nhs_number
                1,9990000018
                2,"9990000026"
                """, 2, Meaning.MAY_BE_USED).orElseThrow();

        assertThat(answer.nhsNumbers()).containsExactlyInAnyOrder("9990000018", "9990000026");
    }

    @Test
    void theAnswerMaySayItListsTheOptedOutInsteadOfTheConfiguredMeaning() throws Exception {
        NationalOptOutList answer = read("# checked: 2026-11-28\n# meaning: opted-out\n9990000018\n", 1,
                Meaning.MAY_BE_USED).orElseThrow();

        assertThat(answer.meaning()).isEqualTo(Meaning.OPTED_OUT);
        assertThat(answer.allows("9990000018")).isFalse();
        assertThat(answer.allows("9990000026")).isTrue();
    }

    @Test
    void withoutACheckedLineTheDayTheFileWasWrittenIsTaken() throws Exception {
        Path file = write("9990000018\n");
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2026-11-20T10:00:00Z")));

        assertThat(NationalOptOutFile.read(where(file, 1, Meaning.MAY_BE_USED)).orElseThrow().checkedOn())
                .isEqualTo(LocalDate.of(2026, 11, 20));
    }

    @Test
    void aLineWithoutAnNhsNumberMakesTheWholeAnswerUnusable() {
        assertThatThrownBy(() -> read("# checked: 2026-11-28\n9990000018\n99900000\n", 1, Meaning.MAY_BE_USED))
                .isInstanceOf(NationalOptOutFile.UnusableException.class)
                .hasMessageContaining("line 3 has no NHS number in column 1");
        assertThatThrownBy(() -> read("# checked: 28/11/2026\n9990000018\n", 1, Meaning.MAY_BE_USED))
                .isInstanceOf(NationalOptOutFile.UnusableException.class).hasMessageContaining("not YYYY-MM-DD");
        assertThatThrownBy(() -> read("# meaning: everyone\n9990000018\n", 1, Meaning.MAY_BE_USED))
                .isInstanceOf(NationalOptOutFile.UnusableException.class).hasMessageContaining("its meaning");
    }

    @Test
    void noFileAtTheConfiguredPlaceAndNoPlaceConfiguredAreNoAnswer() {
        assertThat(NationalOptOutFile.read(where(directory.resolve("absent.csv"), 1, Meaning.MAY_BE_USED)))
                .isEmpty();
        assertThat(NationalOptOutFile.read(new ExtractProperties.NationalOptOut(null, null, 0))).isEmpty();
    }

    private Optional<NationalOptOutList> read(String content, int column, Meaning meaning)
            throws Exception {
        return NationalOptOutFile.read(where(write(content), column, meaning));
    }

    private Path write(String content) throws Exception {
        return Files.writeString(directory.resolve("answer.csv"), content, StandardCharsets.UTF_8);
    }

    private static ExtractProperties.NationalOptOut where(Path file, int column, Meaning meaning) {
        return new ExtractProperties.NationalOptOut(file, meaning, column);
    }
}
