package uk.sharedcare.record.care;

import static org.assertj.core.api.Assertions.assertThat;
import static uk.sharedcare.support.Callers.BOROUGH_COUNCIL;
import static uk.sharedcare.support.Callers.BOROUGH_TRUST;
import static uk.sharedcare.support.Callers.RIVERSIDE_PRACTICE;

import java.util.List;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Task;
import org.hl7.fhir.r4.model.Task.TaskStatus;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import uk.sharedcare.record.referral.Referrals;
import uk.sharedcare.support.AuditTrailReader;
import uk.sharedcare.support.BoroughScenario;
import uk.sharedcare.support.Callers;
import uk.sharedcare.support.FhirServerClient;
import uk.sharedcare.support.FhirServerClient.RawResponse;
import uk.sharedcare.support.HiddenVersusMissing;
import uk.sharedcare.support.HiddenVersusMissing.Probe;
import uk.sharedcare.support.PostgresFhirServerTest;
import uk.sharedcare.support.TestIdentityProvider.Token;

/**
 * Referrals and their status (rule 12), over HTTP: a GP practice refers its patient to the council's social care
 * (ServiceRequest), the council reports the referral's status (Task: received, accepted, rejected with a reason,
 * in progress, completed), and both are shared between the practice and the council only: the hospital trust, which
 * cares for the patient too and sees the practice's other requests, sees neither, exactly as if they did not exist.
 */
@PostgresFhirServerTest
class ReferralsIT {

    @LocalServerPort
    int port;

    private BoroughScenario borough;
    private String patient;
    private FhirServerClient gp;
    private FhirServerClient socialWorker;
    private FhirServerClient nurse;

    @BeforeEach
    void aRiversidePatientTheTrustAlsoCaresFor() {
        borough = new BoroughScenario(port);
        patient = borough.patientAtRiverside();
        borough.episodeOfCare(Callers.nurseOkafor(), BOROUGH_TRUST, patient);
        gp = client(Callers.drPatel());
        socialWorker = client(Callers.swMurphy());
        nurse = client(Callers.nurseOkafor());
    }

    @Test
    void theCouncilSeesAReferralAddressedToItAndWhoItIsForButNotTheRestOfTheRecordUntilItStartsCare() {
        String plan = borough.carePlan(Callers.drPatel(), patient, "Diabetes review");
        String referral = borough.referral(Callers.drPatel(), patient, BOROUGH_COUNCIL);

        assertThat(socialWorker.get("/" + referral).status()).as("the referral addressed to the council")
                .isEqualTo(200);
        RawResponse details = socialWorker.get("/" + patient);
        assertThat(details.status()).as("who is referred").isEqualTo(200);
        assertThat(socialWorker.get("/" + plan).status()).as("not yet caring for the patient").isEqualTo(404);
        assertThat(ids(socialWorker.fhir().search().byUrl("ServiceRequest?patient=" + patient)
                .returnBundle(Bundle.class).execute())).containsExactly(referral);

        Patient referred = FhirServerClient.FHIR.newJsonParser().parseResource(Patient.class, details.body());
        borough.startCare(Callers.swMurphy(), referred.getIdentifierFirstRep().getValue(),
                referred.getBirthDateElement().getValueAsString(), "social-care");

        assertThat(socialWorker.get("/" + plan).status()).as("once the council cares for the patient").isEqualTo(200);
    }

