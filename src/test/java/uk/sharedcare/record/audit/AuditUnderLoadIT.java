package uk.sharedcare.record.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.hl7.fhir.r4.model.AuditEvent;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;
import uk.sharedcare.support.AuditTrailReader;
import uk.sharedcare.support.BoroughScenario;
import uk.sharedcare.support.Callers;
import uk.sharedcare.support.FhirServerClient;
import uk.sharedcare.support.PostgresFhirServerTest;
import uk.sharedcare.support.TestIdentityProvider;
import uk.sharedcare.support.TestServerInitializer;

/**
 * Every answer has its audit record whatever the load: 16 clients send 2,000 requests (reads, searches, hidden
 * reads, unauthenticated and role-less requests, the CapabilityStatement) to a server whose request pool is
 * deliberately far too small for them. Requests may fail under that load, but the audit writer has connections of
 * its own, and whatever it cannot record at once is kept and recorded afterwards: the records, counted by outcome,
 * match the answers, counted by status.
 */
@PostgresFhirServerTest
@TestPropertySource(properties = {
    "spring.datasource.hikari.maximum-pool-size=3",
    "spring.datasource.hikari.connection-timeout=2000",
    "shared-care.audit.patience=PT3S"
})
class AuditUnderLoadIT {

    private static final int CLIENTS = 16;
    private static final int REQUESTS = 2_000;

    @LocalServerPort
    int port;

    @Autowired
    DataSource dataSource;

    @Test
    void requestsThatTakeEveryConnectionCannotStopTheirAnswersBeingRecorded() throws Exception {
        BoroughScenario borough = new BoroughScenario(port);
        String observation = borough.bloodPressure(Callers.drPatel(), borough.patientAtRiverside());
        String marker = UUID.randomUUID().toString();
        Instant start = Instant.now().minusSeconds(1);
        List<Connection> taken = new ArrayList<>();
        int unauthenticated;
        int read;
        try {
            for (int i = 0; i < 3; i++) {
                taken.add(dataSource.getConnection()); // the whole request pool
            }
            unauthenticated = new FhirServerClient(port).get("/Observation?_id=" + marker).status();
            read = new FhirServerClient(port, Callers.drPatel().sign()).get("/" + observation + "?_id=" + marker)
                    .status();
        } finally {
            for (Connection connection : taken) {
                connection.close();
            }
        }

        assertThat(unauthenticated).isEqualTo(401);
        assertThat(read).as("no connection to read with").isEqualTo(500);
        assertThat(eventsOf(marker, "-", "-", start)).extracting(AuditEvent::getOutcome)
                .containsExactlyInAnyOrder(AuditEvent.AuditEventOutcome._4, AuditEvent.AuditEventOutcome._8);
    }

    @Test
    void anAccessTheTrailCannotTakeIsAnswered503AndRecordedOnceItCan() throws Exception {
        String marker = UUID.randomUUID().toString();
        Instant start = Instant.now().minusSeconds(1);
        int status;
        try (Connection holder = dataSource.getConnection()) {
            holder.setAutoCommit(false);
            try (Statement lock = holder.createStatement()) {
                lock.execute("select SEQ from SCR_AUDIT_CHAIN where ID = 1 for update");
            }
            status = new FhirServerClient(port).get("/Observation?_id=" + marker).status();
            // Read straight from the ledger: a request to read it would itself wait for the held lock.
            assertThat(new JdbcTemplate(dataSource).queryForObject("select count(*) from SCR_AUDIT_LEDGER"
                    + " where EVENT_JSON like ?", Integer.class, "%" + marker + "%"))
                    .as("not on the trail while it is held").isZero();
            holder.rollback();
        }

        awaitSpillReplayed();

        assertThat(status).isEqualTo(503);
        assertThat(eventsOf(marker, "-", "-", start)).singleElement().satisfies(event -> {
            assertThat(event.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._8);
            assertThat(event.getOutcomeDesc()).contains("could not be recorded").contains("401");
        });
    }

