package uk.sharedcare.record.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.Extension;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import uk.sharedcare.support.Callers;
import uk.sharedcare.support.FhirServerClient;
import uk.sharedcare.support.FhirServerClient.RawResponse;
import uk.sharedcare.support.PostgresFhirServerTest;
import uk.sharedcare.support.TestIdentityProvider;

/**
 * Only genuine, current tokens from the configured issuer and meant for this server get in; every refusal is a
 * 401 with a Bearer challenge and an OperationOutcome. Discovery stays public.
 */
@PostgresFhirServerTest
class AuthenticationIT {

    @LocalServerPort
    int port;

    @Test
    void requestWithoutTokenIsUnauthorised() {
        assertUnauthorised(new FhirServerClient(port).get("/Patient"), "Authentication is required");
    }

    @Test
    void malformedTokenIsUnauthorised() {
        assertUnauthorised(as("not-a-jwt").get("/Patient"), "rejected");
    }

    @Test
    void expiredTokenIsUnauthorised() {
        Instant now = Instant.now();
        String expired = Callers.drPatel().issuedAt(now.minusSeconds(600)).expiresAt(now.minusSeconds(120)).sign();

        assertUnauthorised(as(expired).get("/Patient"), "expired");
    }

    @Test
    void tokenNotYetValidIsUnauthorised() {
        String early = Callers.drPatel().notBefore(Instant.now().plusSeconds(600)).sign();

        assertUnauthorised(as(early).get("/Patient"), "rejected");
    }

    @Test
    void tokenWithoutExpiryIsUnauthorised() {
        assertUnauthorised(as(Callers.drPatel().without("exp").sign()).get("/Patient"), "no expiry");
    }

    @Test
    void tokenSignedWithAnUnknownKeyIsUnauthorised() {
        assertUnauthorised(as(Callers.drPatel().signedByStranger().sign()).get("/Patient"), "rejected");
    }

    @Test
    void unsignedTokenIsUnauthorised() {
        assertUnauthorised(as(Callers.drPatel().unsigned()).get("/Patient"), "rejected");
    }

    @Test
    void tokenFromAnotherIssuerIsUnauthorised() {
        String foreign = Callers.drPatel().issuer("https://elsewhere.invalid/realms/shared-care").sign();

        assertUnauthorised(as(foreign).get("/Patient"), "iss");
    }

    @Test
    void tokenForAnotherAudienceIsUnauthorised() {
        String forAnotherService = Callers.drPatel().audience("some-other-api").sign();

        assertUnauthorised(as(forAnotherService).get("/Patient"), "not meant for this server");
    }

    @Test
    void validTokenIsAccepted() {
        assertThat(as(Callers.drPatel().sign()).get("/Patient?_count=1").status()).isEqualTo(200);
    }

    @Test
    void capabilityStatementIsPublicAndNamesTheTokenEndpoints() {
        CapabilityStatement metadata = new FhirServerClient(port).fhir().capabilities()
                .ofType(CapabilityStatement.class).execute();

        var security = metadata.getRestFirstRep().getSecurity();
        assertThat(security.getServiceFirstRep().getCodingFirstRep().getCode()).isEqualTo("SMART-on-FHIR");
        Extension oauthUris = security.getExtensionByUrl(
                "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris");
        assertThat(oauthUris.getExtensionByUrl("token").getValue().primitiveValue())
                .isEqualTo(TestIdentityProvider.ISSUER + "/protocol/openid-connect/token");
        assertThat(oauthUris.getExtensionByUrl("authorize").getValue().primitiveValue())
                .isEqualTo(TestIdentityProvider.ISSUER + "/protocol/openid-connect/auth");
    }

    @Test
    void smartConfigurationIsPublic() {
        RawResponse response = new FhirServerClient(port).get("/.well-known/smart-configuration");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.contentType()).startsWith("application/json");
        assertThat(response.body())
                .contains("\"issuer\":\"" + TestIdentityProvider.ISSUER + "\"")
                .contains("\"token_endpoint\":\"" + TestIdentityProvider.ISSUER + "/protocol/openid-connect/token\"")
                .contains("\"code_challenge_methods_supported\":[\"S256\"]")
                .contains("\"introspection_endpoint\":\"" + TestIdentityProvider.ISSUER
                        + "/protocol/openid-connect/token/introspect\"")
                .contains("\"revocation_endpoint\":\"" + TestIdentityProvider.ISSUER
                        + "/protocol/openid-connect/revoke\"")
                .contains("\"private_key_jwt\"").contains("\"client-confidential-asymmetric\"")
                .contains("\"permission-v2\"").contains("\"patient/*.rs\"").contains("\"system/*.rs\"");
    }

    @Test
    void onlyReadingMetadataIsPublic() {
        RawResponse response = new FhirServerClient(port).send("POST", "/metadata", "{}", "application/fhir+json");

        assertThat(response.status()).isEqualTo(401);
    }

    private FhirServerClient as(String token) {
        return new FhirServerClient(port, token);
    }

    private static void assertUnauthorised(RawResponse response, String diagnosticsContain) {
        assertThat(response.status()).isEqualTo(401);
        assertThat(response.header("WWW-Authenticate")).startsWith("Bearer");
        assertThat(response.operationOutcome().getIssueFirstRep().getDiagnostics()).contains(diagnosticsContain);
    }
}
