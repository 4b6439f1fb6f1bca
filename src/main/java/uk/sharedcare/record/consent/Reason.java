package uk.sharedcare.record.consent;

import java.util.Optional;

/**
 * One rule that took part in a decision, in plain words, with the evidence it rested on.
 *
 * @param rule     the rule
 * @param detail   what in this case made the rule apply, for example "no relationship with RZ9"
 * @param evidence the deciding resource, for example {@code Consent/123}, where there is one
 */
public record Reason(PolicyRule rule, String detail, Optional<String> evidence) {

    public static Reason of(PolicyRule rule, String detail) {
        return new Reason(rule, detail, Optional.empty());
    }

    public static Reason of(PolicyRule rule, String detail, String evidence) {
        return new Reason(rule, detail, Optional.of(evidence));
    }

    /** The rule's words, this case's detail and the evidence, as one sentence. */
    public String explain() {
        return rule.plainWords() + " (" + detail + evidence.map(e -> "; " + e).orElse("") + ")";
    }
}
