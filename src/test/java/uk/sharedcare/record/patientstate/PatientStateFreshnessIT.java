package uk.sharedcare.record.patientstate;

import static org.assertj.core.api.Assertions.assertThat;
import static uk.sharedcare.support.Callers.BOROUGH_COUNCIL;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import java.util.Date;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.Flag;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import uk.sharedcare.support.BoroughScenario;
import uk.sharedcare.support.Callers;
import uk.sharedcare.support.FhirServerClient;
import uk.sharedcare.support.PostgresFhirServerTest;
import uk.sharedcare.support.RecordFixtures;
import uk.sharedcare.support.TestIdentityProvider.Token;

/**
 * Each policy input, changed after a read has put the patient's state in this node's cache, governs the very next
 * read. Every test reads first, so it fails if that input's write no longer bumps the patient's stamp.
 */
@PostgresFhirServerTest
class PatientStateFreshnessIT {

    @LocalServerPort
    int port;

    @Autowired
    DaoRegistry daos;

    BoroughScenario borough;

    @BeforeEach
    void borough() {
        borough = new BoroughScenario(port);
    }

    @Test
    void patientBecomingAChildStopsTheNextRead() {
        String patient = borough.patientAtRiverside();
        String plan = sharedWithTheCouncil(patient);

        Patient stored = borough.as(Callers.drPatel()).read().resource(Patient.class).withId(idPart(patient)).execute();
        stored.setBirthDateElement(new DateType("2015-02-01"));
        borough.as(Callers.drPatel()).update().resource(stored).execute();

        assertThat(read(Callers.swMurphy(), plan)).isEqualTo(404);
    }

    @Test
    void consentOptOutStopsTheNextRead() {
        String patient = borough.patientAtRiverside();
        String plan = sharedWithTheCouncil(patient);

        borough.privacyConsent(Callers.drPatel(), patient, false);

        assertThat(read(Callers.swMurphy(), plan)).isEqualTo(404);
    }

    @Test
    void deletedOptOutNoLongerStopsTheNextRead() {
        String patient = borough.patientAtRiverside();
        String plan = sharedWithTheCouncil(patient);
        String optOut = borough.privacyConsent(Callers.drPatel(), patient, false);
        assertThat(read(Callers.swMurphy(), plan)).isEqualTo(404);

        borough.as(Callers.drPatel()).delete().resourceById(new IdType(optOut)).execute();

        assertThat(read(Callers.swMurphy(), plan)).isEqualTo(200);
    }

    @Test
    void optOutInATransactionBundleStopsTheNextRead() {
        String patient = borough.patientAtRiverside();
        String plan = sharedWithTheCouncil(patient);

        Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        transaction.addEntry().setResource(RecordFixtures.sharingDissent(new Reference(patient)))
                .getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Consent");
        borough.as(Callers.drPatel()).transaction().withBundle(transaction).execute();

        assertThat(read(Callers.swMurphy(), plan)).isEqualTo(404);
    }

    @Test
    void optOutTheServerWritesItselfStopsTheNextRead() {
        String patient = borough.patientAtRiverside();
        String plan = sharedWithTheCouncil(patient);

        daos.getResourceDao(Consent.class).create(RecordFixtures.sharingDissent(new Reference(patient)),
                new SystemRequestDetails());

        assertThat(read(Callers.swMurphy(), plan)).isEqualTo(404);
    }

    @Test
    void newEpisodeOfCareOpensTheNextRead() {
        String patient = borough.patientAtRiverside();
        String plan = borough.carePlan(Callers.drPatel(), patient, "Falls prevention");
        assertThat(read(Callers.swMurphy(), plan)).isEqualTo(404);

        borough.episodeOfCare(Callers.swMurphy(), BOROUGH_COUNCIL, patient);

        assertThat(read(Callers.swMurphy(), plan)).isEqualTo(200);
    }

