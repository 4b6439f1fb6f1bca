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
 * @param referralParties ODS codes of the organisations a referral, or a referral's status, is between (the one
 *                       that referred and those it referred to); empty for anything else
 */
public record ResourceFacts(String type, Optional<String> custodian, Set<String> securityLabels,
        Optional<LocalDate> recordedOn, Set<String> referralParties) {

    public ResourceFacts {
        securityLabels = Set.copyOf(securityLabels);
        referralParties = Set.copyOf(referralParties);
    }

    /** Facts of a resource that is not part of a referral. */
    public ResourceFacts(String type, Optional<String> custodian, Set<String> securityLabels,
            Optional<LocalDate> recordedOn) {
        this(type, custodian, securityLabels, recordedOn, Set.of());
    }

    public boolean isPartOfAReferral() {
        return !referralParties.isEmpty();
    }

    public boolean isPartyToTheReferral(String organisation) {
        return referralParties.contains(organisation);
    }

    public boolean recordedBy(String organisation) {
        return custodian.filter(organisation::equals).isPresent();
    }
}
