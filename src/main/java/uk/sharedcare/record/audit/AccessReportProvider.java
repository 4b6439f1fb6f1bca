package uk.sharedcare.record.audit;

import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import java.util.Date;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Parameters.ParametersParameterComponent;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import uk.sharedcare.record.access.AccessContext;
import uk.sharedcare.record.access.AccessContexts;
import uk.sharedcare.record.access.Role;
import uk.sharedcare.record.audit.ledger.AuditEventJson;
import uk.sharedcare.record.audit.ledger.LedgerQueries;
import uk.sharedcare.record.audit.ledger.LedgerRow;
import uk.sharedcare.record.consent.PolicyRule;
import uk.sharedcare.record.consent.Reason;
import uk.sharedcare.record.consent.enforcement.PatientStateLoader;
import uk.sharedcare.record.consent.enforcement.Refusals;

/**
 * {@code Patient/[id]/$access-report}: who has seen this patient's record, for the patient's GP practice, for
 * data protection officers, and for the patient themselves. One {@code accessor} per organisation, role and
 * purpose (with how often, first and last), every break-glass access with its stated reason (the first
 * {@value #MAX_BREAK_GLASS}), how many requests were refused, and the organisations that hold data about the
 * patient ({@code holder}). Aggregated by the ledger's database, from its patient index: bounded however long the
 * patient's trail. The patient is not given the staff user of a break-glass access, only its organisation, role
 * and reason; anyone else asking about a patient is refused alike whether the patient exists or not.
 */
public final class AccessReportProvider {

    static final int MAX_BREAK_GLASS = 1_000;

    private final LedgerQueries ledger;
    private final AuditEventJson json;
    private final PatientStateLoader patients;
    private final DataHolders holders;

    AccessReportProvider(LedgerQueries ledger, AuditEventJson json, PatientStateLoader patients,
            DataHolders holders) {
        this.ledger = ledger;
        this.json = json;
        this.patients = patients;
        this.holders = holders;
    }

    @Operation(name = "$access-report", idempotent = true, typeName = "Patient")
    public Parameters report(@IdParam IdType patient, RequestDetails request) {
        String patientId = "Patient/" + patient.getIdPart();
        boolean forThePatient = requirePatientPracticeOrDpo(request, patientId);
        Parameters report = new Parameters();
        report.addParameter().setName("patient").setValue(new Reference(patientId));
        Map<String, Accessor> accessors = new TreeMap<>();
        for (LedgerQueries.AccessorRow row : ledger.accessors(patientId)) {
            String organisation = row.organisation() == null ? "unknown" : row.organisation();
            String role = row.roles() == null ? "unknown" : row.roles().split(",")[0];
            Accessor accessor = accessors.computeIfAbsent(organisation + "|" + role + "|" + row.purpose(),
                    key -> new Accessor(organisation, role, row.purpose()));
            accessor.count += row.count();
            accessor.first = accessor.first == null || row.first().isBefore(accessor.first.toInstant())
                    ? Date.from(row.first()) : accessor.first;
            accessor.last = accessor.last == null || row.last().isAfter(accessor.last.toInstant())
                    ? Date.from(row.last()) : accessor.last;
        }
        for (LedgerRow row : ledger.breakGlass(patientId, MAX_BREAK_GLASS)) {
            addBreakGlass(report, json.served(row), !forThePatient);
        }
        accessors.values().forEach(accessor -> accessor.addTo(report));
        report.addParameter().setName("refused").setValue(new IntegerType(Math.toIntExact(
                Math.min(Integer.MAX_VALUE, ledger.refusals(patientId)))));
        holders.of(patientId).forEach(holder ->
                report.addParameter().setName("holder").setValue(new StringType(holder)));
        return report;
    }

    /** @return whether the caller is the patient themselves */
    private boolean requirePatientPracticeOrDpo(RequestDetails request, String patientId) {
        AccessContext caller = AccessContexts.of(request).orElseThrow();
        if (caller.isPatient()) {
            if (!patients.load(patientId).belongsTo(caller.nhsNumber())) {
                throw Refusals.forbidden(Reason.of(PolicyRule.PATIENT_OWN_RECORD,
                        "a patient sees only their own record's access report"));
            }
            return true;
        }
        boolean practice = (caller.hasRole(Role.GP) || caller.hasRole(Role.SYSTEM))
                && patients.load(patientId).registeredPractice().filter(caller.organisation()::equals).isPresent();
        if (!practice) {
            Refusals.requireGovernanceRole(request, "$access-report");
        }
        return false;
    }

    private static void addBreakGlass(Parameters report, AuditEvent event, boolean withUser) {
        ParametersParameterComponent breakGlass = report.addParameter().setName("breakGlass");
        breakGlass.addPart().setName("when").setValue(new DateTimeType(event.getRecorded()));
        breakGlass.addPart().setName("organisation").setValue(new StringType(organisation(event)));
        if (withUser) {
            breakGlass.addPart().setName("user").setValue(new StringType(
                    event.getAgentFirstRep().getWho().getIdentifier().getValue()));
        }
        event.getAgent().stream().filter(a -> a.getRequestor()).flatMap(a -> a.getRole().stream())
                .map(role -> role.getText()).filter(Objects::nonNull).findFirst()
                .ifPresent(role -> breakGlass.addPart().setName("role").setValue(new StringType(role)));
        event.getEntity().stream().flatMap(e -> e.getDetail().stream())
                .filter(d -> "break-glass-reason".equals(d.getType()))
                .findFirst()
                .ifPresent(d -> breakGlass.addPart().setName("reason").setValue(new StringType(
                        d.getValue().primitiveValue())));
    }

    private static String organisation(AuditEvent event) {
        return event.getAgent().stream()
                .filter(a -> "organisation".equals(a.getType().getText()))
                .map(a -> a.getWho().getIdentifier().getValue())
                .findFirst().orElse("unknown");
    }

    private static final class Accessor {
        final String organisation;
        final String role;
        final String purpose;
        long count;
        Date first;
        Date last;

        Accessor(String organisation, String role, String purpose) {
            this.organisation = organisation;
            this.role = role;
            this.purpose = purpose;
        }

        void addTo(Parameters report) {
            ParametersParameterComponent accessor = report.addParameter().setName("accessor");
            accessor.addPart().setName("organisation").setValue(new StringType(organisation));
            accessor.addPart().setName("role").setValue(new StringType(role));
            accessor.addPart().setName("purpose").setValue(new StringType(purpose));
            accessor.addPart().setName("count").setValue(new IntegerType(Math.toIntExact(Math.min(Integer.MAX_VALUE, count))));
            accessor.addPart().setName("first").setValue(new DateTimeType(first));
            accessor.addPart().setName("last").setValue(new DateTimeType(last));
        }
    }
}