    @Test
    void theCouncilReportsTheReferralsStatusAndThePracticeSeesEachChange() {
        String referral = borough.referral(Callers.drPatel(), patient, BOROUGH_COUNCIL);
        String status = borough.create(Callers.swMurphy(),
                BoroughScenario.referralStatus(referral, patient, BOROUGH_COUNCIL, TaskStatus.RECEIVED, null));
        assertThat(statusAsTheGpSeesIt(status)).isEqualTo(TaskStatus.RECEIVED);

        Task accepted = socialWorker.fhir().read().resource(Task.class).withId(idPart(status)).execute();
        accepted.setStatus(TaskStatus.ACCEPTED);
        socialWorker.fhir().update().resource(accepted).execute();
        assertThat(statusAsTheGpSeesIt(status)).isEqualTo(TaskStatus.ACCEPTED);

        Task done = socialWorker.fhir().read().resource(Task.class).withId(idPart(status)).execute();
        done.setStatus(TaskStatus.COMPLETED);
        done.getStatusReason().setText("Home care in place, four visits a day");
        socialWorker.fhir().update().resource(done).execute();
        Task seen = gp.fhir().read().resource(Task.class).withId(idPart(status)).execute();
        assertThat(seen.getStatus()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(seen.getStatusReason().getText()).isEqualTo("Home care in place, four visits a day");
        assertThat(ids(gp.fhir().search().byUrl("Task?patient=" + patient).returnBundle(Bundle.class).execute()))
                .containsExactly(status);
    }

    @Test
    void aReferralStatusTheCouncilMayUpdateButTheTrustMayNotSee() {
        String ordinaryRequest = borough.create(Callers.drPatel(), bloodTest(patient));
        String referral = borough.referral(Callers.drPatel(), patient, BOROUGH_COUNCIL);
        String status = borough.create(Callers.swMurphy(),
                BoroughScenario.referralStatus(referral, patient, BOROUGH_COUNCIL, TaskStatus.RECEIVED, null));
        Task accepted = socialWorker.fhir().read().resource(Task.class).withId(idPart(status)).execute();
        accepted.setStatus(TaskStatus.ACCEPTED);
        assertThat(socialWorker.send("PUT", "/" + status, accepted).status()).as("the council updates it")
                .isEqualTo(200);

        assertThat(nurse.get("/" + ordinaryRequest).status()).as("the trust sees the practice's other requests")
                .isEqualTo(200);
        HiddenVersusMissing.assertHiddenLooksMissing(nurse, Probe.get("/Task/" + HiddenVersusMissing.TARGET),
                idPart(status));
        HiddenVersusMissing.assertHiddenLooksMissing(nurse, Probe.get("/ServiceRequest/" + HiddenVersusMissing.TARGET),
                idPart(referral));
        HiddenVersusMissing.assertHiddenLooksMissing(nurse,
                Probe.get("/Task/" + HiddenVersusMissing.TARGET + "/_history/2"), idPart(status));
        assertThat(ids(nurse.fhir().search().byUrl("Task?patient=" + patient).returnBundle(Bundle.class).execute()))
                .isEmpty();
        assertThat(ids(nurse.fhir().search().byUrl("ServiceRequest?patient=" + patient).returnBundle(Bundle.class)
                .execute())).containsExactly(ordinaryRequest);
        assertThat(ids(nurse.fhir().search().byUrl("ServiceRequest?patient=" + patient + "&_revinclude=Task:focus")
                .returnBundle(Bundle.class).execute())).containsExactly(ordinaryRequest);

        Task trustsOwn = BoroughScenario.referralStatus(referral, patient, BOROUGH_TRUST, TaskStatus.REJECTED,
                "Not ours");
        RawResponse reported = nurse.send("POST", "/Task", trustsOwn);
        assertThat(reported.status()).as("only the council reports on a referral to it").isEqualTo(403);
        assertThat(reported.operationOutcome().getIssueFirstRep().getDiagnostics())
                .contains("Task.focus is not a referral addressed to " + BOROUGH_TRUST);
        accepted = socialWorker.fhir().read().resource(Task.class).withId(idPart(status)).execute();
        accepted.setStatus(TaskStatus.COMPLETED);
        assertThat(gp.send("PUT", "/" + status, accepted).status()).as("the practice reads it, the council writes it")
                .isEqualTo(403);
        assertThat(statusAsTheGpSeesIt(status)).isEqualTo(TaskStatus.ACCEPTED);
    }

    @Test
    void partiesAClientNamesItselfAreDiscardedSoATagCannotShareAReferralWithTheTrust() {
        ServiceRequest claimingTheTrust = BoroughScenario.referralTo(BOROUGH_COUNCIL, patient);
        claimingTheTrust.getMeta().addTag(Referrals.PARTY_TAG_SYSTEM, BOROUGH_TRUST, null);
        String referral = borough.create(Callers.drPatel(), claimingTheTrust);

        assertThat(nurse.get("/" + referral).status()).isEqualTo(404);
        ServiceRequest stored = gp.fhir().read().resource(ServiceRequest.class).withId(idPart(referral)).execute();
        assertThat(stored.getMeta().getTag()).filteredOn(tag -> Referrals.PARTY_TAG_SYSTEM.equals(tag.getSystem()))
                .extracting(Coding::getCode).containsExactlyInAnyOrder(RIVERSIDE_PRACTICE, BOROUGH_COUNCIL);
    }

    @Test
    void aRejectionSaysWhyAndAStatusIsForThePatientReferred() {
        String referral = borough.referral(Callers.drPatel(), patient, BOROUGH_COUNCIL);
        String someoneElse = borough.patientAtRiverside();

        RawResponse noReason = socialWorker.send("POST", "/Task",
                BoroughScenario.referralStatus(referral, patient, BOROUGH_COUNCIL, TaskStatus.REJECTED, null));
        RawResponse otherPatient = socialWorker.send("POST", "/Task",
                BoroughScenario.referralStatus(referral, someoneElse, BOROUGH_COUNCIL, TaskStatus.ACCEPTED, null));
        RawResponse notAReferralStatus = socialWorker.send("POST", "/Task",
                BoroughScenario.referralStatus(referral, patient, BOROUGH_COUNCIL, TaskStatus.DRAFT, null));
        RawResponse withReason = socialWorker.send("POST", "/Task", BoroughScenario.referralStatus(referral, patient,
                BOROUGH_COUNCIL, TaskStatus.REJECTED, "Needs are met by the family carer"));

        assertThat(noReason.status()).isEqualTo(422);
        assertThat(noReason.body()).contains("scr-rst-1");
        assertThat(otherPatient.status()).isEqualTo(422);
        assertThat(otherPatient.operationOutcome().getIssueFirstRep().getExpression().get(0).getValue())
                .isEqualTo("Task.for");
        assertThat(notAReferralStatus.status()).as("draft is not a status a recipient reports").isEqualTo(422);
        assertThat(withReason.status()).as(withReason.body()).isEqualTo(201);
    }

    @Test
    void onlyAnOrganisationWithARelationshipRefersAPatientAndItsRecipientsDoNotChange() {
        Token northgateGp = Callers.drJones();
        String missing = "Patient/" + HiddenVersusMissing.missingId();

        RawResponse stranger = client(northgateGp).send("POST", "/ServiceRequest",
                BoroughScenario.referralTo(BOROUGH_COUNCIL, patient));
        RawResponse unknown = client(northgateGp).send("POST", "/ServiceRequest",
                BoroughScenario.referralTo(BOROUGH_COUNCIL, missing));
        assertThat(stranger.status()).isEqualTo(403);
        HiddenVersusMissing.assertSameAnswer(stranger, patient, unknown, missing);

        ServiceRequest toNobody = BoroughScenario.referralTo(BOROUGH_COUNCIL, patient);
        toNobody.getPerformer().clear();
        assertThat(gp.send("POST", "/ServiceRequest", toNobody).status()).isEqualTo(422);
        ServiceRequest toItself = BoroughScenario.referralTo(RIVERSIDE_PRACTICE, patient);
        assertThat(gp.send("POST", "/ServiceRequest", toItself).status()).isEqualTo(422);

        String referral = borough.referral(Callers.drPatel(), patient, BOROUGH_COUNCIL);
        ServiceRequest redirected = gp.fhir().read().resource(ServiceRequest.class).withId(idPart(referral)).execute();
        redirected.getPerformerFirstRep().getIdentifier().setValue(BOROUGH_TRUST);
        RawResponse moved = gp.send("PUT", "/" + referral, redirected);
        assertThat(moved.status()).isEqualTo(422);
        assertThat(moved.operationOutcome().getIssueFirstRep().getDiagnostics()).contains("revoke it and refer again");
        assertThat(nurse.get("/" + referral).status()).isEqualTo(404);

        ServiceRequest revoked = gp.fhir().read().resource(ServiceRequest.class).withId(idPart(referral)).execute();
        revoked.setStatus(ServiceRequest.ServiceRequestStatus.REVOKED);
        assertThat(gp.send("PUT", "/" + referral, revoked).status()).isEqualTo(200);
        assertThat(socialWorker.get("/" + patient).status()).as("a revoked referral gives no relationship")
                .isEqualTo(404);
        assertThat(socialWorker.get("/" + referral).status()).as("the council still sees the referral made to it")
                .isEqualTo(200);
    }

    @Test
    void eachReadOfTheStatusIsOnThePatientsAuditTrailWithTheRuleThatDecidedIt() {
        String referral = borough.referral(Callers.drPatel(), patient, BOROUGH_COUNCIL);
        String status = borough.create(Callers.swMurphy(),
                BoroughScenario.referralStatus(referral, patient, BOROUGH_COUNCIL, TaskStatus.RECEIVED, null));

        assertThat(gp.get("/" + status).status()).isEqualTo(200);
        assertThat(nurse.get("/" + status).status()).isEqualTo(404);

        List<AuditEvent> trail = new AuditTrailReader(port).events("patient=" + patient);
        assertThat(trail).anySatisfy(event -> {
            assertThat(event.getAgentFirstRep().getWho().getIdentifier().getValue()).contains("dr.patel");
            assertThat(event.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._0);
            assertThat(event.getEntity()).anySatisfy(entity ->
                    assertThat(entity.getWhat().getReference()).startsWith(status));
            assertThat(rules(event, "permitting rule")).contains("REFERRAL_PARTIES");
        });
        assertThat(trail).anySatisfy(event -> {
            assertThat(event.getAgentFirstRep().getWho().getIdentifier().getValue()).contains("nurse.okafor");
            assertThat(event.getOutcome()).isNotEqualTo(AuditEvent.AuditEventOutcome._0);
            assertThat(rules(event, "deciding rule")).containsExactly("REFERRAL_PARTIES");
        });
    }

    private static List<String> rules(AuditEvent event, String description) {
        return event.getEntity().stream().filter(entity -> description.equals(entity.getDescription()))
                .flatMap(entity -> entity.getDetail().stream())
                .filter(detail -> "rule".equals(detail.getType()))
                .map(detail -> detail.getValue().primitiveValue()).toList();
    }

    private TaskStatus statusAsTheGpSeesIt(String status) {
        return gp.fhir().read().resource(Task.class).withId(idPart(status)).execute().getStatus();
    }

    private static ServiceRequest bloodTest(String patient) {
        ServiceRequest request = new ServiceRequest();
        request.setStatus(ServiceRequest.ServiceRequestStatus.ACTIVE);
        request.setIntent(ServiceRequest.ServiceRequestIntent.ORDER);
        request.addCategory().addCoding(new Coding(BoroughScenario.SNOMED, "108252007", "Laboratory procedure"));
        request.setSubject(new Reference(patient));
        return request;
    }

    private FhirServerClient client(Token token) {
        return new FhirServerClient(port, token.sign());
    }

    private static String idPart(String reference) {
        return reference.substring(reference.indexOf('/') + 1);
    }

    private static List<String> ids(Bundle bundle) {
        return bundle.getEntry().stream().map(Bundle.BundleEntryComponent::getResource)
                .map(Resource::getIdElement).map(id -> id.toUnqualifiedVersionless().getValue()).toList();
    }
}
