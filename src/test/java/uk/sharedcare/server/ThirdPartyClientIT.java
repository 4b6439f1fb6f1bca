package uk.sharedcare.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.ContextConfiguration;
import uk.sharedcare.support.Callers;
import uk.sharedcare.support.KeycloakServerInitializer;
import uk.sharedcare.support.KeycloakSupport;
import uk.sharedcare.support.RecordFixtures;

/**
 * An off-the-shelf client, not HAPI's: fhir-kit-client under Node.js (src/test/node/client.mjs), with tokens from
 * the real Keycloak, does what an integrator's system does: metadata, a transaction, a read, a paged search to
 * its end, and the Bulk Data flow with a SMART Backend Services token. Node.js comes with the machine or with
 * .ci/run; the client's packages come from the npm registry ({@code npm ci}, pinned by package-lock.json).
 */
@SpringBootTest(classes = Application.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("postgres")
@ContextConfiguration(initializers = KeycloakServerInitializer.class)
class ThirdPartyClientIT {

    private static final Path CLIENT = Path.of("src/test/node");
    private static final String EHR = "riverside-gp-ehr";

    @LocalServerPort
    int port;

    @Test
    void fhirKitClientReadsSearchesWritesAndTakesTheBulkExtract() throws Exception {
        installClient();

        Run run = run(List.of("node", "client.mjs"), Map.of(
                "FHIR_BASE", "http://localhost:" + port + "/fhir",
                "TOKEN_ENDPOINT", KeycloakSupport.keycloak().tokenEndpoint(),
                "EHR_CLIENT_ID", EHR,
                "EHR_CLIENT_SECRET", KeycloakSupport.realmClientSecret(EHR),
                "NHS_NUMBER", RecordFixtures.uniqueNhsNumber(),
                "PRACTICE", Callers.RIVERSIDE_PRACTICE,
                "BULK_CLIENT_ID", "analytics-backend-services",
                "BULK_KEY_FILE", Path.of("keycloak/demo-backend-services-private-jwk.json").toAbsolutePath().toString(),
                "MONTH", YearMonth.now(ZoneId.of("Europe/London")).toString()));

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("ok metadata: Shared Care Record", "ok transaction: 4 resources created",
                "ok paged search: 3 observations on 3 pages, to the end", "ok bulk kick-off: 202",
                "ok bulk:");
    }

    private static void installClient() throws Exception {
        Run node = run(List.of("node", "--version"), Map.of());
        assertThat(node.exitCode()).as("Node.js 18 or newer is needed for this test (.ci/run installs Debian's"
                + " nodejs): " + node.output()).isZero();
        if (!Files.isDirectory(CLIENT.resolve("node_modules/fhir-kit-client"))) {
            Run install = run(List.of("npm", "ci", "--no-audit", "--no-fund"), Map.of());
            assertThat(install.exitCode()).as(install.output()).isZero();
        }
    }

    private record Run(int exitCode, String output) {}

    private static Run run(List<String> command, Map<String, String> environment) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).directory(CLIENT.toFile()).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process;
        try {
            process = builder.start();
        } catch (IOException notInstalled) {
            return new Run(-1, command.get(0) + " could not be started: " + notInstalled.getMessage());
        }
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            return new Run(-1, "timed out: " + new String(output, StandardCharsets.UTF_8));
        }
        return new Run(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}
