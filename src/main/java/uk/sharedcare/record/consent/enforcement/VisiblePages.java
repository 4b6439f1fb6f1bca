package uk.sharedcare.record.consent.enforcement;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.api.BundleInclusionRule;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.model.api.ResourceMetadataKeyEnum;
import ca.uhn.fhir.model.valueset.BundleEntrySearchModeEnum;
import ca.uhn.fhir.model.valueset.BundleTypeEnum;
import ca.uhn.fhir.rest.api.BundleLinks;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.api.IVersionSpecificBundleFactory;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.ResponseDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.IPagingProvider;
import ca.uhn.fhir.rest.server.RestfulServerUtils;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IAnyResource;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import uk.sharedcare.record.access.AccessContext;
import uk.sharedcare.record.access.AccessContexts;
import uk.sharedcare.record.hooks.InterceptorOrder;

/**
 * Pages that count only what the caller may see (hook {@code SERVER_OUTGOING_RESPONSE}, before HAPI's consent
 * interceptor carries out obligations on what is shown). HAPI pages a stored search or a history by positions in
 * the full result, hidden resources included: history pages come out short or empty, {@code next} follows the
 * full result's size, and {@code total} counts what was hidden. Every searchset or history page is therefore made
 * again here from the stored result: hidden resources are skipped until the page is full, {@code next} is given
 * exactly when one more visible result exists, and no total is given. A page's offset in its links counts visible
 * results only; where it starts in the full result is kept by {@link VisibleOffsets}, shared by every node.
 */
@Interceptor(order = InterceptorOrder.VISIBLE_PAGES)
final class VisiblePages {

    private static final Set<RestOperationTypeEnum> PAGED = Set.of(RestOperationTypeEnum.SEARCH_TYPE,
            RestOperationTypeEnum.SEARCH_SYSTEM, RestOperationTypeEnum.HISTORY_INSTANCE,
            RestOperationTypeEnum.HISTORY_TYPE, RestOperationTypeEnum.HISTORY_SYSTEM, RestOperationTypeEnum.GET_PAGE,
            RestOperationTypeEnum.EXTENDED_OPERATION_TYPE, RestOperationTypeEnum.EXTENDED_OPERATION_INSTANCE);

    /**
     * How far one page may read through hidden results before it is answered short, with a link to read on: a
     * caller who sees little of a large history cannot make one request scan the whole database.
     */
    static final int MAX_SCANNED = 5_000;

    private final SharedCareConsentService consent;
    private final VisibleOffsets offsets;
    private final FhirContext fhir;
    private final FullHistory history;
    private final SmallSearches smallSearches;

    VisiblePages(SharedCareConsentService consent, VisibleOffsets offsets, FhirContext fhir, FullHistory history,
            SmallSearches smallSearches) {
        this.consent = consent;
        this.offsets = offsets;
        this.fhir = fhir;
        this.history = history;
        this.smallSearches = smallSearches;
    }

    @Hook(Pointcut.SERVER_OUTGOING_RESPONSE)
    public void fillPage(RequestDetails request, ResponseDetails response) {
        Optional<AccessContext> who = AccessContexts.of(request);
        if (who.isEmpty() || !(response.getResponseResource() instanceof Bundle bundle)) {
            return;
        }
        if (bundle.getType() == Bundle.BundleType.BATCHRESPONSE
                || bundle.getType() == Bundle.BundleType.TRANSACTIONRESPONSE) {
            bundle.getEntry().stream().map(Bundle.BundleEntryComponent::getResource)
                    .filter(Bundle.class::isInstance).map(Bundle.class::cast)
                    .forEach(VisiblePages::withoutCounts);
        } else if (PAGED.contains(request.getRestOperationType())
                && (bundle.getType() == Bundle.BundleType.SEARCHSET || bundle.getType() == Bundle.BundleType.HISTORY)
                && request.getServer() != null && request.getServer().getPagingProvider() != null) {
            boolean history = FullHistory.OPERATIONS.contains(request.getRestOperationType());
            IPagingProvider paging = request.getServer().getPagingProvider();
            int count = pageSize(request, paging);
            Optional<SmallSearches.Probe> probe = SmallSearches.probeOf(request);
            if (probe.isPresent() && probe.get().fitsOnePage()) {
                withoutCounts(bundle); // answered whole without a stored search: nothing follows
                return;
            }
            if (probe.isPresent()) {
                storedSearch(paging, smallSearches.storedAgain(probe.get(), request)).ifPresent(source ->
                        response.setResponseResource(visiblePage(who.get(), request, bundle, source, count)));
                return;
            }
            if ((history || bundle.hasId()) && offsetAsked(request, history) == 0 && isWholeResult(bundle, count)) {
                withoutCounts(bundle); // before the stored result is looked up: most searches about one patient
                return;
            }
            sourceOf(who.get(), request, bundle).ifPresent(source ->
                    response.setResponseResource(visiblePage(who.get(), request, bundle, source, count)));
        }
    }

