package uk.sharedcare.record.consent;

import java.nio.charset.StandardCharsets;
import java.net.URLDecoder;
import java.util.Arrays;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseBundle;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import uk.sharedcare.record.access.AccessContext;
import uk.sharedcare.record.access.AccessContexts;

/**
 * Closes the access paths that filtering returned resources cannot close, because they would reveal hidden data
 * by their answer alone (hook {@code SERVER_INCOMING_REQUEST_PRE_HANDLED}, and {@code STORAGE_TRANSACTION_PROCESSING}
 * for each entry of a batch or transaction):
 * <ul>
 *   <li>only the operations the record offers ({@code $everything}, type-level {@code $validate}); {@code $meta},
 *       which HAPI's consent interceptor does not filter, and the rest are refused;</li>
 *   <li>reverse chains ({@code _has}), chained parameters and free-text or filter searches, which match on data
 *       the caller may not see, are refused;</li>
 *   <li>conditional create, update and delete, whose outcome tells whether a match exists, are refused;</li>
 *   <li>history, operations and writes on one resource the caller may not see answer 404, exactly as for a
 *       resource that does not exist.</li>
 * </ul>
 */
@Interceptor(order = RequestExposureGuard.ORDER)
final class RequestExposureGuard {

    /** Before HAPI's consent interceptor (order 100) and anything that reads data. */
    static final int ORDER = 50;

    private static final Set<String> OFFERED_OPERATIONS =
            Set.of("$everything", "$validate", "$explain-access", "$verify-audit-chain", "$access-report",
                    "$access-digest", "$review-break-glass", "$export", "$export-poll-status", "$export-file");
    private static final Set<String> SYSTEM_LEVEL_ONLY =
            Set.of("$verify-audit-chain", "$access-digest", "$review-break-glass", "$export-poll-status",
                    "$export-file");
    /** The pseudonymised extract (rule 10): no identifiable data, and the operations decide who may use them. */
    private static final Set<String> EXTRACT_OPERATIONS = Set.of("$export", "$export-poll-status", "$export-file");
    private static final Set<String> REFUSED_PARAMETERS = Set.of("_has", "_filter", "_text", "_content", "_list",
            "_query", "_contained", "_containedType");
    /** Governance operations that explain decisions rather than show data; they check the caller's role. */
    private static final Set<String> GOVERNANCE_OPERATIONS =
            Set.of("$explain-access", "$verify-audit-chain", "$access-report", "$access-digest", "$review-break-glass");
    private static final Set<RestOperationTypeEnum> INSTANCE_CHECKED = Set.of(RestOperationTypeEnum.HISTORY_INSTANCE,
            RestOperationTypeEnum.EXTENDED_OPERATION_INSTANCE, RestOperationTypeEnum.UPDATE,
            RestOperationTypeEnum.PATCH, RestOperationTypeEnum.DELETE);

    private final DaoRegistry daos;
    private final SharedCareConsentService consent;

    RequestExposureGuard(DaoRegistry daos, SharedCareConsentService consent) {
        this.daos = daos;
        this.consent = consent;
    }

