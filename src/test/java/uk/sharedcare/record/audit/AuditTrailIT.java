package uk.sharedcare.record.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static uk.sharedcare.support.Callers.BOROUGH_COUNCIL;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.param.TokenParam;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Parameters;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import uk.sharedcare.support.BoroughScenario;
import uk.sharedcare.support.Callers;
import uk.sharedcare.support.FhirServerClient.RawResponse;
import uk.sharedcare.support.FhirServerClient;
import uk.sharedcare.support.PostgresFhirServerTest;
import uk.sharedcare.support.TestIdentityProvider;

/** Every access is on the record, allowed or refused, none is lost, and the record cannot be quietly changed. */
@PostgresFhirServerTest
class AuditTrailIT {

    @LocalServerPort
    int port;

    @Autowired
    DaoRegistry daos;

    @Autowired
    DataSource dataSource;

    BoroughScenario borough;
    String patient;
    String observation;

    @BeforeEach
    void scenario() {
        borough = new BoroughScenario(port);
        patient = borough.patientAtRiverside();
        observation = borough.bloodPressure(Callers.drPatel(), patient);
    }

    @Test
    void disclosureIsRecordedWithWhoWhyAndWhat() {
        assertThat(as(Callers.drPatel()).get("/" + observation).status()).isEqualTo(200);

        List<AuditEvent> reads = eventsAbout(observation).stream()
                .filter(e -> "read".equals(e.getSubtypeFirstRep().getCode())).toList();
        assertThat(reads).singleElement().satisfies(event -> {
            assertThat(event.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._0);
            assertThat(event.getAgentFirstRep().getWho().getIdentifier().getValue()).isEqualTo("dr.patel");
            assertThat(event.getPurposeOfEventFirstRep().getCodingFirstRep().getCode()).isEqualTo("TREAT");
            assertThat(event.getEntity()).extracting(e -> e.getWhat().getReference()).contains(patient);
        });
    }

    @Test
    void capabilityStatementAskedWithATokenIsAnsweredAndRecorded() {
        String marker = "probe-" + UUID.randomUUID();

        RawResponse metadata = as(Callers.nurseOkafor()).get("/metadata?_marker=" + marker);

        assertThat(metadata.status()).isEqualTo(200);
        assertThat(metadata.body()).contains("CapabilityStatement");
        List<AuditEvent> recorded = daos.getResourceDao(AuditEvent.class)
                .search(SearchParameterMap.newSynchronous("outcome", new TokenParam("0")), new SystemRequestDetails())
                .getAllResources().stream().map(AuditEvent.class::cast)
                .filter(e -> e.getEntity().stream().anyMatch(entity -> entity.getDescription() != null
                        && entity.getDescription().contains(marker)))
                .toList();
        assertThat(recorded).singleElement().satisfies(event ->
                assertThat(event.getSubtypeFirstRep().getCode()).isEqualTo("capabilities"));
    }

    @Test
    void refusalIsRecordedToo() {
        assertThat(as(Callers.nurseOkafor()).get("/" + observation).status()).isEqualTo(404);

        assertThat(eventsAbout(observation)).anySatisfy(event -> {
            assertThat(event.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._4);
            assertThat(event.getAgentFirstRep().getWho().getIdentifier().getValue()).isEqualTo("nurse.okafor");
        });
    }

    @Test
    void requestsRefusedBeforeTheyReachTheRecordAreOnItToo() {
        String marker = "probe-" + UUID.randomUUID();
        String noRole = TestIdentityProvider.token().roles("offline_access").organisation("Y90001")
                .purposes("TREAT").sign();

        assertThat(new FhirServerClient(port).get("/Patient?name=" + marker).status()).isEqualTo(401);
        assertThat(new FhirServerClient(port, noRole).get("/Patient?name=" + marker + "x").status()).isEqualTo(403);

        List<AuditEvent> refusals = daos.getResourceDao(AuditEvent.class)
                .search(SearchParameterMap.newSynchronous("outcome", new TokenParam("4")),
                        new SystemRequestDetails())
                .getAllResources().stream().map(AuditEvent.class::cast)
                .filter(e -> e.getEntity().stream().anyMatch(entity -> entity.getDescription() != null
                        && entity.getDescription().contains(marker)))
                .toList();
        assertThat(refusals).extracting(AuditEvent::getOutcomeDesc)
                .anySatisfy(d -> assertThat(d).contains("Authentication is required"))
                .anySatisfy(d -> assertThat(d).contains("no Shared Care Record role"));
    }

