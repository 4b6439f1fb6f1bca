package uk.sharedcare.record.audit;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Communication;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import uk.sharedcare.record.audit.ledger.AuditEventJson;
import uk.sharedcare.record.audit.ledger.ChainHash;
import uk.sharedcare.support.AuditTrailReader;
import uk.sharedcare.record.access.AccessContextResolver;
import uk.sharedcare.support.BoroughScenario;
import uk.sharedcare.support.Callers;
import uk.sharedcare.support.FhirServerClient;
import uk.sharedcare.support.FhirServerClient.RawResponse;
import uk.sharedcare.support.PostgresFhirServerTest;

/**
 * The audit ledger as its readers and operators meet it: AuditEvents searched and paged over the API by the
 * criteria DPOs use, a trail written by an earlier version moved in with its chain intact, alerts delivered once
 * from the outbox whatever happened to the node that owed them, and no answer while the ledger cannot be written.
 */
@PostgresFhirServerTest
class AuditLedgerIT {

    @LocalServerPort
    int port;

    @Autowired
    DataSource dataSource;

    @Autowired
    DaoRegistry daos;

    @Autowired
    LedgerMigration migration;

    @Autowired
    AlertOutbox outbox;

    @Autowired
    AuditEventJson json;

    @Autowired
    PlatformTransactionManager transactions;

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
    void dpoPagesThroughAPatientsTrailByKeysetWithNoEventTwiceAndNoneLeftOut() {
        for (int i = 0; i < 7; i++) {
            read(Callers.drPatel(), observation);
        }
        List<String> all = ids(trail.events("patient=" + patient + "&subtype=read"));

        List<String> paged = new ArrayList<>();
        String next = "/AuditEvent?patient=" + patient + "&subtype=read&_count=3";
        int pages = 0;
        while (next != null) {
            Bundle page = bundle(trail.dpo().get(next));
            assertThat(page.getEntry()).hasSizeLessThanOrEqualTo(3);
            page.getEntry().forEach(e -> paged.add(e.getResource().getIdElement().getIdPart()));
            Bundle.BundleLinkComponent link = page.getLink(Bundle.LINK_NEXT);
            assertThat(link == null || page.getEntry().size() == 3).as("only a full page has a next link").isTrue();
            next = link == null ? null : link.getUrl().substring(link.getUrl().indexOf("/AuditEvent?"));
            pages++;
        }

        assertThat(all).hasSize(7);
        assertThat(paged).containsExactlyElementsOf(all);
        assertThat(pages).isEqualTo(3);
    }

    @Test
    void eventsAreFoundByAgentOutcomePurposeDateAndNewestFirst() {
        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(1);
        read(Callers.drPatel(), observation);
        assertThat(new FhirServerClient(port, Callers.nurseOkafor().sign()).get("/" + observation).status())
                .isEqualTo(404);

        List<AuditEvent> byAgent = trail.events("agent=nurse.okafor&entity=" + observation);
        List<AuditEvent> refused = trail.events("outcome=4&patient=" + patient);
        List<AuditEvent> forTreatment = trail.events("purpose=TREAT&patient=" + patient + "&date=ge" + before);
        List<AuditEvent> newestFirst = trail.events("patient=" + patient + "&_sort=-date");

        assertThat(byAgent).isNotEmpty().allSatisfy(e -> assertThat(e.getAgentFirstRep().getWho().getIdentifier()
                .getValue()).isEqualTo("nurse.okafor"));
        assertThat(refused).isNotEmpty().allSatisfy(e -> assertThat(e.getOutcome())
                .isEqualTo(AuditEvent.AuditEventOutcome._4));
        assertThat(forTreatment).isNotEmpty().allSatisfy(e -> assertThat(e.getRecorded())
                .isAfterOrEqualTo(Date.from(before)));
        assertThat(newestFirst).extracting(e -> e.getIdElement().getIdPartAsLong())
                .isSortedAccordingTo((a, b) -> Long.compare(b, a));
    }

    @Test
    void aPracticesPageHoldsOnlyItsOwnPatientsEventsAndIsStillFull() {
        String northgatePatient = borough.patientAt(Callers.NORTHGATE_PRACTICE, Callers.drJones(), "1950-01-01");
        String northgateObservation = borough.bloodPressure(Callers.drJones(), northgatePatient);
        for (int i = 0; i < 4; i++) {
            read(Callers.drPatel(), observation);
            read(Callers.drJones(), northgateObservation);
        }
        FhirServerClient practice = new FhirServerClient(port, Callers.drPatel().sign());

        Bundle page = bundle(practice.get("/AuditEvent?subtype=read&_sort=-date&_count=4"));

        assertThat(page.getEntry()).hasSize(4).allSatisfy(e -> assertThat(((AuditEvent) e.getResource())
                .getEntity()).extracting(entity -> entity.getWhat().getReference()).contains(patient)
                .doesNotContain(northgatePatient));
        String hiddenId = trail.events("entity=" + northgateObservation + "&subtype=read").get(0).getIdElement()
                .getIdPart();
        RawResponse hidden = practice.get("/AuditEvent/" + hiddenId);
        RawResponse missing = practice.get("/AuditEvent/999999999999");
        assertThat(hidden.status()).isEqualTo(404).isEqualTo(missing.status());
        assertThat(hidden.body().replace(hiddenId, "X")).isEqualTo(missing.body().replace("999999999999", "X"));
    }

