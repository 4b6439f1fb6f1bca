package uk.sharedcare.record.care;

import static org.assertj.core.api.Assertions.assertThat;
import static uk.sharedcare.support.Callers.BOROUGH_COUNCIL;
import static uk.sharedcare.support.Callers.BOROUGH_TRUST;

import java.util.List;
import javax.sql.DataSource;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.Communication;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.EpisodeOfCare;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import uk.sharedcare.support.AlertOutbox;
import uk.sharedcare.support.AuditTrailReader;
import uk.sharedcare.support.BoroughScenario;
import uk.sharedcare.support.Callers;
import uk.sharedcare.support.FhirServerClient;
import uk.sharedcare.support.FhirServerClient.RawResponse;
import uk.sharedcare.support.HiddenVersusMissing;
import uk.sharedcare.support.PostgresFhirServerTest;
import uk.sharedcare.support.RecordFixtures;
import uk.sharedcare.support.TestIdentityProvider;
import uk.sharedcare.support.TestIdentityProvider.Token;

/**
 * Starting care by NHS number and date of birth (rule 1): the only way an organisation without a relationship
 * with a patient gains one. Over HTTP: the operation, what it records, audits and alerts, a mismatch answering as an
 * unknown patient, and every way of recording an episode of care directly refused.
 */
@PostgresFhirServerTest
class StartOfCareIT {

    private static final String BORN = "1950-05-01";

    @LocalServerPort
    int port;

    @Autowired
    DataSource dataSource;

    private BoroughScenario borough;
    private String patient;
    private String nhsNumber;
    private String observation;
    private FhirServerClient nurse;

    @BeforeEach
    void aRiversidePatientTheTrustDoesNotYetCareFor() {
        borough = new BoroughScenario(port);
        nhsNumber = RecordFixtures.uniqueNhsNumber();
        Patient registered = RecordFixtures.patient(nhsNumber, "Start");
        registered.setBirthDateElement(new DateType(BORN));
        patient = borough.create(Callers.drPatel(), registered);
        observation = borough.bloodPressure(Callers.drPatel(), patient);
        nurse = new FhirServerClient(port, Callers.nurseOkafor().sign());
    }

    @Test
    void aTrustStartsCareByNhsNumberAndDateOfBirthAndThenSeesThePracticesRecord() {
        assertThat(nurse.get("/" + observation).status()).isEqualTo(404);

        RawResponse started = startCare(Callers.nurseOkafor(), nhsNumber, BORN, null);

        assertThat(started.status()).as(started.body()).isIn(200, 201);
        EpisodeOfCare episode = FhirServerClient.FHIR.newJsonParser().parseResource(EpisodeOfCare.class,
                started.body());
        assertThat(episode.getStatus()).isEqualTo(EpisodeOfCare.EpisodeOfCareStatus.ACTIVE);
        assertThat(episode.getPatient().getReference()).isEqualTo(patient);
        assertThat(episode.getManagingOrganization().getIdentifier().getValue()).isEqualTo(BOROUGH_TRUST);
        assertThat(episode.getTypeFirstRep().getCodingFirstRep().getCode()).isEqualTo("health");
        assertThat(episode.getPeriod().hasStart()).isTrue();
        assertThat(nurse.get("/" + observation).status()).isEqualTo(200);
        assertThat(nurse.get("/EpisodeOfCare/" + episode.getIdPart()).status()).as("stored").isEqualTo(200);
    }

    @Test
    void aSocialWorkersStartOfCareIsASocialCareEpisodeOfTheCouncil() {
        RawResponse started = startCare(Callers.swMurphy(), nhsNumber, BORN, null);

        EpisodeOfCare episode = FhirServerClient.FHIR.newJsonParser().parseResource(EpisodeOfCare.class,
                started.body());
        assertThat(episode.getManagingOrganization().getIdentifier().getValue()).isEqualTo(BOROUGH_COUNCIL);
        assertThat(episode.getTypeFirstRep().getCodingFirstRep().getCode()).isEqualTo("social-care");
    }

