package uk.sharedcare.record.consent;

/** What the enforcement point must do when it carries out a permit. */
public enum Obligation {
    /** Record the access as break-glass, for the data protection officer to review. */
    REVIEW_BREAK_GLASS,
    /** Show the resource without its clinical detail (reason, diagnosis, notes). */
    REDACT_CLINICAL_DETAIL
}
