package uk.sharedcare.record.audit;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import java.util.List;
import org.hl7.fhir.instance.model.api.IBaseConformance;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestResourceComponent;
import org.hl7.fhir.r4.model.Enumerations.SearchParamType;
import uk.sharedcare.record.hooks.InterceptorOrder;

/**
 * HAPI's CapabilityStatement lists for AuditEvent every search parameter its registry knows; the ledger's provider
 * answers the ones below, so those are the ones listed (hook {@code SERVER_CAPABILITY_STATEMENT_GENERATED}).
 */
@Interceptor(order = InterceptorOrder.UNORDERED)
final class AuditEventCapabilities {

    record Parameter(String name, SearchParamType type, String documentation) {}

    static final List<Parameter> SEARCH_PARAMETERS = List.of(
            new Parameter("patient", SearchParamType.REFERENCE, "A patient the event is about"),
            new Parameter("entity", SearchParamType.REFERENCE, "Any resource the event names (what was disclosed)"),
            new Parameter("agent", SearchParamType.REFERENCE,
                    "A user, client or organisation identifier value, or Practitioner/[id]"),
            new Parameter("date", SearchParamType.DATE, "When the event was recorded"),
            new Parameter("type", SearchParamType.TOKEN, "Event type code (rest, 110106 export)"),
            new Parameter("subtype", SearchParamType.TOKEN, "FHIR restful interaction (read, search-type, ...)"),
            new Parameter("action", SearchParamType.TOKEN, "C, R, U, D or E"),
            new Parameter("outcome", SearchParamType.TOKEN, "0 success, 4 refused, 8 failed"),
            new Parameter("purpose", SearchParamType.TOKEN, "Purpose of use code (TREAT, ETREAT, HOPERAT, ...)"),
            new Parameter(AuditEventProvider.CURSOR, SearchParamType.STRING,
                    "Keyset paging: the last sequence number already seen (use the next link)"));

    @Hook(Pointcut.SERVER_CAPABILITY_STATEMENT_GENERATED)
    public void listTheLedgersParameters(IBaseConformance capabilities) {
        if (!(capabilities instanceof CapabilityStatement statement)) {
            return;
        }
        statement.getRest().stream().flatMap(rest -> rest.getResource().stream())
                .filter(resource -> "AuditEvent".equals(resource.getType()))
                .forEach(AuditEventCapabilities::describe);
    }

    private static void describe(CapabilityStatementRestResourceComponent resource) {
        resource.getSearchParam().clear();
        resource.getSearchInclude().clear();
        resource.getSearchRevInclude().clear();
        SEARCH_PARAMETERS.forEach(p -> resource.addSearchParam().setName(p.name()).setType(p.type())
                .setDocumentation(p.documentation()));
    }
}
