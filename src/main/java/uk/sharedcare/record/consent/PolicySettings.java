package uk.sharedcare.record.consent;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
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

    /** The organisation's sharing as the policy file sets it (its default when the file does not name it). */
    public OrganisationSharing sharingOf(String organisation) {
        return organisations.getOrDefault(organisation, OrganisationSharing.DEFAULT);
    }

    /**
     * The organisation's sharing as it stands: its own setting in the record if it has made one ({@code inRecord},
     * by ODS code), else the policy file's.
     */
    public OrganisationSharing sharingOf(String organisation, Map<String, OrganisationSharing> inRecord) {
        OrganisationSharing own = inRecord.get(organisation);
        return own != null ? own : sharingOf(organisation);
    }

    /**
     * How one organisation shares the data it records.
     *
     * @param model         share unless the patient dissents, or only with the patient's permit
     * @param shareOnlyWith if not empty, the only organisations that may see its data
     * @param source        where this setting comes from, in plain words, for the decisions that cite it
     */
    public record OrganisationSharing(SharingModel model, Set<String> shareOnlyWith, String source) {

        public static final String POLICY_FILE = "the policy file";
        static final OrganisationSharing DEFAULT = new OrganisationSharing(SharingModel.SHARE_BY_DEFAULT, Set.of(),
                "the policy's default");

        public OrganisationSharing {
            shareOnlyWith = Set.copyOf(shareOnlyWith);
        }

        /** A setting of the policy file. */
        public OrganisationSharing(SharingModel model, Set<String> shareOnlyWith) {
            this(model, shareOnlyWith, POLICY_FILE);
        }
    }

    public enum SharingModel {
        SHARE_BY_DEFAULT("share-by-default"),
        OPT_IN("opt-in");

        private final String code;

        SharingModel(String code) {
            this.code = code;
        }

        /** The model's name in the policy file and in {@code $sharing-settings}. */
        public String code() {
            return code;
        }

        public static Optional<SharingModel> fromCode(String code) {
            return Arrays.stream(values()).filter(model -> model.code.equals(code)).findFirst();
        }
    }
}
