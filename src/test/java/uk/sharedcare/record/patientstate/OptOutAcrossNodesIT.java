package uk.sharedcare.record.patientstate;

import static org.assertj.core.api.Assertions.assertThat;
import static uk.sharedcare.support.HiddenVersusMissing.assertHiddenLooksMissing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import uk.sharedcare.server.Application;
import uk.sharedcare.support.BoroughScenario;
import uk.sharedcare.support.Callers;
import uk.sharedcare.support.FhirServerClient;
import uk.sharedcare.support.HiddenVersusMissing.Probe;
import uk.sharedcare.support.HiddenVersusMissing;
import uk.sharedcare.support.PostgresFhirServerTest;
import uk.sharedcare.support.TestIdentityProvider;
import uk.sharedcare.support.TestServerInitializer;

/**
 * Two nodes of the record on one PostgreSQL database, each with its own cache of patient states: a patient's
 * opt-out recorded on one node, or a practice's change to its sharing, governs the very next read on the other.
 */
@PostgresFhirServerTest
class OptOutAcrossNodesIT {

    private static ConfigurableApplicationContext secondNode;

    @LocalServerPort
    int firstNodePort;

    @BeforeAll
    static void startSecondNode() {
        List<String> arguments = new ArrayList<>(List.of("--server.port=0"));
        arguments.addAll(TestServerInitializer.anotherServersArguments("shared-care.audit.spill-directory="
                + Path.of(System.getProperty("java.io.tmpdir"), "scr-audit-spill-node-2-" + UUID.randomUUID())));
        secondNode = new SpringApplicationBuilder(Application.class).run(arguments.toArray(String[]::new));
    }

    @AfterAll
    static void stopSecondNode() {
        if (secondNode != null) {
            secondNode.close();
        }
    }

    @Test
    void optOutRecordedOnOneNodeHidesTheRecordOnTheOtherAtTheNextRead() {
        BoroughScenario firstNode = new BoroughScenario(firstNodePort);
        FhirServerClient socialWorkerOnSecondNode = new FhirServerClient(secondNodePort(), Callers.swMurphy().sign());
        String patient = firstNode.patientAtRiverside();
        String plan = firstNode.carePlan(Callers.drPatel(), patient, "Home care");
        firstNode.episodeOfCare(Callers.swMurphy(), Callers.BOROUGH_COUNCIL, patient);
        assertThat(socialWorkerOnSecondNode.get("/" + plan).status()).as("read, and cached, on node 2").isEqualTo(200);

        firstNode.privacyConsent(Callers.drPatel(), patient, false);

        assertHiddenLooksMissing(socialWorkerOnSecondNode, Probe.get("/CarePlan/" + HiddenVersusMissing.TARGET), idPart(plan));
        assertHiddenLooksMissing(socialWorkerOnSecondNode, Probe.get("/Patient/" + HiddenVersusMissing.TARGET), idPart(patient));
    }

    @Test
    void practiceSwitchingToOptInOnOneNodeHidesItsDataOnTheOtherAtTheNextRead() {
        BoroughScenario firstNode = new BoroughScenario(firstNodePort);
        String practice = "Y7" + ThreadLocalRandom.current().nextInt(1000, 9999);
        TestIdentityProvider.Token practiceGp = Callers.token("gp.of." + practice, "gp", practice);
        String patient = firstNode.patientAt(practice, practiceGp, "1950-05-01");
        String observation = firstNode.bloodPressure(practiceGp, patient);
        firstNode.episodeOfCare(Callers.nurseOkafor(), Callers.BOROUGH_TRUST, patient);
        FhirServerClient nurseOnSecondNode = new FhirServerClient(secondNodePort(), Callers.nurseOkafor().sign());
        assertThat(nurseOnSecondNode.get("/" + observation).status()).as("read, and cached, on node 2")
                .isEqualTo(200);

        Parameters optIn = new Parameters();
        optIn.addParameter().setName("organisation").setValue(new StringType(practice));
        optIn.addParameter().setName("sharing").setValue(new CodeType("opt-in"));
        firstNode.as(practiceGp).operation().onServer().named("$set-sharing-settings").withParameters(optIn)
                .execute();

        assertHiddenLooksMissing(nurseOnSecondNode, Probe.get("/Observation/" + HiddenVersusMissing.TARGET),
                idPart(observation));
    }

    private static int secondNodePort() {
        return ((ServletWebServerApplicationContext) secondNode).getWebServer().getPort();
    }

    private static String idPart(String id) {
        return id.substring(id.indexOf('/') + 1);
    }
}