    @Test
    void everyAnswerUnderLoadHasItsAuditRecordWithTheSameOutcome() throws Exception {
        BoroughScenario borough = new BoroughScenario(port);
        String patient = borough.patientAtRiverside();
        String observation = borough.bloodPressure(Callers.drPatel(), patient);
        String run = UUID.randomUUID().toString();
        String gpSubject = "load-gp-" + run;
        String nurseSubject = "load-nurse-" + run;
        FhirServerClient gp = new FhirServerClient(port, TestIdentityProvider.token().subject(gpSubject)
                .roles("gp").organisation(Callers.RIVERSIDE_PRACTICE).purposes("TREAT").sign());
        FhirServerClient nurse = new FhirServerClient(port, TestIdentityProvider.token().subject(nurseSubject)
                .roles("clinician").organisation(Callers.BOROUGH_TRUST).purposes("TREAT").sign());
        FhirServerClient anonymous = new FhirServerClient(port);
        FhirServerClient noRole = new FhirServerClient(port, TestIdentityProvider.token().roles("offline_access")
                .organisation(Callers.RIVERSIDE_PRACTICE).purposes("TREAT").sign());
        List<Function<Integer, Integer>> kinds = List.of(
                i -> gp.get("/" + observation).status(),
                i -> nurse.get("/" + observation).status(),
                i -> gp.get("/Observation?subject=" + patient).status(),
                i -> anonymous.get("/Observation?_id=" + run).status(),
                i -> noRole.get("/Observation?_id=" + run).status(),
                i -> gp.get("/metadata").status(),
                i -> gp.get("/" + patient + "/$everything").status());
        Instant start = Instant.now().minusSeconds(1);

        List<Integer> statuses = send(kinds);

        awaitSpillReplayed();
        Map<String, Long> answered = statuses.stream().collect(Collectors.groupingBy(
                status -> status < 400 ? "success" : status < 500 ? "refused" : "failed", Collectors.counting()));
        Map<String, Long> recorded = eventsOf(run, gpSubject, nurseSubject, start).stream().collect(
                Collectors.groupingBy(event -> switch (event.getOutcome()) {
                    case _0 -> "success";
                    case _4 -> "refused";
                    default -> "failed";
                }, Collectors.counting()));
        System.out.println("Answers under load, by outcome: " + answered);
        assertThat(statuses).hasSize(REQUESTS);
        assertThat(recorded).as("audit records by outcome, against answers by status " + answered)
                .isEqualTo(answered);
    }

    private static List<Integer> send(List<Function<Integer, Integer>> kinds) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < REQUESTS; i++) {
                int request = i;
                answers.add(clients.submit(() -> kinds.get(request % kinds.size()).apply(request)));
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> answer : answers) {
                statuses.add(answer.get());
            }
            return statuses;
        } finally {
            clients.shutdownNow();
        }
    }

    /** What the trail could not take at once is put on it within seconds of the trail taking events again. */
    private static void awaitSpillReplayed() throws Exception {
        Path spill = Path.of(TestServerInitializer.SPILL_DIRECTORY);
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        while (Files.isDirectory(spill) && Instant.now().isBefore(deadline)) {
            try (Stream<Path> kept = Files.list(spill)) {
                if (kept.noneMatch(file -> file.toString().endsWith(".json"))) {
                    return;
                }
            }
            Thread.sleep(500);
        }
    }

    private List<AuditEvent> eventsOf(String run, String gpSubject, String nurseSubject, Instant start) {
        return new AuditTrailReader(port).events("date=ge" + start.truncatedTo(ChronoUnit.SECONDS)).stream()
                .filter(event -> gpSubject.equals(subjectOf(event)) || nurseSubject.equals(subjectOf(event))
                        || event.getEntity().stream().anyMatch(entity -> entity.getDescription() != null
                                && entity.getDescription().contains(run)))
                .toList();
    }

    private static String subjectOf(AuditEvent event) {
        return event.getAgentFirstRep().getWho().getIdentifier().getValue();
    }
}
