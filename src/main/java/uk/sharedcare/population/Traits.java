package uk.sharedcare.population;

import java.time.LocalDate;
import java.util.SplittableRandom;

/**
 * What the generator decided about one patient before writing any resource: registration, age, sex, and the
 * facts the sharing policy cares about (choices, exempt cohorts, sensitive data, who else cares for them).
 */
public record Traits(Borough.Practice practice, LocalDate birthDate, boolean female, boolean child, boolean socialCare,
        boolean hospital, boolean localDissent, boolean gpDissent, boolean optedIn, boolean mentalIllness,
        boolean learningDisability, boolean sexualHealth) {

    /** Ages are counted at this date, so the same seed gives the same birth dates whenever it runs. */
    static final LocalDate REFERENCE_DATE = LocalDate.of(2026, 11, 1);

    static Traits draw(SplittableRandom random, BoroughShape shape, Borough borough) {
        Borough.Practice practice = borough.practiceFor(random.nextDouble());
        boolean child = random.nextDouble() < shape.children();
        // Children are 0 to 14 at the reference date, so they stay under 16 for a year after it.
        int ageInDays = child ? random.nextInt(15 * 365) : 16 * 365 + 200 + random.nextInt(78 * 365);
        boolean adult = !child;
        boolean socialCare = adult && random.nextDouble() < shape.socialCare();
        boolean localDissent = random.nextDouble() < shape.localDissent();
        boolean gpDissent = random.nextDouble() < shape.gpDissent();
        boolean optedIn = practice.ods().equals(Borough.OPT_IN_PRACTICE) && random.nextDouble() < shape.optInConsent();
        boolean mentalIllness = adult && random.nextDouble() < shape.mentalIllness();
        boolean learningDisability = random.nextDouble() < shape.learningDisability();
        // Sexual health clinics are the trust's, so these patients are all hospital patients too.
        boolean sexualHealth = adult && random.nextDouble() < shape.sexualHealth();
        boolean hospital = socialCare || sexualHealth || random.nextDouble() < shape.hospital();
        return new Traits(practice, REFERENCE_DATE.minusDays(ageInDays), random.nextBoolean(), child, socialCare,
                hospital, localDissent, gpDissent, optedIn, mentalIllness, learningDisability, sexualHealth);
    }

    /** Exempt from sharing beyond the custodian (rule 5): a child, or in a mental illness or LD cohort. */
    public boolean exempt() {
        return child || mentalIllness || learningDisability;
    }
}