    @Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED)
    public void guard(RequestDetails request, RestOperationTypeEnum operation) {
        Optional<AccessContext> who = AccessContexts.of(request);
        if (who.isEmpty()) {
            return;
        }
        refuseUnofferedOperation(request.getOperation(), request.getId() != null && request.getId().hasIdPart(),
                request.getResourceName());
        refuseRevealingParameters(request.getParameters().keySet());
        boolean conditionalUrl = request.getId() == null && !request.getParameters().isEmpty();
        if (request.getHeader("If-None-Exist") != null || conditionalUrl && isWrite(operation)) {
            throw refusal("conditional create, update and delete are not offered");
        }
        if (INSTANCE_CHECKED.contains(operation) && request.getId() != null && request.getId().hasIdPart()
                && !checksCallerItself(request.getOperation())) {
            requireVisible(who.get(), request);
        }
    }

    @Hook(Pointcut.STORAGE_TRANSACTION_PROCESSING)
    public void guardEntries(IBaseBundle bundle, RequestDetails request) {
        if (AccessContexts.of(request).isEmpty() || !(bundle instanceof Bundle entries)) {
            return;
        }
        for (Bundle.BundleEntryComponent entry : entries.getEntry()) {
            Bundle.BundleEntryRequestComponent call = entry.getRequest();
            String url = call.getUrl() == null ? "" : call.getUrl();
            boolean hasQuery = url.contains("?");
            if (call.hasIfNoneExist() || hasQuery && call.getMethod() != Bundle.HTTPVerb.GET) {
                throw refusal("conditional create, update and delete are not offered, in bundles either");
            }
            String path = hasQuery ? url.substring(0, url.indexOf('?')) : url;
            String[] segments = path.split("/");
            String last = segments[segments.length - 1];
            if (EXTRACT_OPERATIONS.contains(last)) {
                throw refusal("operation " + last + " is not offered in a batch or transaction");
            }
            if (last.startsWith("$")) {
                refuseUnofferedOperation(last, segments.length > 2, segments[0]);
            }
            if (hasQuery) {
                refuseRevealingParameters(parameterNames(url.substring(url.indexOf('?') + 1)));
            }
        }
    }

    static boolean isGovernance(String operation) {
        return operation != null && GOVERNANCE_OPERATIONS.contains(operation);
    }

    /**
     * Operations that decide for themselves who may call them and show no identifiable data to anyone else:
     * governance, and the pseudonymised extract with its own purposes of use.
     */
    static boolean checksCallerItself(String operation) {
        return isGovernance(operation) || operation != null && EXTRACT_OPERATIONS.contains(operation);
    }

    private static boolean isWrite(RestOperationTypeEnum operation) {
        return operation == RestOperationTypeEnum.UPDATE || operation == RestOperationTypeEnum.DELETE
                || operation == RestOperationTypeEnum.PATCH || operation == RestOperationTypeEnum.CREATE;
    }

    private static void refuseUnofferedOperation(String operation, boolean onInstance, String resourceType) {
        if (operation == null || !operation.startsWith("$")) {
            return;
        }
        boolean offered = OFFERED_OPERATIONS.contains(operation)
                && !("$validate".equals(operation) && onInstance)
                && !("$everything".equals(operation) && !"Patient".equals(resourceType))
                && !("$export".equals(operation) && resourceType != null
                        && !("Group".equals(resourceType) && onInstance))
                && !("$explain-access".equals(operation) && onInstance && !"Patient".equals(resourceType))
                && !(SYSTEM_LEVEL_ONLY.contains(operation) && resourceType != null)
                && !("$access-report".equals(operation) && !(onInstance && "Patient".equals(resourceType)));
        if (!offered) {
            throw refusal("operation " + operation + (onInstance ? " on a single resource" : "")
                    + " is not offered");
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

    private void requireVisible(AccessContext who, RequestDetails request) {
        IBaseResource current;
        try {
            current = daos.getResourceDao(request.getResourceName())
                    .read(request.getId().toUnqualifiedVersionless(), new SystemRequestDetails());
        } catch (ResourceNotFoundException | ResourceGoneException missing) {
            return; // HAPI answers as for any missing resource; a PUT may create it
        }
        Decision decision = consent.decide(who, current, request);
        SharedCareConsentService.decisions(request).put(current, decision);
        if (!decision.permits()) {
            throw UniformNotFound.notFound(request.getId());
        }
    }

    private static Collection<String> parameterNames(String query) {
        return Arrays.stream(query.split("&"))
                .map(pair -> pair.contains("=") ? pair.substring(0, pair.indexOf('=')) : pair)
                .map(name -> URLDecoder.decode(name, StandardCharsets.UTF_8))
                .toList();
    }

    private static RuntimeException refusal(String detail) {
        return Refusals.forbidden(Reason.of(PolicyRule.EXPOSURE_GUARD, detail));
    }
}
