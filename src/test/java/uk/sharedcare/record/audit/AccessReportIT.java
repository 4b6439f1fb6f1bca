package uk.sharedcare.record.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static uk.sharedcare.support.Callers.BOROUGH_COUNCIL;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Parameters.ParametersParameterComponent;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import uk.sharedcare.record.access.AccessContextResolver;
import uk.sharedcare.support.BoroughScenario;
import uk.sharedcare.support.Callers;
import uk.sharedcare.support.FhirServerClient;
import uk.sharedcare.support.PostgresFhirServerTest;
import uk.sharedcare.support.TestIdentityProvider;

/** A patient's GP practice can see who has looked at the record, when, why, and every break-glass. */
@PostgresFhirServerTest
class AccessReportIT {

    @LocalServerPort
    int port;

    @Test
    void practiceSeesEveryOrganisationThatAccessedTheRecordAndEveryBreakGlass() {
        BoroughScenario borough = new BoroughScenario(port);
        String patient = borough.patientAtRiverside();
        String observation = borough.bloodPressure(Callers.drPatel(), patient);
        String plan = borough.carePlan(Callers.drPatel(), patient, "Falls prevention");
        borough.episodeOfCare(Callers.swMurphy(), BOROUGH_COUNCIL, patient);
        new FhirServerClient(port, Callers.swMurphy().sign()).get("/" + plan);
        new FhirServerClient(port, Callers.swMurphy().sign()).get("/" + plan);
        new FhirServerClient(port, Callers.nurseOkafor().sign())
                .withHeader(AccessContextResolver.PURPOSE_HEADER, "ETREAT")
                .withHeader(AccessContextResolver.BREAK_GLASS_REASON_HEADER, "Found collapsed at a bus stop")
                .get("/" + observation);
        new FhirServerClient(port, Callers.nurseOkafor().sign()).get("/" + observation);

        Parameters report = new FhirServerClient(port, Callers.drPatel().sign()).fhir().operation()
                .onInstance(patient).named("$access-report").withNoParameters(Parameters.class).useHttpGet().execute();

        Map<String, Integer> accessors = report.getParameter().stream()
                .filter(p -> p.getName().equals("accessor"))
                .collect(Collectors.toMap(p -> part(p, "organisation") + " " + part(p, "role") + " " + part(p, "purpose"),
                        p -> Integer.parseInt(part(p, "count"))));
        // The council's three accesses: recording its episode of care, then reading the care plan twice.
        assertThat(accessors).containsEntry("L9001 social-worker TREAT", 3).containsEntry("RZ9 clinician ETREAT", 1);
        List<ParametersParameterComponent> breakGlass = report.getParameter().stream()
                .filter(p -> p.getName().equals("breakGlass")).toList();
        assertThat(breakGlass).singleElement().satisfies(b -> {
            assertThat(part(b, "organisation")).isEqualTo("RZ9");
            assertThat(part(b, "reason")).isEqualTo("Found collapsed at a bus stop");
        });
        assertThat(Integer.parseInt(report.getParameterValue("refused").primitiveValue())).isGreaterThanOrEqualTo(1);
    }

    @Test
    void onlyThePatientsPracticeAndDpoMayAsk() {
        String patient = new BoroughScenario(port).patientAtRiverside();
        String report = "/" + patient + "/$access-report";
        String dpo = TestIdentityProvider.token().subject("dpo.williams").roles("dpo").organisation("QZ9")
                .purposes("TREAT").sign();

        assertThat(new FhirServerClient(port, Callers.drJones().sign()).get(report).status()).isEqualTo(403);
        assertThat(new FhirServerClient(port, Callers.nurseOkafor().sign()).get(report).status()).isEqualTo(403);
        assertThat(new FhirServerClient(port, dpo).get(report).status()).isEqualTo(200);
        assertThat(new FhirServerClient(port, Callers.riversideEhrFeed().sign()).get(report).status()).isEqualTo(200);
    }

    private static String part(ParametersParameterComponent parameter, String name) {
        return parameter.getPart().stream().filter(p -> p.getName().equals(name)).findFirst()
                .map(p -> p.getValue().primitiveValue()).orElse(null);
    }
}
