package uk.sharedcare.record.access;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.server.resource.web.BearerTokenAuthenticationEntryPoint;
import org.springframework.security.web.AuthenticationEntryPoint;
import uk.sharedcare.record.http.OperationOutcomeWriter;

/**
 * Answers a missing or rejected bearer token with 401, the RFC 6750 {@code WWW-Authenticate} challenge, and an
 * OperationOutcome saying what was wrong with the token.
 */
final class OperationOutcomeAuthenticationFailures implements AuthenticationEntryPoint {

    private final BearerTokenAuthenticationEntryPoint challenge = new BearerTokenAuthenticationEntryPoint();
    private final OperationOutcomeWriter outcomes;
    private final RefusalRecorder refusals;

    OperationOutcomeAuthenticationFailures(OperationOutcomeWriter outcomes, RefusalRecorder refusals) {
        this.outcomes = outcomes;
        this.refusals = refusals;
    }

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException failure)
            throws IOException {
        String reason = explain(failure);
        if (!refusals.refused(request, Optional.empty(), HttpServletResponse.SC_UNAUTHORIZED, reason)) {
            outcomes.writeUnrecorded(response);
            return;
        }
        challenge.commence(request, response, failure);
        outcomes.write(response, HttpServletResponse.SC_UNAUTHORIZED, IssueType.LOGIN, reason);
    }

    private static String explain(AuthenticationException failure) {
        if (failure instanceof OAuth2AuthenticationException) {
            return "The access token was rejected: " + failure.getMessage();
        }
        return "Authentication is required: send an OAuth2 bearer access token from the Shared Care Record's"
                + " identity provider in the Authorization header";
    }
}
