package uk.sharedcare.population;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class NhsNumberTest {

    @Test
    void acceptsAPublishedExampleAndRejectsAWrongCheckDigit() {
        assertThat(NhsNumber.isValid("9434765919")).isTrue();
        assertThat(NhsNumber.isValid("9434765918")).isFalse();
        assertThat(NhsNumber.isValid("943476591")).isFalse();
    }

    @Test
    void stemsWhoseCheckWouldBeTenStartNoNhsNumber() {
        // A weighted sum of 1 mod 11 would need the check digit 10.
        String stem = IntStream.range(0, 1_000).mapToObj(i -> String.format("99900%04d", i))
                .filter(s -> weightedSum(s) % 11 == 1).findFirst().orElseThrow();

        assertThat(NhsNumber.checkDigit(stem)).isEqualTo(-1);
    }

    @Test
    void syntheticNumbersAreValidDistinctAndInTheTestRange() {
        Set<String> seen = new HashSet<>();
        for (int index = 0; index < 200_000; index++) {
            String number = NhsNumber.synthetic(index);
            assertThat(NhsNumber.isValid(number)).as(number).isTrue();
            assertThat(number).startsWith("999");
            assertThat(seen.add(number)).as("duplicate " + number).isTrue();
        }
    }

    private static int weightedSum(String nine) {
        int sum = 0;
        for (int i = 0; i < 9; i++) {
            sum += (nine.charAt(i) - '0') * (10 - i);
        }
        return sum;
    }
}
