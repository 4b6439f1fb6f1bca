package uk.sharedcare.record.consent;

import java.time.LocalDate;
import java.util.Optional;
import java.util.Set;

/**
 * What the policy needs to know about one resource, read from it once by the enforcement point.
 *
 * @param type           the FHIR resource type
 * @param custodian      ODS code of the organisation that recorded it
 * @param securityLabels codes of its {@code meta.security} labels, such as {@code SEX} or {@code HIV}
 * @param recordedOn     the clinical date it is about, for consents limited to a data period
 */
public record ResourceFacts(String type, Optional<String> custodian, Set<String> securityLabels,
        Optional<LocalDate> recordedOn) {

    public ResourceFacts {
        securityLabels = Set.copyOf(securityLabels);
    }

    public boolean recordedBy(String organisation) {
        return custodian.filter(organisation::equals).isPresent();
    }
}
