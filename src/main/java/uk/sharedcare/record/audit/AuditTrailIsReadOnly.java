package uk.sharedcare.record.audit;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RequestTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.MethodNotAllowedException;
import java.util.Set;
import uk.sharedcare.record.hooks.InterceptorOrder;

/**
 * The ledger's AuditEvent provider offers no writes, so HAPI would answer a write with a bare "does not know how to
 * handle" 400. This says what is true instead (hook {@code SERVER_PRE_PROCESS_OUTGOING_EXCEPTION}): 405, allowed
 * GET, because the audit trail is written by the server alone. A write inside a bundle is refused with 403 by the
 * write rules.
 */
@Interceptor(order = InterceptorOrder.UNORDERED)
final class AuditTrailIsReadOnly {

    static final String WRITTEN_BY_THE_SERVER =
            "The audit trail is written by the server alone; AuditEvents cannot be written through the API";
    private static final Set<RequestTypeEnum> WRITES = Set.of(RequestTypeEnum.POST, RequestTypeEnum.PUT,
            RequestTypeEnum.PATCH, RequestTypeEnum.DELETE);

    @Hook(Pointcut.SERVER_PRE_PROCESS_OUTGOING_EXCEPTION)
    public BaseServerResponseException readOnly(RequestDetails request, Throwable failure) {
        if (request == null || !"AuditEvent".equals(request.getResourceName())
                || !WRITES.contains(request.getRequestType()) || request.getOperation() != null) {
            return null;
        }
        return new MethodNotAllowedException(WRITTEN_BY_THE_SERVER, RequestTypeEnum.GET);
    }
}
