package uk.sharedcare.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static uk.sharedcare.support.RecordFixtures.patient;
import static uk.sharedcare.support.RecordFixtures.uniqueNhsNumber;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import uk.sharedcare.support.Callers;
import uk.sharedcare.support.FhirServerClient;
import uk.sharedcare.support.TestIdentityProvider;

/**
 * The zero-setup first run: an H2 file database that keeps the record across a restart, a clean start-up log,
 * and no listening beyond this machine for a server without authentication.
 */
class FirstRunDefaultsIT {

    @TempDir
    Path dataDirectory;

    @Test
    void recordSurvivesARestart() {
        String id;
        try (ConfigurableApplicationContext server = start()) {
            id = ((IdType) client(server, Callers.drPatel().sign()).fhir().create().resource(patient(uniqueNhsNumber(), "Kowalski"))
                    .execute().getId()).getIdPart();
        }

        try (ConfigurableApplicationContext restarted = start()) {
            Patient read = client(restarted, Callers.drPatel().sign()).fhir().read().resource(Patient.class).withId(id).execute();
            assertThat(read.getNameFirstRep().getFamily()).isEqualTo("Kowalski");
        }
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void startupLogHasNoErrorsOrStackTraces(CapturedOutput output) {
        try (ConfigurableApplicationContext server = start()) {
            assertThat(client(server, null).get("/metadata").status()).isEqualTo(200);
        }

        assertThat(output.getAll()).contains("Database schema is current")
                .doesNotContain(" ERROR ").doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void serverWithoutAuthenticationRefusesToListenBeyondThisMachine() {
        assertThatThrownBy(() -> start("--shared-care.enabled=false", "--server.address=0.0.0.0").close())
                .hasStackTraceContaining("Refusing to listen on 0.0.0.0");
    }

    private ConfigurableApplicationContext start(String... moreArguments) {
        List<String> arguments = new ArrayList<>(List.of(
                "--server.port=0",
                "--spring.datasource.url=jdbc:h2:file:" + dataDirectory.resolve("record") + ";DB_CLOSE_ON_EXIT=FALSE",
                "--shared-care.identity.issuer-uri=" + TestIdentityProvider.ISSUER,
                "--shared-care.identity.jwk-set-uri=" + TestIdentityProvider.jwksUri()));
        arguments.addAll(List.of(moreArguments));
        return new SpringApplicationBuilder(Application.class).run(arguments.toArray(String[]::new));
    }

    private static FhirServerClient client(ConfigurableApplicationContext server, String token) {
        return new FhirServerClient(((ServletWebServerApplicationContext) server).getWebServer().getPort(), token);
    }
}
