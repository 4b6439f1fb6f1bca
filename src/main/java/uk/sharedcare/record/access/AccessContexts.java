package uk.sharedcare.record.access;

import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.AuthenticationException;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Optional;

/**
 * Where a request's {@link AccessContext} is kept between the security filter and HAPI's interceptors, and the one
 * judgement of who a request is from. The plugin's hooks are registered on the RestfulServer, so they see requests
 * that came over HTTP only: the server's own work (loads, batch jobs, subscription delivery, the audit trail) goes
 * to the DAOs with a {@code SystemRequestDetails} and never reaches them. An HTTP request has an access context,
 * except the public CapabilityStatement; anything else without one is refused, never taken for the server's work.
 */
public final class AccessContexts {

    private static final String ATTRIBUTE = AccessContext.class.getName();

    private AccessContexts() {}

    static void attach(HttpServletRequest request, AccessContext context) {
        request.setAttribute(ATTRIBUTE, context);
    }

    /** The caller's access context; empty for the public CapabilityStatement. */
    public static Optional<AccessContext> of(RequestDetails request) {
        if (request instanceof ServletRequestDetails servlet && servlet.getServletRequest() != null) {
            return Optional.ofNullable((AccessContext) servlet.getServletRequest().getAttribute(ATTRIBUTE));
        }
        return Optional.empty();
    }

    /** The caller's access context, for hooks that act on record data: without one, 401 (fail closed). */
    public static AccessContext require(RequestDetails request) {
        return of(request).orElseThrow(() ->
                new AuthenticationException("No access context: the request was not authenticated"));
    }
}
