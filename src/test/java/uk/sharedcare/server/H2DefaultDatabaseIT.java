package uk.sharedcare.server;

import static org.assertj.core.api.Assertions.assertThat;
import static uk.sharedcare.support.RecordFixtures.patient;
import static uk.sharedcare.support.RecordFixtures.uniqueNhsNumber;

import java.nio.file.Path;
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
import uk.sharedcare.support.FhirServerClient;

/** The zero-setup default: an H2 file database that keeps the record across a restart, with a clean start-up. */
class H2DefaultDatabaseIT {

    @TempDir
    Path dataDirectory;

    @Test
    void recordSurvivesARestart() {
        String id;
        try (ConfigurableApplicationContext server = start()) {
            id = ((IdType) client(server).fhir().create().resource(patient(uniqueNhsNumber(), "Kowalski"))
                    .execute().getId()).getIdPart();
        }

        try (ConfigurableApplicationContext restarted = start()) {
            Patient read = client(restarted).fhir().read().resource(Patient.class).withId(id).execute();
            assertThat(read.getNameFirstRep().getFamily()).isEqualTo("Kowalski");
        }
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void startupLogHasNoErrorsOrStackTraces(CapturedOutput output) {
        try (ConfigurableApplicationContext server = start()) {
            assertThat(client(server).get("/metadata").status()).isEqualTo(200);
        }

        assertThat(output.getAll()).contains("Database schema is current")
                .doesNotContain(" ERROR ").doesNotContain("Exception").doesNotContain("\tat ");
    }

    private ConfigurableApplicationContext start() {
        return new SpringApplicationBuilder(Application.class).run(
                "--server.port=0",
                "--spring.datasource.url=jdbc:h2:file:" + dataDirectory.resolve("record") + ";DB_CLOSE_ON_EXIT=FALSE");
    }

    private static FhirServerClient client(ConfigurableApplicationContext server) {
        return new FhirServerClient(((ServletWebServerApplicationContext) server).getWebServer().getPort());
    }
}
