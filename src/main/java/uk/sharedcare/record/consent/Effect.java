package uk.sharedcare.record.consent;

/** What a decision, or one vote towards it, says. */
public enum Effect {
    PERMIT,
    DENY
}
