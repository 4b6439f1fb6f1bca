package uk.sharedcare.record.consent;

import static org.assertj.core.api.Assertions.assertThat;
import static uk.sharedcare.support.HiddenVersusMissing.TARGET;
import static uk.sharedcare.support.HiddenVersusMissing.assertHiddenLooksMissing;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.test.web.server.LocalServerPort;
import uk.sharedcare.support.BoroughScenario;
import uk.sharedcare.support.Callers;
import uk.sharedcare.support.FhirServerClient.RawResponse;
import uk.sharedcare.support.FhirServerClient;
import uk.sharedcare.support.HiddenVersusMissing.Answer;
import uk.sharedcare.support.HiddenVersusMissing.Probe;
import uk.sharedcare.support.PostgresFhirServerTest;

/**
 * The record's first promise, path by path: the hospital trust's nurse has no relationship with a Riverside
 * patient, so that patient and the GP's observation are hidden from her; every request about them must be answered
 * exactly as the same request about an id that does not exist. Every row of the access-path table that can name a
 * resource is probed, alone and as each verb of a batch and a transaction entry.
 */
@PostgresFhirServerTest
class HiddenLooksMissingIT {

    private static final String PATCH_STATUS = "[{\"op\":\"replace\",\"path\":\"/status\",\"value\":\"amended\"}]";
    private static final String FHIRPATH_PATCH = "{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":"
            + "\"operation\",\"part\":[{\"name\":\"type\",\"valueCode\":\"replace\"},{\"name\":\"path\","
            + "\"valueString\":\"Observation.status\"},{\"name\":\"value\",\"valueCode\":\"amended\"}]}]}";

    @LocalServerPort
    int port;

    BoroughScenario borough;
    FhirServerClient nurse;
    FhirServerClient gp;
    String patient;
    String observation;

    @BeforeEach
    void scenario() {
        borough = new BoroughScenario(port);
        nurse = new FhirServerClient(port, Callers.nurseOkafor().sign());
        gp = new FhirServerClient(port, Callers.drPatel().sign());
        patient = idPart(borough.patientAtRiverside());
        observation = idPart(borough.bloodPressure(Callers.drPatel(), "Patient/" + patient));
    }

