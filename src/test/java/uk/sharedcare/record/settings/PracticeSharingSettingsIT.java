package uk.sharedcare.record.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static uk.sharedcare.support.HiddenVersusMissing.assertHiddenLooksMissing;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import uk.sharedcare.support.AuditTrailReader;
import uk.sharedcare.support.BoroughScenario;
import uk.sharedcare.support.Callers;
import uk.sharedcare.support.FhirServerClient;
import uk.sharedcare.support.FhirServerClient.RawResponse;
import uk.sharedcare.support.HiddenVersusMissing;
import uk.sharedcare.support.HiddenVersusMissing.Probe;
import uk.sharedcare.support.PostgresFhirServerTest;
import uk.sharedcare.support.TestIdentityProvider;

/**
 * A practice's own sharing settings, changed at runtime over the API: effective at the next request, explained by
 * the decisions they make, audited, and changed only by the practice's GPs. Each test uses a practice of its own,
 * so that no other test sees its settings.
 */
@PostgresFhirServerTest
class PracticeSharingSettingsIT {

    @LocalServerPort
    int port;

    private BoroughScenario borough;
    private String practice;
    private TestIdentityProvider.Token practiceGp;
    private FhirServerClient nurse;
    private String patient;
    private String observation;

    @BeforeEach
    void aPatientOfTheirOwnPracticeSeenByTheTrust() {
        borough = new BoroughScenario(port);
        practice = "Y8" + ThreadLocalRandom.current().nextInt(1000, 9999);
        practiceGp = TestIdentityProvider.token().subject("gp.of." + practice).roles("gp").organisation(practice)
                .purposes("TREAT");
        patient = borough.patientAt(practice, practiceGp, "1950-05-01");
        observation = borough.bloodPressure(practiceGp, patient);
        borough.episodeOfCare(Callers.nurseOkafor(), Callers.BOROUGH_TRUST, patient);
        nurse = new FhirServerClient(port, Callers.nurseOkafor().sign());
    }

    @Test
    void practiceSwitchingToOptInHidesItsDataFromATrustWithoutAPermitAtTheNextRead() {
        assertThat(nurse.get("/" + observation).status()).as("shared by default").isEqualTo(200);

        Parameters settings = set(practiceGp, "opt-in");

        assertThat(value(settings, "sharing")).isEqualTo("opt-in");
        assertThat(value(settings, "source")).startsWith("its own setting in the record since");
        assertHiddenLooksMissing(nurse, Probe.get("/Observation/" + HiddenVersusMissing.TARGET), idPart(observation));
        assertThat(explainedFor(Callers.BOROUGH_TRUST)).contains("OPT_IN_WITHOUT_CONSENT")
                .contains(practice + " is opt-in (its own setting in the record since");

        borough.privacyConsent(practiceGp, patient, true);
        assertThat(nurse.get("/" + observation).status()).as("the patient's permit").isEqualTo(200);
    }

    @Test
    void practiceSwitchingBackToShareByDefaultSharesAgain() {
        set(practiceGp, "opt-in");
        assertThat(nurse.get("/" + observation).status()).isEqualTo(404);

        set(practiceGp, "share-by-default");

        assertThat(nurse.get("/" + observation).status()).isEqualTo(200);
    }

    @Test
    void practiceSharingOnlyWithTheCouncilHidesItsDataFromTheTrust() {
        Parameters settings = set(practiceGp, "share-by-default", Callers.BOROUGH_COUNCIL);

        assertThat(value(settings, "shareOnlyWith")).isEqualTo(Callers.BOROUGH_COUNCIL);
        assertHiddenLooksMissing(nurse, Probe.get("/Observation/" + HiddenVersusMissing.TARGET), idPart(observation));
        assertThat(explainedFor(Callers.BOROUGH_TRUST)).contains("CUSTODIAN_ALLOW_LIST")
                .contains(practice + " does not list " + Callers.BOROUGH_TRUST);
    }

