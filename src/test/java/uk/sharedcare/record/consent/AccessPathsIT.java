package uk.sharedcare.record.consent;

import org.hl7.fhir.r4.model.Reference;
import static org.assertj.core.api.Assertions.assertThat;
import static uk.sharedcare.support.Callers.BOROUGH_COUNCIL;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Bundle.BundleType;
import org.hl7.fhir.r4.model.Bundle.HTTPVerb;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import uk.sharedcare.support.BoroughScenario;
import uk.sharedcare.support.Callers;
import uk.sharedcare.support.FhirServerClient;
import uk.sharedcare.support.FhirServerClient.RawResponse;
import uk.sharedcare.support.PostgresFhirServerTest;
import uk.sharedcare.support.RecordFixtures;

/**
 * Every way of asking the record for data obeys the same rules. The scenario: a Riverside patient with a GP
 * observation (hidden from the council's social worker by her role view) and a GP care plan (visible to her through
 * the council's episode of care).
 */
@PostgresFhirServerTest
class AccessPathsIT {

    private static final String FHIR_JSON = "application/fhir+json";

    @LocalServerPort
    int port;

    BoroughScenario borough;
    FhirServerClient socialWorker;
    String patient;
    String observation;
    String plan;
    Instant start;

    @BeforeEach
    void scenario() {
        start = Instant.now().minusSeconds(1);
        borough = new BoroughScenario(port);
        socialWorker = new FhirServerClient(port, Callers.swMurphy().sign());
        patient = borough.patientAtRiverside();
        observation = borough.bloodPressure(Callers.drPatel(), patient);
        plan = borough.carePlan(Callers.drPatel(), patient, "Falls prevention");
        borough.episodeOfCare(Callers.swMurphy(), BOROUGH_COUNCIL, patient);
    }

    @Test
    void revincludeReturnsOnlyWhatTheCallerMaySee() {
        assertThat(ids("/Patient?_id=" + idPart(patient) + "&_revinclude=Observation:subject"
                + "&_revinclude=CarePlan:subject")).contains(patient, plan).doesNotContain(observation);
        assertThat(ids("/Patient?_id=" + idPart(patient) + "&_revinclude=*")).contains(plan)
                .doesNotContain(observation);
    }

    @Test
    void includeFromHiddenDataReturnsNothing() {
        FhirServerClient trust = new FhirServerClient(port, Callers.nurseOkafor().sign());

        assertThat(ids(trust, "/CarePlan?subject=" + patient + "&_include=CarePlan:subject")).isEmpty();
    }

    @Test
    void reverseChainingIsRefused() {
        RawResponse response = socialWorker.get("/Patient?_has:Observation:subject:code=85354-9");

        assertThat(response.status()).isEqualTo(403);
        assertThat(response.operationOutcome().getIssueFirstRep().getDiagnostics()).contains("_has");
    }

    @Test
    void chainedParametersAreRefused() {
        assertThat(socialWorker.get("/Observation?subject.family=Scenario").status()).isEqualTo(403);
        assertThat(socialWorker.get("/CarePlan?subject:Patient.name=Scenario").status()).isEqualTo(403);
    }

    @Test
    void countsAndAccurateTotalsAreRefusedSoTheyCannotBetrayHiddenData() {
        assertThat(socialWorker.get("/Observation?subject=" + patient + "&_summary=count").status()).isEqualTo(400);
        assertThat(socialWorker.get("/Observation?subject=" + patient + "&_total=accurate").status()).isEqualTo(400);
    }

    @Test
    void summaryAndElementsDoNotUncoverHiddenResources() {
        assertThat(ids("/Observation?subject=" + patient + "&_elements=id,status")).isEmpty();
        assertThat(ids("/Observation?subject=" + patient + "&_summary=true")).isEmpty();
        assertThat(ids("/CarePlan?subject=" + patient + "&_elements=id")).contains(plan);
    }

    @Test
    void everyPageHoldsOnlyVisibleResources() {
        for (int i = 0; i < 3; i++) {
            borough.bloodPressure(Callers.drPatel(), patient);
            borough.carePlan(Callers.drPatel(), patient, "Plan " + i);
        }
        List<String> seen = new ArrayList<>();
        Bundle page = socialWorker.fhir().search().byUrl("CarePlan?subject=" + patient + "&_count=2")
                .returnBundle(Bundle.class).execute();
        while (page != null) {
            page.getEntry().forEach(e -> seen.add(e.getResource().fhirType()));
            page = page.getLink(Bundle.LINK_NEXT) == null ? null
                    : socialWorker.fhir().loadPage().next(page).execute();
        }
        assertThat(seen).hasSize(4).containsOnly("CarePlan");
        assertThat(ids("/Observation?subject=" + patient + "&_count=1")).isEmpty();
    }