    static Stream<Arguments> pathsAboutAnObservation() {
        return Stream.of(
                Arguments.of("read", Probe.get("/Observation/" + TARGET)),
                Arguments.of("vread", Probe.get("/Observation/" + TARGET + "/_history/1")),
                Arguments.of("instance history", Probe.get("/Observation/" + TARGET + "/_history")),
                Arguments.of("read as XML", Probe.get("/Observation/" + TARGET + "?_format=xml")),
                Arguments.of("read with If-None-Match", Probe.get("/Observation/" + TARGET)
                        .withHeader("If-None-Match", "W/\"1\"")),
                Arguments.of("read with If-Modified-Since", Probe.get("/Observation/" + TARGET)
                        .withHeader("If-Modified-Since", "Mon, 01 Jan 2001 00:00:00 GMT")),
                Arguments.of("HEAD", new Probe("HEAD", "/Observation/" + TARGET, null, Map.of())),
                Arguments.of("search by _id", Probe.get("/Observation?_id=" + TARGET)),
                Arguments.of("$meta", Probe.get("/Observation/" + TARGET + "/$meta")),
                Arguments.of("instance $validate", Probe.get("/Observation/" + TARGET + "/$validate")),
                Arguments.of("patch", new Probe("PATCH", "/Observation/" + TARGET, PATCH_STATUS,
                        Map.of("Content-Type", "application/json-patch+json"))),
                Arguments.of("delete", new Probe("DELETE", "/Observation/" + TARGET, null, Map.of())),
                Arguments.of("batch GET", bundle("batch", "GET", "Observation/" + TARGET, null)),
                Arguments.of("batch GET history", bundle("batch", "GET", "Observation/" + TARGET + "/_history", null)),
                Arguments.of("batch HEAD", bundle("batch", "HEAD", "Observation/" + TARGET, null)),
                Arguments.of("batch PATCH", bundle("batch", "PATCH", "Observation/" + TARGET, FHIRPATH_PATCH)),
                Arguments.of("batch DELETE", bundle("batch", "DELETE", "Observation/" + TARGET, null)),
                Arguments.of("transaction GET", bundle("transaction", "GET", "Observation/" + TARGET, null)),
                Arguments.of("transaction PATCH",
                        bundle("transaction", "PATCH", "Observation/" + TARGET, FHIRPATH_PATCH)),
                Arguments.of("transaction DELETE", bundle("transaction", "DELETE", "Observation/" + TARGET, null)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pathsAboutAnObservation")
    void everyPathAboutAHiddenObservationAnswersAsForAMissingOne(String path, Probe probe) {
        assertHiddenLooksMissing(nurse, probe, observation);

        assertThat(gp.get("/Observation/" + observation).body()).as("nothing changed").contains("\"final\"")
                .contains("\"versionId\":\"1\"");
    }

    static Stream<Arguments> pathsAboutAPatient() {
        String patientBody = "{\"resourceType\":\"Patient\",\"id\":\"" + TARGET + "\",\"identifier\":[{\"system\":"
                + "\"https://fhir.nhs.uk/Id/nhs-number\",\"value\":\"9000000009\"}],\"name\":[{\"family\":\"Probe\"}],"
                + "\"birthDate\":\"1980-01-01\",\"generalPractitioner\":[{\"identifier\":{\"system\":"
                + "\"https://fhir.nhs.uk/Id/ods-organization-code\",\"value\":\"Y90001\"}}]}";
        return Stream.of(
                Arguments.of("$everything", Probe.get("/Patient/" + TARGET + "/$everything")),
                Arguments.of("compartment search", Probe.get("/Patient/" + TARGET + "/Observation")),
                Arguments.of("search by subject", Probe.get("/Observation?subject=Patient/" + TARGET)),
                Arguments.of("_include from a search", Probe.get("/Patient?_id=" + TARGET
                        + "&_revinclude=Observation:subject")),
                Arguments.of("update", Probe.send("PUT", "/Patient/" + TARGET, patientBody)),
                Arguments.of("batch PUT", bundle("batch", "PUT", "Patient/" + TARGET, patientBody)),
                Arguments.of("transaction PUT", bundle("transaction", "PUT", "Patient/" + TARGET, patientBody)),
                Arguments.of("batch $everything", bundle("batch", "GET", "Patient/" + TARGET + "/$everything", null)),
                Arguments.of("system search", Probe.get("/?_type=Patient&_id=" + TARGET)),
                Arguments.of("$explain-access", Probe.get("/Patient/" + TARGET
                        + "/$explain-access?organisation=RZ9&role=clinician")),
                Arguments.of("$access-report", Probe.get("/Patient/" + TARGET + "/$access-report")),
                Arguments.of("$graphql", Probe.get("/Patient/" + TARGET + "/$graphql?query=%7Bid%7D")),
                Arguments.of("$validate of a body about the patient", Probe.send("POST", "/Observation/$validate",
                        "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"text\":\"bp\"},"
                                + "\"subject\":{\"reference\":\"Patient/" + TARGET + "\"}}")),
                Arguments.of("Group $export", Probe.get("/Group/" + TARGET + "/$export")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pathsAboutAPatient")
    void everyPathAboutAHiddenPatientAnswersAsForAMissingOne(String path, Probe probe) {
        assertHiddenLooksMissing(nurse, probe, patient);

        assertThat(gp.get("/Patient/" + patient).body()).as("nothing changed").contains("\"versionId\":\"1\"");
    }

    @Test
    void batchReadOfAHiddenResourceIsWordedAsAMissingOneAndAsTheReadAlone() {
        Answer entry = assertHiddenLooksMissing(nurse, bundle("batch", "GET", "Observation/" + TARGET, null),
                observation);
        RawResponse alone = nurse.get("/Observation/" + observation);

        assertThat(entry.body()).contains("\"404 Not Found\"").doesNotContain("HAPI-");
        assertThat(alone.status()).isEqualTo(404);
        assertThat(entry.body()).contains(alone.operationOutcome().getIssueFirstRep().getDiagnostics()
                .replace(observation, TARGET));
    }

    @Test
    void transactionPutOnAHiddenPatientNeitherSucceedsNorRevealsItsVersion() {
        Answer hidden = assertHiddenLooksMissing(nurse, pathsAboutAPatientNamed("transaction PUT"), patient);

        assertThat(hidden.status()).isEqualTo(404);
        assertThat(hidden.body()).doesNotContain("_history").doesNotContain("200 OK").doesNotContain("201");
    }

    @Test
    void deletingAMissingResourceAnswersAsDeletingAHiddenOne() {
        Answer hidden = assertHiddenLooksMissing(nurse,
                new Probe("DELETE", "/Observation/" + TARGET, null, Map.of()), observation);

        assertThat(hidden.status()).isEqualTo(404);
        assertThat(hidden.body()).doesNotContain(Callers.RIVERSIDE_PRACTICE).doesNotContain("SUCCESSFUL_DELETE");
    }

    @Test
    void transactionDeleteOfAHiddenResourceDoesNotNameItsCustodian() {
        Answer hidden = assertHiddenLooksMissing(nurse,
                bundle("transaction", "DELETE", "Observation/" + TARGET, null), observation);

        assertThat(hidden.status()).isEqualTo(404);
        assertThat(hidden.body()).doesNotContain(Callers.RIVERSIDE_PRACTICE);
    }

    @Test
    void aUserWhoMayNotCreateByIdGetsTheSameAnswerForAnUnusedIdAsForAHiddenOne() {
        Answer hidden = assertHiddenLooksMissing(nurse, pathsAboutAPatientNamed("update"), patient);

        assertThat(hidden.status()).isEqualTo(404);
    }

    @Test
    void theCustodianStillChangesWhatItRecordedInABatch() {
        RawResponse response = gp.send("POST", "/", bundle("batch", "PATCH", "Observation/" + observation,
                FHIRPATH_PATCH).body(), "application/fhir+json");

        assertThat(response.body()).contains("\"200 OK\"");
        assertThat(gp.get("/Observation/" + observation).body()).contains("\"amended\"");
    }

    @Test
    void bundlesCannotSwitchTheirSemanticsToSkipTheEntryChecks() {
        Probe batch = bundle("batch", "DELETE", "Observation/" + TARGET, null)
                .withHeader("X-Transaction-Semantics", "retries=2; tryBatchAsTransactionFirst=true");

        Answer hidden = assertHiddenLooksMissing(nurse, batch, observation);

        assertThat(hidden.status()).isEqualTo(403);
    }

    private static Probe pathsAboutAPatientNamed(String name) {
        return pathsAboutAPatient().filter(arguments -> name.equals(arguments.get()[0]))
                .map(arguments -> (Probe) arguments.get()[1]).findFirst().orElseThrow();
    }

    /** A batch or transaction of one entry. */
    static Probe bundle(String type, String method, String url, String resource) {
        String body = "{\"resourceType\":\"Bundle\",\"type\":\"" + type + "\",\"entry\":[{"
                + (resource == null ? "" : "\"resource\":" + resource + ",")
                + "\"request\":{\"method\":\"" + method + "\",\"url\":\"" + url + "\"}}]}";
        return Probe.send("POST", "/", body);
    }

    private static String idPart(String reference) {
        return reference.substring(reference.indexOf('/') + 1);
    }
}
