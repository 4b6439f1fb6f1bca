package uk.sharedcare.record.consent;

import static org.assertj.core.api.Assertions.assertThat;
import static uk.sharedcare.support.HiddenVersusMissing.assertHiddenLooksMissing;

import java.util.Date;
import java.util.List;
import javax.sql.DataSource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Communication;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Parameters.ParametersParameterComponent;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import uk.sharedcare.record.access.AccessContextResolver;
import uk.sharedcare.support.AlertOutbox;
import uk.sharedcare.support.BoroughScenario;
import uk.sharedcare.support.Callers;
import uk.sharedcare.support.FhirServerClient;
import uk.sharedcare.support.FhirServerClient.RawResponse;
import uk.sharedcare.support.HiddenVersusMissing;
import uk.sharedcare.support.HiddenVersusMissing.Probe;
import uk.sharedcare.support.PostgresFhirServerTest;
import uk.sharedcare.support.RecordFixtures;
import uk.sharedcare.support.TestIdentityProvider;

/**
 * A patient signed in for themselves (role {@code patient}, linked to their record by NHS number): they see their
 * own details, their sharing choices and who has looked at their record, and record their own opt-out, which
 * their practice is told of; never another patient's record, and none of their clinical record.
 */
@PostgresFhirServerTest
class PatientsOwnRecordIT {

    private static final String NHS = "https://fhir.nhs.uk/Id/nhs-number";

    @LocalServerPort
    int port;

    @Autowired
    DataSource dataSource;

    private BoroughScenario borough;
    private String patient;
    private String nhsNumber;
    private String observation;
    private FhirServerClient theirOwn;

    @BeforeEach
    void aPatientOfRiversideWithATrustEpisode() {
        borough = new BoroughScenario(port);
        patient = borough.patientAtRiverside();
        nhsNumber = nhsNumberOf(patient);
        observation = borough.bloodPressure(Callers.drPatel(), patient);
        borough.episodeOfCare(Callers.nurseOkafor(), Callers.BOROUGH_TRUST, patient);
        theirOwn = signedInAs(nhsNumber);
    }

    @Test
    void aPatientFindsTheirOwnRecordByNhsNumberAndSeesNoneOfTheirClinicalRecord() {
        Bundle found = search(theirOwn, "Patient?identifier=" + NHS + "%7C" + nhsNumber);

        assertThat(found.getEntry()).extracting(e -> e.getResource().getIdElement().toUnqualifiedVersionless()
                .getValue()).containsExactly(patient);
        assertThat(theirOwn.get("/" + patient).status()).isEqualTo(200);
        assertHiddenLooksMissing(theirOwn, Probe.get("/Observation/" + HiddenVersusMissing.TARGET), idPart(observation));
        assertThat(search(theirOwn, "Observation?patient=" + patient).getEntry()).isEmpty();
        assertThat(search(theirOwn, "Patient/" + idPart(patient) + "/$everything").getEntry())
                .extracting(e -> e.getResource().fhirType()).containsOnly("Patient");
    }

    @Test
    void aPatientCannotSeeOrFindAnotherPatientsRecordOrAccessReport() {
        String other = borough.patientAtRiverside();

        assertHiddenLooksMissing(theirOwn, Probe.get("/Patient/" + HiddenVersusMissing.TARGET), idPart(other));
        assertThat(search(theirOwn, "Patient?identifier=" + NHS + "%7C" + nhsNumberOf(other)).getEntry()).isEmpty();
        RawResponse report = theirOwn.get("/" + other + "/$access-report");
        RawResponse nobodysReport = theirOwn.get("/Patient/no-such-patient/$access-report");
        assertThat(report.status()).isEqualTo(403);
        assertThat(report.body()).isEqualTo(nobodysReport.body());
        assertThat(report.operationOutcome().getIssueFirstRep().getDiagnostics())
                .contains("a patient sees only their own record's access report");
    }

    @Test
    void aPatientsOptOutHidesTheirRecordFromTheTrustAndTheirPracticeIsTold() {
        assertThat(new FhirServerClient(port, Callers.nurseOkafor().sign()).get("/" + observation).status())
                .isEqualTo(200);

        RawResponse recorded = theirOwn.send("POST", "/Consent", json(ownChoice(patient, false)),
                "application/fhir+json");

        assertThat(recorded.status()).as(recorded.body()).isEqualTo(201);
        assertHiddenLooksMissing(new FhirServerClient(port, Callers.nurseOkafor().sign()),
                Probe.get("/Observation/" + HiddenVersusMissing.TARGET), idPart(observation));
        assertThat(search(theirOwn, "Consent?patient=" + patient).getEntry()).hasSize(1);
        List<Communication> told = alertsOfRiversideAbout(patient, "patient-choice");
        assertThat(told).singleElement().satisfies(alert -> {
            assertThat(alert.getPayloadFirstRep().getContentStringType().getValue())
                    .contains("opted out of sharing in the local scheme");
            assertThat(alert.getSender().getReference()).isEqualTo(patient);
        });
    }

