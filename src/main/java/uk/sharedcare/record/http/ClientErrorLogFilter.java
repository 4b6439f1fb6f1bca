package uk.sharedcare.record.http;

import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * Keeps refusals out of the error log. HAPI's interceptor service logs every exception an interceptor throws as
 * an ERROR with its stack trace, including the 4xx refusals that the consent and access rules exist to make;
 * those are audited outcomes, not server faults. Genuine faults (5xx and anything else) are still logged.
 */
public final class ClientErrorLogFilter extends TurboFilter {

    private static final String INTERCEPTOR_SERVICE = "ca.uhn.fhir.interceptor.executor.BaseInterceptorService";

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params,
            Throwable failure) {
        if (level != Level.ERROR || logger == null || !INTERCEPTOR_SERVICE.equals(logger.getName())) {
            return FilterReply.NEUTRAL;
        }
        Object last = params == null || params.length == 0 ? failure : params[params.length - 1];
        if (last instanceof BaseServerResponseException refusal && refusal.getStatusCode() < 500) {
            return FilterReply.DENY;
        }
        return FilterReply.NEUTRAL;
    }
}
