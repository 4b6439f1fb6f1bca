package uk.sharedcare.record.export;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What an extract run produced: its files and how many patients and resources each rule left out (counts only,
 * never who).
 *
 * @param cutOff            the instant the extract shows the record at
 * @param files             one NDJSON file per resource type that has any resources, in a fixed order
 * @param patientsIncluded  patients whose data is in the extract
 * @param patientsExcluded  patients left out, by rule
 * @param resourcesExcluded resources left out, by rule (an excluded patient's resources under the patient's rule)
 * @param nationalOptOut    the National Data Opt-out answer the run applied, or why it needed none
 */
public record ExtractResult(Instant cutOff, List<OutputFile> files, long patientsIncluded,
        Map<String, Long> patientsExcluded, Map<String, Long> resourcesExcluded,
        NationalOptOutApplied nationalOptOut) {

    public ExtractResult {
        files = List.copyOf(files);
        patientsExcluded = Map.copyOf(new TreeMap<>(patientsExcluded));
        resourcesExcluded = Map.copyOf(new TreeMap<>(resourcesExcluded));
    }

    /**
     * @param resourceType the type of every resource in the file
     * @param fileName     for example {@code Patient.ndjson}
     * @param count        resources (lines) in it
     * @param sha256       hex digest of the file, so a recipient can check what it received
     */
    public record OutputFile(String resourceType, String fileName, long count, String sha256) {}

    /**
     * @param decidedBy what the policy said when the run started (the answer applied, or that none was needed)
     * @param checkedOn the day the national service was asked; null when no answer was needed
     * @param source    where the answer came from
     * @param sha256    the answer's digest as read
     * @param entries   how many NHS numbers it holds
     * @param meaning   {@code MAY_BE_USED} or {@code OPTED_OUT}
     */
    public record NationalOptOutApplied(String decidedBy, String checkedOn, String source, String sha256,
            int entries, String meaning) {}
}
