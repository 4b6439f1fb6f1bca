package uk.sharedcare.record.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static uk.sharedcare.support.Callers.BOROUGH_COUNCIL;

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
import uk.sharedcare.support.AuditTrailReader;
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
    DataSource dataSource;

    BoroughScenario borough;
    AuditTrailReader trail;
    String patient;
    String observation;

    @BeforeEach
    void scenario() {
        borough = new BoroughScenario(port);
        trail = new AuditTrailReader(port);
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
        List<AuditEvent> recorded = trail.events("outcome=0&subtype=capabilities").stream()
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

        List<AuditEvent> refusals = trail.events("outcome=4").stream()
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
        String changed = FhirServerClient.FHIR.newJsonParser().encodeResourceToString(recorded.copy()
                .setOutcomeDesc("changed"));

        RawResponse update = dpo.send("PUT", "/" + id, changed, "application/fhir+json");
        RawResponse delete = dpo.send("DELETE", "/" + id, new byte[0], java.util.Map.of());
        RawResponse create = dpo.send("POST", "/AuditEvent", changed, "application/fhir+json");
        Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        transaction.addEntry().setResource(recorded.copy().setOutcomeDesc("changed")).getRequest()
                .setMethod(Bundle.HTTPVerb.PUT).setUrl(id);
        RawResponse inTransaction = dpo.send("POST", "/", FhirServerClient.FHIR.newJsonParser()
                .encodeResourceToString(transaction), "application/fhir+json");

        assertThat(List.of(update.status(), delete.status(), create.status())).containsOnly(405);
        assertThat(update.operationOutcome().getIssueFirstRep().getDiagnostics()).contains("server alone");
        assertThat(inTransaction.status()).isEqualTo(403);
        AuditEvent after = dpo.fhir().read().resource(AuditEvent.class).withId(recorded.getIdElement().getIdPart())
                .execute();
        assertThat(after.getOutcomeDesc()).isEqualTo(recorded.getOutcomeDesc());
        assertThat(verify().getParameterBool("intact")).isTrue();
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
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        long sequence = victim.getIdElement().getIdPartAsLong();
        String original = jdbc.queryForObject("select EVENT_JSON from SCR_AUDIT_LEDGER where SEQ = ?", String.class,
                sequence);

        jdbc.update("update SCR_AUDIT_LEDGER set EVENT_JSON = ? where SEQ = ?",
                original.replace("\"dr.patel\"", "\"someone.else\""), sequence);
        Parameters afterEdit = verify();
        jdbc.update("update SCR_AUDIT_LEDGER set EVENT_JSON = ? where SEQ = ?", original, sequence);

        assertThat(afterEdit.getParameterBool("intact")).isFalse();
        assertThat(afterEdit.getParameter().stream().filter(p -> p.getName().equals("firstBrokenLink"))
                .map(p -> p.getValue().primitiveValue()).findFirst())
                .as(FhirServerClient.FHIR.newJsonParser().encodeResourceToString(afterEdit))
                .contains("AuditEvent/" + sequence);
        assertThat(verify().getParameterBool("intact")).isTrue();
    }

    @Test
    void aDeletedAuditRowIsFoundByTheChainCheck() {
        as(Callers.drPatel()).get("/" + observation);
        as(Callers.drPatel()).get("/" + observation);
        List<AuditEvent> reads = eventsAbout(observation);
        AuditEvent victim = reads.get(reads.size() - 2);
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        long sequence = victim.getIdElement().getIdPartAsLong();
        var references = jdbc.queryForList("select * from SCR_AUDIT_LEDGER_REF where SEQ = ?", sequence);
        var row = jdbc.queryForMap("select * from SCR_AUDIT_LEDGER where SEQ = ?", sequence);

        jdbc.update("delete from SCR_AUDIT_LEDGER_REF where SEQ = ?", sequence);
        jdbc.update("delete from SCR_AUDIT_LEDGER where SEQ = ?", sequence);
        Parameters afterDelete = verify();
        reinsert(jdbc, "SCR_AUDIT_LEDGER", List.of(row));
        reinsert(jdbc, "SCR_AUDIT_LEDGER_REF", references);

        assertThat(afterDelete.getParameterBool("intact")).isFalse();
        assertThat(afterDelete.getParameter().stream().filter(p -> p.getName().equals("firstBrokenLink"))
                .map(p -> p.getValue().primitiveValue()).findFirst()).contains("AuditEvent/" + sequence);
        assertThat(verify().getParameterBool("intact")).isTrue();
    }

    @Test
    void oneMonthOfTheTrailCanBeVerifiedOnItsOwn() {
        as(Callers.drPatel()).get("/" + observation);
        String month = java.time.YearMonth.now(java.time.ZoneOffset.UTC).toString();

        Parameters result = dpo().fhir().operation().onServer().named("$verify-audit-chain")
                .withParameter(Parameters.class, "month", new org.hl7.fhir.r4.model.StringType(month))
                .useHttpGet().execute();

        assertThat(result.getParameterBool("intact")).isTrue();
        assertThat(((org.hl7.fhir.r4.model.IntegerType) result.getParameter("eventsChecked").getValue()).getValue())
                .isPositive();
    }

    private static void reinsert(JdbcTemplate jdbc, String table, List<java.util.Map<String, Object>> rows) {
        for (var row : rows) {
            List<String> columns = List.copyOf(row.keySet());
            jdbc.update("insert into " + table + " (" + String.join(", ", columns) + ") values ("
                    + String.join(", ", java.util.Collections.nCopies(columns.size(), "?")) + ")",
                    columns.stream().map(row::get).toArray());
        }
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
        return trail.events("entity=" + reference);
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