    @Test
    void theStartOfCareIsOnTheRecordAndThePracticeIsToldOfTheNewOrganisation() {
        assertThat(startCare(Callers.nurseOkafor(), nhsNumber, BORN, null).status()).isIn(200, 201);

        List<AuditEvent> trail = new AuditTrailReader(port).events("patient=" + patient);
        assertThat(trail).anySatisfy(event -> {
            assertThat(event.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._0);
            assertThat(event.getAgentFirstRep().getWho().getIdentifier().getValue()).contains("nurse.okafor");
            assertThat(event.getEntity()).anySatisfy(entity ->
                    assertThat(entity.getWhat().getReference()).startsWith("EpisodeOfCare/"));
        });
        AlertOutbox.awaitDelivered(dataSource);
        List<Communication> alerts = borough.as(Callers.drPatel()).search()
                .byUrl("Communication?subject=" + patient).returnBundle(Bundle.class).execute().getEntry().stream()
                .map(entry -> (Communication) entry.getResource()).toList();
        assertThat(alerts).filteredOn(alert -> "new-accessor".equals(
                alert.getCategoryFirstRep().getCodingFirstRep().getCode())
                && BOROUGH_TRUST.equals(alert.getSender().getIdentifier().getValue()))
                .as("one alert of the trust's first access; the audit reader's own is another").hasSize(1);
    }

    @Test
    void aWrongDateOfBirthAnswersExactlyAsAnNhsNumberTheRecordDoesNotKnowAndStartsNothing() {
        RawResponse mismatch = startCare(Callers.nurseOkafor(), nhsNumber, "1950-05-02", null);
        String unknownNhsNumber = RecordFixtures.uniqueNhsNumber();
        RawResponse unknown = startCare(Callers.nurseOkafor(), unknownNhsNumber, "1950-05-02", null);

        assertThat(mismatch.status()).isEqualTo(404);
        assertThat(mismatch.operationOutcome().getIssueFirstRep().getDiagnostics())
                .isEqualTo("No patient known to the record has this NHS number and date of birth");
        HiddenVersusMissing.assertSameAnswer(mismatch, nhsNumber, unknown, unknownNhsNumber);
        assertThat(nurse.get("/" + observation).status()).isEqualTo(404);
    }

    @Test
    void recordingAnEpisodeDirectlyForAPatientWithoutARelationshipIsRefusedAsForAPatientTheRecordDoesNotKnow() {
        String missing = "Patient/" + HiddenVersusMissing.missingId();

        RawResponse known = post(nurse, "/EpisodeOfCare", RecordFixtures.episodeOfCare(new Reference(patient),
                BOROUGH_TRUST));
        RawResponse unknown = post(nurse, "/EpisodeOfCare", RecordFixtures.episodeOfCare(new Reference(missing),
                BOROUGH_TRUST));

        assertThat(known.status()).as(known.body()).isEqualTo(403);
        assertThat(known.operationOutcome().getIssueFirstRep().getDiagnostics())
                .contains(BOROUGH_TRUST + " has no relationship with " + patient);
        HiddenVersusMissing.assertSameAnswer(known, patient, unknown, missing);
        assertThat(nurse.get("/" + observation).status()).isEqualTo(404);
    }

    @Test
    void anEpisodePutUnderAnIdOfTheWritersChoosingGivesNoRelationship() {
        EpisodeOfCare episode = RecordFixtures.episodeOfCare(new Reference(patient), BOROUGH_TRUST);
        String id = "chosen-" + HiddenVersusMissing.missingId();
        episode.setId(id);

        RawResponse put = nurse.send("PUT", "/EpisodeOfCare/" + id, json(episode), "application/fhir+json");

        assertThat(put.status()).as("the record does not let writers choose ids: " + put.body()).isEqualTo(404);
        assertThat(nurse.get("/" + observation).status()).isEqualTo(404);
    }

    @Test
    void aTransactionThatRecordsSuchAnEpisodeIsRefusedWhole() {
        Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        Observation heartRate = new Observation();
        heartRate.setStatus(Observation.ObservationStatus.FINAL);
        heartRate.getCode().addCoding().setSystem("http://loinc.org").setCode("8867-4");
        heartRate.setSubject(new Reference(patient));
        add(transaction, heartRate);
        add(transaction, RecordFixtures.episodeOfCare(new Reference(patient), BOROUGH_TRUST));

        RawResponse answer = post(nurse, "", transaction);

        assertThat(answer.status()).as(answer.body()).isEqualTo(403);
        assertThat(nurse.get("/" + observation).status()).isEqualTo(404);
        Bundle heartRates = borough.as(Callers.drPatel()).search()
                .byUrl("Observation?patient=" + patient + "&code=http://loinc.org|8867-4").returnBundle(Bundle.class)
                .execute();
        assertThat(heartRates.getEntry()).as("nothing of the transaction stored").isEmpty();
    }

