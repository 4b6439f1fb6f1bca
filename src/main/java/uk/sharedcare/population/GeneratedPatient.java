package uk.sharedcare.population;

import java.util.List;

/**
 * One generated patient: their index in the population, Patient id, the traits drawn for them, and every
 * resource of their record (the Patient first) with the organisation that records it.
 */
public record GeneratedPatient(int index, String id, Traits traits, List<Recorded> resources) {

    public GeneratedPatient {
        resources = List.copyOf(resources);
    }

    public String practice() {
        return traits.practice().ods();
    }
}
