package uk.sharedcare.population;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.Enumerations.AdministrativeGender;
import org.hl7.fhir.r4.model.Patient;

/**
 * Generates one patient of the population from the seed and their index alone, so any slice of the borough can
 * be generated (and loaded) without the patients before it, and the same seed always gives the same patient.
 */
final class PatientGenerator {

    static final String NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number";
    private static final String[] FAMILY = {"Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans",
        "Wilson", "Thomas", "Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards",
        "Hughes", "Green", "Hall", "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood", "Turner", "Martin",
        "Cooper", "Hill", "Ward", "Morris", "Moore", "Khan", "Begum", "Ali", "Okafor", "Nowak", "Murphy", "Kelly"};
    private static final String[] GIVEN_FEMALE = {"Olivia", "Amelia", "Isla", "Ava", "Mia", "Grace", "Sophia",
        "Margaret", "Susan", "Patricia", "Fatima", "Aisha", "Zofia", "Chloe", "Emily", "Ruth", "Joan", "Priya"};
    private static final String[] GIVEN_MALE = {"Oliver", "George", "Noah", "Arthur", "Muhammad", "Leo", "Harry",
        "John", "David", "Michael", "Peter", "Ahmed", "Tomasz", "James", "Samuel", "Kwame", "Arjun", "Dylan"};
    private static final String POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ";

    private final long seed;
    private final BoroughShape shape;
    private final Borough borough;

    PatientGenerator(long seed, BoroughShape shape, Borough borough) {
        this.seed = seed;
        this.shape = shape;
        this.borough = borough;
    }

    GeneratedPatient generate(int index) {
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index);
        Traits traits = Traits.draw(random, shape, borough);
        String id = idOf(index);
        List<Recorded> resources = new ArrayList<>();
        resources.add(new Recorded(traits.practice().ods(), patient(id, index, traits, random)));
        resources.addAll(SharingChoices.of(id, traits, random));
        resources.addAll(ClinicalRecords.of(id, traits, random));
        if (traits.socialCare()) {
            resources.addAll(SocialCareRecords.of(id, traits, random));
        }
        return new GeneratedPatient(index, id, traits, resources);
    }

    static String idOf(int index) {
        return String.format("pop-%06d", index);
    }

    private static Patient patient(String id, int index, Traits traits, SplittableRandom random) {
        Patient patient = new Patient();
        patient.setId(id);
        patient.addIdentifier().setSystem(NHS_NUMBER_SYSTEM).setValue(NhsNumber.synthetic(index));
        String[] given = traits.female() ? GIVEN_FEMALE : GIVEN_MALE;
        patient.addName().setFamily(FAMILY[random.nextInt(FAMILY.length)])
                .addGiven(given[random.nextInt(given.length)]);
        patient.setGender(traits.female() ? AdministrativeGender.FEMALE : AdministrativeGender.MALE);
        patient.setBirthDateElement(new DateType(traits.birthDate().toString()));
        patient.addGeneralPractitioner(Borough.organisationReference(traits.practice().ods()));
        patient.addAddress().addLine((1 + random.nextInt(200)) + " " + FAMILY[random.nextInt(FAMILY.length)]
                + " Road").setCity("Borough").setPostalCode(postcode(random));
        return patient;
    }

    /** A postcode of the UK shape in the borough's made-up NB area, e.g. {@code NB4 7QT}. */
    private static String postcode(SplittableRandom random) {
        return "NB" + (1 + random.nextInt(9)) + " " + random.nextInt(10)
                + POSTCODE_LETTERS.charAt(random.nextInt(POSTCODE_LETTERS.length()))
                + POSTCODE_LETTERS.charAt(random.nextInt(POSTCODE_LETTERS.length()));
    }
}
