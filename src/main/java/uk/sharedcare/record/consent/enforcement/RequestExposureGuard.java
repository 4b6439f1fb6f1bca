package uk.sharedcare.record.consent.enforcement;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.servlet.ServletSubRequestDetails;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseBundle;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.Bundle;
import uk.sharedcare.record.StoredResources;
import uk.sharedcare.record.access.AccessContext;
import uk.sharedcare.record.access.AccessContexts;
import uk.sharedcare.record.access.Role;
import uk.sharedcare.record.access.SmartScopes.Permission;
import uk.sharedcare.record.consent.PolicyRule;
import uk.sharedcare.record.consent.Reason;
import uk.sharedcare.record.consent.enforcement.AccessPaths.Enforcement;
import uk.sharedcare.record.consent.enforcement.OfferedOperations.Operation;
import uk.sharedcare.record.hooks.InterceptorOrder;

/**
 * Enforces the {@link AccessPaths} table on every request before HAPI acts on it (hook
 * {@code SERVER_INCOMING_REQUEST_PRE_HANDLED}, which HAPI also calls for each GET entry of a batch or transaction)
 * and on every other entry of a batch or transaction (hook {@code STORAGE_TRANSACTION_PROCESSING}, which HAPI calls
 * once for a transaction and once per entry for a batch). An entry is judged by the same code as the same request
 * sent alone, so it is refused, or answered as missing, exactly as that request would be. Besides the table's steps,
 * every path refuses the search parameters that match on data the caller may not see ({@code _has}, chains,
 * free text) and conditional writes, whose outcome tells whether a match exists.
 */
@Interceptor(order = InterceptorOrder.REQUEST_GUARD)
final class RequestExposureGuard {

    private static final Set<String> REFUSED_PARAMETERS = Set.of("_has", "_filter", "_text", "_content", "_list",
            "_query", "_contained", "_containedType", "_at");
    /**
     * Types served by the plugin's own read-only providers (the audit ledger) rather than HAPI's store: their
     * provider answers a hidden resource exactly as a missing one itself, and offers no writes.
     */
    private static final Set<String> CHECKED_BY_OWN_PROVIDER = Set.of("AuditEvent");
    /** HAPI retries or switches a batch to a transaction on this header, judging no entry on the way. */
    private static final String TRANSACTION_SEMANTICS = "X-Transaction-Semantics";

    private final DaoRegistry daos;
    private final SharedCareConsentService consent;
    private final SearchOwners searches;

    RequestExposureGuard(DaoRegistry daos, SharedCareConsentService consent, SearchOwners searches) {
        this.daos = daos;
        this.consent = consent;
        this.searches = searches;
    }

