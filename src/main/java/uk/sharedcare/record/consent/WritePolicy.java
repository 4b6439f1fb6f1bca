package uk.sharedcare.record.consent;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import uk.sharedcare.record.access.AccessContext;
import uk.sharedcare.record.access.Role;
import uk.sharedcare.record.access.SmartScopes.Permission;

/**
 * Rule 9 (and rule 8): who may create, change or delete a resource. Pure, like {@link SharingPolicy}, whose
 * purpose-of-use decision it shares.
 */
public final class WritePolicy {

    private final SharingPolicy reads;

    public WritePolicy(SharingPolicy reads) {
        this.reads = reads;
    }

    /**
     * Whether {@code who} may write ({@code kind}: create, update or delete) a resource of this type about these
     * patients that currently has this custodian.
     */
    public Decision decideWrite(AccessContext who, Permission kind, String resourceType, List<String> patients,
            Optional<String> currentCustodian, Optional<String> registeredPractice) {
        Decision request = reads.decideRequest(who);
        if (!request.permits()) {
            return request;
        }
        List<Reason> trail = new ArrayList<>(request.reasons());
        if (!who.scopes().writes(kind, resourceType, patients)) {
            return Decision.deny(trail, SharingPolicy.outOfScope(who, resourceType));
        }
        String organisation = who.organisation();
        if (currentCustodian.isPresent() && !currentCustodian.get().equals(organisation)) {
            return Decision.deny(trail, Reason.of(PolicyRule.WRITE_AS_OWN_ORGANISATION,
                    "recorded by " + currentCustodian.get() + ", not " + organisation));
        }
        if ("Consent".equals(resourceType)) {
            boolean practice = registeredPractice.filter(organisation::equals).isPresent()
                    && SharingPolicy.hasAnyRole(who, EnumSet.of(Role.GP, Role.SYSTEM));
            if (!practice && !who.hasRole(Role.DPO)) {
                return Decision.deny(trail, Reason.of(PolicyRule.CONSENT_WRITERS,
                        organisation + " is not the patient's registered practice"));
            }
            trail.add(Reason.of(PolicyRule.CONSENT_WRITERS, who.hasRole(Role.DPO) ? "data protection officer"
                    : "registered practice " + organisation));
        }
        trail.add(Reason.of(PolicyRule.WRITE_AS_OWN_ORGANISATION, "written as " + organisation));
        return Decision.permit(trail, Set.of());
    }
}
