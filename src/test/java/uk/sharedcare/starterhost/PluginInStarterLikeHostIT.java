package uk.sharedcare.starterhost;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.ContextConfiguration;
import uk.sharedcare.record.access.Custodian;
import uk.sharedcare.support.BoroughScenario;
import uk.sharedcare.support.Callers;
import uk.sharedcare.support.EmbeddedPostgresDatabase;
import uk.sharedcare.support.FhirServerClient;
import uk.sharedcare.support.FhirServerClient.RawResponse;
import uk.sharedcare.support.HiddenVersusMissing;
import uk.sharedcare.support.RecordFixtures;
import uk.sharedcare.support.TestIdentityProvider;
import uk.sharedcare.support.TestServerInitializer;

/**
 * The plugin artifact inside a host configured like hapi-fhir-jpaserver-starter ({@link StarterLikeHost}): the
 * core enforcement holds there too, the host's own endpoints and filters keep working, and the types the
 * record's own server does not serve are governed by the same policy.
 */
@SpringBootTest(classes = StarterLikeHost.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "fhir-server.resource-types=",
            // The starter leaves Spring Security's auto-configuration on; only JPA's own is HAPI's to do.
            "spring.autoconfigure.exclude="
                    + "org.springframework.boot.autoconfigure.orm.jpa.HibernateJpaAutoConfiguration,"
                    + "org.springframework.boot.autoconfigure.data.jpa.JpaRepositoriesAutoConfiguration,"
                    + "org.springframework.boot.autoconfigure.flyway.FlywayAutoConfiguration,"
                    + "org.springframework.boot.autoconfigure.quartz.QuartzAutoConfiguration,"
                    + "org.springframework.boot.autoconfigure.thymeleaf.ThymeleafAutoConfiguration,"
                    + "org.springframework.boot.autoconfigure.elasticsearch.ElasticsearchClientAutoConfiguration,"
                    + "org.springframework.boot.autoconfigure.elasticsearch.ElasticsearchRestClientAutoConfiguration,"
                    + "org.springframework.boot.autoconfigure.data.elasticsearch.ElasticsearchDataAutoConfiguration,"
                    + "org.springframework.boot.autoconfigure.websocket.servlet.WebSocketServletAutoConfiguration"})
@ActiveProfiles("postgres")
@ContextConfiguration(initializers = {TestServerInitializer.class, PluginInStarterLikeHostIT.OwnDatabase.class})
@ExtendWith(OutputCaptureExtension.class)
class PluginInStarterLikeHostIT {

    /**
     * The host keeps tags apart from the resource, the record's server keeps them inline: on one database, HAPI's
     * subscription activation in this host would rewrite the record's Subscriptions without their custodian tags.
     * Its audit spill directory is its own too: spilled events are replayed into the replaying server's database,
     * so servers share a spill directory only when they share a database.
     */
    static final class OwnDatabase implements ApplicationContextInitializer<ConfigurableApplicationContext> {
        @Override
        public void initialize(ConfigurableApplicationContext context) {
            TestPropertyValues.of("spring.datasource.url=" + EmbeddedPostgresDatabase.jdbcUrl("starter_like_host"),
                    "shared-care.audit.spill-directory=" + Path.of(System.getProperty("java.io.tmpdir"),
                            "scr-audit-spill-starter-like-host-" + UUID.randomUUID()))
                    .applyTo(context);
        }
    }

    private static final String SNOMED = "http://snomed.info/sct";
    private static final String HIV = "86406008";

    @LocalServerPort
    int port;

    BoroughScenario borough;
    String patient;

    @BeforeEach
    void aRiversidePatientTheTrustCaresFor() {
        borough = new BoroughScenario(port);
        patient = borough.patientAtRiverside();
        borough.episodeOfCare(Callers.nurseOkafor(), Callers.BOROUGH_TRUST, patient);
    }

    @Test
    void theHostsHealthProbeAnswersWithoutATokenAndTellsNothingElse() {
        RawResponse health = new FhirServerClient(port).getOutsideFhir("/actuator/health");

        assertThat(health.status()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("{\"status\":\"UP\"}");
    }

    @Test
    void theFhirApiStillNeedsATokenAndTheHostsOwnFilterStillRunsOnWhatItLetsThrough() {
        RawResponse anonymous = new FhirServerClient(port).get("/Patient");
        RawResponse signedIn = as(Callers.drPatel()).get("/Patient?_id=" + idPart(patient));

        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.operationOutcome().getIssueFirstRep().getDiagnostics()).contains("bearer");
        assertThat(signedIn.status()).isEqualTo(200);
        assertThat(signedIn.header(StarterLikeHost.HOST_FILTER_HEADER)).isEqualTo("yes");
    }

