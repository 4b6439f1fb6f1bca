package uk.sharedcare.record.consent;

import java.util.List;
import java.util.Set;
import uk.sharedcare.record.access.AccessContext;
import uk.sharedcare.record.access.Role;

/**
 * Who may read and change an organisation's sharing settings (share by default or opt-in, and the organisations it
 * shares with): the choice is the organisation's own, made by its GPs; an admin may make it for any organisation.
 * Its sharing agreement with the scheme (rule 11) is recorded by admins alone.
 */
public final class OrganisationSettingsPolicy {

    public Decision decideChange(AccessContext who, String organisation) {
        if (who.hasRole(Role.ADMIN)) {
            return Decision.permit(List.of(Reason.of(PolicyRule.ORGANISATION_SETTINGS, "admin")), Set.of());
        }
        if (who.hasRole(Role.GP) && who.organisation().equals(organisation)) {
            return Decision.permit(List.of(Reason.of(PolicyRule.ORGANISATION_SETTINGS,
                    "a GP of " + organisation + " sets its own sharing")), Set.of());
        }
        return Decision.deny(List.of(), Reason.of(PolicyRule.ORGANISATION_SETTINGS,
                "only " + organisation + "'s GPs or an admin change its sharing, not " + describe(who)));
    }

    public Decision decideRead(AccessContext who, String organisation) {
        if (who.organisation().equals(organisation) || who.hasRole(Role.DPO) || who.hasRole(Role.ADMIN)) {
            return Decision.permit(List.of(Reason.of(PolicyRule.ORGANISATION_SETTINGS,
                    describe(who) + " reads " + organisation + "'s sharing")), Set.of());
        }
        return Decision.deny(List.of(), Reason.of(PolicyRule.ORGANISATION_SETTINGS,
                "only " + organisation + "'s own users, data protection officers and admins read its sharing, not "
                        + describe(who)));
    }

    /** Rule 11: an organisation's sharing agreement is the scheme's to record, so only an admin changes it. */
    public Decision decideAgreementChange(AccessContext who, String organisation) {
        if (who.hasRole(Role.ADMIN)) {
            return Decision.permit(List.of(Reason.of(PolicyRule.SHARING_AGREEMENT,
                    "an admin records " + organisation + "'s sharing agreement")), Set.of());
        }
        return Decision.deny(List.of(), Reason.of(PolicyRule.SHARING_AGREEMENT,
                "only an admin records an organisation's sharing agreement, not " + describe(who)));
    }

    /** An organisation's agreement is read by those who may read its sharing settings. */
    public Decision decideAgreementRead(AccessContext who, String organisation) {
        if (who.organisation().equals(organisation) || who.hasRole(Role.DPO) || who.hasRole(Role.ADMIN)) {
            return Decision.permit(List.of(Reason.of(PolicyRule.SHARING_AGREEMENT,
                    describe(who) + " reads " + organisation + "'s sharing agreement")), Set.of());
        }
        return Decision.deny(List.of(), Reason.of(PolicyRule.SHARING_AGREEMENT, "only " + organisation
                + "'s own users, data protection officers and admins read its sharing agreement, not "
                + describe(who)));
    }

    private static String describe(AccessContext who) {
        return who.roles().stream().map(Role::claimValue).sorted().toList() + " at " + who.organisation();
    }
}
