package uk.sharedcare.record.consent.enforcement;

import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one table of access paths: every REST operation HAPI can dispatch and every form a batch or transaction
 * entry can take, each with the enforcement that applies to it, step by step. The request guard enforces exactly
 * this table; {@code AccessPathsTableTest} fails when HAPI gains an operation type or an entry verb the table does
 * not name, and docs/policy.md renders it.
 */
public final class AccessPaths {

    /** One step of enforcement, in the words docs/policy.md uses. */
    public enum Enforcement {
        PUBLIC("answered without record data (the CapabilityStatement); still audited"),
        SCOPE_READ("the token's SMART scopes grant r (read) on the type, on some type for a request to the whole"
                + " server; otherwise 403. Every resource shown must be within them too"),
        SCOPE_SEARCH("the token's SMART scopes grant s (search) on the type, on some type for a request to the"
                + " whole server; otherwise 403"),
        SCOPE_CREATE("the token's SMART scopes grant c (create) on the type, for the patient it is about"),
        SCOPE_UPDATE("the token's SMART scopes grant u (update) on the type, for the patient it is about"),
        SCOPE_DELETE("the token's SMART scopes grant d (delete) on the type, for the patient it is about"),
        RESULTS_FILTERED("the consent service decides every resource the answer would hold before paging; hidden"
                + " ones are left out, and pages, links and totals count only what the caller may see"),
        SHOWN_IF_VISIBLE("the consent service decides the one resource; a hidden one answers exactly like a"
                + " missing one (404, same message)"),
        NAMED_RESOURCE_VISIBLE("before HAPI acts, the resource named must exist and be visible to the caller;"
                + " otherwise the answer is exactly that for a missing one (404, same message)"),
        NO_CREATE_BY_ID("an id the server did not assign creates nothing: a missing id answers 404 like a hidden"
                + " one, except for an organisation's own system integration (role system)"),
        WRITE_RULES("rule 9 on the resource written: an organisation changes only what it recorded"),
        PAGES_OF_OWN_SEARCH("a page is served only to the caller (user, client, organisation, roles, purpose) whose"
                + " search made it; anyone else gets exactly what an unknown search id gets (410)"),
        EACH_ENTRY_ALONE("each entry is judged and answered as the same request sent alone"),
        OFFERED_OPERATION("only the operations in OfferedOperations, at their levels and types; each then as its"
                + " check says"),
        NOT_OFFERED("refused with 403: the record does not offer it");

        private final String words;

        Enforcement(String words) {
            this.words = words;
        }

        public String words() {
            return words;
        }
    }

    /** The forms an entry of a batch or transaction can take. */
    public enum EntryForm {
        GET, HEAD, POST, PUT, PATCH, DELETE, CONDITIONAL_CREATE, CONDITIONAL_UPDATE, CONDITIONAL_PATCH,
        CONDITIONAL_DELETE
    }

    private static final Map<RestOperationTypeEnum, List<Enforcement>> BY_OPERATION =
            new EnumMap<>(RestOperationTypeEnum.class);
    private static final Map<EntryForm, List<Enforcement>> BY_ENTRY_FORM = new EnumMap<>(EntryForm.class);

