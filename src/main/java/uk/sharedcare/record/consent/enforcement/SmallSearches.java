package uk.sharedcare.record.consent.enforcement;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.IPreResourceAccessDetails;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.servlet.ServletSubRequestDetails;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import uk.sharedcare.record.access.AccessContexts;
import uk.sharedcare.record.hooks.InterceptorOrder;

/**
 * A search about one patient is first run without a stored search (hook {@code STORAGE_PRESEARCH_REGISTERED}),
 * fetching one match more than its page holds: most such searches fit one page, and HAPI then answers them in the
 * request's own thread without writing the search and its result rows (decision 19). When the extra match comes
 * back the result needs pages, so {@link VisiblePages} runs the search again as a stored one and pages it as any
 * other. Whether a search fits is judged on every match before any is hidden, so the choice tells the caller
 * nothing of what it may not see.
 */
@Interceptor(order = InterceptorOrder.SMALL_SEARCHES)
final class SmallSearches {

    private static final String PROBE = SmallSearches.class.getName() + ".probe";
    /** The parameters that tie a search to one patient. */
    private static final Set<String> PATIENT_PARAMETERS = Set.of("patient", "subject");

    private final DaoRegistry daos;

    SmallSearches(DaoRegistry daos) {
        this.daos = daos;
    }

    /**
     * A search first run unstored: its parameters as the client gave them (to run it again stored), the page size,
     * and how many matches came back before any was hidden (-1 while HAPI has loaded none).
     */
    record Probe(String resourceType, SearchParameterMap asked, int pageSize, AtomicInteger matches) {

        /** Every match, visible or not, was fetched: the whole result is on the page HAPI made. */
        boolean fitsOnePage() {
            return matches.get() <= pageSize;
        }
    }

    @Hook(Pointcut.STORAGE_PRESEARCH_REGISTERED)
    public void runUnstoredFirst(RequestDetails request, SearchParameterMap params) {
        if (request == null || request.getUserData().containsKey(PROBE) || !isSmallCandidate(request, params)) {
            return;
        }
        int pageSize = VisiblePages.pageSize(request, request.getServer().getPagingProvider());
        if (pageSize <= 0) {
            return;
        }
        request.getUserData().put(PROBE, new Probe(request.getResourceName(), params.clone(), pageSize,
                new AtomicInteger(-1)));
        params.setLoadSynchronous(true);
        params.setCount(null); // HAPI would stop an unstored search at the page size, before the one match more
        params.setLoadSynchronousUpTo(pageSize + 1);
    }

    /** Counts the matches before HAPI's consent interceptor hides any: the first batch HAPI loads is the matches. */
    @Hook(Pointcut.STORAGE_PREACCESS_RESOURCES)
    public void countMatches(RequestDetails request, IPreResourceAccessDetails details) {
        if (request != null && request.getUserData().get(PROBE) instanceof Probe probe) {
            probe.matches().compareAndSet(-1, details.size());
        }
    }

    /** The unstored first run of this request's search, if it had one. */
    static Optional<Probe> probeOf(RequestDetails request) {
        return request.getUserData().get(PROBE) instanceof Probe probe ? Optional.of(probe) : Optional.empty();
    }

    /**
     * Runs a search whose first run did not fit one page again, stored, as the caller's request (HAPI's search
     * hooks and cache rules apply as to any search), and returns the stored search's id.
     */
    String storedAgain(Probe probe, RequestDetails request) {
        SharedCareConsentService.decisions(request).clear(); // the first run's decisions are about other instances
        return daos.getResourceDao(probe.resourceType()).search(probe.asked(), request).getUuid();
    }

    private static boolean isSmallCandidate(RequestDetails request, SearchParameterMap params) {
        return AccessContexts.of(request).isPresent()
                && request.getRestOperationType() == RestOperationTypeEnum.SEARCH_TYPE
                && !(request instanceof ServletSubRequestDetails)
                && request.getServer() != null && request.getServer().getPagingProvider() != null
                && !params.isLoadSynchronous() && params.getEverythingMode() == null
                && params.getSummaryMode() == null && params.getSearchTotalMode() == null && !params.isOffsetQuery()
                && namesOnePatient(request.getResourceName(), params);
    }

    private static boolean namesOnePatient(String resourceType, SearchParameterMap params) {
        if ("Patient".equals(resourceType)) {
            return isOneValue(params.get("_id"));
        }
        return PATIENT_PARAMETERS.stream().anyMatch(name -> isOneValue(params.get(name)));
    }

    private static boolean isOneValue(List<? extends List<?>> andOr) {
        return andOr != null && andOr.size() == 1 && andOr.get(0).size() == 1;
    }
}
