package uk.sharedcare.record.consent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static uk.sharedcare.support.Callers.BOROUGH_COUNCIL;
import static uk.sharedcare.support.Callers.BOROUGH_TRUST;
import static uk.sharedcare.support.Callers.NORTHGATE_PRACTICE;

import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import java.util.List;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import uk.sharedcare.record.access.AccessContextResolver;
import uk.sharedcare.support.BoroughScenario;
import uk.sharedcare.support.Callers;
import uk.sharedcare.support.FhirServerClient.RawResponse;
import uk.sharedcare.support.FhirServerClient;
import uk.sharedcare.support.PostgresFhirServerTest;
import uk.sharedcare.support.RecordFixtures;
import uk.sharedcare.support.TestIdentityProvider.Token;

/** The sharing rules as a user of the record meets them over HTTP, one patient per scenario. */
@PostgresFhirServerTest
class ConsentRulesIT {

    @LocalServerPort
    int port;

    BoroughScenario borough;

    @BeforeEach
    void borough() {
        borough = new BoroughScenario(port);
    }

    @Test
    void socialWorkerWithAnEpisodeOfCareSeesCarePlansButNotGpObservations() {
        String patient = borough.patientAtRiverside();
        String observation = borough.bloodPressure(Callers.drPatel(), patient);
        String plan = borough.carePlan(Callers.drPatel(), patient, "Falls prevention");
        borough.episodeOfCare(Callers.swMurphy(), BOROUGH_COUNCIL, patient);

        assertThat(search(Callers.swMurphy(), "CarePlan?subject=" + patient)).contains(plan);
        assertThat(search(Callers.swMurphy(), "Observation?subject=" + patient)).isEmpty();
        assertThat(read(Callers.swMurphy(), observation).status()).isEqualTo(404);
    }

    @Test
    void organisationWithoutARelationshipCannotTellTheRecordExists() {
        String patient = borough.patientAtRiverside();

        RawResponse hidden = read(Callers.nurseOkafor(), patient);
        RawResponse missing = read(Callers.nurseOkafor(), "Patient/no-such-patient");

        assertThat(hidden.status()).isEqualTo(404).isEqualTo(missing.status());
        assertThat(hidden.operationOutcome().getIssueFirstRep().getDiagnostics().replace(patient, "X"))
                .isEqualTo(missing.operationOutcome().getIssueFirstRep().getDiagnostics()
                        .replace("Patient/no-such-patient", "X"));
        assertThat(search(Callers.nurseOkafor(), "Patient?_id=" + idPart(patient))).isEmpty();
    }

    @Test
    void relationshipsCountOnlyWhenRecordedByTheOrganisationsConcerned() {
        String patient = borough.patientAtRiverside();
        String observation = borough.bloodPressure(Callers.drPatel(), patient);

        assertThatThrownBy(() -> borough.create(Callers.nurseOkafor(),
                RecordFixtures.episodeOfCare(new Reference(patient), BOROUGH_COUNCIL)))
                .isInstanceOf(ForbiddenOperationException.class);
        assertThat(read(Callers.swMurphy(), observation).status()).isEqualTo(404);

        borough.episodeOfCare(Callers.nurseOkafor(), BOROUGH_TRUST, patient);
        assertThat(read(Callers.nurseOkafor(), observation).status()).isEqualTo(200);
    }

    @Test
    void careTeamMembershipCountsOnlyWhenTheRegisteredPracticeRecordedTheTeam() {
        String patient = borough.patientAtRiverside();
        String plan = borough.carePlan(Callers.drPatel(), patient, "Falls prevention");
        var swMurphy = new Practitioner();
        swMurphy.setId("sw-murphy");
        swMurphy.addName().setFamily("Murphy");
        // The council's own system loads its staff with the ids its login uses; users cannot create by id.
        borough.as(Callers.token("service-account-council-hr", "system", Callers.BOROUGH_COUNCIL))
                .update().resource(swMurphy).execute();
        borough.create(Callers.nurseOkafor(), careTeam(patient, "sw-murphy"));
        assertThat(read(Callers.swMurphy(), plan).status()).isEqualTo(404);

        borough.create(Callers.drPatel(), careTeam(patient, "sw-murphy"));

        assertThat(read(Callers.swMurphy(), plan).status()).isEqualTo(200);
    }