    private static int offsetAsked(RequestDetails request, boolean history) {
        return Math.max(0, RequestParameters.integer(request,
                history ? Constants.PARAM_OFFSET : Constants.PARAM_PAGINGOFFSET).orElse(0));
    }

    /** The page again, from the full result, holding and counting only what the caller may see. */
    private Bundle visiblePage(AccessContext who, RequestDetails request, Bundle page, Source source, int count) {
        int visibleOffset = Math.max(0, RequestParameters.integer(request, source.offsetParameter()).orElse(0));
        Page visible = collect(who, request, source, visibleOffset, count);
        visible.nextRawOffset().ifPresent(next -> offsets.remember(source.key(), visibleOffset + count, next));
        return rebuild(request, page, source, visibleOffset, count, visible);
    }

    /** Empty for a search answered whole (synchronous): HAPI filtered it and gave it no further pages. */
    private Optional<Source> sourceOf(AccessContext who, RequestDetails request, Bundle page) {
        return FullHistory.OPERATIONS.contains(request.getRestOperationType())
                ? Optional.of(history.of(who, request))
                : storedSearch(request.getServer().getPagingProvider(), page);
    }

    /**
     * The full result a page is cut from, unfiltered, and how its pages are named: a stored search by its id and
     * {@code _getpagesoffset}, a history (which HAPI does not store) by its own URL and {@code _offset}.
     */
    record Source(IBundleProvider full, String key, String offsetParameter, Optional<String> searchId) {}

    private static Optional<Source> storedSearch(IPagingProvider paging, Bundle page) {
        return page.hasId() ? storedSearch(paging, page.getIdElement().getIdPart()) : Optional.empty();
    }

    private static Optional<Source> storedSearch(IPagingProvider paging, String searchId) {
        return Optional.ofNullable(paging.retrieveResultList(new SystemRequestDetails(), searchId))
                .map(stored -> new Source(stored, searchId, Constants.PARAM_PAGINGOFFSET, Optional.of(searchId)));
    }

    /** The visible matches from the page's start, their visible includes, and where the next page starts. */
    private record Page(List<IBaseResource> resources, Optional<Integer> nextRawOffset) {}

    private Page collect(AccessContext who, RequestDetails request, Source source, int visibleOffset, int count) {
        if (count == 0) {
            return new Page(List.of(), Optional.empty()); // _count=0 asks for a count, and there is none to give
        }
        IBundleProvider stored = source.full();
        VisibleOffsets.Position from = offsets.nearestAtOrBefore(source.key(), visibleOffset);
        int toSkip = visibleOffset - from.visible();
        int raw = from.raw();
        List<IBaseResource> matches = new ArrayList<>();
        Map<String, IBaseResource> includes = new LinkedHashMap<>();
        int step = count + 1;
        while (true) {
            List<IBaseResource> batch = stored.getResources(raw, raw + step);
            consent.prepare(request, batch);
            List<IBaseResource> batchMatches = batch.stream().filter(r -> !isInclude(r)).toList();
            for (int i = 0; i < batchMatches.size(); i++) {
                IBaseResource match = batchMatches.get(i);
                if (!visible(who, match, request)) {
                    continue;
                }
                if (toSkip > 0) {
                    toSkip--;
                } else if (matches.size() == count) {
                    return new Page(withIncludes(matches, includes), Optional.of(raw + i));
                } else {
                    matches.add(match);
                }
            }
            batch.stream().filter(VisiblePages::isInclude).filter(r -> visible(who, r, request))
                    .forEach(r -> includes.putIfAbsent(r.getIdElement().toUnqualifiedVersionless().getValue(), r));
            if (batchMatches.size() < step) {
                return new Page(withIncludes(matches, includes), Optional.empty());
            }
            raw += batchMatches.size();
            if (raw - from.raw() >= MAX_SCANNED) {
                return new Page(withIncludes(matches, includes), Optional.of(raw));
            }
            step = Math.min(step * 2, 1000);
        }
    }

