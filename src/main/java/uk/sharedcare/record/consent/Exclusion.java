package uk.sharedcare.record.consent;

/**
 * Why a patient or a resource is left out of the pseudonymised extract.
 *
 * @param category the manifest's name for the rule, such as {@code gp-dissent-type-1}; counted, never listed
 * @param reason   the rule and this case, as every other decision explains itself
 */
public record Exclusion(String category, Reason reason) {}