    private static CareTeam careTeam(String patient, String practitioner) {
        var team = new CareTeam();
        team.setStatus(CareTeam.CareTeamStatus.ACTIVE);
        team.setSubject(new Reference(patient));
        team.addParticipant().setMember(new Reference("Practitioner/" + practitioner));
        return team;
    }

    @Test
    void gpSeesTheSocialCareTheirPatientReceives() {
        String patient = borough.patientAtRiverside();
        borough.episodeOfCare(Callers.swMurphy(), BOROUGH_COUNCIL, patient);
        String councilPlan = borough.carePlan(Callers.swMurphy(), patient, "Home care: two visits a day");

        assertThat(read(Callers.drPatel(), councilPlan).status()).isEqualTo(200);
        assertThat(search(Callers.drPatel(), "CarePlan?subject=" + patient)).contains(councilPlan);
    }

    @Test
    void patientDissentStopsSharingAndItsWithdrawalRestoresItAtOnce() {
        String patient = borough.patientAtRiverside();
        String plan = borough.carePlan(Callers.drPatel(), patient, "Diabetes review");
        borough.episodeOfCare(Callers.swMurphy(), BOROUGH_COUNCIL, patient);
        String dissent = borough.privacyConsent(Callers.drPatel(), patient, false);

        assertThat(read(Callers.swMurphy(), plan).status()).isEqualTo(404);
        assertThat(read(Callers.drPatel(), plan).status()).as("the custodian still sees its own data").isEqualTo(200);

        Consent withdrawn = borough.as(Callers.drPatel()).read().resource(Consent.class).withId(idPart(dissent))
                .execute();
        withdrawn.setStatus(Consent.ConsentState.INACTIVE);
        borough.as(Callers.drPatel()).update().resource(withdrawn).execute();

        assertThat(read(Callers.swMurphy(), plan).status()).isEqualTo(200);
    }

    @Test
    void optInPracticesDataIsSharedOnlyOnceThePatientConsents() {
        String patient = borough.patientAt(NORTHGATE_PRACTICE, Callers.drJones(), "1987-06-21");
        String condition = borough.condition(Callers.drJones(), patient, "38341003");
        borough.episodeOfCare(Callers.nurseOkafor(), BOROUGH_TRUST, patient);

        assertThat(read(Callers.nurseOkafor(), condition).status()).isEqualTo(404);

        borough.privacyConsent(Callers.drJones(), patient, true);

        assertThat(read(Callers.nurseOkafor(), condition).status()).isEqualTo(200);
    }

    @Test
    void gpDissentCodeStopsLocalSharing() {
        String patient = borough.patientAtRiverside();
        String plan = borough.carePlan(Callers.drPatel(), patient, "Memory clinic");
        borough.episodeOfCare(Callers.swMurphy(), BOROUGH_COUNCIL, patient);
        assertThat(read(Callers.swMurphy(), plan).status()).isEqualTo(200);

        borough.observation(Callers.drPatel(), patient, "http://read.info/readv2", "9Nu0.");

        assertThat(read(Callers.swMurphy(), plan).status()).isEqualTo(404);
    }

    @Test
    void withdrawnGpDissentCodeRestoresLocalSharing() {
        String patient = borough.patientAtRiverside();
        String plan = borough.carePlan(Callers.drPatel(), patient, "Memory clinic");
        borough.episodeOfCare(Callers.swMurphy(), BOROUGH_COUNCIL, patient);
        borough.observation(Callers.drPatel(), patient, "http://read.info/ctv3", "XaZ89");
        assertThat(read(Callers.swMurphy(), plan).status()).isEqualTo(404);

        sleepPastTheDissentTimestamp();
        borough.observation(Callers.drPatel(), patient, "http://read.info/readv2", "9Nu1.");

        assertThat(read(Callers.swMurphy(), plan).status()).isEqualTo(200);
    }

