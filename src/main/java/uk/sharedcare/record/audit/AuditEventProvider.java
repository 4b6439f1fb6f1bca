package uk.sharedcare.record.audit;

import ca.uhn.fhir.rest.annotation.Count;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.annotation.Sort;
import ca.uhn.fhir.rest.api.SortOrderEnum;
import ca.uhn.fhir.rest.api.SortSpec;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.param.DateRangeParam;
import ca.uhn.fhir.rest.param.ReferenceOrListParam;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.param.StringParam;
import ca.uhn.fhir.rest.param.TokenOrListParam;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.IdType;
import uk.sharedcare.record.audit.ledger.AuditEventJson;
import uk.sharedcare.record.audit.ledger.LedgerEntry.LedgerReference;
import uk.sharedcare.record.audit.ledger.LedgerEntry.LedgerReference.Kind;
import uk.sharedcare.record.audit.ledger.LedgerQueries;
import uk.sharedcare.record.audit.ledger.LedgerRow;
import uk.sharedcare.record.audit.ledger.LedgerSearch;
import uk.sharedcare.record.consent.enforcement.SharedCareConsentService;
import uk.sharedcare.record.consent.enforcement.UniformNotFound;

/**
 * AuditEvent, read-only, served from the audit ledger: read (version 1, the only one an event has) and search by
 * patient, entity, agent, date, type, subtype, action, outcome and purpose, paged by keyset ({@code _cursor}, the
 * last sequence number seen) in the order events were written, or newest first with {@code _sort=-date}. The read
 * rules are today's ({@code decideAuditRead}): a hidden event answers exactly as a missing one, and a page holds
 * only events the caller may see, with {@code next} exactly when one more exists.
 */
public final class AuditEventProvider implements IResourceProvider {

    static final String CURSOR = "_cursor";
    /** How many rows one page may read through events the caller may not see before it is answered short. */
    static final int MAX_SCANNED = 5_000;
    private static final int DEFAULT_COUNT = 20;
    private static final int MAX_COUNT = 500;

    private final LedgerQueries ledger;
    private final AuditEventJson json;
    private final SharedCareConsentService consent;

    AuditEventProvider(LedgerQueries ledger, AuditEventJson json, SharedCareConsentService consent) {
        this.ledger = ledger;
        this.json = json;
        this.consent = consent;
    }

    @Override
    public Class<? extends IBaseResource> getResourceType() {
        return AuditEvent.class;
    }

    @Read(version = true)
    public AuditEvent read(@IdParam IdType id, RequestDetails request) {
        IdType asked = id.withResourceType("AuditEvent");
        Optional<LedgerRow> row = sequenceOf(id.getIdPart())
                .filter(sequence -> !id.hasVersionIdPart() || "1".equals(id.getVersionIdPart()))
                .flatMap(ledger::read);
        AuditEvent event = row.map(json::served).orElseThrow(() -> UniformNotFound.notFound(asked));
        if (!consent.mayShow(request, event)) {
            throw UniformNotFound.notFound(asked);
        }
        return event;
    }

    @Search(allowUnknownParams = false)
    public Bundle search(
            @OptionalParam(name = "patient") ReferenceOrListParam patient,
            @OptionalParam(name = "entity") ReferenceOrListParam entity,
            @OptionalParam(name = "agent") ReferenceOrListParam agent,
            @OptionalParam(name = "date") DateRangeParam date,
            @OptionalParam(name = "type") TokenOrListParam type,
            @OptionalParam(name = "subtype") TokenOrListParam subtype,
            @OptionalParam(name = "action") TokenOrListParam action,
            @OptionalParam(name = "outcome") TokenOrListParam outcome,
            @OptionalParam(name = "purpose") TokenOrListParam purpose,
            @OptionalParam(name = CURSOR) StringParam cursor,
            @Sort SortSpec sort,
            @Count Integer count,
            RequestDetails request) {
        List<List<LedgerReference>> references = new ArrayList<>();
        references(patient, Kind.PATIENT, ref -> ref.getValue().startsWith("Patient/") ? ref.getValue()
                : "Patient/" + ref.getIdPart()).ifPresent(references::add);
        references(entity, Kind.ENTITY, ReferenceParam::getValue).ifPresent(references::add);
        references(agent, Kind.AGENT, ReferenceParam::getValue).ifPresent(references::add);
        int pageSize = Math.min(count == null || count < 0 ? DEFAULT_COUNT : count, MAX_COUNT);
        LedgerSearch search = new LedgerSearch(references,
                Optional.ofNullable(date).map(DateRangeParam::getLowerBoundAsInstant).map(d -> d.toInstant()),
                Optional.ofNullable(date).map(DateRangeParam::getUpperBoundAsInstant)
                        .map(d -> d.toInstant().plusMillis(1)),
                codes(type), codes(subtype), codes(action), codes(outcome), codes(purpose),
                Optional.ofNullable(cursor).map(c -> sequenceOf(c.getValue())
                        .orElseThrow(() -> new InvalidRequestException(CURSOR + " is the last sequence number seen"))),
                newestFirst(sort), pageSize + 1);
        return page(search, pageSize, request);
    }

