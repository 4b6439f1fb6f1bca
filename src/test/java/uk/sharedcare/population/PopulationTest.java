package uk.sharedcare.population;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ca.uhn.fhir.context.FhirContext;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** The synthetic borough: deterministic, with the brief's proportions. */
class PopulationTest {

    private static final FhirContext FHIR = FhirContext.forR4Cached();
    private static final int SAMPLE = 20_000;

    @Test
    void sameSeedGivesTheSameBundlesByteForByte() {
        assertThat(json(new Population(42, BoroughShape.borough()).patientBundles(0, 300)))
                .isEqualTo(json(new Population(42, BoroughShape.borough()).patientBundles(0, 300)));
        assertThat(json(new Population(42, BoroughShape.borough()).directoryBundles()))
                .isEqualTo(json(new Population(42, BoroughShape.borough()).directoryBundles()));
    }

    @Test
    void anotherSeedGivesAnotherPopulation() {
        assertThat(json(new Population(43, BoroughShape.borough()).patientBundles(0, 50)))
                .isNotEqualTo(json(new Population(42, BoroughShape.borough()).patientBundles(0, 50)));
    }

    @Test
    void aSliceIsTheSameWhetherOrNotThePatientsBeforeItWereGenerated() {
        Population population = new Population(7, BoroughShape.borough());
        population.patients(0, 100);

        assertThat(json(population.patientBundles(100, 120)))
                .isEqualTo(json(new Population(7, BoroughShape.borough()).patientBundles(100, 120)));
    }

    @Test
    void theBoroughHasTheBriefsProportions() {
        List<Traits> traits = new Population(Population.DEFAULT_SEED, BoroughShape.borough())
                .patients(0, SAMPLE).stream().map(GeneratedPatient::traits).toList();

        assertThat(share(traits, Traits::child)).isCloseTo(0.20, within(0.015));
        // about 4,000 of 175,000 in social care
        assertThat(share(traits, Traits::socialCare) * BoroughShape.BOROUGH_PATIENTS).isCloseTo(4_000, within(600.0));
        assertThat(share(traits, Traits::localDissent)).isCloseTo(0.02, within(0.005));
        assertThat(share(traits, Traits::gpDissent)).isCloseTo(0.03, within(0.006));
        assertThat(share(traits, Traits::mentalIllness)).isCloseTo(0.008, within(0.003));
        assertThat(share(traits, Traits::learningDisability)).isCloseTo(0.005, within(0.003));
        assertThat(share(traits, Traits::sexualHealth)).isCloseTo(0.016, within(0.005));
        assertThat(share(traits, Traits::hospital)).isCloseTo(0.185, within(0.02));
    }

    @Test
    void patientsSpreadOverTwentyFivePracticesAndAboutHalfOfTheOptInPracticeConsent() {
        Population population = new Population(Population.DEFAULT_SEED, BoroughShape.borough());
        List<GeneratedPatient> patients = population.patients(0, SAMPLE);
        List<Traits> optInPractice = patients.stream().map(GeneratedPatient::traits)
                .filter(t -> t.practice().ods().equals(Borough.OPT_IN_PRACTICE)).toList();

        assertThat(patients.stream().map(GeneratedPatient::practice).distinct()).hasSize(25);
        assertThat(optInPractice.size()).isBetween(SAMPLE / 100, SAMPLE / 8);
        assertThat(share(optInPractice, Traits::optedIn)).isCloseTo(0.5, within(0.08));
        assertThat(patients.stream().filter(p -> !p.practice().equals(Borough.OPT_IN_PRACTICE))
                .noneMatch(p -> p.traits().optedIn())).isTrue();
    }

    @Test
    void everyPatientHasAHandfulOfResources() {
        List<GeneratedPatient> patients = new Population(1, BoroughShape.borough()).patients(0, 2_000);

        assertThat(patients).allSatisfy(p -> assertThat(p.resources().size()).isBetween(4, 20));
        double average = patients.stream().mapToInt(p -> p.resources().size()).average().orElseThrow();
        assertThat(average).isBetween(6.0, 12.0);
    }

    private static double share(List<Traits> traits, Predicate<Traits> trait) {
        return traits.stream().filter(trait).count() / (double) traits.size();
    }

    private static String json(List<WriterBundle> bundles) {
        StringBuilder all = new StringBuilder();
        for (WriterBundle bundle : bundles) {
            all.append(bundle.writer()).append(':').append(FHIR.newJsonParser().encodeResourceToString(bundle.bundle()));
        }
        return all.toString();
    }
}