    private boolean visible(AccessContext who, IBaseResource resource, RequestDetails request) {
        return consent.decideAndRemember(who, resource, request).permits();
    }

    private Bundle rebuild(RequestDetails request, Bundle original, Source source, int visibleOffset, int count,
            Page visible) {
        BundleTypeEnum type = original.getType() == Bundle.BundleType.HISTORY
                ? BundleTypeEnum.HISTORY : BundleTypeEnum.SEARCHSET;
        BundleLinks links = new BundleLinks(request.getFhirServerBase(), null,
                RestfulServerUtils.prettyPrintResponse(request.getServer(), request), type);
        Bundle.BundleLinkComponent self = original.getLink(Bundle.LINK_SELF);
        links.setSelf(self == null ? null : self.getUrl());
        if (visible.nextRawOffset().isPresent()) {
            links.setNext(link(links, request, source, visibleOffset + count, count));
        }
        if (visibleOffset > 0) {
            links.setPrev(link(links, request, source, Math.max(0, visibleOffset - count), count));
        }
        IVersionSpecificBundleFactory factory = fhir.newBundleFactory();
        String id = source.searchId().orElse(original.getIdElement().getIdPart());
        factory.addRootPropertiesToBundle(id, links, null, original.getMeta().getLastUpdatedElement());
        factory.addResourcesToBundle(visible.resources(), type, request.getFhirServerBase(),
                BundleInclusionRule.BASED_ON_INCLUDES, Set.of());
        return (Bundle) factory.getResourceBundle();
    }

    /**
     * HAPI's first page already holds the whole result when its total, which counts hidden results too, is no more
     * than what the page shows: nothing was hidden and nothing follows. Most searches about one patient are so.
     */
    private static boolean isWholeResult(Bundle page, int count) {
        long shown = page.getEntry().stream().map(entry -> entry.getSearch().getMode())
                .filter(mode -> mode == null || mode == Bundle.SearchEntryMode.MATCH).count();
        return page.hasTotal() && page.getTotal() == shown && shown <= count && page.getLink(Bundle.LINK_NEXT) == null;
    }

    /** A search inside a batch entry keeps HAPI's page, but nothing on it may count what was hidden. */
    private static void withoutCounts(Bundle searched) {
        searched.setTotalElement(null);
        searched.getLink().removeIf(link -> "last".equals(link.getRelation()));
    }

    private static String link(BundleLinks links, RequestDetails request, Source source, int offset, int count) {
        return source.searchId()
                .map(searchId -> RestfulServerUtils.createPagingLink(links, request, searchId, offset, count,
                        request.getParameters()))
                .orElseGet(() -> RestfulServerUtils.createOffsetPagingLink(links, request.getRequestPath(),
                        request.getTenantId(), offset, count, request.getParameters()));
    }

    private static List<IBaseResource> withIncludes(List<IBaseResource> matches, Map<String, IBaseResource> includes) {
        List<IBaseResource> page = new ArrayList<>(matches);
        Set<String> onPage = new HashSet<>();
        matches.forEach(m -> onPage.add(m.getIdElement().toUnqualifiedVersionless().getValue()));
        includes.forEach((id, resource) -> {
            if (!onPage.contains(id)) {
                page.add(resource);
            }
        });
        return page;
    }

    private static boolean isInclude(IBaseResource resource) {
        return resource instanceof IAnyResource any
                && ResourceMetadataKeyEnum.ENTRY_SEARCH_MODE.get(any) == BundleEntrySearchModeEnum.INCLUDE;
    }

    static int pageSize(RequestDetails request, IPagingProvider paging) {
        int asked = RequestParameters.integer(request, Constants.PARAM_COUNT).filter(c -> c >= 0)
                .orElse(paging.getDefaultPageSize());
        return Math.min(asked, paging.getMaximumPageSize());
    }
}
