package uk.sharedcare.record.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.Parameters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import uk.sharedcare.server.Application;
import uk.sharedcare.support.AuditTrailReader;
import uk.sharedcare.support.BoroughScenario;
import uk.sharedcare.support.Callers;
import uk.sharedcare.support.FhirServerClient;
import uk.sharedcare.support.TestIdentityProvider;
import uk.sharedcare.support.TestServerInitializer;

/**
 * PostgreSQL restarts in the middle of a bounded load: every answer given, before, during and after, has exactly
 * one ledger record (an access answered while the database was down is answered 503 and recorded from the spill
 * once it is back), no record is written twice, and the chain verifies. The server has a PostgreSQL of its own,
 * so that stopping it touches no other test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DatabaseRestartIT {

    private static final int CLIENTS = 8;
    private static final Duration LOAD = Duration.ofSeconds(30);

    private Path dataDirectory;
    private Path spillDirectory;
    private int databasePort;
    private EmbeddedPostgres database;
    private ConfigurableApplicationContext server;
    private int port;

    @BeforeAll
    void start() throws IOException {
        dataDirectory = Files.createTempDirectory("scr-restart-postgres");
        spillDirectory = Files.createTempDirectory("scr-restart-spill");
        try (ServerSocket free = new ServerSocket(0)) {
            databasePort = free.getLocalPort();
        }
        database = startDatabase();
        String url = "jdbc:postgresql://localhost:" + databasePort + "/postgres";
        List<String> arguments = new ArrayList<>(List.of("--server.port=0", "--spring.profiles.active=postgres",
                "--spring.datasource.url=" + url, "--spring.datasource.username=postgres",
                "--spring.datasource.password=postgres",
                "--spring.datasource.hikari.connection-timeout=2000",
                "--shared-care.audit.patience=PT5S",
                "--shared-care.identity.issuer-uri=" + TestIdentityProvider.ISSUER,
                "--shared-care.identity.jwk-set-uri=" + TestIdentityProvider.jwksUri()));
        for (String setting : TestServerInitializer.extractSettings()) {
            arguments.add("--" + setting);
        }
        arguments.add("--shared-care.audit.spill-directory=" + spillDirectory);
        server = new SpringApplicationBuilder(Application.class).run(arguments.toArray(String[]::new));
        port = ((ServletWebServerApplicationContext) server).getWebServer().getPort();
    }

    @AfterAll
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    void everyAnswerGivenAcrossADatabaseRestartHasExactlyOneRecordAndTheChainVerifies() throws Exception {
        BoroughScenario borough = new BoroughScenario(port);
        String observation = borough.bloodPressure(Callers.drPatel(), borough.patientAtRiverside());
        Map<String, Integer> answers = new ConcurrentHashMap<>();
        AtomicBoolean loading = new AtomicBoolean(true);
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        List<Future<?>> running = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            running.add(clients.submit(() -> {
                FhirServerClient gp = new FhirServerClient(port, Callers.drPatel().sign());
                while (loading.get()) {
                    String marker = UUID.randomUUID().toString();
                    answers.put(marker, gp.get("/" + observation + "?_id=" + marker).status());
                }
            }));
        }
        Thread.sleep(LOAD.toMillis() / 3);
        database.close(); // a fast shutdown, as an operator's restart or a failover does
        Thread.sleep(3_000);
        database = startDatabase();
        Thread.sleep(LOAD.toMillis() / 3);
        loading.set(false);
        for (Future<?> client : running) {
            client.get();
        }
        clients.shutdown();
        awaitSpillEmpty();

        Map<String, Long> recordsByMarker = recordsByMarker(answers.keySet());
        Map<Integer, Long> statuses = answers.values().stream()
                .collect(Collectors.groupingBy(status -> status, Collectors.counting()));
        System.out.println("Answers across the restart, by status: " + statuses);
        assertThat(statuses).containsKey(200);
        assertThat(statuses.keySet()).as("any other answer is a refusal for want of the database")
                .allSatisfy(status -> assertThat(status).isIn(200, 500, 503));
        assertThat(recordsByMarker.values()).as("no record twice").allSatisfy(n -> assertThat(n).isEqualTo(1));
        answers.forEach((marker, status) -> assertThat(recordsByMarker.getOrDefault(marker, 0L))
                .as("the record of an answer %s (%s)", status, marker).isEqualTo(1));
        Parameters verified = new AuditTrailReader(port).dpo().fhir().operation().onServer()
                .named("$verify-audit-chain").withNoParameters(Parameters.class).useHttpGet().execute();
        assertThat(verified.getParameterBool("intact")).isTrue();
    }

    private Map<String, Long> recordsByMarker(java.util.Set<String> markers) {
        JdbcTemplate jdbc = new JdbcTemplate(new DriverManagerDataSource(
                "jdbc:postgresql://localhost:" + databasePort + "/postgres", "postgres", "postgres"));
        Map<String, Long> counts = new ConcurrentHashMap<>();
        jdbc.query("select EVENT_JSON from SCR_AUDIT_LEDGER", rs -> {
            String json = rs.getString(1);
            int at = json.indexOf("_id=");
            if (at >= 0 && json.length() >= at + 4 + 36) {
                String marker = json.substring(at + 4, at + 4 + 36);
                if (markers.contains(marker)) {
                    counts.merge(marker, 1L, Long::sum);
                }
            }
        });
        return counts;
    }

    private void awaitSpillEmpty() throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        while (Instant.now().isBefore(deadline)) {
            try (var kept = Files.list(spillDirectory)) {
                if (kept.noneMatch(file -> file.toString().endsWith(".json"))) {
                    return;
                }
            }
            Thread.sleep(500);
        }
    }

    private EmbeddedPostgres startDatabase() throws IOException {
        return EmbeddedPostgres.builder()
                .setDataDirectory(dataDirectory)
                .setCleanDataDirectory(false)
                .setPort(databasePort)
                .setServerConfig("max_connections", "100")
                .setServerConfig("fsync", "off")
                .setServerConfig("synchronous_commit", "off")
                .start();
    }
}
