package uk.sharedcare.population;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Reference;

/**
 * A patient's recorded choices, all recorded by their registered practice (rule 9): a dissent from the local
 * sharing scheme (a patient-privacy Consent, provision deny; one in five limited to the council), consent to share
 * for patients of the opt-in practice (provision permit), and the GP type 1 dissent code 9Nu0.
 */
final class SharingChoices {

    private static final String CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope";
    private static final String ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActReason";
    private static final String PARTICIPATION = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType";

    private SharingChoices() {}

    static List<Recorded> of(String patientId, Traits traits, SplittableRandom random) {
        String practice = traits.practice().ods();
        Reference patient = new Reference("Patient/" + patientId);
        List<Recorded> choices = new ArrayList<>();
        if (traits.optedIn()) {
            Consent consent = privacyConsent(patientId + "-consent-optin", patient, "OPTIN", random);
            consent.getProvision().setType(Consent.ConsentProvisionType.PERMIT);
            consent.getProvision().addPurpose(new Coding(ACT_REASON, "TREAT", "treatment"));
            choices.add(new Recorded(practice, consent));
        }
        if (traits.localDissent()) {
            Consent consent = privacyConsent(patientId + "-consent-dissent", patient, "OPTOUT", random);
            consent.getProvision().setType(Consent.ConsentProvisionType.DENY);
            if (random.nextInt(5) == 0) {
                consent.getProvision().addActor()
                        .setRole(new CodeableConcept(new Coding(PARTICIPATION, "IRCP", "information recipient")))
                        .setReference(Borough.organisationReference(Borough.COUNCIL));
            }
            choices.add(new Recorded(practice, consent));
        }
        if (traits.gpDissent()) {
            Observation code = new Observation();
            code.setId(patientId + "-gp-dissent");
            code.setStatus(Observation.ObservationStatus.FINAL);
            code.setCode(new CodeableConcept(PopulationCodes.GP_DISSENT_TYPE_1));
            code.setSubject(patient);
            code.setEffective(recordedOn(random));
            choices.add(new Recorded(practice, code));
        }
        return choices;
    }

    private static Consent privacyConsent(String id, Reference patient, String policy, SplittableRandom random) {
        Consent consent = new Consent();
        consent.setId(id);
        consent.setStatus(Consent.ConsentState.ACTIVE);
        consent.setScope(new CodeableConcept(new Coding(CONSENT_SCOPE, "patient-privacy", "Privacy Consent")));
        consent.addCategory(new CodeableConcept(PopulationCodes.loinc("59284-0", "Patient Consent")));
        consent.setPatient(patient);
        consent.setDateTimeElement(recordedOn(random));
        consent.setPolicyRule(new CodeableConcept(new Coding(PopulationCodes.ACT_CODE, policy,
                policy.equals("OPTIN") ? "opt-in" : "opt-out")));
        return consent;
    }

    private static DateTimeType recordedOn(SplittableRandom random) {
        return ClinicalRecords.day(Traits.REFERENCE_DATE.minusDays(30 + random.nextInt(1_000)));
    }
}