    @Test
    void aTrailWrittenByTheEarlierVersionIsMovedInWithItsChainIntact() {
        read(Callers.drPatel(), observation);
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        List<String> legacyIds = new ArrayList<>();
        List<Long> sequences = new ArrayList<>();
        String marker = "legacy-" + UUID.randomUUID();
        // Written as the earlier version wrote them, under the chain lock: HAPI resources, chained the legacy way.
        new TransactionTemplate(transactions).executeWithoutResult(status -> writeLegacyEvents(jdbc, marker,
                legacyIds, sequences));
        Communication alert = new Communication();
        alert.addCategory().addCoding(new Coding(AccessAlerts.ALERT_SYSTEM, AccessAlerts.NEW_ACCESSOR, null));
        alert.setSubject(new Reference(patient));
        alert.addAbout(new Reference("AuditEvent/" + legacyIds.get(0)));
        String alertId = daos.getResourceDao(Communication.class).create(alert, new SystemRequestDetails()).getId()
                .getIdPart();

        long moved = migration.migrate();

        assertThat(moved).isEqualTo(3);
        assertThat(verify().getParameterBool("intact")).isTrue();
        assertThat(daos.getResourceDao(AuditEvent.class).search(SearchParameterMap.newSynchronous(),
                new SystemRequestDetails()).size()).isZero();
        AuditEvent movedFirst = trail.dpo().fhir().read().resource(AuditEvent.class)
                .withId(Long.toString(sequences.get(0))).execute();
        assertThat(movedFirst.getOutcomeDesc()).isEqualTo(marker + " 0");
        assertThat(daos.getResourceDao(Communication.class).read(new org.hl7.fhir.r4.model.IdType("Communication",
                alertId), new SystemRequestDetails()).getAboutFirstRep().getReference())
                .isEqualTo("AuditEvent/" + sequences.get(0));
        read(Callers.drPatel(), observation);
        assertThat(verify().getParameterBool("intact")).as("the trail goes on from the moved events").isTrue();
    }

    @Test
    void aTrailLongerThanOneMigrationBatchIsMovedWhole() {
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        int oneMoreThanABatch = 201;
        new TransactionTemplate(transactions).executeWithoutResult(status -> writeLegacyEvents(jdbc,
                "legacy-" + UUID.randomUUID(), oneMoreThanABatch, new ArrayList<>(), new ArrayList<>()));

        long moved = migration.migrate();

        assertThat(moved).isEqualTo(oneMoreThanABatch);
        assertThat(daos.getResourceDao(AuditEvent.class).search(SearchParameterMap.newSynchronous(),
                new SystemRequestDetails()).size()).isZero();
        assertThat(verify().getParameterBool("intact")).isTrue();
    }

    @Test
    void anAlertLeftUndeliveredByANodeThatStoppedIsDeliveredOnceByWhicheverNodeSweepsFirst() throws Exception {
        String organisation = "RX" + UUID.randomUUID().toString().substring(0, 4);
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        jdbc.update("insert into SCR_ALERT_OUTBOX (KIND, UNIQUE_KEY, PATIENT, PRACTICE, ORGANISATION, EVENT_SEQ, SENT,"
                + " ALERT_TEXT) values ('new-accessor', ?, ?, ?, ?, 1, current_timestamp, 'owed before the stop')",
                "new-accessor|" + patient + "|" + organisation, patient, Callers.RIVERSIDE_PRACTICE, organisation);
        ExecutorService nodes = Executors.newFixedThreadPool(4);
        List<Future<?>> sweeps = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            sweeps.add(nodes.submit(outbox::deliverWaiting));
        }
        for (Future<?> sweep : sweeps) {
            sweep.get();
        }
        nodes.shutdown();