    @Test
    void searchRecordsOnlyWhatWasShown() {
        borough.episodeOfCare(Callers.swMurphy(), BOROUGH_COUNCIL, patient);
        String plan = borough.carePlan(Callers.drPatel(), patient, "Falls prevention");

        as(Callers.swMurphy()).get("/" + patient + "/$everything");

        List<AuditEvent> everything = eventsAbout(plan).stream()
                .filter(e -> "operation".equals(e.getSubtypeFirstRep().getCode())).toList();
        assertThat(everything).singleElement().satisfies(event -> assertThat(event.getEntity())
                .extracting(e -> e.getWhat().getReference()).contains(plan).doesNotContain(observation));
    }

    @Test
    void batchAndHistoryAreRecordedWithWhatTheyDisclosed() {
        String plan = borough.carePlan(Callers.drPatel(), patient, "Falls prevention");
        Bundle batch = new Bundle().setType(Bundle.BundleType.BATCH);
        batch.addEntry().getRequest().setMethod(Bundle.HTTPVerb.GET).setUrl(observation);
        batch.addEntry().getRequest().setMethod(Bundle.HTTPVerb.GET).setUrl(plan);

        as(Callers.drPatel()).fhir().transaction().withBundle(batch).execute();
        as(Callers.drPatel()).get("/" + observation + "/_history");

        assertThat(eventsAbout(plan)).filteredOn(e -> "transaction".equals(e.getSubtypeFirstRep().getCode()))
                .singleElement().satisfies(event -> assertThat(event.getEntity())
                        .extracting(e -> e.getWhat().getReference()).contains(observation, plan));
        assertThat(eventsAbout(observation)).extracting(e -> e.getSubtypeFirstRep().getCode())
                .contains("transaction", "history-instance");
    }

    @Test
    void recordingADisclosureDoesNotStopItsCustodianDeletingTheResource() {
        assertThat(as(Callers.drPatel()).get("/" + observation).status()).isEqualTo(200);

        RawResponse delete = as(Callers.drPatel()).send("DELETE", "/" + observation, new byte[0], java.util.Map.of());

        assertThat(delete.status()).isBetween(200, 204);
        assertThat(eventsAbout(observation)).isNotEmpty();
    }

    @Test
    void auditTrailCannotBeChangedThroughTheApi() {
        as(Callers.drPatel()).get("/" + observation);
        AuditEvent recorded = eventsAbout(observation).get(0);
        String id = recorded.getIdElement().toUnqualifiedVersionless().getValue();
        FhirServerClient dpo = dpo();

        RawResponse update = dpo.send("PUT", "/" + id,
                FhirServerClient.FHIR.newJsonParser().encodeResourceToString(recorded.setOutcomeDesc("changed")),
                "application/fhir+json");
        RawResponse delete = dpo.send("DELETE", "/" + id, new byte[0], java.util.Map.of());

        assertThat(update.status()).isEqualTo(403);
        assertThat(delete.status()).isEqualTo(403);
    }

    @Test
    void onlyTheDpoAndThePatientsPracticeReadTheTrail() {
        as(Callers.drPatel()).get("/" + observation);
        String search = "/AuditEvent?patient=" + patient;

        assertThat(ids(dpo(), search)).isNotEmpty();
        assertThat(ids(as(Callers.drPatel()), search)).isNotEmpty();
        assertThat(ids(as(Callers.drJones()), search)).isEmpty();
        assertThat(ids(as(Callers.nurseOkafor()), search)).isEmpty();
    }