    @Test
    void patientLabelledWithPsychiatricSensitivityIsNotSharedBeyondTheirCustodian() {
        var labelled = RecordFixtures.patient(
                RecordFixtures.uniqueNhsNumber(), "Label");
        labelled.getMeta().addSecurity("http://terminology.hl7.org/CodeSystem/v3-ActCode", "PSY", "psychiatry");
        String patient = borough.create(Callers.drPatel(), labelled);
        String plan = borough.carePlan(Callers.drPatel(), patient, "Crisis plan");
        borough.episodeOfCare(Callers.swMurphy(), BOROUGH_COUNCIL, patient);

        assertThat(read(Callers.swMurphy(), plan).status()).isEqualTo(404);
        assertThat(read(Callers.drPatel(), plan).status()).isEqualTo(200);
    }

    @Test
    void childrensRecordsAreNotSharedBeyondTheirCustodian() {
        String child = borough.patientAt(Callers.RIVERSIDE_PRACTICE, Callers.drPatel(), "2015-02-01");
        String plan = borough.carePlan(Callers.drPatel(), child, "Asthma plan");
        borough.episodeOfCare(Callers.swMurphy(), BOROUGH_COUNCIL, child);

        assertThat(read(Callers.swMurphy(), plan).status()).isEqualTo(404);
        assertThat(read(Callers.drPatel(), plan).status()).isEqualTo(200);
    }

    @Test
    void patientsWithALearningDisabilityAreNotSharedBeyondTheirCustodian() {
        String patient = borough.patientAtRiverside();
        String plan = borough.carePlan(Callers.drPatel(), patient, "Annual health check");
        borough.episodeOfCare(Callers.swMurphy(), BOROUGH_COUNCIL, patient);
        borough.condition(Callers.drPatel(), patient, "110359009");

        assertThat(read(Callers.swMurphy(), plan).status()).isEqualTo(404);
    }

    @Test
    void sexualHealthDataIsLabelledWhenWrittenAndNeverShownOutsideItsCustodian() {
        String patient = borough.patientAtRiverside();
        borough.episodeOfCare(Callers.nurseOkafor(), BOROUGH_TRUST, patient);
        String infection = borough.condition(Callers.drPatel(), patient, "15628003");
        String hypertension = borough.condition(Callers.drPatel(), patient, "38341003");

        var stored = borough.as(Callers.drPatel()).read().resource("Condition").withId(idPart(infection)).execute();
        assertThat(stored.getMeta().getSecurity()).extracting(c -> c.getCode()).contains("STD");
        assertThat(search(Callers.nurseOkafor(), "Condition?subject=" + patient))
                .contains(hypertension).doesNotContain(infection);
        assertThat(read(breakingGlass(Callers.nurseOkafor()), infection).status()).isEqualTo(404);
    }

    @Test
    void clinicianBreakingGlassSeesTheRecordWithoutARelationship() {
        String patient = borough.patientAtRiverside();
        String observation = borough.bloodPressure(Callers.drPatel(), patient);

        assertThat(read(Callers.nurseOkafor(), observation).status()).isEqualTo(404);
        assertThat(read(breakingGlass(Callers.nurseOkafor()), observation).status()).isEqualTo(200);
    }

