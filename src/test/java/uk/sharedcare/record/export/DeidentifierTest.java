package uk.sharedcare.record.export;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.util.List;
import org.hl7.fhir.r4.model.Address;
import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.Test;
import uk.sharedcare.record.consent.SecondaryUseSettings.BirthDatePrecision;

/** What of a resource may leave in an extract, with no server. */
class DeidentifierTest {

    private static final FhirContext FHIR = FhirContext.forR4Cached();
    private final Pseudonyms pseudonyms = new Pseudonyms("a-test-key-that-is-long-enough-0123456789");
    private final Deidentifier byYear = new Deidentifier(FHIR, pseudonyms, BirthDatePrecision.YEAR);

    @Test
    void patientKeepsOnlyCodedFactsYearOfBirthAndPostcodeDistrict() {
        Patient patient = new Patient();
        patient.setId("Patient/source-1");
        patient.addIdentifier().setSystem("https://fhir.nhs.uk/Id/nhs-number").setValue("9434765919");
        patient.addName().setFamily("Marwood").addGiven("Ada");
        patient.addTelecom().setSystem(ContactPoint.ContactPointSystem.EMAIL).setValue("ada@example.org");
        patient.addAddress().addLine("1 Mill Lane").setCity("Riverside").setPostalCode("se1 7pb");
        patient.setBirthDateElement(new DateType("1961-07-14"));
        patient.setGender(org.hl7.fhir.r4.model.Enumerations.AdministrativeGender.FEMALE);
        patient.addContact().addTelecom().setValue("07700 900999");
        patient.addExtension("https://example.org/ethnicity-note", new StringType("free text"));
        patient.addGeneralPractitioner(new Reference().setIdentifier(
                new Identifier().setSystem("https://fhir.nhs.uk/Id/ods-organization-code").setValue("Y90001"))
                .setDisplay("Riverside Medical Centre"));

        String out = encode(byYear.apply(patient));

        assertThat(out).doesNotContain("9434765919", "Marwood", "Ada", "ada@example.org", "Mill Lane", "Riverside",
                "se1 7pb", "7PB", "07700", "free text", "source-1", "1961-07");
        assertThat(out).contains("\"birthDate\":\"1961\"", "\"postalCode\":\"SE1\"", "\"gender\":\"female\"",
                "\"value\":\"Y90001\"", pseudonyms.of("Patient", "source-1"));
    }

    @Test
    void monthPrecisionKeepsTheMonthOfBirth() {
        Patient patient = new Patient();
        patient.setId("Patient/p");
        patient.setBirthDateElement(new DateType("1961-07-14"));

        Patient out = (Patient) new Deidentifier(FHIR, pseudonyms, BirthDatePrecision.MONTH).apply(patient);

        assertThat(out.getBirthDateElement().getValueAsString()).isEqualTo("1961-07");
    }

    @Test
    void freeTextGoesButCodesQuantitiesAndPseudonymisedReferencesStay() {
        Observation observation = new Observation();
        observation.setId("Observation/o-1");
        observation.setCode(new CodeableConcept(new Coding("http://loinc.org", "8480-6", "Systolic BP"))
                .setText("BP taken at home by her son"));
        observation.setSubject(new Reference("Patient/source-1").setDisplay("Ada Marwood"));
        observation.setValue(new Quantity().setValue(128).setUnit("mmHg").setSystem("http://unitsofmeasure.org")
                .setCode("mm[Hg]"));
        observation.addNote().setText("Lives alone since husband died");

        Observation out = (Observation) byYear.apply(observation);

        assertThat(encode(out)).doesNotContain("her son", "Ada Marwood", "husband", "Systolic BP", "o-1");
        assertThat(out.getCode().getCodingFirstRep().getCode()).isEqualTo("8480-6");
        assertThat(out.getValueQuantity().getValue().intValue()).isEqualTo(128);
        assertThat(out.getSubject().getReference()).isEqualTo("Patient/" + pseudonyms.of("Patient", "source-1"));
    }

    @Test
    void carePlanLosesTitleAndDescriptionAndKeepsItsCategory() {
        CarePlan plan = new CarePlan();
        plan.setId("CarePlan/cp");
        plan.setTitle("Support for Mrs Marwood at 1 Mill Lane");
        plan.setDescription("Daughter visits on Tuesdays");
        plan.addCategory(new CodeableConcept(new Coding("http://snomed.info/sct", "734163000", null)));

        String out = encode(byYear.apply(plan));

        assertThat(out).doesNotContain("Marwood", "Mill Lane", "Daughter").contains("734163000");
    }

    @Test
    void postcodeDistrictIsTheOutwardCodeAndNonUkPostcodesAreDropped() {
        assertThat(Deidentifier.postcodeDistrict(List.of(new Address().setPostalCode("SW1A1AA"))))
                .get().extracting(Address::getPostalCode).isEqualTo("SW1A");
        assertThat(Deidentifier.postcodeDistrict(List.of(new Address().setPostalCode("M1 1AE"))))
                .get().extracting(Address::getPostalCode).isEqualTo("M1");
        assertThat(Deidentifier.postcodeDistrict(List.of(new Address().setPostalCode("90210")))).isEmpty();
    }

    @Test
    void pseudonymsAreStablePerKeyAndDifferBetweenKeys() {
        Pseudonyms other = new Pseudonyms("another-recipients-key-that-is-long-enough");

        assertThat(pseudonyms.of("Patient", "1")).isEqualTo(pseudonyms.of("Patient", "1")).hasSize(64)
                .isNotEqualTo(other.of("Patient", "1")).isNotEqualTo(pseudonyms.of("Observation", "1"));
    }

    private static String encode(org.hl7.fhir.r4.model.Resource resource) {
        return FHIR.newJsonParser().encodeResourceToString(resource);
    }
}
