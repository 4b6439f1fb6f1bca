package uk.sharedcare.record.access;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * Who is asking, for which organisation, in which roles and why: built once per request from the verified
 * access token and the request's purpose-of-use headers, and read by every later decision and audit record.
 *
 * @param subject          the token's {@code sub}: a user, or a client's service account
 * @param client           the OAuth client that obtained the token ({@code azp})
 * @param organisation     ODS code of the organisation the caller acts for
 * @param roles            the caller's Shared Care Record roles (never empty)
 * @param practitioner     the caller's FHIR Practitioner id, for users that have one
 * @param purpose          the purpose of use asserted for this request
 * @param breakGlassReason the free-text reason given with {@link PurposeOfUse#ETREAT}
 * @param at               when the request was received
 * @param scopes           the token's SMART scopes, which narrow what the policy allows
 * @param nhsNumber        for a patient signed in for themselves, their NHS number; empty for everyone else
 */
public record AccessContext(
        String subject,
        String client,
        String organisation,
        Set<Role> roles,
        Optional<String> practitioner,
        PurposeOfUse purpose,
        Optional<String> breakGlassReason,
        Instant at,
        SmartScopes scopes,
        Optional<String> nhsNumber) {

    /** ODS organisation codes: https://digital.nhs.uk/services/organisation-data-service */
    public static final String ODS_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code";
    /** NHS numbers: https://fhir.nhs.uk/Id/nhs-number */
    public static final String NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number";
    /**
     * What stands for a patient where an organisation would: {@code patient:<NHS number>}, which no ODS code can
     * equal, so a patient is never mistaken for an organisation, and no two patients for each other.
     */
    public static final String PATIENT_PREFIX = "patient:";

    public AccessContext {
        roles = Set.copyOf(roles);
    }

    /** Someone acting for an organisation. */
    public AccessContext(String subject, String client, String organisation, Set<Role> roles,
            Optional<String> practitioner, PurposeOfUse purpose, Optional<String> breakGlassReason, Instant at,
            SmartScopes scopes) {
        this(subject, client, organisation, roles, practitioner, purpose, breakGlassReason, at, scopes,
                Optional.empty());
    }

    /** A patient signed in for themselves. */
    public boolean isPatient() {
        return roles.contains(Role.PATIENT) && nhsNumber.isPresent();
    }

    public boolean hasRole(Role role) {
        return roles.contains(role);
    }

    public boolean isBreakGlass() {
        return purpose == PurposeOfUse.ETREAT;
    }
}
