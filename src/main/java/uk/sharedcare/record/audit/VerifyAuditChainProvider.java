package uk.sharedcare.record.audit;

import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.StringType;
import uk.sharedcare.record.audit.ledger.ChainVerification;
import uk.sharedcare.record.audit.ledger.LedgerQueries;
import uk.sharedcare.record.consent.enforcement.Refusals;

/**
 * {@code [base]/$verify-audit-chain}, for data protection officers and admins: re-computes every link of the audit
 * trail in the order it was written, streaming, and reports whether it is intact, or the first event whose link is
 * broken. With {@code month=YYYY-MM}, only the events written that month (linked to the event before it).
 */
public final class VerifyAuditChainProvider {

    private final LedgerQueries ledger;

    public VerifyAuditChainProvider(LedgerQueries ledger) {
        this.ledger = ledger;
    }

    @Operation(name = "$verify-audit-chain", idempotent = true)
    public Parameters verify(@OperationParam(name = "month") StringType month, RequestDetails request) {
        Refusals.requireGovernanceRole(request, "$verify-audit-chain");
        ChainVerification.Result result = new ChainVerification(ledger).verify(month == null ? Optional.empty()
                : Optional.of(month(month.getValue())));
        Parameters answer = new Parameters();
        answer.addParameter().setName("intact").setValue(new BooleanType(result.intact()));
        answer.addParameter().setName("eventsChecked").setValue(new IntegerType(Math.toIntExact(
                Math.min(Integer.MAX_VALUE, result.checked()))));
        result.firstSequence().ifPresent(first -> answer.addParameter().setName("fromSequence")
                .setValue(new StringType(Long.toString(first))));
        result.lastSequence().ifPresent(last -> answer.addParameter().setName("toSequence")
                .setValue(new StringType(Long.toString(last))));
        result.firstBrokenLink().ifPresent(broken -> answer.addParameter().setName("firstBrokenLink")
                .setValue(new StringType("AuditEvent/" + broken)));
        result.problem().ifPresent(problem -> answer.addParameter().setName("problem")
                .setValue(new StringType(problem)));
        return answer;
    }

    private static YearMonth month(String text) {
        try {
            return YearMonth.parse(text);
        } catch (DateTimeParseException e) {
            throw new InvalidRequestException("month is YYYY-MM, for example 2026-11");
        }
    }
}
