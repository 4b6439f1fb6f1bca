package uk.sharedcare.record.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import java.util.List;
import java.util.UUID;
import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import uk.sharedcare.support.BoroughScenario;
import uk.sharedcare.support.Callers;
import uk.sharedcare.support.FhirServerClient;
import uk.sharedcare.support.FhirServerClient.RawResponse;
import uk.sharedcare.support.HiddenVersusMissing;
import uk.sharedcare.support.PostgresFhirServerTest;

/**
 * SMART scopes narrow what the policy allows, over HTTP: by interaction and type for the request, and by the
 * launch patient for every resource a {@code patient/} scope shows. Dr Patel could see both patients here; her
 * scoped tokens see less, never more.
 */
@PostgresFhirServerTest
class SmartScopesIT {

    @LocalServerPort
    int port;

    BoroughScenario borough;
    String launchPatient;
    String otherPatient;
    String launchObservation;
    String otherObservation;

    @BeforeEach
    void twoOfDrPatelsPatients() {
        borough = new BoroughScenario(port);
        launchPatient = borough.patientAtRiverside();
        otherPatient = borough.patientAtRiverside();
        launchObservation = borough.bloodPressure(Callers.drPatel(), launchPatient);
        otherObservation = borough.bloodPressure(Callers.drPatel(), otherPatient);
    }

    @Test
    void aPatientScopedAppSeesTheLaunchPatientAndAnswersForAnyOtherAsForAMissingOne() {
        FhirServerClient app = as("launch/patient patient/*.rs", idPart(launchPatient));
        String missing = "Observation/" + UUID.randomUUID();

        assertThat(app.get("/" + launchObservation).status()).isEqualTo(200);
        HiddenVersusMissing.assertSameAnswer(app.get("/" + otherObservation), idPart(otherObservation),
                app.get("/" + missing), idPart(missing));
        assertThat(ids(app.get("/Observation?patient=" + otherPatient))).isEmpty();
        assertThat(ids(app.get("/Observation?patient=" + launchPatient))).containsExactly(launchObservation);
    }

    @Test
    void everyOtherPathAboutAnotherPatientAnswersForAPatientScopedAppAsForAMissingOne() {
        FhirServerClient app = as("launch/patient patient/*.rs", idPart(launchPatient));
        String missingPatient = "Patient/" + UUID.randomUUID();
        String missingObservation = "Observation/" + UUID.randomUUID();

        HiddenVersusMissing.assertSameAnswer(app.get("/" + otherPatient + "/$everything"), idPart(otherPatient),
                app.get("/" + missingPatient + "/$everything"), idPart(missingPatient));
        HiddenVersusMissing.assertSameAnswer(app.get("/" + otherObservation + "/_history"),
                idPart(otherObservation), app.get("/" + missingObservation + "/_history"), idPart(missingObservation));
        HiddenVersusMissing.assertSameAnswer(batchGet(app, otherObservation), idPart(otherObservation),
                batchGet(app, missingObservation), idPart(missingObservation));
        assertThat(ids(app.get("/" + launchPatient + "/$everything"))).contains(launchPatient, launchObservation)
                .doesNotContain(otherPatient, otherObservation);
    }

    @Test
    void aPatientScopeWithoutALaunchPatientGrantsNothing() {
        RawResponse refused = as("patient/*.rs", null).get("/Observation?patient=" + launchPatient);

        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.operationOutcome().getIssueFirstRep().getDiagnostics()).contains("scopes");
    }

    @Test
    void aTypeScopedTokenSearchesOnlyThatTypeAndShowsNothingElse() {
        FhirServerClient observationsOnly = as("user/Observation.rs", null);

        assertThat(ids(observationsOnly.get("/Observation?patient=" + launchPatient)))
                .containsExactly(launchObservation);
        RawResponse carePlans = observationsOnly.get("/CarePlan?subject=" + launchPatient);
        assertThat(carePlans.status()).isEqualTo(403);
        assertThat(carePlans.operationOutcome().getIssueFirstRep().getDiagnostics())
                .contains("do not grant search (s) on CarePlan");
        assertThat(ids(observationsOnly.get("/Observation?patient=" + launchPatient
                + "&_include=Observation:subject"))).as("the included Patient is outside the scopes")
                .containsExactly(launchObservation);
    }

    @Test
    void aReadOnlyScopeCannotWrite() {
        assertThatThrownBy(() -> borough.bloodPressure(Callers.drPatel().scope("user/*.rs"), launchPatient))
                .isInstanceOf(ForbiddenOperationException.class).hasMessageContaining("create (c) on Observation");

        assertThat(ids(as("user/*.rs", null).get("/Observation?patient=" + launchPatient)))
                .containsExactly(launchObservation);
    }

    @Test
    void aTokenWithoutAnyResourceScopeIsRefusedEverything() {
        RawResponse refused = as("openid profile fhirUser", null).get("/Patient?_count=1");

        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.operationOutcome().getIssueFirstRep().getDiagnostics())
                .contains("no SMART resource scope");
    }

    private static RawResponse batchGet(FhirServerClient caller, String reference) {
        return caller.send("POST", "/", "{\"resourceType\":\"Bundle\",\"type\":\"batch\",\"entry\":[{\"request\":"
                + "{\"method\":\"GET\",\"url\":\"" + reference + "\"}}]}", "application/fhir+json");
    }

    private FhirServerClient as(String scope, String patient) {
        var token = Callers.drPatel().scope(scope);
        if (patient != null) {
            token.launchPatient(patient);
        }
        return new FhirServerClient(port, token.sign());
    }

    private static List<String> ids(RawResponse response) {
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        Bundle bundle = FhirServerClient.FHIR.newJsonParser().parseResource(Bundle.class, response.body());
        return bundle.getEntry().stream()
                .map(entry -> entry.getResource().getIdElement().toUnqualifiedVersionless().getValue()).toList();
    }

    private static String idPart(String reference) {
        return reference.substring(reference.indexOf('/') + 1);
    }
}