    @Test
    void hiddenResourceHasNoHistoryAndNoVersions() {
        assertThat(socialWorker.get("/" + observation + "/_history").status()).isEqualTo(404);
        assertThat(socialWorker.get("/" + observation + "/_history/1").status()).isEqualTo(404);
        assertThat(socialWorker.get("/" + plan + "/_history").status()).isEqualTo(200);
    }

    @Test
    void typeAndSystemHistoryLeaveHiddenResourcesOut() {
        String since = "_since=" + start;

        assertThat(ids("/Observation/_history?" + since)).doesNotContain(observation);
        assertThat(ids("/CarePlan/_history?" + since)).contains(plan);
        assertThat(ids("/_history?" + since)).contains(plan).doesNotContain(observation);
    }

    @Test
    void everythingReturnsOnlyWhatTheCallerMaySee() {
        assertThat(ids("/" + patient + "/$everything")).contains(patient, plan).doesNotContain(observation);

        FhirServerClient trust = new FhirServerClient(port, Callers.nurseOkafor().sign());
        assertThat(trust.get("/" + patient + "/$everything").status()).isEqualTo(404);
    }

    @Test
    void batchReadsObeyTheSameRules() {
        Bundle batch = new Bundle().setType(BundleType.BATCH);
        batch.addEntry().getRequest().setMethod(HTTPVerb.GET).setUrl(observation);
        batch.addEntry().getRequest().setMethod(HTTPVerb.GET).setUrl(plan);
        batch.addEntry().getRequest().setMethod(HTTPVerb.GET).setUrl("Observation?subject=" + patient);

        Bundle response = socialWorker.fhir().transaction().withBundle(batch).execute();

        assertThat(response.getEntry().get(0).getResponse().getStatus()).startsWith("404");
        assertThat(response.getEntry().get(1).getResponse().getStatus()).startsWith("200");
        Bundle searched = (Bundle) response.getEntry().get(2).getResource();
        assertThat(searched.getEntry()).isEmpty();
    }

    @Test
    void batchCannotSmuggleARefusedSearch() {
        Bundle batch = new Bundle().setType(BundleType.BATCH);
        batch.addEntry().getRequest().setMethod(HTTPVerb.GET).setUrl("Patient?_has:Observation:subject:code=85354-9");

        RawResponse response = socialWorker.send("POST", "/",
                FhirServerClient.FHIR.newJsonParser().encodeResourceToString(batch), FHIR_JSON);

        assertThat(response.body()).doesNotContain(idPart(patient));
        assertThat(response.status() == 403 || response.body().contains("403")).isTrue();
    }

    @Test
    void conditionalWritesAreRefusedBecauseTheyTellWhetherAMatchExists() {
        String body = FhirServerClient.FHIR.newJsonParser().encodeResourceToString(
                RecordFixtures.patient(RecordFixtures.uniqueNhsNumber(), "Probe"));

        RawResponse create = socialWorker.send("POST", "/Patient", body.getBytes(),
                Map.of("Content-Type", FHIR_JSON, "If-None-Exist", "_id=" + idPart(patient)));
        RawResponse update = socialWorker.send("PUT", "/Patient?_id=" + idPart(patient), body, FHIR_JSON);
        RawResponse delete = socialWorker.send("DELETE", "/Observation?subject=" + patient, new byte[0], Map.of());

        assertThat(List.of(create.status(), update.status(), delete.status())).containsOnly(403);
    }

    @Test
    void referencesWrittenAsSearchesAreRefusedBecauseTheyTellWhetherAMatchExists() {
        String plan = "{\"resourceType\":\"CarePlan\",\"status\":\"active\",\"intent\":\"plan\","
                + "\"subject\":{\"reference\":\"Patient?_id=" + idPart(patient) + "\"}}";

        RawResponse response = socialWorker.send("POST", "/CarePlan", plan, FHIR_JSON);

        assertThat(response.status()).isBetween(400, 499);
        assertThat(ids("/CarePlan?subject=" + patient)).containsExactly(this.plan);
    }

