package uk.sharedcare.record.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.hl7.fhir.r4.model.Group;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import uk.sharedcare.server.Application;
import uk.sharedcare.support.BoroughScenario;
import uk.sharedcare.support.Callers;
import uk.sharedcare.support.FhirServerClient.RawResponse;
import uk.sharedcare.support.FhirServerClient;
import uk.sharedcare.support.InProcessNodes;
import uk.sharedcare.support.PostgresFhirServerTest;
import uk.sharedcare.support.RecordFixtures;
import uk.sharedcare.support.SeparateNode;
import uk.sharedcare.support.TestServerInitializer;

/**
 * One extract shared by two nodes of the record on one PostgreSQL: the test's server (with any other server the
 * test run has started on the same database) and a second server in a JVM of its own. Each chunk is one patient,
 * so a run has dozens of chunks for the nodes to share. The files are compared byte for byte with those of the
 * extract command, which does every chunk itself in one process. The second test kills the second node; the third
 * starts another and kills it while it runs a reducer, which it alone may start.
 */
@PostgresFhirServerTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExtractAcrossNodesIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PATIENTS = 40;

    @LocalServerPort
    int port;

    @Autowired
    ExtractService extracts;

    @Autowired
    DataSource dataSource;

    private final String month = YearMonth.now(ZoneId.of("Europe/London")).toString();
    private SeparateNode secondNode;
    private String group;
    private Map<String, String> oneProcessFiles;
    private JsonNode oneProcessExclusions;

    @BeforeAll
    void aCohortAndASecondNode(@TempDir Path oneProcess) throws Exception {
        BoroughScenario borough = new BoroughScenario(port);
        String surname = "Ashdown" + UUID.randomUUID().toString().substring(0, 6);
        Group cohort = new Group().setType(Group.GroupType.PERSON).setActual(true);
        for (int i = 0; i < PATIENTS; i++) {
            Patient patient = RecordFixtures.patient(RecordFixtures.uniqueNhsNumber(), surname);
            String reference = borough.create(Callers.drPatel(), patient);
            borough.bloodPressure(Callers.drPatel(), reference);
            if (i % 7 == 0) {
                borough.privacyConsent(Callers.drPatel(), reference, false);
            }
            cohort.addMember().setEntity(new Reference(reference));
        }
        group = borough.create(Callers.drPatel(), cohort);
        oneProcessFiles = extractCommand(oneProcess);
        oneProcessExclusions = JSON.readTree(oneProcess.resolve("manifest.json").toFile()).get("extension")
                .get(ExtractManifest.EXTENSION_URL).get("excluded");
        secondNode = SeparateNode.start("second-extract-node");
        extracts.chunkSize(1);
    }

    @AfterAll
    void stopTheSecondNode() {
        extracts.chunkSize(ExtractRunner.CHUNK);
        if (secondNode != null) {
            secondNode.close();
        }
    }

    @Test
    @Order(1)
    void bothNodesTakeChunksOfOneExtractAndItsFilesAreThoseOfOneProcess() throws Exception {
        Extract extract = export();

        assertThat(extract.files()).isEqualTo(oneProcessFiles);
        assertThat(extract.exclusions()).isEqualTo(oneProcessExclusions);
        List<Map<String, Object>> chunks = chunkLeases(extract);
        assertThat(chunks).hasSize(PATIENTS + 1); // the split, then a chunk per patient
        assertThat(chunks).as("chunks done by the test's node").anyMatch(lease -> !heldBySecondNode(lease));
        assertThat(chunks).as("chunks done by the second node").anyMatch(this::heldBySecondNode);
        // a node that goes quiet under load may see a chunk taken over; the chunk is still one, and finished
        assertThat(chunks).as("each finished").allMatch(lease -> lease.get("FINISHED_AT") != null);
    }

    @Test
    @Order(2)
    void aNodeThatDiesMidChunkLosesOnlyTheChunksItHeldWhichTheOtherNodeRedoes() throws Exception {
        RawResponse accepted = kickOff();
        String jobId = jobId(accepted);
        Set<String> lost = killedMidChunk(jobId);

        Extract extract = completed(accepted);

        assertThat(extract.files()).isEqualTo(oneProcessFiles);
        assertThat(extract.exclusions()).isEqualTo(oneProcessExclusions);
        assertThat(chunkLeases(extract)).as("the dead node's chunks, taken over by a live node for a second try")
                .filteredOn(lease -> lost.contains(lease.get("CHUNK_ID"))).hasSize(lost.size())
                .allMatch(lease -> !heldBySecondNode(lease) && ((Number) lease.get("TRIES")).intValue() >= 2
                        && lease.get("FINISHED_AT") != null);
        assertThat(chunkLeases(extract)).as("every other chunk finished where it was, whichever node did it")
                .filteredOn(lease -> !lost.contains(lease.get("CHUNK_ID"))).hasSize(PATIENTS + 1 - lost.size())
                .allMatch(lease -> lease.get("FINISHED_AT") != null);
    }

    @Test
    @Order(3)
    void aRunWhoseReducerDiesIsAssembledByTheOtherNode() throws Exception {
        secondNode.kill(); // already, unless the test before failed
        secondNode = SeparateNode.start("third-extract-node");
        RawResponse accepted = null;
        Optional<String> instance = Optional.empty();
        for (int run = 0; run < 3 && instance.isEmpty(); run++) { // another try only if a node out of reach reduced
            try (InProcessNodes.Pause onlyTheThirdNodeStartsReducers = InProcessNodes.pauseJobMaintenance()) {
                accepted = kickOff();
                instance = killedMidReducer(jobId(accepted));
            }
        }
        assertThat(instance).as("the third node ran a reducer and was killed in it").isPresent();
        Extract extract = completed(accepted);

        assertThat(extract.files()).isEqualTo(oneProcessFiles);
        assertThat(extract.exclusions()).isEqualTo(oneProcessExclusions);
        Map<String, Object> reducer = jdbc().queryForMap("select NODE, TRIES, FINISHED_AT from " + ChunkLeases.TABLE
                + " where CHUNK_ID = ?", "assemble:" + instance.get());
        assertThat(heldBySecondNode(reducer)).as("the reducer taken over by a live node").isFalse();
        assertThat(reducer).as("a later try, finished")
                .hasEntrySatisfying("TRIES", tries -> assertThat(((Number) tries).intValue()).isGreaterThan(1))
                .hasEntrySatisfying("FINISHED_AT", finished -> assertThat(finished).isNotNull());
        assertThat(jdbc().queryForObject("select STAT from BT2_JOB_INSTANCE where ID = ?", String.class,
                instance.get()))
                .isEqualTo("COMPLETED");
    }

    /**
     * Kills the other node while it runs the reducer of the run (the only node whose batch2 maintenance starts
     * one, while this JVM's nodes have theirs paused), and returns the run's batch2 instance; empty if the run
     * completed without (a node out of this test's reach reduced it).
     */
    private Optional<String> killedMidReducer(String jobId) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(150);
        while (Instant.now().isBefore(deadline)) {
            if (secondNodeReducing(jobId).isPresent() && frozenStill(() -> secondNodeReducing(jobId).isPresent())) {
                Optional<String> instance = secondNodeReducing(jobId);
                secondNode.kill();
                return instance;
            }
            if (extracts.job(jobId).map(job -> job.status() == ExtractJob.Status.COMPLETE).orElse(false)) {
                return Optional.empty();
            }
            Thread.sleep(5);
        }
        throw new AssertionError("Extract " + jobId + " neither reduced on the other node nor completed");
    }

    private Optional<String> secondNodeReducing(String jobId) {
        return jdbc().queryForList("select l.INSTANCE_ID from " + ChunkLeases.TABLE + " l join BT2_JOB_INSTANCE i"
                + " on i.ID = l.INSTANCE_ID join SCR_EXTRACT_JOB j on j.BATCH2_INSTANCE = l.INSTANCE_ID"
                + " where j.ID = ? and l.STEP_ID = 'assemble' and l.NODE like ? and l.FINISHED_AT is null"
                + " and i.STAT = 'FINALIZE'", String.class, jobId, secondNode.pid() + "@%").stream().findFirst();
    }

    /**
     * Kills the second node while it is working on a chunk of the run, and returns the chunks it held then:
     * left unfinished, their leases held by a node that no longer says anything; it is killed only mid-chunk.
     */
    private Set<String> killedMidChunk(String jobId) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(120);
        while (Instant.now().isBefore(deadline)) {
            if (secondNodeMidChunk(jobId).isPresent() && frozenStill(() -> secondNodeMidChunk(jobId).isPresent())) {
                Set<String> held = Set.copyOf(jdbc().queryForList("select l.CHUNK_ID from " + ChunkLeases.TABLE
                        + " l join BT2_WORK_CHUNK c on c.ID = l.CHUNK_ID join SCR_EXTRACT_JOB j"
                        + " on j.BATCH2_INSTANCE = l.INSTANCE_ID where j.ID = ? and l.NODE like ?"
                        + " and l.FINISHED_AT is null and c.STAT <> 'COMPLETED'", String.class, jobId,
                        secondNode.pid() + "@%"));
                secondNode.kill();
                return held;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("The second node took no chunk of extract " + jobId);
    }

    /**
     * Freezes the second node and looks again once its last statements have settled: true, and the node left
     * frozen, if it is still at it; otherwise it is thawed (it finished before it stopped; catch it at the next).
     */
    private boolean frozenStill(BooleanSupplier working) throws InterruptedException {
        secondNode.freeze();
        Thread.sleep(500);
        if (working.getAsBoolean()) {
            return true;
        }
        secondNode.thaw();
        return false;
    }

    private Optional<String> secondNodeMidChunk(String jobId) {
        return jdbc().queryForList("select l.CHUNK_ID from " + ChunkLeases.TABLE + " l"
                        + " join BT2_WORK_CHUNK c on c.ID = l.CHUNK_ID join SCR_EXTRACT_JOB j on j.BATCH2_INSTANCE"
                        + " = l.INSTANCE_ID where j.ID = ? and l.NODE like ? and l.FINISHED_AT is null"
                        + " and c.STAT = 'IN_PROGRESS' and c.TGT_STEP_ID = 'extract-chunk'", String.class, jobId,
                secondNode.pid() + "@%").stream().findFirst();
    }

    private boolean heldBySecondNode(Map<String, Object> lease) {
        return String.valueOf(lease.get("NODE")).startsWith(secondNode.pid() + "@");
    }

    /** The leases of the run's chunks (not its reducer's), in the order they were claimed. */
    private List<Map<String, Object>> chunkLeases(Extract extract) {
        return jdbc().queryForList("select l.CHUNK_ID, l.NODE, l.TRIES, l.FINISHED_AT from " + ChunkLeases.TABLE
                + " l join SCR_EXTRACT_JOB j on j.BATCH2_INSTANCE = l.INSTANCE_ID where j.ID = ?"
                + " and l.STEP_ID <> 'assemble' order by l.CLAIMED_AT", extract.jobId());
    }

    private JdbcTemplate jdbc() {
        return new JdbcTemplate(dataSource);
    }

    private Map<String, String> extractCommand(Path out) throws Exception {
        List<String> args = new ArrayList<>(List.of("extract", "--month", month, "--recipient", "QZ9",
                "--group", group.split("/")[1], "--out", out.toString()));
        args.addAll(TestServerInitializer.anotherServersArguments());
        assertThat(Application.runExtract(args.toArray(String[]::new))).isZero();
        Map<String, String> files = new LinkedHashMap<>();
        try (var written = Files.list(out)) {
            for (Path file : written.filter(f -> f.toString().endsWith(".ndjson")).sorted().toList()) {
                files.put(file.getFileName().toString().replace(".ndjson", ""), Files.readString(file));
            }
        }
        return files;
    }

    // --- Bulk Data over HTTP, on this node ------------------------------------------------------------------

    private FhirServerClient commissioner() {
        return new FhirServerClient(port, Callers.analystChen().sign()).withHeader("X-Purpose-Of-Use", "HOPERAT");
    }

    private RawResponse kickOff() {
        RawResponse accepted = commissioner().withHeader("Prefer", "respond-async")
                .get("/Group/" + group.split("/")[1] + "/$export?month=" + month);
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        return accepted;
    }

    private Extract export() throws Exception {
        return completed(kickOff());
    }

    private static String jobId(RawResponse accepted) {
        String status = accepted.header("Content-Location");
        return status.substring(status.lastIndexOf('=') + 1);
    }

    private Extract completed(RawResponse accepted) throws Exception {
        String status = accepted.header("Content-Location");
        String statusPath = "/" + status.substring(status.indexOf("$export-poll-status"));
        FhirServerClient client = commissioner();
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        RawResponse polled = client.get(statusPath);
        while (polled.status() == 202 && Instant.now().isBefore(deadline)) {
            Thread.sleep(200);
            polled = client.get(statusPath);
        }
        assertThat(polled.status()).as(polled.body()).isEqualTo(200);
        JsonNode manifest = JSON.readTree(polled.body());
        Map<String, String> files = new LinkedHashMap<>();
        for (JsonNode output : manifest.get("output")) {
            String url = output.get("url").asText();
            RawResponse download = client.get("/" + url.substring(url.indexOf("$export-file")));
            assertThat(download.status()).isEqualTo(200);
            files.put(output.get("type").asText(), download.body());
        }
        return new Extract(manifest.get("extension").get(ExtractManifest.EXTENSION_URL).get("excluded"), files,
                jobId(accepted));
    }

    private record Extract(JsonNode exclusions, Map<String, String> files, String jobId) {}
}
