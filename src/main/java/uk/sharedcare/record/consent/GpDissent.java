package uk.sharedcare.record.consent;

/**
 * A dissent code in force on the patient's GP record: the latest dissent entry, not followed by a withdrawal.
 *
 * @param type     type 1 (no identifiable data out of the practice for secondary use) or type 2
 * @param evidence the coded entry, for example {@code Observation/123}
 */
public record GpDissent(Type type, String evidence) {

    public enum Type {
        TYPE_1,
        TYPE_2
    }
}