        List<Communication> delivered = borough.as(Callers.drPatel()).search()
                .byUrl("Communication?subject=" + patient).returnBundle(Bundle.class).execute().getEntry().stream()
                .map(e -> (Communication) e.getResource())
                .filter(c -> organisation.equals(c.getSender().getIdentifier().getValue())).toList();
        assertThat(delivered).singleElement().satisfies(c -> assertThat(c.getPayloadFirstRep()
                .getContentStringType().getValue()).isEqualTo("owed before the stop"));
    }

    @Test
    void nothingIsAnsweredWhileTheLedgerCannotBeWritten() {
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        // Refused by the database after the event rows are in: the batch must roll back whole. A row trigger on the
        // partitioned table reaches the partitions the appender writes to.
        jdbc.execute("create or replace function scr_test_refuse() returns trigger language plpgsql as"
                + " $$ begin raise exception 'ledger offline'; end $$");
        jdbc.execute("create trigger scr_test_offline before insert on SCR_AUDIT_LEDGER_REF"
                + " for each row execute function scr_test_refuse()");
        RawResponse response;
        try {
            response = new FhirServerClient(port, Callers.drPatel().sign()).get("/" + observation);
        } finally {
            jdbc.execute("drop trigger scr_test_offline on SCR_AUDIT_LEDGER_REF");
        }

        assertThat(response.status()).isEqualTo(503);
        assertThat(response.body()).doesNotContain("85354-9");
        assertThat(verify().getParameterBool("intact")).as("a failed batch leaves no half-written event").isTrue();
    }

    private void writeLegacyEvents(JdbcTemplate jdbc, String marker, List<String> legacyIds, List<Long> sequences) {
        writeLegacyEvents(jdbc, marker, 3, legacyIds, sequences);
    }

    private void writeLegacyEvents(JdbcTemplate jdbc, String marker, int count, List<String> legacyIds,
            List<Long> sequences) {
        var head = jdbc.queryForMap("select SEQ, HEAD_HASH from SCR_AUDIT_CHAIN where ID = 1 for update");
        long sequence = ((Number) head.get("SEQ")).longValue();
        String hash = (String) head.get("HEAD_HASH");
        for (int i = 0; i < count; i++) {
            sequence++;
            AuditEvent event = new AuditEvent();
            event.setType(new Coding("http://terminology.hl7.org/CodeSystem/audit-event-type", "rest", null));
            event.setRecorded(new Date());
            event.setOutcome(AuditEvent.AuditEventOutcome._0);
            event.setOutcomeDesc(marker + " " + i);
            event.addEntity().setWhat(new Reference(patient));
            event.addExtension(AuditEventJson.SEQUENCE_EXTENSION, new StringType(Long.toString(sequence)));
            String next = ChainHash.link(ChainHash.Scheme.LEGACY, hash, json.legacyCanonical(event));
            Extension chain = event.addExtension().setUrl(AuditEventJson.CHAIN_EXTENSION);
            chain.addExtension("previous", new StringType(hash));
            chain.addExtension("hash", new StringType(next));
            hash = next;
            legacyIds.add(daos.getResourceDao(AuditEvent.class).create(event, new SystemRequestDetails()).getId()
                    .getIdPart());
            sequences.add(sequence);
        }
        jdbc.update("update SCR_AUDIT_CHAIN set SEQ = ?, HEAD_HASH = ? where ID = 1", sequence, hash);
    }

    @Test
    void aReasonWithQuotesBackslashesAndATabIsStoredAsGivenAndTheChainStillVerifies() {
        String reason = "Said \"help\" \\ then\tcollapsed";
        FhirServerClient breakingGlass = new FhirServerClient(port, Callers.nurseOkafor().sign())
                .withHeader(AccessContextResolver.PURPOSE_HEADER, "ETREAT")
                .withHeader(AccessContextResolver.BREAK_GLASS_REASON_HEADER, reason);
        assertThat(breakingGlass.get("/" + observation).status()).isEqualTo(200);

        List<String> reasons = trail.events("patient=" + patient + "&purpose=ETREAT").stream()
                .flatMap(e -> e.getEntity().stream())
                .flatMap(entity -> entity.getDetail().stream())
                .filter(detail -> "break-glass-reason".equals(detail.getType()))
                .map(detail -> detail.getValueStringType().getValue())
                .toList();
        assertThat(reasons).containsExactly(reason);
        assertThat(verify().getParameterBool("intact")).isTrue();
    }

    private void read(uk.sharedcare.support.TestIdentityProvider.Token caller, String id) {
        assertThat(new FhirServerClient(port, caller.sign()).get("/" + id).status()).isEqualTo(200);
    }

    private Parameters verify() {
        return trail.dpo().fhir().operation().onServer().named("$verify-audit-chain").withNoParameters(Parameters.class)
                .useHttpGet().execute();
    }

    private static Bundle bundle(RawResponse response) {
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return FhirServerClient.FHIR.newJsonParser().parseResource(Bundle.class, response.body());
    }

    private static List<String> ids(List<AuditEvent> events) {
        Set<String> unique = new HashSet<>();
        List<String> ids = events.stream().map(e -> e.getIdElement().getIdPart()).toList();
        unique.addAll(ids);
        assertThat(unique).hasSameSizeAs(ids);
        return ids;
    }
}
