package uk.sharedcare.record.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static uk.sharedcare.support.RecordFixtures.patient;
import static uk.sharedcare.support.RecordFixtures.uniqueNhsNumber;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.ContextConfiguration;
import uk.sharedcare.server.Application;
import uk.sharedcare.support.Callers;
import uk.sharedcare.support.FhirServerClient;
import uk.sharedcare.support.KeycloakServerInitializer;
import uk.sharedcare.support.KeycloakSupport;

/** End to end with the real identity provider: Keycloak running the project's realm, real grants, real tokens. */
@SpringBootTest(classes = Application.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("postgres")
@ContextConfiguration(initializers = KeycloakServerInitializer.class)
class KeycloakIT {

    @LocalServerPort
    int port;

    @Test
    void gpSignsInWithPasswordAndReadsTheRecord() {
        FhirServerClient drPatel = new FhirServerClient(port, KeycloakSupport.userToken("dr.patel"));

        assertThat(drPatel.get("/Patient?_count=1").status()).isEqualTo(200);
    }

    @Test
    void aDemoPatientSignsInWithTheirNhsNumberAndSeesNoClinicalRecord() throws Exception {
        String token = KeycloakSupport.userToken("patient.hughes");
        JsonNode claims = new ObjectMapper().readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1]));
        FhirServerClient hughes = new FhirServerClient(port, token);

        assertThat(claims.path("nhs_number").asText()).isEqualTo("9990000107");
        assertThat(claims.path("roles").toString()).contains("patient");
        assertThat(claims.has("organisation")).isFalse();
        assertThat(hughes.get("/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number%7C9990000107").status())
                .isEqualTo(200);
        FhirServerClient.RawResponse observations = hughes.get("/Observation?_count=5");
        assertThat(observations.status()).isEqualTo(200);
        assertThat(observations.body()).doesNotContain("\"entry\"");
    }

    @Test
    void userWritesAsTheOrganisationInTheirToken() {
        FhirServerClient swMurphy = new FhirServerClient(port, KeycloakSupport.userToken("sw.murphy"));

        Patient stored = createAndRead(swMurphy);

        assertThat(Custodian.of(stored)).contains(Callers.BOROUGH_COUNCIL);
    }

    @Test
    void systemClientWritesAsItsOrganisation() {
        FhirServerClient ehrFeed = new FhirServerClient(port, KeycloakSupport.clientToken("riverside-gp-ehr"));

        Patient stored = createAndRead(ehrFeed);

        assertThat(Custodian.of(stored)).contains(Callers.RIVERSIDE_PRACTICE);
    }

    @Test
    void userWithoutASharedCareRoleIsForbidden() {
        FhirServerClient visitor = new FhirServerClient(port, KeycloakSupport.userToken("visitor.norole"));

        assertThat(visitor.get("/Patient").status()).isEqualTo(403);
    }

    @Test
    void analyticsClientCannotAssumeTreatment() {
        FhirServerClient analytics = new FhirServerClient(port, KeycloakSupport.clientToken("analytics-recipient"));

        var response = analytics.get("/Patient");

        assertThat(response.status()).isEqualTo(403);
        assertThat(response.operationOutcome().getIssueFirstRep().getDiagnostics()).contains("does not permit TREAT");
    }

    @Test
    void tamperedKeycloakTokenIsUnauthorised() {
        String[] parts = KeycloakSupport.userToken("dr.patel").split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]))
                .replace("\"Y90001\"", "\"Y90002\"");
        String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(payload.getBytes()) + "." + parts[2];

        var response = new FhirServerClient(port, forged).get("/Patient");

        assertThat(response.status()).isEqualTo(401);
        assertThat(response.header("WWW-Authenticate")).contains("invalid_token");
    }

    @Test
    void smartDiscoveryLeadsToAWorkingTokenEndpoint() throws Exception {
        String discovery = new FhirServerClient(port).get("/.well-known/smart-configuration").body();
        String tokenEndpoint = new ObjectMapper().readTree(discovery).path("token_endpoint").asText();

        String token = KeycloakSupport.clientToken(tokenEndpoint, "council-case-management");

        assertThat(new FhirServerClient(port, token).get("/CarePlan?_count=1").status()).isEqualTo(200);
    }

    @Test
    void aSmartAppSignsInWithPkceAndGetsOnlyTheScopesItAskedFor() throws Exception {
        JsonNode granted = KeycloakSupport.smartAppTokenResponse("dr.patel", "openid fhirUser user/Observation.rs");
        FhirServerClient app = new FhirServerClient(port, granted.path("access_token").asText());

        assertThat(granted.path("scope").asText().split(" ")).contains("user/Observation.rs", "fhirUser")
                .doesNotContain("user/*.cruds");
        assertThat(claims(granted.path("access_token").asText()).path("fhirUser").asText())
                .isEqualTo("Practitioner/dr-patel");
        assertThat(app.get("/Observation?_count=1").status()).isEqualTo(200);
        var carePlans = app.get("/CarePlan?_count=1");
        assertThat(carePlans.status()).isEqualTo(403);
        assertThat(carePlans.operationOutcome().getIssueFirstRep().getDiagnostics())
                .contains("do not grant search (s) on CarePlan");
    }

    @Test
    void everyUserAndPatientScopeTheDiscoveryListsIsOneKeycloakGrants() throws Exception {
        List<String> listed = new ArrayList<>();
        new ObjectMapper().readTree(new FhirServerClient(port).get("/.well-known/smart-configuration").body())
                .path("scopes_supported").forEach(scope -> listed.add(scope.asText()));
        List<String> forApps = listed.stream().filter(scope -> !scope.startsWith("system/")).toList();

        JsonNode granted = KeycloakSupport.smartAppTokenResponse("dr.patel", String.join(" ", forApps));

        assertThat(granted.path("scope").asText().split(" ")).contains(forApps.stream()
                .filter(scope -> !scope.equals("openid")).toArray(String[]::new));
        assertThat(granted.path("refresh_token").asText()).as("offline_access").isNotBlank();
    }

    @Test
    void aBackendServicesClientAuthenticatesWithItsSignedAssertionAndTakesTheBulkExtract() {
        JsonNode granted = KeycloakSupport.backendServicesTokenResponse("analytics-backend-services",
                "system/*.rs", KeycloakSupport.demoBackendServicesKey());
        FhirServerClient backend = new FhirServerClient(port, granted.path("access_token").asText())
                .withHeader("X-Purpose-Of-Use", "HOPERAT");

        assertThat(granted.path("scope").asText()).contains("system/*.rs");
        var accepted = backend.withHeader("Prefer", "respond-async").get("/$export");
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        assertThat(accepted.header("Content-Location")).contains("$export-poll-status");
    }

    @Test
    void anAssertionSignedWithAnyOtherKeyGetsNoToken() throws Exception {
        RSAKey stranger = new RSAKeyGenerator(2048)
                .keyID(KeycloakSupport.demoBackendServicesKey().getKeyID()).generate();

        assertThatThrownBy(() -> KeycloakSupport.backendServicesTokenResponse("analytics-backend-services",
                "system/*.rs", stranger)).hasMessageContaining("invalid_client");
    }

    @Test
    void theIntrospectionAndRevocationEndpointsTheDiscoveryNamesWork()
            throws Exception {
        JsonNode discovery = new ObjectMapper().readTree(
                new FhirServerClient(port).get("/.well-known/smart-configuration").body());
        String token = KeycloakSupport.userToken("dr.patel");
        // Keycloak lets only a client in the token's audience introspect it: the record itself.
        String resourceServer = "Basic " + Base64.getEncoder().encodeToString(("shared-care-record:"
                + KeycloakSupport.realmClientSecret("shared-care-record")).getBytes(StandardCharsets.UTF_8));
        String introspect = discovery.path("introspection_endpoint").asText();

        assertThat(postForm(introspect, resourceServer, "token=" + token).path("active").asBoolean()).isTrue();
        postForm(discovery.path("revocation_endpoint").asText(), null,
                "client_id=shared-care-demo-cli&token=" + token);
        assertThat(postForm(introspect, resourceServer, "token=" + token).path("active").asBoolean())
                .as("revoked").isFalse();
    }

    private static JsonNode postForm(String url, String authorization, String form) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body().isBlank() ? new ObjectMapper().createObjectNode()
                : new ObjectMapper().readTree(response.body());
    }

    private static JsonNode claims(String jwt) throws Exception {
        return new ObjectMapper().readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
    }

    private static Patient createAndRead(FhirServerClient caller) {
        IdType id = (IdType) caller.fhir().create().resource(patient(uniqueNhsNumber(), "Keycloak")).execute().getId();
        return caller.fhir().read().resource(Patient.class).withId(id.getIdPart()).execute();
    }
}
