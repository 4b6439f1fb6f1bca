package uk.sharedcare.record.consent;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import uk.sharedcare.record.access.PurposeOfUse;

/**
 * One active patient-privacy Consent, read once from its FHIR resource: when it was recorded, when it is valid,
 * and its provisions flattened into statements (a nested provision carries its parents' limits too).
 *
 * @param consentId  for example {@code Consent/123}, quoted as evidence
 * @param recordedAt {@code Consent.dateTime}; a later directive outranks an earlier one of equal specificity
 * @param validFrom  start of {@code provision.period}, if any
 * @param validTo    end of {@code provision.period}, if any
 * @param statements the flattened provisions
 */
public record ConsentDirective(String consentId, Instant recordedAt, Optional<Instant> validFrom,
        Optional<Instant> validTo, List<Statement> statements) {

    public ConsentDirective {
        statements = List.copyOf(statements);
    }

    public boolean isValidAt(Instant at) {
        return validFrom.map(from -> !at.isBefore(from)).orElse(true)
                && validTo.map(to -> !at.isAfter(to)).orElse(true);
    }

    /**
     * One provision: permit or deny, limited to actor organisations, purposes, resource types and a period of the
     * data itself. An empty limit means "any".
     */
    public record Statement(Effect effect, Set<String> actorOrganisations, Set<PurposeOfUse> purposes,
            Set<String> resourceTypes, Optional<LocalDate> dataFrom, Optional<LocalDate> dataTo) {

        public Statement {
            actorOrganisations = Set.copyOf(actorOrganisations);
            purposes = Set.copyOf(purposes);
            resourceTypes = Set.copyOf(resourceTypes);
        }

        /** How many kinds of limit the statement sets; the most specific applicable statement wins. */
        public int specificity() {
            return (actorOrganisations.isEmpty() ? 0 : 1) + (purposes.isEmpty() ? 0 : 1)
                    + (resourceTypes.isEmpty() ? 0 : 1) + (dataFrom.isPresent() || dataTo.isPresent() ? 1 : 0);
        }

        boolean appliesTo(String organisation, PurposeOfUse purpose, ResourceFacts resource) {
            return (actorOrganisations.isEmpty() || actorOrganisations.contains(organisation))
                    && (purposes.isEmpty() || purposes.contains(purpose))
                    && (resourceTypes.isEmpty() || resourceTypes.contains(resource.type()))
                    && withinDataPeriod(resource);
        }

        private boolean withinDataPeriod(ResourceFacts resource) {
            if (dataFrom.isEmpty() && dataTo.isEmpty()) {
                return true;
            }
            // Data of unknown date cannot be shown to fall outside the period, so the statement applies.
            return resource.recordedOn()
                    .map(day -> dataFrom.map(from -> !day.isBefore(from)).orElse(true)
                            && dataTo.map(to -> !day.isAfter(to)).orElse(true))
                    .orElse(true);
        }
    }
}
