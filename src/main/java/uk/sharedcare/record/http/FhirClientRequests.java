package uk.sharedcare.record.http;

import java.util.Arrays;
import org.apache.catalina.Container;
import org.apache.catalina.Lifecycle;
import org.apache.catalina.Valve;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;

/**
 * Tomcat as FHIR clients need it. Clients send {@code |} unencoded in token searches
 * ({@code identifier=system|value}, {@code _tag=system|code}) and {@code [ ] { }} in some parameters; Tomcat
 * refuses those by default with an HTML page. They are accepted here, and whatever Tomcat still refuses before
 * the application sees it is answered with an OperationOutcome ({@link OperationOutcomeErrorReport}).
 */
public final class FhirClientRequests implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

    private final OperationOutcomeWriter outcomes;

    public FhirClientRequests(OperationOutcomeWriter outcomes) {
        this.outcomes = outcomes;
    }

    /** Characters RFC 3986 wants encoded that FHIR clients commonly send raw in a query. */
    static final String RELAXED_QUERY_CHARS = "|{}[]^`\"<>\\";
    static final String RELAXED_PATH_CHARS = "|{}[]^`";

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
        factory.addConnectorCustomizers(connector -> {
            connector.setProperty("relaxedQueryChars", RELAXED_QUERY_CHARS);
            connector.setProperty("relaxedPathChars", RELAXED_PATH_CHARS);
        });
        factory.addContextLifecycleListeners(event -> {
            if (Lifecycle.BEFORE_START_EVENT.equals(event.getType())) {
                replaceErrorReport(((Container) event.getLifecycle()).getParent());
            }
        });
    }

    /** The host's HTML error report gives way to an OperationOutcome. */
    private void replaceErrorReport(Container host) {
        for (Valve valve : host.getPipeline().getValves()) {
            if (valve instanceof ErrorReportValve && !(valve instanceof OperationOutcomeErrorReport)) {
                host.getPipeline().removeValve(valve);
            }
        }
        if (Arrays.stream(host.getPipeline().getValves())
                .noneMatch(OperationOutcomeErrorReport.class::isInstance)) {
            host.getPipeline().addValve(new OperationOutcomeErrorReport(outcomes));
        }
    }
}
