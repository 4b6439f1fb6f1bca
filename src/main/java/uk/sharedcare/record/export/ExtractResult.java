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
 */
public record ExtractResult(Instant cutOff, List<OutputFile> files, long patientsIncluded,
        Map<String, Long> patientsExcluded, Map<String, Long> resourcesExcluded) {

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
}
