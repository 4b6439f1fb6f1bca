package uk.sharedcare.record.consent.enforcement;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import uk.sharedcare.record.consent.enforcement.AccessPaths.Enforcement;
import uk.sharedcare.record.consent.enforcement.AccessPaths.EntryForm;

/**
 * The access-path table names every way HAPI can be asked for data, so that a path cannot be forgotten: a new
 * operation type in HAPI, or a new entry verb in FHIR, fails here until it has its rule; and docs/policy.md shows
 * exactly the table the guard enforces.
 */
class AccessPathsTableTest {

    @ParameterizedTest
    @EnumSource(RestOperationTypeEnum.class)
    void everyRestOperationHapiCanDispatchHasItsEnforcement(RestOperationTypeEnum operation) {
        assertThat(AccessPaths.of(operation)).as(operation + " has no rule in AccessPaths").isPresent()
                .get().asList().isNotEmpty();
    }

    @ParameterizedTest
    @EnumSource(Bundle.HTTPVerb.class)
    void everyEntryVerbIsReadAsAFormWithItsEnforcement(Bundle.HTTPVerb verb) {
        Bundle.BundleEntryComponent entry = new Bundle.BundleEntryComponent();
        entry.getRequest().setMethod(verb).setUrl("Observation/123");

        EntryForm form = PathRequest.ofEntry(entry, "http://localhost/fhir").form();

        assertThat(AccessPaths.of(form)).as(verb + " read as " + form).isPresent();
    }

    @ParameterizedTest
    @EnumSource(EntryForm.class)
    void everyEntryFormHasItsEnforcement(EntryForm form) {
        assertThat(AccessPaths.of(form)).isPresent().get().asList().isNotEmpty();
    }

    @Test
    void conditionalEntriesAreReadAsConditionalSoTheyAreRefused() {
        assertThat(formOf(Bundle.HTTPVerb.PUT, "Patient?identifier=x|1")).isEqualTo(EntryForm.CONDITIONAL_UPDATE);
        assertThat(formOf(Bundle.HTTPVerb.PATCH, "Patient?identifier=x|1")).isEqualTo(EntryForm.CONDITIONAL_PATCH);
        assertThat(formOf(Bundle.HTTPVerb.DELETE, "Patient?identifier=x|1"))
                .isEqualTo(EntryForm.CONDITIONAL_DELETE);
        Bundle.BundleEntryComponent create = new Bundle.BundleEntryComponent();
        create.getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Patient").setIfNoneExist("identifier=x|1");
        assertThat(PathRequest.ofEntry(create, "").form()).isEqualTo(EntryForm.CONDITIONAL_CREATE);
        assertThat(AccessPaths.of(EntryForm.CONDITIONAL_UPDATE)).contains(List.of(Enforcement.NOT_OFFERED));
    }

    @Test
    void entryUrlsAreJudgedAsTheSameRequestsSentAlone() {
        assertThat(entry(Bundle.HTTPVerb.PUT, "Patient/p1").operation()).isEqualTo(RestOperationTypeEnum.UPDATE);
        assertThat(entry(Bundle.HTTPVerb.PATCH, "Observation/o1").operation()).isEqualTo(RestOperationTypeEnum.PATCH);
        assertThat(entry(Bundle.HTTPVerb.DELETE, "http://localhost/fhir/Observation/o1").id())
                .hasValueSatisfying(id -> assertThat(id.getValue()).isEqualTo("Observation/o1"));
        assertThat(entry(Bundle.HTTPVerb.POST, "Patient").operation()).isEqualTo(RestOperationTypeEnum.CREATE);
        assertThat(entry(Bundle.HTTPVerb.POST, "Patient/p1/$everything").operation())
                .isEqualTo(RestOperationTypeEnum.EXTENDED_OPERATION_INSTANCE);
        assertThat(entry(Bundle.HTTPVerb.POST, "Observation/o1/$meta-add").operation())
                .isEqualTo(RestOperationTypeEnum.META_ADD);
        assertThat(entry(Bundle.HTTPVerb.POST, "$export").operation())
                .isEqualTo(RestOperationTypeEnum.EXTENDED_OPERATION_SERVER);
        assertThat(entry(Bundle.HTTPVerb.POST, "Observation/_search?_has:x=1").parameterNames())
                .containsExactly("_has:x");
        assertThat(entry(Bundle.HTTPVerb.POST, "").operation()).isEqualTo(RestOperationTypeEnum.TRANSACTION);
    }

    @Test
    void everyOfferedOperationNamesAtLeastOneLevel() {
        assertThat(OfferedOperations.ALL).allSatisfy(operation -> assertThat(operation.levels()).isNotEmpty());
        assertThat(OfferedOperations.checksCallerItself("$access-report")).isTrue();
        assertThat(OfferedOperations.checksCallerItself("$everything")).isFalse();
        assertThat(OfferedOperations.checksCallerItself("$expunge")).isFalse();
    }

    @Test
    void policyDocumentShowsTheTableTheGuardEnforces() throws IOException {
        String policy = Files.readString(Path.of("docs/policy.md"));

        assertThat(policy).contains(rendered());
    }

    /** The table as docs/policy.md shows it. */
    static String rendered() {
        StringBuilder table = new StringBuilder("| REST operation (HAPI) | enforcement, in order |\n| --- | --- |\n");
        Arrays.stream(RestOperationTypeEnum.values()).forEach(operation -> table.append("| `")
                .append(operation.getCode()).append("` | ").append(steps(AccessPaths.of(operation).orElseThrow()))
                .append(" |\n"));
        table.append("\n| batch or transaction entry | enforcement |\n| --- | --- |\n");
        Arrays.stream(EntryForm.values()).forEach(form -> table.append("| ")
                .append(form.name().replace('_', ' ').toLowerCase()).append(" | ")
                .append(steps(AccessPaths.of(form).orElseThrow())).append(" |\n"));
        table.append("\n| enforcement | what it means |\n| --- | --- |\n");
        Arrays.stream(Enforcement.values()).forEach(step -> table.append("| ").append(step.name()).append(" | ")
                .append(step.words()).append(" |\n"));
        return table.toString();
    }

    private static String steps(List<Enforcement> steps) {
        return steps.stream().map(Enforcement::name).collect(Collectors.joining(", "));
    }

    private static EntryForm formOf(Bundle.HTTPVerb verb, String url) {
        Bundle.BundleEntryComponent entry = new Bundle.BundleEntryComponent();
        entry.getRequest().setMethod(verb).setUrl(url);
        return PathRequest.ofEntry(entry, "").form();
    }

    private static PathRequest entry(Bundle.HTTPVerb verb, String url) {
        Bundle.BundleEntryComponent entry = new Bundle.BundleEntryComponent();
        entry.getRequest().setMethod(verb).setUrl(url);
        return PathRequest.ofEntry(entry, "http://localhost/fhir/").request().orElseThrow();
    }
}
