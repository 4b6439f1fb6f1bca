package uk.sharedcare.record.consent;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import org.hl7.fhir.instance.model.api.IIdType;

/**
 * Makes a hidden resource indistinguishable from a missing one (hook
 * {@code SERVER_PRE_PROCESS_OUTGOING_EXCEPTION}): HAPI words "not known", "hidden by consent" and "deleted" (410)
 * differently, so every not-found answer about one resource is replaced by the same 404 and message.
 */
@Interceptor
final class UniformNotFound {

    @Hook(Pointcut.SERVER_PRE_PROCESS_OUTGOING_EXCEPTION)
    public BaseServerResponseException uniform(RequestDetails request, Throwable failure) {
        boolean notFound = failure instanceof ResourceNotFoundException || failure instanceof ResourceGoneException;
        if (notFound && request != null && request.getId() != null && request.getId().hasIdPart()) {
            return notFound(request.getId());
        }
        return null;
    }

    static ResourceNotFoundException notFound(IIdType id) {
        return new ResourceNotFoundException("Resource " + id.toUnqualifiedVersionless().getValue()
                + " is not known, or not available to you");
    }
}