    @Test
    void editedAuditRowIsFoundByTheChainCheck() {
        as(Callers.drPatel()).get("/" + observation);
        assertThat(verify().getParameterBool("intact")).isTrue();
        AuditEvent victim = eventsAbout(observation).get(0);
        String originalDescription = victim.getOutcomeDesc();

        victim.setOutcomeDesc("nothing happened");
        daos.getResourceDao(AuditEvent.class).update(victim, new SystemRequestDetails());
        Parameters afterEdit = verify();

        victim.setOutcomeDesc(originalDescription);
        daos.getResourceDao(AuditEvent.class).update(victim, new SystemRequestDetails());
        assertThat(afterEdit.getParameterBool("intact")).isFalse();
        assertThat(afterEdit.getParameter().stream().filter(p -> p.getName().equals("firstBrokenLink"))
                .map(p -> p.getValue().primitiveValue()).findFirst())
                .as(FhirServerClient.FHIR.newJsonParser().encodeResourceToString(afterEdit))
                .contains(victim.getIdElement().toUnqualifiedVersionless().getValue());
        assertThat(verify().getParameterBool("intact")).isTrue();
    }

    @Test
    void nothingIsServedThatCannotBeRecorded() {
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        jdbc.execute("alter table SCR_AUDIT_CHAIN rename to SCR_AUDIT_CHAIN_OFFLINE");
        RawResponse response;
        try {
            response = as(Callers.drPatel()).get("/" + observation);
        } finally {
            jdbc.execute("alter table SCR_AUDIT_CHAIN_OFFLINE rename to SCR_AUDIT_CHAIN");
        }

        assertThat(response.status()).isEqualTo(503);
        assertThat(response.body()).doesNotContain("85354-9");
    }

    @Test
    void concurrentDisclosuresAreEachRecordedOnce() throws Exception {
        int clients = 16;
        int readsEach = 128;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<Integer>> results = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            results.add(pool.submit(() -> {
                FhirServerClient client = as(Callers.drPatel());
                int ok = 0;
                for (int i = 0; i < readsEach; i++) {
                    ok += client.get("/" + observation).status() == 200 ? 1 : 0;
                }
                return ok;
            }));
        }
        int disclosures = 0;
        for (Future<Integer> result : results) {
            disclosures += result.get();
        }
        pool.shutdown();

        long recordedReads = eventsAbout(observation).stream()
                .filter(e -> "read".equals(e.getSubtypeFirstRep().getCode())).count();
        assertThat(disclosures).isEqualTo(clients * readsEach);
        assertThat(recordedReads).isEqualTo(disclosures);
        assertThat(verify().getParameterBool("intact")).isTrue();
    }

    private List<AuditEvent> eventsAbout(String reference) {
        return daos.getResourceDao(AuditEvent.class)
                .search(SearchParameterMap.newSynchronous("entity", new ReferenceParam(reference)),
                        new SystemRequestDetails())
                .getAllResources().stream().map(AuditEvent.class::cast).toList();
    }

    private Parameters verify() {
        return dpo().fhir().operation().onServer().named("$verify-audit-chain").withNoParameters(Parameters.class)
                .useHttpGet().execute();
    }

    private FhirServerClient as(TestIdentityProvider.Token caller) {
        return new FhirServerClient(port, caller.sign());
    }

    private FhirServerClient dpo() {
        return new FhirServerClient(port, TestIdentityProvider.token().subject("dpo.williams").roles("dpo")
                .organisation("QZ9").purposes("TREAT", "HOPERAT").sign());
    }

    private static List<String> ids(FhirServerClient caller, String url) {
        RawResponse response = caller.get(url);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return FhirServerClient.FHIR.newJsonParser().parseResource(Bundle.class, response.body()).getEntry().stream()
                .map(e -> e.getResource().getIdElement().getIdPart()).toList();
    }
}