    @Test
    void socialWorkerSeesEncountersWithoutTheirClinicalDetail() {
        String patient = borough.patientAtRiverside();
        borough.episodeOfCare(Callers.swMurphy(), BOROUGH_COUNCIL, patient);
        String encounter = borough.encounter(Callers.drPatel(), patient, "Chest pain");

        Encounter seen = borough.as(Callers.swMurphy()).read().resource(Encounter.class).withId(idPart(encounter))
                .execute();

        assertThat(seen.getReasonCode()).isEmpty();
        assertThat(seen.getMeta().getSecurity()).extracting(c -> c.getCode()).contains("REDACTED");
        assertThat(borough.as(Callers.drPatel()).read().resource(Encounter.class).withId(idPart(encounter))
                .execute().getReasonCodeFirstRep().getText()).isEqualTo("Chest pain");
    }

    @Test
    void commissioningPurposeGetsNoIdentifiableDataAndIsToldWhy() {
        FhirServerClient analyst = new FhirServerClient(port, Callers.analystChen().sign())
                .withHeader(AccessContextResolver.PURPOSE_HEADER, "HOPERAT");

        RawResponse response = analyst.get("/Patient");

        assertThat(response.status()).isEqualTo(403);
        assertThat(response.operationOutcome().getIssueFirstRep().getDiagnostics())
                .contains("direct care only").contains("pseudonymised extract");
    }

    @Test
    void organisationCannotChangeDataAnotherOrganisationRecorded() {
        String patient = borough.patientAtRiverside();
        borough.episodeOfCare(Callers.swMurphy(), BOROUGH_COUNCIL, patient);
        String plan = borough.carePlan(Callers.drPatel(), patient, "Falls prevention");
        var visibleToCouncil = borough.as(Callers.swMurphy()).read().resource("CarePlan").withId(idPart(plan))
                .execute();

        RawResponse response = new FhirServerClient(port, Callers.swMurphy().sign()).send("PUT", "/" + plan,
                FhirServerClient.FHIR.newJsonParser().encodeResourceToString(visibleToCouncil),
                "application/fhir+json");

        assertThat(response.status()).isEqualTo(403);
        assertThat(response.operationOutcome().getIssueFirstRep().getDiagnostics())
                .contains("change only data their own organisation recorded");
    }

    @Test
    void onlyTheRegisteredPracticeRecordsAPatientsConsent() {
        String patient = borough.patientAtRiverside();
        borough.episodeOfCare(Callers.swMurphy(), BOROUGH_COUNCIL, patient);
        Consent consent = RecordFixtures.sharingDissent(
                new Reference(patient));

        RawResponse byCouncil = new FhirServerClient(port, Callers.swMurphy().sign()).send("POST", "/Consent",
                FhirServerClient.FHIR.newJsonParser().encodeResourceToString(consent), "application/fhir+json");

        assertThat(byCouncil.status()).isEqualTo(403);
        assertThat(byCouncil.operationOutcome().getIssueFirstRep().getDiagnostics())
                .contains("registered GP practice");
    }

    private List<String> search(Token caller, String url) {
        Bundle bundle = borough.as(caller).search().byUrl(url).returnBundle(Bundle.class).execute();
        return bundle.getEntry().stream()
                .map(e -> e.getResource().fhirType() + "/" + e.getResource().getIdElement().getIdPart())
                .toList();
    }

    private RawResponse read(Token caller, String id) {
        return new FhirServerClient(port, caller.sign()).get("/" + id);
    }

    private RawResponse read(FhirServerClient caller, String id) {
        return caller.get("/" + id);
    }

    private FhirServerClient breakingGlass(Token clinician) {
        return new FhirServerClient(port, clinician.sign())
                .withHeader(AccessContextResolver.PURPOSE_HEADER, "ETREAT")
                .withHeader(AccessContextResolver.BREAK_GLASS_REASON_HEADER, "Collapsed in clinic, unresponsive");
    }

    /** Dissent and withdrawal are ordered by their effective time, which has a resolution of one second here. */
    private static void sleepPastTheDissentTimestamp() {
        try {
            Thread.sleep(1100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String idPart(String id) {
        return id.substring(id.indexOf('/') + 1);
    }
}