    @Test
    void aPatientsReportShowsWhoLookedWithoutNamingStaffAndWhoHoldsTheirData() {
        new FhirServerClient(port, Callers.nurseOkafor().sign()).get("/" + observation);
        new FhirServerClient(port, Callers.nurseOkafor().sign())
                .withHeader(AccessContextResolver.PURPOSE_HEADER, "ETREAT")
                .withHeader(AccessContextResolver.BREAK_GLASS_REASON_HEADER, "Unconscious on arrival")
                .get("/" + observation);

        Parameters report = FhirServerClient.FHIR.newJsonParser().parseResource(Parameters.class,
                theirOwn.get("/" + patient + "/$access-report").body());

        assertThat(report.getParameter()).filteredOn(p -> p.getName().equals("accessor"))
                .anySatisfy(accessor -> {
                    assertThat(part(accessor, "organisation")).isEqualTo(Callers.BOROUGH_TRUST);
                    assertThat(part(accessor, "role")).isEqualTo("clinician");
                });
        assertThat(report.getParameter()).filteredOn(p -> p.getName().equals("breakGlass")).singleElement()
                .satisfies(breakGlass -> {
                    assertThat(part(breakGlass, "reason")).isEqualTo("Unconscious on arrival");
                    assertThat(part(breakGlass, "role")).isEqualTo("clinician");
                    assertThat(part(breakGlass, "user")).as("no staff user for the patient").isNull();
                });
        assertThat(report.getParameter()).filteredOn(p -> p.getName().equals("holder"))
                .extracting(p -> p.getValue().primitiveValue())
                .containsExactlyInAnyOrder(Callers.RIVERSIDE_PRACTICE, Callers.BOROUGH_TRUST);
    }

    @Test
    void aPatientRecordsNoChoiceForAnotherPatientAndNothingButTheirOwnChoice() {
        String other = borough.patientAtRiverside();
        Consent withoutPerformer = ownChoice(patient, false);
        withoutPerformer.getPerformer().clear();
        Observation observationOfTheirOwn = new Observation();
        observationOfTheirOwn.setStatus(Observation.ObservationStatus.FINAL);
        observationOfTheirOwn.getCode().setText("feeling fine");
        observationOfTheirOwn.setSubject(new Reference(patient));

        for (Resource refused : List.of(ownChoice(other, false), withoutPerformer, observationOfTheirOwn)) {
            RawResponse answer = theirOwn.send("POST", "/" + refused.fhirType(), json(refused),
                    "application/fhir+json");
            assertThat(answer.status()).as(answer.body()).isEqualTo(403);
        }
        String recorded = borough.privacyConsent(Callers.drPatel(), patient, true);
        Consent changed = borough.as(Callers.drPatel()).read().resource(Consent.class).withId(idPart(recorded))
                .execute();
        changed.getProvision().setType(Consent.ConsentProvisionType.DENY);
        assertThat(theirOwn.send("PUT", "/" + recorded, json(changed), "application/fhir+json").status())
                .as("a choice on the record is not rewritten; a new one is recorded").isEqualTo(403);
        assertThat(new FhirServerClient(port, Callers.nurseOkafor().sign()).get("/" + observation).status())
                .isEqualTo(200);
    }

    @Test
    void aPatientsTokenNeedsTheirNhsNumberAndNoStaffRole() {
        FhirServerClient withStaffRole = new FhirServerClient(port, TestIdentityProvider.token().roles("patient", "gp")
                .organisation(Callers.RIVERSIDE_PRACTICE).purposes("PATRQT", "TREAT").claim("nhs_number", nhsNumber)
                .sign());
        FhirServerClient withoutNhsNumber = new FhirServerClient(port, TestIdentityProvider.token().roles("patient")
                .purposes("PATRQT").sign());

        assertThat(withStaffRole.get("/" + patient).status()).isEqualTo(403);
        assertThat(withoutNhsNumber.get("/" + patient).status()).isEqualTo(403);
        assertThat(withStaffRole.get("/" + observation).status()).isEqualTo(403);
    }

    private FhirServerClient signedInAs(String nhs) {
        return new FhirServerClient(port, TestIdentityProvider.token().subject("patient-" + nhs).roles("patient")
                .purposes("PATRQT").without("organisation").claim("nhs_number", nhs).sign());
    }

    private static Consent ownChoice(String patientId, boolean share) {
        Consent consent = RecordFixtures.sharingDissent(new Reference(patientId));
        consent.setDateTime(new Date());
        consent.addPerformer(new Reference(patientId));
        consent.getProvision().setType(share ? Consent.ConsentProvisionType.PERMIT
                : Consent.ConsentProvisionType.DENY);
        return consent;
    }

    private String nhsNumberOf(String patientId) {
        Patient read = borough.as(Callers.drPatel()).read().resource(Patient.class).withId(idPart(patientId))
                .execute();
        return read.getIdentifier().stream().filter(i -> NHS.equals(i.getSystem())).findFirst().orElseThrow()
                .getValue();
    }

    private List<Communication> alertsOfRiversideAbout(String patientId, String kind) {
        AlertOutbox.awaitDelivered(dataSource);
        return borough.as(Callers.drPatel()).search().byUrl("Communication?subject=" + patientId)
                .returnBundle(Bundle.class).execute().getEntry().stream()
                .map(e -> (Communication) e.getResource())
                .filter(a -> kind.equals(a.getCategoryFirstRep().getCodingFirstRep().getCode())).toList();
    }

    private static Bundle search(FhirServerClient caller, String query) {
        RawResponse answer = caller.get("/" + query);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return FhirServerClient.FHIR.newJsonParser().parseResource(Bundle.class, answer.body());
    }

    private static String part(ParametersParameterComponent parameter, String name) {
        return parameter.getPart().stream().filter(p -> p.getName().equals(name)).findFirst()
                .map(p -> p.getValue().primitiveValue()).orElse(null);
    }

    private static String json(Resource resource) {
        return FhirServerClient.FHIR.newJsonParser().encodeResourceToString(resource);
    }

    private static String idPart(String id) {
        return id.substring(id.indexOf('/') + 1);
    }
}
