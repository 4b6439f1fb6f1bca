package uk.sharedcare.record.consent;

import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import uk.sharedcare.record.access.PurposeOfUse;

/**
 * Rule 10's settings, the {@code secondary-use} section of {@code shared-care-policy.yaml}.
 *
 * @param recipients         organisations (ODS code) that may receive the pseudonymised extract, each with the
 *                           purposes of use it may receive it for
 * @param birthDatePrecision how much of a date of birth leaves in an extract
 * @param nationalOptOut     how the National Data Opt-out is applied to extracts
 */
public record SecondaryUseSettings(Map<String, Set<PurposeOfUse>> recipients, BirthDatePrecision birthDatePrecision,
        NationalOptOut nationalOptOut) {

    public static final SecondaryUseSettings NONE = new SecondaryUseSettings(Map.of(), BirthDatePrecision.YEAR);

    public SecondaryUseSettings {
        recipients = recipients.entrySet().stream()
                .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, e -> Set.copyOf(e.getValue())));
    }

    public SecondaryUseSettings(Map<String, Set<PurposeOfUse>> recipients, BirthDatePrecision birthDatePrecision) {
        this(recipients, birthDatePrecision, NationalOptOut.DEFAULT);
    }

    public enum BirthDatePrecision {
        YEAR,
        MONTH
    }

    /**
     * @param maxAgeDays  an answer of the national service older than this many days is not used: the extract is
     *                    not made (fail closed)
     * @param notNeededBy recipients whose extracts need no National Data Opt-out applied (for example anonymised
     *                    aggregates); every other recipient's extract needs a recent answer
     */
    public record NationalOptOut(int maxAgeDays, Set<String> notNeededBy) {

        public static final NationalOptOut DEFAULT = new NationalOptOut(30, Set.of());

        public NationalOptOut {
            if (maxAgeDays < 0) {
                throw new IllegalArgumentException("national-data-opt-out.max-age-days must not be negative");
            }
            notNeededBy = Set.copyOf(notNeededBy);
        }
    }
}
