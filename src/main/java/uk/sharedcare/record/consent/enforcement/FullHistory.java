package uk.sharedcare.record.consent.enforcement;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import java.util.Date;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.commons.codec.digest.DigestUtils;
import org.hl7.fhir.r4.model.InstantType;
import uk.sharedcare.record.access.AccessContext;
import uk.sharedcare.record.consent.enforcement.VisiblePages.Source;

/**
 * A history as HAPI pages it, read as the server's own work so that nothing is filtered yet: {@link VisiblePages}
 * decides each version itself and so knows where every page starts. HAPI stores no search for a history and pages
 * it by {@code _offset}; its pages are named here by the caller and the history's own URL.
 */
final class FullHistory {

    /** The history operations, paged by {@code _offset} over visible versions only. */
    static final Set<RestOperationTypeEnum> OPERATIONS = Set.of(RestOperationTypeEnum.HISTORY_INSTANCE,
            RestOperationTypeEnum.HISTORY_TYPE, RestOperationTypeEnum.HISTORY_SYSTEM);

    private static final Set<String> PAGING = Set.of(Constants.PARAM_OFFSET, Constants.PARAM_COUNT,
            Constants.PARAM_FORMAT, Constants.PARAM_PRETTY);

    private final DaoRegistry daos;
    private final IFhirSystemDao<?, ?> system;

    FullHistory(DaoRegistry daos, IFhirSystemDao<?, ?> system) {
        this.daos = daos;
        this.system = system;
    }

    Source of(AccessContext who, RequestDetails request) {
        Date since = RequestParameters.first(request, Constants.PARAM_SINCE).map(value -> new InstantType(value).getValue()).orElse(null);
        SystemRequestDetails server = new SystemRequestDetails();
        IBundleProvider full = switch (request.getRestOperationType()) {
            case HISTORY_SYSTEM -> system.history(since, null, null, server);
            case HISTORY_TYPE -> daos.getResourceDao(request.getResourceName()).history(since, null, null, server);
            default -> daos.getResourceDao(request.getResourceName())
                    .history(request.getId().toUnqualifiedVersionless(), since, null, null, server);
        };
        return new Source(full, "history:" + digest(who, request), Constants.PARAM_OFFSET, Optional.empty());
    }

    private static String digest(AccessContext who, RequestDetails request) {
        Map<String, String> named = new TreeMap<>();
        request.getParameters().forEach((name, values) -> {
            if (!PAGING.contains(name)) {
                named.put(name, String.join(",", values));
            }
        });
        return DigestUtils.sha256Hex(SearchOwners.fingerprint(who) + "\n" + request.getRequestPath() + "\n" + named);
    }
}
