package uk.sharedcare.record.consent;

import org.hl7.fhir.r4.model.StringType;
import static org.assertj.core.api.Assertions.assertThat;
import static uk.sharedcare.support.Callers.BOROUGH_COUNCIL;

import java.util.List;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Parameters.ParametersParameterComponent;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import uk.sharedcare.record.access.AccessContextResolver;
import uk.sharedcare.support.BoroughScenario;
import uk.sharedcare.support.Callers;
import uk.sharedcare.support.FhirServerClient;
import uk.sharedcare.support.FhirServerClient.RawResponse;
import uk.sharedcare.support.PostgresFhirServerTest;
import uk.sharedcare.support.TestIdentityProvider;

/** A DPO can ask why a requester would or would not see a patient's record, rule by rule. */
@PostgresFhirServerTest
class ExplainAccessIT {

    @LocalServerPort
    int port;

    BoroughScenario borough;
    String patient;
    String dissent;

    @BeforeEach
    void scenario() {
        borough = new BoroughScenario(port);
        patient = borough.patientAtRiverside();
        borough.bloodPressure(Callers.drPatel(), patient);
        borough.carePlan(Callers.drPatel(), patient, "Falls prevention");
        borough.episodeOfCare(Callers.swMurphy(), BOROUGH_COUNCIL, patient);
        dissent = borough.privacyConsent(Callers.drPatel(), patient, false);
    }

    @Test
    void dpoSeesWhichRuleAndConsentDecideEachKindOfData() {
        Parameters explanation = dpo().fhir().operation().onInstance(patient).named("$explain-access")
                .withParameter(Parameters.class, "organisation", new StringType(BOROUGH_COUNCIL))
                .andParameter("role", new StringType("social-worker"))
                .andParameter("purpose", new StringType("TREAT"))
                .execute();

        ParametersParameterComponent carePlans = decisionFor(explanation, "CarePlan", Callers.RIVERSIDE_PRACTICE);
        assertThat(part(carePlans, "effect")).isEqualTo("DENY");
        assertThat(part(carePlans, "decidingRule")).isEqualTo("PATIENT_DISSENT");
        assertThat(carePlans.getPart()).filteredOn(p -> p.getName().equals("reason"))
                .flatExtracting(r -> r.getPart()).filteredOn(p -> p.getName().equals("evidence"))
                .extracting(p -> p.getValue().primitiveValue()).contains(dissent);
        ParametersParameterComponent episodes = decisionFor(explanation, "EpisodeOfCare", BOROUGH_COUNCIL);
        assertThat(part(episodes, "effect")).isEqualTo("PERMIT");
        assertThat(part(episodes, "decidingRule")).isEqualTo("OWN_DATA");
    }

    @Test
    void singleResourceCanBeExplained() {
        String observation = borough.bloodPressure(Callers.drPatel(), patient);

        RawResponse response = dpo().get("/$explain-access?resource=" + observation
                + "&organisation=RZ9&role=clinician&purpose=ETREAT");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).contains("BREAK_GLASS").contains("REVIEW_BREAK_GLASS");
    }

    @Test
    void onlyDataProtectionOfficersAndAdminsMayAsk() {
        RawResponse response = new FhirServerClient(port, Callers.drPatel().sign())
                .get("/" + patient + "/$explain-access?organisation=RZ9&role=clinician");

        assertThat(response.status()).isEqualTo(403);
        assertThat(response.operationOutcome().getIssueFirstRep().getDiagnostics())
                .contains("data protection officers and admins");
    }

    @Test
    void adminActingForOperationsMayAskToo() {
        FhirServerClient admin = new FhirServerClient(port, TestIdentityProvider.token().subject("admin.scr")
                .roles("admin").organisation("QZ9").purposes("HOPERAT").sign())
                .withHeader(AccessContextResolver.PURPOSE_HEADER, "HOPERAT");

        assertThat(admin.get("/" + patient + "/$explain-access?organisation=RZ9&role=clinician").status())
                .isEqualTo(200);
    }

    private FhirServerClient dpo() {
        return new FhirServerClient(port, TestIdentityProvider.token().subject("dpo.williams").roles("dpo")
                .organisation("QZ9").purposes("TREAT", "HOPERAT").sign());
    }

    private static ParametersParameterComponent decisionFor(Parameters explanation, String type, String custodian) {
        List<ParametersParameterComponent> matches = explanation.getParameter().stream()
                .filter(p -> p.getName().equals("decision"))
                .filter(p -> type.equals(part(p, "resourceType")) && custodian.equals(part(p, "custodian")))
                .toList();
        assertThat(matches).as(type + " by " + custodian).hasSize(1);
        return matches.get(0);
    }

    private static String part(ParametersParameterComponent parameter, String name) {
        return parameter.getPart().stream().filter(p -> p.getName().equals(name)).findFirst()
                .map(p -> p.getValue().primitiveValue()).orElse(null);
    }
}
