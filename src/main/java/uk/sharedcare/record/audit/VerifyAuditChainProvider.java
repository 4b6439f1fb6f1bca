package uk.sharedcare.record.audit;

import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import java.util.Comparator;
import java.util.List;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.StringType;
import uk.sharedcare.record.consent.enforcement.Refusals;

/**
 * {@code [base]/$verify-audit-chain}, for data protection officers and admins: re-computes every link of the audit
 * trail in the order it was written and reports whether it is intact, or the first event whose link is broken.
 */
public final class VerifyAuditChainProvider {

    private final IFhirResourceDao<AuditEvent> events;
    private final AuditChain chain;

    public VerifyAuditChainProvider(IFhirResourceDao<AuditEvent> events, AuditChain chain) {
        this.events = events;
        this.chain = chain;
    }

    @Operation(name = "$verify-audit-chain", idempotent = true)
    public Parameters verify(RequestDetails request) {
        Refusals.requireGovernanceRole(request, "$verify-audit-chain");
        List<AuditEvent> trail = events.search(SearchParameterMap.newSynchronous(), new SystemRequestDetails())
                .getAllResources().stream()
                .map(AuditEvent.class::cast)
                .sorted(Comparator.comparingLong(AuditTrail::sequenceOf))
                .toList();
        var broken = chain.firstBrokenLink(trail);
        Parameters result = new Parameters();
        result.addParameter().setName("intact").setValue(new BooleanType(broken.isEmpty()));
        result.addParameter().setName("eventsChecked").setValue(new IntegerType(trail.size()));
        broken.ifPresent(id -> result.addParameter().setName("firstBrokenLink").setValue(new StringType(id)));
        return result;
    }
}
