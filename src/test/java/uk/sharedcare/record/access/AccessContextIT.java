package uk.sharedcare.record.access;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import uk.sharedcare.support.Callers;
import uk.sharedcare.support.FhirServerClient;
import uk.sharedcare.support.FhirServerClient.RawResponse;
import uk.sharedcare.support.PostgresFhirServerTest;
import uk.sharedcare.support.TestIdentityProvider;

/**
 * A genuine token is not enough: it must carry a Shared Care Record role and an organisation, and the request's
 * purpose of use must be one the token permits. Each refusal is a 403 that says why.
 */
@PostgresFhirServerTest
class AccessContextIT {

    @LocalServerPort
    int port;

    @Test
    void tokenWithoutAKnownRoleIsForbidden() {
        String visitor = TestIdentityProvider.token().roles("offline_access", "uma_authorization")
                .organisation(Callers.RIVERSIDE_PRACTICE).purposes("TREAT").sign();

        assertForbidden(as(visitor).get("/Patient"), "no Shared Care Record role");
    }

    @Test
    void tokenWithoutAnOrganisationIsForbidden() {
        String nowhere = Callers.drPatel().without("organisation").sign();

        assertForbidden(as(nowhere).get("/Patient"), "names no organisation");
    }

    @Test
    void purposeTheTokenDoesNotPermitIsForbidden() {
        FhirServerClient gpClaimingResearch = as(Callers.drPatel().sign())
                .withHeader(AccessContextResolver.PURPOSE_HEADER, "HRESCH");

        assertForbidden(gpClaimingResearch.get("/Patient"), "does not permit purpose of use HRESCH");
    }

    @Test
    void unknownPurposeIsForbidden() {
        FhirServerClient caller = as(Callers.drPatel().sign())
                .withHeader(AccessContextResolver.PURPOSE_HEADER, "CURIOSITY");

        assertForbidden(caller.get("/Patient"), "'CURIOSITY' is not a purpose of use");
    }

    @Test
    void withoutPurposeHeaderTreatmentIsAssumedOnlyWhenTheTokenPermitsIt() {
        assertThat(as(Callers.drPatel().sign()).get("/Patient?_count=1").status()).isEqualTo(200);

        assertForbidden(as(Callers.analystChen().sign()).get("/Patient"), "does not permit TREAT");
    }

    @Test
    void breakGlassWithoutReasonIsForbidden() {
        FhirServerClient breakGlass = as(Callers.nurseOkafor().sign())
                .withHeader(AccessContextResolver.PURPOSE_HEADER, "ETREAT");

        assertForbidden(breakGlass.get("/Patient"), "needs a reason in the X-Break-Glass-Reason header");
    }

    @Test
    void breakGlassWithReasonIsAccepted() {
        FhirServerClient breakGlass = as(Callers.nurseOkafor().sign())
                .withHeader(AccessContextResolver.PURPOSE_HEADER, "ETREAT")
                .withHeader(AccessContextResolver.BREAK_GLASS_REASON_HEADER, "Unconscious in A&E, no consent possible");

        assertThat(breakGlass.get("/Patient?_count=1").status()).isEqualTo(200);
    }

    private FhirServerClient as(String token) {
        return new FhirServerClient(port, token);
    }

    private static void assertForbidden(RawResponse response, String diagnosticsContain) {
        assertThat(response.status()).isEqualTo(403);
        assertThat(response.operationOutcome().getIssueFirstRep().getCode().toCode()).isEqualTo("forbidden");
        assertThat(response.operationOutcome().getIssueFirstRep().getDiagnostics()).contains(diagnosticsContain);
    }
}
