package uk.sharedcare.record.consent;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.ValueSet;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.ClassPathResource;
import uk.sharedcare.record.access.PurposeOfUse;
import uk.sharedcare.record.consent.CodeLists.DissentCode;
import uk.sharedcare.record.consent.enforcement.PolicyFile;
import uk.sharedcare.record.profiles.RecordProfiles;

/**
 * The value sets and code systems published in fhir-profiles/ say exactly what the policy enforces: the same code
 * lists as shared-care-policy.yaml, the same purposes of use and the same rules. Editing one without the other
 * fails here.
 */
class PolicyCodeListsInProfilesTest {

    private static final String BASE = "https://sharedcarerecord.uk/fhir/";

    private final RecordProfiles profiles = RecordProfiles.load(FhirContext.forR4Cached());
    private final PolicyFile.Loaded policy = PolicyFile.read(new ClassPathResource("shared-care-policy.yaml"));

    @Test
    void sensitiveValueSetsListThePolicysSensitiveCodes() {
        policy.codes().sensitiveByLabel().forEach((label, codes) ->
                assertThat(codesOf("sensitive-" + label.toLowerCase(Locale.ROOT))).as(label).isEqualTo(codes));
    }

    @Test
    void exemptCohortValueSetsListThePolicysCohortCodes() {
        policy.codes().exemptCohorts().forEach((cohort, codes) ->
                assertThat(codesOf("exempt-cohort-" + cohort)).as(cohort).isEqualTo(codes));
    }

    @Test
    void gpDissentValueSetsListThePolicysDissentCodes() {
        for (DissentCode kind : DissentCode.values()) {
            String id = "gp-dissent-" + kind.name().toLowerCase(Locale.ROOT).replace('_', '-');
            assertThat(codesOf(id)).as(id).isEqualTo(policy.codes().gpDissent().get(kind));
        }
    }

    @Test
    void securityLabelValueSetListsTheSensitiveAndCohortLabels() {
        Set<String> labels = new HashSet<>(policy.settings().sensitiveLabels());
        policy.codes().exemptCohortLabels().values().forEach(labels::addAll);

        assertThat(codesOf("security-labels")).extracting(Code::code).containsExactlyInAnyOrderElementsOf(labels);
    }

    @Test
    void purposeOfUseValueSetListsEveryPurposeTheRecordKnows() {
        assertThat(codesOf("purpose-of-use")).extracting(Code::code).containsExactlyInAnyOrderElementsOf(
                Arrays.stream(PurposeOfUse.values()).map(PurposeOfUse::code).toList());
    }

    @Test
    void policyRuleCodeSystemDefinesEveryRuleInItsPlainWords() {
        CodeSystem rules = profiles.resources().stream()
                .filter(resource -> (BASE + "CodeSystem/policy-rule").equals(resource.getUrl()))
                .map(CodeSystem.class::cast).findFirst().orElseThrow();

        assertThat(rules.getConcept()).extracting(CodeSystem.ConceptDefinitionComponent::getCode)
                .containsExactlyElementsOf(Arrays.stream(PolicyRule.values()).map(PolicyRule::name).toList());
        rules.getConcept().forEach(concept -> assertThat(concept.getDefinition())
                .isEqualTo(PolicyRule.valueOf(concept.getCode()).plainWords()));
    }

    private Set<Code> codesOf(String valueSetId) {
        ValueSet valueSet = profiles.resources().stream()
                .filter(resource -> (BASE + "ValueSet/" + valueSetId).equals(resource.getUrl()))
                .map(ValueSet.class::cast).findFirst()
                .orElseThrow(() -> new AssertionError("No ValueSet " + valueSetId + " in fhir-profiles/"));
        return valueSet.getCompose().getInclude().stream()
                .flatMap(include -> include.getConcept().stream().map(c -> new Code(include.getSystem(), c.getCode())))
                .collect(Collectors.toSet());
    }
}
