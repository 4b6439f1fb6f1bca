package uk.sharedcare.population;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.EpisodeOfCare;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;

/**
 * A patient's health record: GP consultations, conditions and observations recorded by their practice, and for
 * hospital patients an episode of care, admissions or clinics and observations recorded by the trust. Cohort
 * and sensitive conditions use the policy file's codes.
 */
final class ClinicalRecords {

    private static final String CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical";

    private final String patientId;
    private final Traits traits;
    private final SplittableRandom random;
    private final List<Recorded> out = new ArrayList<>();

    private ClinicalRecords(String patientId, Traits traits, SplittableRandom random) {
        this.patientId = patientId;
        this.traits = traits;
        this.random = random;
    }

    static List<Recorded> of(String patientId, Traits traits, SplittableRandom random) {
        ClinicalRecords records = new ClinicalRecords(patientId, traits, random);
        records.primaryCare();
        if (traits.hospital()) {
            records.hospitalCare();
        }
        return List.copyOf(records.out);
    }

    private void primaryCare() {
        String practice = traits.practice().ods();
        int consultations = 1 + random.nextInt(3);
        for (int i = 0; i < consultations; i++) {
            add(practice, "enc-gp-" + i, encounter("AMB", "ambulatory", practice, daysAgo(30 + random.nextInt(700))));
        }
        if (!traits.child()) {
            int conditions = 1 + random.nextInt(2);
            for (int i = 0; i < conditions; i++) {
                Coding code = PopulationCodes.COMMON_CONDITIONS.get(
                        random.nextInt(PopulationCodes.COMMON_CONDITIONS.size()));
                add(practice, "cond-" + i, condition(code));
            }
        }
        if (traits.mentalIllness()) {
            add(practice, "cond-mh", condition(pick(PopulationCodes.MENTAL_ILLNESS)));
        }
        if (traits.learningDisability()) {
            add(practice, "cond-ld", condition(pick(PopulationCodes.LEARNING_DISABILITY)));
        }
        add(practice, "obs-bp", bloodPressure(daysAgo(10 + random.nextInt(300))));
        add(practice, "obs-weight", quantity(PopulationCodes.loinc("29463-7", "Body weight"),
                traits.child() ? 10 + random.nextInt(40) : 50 + random.nextInt(60), "kg", "kg",
                daysAgo(10 + random.nextInt(300))));
        if (!traits.child() && random.nextBoolean()) {
            add(practice, "obs-hba1c", quantity(PopulationCodes.loinc("4548-4", "Hemoglobin A1c"),
                    30 + random.nextInt(50), "mmol/mol", "mmol/mol", daysAgo(10 + random.nextInt(300))));
        }
    }

    private void hospitalCare() {
        EpisodeOfCare episode = new EpisodeOfCare();
        episode.setStatus(EpisodeOfCare.EpisodeOfCareStatus.ACTIVE);
        episode.addType(new CodeableConcept(PopulationCodes.episodeType("health")).setText("Hospital care"));
        episode.setPatient(patient());
        episode.setManagingOrganization(Borough.organisationReference(Borough.TRUST));
        episode.getPeriod().setStartElement(daysAgo(60 + random.nextInt(300)));
        add(Borough.TRUST, "eoc-health", episode);
        boolean admitted = random.nextInt(3) == 0;
        add(Borough.TRUST, "enc-hosp", admitted
                ? encounter("IMP", "inpatient encounter", Borough.TRUST, daysAgo(20 + random.nextInt(40)))
                : encounter("AMB", "ambulatory", Borough.TRUST, daysAgo(5 + random.nextInt(40))));
        add(Borough.TRUST, "obs-hr", quantity(PopulationCodes.loinc("8867-4", "Heart rate"),
                55 + random.nextInt(50), "beats/minute", "/min", daysAgo(5 + random.nextInt(40))));
        if (traits.sexualHealth()) {
            // Sexual health clinics are run by the trust; the server labels these as sensitive at write time.
            add(Borough.TRUST, "cond-sh", condition(pick(PopulationCodes.SEXUAL_HEALTH)));
        }
    }

    private Encounter encounter(String classCode, String classDisplay, String provider, DateTimeType start) {
        Encounter encounter = new Encounter();
        encounter.setStatus(Encounter.EncounterStatus.FINISHED);
        encounter.setClass_(new Coding(PopulationCodes.ACT_CODE, classCode, classDisplay));
        encounter.setSubject(patient());
        encounter.setServiceProvider(Borough.organisationReference(provider));
        encounter.getPeriod().setStartElement(start).setEndElement(start.copy());
        return encounter;
    }

    private Condition condition(Coding code) {
        Condition condition = new Condition();
        condition.setClinicalStatus(new CodeableConcept(new Coding(CONDITION_CLINICAL, "active", null)));
        condition.setCode(new CodeableConcept(code));
        condition.setSubject(patient());
        condition.setOnset(daysAgo(100 + random.nextInt(3_000)));
        return condition;
    }

    private Observation bloodPressure(DateTimeType when) {
        Observation observation = observation(PopulationCodes.loinc("85354-9", "Blood pressure panel"), when);
        observation.addComponent().setCode(new CodeableConcept(PopulationCodes.loinc("8480-6",
                "Systolic blood pressure"))).setValue(mmHg(105 + random.nextInt(60)));
        observation.addComponent().setCode(new CodeableConcept(PopulationCodes.loinc("8462-4",
                "Diastolic blood pressure"))).setValue(mmHg(60 + random.nextInt(40)));
        return observation;
    }

    private Observation quantity(Coding code, int value, String unit, String ucum, DateTimeType when) {
        Observation observation = observation(code, when);
        observation.setValue(new Quantity().setValue(BigDecimal.valueOf(value)).setUnit(unit)
                .setSystem("http://unitsofmeasure.org").setCode(ucum));
        return observation;
    }

    private Observation observation(Coding code, DateTimeType when) {
        Observation observation = new Observation();
        observation.setStatus(Observation.ObservationStatus.FINAL);
        observation.setCode(new CodeableConcept(code));
        observation.setSubject(patient());
        observation.setEffective(when);
        return observation;
    }

    private static Quantity mmHg(int value) {
        return new Quantity().setValue(BigDecimal.valueOf(value)).setUnit("mmHg")
                .setSystem("http://unitsofmeasure.org").setCode("mm[Hg]");
    }

    private Coding pick(List<Coding> codes) {
        return codes.get(random.nextInt(codes.size()));
    }

    private Reference patient() {
        return new Reference("Patient/" + patientId);
    }

    /** A day before the reference date, but never before the patient was born. */
    private DateTimeType daysAgo(int days) {
        LocalDate date = Traits.REFERENCE_DATE.minusDays(days);
        return day(date.isBefore(traits.birthDate()) ? traits.birthDate() : date);
    }

    /** A date at day precision, written the same whatever the machine's time zone. */
    static DateTimeType day(LocalDate date) {
        return new DateTimeType(date.toString());
    }

    private void add(String custodian, String suffix, org.hl7.fhir.r4.model.Resource resource) {
        resource.setId(patientId + "-" + suffix);
        out.add(new Recorded(custodian, resource));
    }
}
