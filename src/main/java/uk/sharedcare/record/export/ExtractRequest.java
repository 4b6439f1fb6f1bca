package uk.sharedcare.record.export;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import uk.sharedcare.record.access.PurposeOfUse;

/**
 * What one extract is for.
 *
 * @param month     the month the extract is for: the record as it stood at the end of it (or now, for the month
 *                  still running)
 * @param recipient ODS code of the organisation receiving it, whose key makes the pseudonyms
 * @param purpose   the purpose of use it is taken for
 * @param types     the resource types it contains
 * @param group     a Group's id, for a Group-level extract of its member patients; empty for all patients
 * @param since     only resources changed since this instant ({@code _since}); empty for all
 */
public record ExtractRequest(YearMonth month, String recipient, PurposeOfUse purpose, Set<String> types,
        Optional<String> group, Optional<Instant> since) {

    static final ZoneId UK = ZoneId.of("Europe/London");

    /** The types an extract holds, in the order its files are listed; Organization is directory data. */
    public static final List<String> EXTRACTED_TYPES = List.of("Patient", "Encounter", "Condition", "Observation",
            "AllergyIntolerance", "MedicationStatement", "EpisodeOfCare", "CarePlan", "CareTeam", "Organization");

    /** What a Patient-level export holds: the extracted types in the patient compartment. */
    public static final List<String> PATIENT_COMPARTMENT_TYPES = EXTRACTED_TYPES.stream()
            .filter(type -> !type.equals("Organization")).toList();

    public ExtractRequest {
        types = Set.copyOf(types);
    }

    /** The instant the extract shows the record at: the end of the month, or now if the month has not ended. */
    public Instant cutOff(Instant now) {
        Instant endOfMonth = month.plusMonths(1).atDay(1).atStartOfDay(UK).toInstant();
        return endOfMonth.isBefore(now) ? endOfMonth : now;
    }
}
