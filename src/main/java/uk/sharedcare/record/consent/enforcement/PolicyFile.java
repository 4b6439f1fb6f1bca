package uk.sharedcare.record.consent.enforcement;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.Resource;
import uk.sharedcare.record.access.PurposeOfUse;
import uk.sharedcare.record.access.Role;
import uk.sharedcare.record.consent.Code;
import uk.sharedcare.record.consent.CodeLists.DissentCode;
import uk.sharedcare.record.consent.CodeLists;
import uk.sharedcare.record.consent.PolicySettings.OrganisationSharing;
import uk.sharedcare.record.consent.PolicySettings.SharingModel;
import uk.sharedcare.record.consent.PolicySettings;
import uk.sharedcare.record.consent.SecondaryUseSettings;

/**
 * Reads {@code shared-care-policy.yaml} (or the file {@code shared-care.policy-file} names) into the policy's
 * settings and code lists. The plugin reads the file itself, so the policy travels with it into any host.
 */
public final class PolicyFile {

    private PolicyFile() {}

    /**
     * @param agreementRequired rule 11: whether an organisation with no sharing agreement on record is outside the
     *                          scheme ({@code sharing-agreements.required})
     */
    public record Loaded(PolicySettings settings, CodeLists codes, SecondaryUseSettings secondaryUse,
            boolean agreementRequired) {}

    public static Loaded read(Resource file) {
        List<PropertySource<?>> sources;
        try {
            sources = new YamlPropertySourceLoader().load(file.getDescription(), file);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the sharing policy " + file.getDescription(), e);
        }
        Document document = new Binder(ConfigurationPropertySources.from(sources))
                .bind("policy", Bindable.of(Document.class))
                .orElseThrow(() -> new IllegalStateException("No 'policy:' section in " + file.getDescription()));
        return new Loaded(document.settings(), document.codeLists(), document.secondaryUseSettings(),
                document.sharingAgreements() != null && document.sharingAgreements().required());
    }

    record Document(
            Set<PurposeOfUse> identifiablePurposes,
            List<String> breakGlassRoles,
            @DefaultValue("16") int childAge,
            @DefaultValue("true") boolean gpDissentBlocksLocalSharing,
            Map<String, Organisation> organisations,
            Map<String, List<String>> roleViews,
            Map<String, List<String>> redacted,
            List<String> sensitiveLabels,
            Codes codes,
            SecondaryUse secondaryUse,
            SharingAgreements sharingAgreements) {

        SecondaryUseSettings secondaryUseSettings() {
            if (secondaryUse == null) {
                return SecondaryUseSettings.NONE;
            }
            Map<String, Set<PurposeOfUse>> recipients = new HashMap<>();
            if (secondaryUse.recipients() != null) {
                secondaryUse.recipients().forEach((recipient, purposes) -> recipients.put(recipient,
                        purposes == null || purposes.isEmpty() ? Set.of() : EnumSet.copyOf(purposes)));
            }
            NationalDataOptOut national = secondaryUse.nationalDataOptOut();
            return new SecondaryUseSettings(recipients, secondaryUse.birthDatePrecision(), national == null
                    ? SecondaryUseSettings.NationalOptOut.DEFAULT
                    : new SecondaryUseSettings.NationalOptOut(national.maxAgeDays(),
                            national.notNeededBy() == null ? Set.of() : Set.copyOf(national.notNeededBy())));
        }

        PolicySettings settings() {
            return new PolicySettings(
                    childAge,
                    gpDissentBlocksLocalSharing,
                    identifiablePurposes == null || identifiablePurposes.isEmpty()
                            ? EnumSet.of(PurposeOfUse.TREAT, PurposeOfUse.ETREAT)
                            : EnumSet.copyOf(identifiablePurposes),
                    roles(breakGlassRoles),
                    sensitiveLabels == null ? Set.of() : Set.copyOf(sensitiveLabels),
                    organisations == null ? Map.of() : organisations.entrySet().stream().collect(
                            Collectors.toMap(Map.Entry::getKey, e -> e.getValue().sharingSettings())),
                    byRole(roleViews),
                    byRole(redacted));
        }

        CodeLists codeLists() {
            Codes c = codes == null ? new Codes(null, null, null, null) : codes;
            Map<DissentCode, Set<Code>> dissent = new EnumMap<>(DissentCode.class);
            if (c.gpDissent() != null) {
                c.gpDissent().forEach((kind, list) -> dissent.put(
                        DissentCode.valueOf(kind.toUpperCase(Locale.ROOT).replace('-', '_')), Set.copyOf(list)));
            }
            return new CodeLists(codeSets(c.sensitive()), codeSets(c.exemptCohorts()),
                    c.exemptCohortLabels() == null ? Map.of() : c.exemptCohortLabels().entrySet().stream()
                            .collect(Collectors.toMap(Map.Entry::getKey, e -> Set.copyOf(e.getValue()))),
                    dissent);
        }

        private static Map<String, Set<Code>> codeSets(Map<String, List<Code>> lists) {
            return lists == null ? Map.of() : lists.entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> Set.copyOf(e.getValue())));
        }

        private static Set<Role> roles(List<String> names) {
            Set<Role> roles = EnumSet.noneOf(Role.class);
            if (names != null) {
                names.forEach(name -> roles.add(role(name)));
            }
            return roles;
        }

        private static Map<Role, Set<String>> byRole(Map<String, List<String>> lists) {
            Map<Role, Set<String>> byRole = new EnumMap<>(Role.class);
            if (lists != null) {
                lists.forEach((name, types) -> byRole.put(role(name), new HashSet<>(types)));
            }
            return byRole;
        }

        private static Role role(String name) {
            return Role.fromClaimValue(name).orElseThrow(() -> new IllegalStateException(
                    "Unknown role '" + name + "' in the sharing policy"));
        }
    }

    record SharingAgreements(@DefaultValue("false") boolean required) {}

    record Organisation(@DefaultValue("share-by-default") String sharing, List<String> shareOnlyWith) {

        OrganisationSharing sharingSettings() {
            SharingModel model = SharingModel.valueOf(sharing.toUpperCase(Locale.ROOT).replace('-', '_'));
            return new OrganisationSharing(model, shareOnlyWith == null ? Set.of() : Set.copyOf(shareOnlyWith));
        }
    }

    record SecondaryUse(
            Map<String, List<PurposeOfUse>> recipients,
            @DefaultValue("year") SecondaryUseSettings.BirthDatePrecision birthDatePrecision,
            NationalDataOptOut nationalDataOptOut) {}

    record NationalDataOptOut(@DefaultValue("30") int maxAgeDays, List<String> notNeededBy) {}

    record Codes(
            Map<String, List<Code>> sensitive,
            Map<String, List<Code>> exemptCohorts,
            Map<String, List<String>> exemptCohortLabels,
            Map<String, List<Code>> gpDissent) {}
}
