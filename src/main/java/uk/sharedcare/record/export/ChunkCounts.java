package uk.sharedcare.record.export;

import ca.uhn.fhir.model.api.IModelJson;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one chunk of an extract produced, counts only: the resources it wrote per type (its part of each type's
 * file) and the patients and resources each rule left out. The run's counts are the sums over its chunks.
 *
 * @param index the chunk's place in the run's order
 */
record ChunkCounts(@JsonProperty("index") int index, @JsonProperty("written") Map<String, Long> written,
        @JsonProperty("patientsIncluded") long patientsIncluded,
        @JsonProperty("patientsExcluded") Map<String, Long> patientsExcluded,
        @JsonProperty("resourcesExcluded") Map<String, Long> resourcesExcluded) implements IModelJson {

    @JsonCreator
    ChunkCounts {
        written = new TreeMap<>(written);
        patientsExcluded = new TreeMap<>(patientsExcluded);
        resourcesExcluded = new TreeMap<>(resourcesExcluded);
    }
}
