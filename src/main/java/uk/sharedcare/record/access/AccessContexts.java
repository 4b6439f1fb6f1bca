package uk.sharedcare.record.access;

import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Optional;

/** Where a request's {@link AccessContext} is kept between the security filter and HAPI's interceptors. */
public final class AccessContexts {

    private static final String ATTRIBUTE = AccessContext.class.getName();

    private AccessContexts() {}

    static void attach(HttpServletRequest request, AccessContext context) {
        request.setAttribute(ATTRIBUTE, context);
    }

    /**
     * The context of the request being served; empty for the server's own work (subscription delivery,
     * batch jobs), which runs without an HTTP request, and for the few public endpoints.
     */
    public static Optional<AccessContext> of(RequestDetails request) {
        if (request instanceof ServletRequestDetails servlet && servlet.getServletRequest() != null) {
            return Optional.ofNullable((AccessContext) servlet.getServletRequest().getAttribute(ATTRIBUTE));
        }
        return Optional.empty();
    }
}