    @Test
    void careTeamRecordedByThePracticeOpensTheNextRead() {
        String patient = borough.patientAtRiverside();
        String plan = borough.carePlan(Callers.drPatel(), patient, "Falls prevention");
        Practitioner murphy = new Practitioner();
        murphy.setId("sw-murphy");
        murphy.addName().setFamily("Murphy");
        borough.as(Callers.token("service-account-council-hr", "system", BOROUGH_COUNCIL))
                .update().resource(murphy).execute();
        assertThat(read(Callers.swMurphy(), plan)).isEqualTo(404);

        CareTeam team = new CareTeam();
        team.setStatus(CareTeam.CareTeamStatus.ACTIVE);
        team.setSubject(new Reference(patient));
        team.addParticipant().setMember(new Reference("Practitioner/sw-murphy"));
        borough.create(Callers.drPatel(), team);

        assertThat(read(Callers.swMurphy(), plan)).isEqualTo(200);
    }

    @Test
    void cohortConditionStopsTheNextRead() {
        String patient = borough.patientAtRiverside();
        String plan = sharedWithTheCouncil(patient);

        borough.condition(Callers.drPatel(), patient, "110359009");

        assertThat(read(Callers.swMurphy(), plan)).isEqualTo(404);
    }

    @Test
    void cohortFlagStopsTheNextRead() {
        String patient = borough.patientAtRiverside();
        String plan = sharedWithTheCouncil(patient);

        Flag flag = new Flag();
        flag.setStatus(Flag.FlagStatus.ACTIVE);
        flag.setCode(new CodeableConcept(new Coding(BoroughScenario.SNOMED, "416075005", null)));
        flag.setSubject(new Reference(patient));
        flag.getPeriod().setStart(new Date());
        borough.create(Callers.drPatel(), flag);

        assertThat(read(Callers.swMurphy(), plan)).isEqualTo(404);
    }

    @Test
    void gpDissentObservationStopsTheNextRead() {
        String patient = borough.patientAtRiverside();
        String plan = sharedWithTheCouncil(patient);

        borough.observation(Callers.drPatel(), patient, "http://read.info/readv2", "9Nu0.");

        assertThat(read(Callers.swMurphy(), plan)).isEqualTo(404);
    }

    @Test
    void practicesNewOdsCodeGovernsTheNextRead() {
        Organization practice = new Organization();
        practice.setName("Riverside Medical Centre");
        practice.addIdentifier(new Identifier().setSystem(RecordFixtures.ODS_SYSTEM).setValue(Callers.RIVERSIDE_PRACTICE));
        String practiceId = borough.create(Callers.drPatel(), practice);
        Patient registered = RecordFixtures.patient(RecordFixtures.uniqueNhsNumber(), "Registered");
        registered.getGeneralPractitioner().clear();
        registered.addGeneralPractitioner(new Reference(practiceId));
        String patient = borough.create(Callers.drPatel(), registered);
        String observation = borough.bloodPressure(Callers.nurseOkafor(), patient);
        assertThat(read(Callers.drPatel(), observation)).as("the registered practice sees it").isEqualTo(200);

        practice.setId(practiceId);
        practice.getIdentifierFirstRep().setValue("Y90003");
        borough.as(Callers.drPatel()).update().resource(practice).execute();

        assertThat(read(Callers.drPatel(), observation)).isEqualTo(404);
    }

    /** A care plan the council's social worker may read, after one read has cached the patient's state. */
    private String sharedWithTheCouncil(String patient) {
        String plan = borough.carePlan(Callers.drPatel(), patient, "Memory clinic");
        borough.episodeOfCare(Callers.swMurphy(), BOROUGH_COUNCIL, patient);
        assertThat(read(Callers.swMurphy(), plan)).isEqualTo(200);
        return plan;
    }

    private int read(Token caller, String id) {
        return new FhirServerClient(port, caller.sign()).get("/" + id).status();
    }

    private static String idPart(String id) {
        return id.substring(id.indexOf('/') + 1);
    }
}