    private Bundle page(LedgerSearch search, int pageSize, RequestDetails request) {
        List<AuditEvent> visible = new ArrayList<>();
        Optional<Long> nextCursor = Optional.empty();
        Optional<Long> position = search.after();
        int scanned = 0;
        boolean more = pageSize > 0;
        while (more) {
            List<LedgerRow> rows = ledger.search(position.map(p -> search.from(p, search.limit())).orElse(search));
            for (LedgerRow row : rows) {
                scanned++;
                position = Optional.of(row.sequence());
                AuditEvent event = json.served(row);
                if (!consent.mayShow(request, event)) {
                    continue;
                }
                if (visible.size() == pageSize) {
                    nextCursor = Optional.of(visible.get(visible.size() - 1).getIdElement().getIdPartAsLong());
                    more = false;
                    break;
                }
                visible.add(event);
            }
            if (more && rows.size() < search.limit()) {
                more = false;
            } else if (more && scanned >= MAX_SCANNED) {
                nextCursor = position; // read on from here, with another request
                more = false;
            }
        }
        return bundle(visible, nextCursor, request);
    }

    private static Bundle bundle(List<AuditEvent> events, Optional<Long> nextCursor, RequestDetails request) {
        Bundle bundle = new Bundle().setType(Bundle.BundleType.SEARCHSET);
        bundle.getMeta().setLastUpdated(new java.util.Date());
        String base = request.getFhirServerBase();
        bundle.addLink().setRelation(Bundle.LINK_SELF).setUrl(request.getCompleteUrl());
        nextCursor.ifPresent(next -> bundle.addLink().setRelation(Bundle.LINK_NEXT)
                .setUrl(base + "/AuditEvent?" + query(request.getParameters(), next)));
        for (AuditEvent event : events) {
            bundle.addEntry().setFullUrl(base + "/AuditEvent/" + event.getIdElement().getIdPart()).setResource(event)
                    .getSearch().setMode(Bundle.SearchEntryMode.MATCH);
        }
        return bundle;
    }

    private static String query(Map<String, String[]> parameters, long next) {
        List<String> pairs = new ArrayList<>();
        parameters.forEach((name, values) -> {
            if (!CURSOR.equals(name)) {
                for (String value : values) {
                    pairs.add(encode(name) + "=" + encode(value));
                }
            }
        });
        pairs.add(CURSOR + "=" + next);
        return String.join("&", pairs);
    }

    private static String encode(String text) {
        return java.net.URLEncoder.encode(text, java.nio.charset.StandardCharsets.UTF_8);
    }

    private static Optional<List<LedgerReference>> references(ReferenceOrListParam param, Kind kind,
            Function<ReferenceParam, String> value) {
        if (param == null || param.getValuesAsQueryTokens().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(param.getValuesAsQueryTokens().stream()
                .map(ref -> new LedgerReference(kind, value.apply(ref))).toList());
    }

    private static List<String> codes(TokenOrListParam param) {
        return param == null ? List.of() : param.getValuesAsQueryTokens().stream().map(TokenParam::getValue).toList();
    }

    private static boolean newestFirst(SortSpec sort) {
        if (sort == null) {
            return false;
        }
        if (!"date".equals(sort.getParamName()) && !"_lastUpdated".equals(sort.getParamName())
                || sort.getChain() != null) {
            throw new InvalidRequestException("AuditEvents sort by date only (_sort=date or _sort=-date)");
        }
        return sort.getOrder() == SortOrderEnum.DESC;
    }

    private static Optional<Long> sequenceOf(String id) {
        if (id == null || !id.matches("[1-9][0-9]{0,17}")) {
            return Optional.empty();
        }
        return Optional.of(Long.parseLong(id));
    }

}
