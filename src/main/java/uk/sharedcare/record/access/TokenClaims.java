package uk.sharedcare.record.access;

import java.util.List;
import java.util.Optional;

/**
 * The parts of a verified access token that the Shared Care Record reads, already pulled out of the JWT by
 * the configured claim names.
 *
 * @param subject       {@code sub}
 * @param client        {@code azp}, the client the token was issued to
 * @param organisation  ODS code of the caller's organisation, if the token names one
 * @param practitioner  FHIR Practitioner id, if the token names one
 * @param purposes      the purpose-of-use codes the caller may assert
 * @param roles         every role name in the token, known to this server or not
 * @param scopes        its SMART resource scopes ({@code scope}) and launch patient ({@code patient})
 * @param nhsNumber     a patient's own NHS number, if the token is a patient's
 */
public record TokenClaims(
        String subject,
        String client,
        Optional<String> organisation,
        Optional<String> practitioner,
        List<String> purposes,
        List<String> roles,
        SmartScopes scopes,
        Optional<String> nhsNumber) {

    public TokenClaims {
        purposes = List.copyOf(purposes);
        roles = List.copyOf(roles);
    }

    /** A token that is not a patient's. */
    public TokenClaims(String subject, String client, Optional<String> organisation, Optional<String> practitioner,
            List<String> purposes, List<String> roles, SmartScopes scopes) {
        this(subject, client, organisation, practitioner, purposes, roles, scopes, Optional.empty());
    }
}
