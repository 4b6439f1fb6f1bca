package uk.sharedcare.support;

import org.hl7.fhir.r4.model.Identifier;
import java.util.Date;
import uk.sharedcare.population.NhsNumber;
import java.util.UUID;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.EpisodeOfCare;
import org.hl7.fhir.r4.model.Enumerations.AdministrativeGender;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;

/** Small, valid shared-care resources for tests; each patient gets a fresh NHS-number-like identifier. */
public final class RecordFixtures {

    public static final String NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number";
    public static final String ODS_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code";

    private RecordFixtures() {}

    public static final String EPISODE_TYPE_SYSTEM = "https://sharedcarerecord.uk/fhir/CodeSystem/episode-type";

    /**
     * An NHS number no other test uses, so searches see only this test's data: random first nine digits with the
     * modulus 11 check digit the record's Patient profile requires (nine digits whose check would be 10 are skipped).
     */
    public static String uniqueNhsNumber() {
        while (true) {
            String first = String.format("9%08d", Math.floorMod(UUID.randomUUID().getLeastSignificantBits(), 100_000_000L));
            int check = NhsNumber.checkDigit(first);
            if (check >= 0) {
                return first + check;
            }
        }
    }

    /** A patient registered at Riverside Medical Centre (Y90001), the demo borough's sharing practice. */
    public static Patient patient(String nhsNumber, String family) {
        return patientRegisteredAt("Y90001", nhsNumber, family);
    }

    public static Patient patientRegisteredAt(String practiceOdsCode, String nhsNumber, String family) {
        Patient patient = new Patient();
        patient.addGeneralPractitioner().setIdentifier(
                new Identifier().setSystem(ODS_SYSTEM).setValue(practiceOdsCode));
        patient.addIdentifier().setSystem(NHS_NUMBER_SYSTEM).setValue(nhsNumber);
        patient.addName().setFamily(family).addGiven("Alex");
        patient.setGender(AdministrativeGender.UNKNOWN);
        patient.setBirthDateElement(new DateType("1960-01-01"));
        return patient;
    }

    /** A patient's dissent from sharing: scope patient-privacy, provision deny. */
    public static Consent sharingDissent(Reference patient) {
        Consent consent = new Consent();
        consent.setStatus(Consent.ConsentState.ACTIVE);
        consent.setScope(new CodeableConcept(new Coding(
                "http://terminology.hl7.org/CodeSystem/consentscope", "patient-privacy", "Privacy Consent")));
        consent.addCategory(new CodeableConcept(new Coding("http://loinc.org", "59284-0", "Patient Consent")));
        consent.setPatient(patient);
        consent.setDateTime(new Date());
        consent.setPolicyRule(new CodeableConcept(new Coding(
                "http://terminology.hl7.org/CodeSystem/v3-ActCode", "OPTOUT", "opt-out")));
        consent.getProvision().setType(Consent.ConsentProvisionType.DENY);
        return consent;
    }

    /** A council's social care plan for a patient. */
    public static CarePlan socialCarePlan(Reference patient, String title) {
        CarePlan plan = new CarePlan();
        plan.setStatus(CarePlan.CarePlanStatus.ACTIVE);
        plan.setIntent(CarePlan.CarePlanIntent.PLAN);
        plan.setTitle(title);
        plan.addCategory(new CodeableConcept(new Coding("http://snomed.info/sct", "734163000", "Care plan")));
        plan.setSubject(patient);
        return plan;
    }

    /** An active episode managed by the organisation with this ODS code: social care for the council, else health. */
    public static EpisodeOfCare episodeOfCare(Reference patient, String managingOrganisation) {
        EpisodeOfCare episode = new EpisodeOfCare();
        episode.setStatus(EpisodeOfCare.EpisodeOfCareStatus.ACTIVE);
        episode.addType(new CodeableConcept(new Coding(EPISODE_TYPE_SYSTEM,
                "L9001".equals(managingOrganisation) ? "social-care" : "health", null)));
        episode.setPatient(patient);
        episode.setManagingOrganization(new Reference().setIdentifier(
                new Identifier().setSystem(ODS_SYSTEM).setValue(managingOrganisation)));
        return episode;
    }
}