    @Test
    void theHostsAccessLogNamesTheOperationButNoIdentifier(CapturedOutput output) throws InterruptedException {
        String nhsNumber = RecordFixtures.uniqueNhsNumber();

        RawResponse search = as(Callers.drPatel()).get("/Patient?identifier="
                + RecordFixtures.NHS_NUMBER_SYSTEM + "%7C" + nhsNumber);
        RawResponse read = as(Callers.drPatel()).get("/" + patient);

        assertThat(search.status()).isEqualTo(200);
        assertThat(read.status()).isEqualTo(200);
        awaitLogged(output, "Operation[read");
        assertThat(output.getOut()).contains("Operation[search-type").contains("Operation[read")
                .doesNotContain(nhsNumber).doesNotContain(idPart(patient));
    }

    @Test
    void everyR4TypeIsServed() {
        CapabilityStatement statement = new FhirServerClient(port).fhir().capabilities()
                .ofType(CapabilityStatement.class).execute();

        assertThat(statement.getRestFirstRep().getResource()).extracting(r -> r.getType())
                .contains("DiagnosticReport", "Procedure", "MedicationRequest", "Immunization",
                        "QuestionnaireResponse");
    }

    @Test
    void aDiagnosticReportIsSharedWithTheCareProviderAndLooksMissingToAnyoneElse() {
        String report = borough.create(Callers.drPatel(), report(patient, "http://loinc.org", "58410-2"));
        String missing = "DiagnosticReport/" + Math.abs(UUID.randomUUID().getMostSignificantBits());

        assertThat(idPart(report)).as("the host's sequential ids").matches("\\d+");
        assertThat(as(Callers.nurseOkafor()).get("/" + report).status()).isEqualTo(200);
        FhirServerClient otherPractice = as(Callers.drJones());
        HiddenVersusMissing.assertSameAnswer(otherPractice.get("/" + report), idPart(report),
                otherPractice.get("/" + missing), idPart(missing));
    }

    @Test
    void aDiagnosticReportWithAnHivCodeIsLabelledAndKeptWithinThePractice() {
        DiagnosticReport hivResult = report(patient, "http://loinc.org", "7918-6");
        hivResult.addConclusionCode(new CodeableConcept(new Coding(SNOMED, HIV, null)));
        String report = borough.create(Callers.drPatel(), hivResult);
        String missing = "DiagnosticReport/" + Math.abs(UUID.randomUUID().getMostSignificantBits());

        DiagnosticReport stored = as(Callers.drPatel()).fhir().read().resource(DiagnosticReport.class)
                .withId(idPart(report)).execute();
        assertThat(stored.getMeta().getSecurity()).extracting(Coding::getCode).contains("HIV");
        FhirServerClient trust = as(Callers.nurseOkafor());
        HiddenVersusMissing.assertSameAnswer(trust.get("/" + report), idPart(report), trust.get("/" + missing),
                idPart(missing));
    }

    @Test
    void custodianTagsHoldWithTagsStoredApartFromTheResource() {
        String report = borough.create(Callers.drPatel(), report(patient, "http://loinc.org", "58410-2"));
        FhirServerClient gp = as(Callers.drPatel());
        DiagnosticReport stored = gp.fhir().read().resource(DiagnosticReport.class).withId(idPart(report)).execute();
        stored.setStatus(DiagnosticReport.DiagnosticReportStatus.AMENDED);
        gp.fhir().update().resource(stored).execute();

        DiagnosticReport amended = gp.fhir().read().resource(DiagnosticReport.class).withId(idPart(report))
                .execute();
        assertThat(amended.getMeta().getTag()).filteredOn(tag -> Custodian.TAG_SYSTEM.equals(tag.getSystem()))
                .extracting(Coding::getCode).containsExactly(Callers.RIVERSIDE_PRACTICE);
        Bundle own = gp.fhir().search().byUrl("DiagnosticReport?_tag=" + Custodian.TAG_SYSTEM + "|"
                + Callers.RIVERSIDE_PRACTICE + "&subject=" + patient).returnBundle(Bundle.class).execute();
        assertThat(own.getEntry()).hasSize(1);
    }

    private FhirServerClient as(TestIdentityProvider.Token caller) {
        return new FhirServerClient(port, caller.sign());
    }

    private static DiagnosticReport report(String patient, String system, String code) {
        DiagnosticReport report = new DiagnosticReport();
        report.setStatus(DiagnosticReport.DiagnosticReportStatus.FINAL);
        report.setCode(new CodeableConcept(new Coding(system, code, null)));
        report.setSubject(new Reference(patient));
        return report;
    }

    private static String idPart(String reference) {
        return reference.substring(reference.indexOf('/') + 1);
    }

    /** HAPI writes a request's access-log line once it has completed, which may be just after the answer is sent. */
    private static void awaitLogged(CapturedOutput output, String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!output.getOut().contains(text) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }
}
