package uk.sharedcare.record.audit;

import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.param.ReferenceParam;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventAgentComponent;
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
import uk.sharedcare.record.consent.enforcement.PatientStateLoader;
import uk.sharedcare.record.consent.enforcement.Refusals;

/**
 * {@code Patient/[id]/$access-report}: who has seen this patient's record, for the patient's GP practice and for
 * data protection officers. One {@code accessor} per organisation, role and purpose (with how often, first and
 * last), every break-glass access with its stated reason, and how many requests were refused.
 */
public final class AccessReportProvider {

    private final IFhirResourceDao<AuditEvent> events;
    private final PatientStateLoader patients;

    public AccessReportProvider(IFhirResourceDao<AuditEvent> events, PatientStateLoader patients) {
        this.events = events;
        this.patients = patients;
    }

    @Operation(name = "$access-report", idempotent = true, typeName = "Patient")
    public Parameters report(@IdParam IdType patient, RequestDetails request) {
        String patientId = "Patient/" + patient.getIdPart();
        requirePracticeOrDpo(request, patientId);
        List<AuditEvent> trail = events.search(SearchParameterMap.newSynchronous("patient",
                        new ReferenceParam(patientId)), new SystemRequestDetails())
                .getAllResources().stream().map(AuditEvent.class::cast)
                .sorted(Comparator.comparing(AuditEvent::getRecorded))
                .toList();
        Parameters report = new Parameters();
        report.addParameter().setName("patient").setValue(new Reference(patientId));
        Map<String, Accessor> accessors = new TreeMap<>();
        int refused = 0;
        for (AuditEvent event : trail) {
            if (event.getOutcome() != AuditEvent.AuditEventOutcome._0) {
                refused++;
                continue;
            }
            Accessor accessor = accessors.computeIfAbsent(organisation(event) + "|" + role(event) + "|"
                    + purpose(event), key -> new Accessor(organisation(event), role(event), purpose(event)));
            accessor.count++;
            accessor.first = accessor.first == null ? event.getRecorded() : accessor.first;
            accessor.last = event.getRecorded();
            if ("ETREAT".equals(purpose(event))) {
                addBreakGlass(report, event);
            }
        }
        accessors.values().forEach(accessor -> accessor.addTo(report));
        report.addParameter().setName("refused").setValue(new IntegerType(refused));
        return report;
    }

    private void requirePracticeOrDpo(RequestDetails request, String patientId) {
        AccessContext caller = AccessContexts.of(request).orElseThrow();
        boolean practice = (caller.hasRole(Role.GP) || caller.hasRole(Role.SYSTEM))
                && patients.load(patientId).registeredPractice().filter(caller.organisation()::equals).isPresent();
        if (!practice) {
            Refusals.requireGovernanceRole(request, "$access-report");
        }
    }

    private static void addBreakGlass(Parameters report, AuditEvent event) {
        ParametersParameterComponent breakGlass = report.addParameter().setName("breakGlass");
        breakGlass.addPart().setName("when").setValue(new DateTimeType(event.getRecorded()));
        breakGlass.addPart().setName("organisation").setValue(new StringType(organisation(event)));
        breakGlass.addPart().setName("user").setValue(new StringType(
                event.getAgentFirstRep().getWho().getIdentifier().getValue()));
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

    private static String role(AuditEvent event) {
        AuditEventAgentComponent user = event.getAgentFirstRep();
        return user.getRole().stream().map(r -> r.getText()).sorted().findFirst().orElse("unknown");
    }

    private static String purpose(AuditEvent event) {
        return event.getPurposeOfEventFirstRep().getCodingFirstRep().getCode();
    }

    private static final class Accessor {
        final String organisation;
        final String role;
        final String purpose;
        int count;
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
            accessor.addPart().setName("count").setValue(new IntegerType(count));
            accessor.addPart().setName("first").setValue(new DateTimeType(first));
            accessor.addPart().setName("last").setValue(new DateTimeType(last));
        }
    }
}
