package uk.sharedcare.record.access;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import org.hl7.fhir.instance.model.api.IBaseCoding;
import org.hl7.fhir.instance.model.api.IBaseResource;
import uk.sharedcare.record.hooks.InterceptorOrder;

/**
 * Records the writing organisation on every resource stored through the API (hooks
 * {@code STORAGE_PRESTORAGE_RESOURCE_CREATED} and {@code _UPDATED}, which also run for each entry of a
 * transaction). The custodian comes from the caller's verified token; whatever custodian tag the client sent is
 * discarded, so no one can make a resource look as if another organisation wrote it. Every HTTP write has an
 * access context; writes without one are the server's own (demo data loading, subscription bookkeeping) and
 * keep the custodian they were given.
 */
@Interceptor(order = InterceptorOrder.UNORDERED)
public final class CustodianAttribution {

    @Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_CREATED)
    public void onCreate(IBaseResource resource, RequestDetails request) {
        stamp(resource, request);
    }

    @Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_UPDATED)
    public void onUpdate(IBaseResource previous, IBaseResource resource, RequestDetails request) {
        stamp(resource, request);
    }

    private static void stamp(IBaseResource resource, RequestDetails request) {
        AccessContext context = AccessContexts.require(request);
        resource.getMeta().getTag().removeIf(tag -> Custodian.TAG_SYSTEM.equals(tag.getSystem()));
        IBaseCoding tag = resource.getMeta().addTag();
        tag.setSystem(Custodian.TAG_SYSTEM);
        tag.setCode(context.organisation());
        tag.setDisplay("Written by " + context.organisation());
    }
}
