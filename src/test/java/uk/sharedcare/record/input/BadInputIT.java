package uk.sharedcare.record.input;

import static org.assertj.core.api.Assertions.assertThat;
import static uk.sharedcare.support.RecordFixtures.NHS_NUMBER_SYSTEM;
import static uk.sharedcare.support.RecordFixtures.uniqueNhsNumber;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import uk.sharedcare.support.Callers;
import uk.sharedcare.support.FhirServerClient;
import uk.sharedcare.support.FhirServerClient.RawResponse;
import uk.sharedcare.support.PostgresFhirServerTest;

/** Bad requests get a 4xx with an OperationOutcome that says what is wrong, and store nothing. */
@PostgresFhirServerTest
class BadInputIT {

    private static final String FHIR_JSON = "application/fhir+json";
    private static final int TEN_MEGABYTES = 10 * 1024 * 1024;

    @LocalServerPort
    int port;

    FhirServerClient server;
    String nhsNumber;

    @BeforeEach
    void connect() {
        server = new FhirServerClient(port, Callers.drPatel().sign());
        nhsNumber = uniqueNhsNumber();
    }

    @Test
    void malformedJsonIsRejectedAsBadRequest() {
        String truncated = patientJson("").substring(0, 60);

        RawResponse response = server.send("POST", "/Patient", truncated, FHIR_JSON);

        assertRefused(response, 400, "Failed to parse");
    }

    @Test
    void malformedXmlIsRejectedAsBadRequest() {
        String xml = "<Patient xmlns=\"http://hl7.org/fhir\"><identifier><system value=\"" + NHS_NUMBER_SYSTEM
                + "\"/><value value=\"" + nhsNumber + "\"/></identifier><name>";

        RawResponse response = server.send("POST", "/Patient", xml, "application/fhir+xml");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body()).contains("OperationOutcome").contains("Failed to parse XML");
        assertNothingStored();
    }

    @Test
    void unknownResourceTypeInTheUrlIsNotFound() {
        RawResponse response = server.send("POST", "/Spaceship", "{\"resourceType\":\"Spaceship\"}", FHIR_JSON);

        assertThat(response.status()).isEqualTo(404);
        assertThat(response.operationOutcome().getIssueFirstRep().getDiagnostics())
                .contains("Unknown resource type 'Spaceship'");
    }

    @Test
    void resourceTypeNotServedHereIsNotFound() {
        RawResponse response = server.get("/Medication");

        assertThat(response.status()).isEqualTo(404);
        assertThat(response.operationOutcome().getIssueFirstRep().getDiagnostics()).contains("Medication");
    }

    @Test
    void bodyOfAnotherResourceTypeIsRejected() {
        String observation = "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"text\":\"BP\"},"
                + "\"identifier\":[{\"system\":\"" + NHS_NUMBER_SYSTEM + "\",\"value\":\"" + nhsNumber + "\"}]}";

        RawResponse response = server.send("POST", "/Patient", observation, FHIR_JSON);

        assertRefused(response, 400, "expected \"Patient\" but found \"Observation\"");
    }

    @Test
    void invalidCodedValueIsRejected() {
        RawResponse response = server.send("POST", "/Patient", patientJson(",\"gender\":\"banana\""), FHIR_JSON);

        assertRefused(response, 400, "banana");
    }

    @Test
    void nonFhirContentTypeIsUnsupportedMediaType() {
        RawResponse response = server.send("POST", "/Patient", patientJson(""), "text/plain");

        assertRefused(response, 415, "Content-Type 'text/plain' is not supported");
    }

    @Test
    void bodyWithoutContentTypeIsUnsupportedMediaType() {
        RawResponse response = server.send("POST", "/Patient", patientJson(""), null);

        assertRefused(response, 415, "needs a Content-Type");
    }

    @Test
    void bodyOverTheSizeLimitIsRejectedBeforeParsing() {
        byte[] body = oversizedPatient();

        RawResponse response = server.send("POST", "/Patient", body, Map.of("Content-Type", FHIR_JSON));

        assertRefused(response, 413, "larger than the " + TEN_MEGABYTES + " bytes");
    }

    @Test
    void chunkedBodyOverTheSizeLimitIsRejected() throws Exception {
        byte[] body = oversizedPatient();
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/Patient"))
                .header("Content-Type", FHIR_JSON)
                .header("Authorization", "Bearer " + Callers.drPatel().sign())
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
                .build();

        HttpResponse<String> response =
                HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        assertRefused(new RawResponse(response.statusCode(), response.body(), response.headers()), 413, "larger than");
    }

    @Test
    void bodyJustUnderTheSizeLimitIsAccepted() {
        // FHIR strings stop at 1 MB, so the bulk is many given names, each well under that.
        String chunk = "\"" + "x".repeat(499_996) + "\"";
        String givenNames = String.join(",", java.util.Collections.nCopies(TEN_MEGABYTES / 500_000 - 1, chunk));
        String patient = patientJson(",\"name\":[{\"family\":\"Large\",\"given\":[" + givenNames + "]}]");

        RawResponse response = server.send("POST", "/Patient", patient, FHIR_JSON);

        assertThat(response.status()).isEqualTo(201);
    }

    /** A valid Patient the server would store, were it not over the limit. */
    private byte[] oversizedPatient() {
        String padding = "x".repeat(TEN_MEGABYTES + 1);
        return patientJson(",\"name\":[{\"family\":\"" + padding + "\"}]").getBytes(StandardCharsets.UTF_8);
    }

    private String patientJson(String moreFields) {
        return "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"" + NHS_NUMBER_SYSTEM
                + "\",\"value\":\"" + nhsNumber + "\"}],\"birthDate\":\"1970-01-01\"" + moreFields + "}";
    }

    private void assertRefused(RawResponse response, int status, String diagnosticsContain) {
        assertThat(response.status()).isEqualTo(status);
        assertThat(response.operationOutcome().getIssueFirstRep().getSeverity()).isEqualTo(IssueSeverity.ERROR);
        assertThat(response.operationOutcome().getIssueFirstRep().getDiagnostics()).contains(diagnosticsContain);
        assertNothingStored();
    }

    private void assertNothingStored() {
        Bundle found = server.fhir().search()
                .byUrl("Patient?identifier=" + NHS_NUMBER_SYSTEM + "|" + nhsNumber)
                .returnBundle(Bundle.class)
                .execute();
        assertThat(found.getEntry()).isEmpty();
    }
}
