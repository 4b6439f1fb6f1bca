package uk.sharedcare.population;

/**
 * The proportions of a synthetic borough. {@link #borough()} is the one in our brief: 175,000 patients across
 * 25 practices, one hospital trust and one council, about 4,000 of them receiving social care.
 *
 * @param patients how many patients the borough has
 * @param practices how many GP practices (the first two are the demo's Riverside and opt-in Northgate)
 * @param children share of patients under 16 (an exempt cohort)
 * @param socialCare share of adults with a council episode of care, care team and care plan
 * @param hospital share of patients with a hospital episode of care and hospital encounters
 * @param localDissent share with an active dissent Consent from the local sharing scheme
 * @param gpDissent share with a GP type 1 dissent code (Read v2 9Nu0)
 * @param optInConsent share of the opt-in practice's patients who have consented to sharing
 * @param mentalIllness share of adults with a serious mental illness (exempt cohort)
 * @param learningDisability share of patients with a learning disability (exempt cohort)
 * @param sexualHealth share of adults with a sexual-health record (sensitive data)
 */
public record BoroughShape(int patients, int practices, double children, double socialCare, double hospital,
        double localDissent, double gpDissent, double optInConsent, double mentalIllness, double learningDisability,
        double sexualHealth) {

    public static final int BOROUGH_PATIENTS = 175_000;

    public BoroughShape {
        if (patients < 0 || practices < 2) {
            throw new IllegalArgumentException("A borough needs patients >= 0 and at least two practices");
        }
    }

    /** The borough of the brief: 175,000 patients, 25 practices, ~4,000 in social care. */
    public static BoroughShape borough() {
        return new BoroughShape(BOROUGH_PATIENTS, 25, 0.20, 4_000.0 / (BOROUGH_PATIENTS * 0.80), 0.15,
                0.02, 0.03, 0.50, 0.01, 0.005, 0.02);
    }

    /** The same proportions with another number of patients. */
    public BoroughShape withPatients(int count) {
        return new BoroughShape(count, practices, children, socialCare, hospital, localDissent, gpDissent,
                optInConsent, mentalIllness, learningDisability, sexualHealth);
    }
}
