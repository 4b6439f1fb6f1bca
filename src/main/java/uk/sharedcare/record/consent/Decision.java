package uk.sharedcare.record.consent;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The outcome of the policy for one access: permit or deny, every rule that took part (the deciding one last),
 * and what the enforcement point must do with a permit. Never a bare boolean.
 */
public record Decision(Effect effect, List<Reason> reasons, Set<Obligation> obligations) {

    public Decision {
        if (reasons.isEmpty()) {
            throw new IllegalArgumentException("A decision needs at least one reason");
        }
        reasons = List.copyOf(reasons);
        obligations = obligations.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(obligations));
    }

    static Decision permit(List<Reason> reasons, Set<Obligation> obligations) {
        return new Decision(Effect.PERMIT, reasons, obligations);
    }

    static Decision deny(List<Reason> reasonsSoFar, Reason deciding) {
        List<Reason> all = new ArrayList<>(reasonsSoFar);
        all.add(deciding);
        return new Decision(Effect.DENY, all, Set.of());
    }

    public boolean permits() {
        return effect == Effect.PERMIT;
    }

    /** The rule that settled the decision. */
    public Reason deciding() {
        return reasons.get(reasons.size() - 1);
    }

    /** Every reason in order, for logs, audit and {@code $explain-access}. */
    public String explain() {
        return effect + ": " + reasons.stream().map(Reason::explain).collect(Collectors.joining("; then "));
    }
}
