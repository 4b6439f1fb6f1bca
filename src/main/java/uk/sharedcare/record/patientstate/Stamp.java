package uk.sharedcare.record.patientstate;

/**
 * How many times a patient's policy inputs, and the inputs every patient shares (organisations' ODS codes), had
 * changed when a state was read. Both only grow, each bumped in the transaction that makes the change.
 *
 * @param patient      the patient's own count, 0 before its first change
 * @param everyPatient the count of changes that concern every patient
 */
public record Stamp(long patient, long everyPatient) {

    /** Whether this stamp was taken after {@code other}, not merely differs from it. */
    boolean isLaterThan(Stamp other) {
        return patient >= other.patient && everyPatient >= other.everyPatient && !equals(other);
    }
}