    @Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED)
    public void guard(RequestDetails request, RestOperationTypeEnum operation) {
        if (operation == RestOperationTypeEnum.METADATA) {
            return; // public (AccessPaths): the one request that may come without an access context
        }
        AccessContext who = AccessContexts.require(request);
        if (request.getHeader(TRANSACTION_SEMANTICS) != null) {
            throw refusal("the " + TRANSACTION_SEMANTICS + " header is not offered");
        }
        judge(who, PathRequest.of(request, operation), request, request instanceof ServletSubRequestDetails);
    }

    @Hook(Pointcut.STORAGE_TRANSACTION_PROCESSING)
    public void guardEntries(IBaseBundle bundle, RequestDetails request) {
        AccessContext who = AccessContexts.require(request);
        if (!(bundle instanceof Bundle entries) || entries.getType() == Bundle.BundleType.BATCH) {
            return; // a batch's entries come back here one by one, each in a transaction of its own
        }
        for (Bundle.BundleEntryComponent entry : entries.getEntry()) {
            PathRequest.Entry path = PathRequest.ofEntry(entry, request.getFhirServerBase());
            List<Enforcement> steps = AccessPaths.of(path.form()).orElse(List.of(Enforcement.NOT_OFFERED));
            if (steps.contains(Enforcement.NOT_OFFERED)) {
                throw refusal(path.form().name().replace('_', ' ').toLowerCase() + " is not offered in a batch or"
                        + " transaction");
            }
            path.request().ifPresent(alone -> judgeEntry(who, alone, request));
        }
    }

    private void judgeEntry(AccessContext who, PathRequest entry, RequestDetails request) {
        if (entry.operation() == RestOperationTypeEnum.TRANSACTION) {
            throw refusal("a bundle inside a batch or transaction is not offered");
        }
        judge(who, entry, request, true);
    }

    private void judge(AccessContext who, PathRequest path, RequestDetails request, boolean entry) {
        List<Enforcement> steps = AccessPaths.of(path.operation()).orElse(List.of(Enforcement.NOT_OFFERED));
        refuseRevealingParameters(path.parameterNames());
        if (path.parameterNames().contains(Constants.PARAM_OFFSET) && !FullHistory.OPERATIONS.contains(path.operation())) {
            throw refusal("_offset is offered on history only; follow a search's paging links instead");
        }
        if (path.conditional()) {
            throw refusal("conditional create, update and delete are not offered");
        }
        for (Enforcement step : steps) {
            switch (step) {
                case NOT_OFFERED -> throw refusal(describe(path) + " is not offered");
                case SCOPE_READ -> requireScope(who, Permission.READ, path);
                case SCOPE_SEARCH -> requireScope(who, Permission.SEARCH, path);
                case SCOPE_CREATE -> requireScope(who, Permission.CREATE, path);
                case SCOPE_UPDATE -> requireScope(who, Permission.UPDATE, path);
                case SCOPE_DELETE -> requireScope(who, Permission.DELETE, path);
                case OFFERED_OPERATION -> requireOffered(path, entry);
                case PAGES_OF_OWN_SEARCH -> searches.requireOwner(who, request);
                case NAMED_RESOURCE_VISIBLE -> {
                    if (!OfferedOperations.checksCallerItself(path.operationName().orElse(null))) {
                        requireVisible(who, path.versionless(), request,
                                steps.contains(Enforcement.NO_CREATE_BY_ID) && who.hasRole(Role.SYSTEM));
                    }
                }
                // Alone, the consent service decides and UniformNotFound words the 404; an entry has no such
                // hook, so it is checked here and answered with the same 404.
                case SHOWN_IF_VISIBLE -> {
                    if (entry) {
                        requireVisible(who, path, request, false);
                    }
                }
                // Enforced where the data is: the consent service (results), WriteAuthorisation (rule 9), and
                // the entries of a bundle as they come.
                case PUBLIC, RESULTS_FILTERED, WRITE_RULES, EACH_ENTRY_ALONE, NO_CREATE_BY_ID -> { }
            }
        }
    }

    /**
     * SMART scopes narrow by interaction and type, decided from the request alone (so a refusal tells nothing of
     * what is stored); which patient a {@code patient/} scope allows is decided per resource by the policy.
     */
    private static void requireScope(AccessContext who, Permission permission, PathRequest path) {
        String type = path.resourceType().orElse(path.id().map(IIdType::getResourceType).orElse(null));
        if (!who.scopes().allows(permission, type)) {
            throw Refusals.forbidden(Reason.of(PolicyRule.SMART_SCOPE, "the token's scopes ("
                    + who.scopes().describe() + ") do not grant " + permission.name().toLowerCase(Locale.ROOT)
                    + " (" + permission.letter() + ") on " + (type == null ? "any resource type" : type)));
        }
    }

    private static void requireOffered(PathRequest path, boolean entry) {
        String name = path.operationName().orElse("");
        Optional<Operation> offered = OfferedOperations.named(name)
                .filter(operation -> operation.offeredAt(path.level(), path.resourceType()));
        if (offered.isEmpty()) {
            throw refusal("operation " + name + (path.id().isPresent() ? " on a single resource" : "")
                    + " is not offered");
        }
        if (entry && !offered.get().inBundles()) {
            throw refusal("operation " + name + " is not offered in a batch or transaction");
        }
    }

    private static void refuseRevealingParameters(Collection<String> names) {
        for (String name : names) {
            String base = name.contains(":") ? name.substring(0, name.indexOf(':')) : name;
            if (REFUSED_PARAMETERS.contains(base)) {
                throw refusal("search parameter " + base + " is not offered");
            }
            if (name.contains(".")) {
                throw refusal("chained search parameters (" + name + ") are not offered");
            }
        }
    }

    /**
     * The named resource must exist and be visible; otherwise the answer is the one for a missing resource. With
     * {@code mayCreate} a missing one may be created with its id (an organisation's own system integration).
     */
    private void requireVisible(AccessContext who, PathRequest path, RequestDetails request, boolean mayCreate) {
        String type = path.resourceType().orElse(path.id().orElseThrow().getResourceType());
        if (type == null || !daos.isResourceTypeSupported(type)) {
            return; // HAPI answers as for any unknown type
        }
        if (CHECKED_BY_OWN_PROVIDER.contains(type)) {
            return;
        }
        IIdType id = path.id().orElseThrow().withResourceType(type);
        Optional<IBaseResource> stored = StoredResources.read(daos, id);
        if (stored.isEmpty()) {
            if (mayCreate && !id.hasVersionIdPart()) {
                return;
            }
            throw UniformNotFound.notFound(id);
        }
        if (!consent.decideAndRemember(who, stored.get(), request).permits()) {
            throw UniformNotFound.notFound(id);
        }
    }

    private static String describe(PathRequest path) {
        return path.operationName().orElse(path.operation().getCode());
    }

    private static RuntimeException refusal(String detail) {
        return Refusals.forbidden(Reason.of(PolicyRule.EXPOSURE_GUARD, detail));
    }
}
