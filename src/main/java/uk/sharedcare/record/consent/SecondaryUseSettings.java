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
 */
public record SecondaryUseSettings(Map<String, Set<PurposeOfUse>> recipients, BirthDatePrecision birthDatePrecision) {

    public static final SecondaryUseSettings NONE = new SecondaryUseSettings(Map.of(), BirthDatePrecision.YEAR);

    public SecondaryUseSettings {
        recipients = recipients.entrySet().stream()
                .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, e -> Set.copyOf(e.getValue())));
    }

    public enum BirthDatePrecision {
        YEAR,
        MONTH
    }
}
