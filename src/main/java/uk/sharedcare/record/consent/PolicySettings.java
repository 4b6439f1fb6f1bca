package uk.sharedcare.record.consent;

import java.util.Map;
import java.util.Set;
import uk.sharedcare.record.access.PurposeOfUse;
import uk.sharedcare.record.access.Role;

/**
 * The configurable part of the policy, read from {@code shared-care-policy.yaml} (see docs/policy.md).
 *
 * @param childAge                      patients younger than this are an exempt cohort
 * @param gpDissentBlocksLocalSharing   whether a GP dissent code also stops sharing in the local scheme
 * @param identifiablePurposes          purposes for which the live API shows identifiable data
 * @param breakGlassRoles               roles whose ETREAT overrides rules 1, 2, 3 and 5
 * @param sensitiveLabels               {@code meta.security} codes never shown outside the custodian
 * @param organisations                 per-organisation sharing settings, by ODS code; absent means default
 * @param roleViews                     resource types each role sees of other organisations' data
 * @param redactedForRoles              resource types shown to a role without clinical detail
 */
public record PolicySettings(
        int childAge,
        boolean gpDissentBlocksLocalSharing,
        Set<PurposeOfUse> identifiablePurposes,
        Set<Role> breakGlassRoles,
        Set<String> sensitiveLabels,
        Map<String, OrganisationSharing> organisations,
        Map<Role, Set<String>> roleViews,
        Map<Role, Set<String>> redactedForRoles) {

    public PolicySettings {
        identifiablePurposes = Set.copyOf(identifiablePurposes);
        breakGlassRoles = Set.copyOf(breakGlassRoles);
        sensitiveLabels = Set.copyOf(sensitiveLabels);
        organisations = Map.copyOf(organisations);
        roleViews = Map.copyOf(roleViews);
        redactedForRoles = Map.copyOf(redactedForRoles);
    }

    public OrganisationSharing sharingOf(String organisation) {
        return organisations.getOrDefault(organisation, OrganisationSharing.DEFAULT);
    }

    /**
     * How one organisation shares the data it records.
     *
     * @param model         share unless the patient dissents, or only with the patient's permit
     * @param shareOnlyWith if not empty, the only organisations that may see its data
     */
    public record OrganisationSharing(SharingModel model, Set<String> shareOnlyWith) {

        static final OrganisationSharing DEFAULT = new OrganisationSharing(SharingModel.SHARE_BY_DEFAULT, Set.of());

        public OrganisationSharing {
            shareOnlyWith = Set.copyOf(shareOnlyWith);
        }
    }

    public enum SharingModel {
        SHARE_BY_DEFAULT,
        OPT_IN
    }
}