    @Test
    void metaOperationsAndOtherUnofferedOperationsAreRefused() {
        assertRefusedWithoutData(socialWorker.get("/" + observation + "/$meta"));
        assertRefusedWithoutData(socialWorker.get("/$meta"));
        assertRefusedWithoutData(socialWorker.get("/$export"));
        assertRefusedWithoutData(socialWorker.get("/Patient/$export"));
        assertRefusedWithoutData(socialWorker.get("/$graphql?query=%7BPatientList%7Bid%7D%7D"));
        assertRefusedWithoutData(socialWorker.send("POST", "/" + observation + "/$meta-delete",
                "{\"resourceType\":\"Parameters\"}", FHIR_JSON));
    }

    @Test
    void conformanceResourcesAreWrittenOnlyByAdmins() {
        String searchParameter = "{\"resourceType\":\"SearchParameter\",\"url\":\"http://example.org/sp\","
                + "\"name\":\"probe\",\"status\":\"active\",\"description\":\"probe\",\"code\":\"probe\","
                + "\"base\":[\"Patient\"],\"type\":\"token\",\"expression\":\"Patient.gender\"}";

        RawResponse response = socialWorker.send("POST", "/SearchParameter", searchParameter, FHIR_JSON);

        assertThat(response.status()).isEqualTo(403);
        assertThat(response.operationOutcome().getIssueFirstRep().getDiagnostics()).contains("only an admin");
    }

    private void assertRefusedWithoutData(RawResponse response) {
        assertThat(response.status()).isBetween(400, 499);
        assertThat(response.operationOutcome().getIssueFirstRep().getSeverity().toCode()).isEqualTo("error");
        assertThat(response.body()).doesNotContain("85354-9");
    }

    @Test
    void validateChecksAResourceButNotAStoredOne() {
        String body = FhirServerClient.FHIR.newJsonParser().encodeResourceToString(
                RecordFixtures.socialCarePlan(new Reference(patient), "Draft"));

        assertThat(socialWorker.send("POST", "/CarePlan/$validate", body, FHIR_JSON).status()).isEqualTo(200);
        assertThat(socialWorker.get("/" + observation + "/$validate").status()).isEqualTo(403);
    }

    @Test
    void writesToAHiddenResourceAnswerAsIfItDidNotExist() {
        RawResponse delete = socialWorker.send("DELETE", "/" + observation, new byte[0], Map.of());

        assertThat(delete.status()).isEqualTo(404);
        assertThat(new FhirServerClient(port, Callers.drPatel().sign()).get("/" + observation).status())
                .isEqualTo(200);
    }

    @Test
    void subscriptionsCannotBeCreatedThroughTheApi() {
        String subscription = "{\"resourceType\":\"Subscription\",\"status\":\"requested\",\"reason\":\"probe\","
                + "\"criteria\":\"Observation?\",\"channel\":{\"type\":\"rest-hook\","
                + "\"endpoint\":\"http://127.0.0.1:9/hook\",\"payload\":\"application/fhir+json\"}}";

        RawResponse response = socialWorker.send("POST", "/Subscription", subscription, FHIR_JSON);

        assertThat(response.status()).isEqualTo(403);
    }

    @Test
    void auditEventsCannotBeWrittenThroughTheApi() {
        String forged = "{\"resourceType\":\"AuditEvent\",\"type\":{\"code\":\"rest\"},"
                + "\"recorded\":\"2026-11-22T10:00:00Z\",\"agent\":[{\"requestor\":true}],"
                + "\"source\":{\"observer\":{\"display\":\"probe\"}}}";

        RawResponse response = socialWorker.send("POST", "/AuditEvent", forged, FHIR_JSON);

        assertThat(response.status()).isEqualTo(405);
        assertThat(response.header("Allow")).isEqualTo("GET");
        assertThat(response.operationOutcome().getIssueFirstRep().getDiagnostics()).contains("server alone");
    }

    private List<String> ids(String url) {
        return ids(socialWorker, url);
    }

    private static List<String> ids(FhirServerClient caller, String url) {
        RawResponse response = caller.get(url);
        assertThat(response.status()).as(url + " answered " + response.body()).isEqualTo(200);
        Bundle bundle = FhirServerClient.FHIR.newJsonParser().parseResource(Bundle.class, response.body());
        return bundle.getEntry().stream()
                .filter(e -> e.hasResource())
                .map(e -> e.getResource().fhirType() + "/" + e.getResource().getIdElement().getIdPart())
                .toList();
    }

    private static String idPart(String id) {
        return id.substring(id.indexOf('/') + 1);
    }
}
