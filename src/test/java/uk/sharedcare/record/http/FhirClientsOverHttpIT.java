package uk.sharedcare.record.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestResourceComponent;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestResourceOperationComponent;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import uk.sharedcare.support.BoroughScenario;
import uk.sharedcare.support.Callers;
import uk.sharedcare.support.FhirServerClient;
import uk.sharedcare.support.PostgresFhirServerTest;
import uk.sharedcare.support.RawHttp;
import uk.sharedcare.support.RecordFixtures;
import uk.sharedcare.support.TestServerInitializer;

/**
 * Requests as real FHIR clients and browsers send them: unencoded characters, CORS preflights, malformed
 * requests Tomcat refuses itself, and a CapabilityStatement that says only what is true.
 */
@PostgresFhirServerTest
class FhirClientsOverHttpIT {

    private static final String APP = TestServerInitializer.BROWSER_APP_ORIGIN;

    @LocalServerPort
    int port;

    String gpToken;

    @BeforeEach
    void gp() {
        gpToken = Callers.drPatel().sign();
    }

    @Test
    void aTokenSearchWithItsBarUnencodedFindsThePatient() {
        String nhsNumber = RecordFixtures.uniqueNhsNumber();
        String patient = new BoroughScenario(port).create(Callers.drPatel(),
                RecordFixtures.patientRegisteredAt(Callers.RIVERSIDE_PRACTICE, nhsNumber, "Pipe"));

        RawHttp.Answer answer = RawHttp.send(port, "GET /fhir/Patient?identifier=" + RecordFixtures.NHS_NUMBER_SYSTEM
                + "|" + nhsNumber + " HTTP/1.1", Map.of("Authorization", "Bearer " + gpToken));

        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        Bundle found = FhirServerClient.FHIR.newJsonParser().parseResource(Bundle.class, answer.body());
        assertThat(found.getEntry()).extracting(e -> e.getResource().getIdElement().getIdPart())
                .containsExactly(patient.replace("Patient/", ""));
    }

    @Test
    void aRequestTomcatCannotParseIsAnsweredWithAnOperationOutcomeThatRepeatsNothingOfIt() {
        RawHttp.Answer answer = RawHttp.send(port, "GET /fhir/Patient/%zz9434765919 HTTP/1.1",
                Map.of("Authorization", "Bearer " + gpToken));

        assertIsOperationOutcome(answer, 400);
        assertThat(answer.body()).doesNotContain("9434765919");
    }

    @Test
    void aHeaderTooLargeForTomcatIsAnsweredWithAnOperationOutcome() {
        RawHttp.Answer answer = RawHttp.send(port, "GET /fhir/metadata HTTP/1.1",
                Map.of("X-Padding", "x".repeat(64 * 1024)));

        assertIsOperationOutcome(answer, 400);
    }

    @Test
    void aBrowserAppsPreflightFromAnAllowedOriginIsAnsweredWithoutAToken() {
        RawHttp.Answer answer = RawHttp.send(port, "OPTIONS /fhir/Patient HTTP/1.1", Map.of(
                "Origin", APP,
                "Access-Control-Request-Method", "GET",
                "Access-Control-Request-Headers", "authorization,x-purpose-of-use"));

        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        assertThat(answer.header("Access-Control-Allow-Origin")).isEqualTo(APP);
        assertThat(answer.header("Access-Control-Allow-Methods")).contains("GET");
        assertThat(answer.header("Access-Control-Allow-Headers").toLowerCase())
                .contains("authorization").contains("x-purpose-of-use");
        assertThat(answer.header("Access-Control-Allow-Credentials")).isNull();
    }

    @Test
    void aPreflightFromAnotherOriginIsRefusedWithAnOperationOutcome() {
        RawHttp.Answer answer = RawHttp.send(port, "OPTIONS /fhir/Patient HTTP/1.1", Map.of(
                "Origin", "https://evil.example.com",
                "Access-Control-Request-Method", "GET",
                "Access-Control-Request-Headers", "authorization"));

        assertIsOperationOutcome(answer, 403);
        assertThat(answer.header("Access-Control-Allow-Origin")).isNull();
    }

    @Test
    void anAllowedOriginCanReadTheAnswerAndItsLocationAndVersionHeaders() {
        RawHttp.Answer answer = RawHttp.send(port, "GET /fhir/Patient?_count=1 HTTP/1.1", Map.of(
                "Origin", APP, "Authorization", "Bearer " + gpToken));

        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        assertThat(answer.header("Access-Control-Allow-Origin")).isEqualTo(APP);
        assertThat(answer.header("Access-Control-Expose-Headers")).contains("Location").contains("ETag");
    }

    @Test
    void theCapabilityStatementNamesTheBuildAndOnlyTheOperationsOffered() {
        CapabilityStatement statement = new FhirServerClient(port).fhir().capabilities()
                .ofType(CapabilityStatement.class).execute();

        assertThat(statement.getSoftware().getVersion()).matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
        assertThat(statement.getRestFirstRep().getSecurity().getCors()).isTrue();
        List<String> serverOperations = names(statement.getRestFirstRep().getOperation());
        assertThat(serverOperations).contains("export", "verify-audit-chain")
                .doesNotContain("expunge", "meta", "reindex", "hapi.fhir.merge", "perform-reindexing-pass");
        CapabilityStatementRestResourceComponent patient = statement.getRestFirstRep().getResource().stream()
                .filter(resource -> resource.getType().equals("Patient")).findFirst().orElseThrow();
        assertThat(names(patient.getOperation())).contains("everything")
                .doesNotContain("meta", "meta-add", "meta-delete", "expunge", "reindex", "hapi.fhir.merge");
        assertThat(statement.getRestFirstRep().getResource())
                .allSatisfy(resource -> assertThat(names(resource.getOperation()))
                        .doesNotContain("meta", "meta-add", "meta-delete", "expunge", "reindex"));
    }

    private static List<String> names(List<CapabilityStatementRestResourceOperationComponent> operations) {
        return operations.stream().map(CapabilityStatementRestResourceOperationComponent::getName).toList();
    }

    private static void assertIsOperationOutcome(RawHttp.Answer answer, int status) {
        assertThat(answer.status()).isEqualTo(status);
        assertThat(answer.header("Content-Type")).startsWith("application/fhir+json");
        OperationOutcome outcome = FhirServerClient.FHIR.newJsonParser().parseResource(OperationOutcome.class,
                answer.body());
        assertThat(outcome.getIssueFirstRep().getDiagnostics()).isNotBlank();
    }
}