    @Test
    void aGpOfAnotherPracticeCannotChangeThisPracticesSharing() {
        RawResponse refused = post(Callers.drJones(), parameters("opt-in"));

        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.operationOutcome().getIssueFirstRep().getDiagnostics()).contains("only " + practice + "'s GPs or an admin change its sharing");
        assertThat(value(read(practiceGp), "sharing")).isEqualTo("share-by-default");
        assertThat(nurse.get("/" + observation).status()).isEqualTo(200);
    }

    @Test
    void aClinicianOfThePracticeItselfCannotChangeItsSharing() {
        TestIdentityProvider.Token nurseAtPractice = Callers.token("nurse.of." + practice, "clinician", practice);

        assertThat(post(nurseAtPractice, parameters("opt-in")).status()).isEqualTo(403);
        assertThat(nurse.get("/" + observation).status()).isEqualTo(200);
    }

    @Test
    void anOrganisationWithoutItsOwnSettingHasThePolicyFilesAndOthersCannotReadIt() {
        Parameters northgate = new FhirServerClient(port, Callers.drJones().sign()).fhir().operation().onServer()
                .named("$sharing-settings").withParameter(Parameters.class, "organisation",
                        new StringType(Callers.NORTHGATE_PRACTICE)).useHttpGet().execute();

        assertThat(value(northgate, "sharing")).isEqualTo("opt-in");
        assertThat(value(northgate, "source")).isEqualTo("the policy file");
        assertThat(value(read(practiceGp), "source")).isEqualTo("the policy's default");
        assertThat(nurse.get("/$sharing-settings?organisation=" + practice).status()).isEqualTo(403);
    }

    @Test
    void settingsThatAreNotUnderstoodAreRefusedAndNothingChanges() {
        Parameters unknownModel = parameters("maybe");
        Parameters badListedCode = parameters("opt-in");
        badListedCode.addParameter().setName("shareOnlyWith").setValue(new StringType("not an ods code"));

        for (Parameters bad : List.of(unknownModel, badListedCode)) {
            RawResponse refused = post(practiceGp, bad);
            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.operationOutcome().getIssueFirstRep().getDiagnostics()).isNotBlank();
        }
        assertThat(value(read(practiceGp), "sharing")).isEqualTo("share-by-default");
        assertThat(nurse.get("/" + observation).status()).isEqualTo(200);
    }

    @Test
    void aChangeIsOnTheAuditTrailWithWhoMadeItAndTheRuleThatAllowedIt() {
        Instant before = Instant.now().minusSeconds(1);

        Parameters settings = set(practiceGp, "opt-in", Callers.BOROUGH_COUNCIL);

        String recordedBy = settings.getParameter().stream().filter(p -> p.getName().equals("auditEvent"))
                .map(p -> ((Reference) p.getValue()).getReference()).findFirst().orElseThrow();
        List<AuditEvent> changes = new AuditTrailReader(port).events("date=ge" + before.truncatedTo(ChronoUnit.SECONDS))
                .stream().filter(event -> event.getEntity().stream().anyMatch(entity ->
                        ("sharing settings of " + practice + ": opt-in, shared only with L9001")
                                .equals(entity.getDescription())))
                .toList();
        assertThat(changes).singleElement().satisfies(event -> {
            assertThat(event.getIdElement().toUnqualifiedVersionless().getValue()).isEqualTo(recordedBy);
            assertThat(event.getAgentFirstRep().getWho().getIdentifier().getValue()).isEqualTo("gp.of." + practice);
            assertThat(event.getSubtypeFirstRep().getCode()).isEqualTo("update");
            assertThat(event.getEntity()).anySatisfy(entity -> assertThat(entity.getDetail())
                    .anySatisfy(detail -> assertThat(detail.getValue().primitiveValue())
                            .isEqualTo("ORGANISATION_SETTINGS")));
        });
    }

    private Parameters set(TestIdentityProvider.Token who, String sharing, String... shareOnlyWith) {
        Parameters request = parameters(sharing);
        for (String code : shareOnlyWith) {
            request.addParameter().setName("shareOnlyWith").setValue(new StringType(code));
        }
        return new FhirServerClient(port, who.sign()).fhir().operation().onServer().named("$set-sharing-settings")
                .withParameters(request).execute();
    }

    private Parameters parameters(String sharing) {
        Parameters request = new Parameters();
        request.addParameter().setName("organisation").setValue(new StringType(practice));
        request.addParameter().setName("sharing").setValue(new CodeType(sharing));
        return request;
    }

    private RawResponse post(TestIdentityProvider.Token who, Parameters request) {
        return new FhirServerClient(port, who.sign()).send("POST", "/$set-sharing-settings",
                FhirServerClient.FHIR.newJsonParser().encodeResourceToString(request), "application/fhir+json");
    }

    private Parameters read(TestIdentityProvider.Token who) {
        return FhirServerClient.FHIR.newJsonParser().parseResource(Parameters.class,
                new FhirServerClient(port, who.sign()).get("/$sharing-settings?organisation=" + practice).body());
    }

    private String explainedFor(String organisation) {
        return new AuditTrailReader(port).dpo().get("/$explain-access?resource=" + observation + "&organisation="
                + organisation + "&role=clinician").body();
    }

    private static String value(Parameters parameters, String name) {
        return parameters.getParameter().stream().filter(p -> p.getName().equals(name)).findFirst().orElseThrow()
                .getValue().primitiveValue();
    }

    private static String idPart(String id) {
        return id.substring(id.indexOf('/') + 1);
    }
}