    static {
        operation(RestOperationTypeEnum.METADATA, Enforcement.PUBLIC);
        operation(RestOperationTypeEnum.READ, Enforcement.SCOPE_READ, Enforcement.SHOWN_IF_VISIBLE);
        operation(RestOperationTypeEnum.VREAD, Enforcement.SCOPE_READ, Enforcement.SHOWN_IF_VISIBLE);
        operation(RestOperationTypeEnum.SEARCH_TYPE, Enforcement.SCOPE_SEARCH, Enforcement.RESULTS_FILTERED);
        operation(RestOperationTypeEnum.SEARCH_SYSTEM, Enforcement.SCOPE_SEARCH, Enforcement.RESULTS_FILTERED);
        operation(RestOperationTypeEnum.HISTORY_INSTANCE, Enforcement.SCOPE_READ,
                Enforcement.NAMED_RESOURCE_VISIBLE, Enforcement.RESULTS_FILTERED);
        operation(RestOperationTypeEnum.HISTORY_TYPE, Enforcement.SCOPE_SEARCH, Enforcement.RESULTS_FILTERED);
        operation(RestOperationTypeEnum.HISTORY_SYSTEM, Enforcement.SCOPE_SEARCH, Enforcement.RESULTS_FILTERED);
        operation(RestOperationTypeEnum.GET_PAGE, Enforcement.SCOPE_SEARCH, Enforcement.PAGES_OF_OWN_SEARCH,
                Enforcement.RESULTS_FILTERED);
        operation(RestOperationTypeEnum.CREATE, Enforcement.SCOPE_CREATE, Enforcement.WRITE_RULES);
        operation(RestOperationTypeEnum.UPDATE, Enforcement.SCOPE_UPDATE, Enforcement.NAMED_RESOURCE_VISIBLE,
                Enforcement.NO_CREATE_BY_ID, Enforcement.WRITE_RULES);
        operation(RestOperationTypeEnum.PATCH, Enforcement.SCOPE_UPDATE, Enforcement.NAMED_RESOURCE_VISIBLE,
                Enforcement.WRITE_RULES);
        operation(RestOperationTypeEnum.DELETE, Enforcement.SCOPE_DELETE, Enforcement.NAMED_RESOURCE_VISIBLE,
                Enforcement.WRITE_RULES);
        operation(RestOperationTypeEnum.TRANSACTION, Enforcement.EACH_ENTRY_ALONE);
        operation(RestOperationTypeEnum.BATCH, Enforcement.EACH_ENTRY_ALONE);
        operation(RestOperationTypeEnum.EXTENDED_OPERATION_SERVER, Enforcement.SCOPE_READ,
                Enforcement.OFFERED_OPERATION);
        operation(RestOperationTypeEnum.EXTENDED_OPERATION_TYPE, Enforcement.SCOPE_READ, Enforcement.OFFERED_OPERATION);
        operation(RestOperationTypeEnum.EXTENDED_OPERATION_INSTANCE, Enforcement.SCOPE_READ,
                Enforcement.OFFERED_OPERATION, Enforcement.NAMED_RESOURCE_VISIBLE);
        // Tags and meta would show or change labels on resources the caller may not see, and HAPI's consent
        // interceptor does not filter them; the rest are not part of the record's API.
        for (RestOperationTypeEnum refused : List.of(RestOperationTypeEnum.META, RestOperationTypeEnum.META_ADD,
                RestOperationTypeEnum.META_DELETE, RestOperationTypeEnum.ADD_TAGS, RestOperationTypeEnum.DELETE_TAGS,
                RestOperationTypeEnum.GET_TAGS, RestOperationTypeEnum.GRAPHQL_REQUEST, RestOperationTypeEnum.VALIDATE,
                RestOperationTypeEnum.UPDATE_REWRITE_HISTORY)) {
            operation(refused, Enforcement.NOT_OFFERED);
        }

        entry(EntryForm.GET, Enforcement.EACH_ENTRY_ALONE);
        entry(EntryForm.POST, Enforcement.EACH_ENTRY_ALONE);
        entry(EntryForm.PUT, Enforcement.EACH_ENTRY_ALONE);
        entry(EntryForm.PATCH, Enforcement.EACH_ENTRY_ALONE);
        entry(EntryForm.DELETE, Enforcement.EACH_ENTRY_ALONE);
        // HEAD is answered by HAPI only outside bundles; conditional forms tell whether a match exists.
        for (EntryForm refused : List.of(EntryForm.HEAD, EntryForm.CONDITIONAL_CREATE, EntryForm.CONDITIONAL_UPDATE,
                EntryForm.CONDITIONAL_PATCH, EntryForm.CONDITIONAL_DELETE)) {
            entry(refused, Enforcement.NOT_OFFERED);
        }
    }

    private AccessPaths() {}

    /** The enforcement of a REST operation, in order; empty for an operation type this table does not know. */
    public static Optional<List<Enforcement>> of(RestOperationTypeEnum operation) {
        return Optional.ofNullable(BY_OPERATION.get(operation));
    }

    public static Optional<List<Enforcement>> of(EntryForm form) {
        return Optional.ofNullable(BY_ENTRY_FORM.get(form));
    }

    public static Map<RestOperationTypeEnum, List<Enforcement>> operations() {
        return Map.copyOf(BY_OPERATION);
    }

    public static Map<EntryForm, List<Enforcement>> entryForms() {
        return Map.copyOf(BY_ENTRY_FORM);
    }

    private static void operation(RestOperationTypeEnum operation, Enforcement... steps) {
        BY_OPERATION.put(operation, List.of(steps));
    }

    private static void entry(EntryForm form, Enforcement... steps) {
        BY_ENTRY_FORM.put(form, List.of(steps));
    }
}
