package uk.sharedcare.record.http;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.interceptor.LoggingInterceptor;
import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;
import uk.sharedcare.record.hooks.InterceptorOrder;

/**
 * A host's HAPI access log never prints what identifies a patient. hapi-fhir-jpaserver-starter registers HAPI's
 * {@link LoggingInterceptor} with the request's resource ids and parameters in its line (so a search by NHS number
 * prints the NHS number to stdout), and HAPI's error line has the whole URL. As soon as HAPI has read a request
 * (hook {@code SERVER_INCOMING_REQUEST_POST_PROCESSED}, before anything is logged), any such logger registered
 * has its lines reduced to the operation, its timing and where it came from.
 */
@Interceptor(order = InterceptorOrder.UNORDERED)
public final class RequestLogsWithoutIdentifiers {

    static final String ACCESS_LINE = "Path[${servletPath}] Source[${requestHeader.x-forwarded-for}]"
            + " Operation[${operationType} ${operationName}] UA[${requestHeader.user-agent}]"
            + " Time[${processingTimeMillis}ms]";
    static final String ERROR_LINE = "ERROR - ${requestVerb} Operation[${operationType} ${operationName}]";

    private final Set<LoggingInterceptor> scrubbed = Collections.synchronizedSet(
            Collections.newSetFromMap(new WeakHashMap<>()));

    @Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
    public void scrubAccessLogs(RequestDetails request) {
        if (request.getServer() == null) {
            return;
        }
        for (Object interceptor : request.getServer().getInterceptorService().getAllRegisteredInterceptors()) {
            if (interceptor instanceof LoggingInterceptor logger && scrubbed.add(logger)) {
                logger.setMessageFormat(ACCESS_LINE);
                logger.setErrorMessageFormat(ERROR_LINE);
            }
        }
    }
}
