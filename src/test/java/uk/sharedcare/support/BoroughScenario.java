package uk.sharedcare.support;

import static uk.sharedcare.support.RecordFixtures.ODS_SYSTEM;
import static uk.sharedcare.support.RecordFixtures.patientRegisteredAt;
import static uk.sharedcare.support.RecordFixtures.uniqueNhsNumber;

import ca.uhn.fhir.rest.client.api.IGenericClient;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.EpisodeOfCare;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Task;

/**
 * Builds one patient's shared record through the API, each piece written by the organisation that would really
 * record it, so that custodians, labels and relationships are the server's own. Every scenario gets a new
 * patient, so tests never see each other's data.
 */
public final class BoroughScenario {

    public static final String SNOMED = "http://snomed.info/sct";

    /** Every patient a scenario created, by server port and id, for starting care by NHS number and birth date. */
    private static final Map<String, Patient> patients = new ConcurrentHashMap<>();

    private final int port;

    public BoroughScenario(int port) {
        this.port = port;
    }

    public IGenericClient as(TestIdentityProvider.Token caller) {
        return new FhirServerClient(port, caller.sign()).fhir();
    }

    /** A patient registered at the given practice, written by that practice's GP. */
    public String patientAt(String practice, TestIdentityProvider.Token practiceGp, String birthDate) {
        var patient = patientRegisteredAt(practice, uniqueNhsNumber(), "Scenario");
        patient.setBirthDateElement(new DateType(birthDate));
        return create(practiceGp, patient);
    }

    public String patientAtRiverside() {
        return patientAt(Callers.RIVERSIDE_PRACTICE, Callers.drPatel(), "1950-05-01");
    }

    public String observation(TestIdentityProvider.Token writer, String patient, String system, String code) {
        Observation observation = new Observation();
        observation.setStatus(Observation.ObservationStatus.FINAL);
        observation.setCode(new CodeableConcept(new Coding(system, code, null)));
        observation.setSubject(new Reference(patient));
        observation.setEffective(new DateTimeType(new Date()));
        return create(writer, observation);
    }

    public String bloodPressure(TestIdentityProvider.Token writer, String patient) {
        return observation(writer, patient, "http://loinc.org", "85354-9");
    }

    public String condition(TestIdentityProvider.Token writer, String patient, String snomedCode) {
        Condition condition = new Condition();
        condition.setCode(new CodeableConcept(new Coding(SNOMED, snomedCode, null)));
        condition.setSubject(new Reference(patient));
        return create(writer, condition);
    }

    public String carePlan(TestIdentityProvider.Token writer, String patient, String title) {
        return create(writer, RecordFixtures.socialCarePlan(new Reference(patient), title));
    }

    /**
     * The writer's organisation starts caring for the patient ({@code Patient/$start-care}, by the NHS number and
     * date of birth this scenario gave the patient), which records its active episode of care: social care for the
     * council, else health.
     */
    public String episodeOfCare(TestIdentityProvider.Token writer, String organisation, String patient) {
        Patient known = patients.get(port + " " + patient);
        if (known == null) {
            throw new IllegalStateException(patient + " was not created through this scenario's server on port "
                    + port + ", so its NHS number and date of birth are not known here");
        }
        return startCare(writer, known.getIdentifierFirstRep().getValue(), known.getBirthDateElement().getValueAsString(),
                RecordFixtures.episodeOfCare(new Reference(patient), organisation).getTypeFirstRep().getCodingFirstRep()
                        .getCode());
    }

    /** {@code Patient/$start-care} as the writer; the id of the episode it recorded. */
    public String startCare(TestIdentityProvider.Token writer, String nhsNumber, String birthDate, String episodeType) {
        Parameters parameters = new Parameters();
        parameters.addParameter("nhsNumber", new StringType(nhsNumber));
        parameters.addParameter("birthDate", new DateType(birthDate));
        parameters.addParameter("episodeType", new CodeType(episodeType));
        EpisodeOfCare episode = as(writer).operation().onType("Patient").named("$start-care")
                .withParameters(parameters).returnResourceType(EpisodeOfCare.class).execute();
        return "EpisodeOfCare/" + episode.getIdElement().getIdPart();
    }

    public String encounter(TestIdentityProvider.Token writer, String patient, String reason) {
        Encounter encounter = new Encounter();
        encounter.setStatus(Encounter.EncounterStatus.FINISHED);
        encounter.setClass_(new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "AMB", "ambulatory"));
        encounter.setSubject(new Reference(patient));
        encounter.addReasonCode().setText(reason);
        encounter.getPeriod().setStart(new Date());
        return create(writer, encounter);
    }

    /** The patient's dissent from sharing (or, with {@code permit}, consent to it), recorded by their practice. */
    public String privacyConsent(TestIdentityProvider.Token practice, String patient, boolean permit) {
        Consent consent = RecordFixtures.sharingDissent(new Reference(patient));
        consent.setDateTime(new Date());
        consent.getProvision().setType(permit ? Consent.ConsentProvisionType.PERMIT : Consent.ConsentProvisionType.DENY);
        return create(practice, consent);
    }

    /** A referral of the patient (ServiceRequest, category Patient referral) to an organisation, by its ODS code. */
    public static ServiceRequest referralTo(String organisation, String patient) {
        ServiceRequest referral = new ServiceRequest();
        referral.setStatus(ServiceRequest.ServiceRequestStatus.ACTIVE);
        referral.setIntent(ServiceRequest.ServiceRequestIntent.ORDER);
        referral.addCategory(new CodeableConcept(new Coding(SNOMED, "3457005", "Patient referral")));
        referral.setCode(new CodeableConcept().setText("Assessment of care and support needs"));
        referral.setSubject(new Reference(patient));
        referral.setAuthoredOn(new Date());
        referral.setRequester(new Reference().setDisplay("Dr Patel"));
        referral.addPerformer(new Reference().setIdentifier(new Identifier().setSystem(ODS_SYSTEM)
                .setValue(organisation)));
        return referral;
    }

    /** The writer's organisation refers the patient to another; the referral's id. */
    public String referral(TestIdentityProvider.Token writer, String patient, String toOrganisation) {
        return create(writer, referralTo(toOrganisation, patient));
    }

    /** A referral's status as the organisation it was addressed to reports it (a Task whose focus is the referral). */
    public static Task referralStatus(String referral, String patient, String owner, Task.TaskStatus status,
            String reason) {
        Task task = new Task();
        task.setStatus(status);
        task.setIntent(Task.TaskIntent.ORDER);
        task.setCode(new CodeableConcept(new Coding("http://hl7.org/fhir/CodeSystem/task-code", "fulfill", null)));
        task.setFocus(new Reference(referral));
        task.setFor(new Reference(patient));
        task.setAuthoredOn(new Date());
        task.setOwner(new Reference().setIdentifier(new Identifier().setSystem(ODS_SYSTEM).setValue(owner)));
        if (reason != null) {
            task.setStatusReason(new CodeableConcept().setText(reason));
        }
        return task;
    }

    public String create(TestIdentityProvider.Token writer, Resource resource) {
        IdType id = (IdType) as(writer).create().resource(resource).execute().getId();
        String created = resource.fhirType() + "/" + id.getIdPart();
        if (resource instanceof Patient patient) {
            patients.put(port + " " + created, patient);
        }
        return created;
    }
}