    @Test
    void aFinishedEpisodeCannotBeMadeActiveAgainToRegainTheRelationship() {
        RawResponse started = startCare(Callers.nurseOkafor(), nhsNumber, BORN, null);
        EpisodeOfCare episode = FhirServerClient.FHIR.newJsonParser().parseResource(EpisodeOfCare.class,
                started.body());
        episode.setStatus(EpisodeOfCare.EpisodeOfCareStatus.FINISHED);
        String path = "/EpisodeOfCare/" + episode.getIdPart();
        assertThat(nurse.send("PUT", path, json(episode), "application/fhir+json").status()).isEqualTo(200);
        assertThat(nurse.get("/" + observation).status()).isEqualTo(404);

        episode.setStatus(EpisodeOfCare.EpisodeOfCareStatus.ACTIVE);
        RawResponse reactivated = nurse.send("PUT", path, json(episode), "application/fhir+json");

        assertThat(reactivated.status()).as(reactivated.body()).isEqualTo(403);
        assertThat(nurse.get("/" + observation).status()).isEqualTo(404);
        assertThat(startCare(Callers.nurseOkafor(), nhsNumber, BORN, null).status()).as("care starts again")
                .isIn(200, 201);
        assertThat(nurse.get("/" + observation).status()).isEqualTo(200);
    }

    @Test
    void theRegisteredPracticeStillRecordsEpisodesOfItsOwnDirectly() {
        RawResponse created = post(new FhirServerClient(port, Callers.drPatel().sign()), "/EpisodeOfCare",
                RecordFixtures.episodeOfCare(new Reference(patient), Callers.RIVERSIDE_PRACTICE));

        assertThat(created.status()).as(created.body()).isEqualTo(201);
    }

    @Test
    void onlyCaringRolesStartCareAndOnlyForDirectCareWhetherOrNotThePatientExists() {
        Token dpo = TestIdentityProvider.token().subject("dpo.start").roles("dpo").organisation(BOROUGH_TRUST)
                .purposes("TREAT", "HOPERAT");
        Token auditing = TestIdentityProvider.token().subject("nurse.auditing").roles("clinician")
                .organisation(BOROUGH_TRUST).purposes("HOPERAT");

        for (Token caller : List.of(dpo, auditing)) {
            RawResponse known = startCare(caller, nhsNumber, BORN, null);
            String unknownNhsNumber = RecordFixtures.uniqueNhsNumber();
            RawResponse unknown = startCare(caller, unknownNhsNumber, BORN, null);
            assertThat(known.status()).as(known.body()).isEqualTo(403);
            HiddenVersusMissing.assertSameAnswer(known, nhsNumber, unknown, unknownNhsNumber);
        }
        assertThat(startCare(dpo, nhsNumber, BORN, null).operationOutcome().getIssueFirstRep().getDiagnostics())
                .contains("begins its care of a patient with Patient/$start-care")
                .contains("[dpo] do not start caring for patients");
        assertThat(nurse.get("/" + observation).status()).isEqualTo(404);
    }

    @Test
    void incompleteOrMalformedParametersAreRefusedWithAnOperationOutcome() {
        assertBadRequest(startCare(Callers.nurseOkafor(), null, BORN, null), "nhsNumber");
        assertBadRequest(startCare(Callers.nurseOkafor(), nhsNumber, "1950-05", null), "birthDate");
        assertBadRequest(startCare(Callers.nurseOkafor(), nhsNumber, null, null), "birthDate");
        assertBadRequest(startCare(Callers.nurseOkafor(), nhsNumber, BORN, "dentistry"), "episodeType");
        assertThat(nurse.get("/" + observation).status()).isEqualTo(404);
    }

    private static void assertBadRequest(RawResponse answer, String naming) {
        assertThat(answer.status()).as(answer.body()).isEqualTo(400);
        assertThat(answer.operationOutcome().getIssueFirstRep().getDiagnostics()).contains(naming);
    }

    private RawResponse startCare(Token caller, String nhs, String birthDate, String episodeType) {
        Parameters parameters = new Parameters();
        if (nhs != null) {
            parameters.addParameter("nhsNumber", nhs);
        }
        if (birthDate != null) {
            parameters.addParameter().setName("birthDate").setValue(new DateType(birthDate));
        }
        if (episodeType != null) {
            parameters.addParameter().setName("episodeType").setValue(new CodeType(episodeType));
        }
        return post(new FhirServerClient(port, caller.sign()), "/Patient/$start-care", parameters);
    }

    private static RawResponse post(FhirServerClient client, String path, Resource resource) {
        return client.send("POST", path.isEmpty() ? "/" : path, json(resource), "application/fhir+json");
    }

    private static void add(Bundle transaction, Resource resource) {
        transaction.addEntry().setResource(resource).getRequest().setMethod(Bundle.HTTPVerb.POST)
                .setUrl(resource.fhirType());
    }

    private static String json(Resource resource) {
        return FhirServerClient.FHIR.newJsonParser().encodeResourceToString(resource);
    }
}
