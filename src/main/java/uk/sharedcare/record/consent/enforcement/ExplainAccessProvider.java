package uk.sharedcare.record.consent.enforcement;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Parameters.ParametersParameterComponent;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.StringType;
import uk.sharedcare.record.StoredResources;
import uk.sharedcare.record.access.AccessContext;
import uk.sharedcare.record.access.Custodian;
import uk.sharedcare.record.access.PurposeOfUse;
import uk.sharedcare.record.access.Role;
import uk.sharedcare.record.access.SmartScopes;
import uk.sharedcare.record.consent.Decision;

/**
 * {@code $explain-access}, for data protection officers and admins: what a given requester (organisation, role,
 * purpose, optionally practitioner) would be shown of one patient's record, or of one resource, and which rules
 * and consents decide it. {@code Patient/[id]/$explain-access} groups the patient's data by resource type and
 * custodian; {@code [base]/$explain-access?resource=Type/id} explains a single resource. It reports decisions,
 * never the data itself.
 */
public final class ExplainAccessProvider {

    private static final List<String> PATIENT_DATA = List.of("Patient", "Encounter", "Condition", "Observation",
            "AllergyIntolerance", "MedicationStatement", "DocumentReference", "Flag", "EpisodeOfCare", "CarePlan",
            "CareTeam", "Consent", "ServiceRequest", "Task");

    private final DaoRegistry daos;
    private final SharedCareConsentService consent;

    ExplainAccessProvider(DaoRegistry daos, SharedCareConsentService consent) {
        this.daos = daos;
        this.consent = consent;
    }

    @Operation(name = "$explain-access", idempotent = true, typeName = "Patient")
    public Parameters explainPatient(
            @IdParam IdType patient,
            @OperationParam(name = "organisation", min = 1) StringType organisation,
            @OperationParam(name = "role", min = 1) StringType role,
            @OperationParam(name = "purpose") StringType purpose,
            @OperationParam(name = "practitioner") StringType practitioner,
            RequestDetails request) {
        Refusals.requireGovernanceRole(request, "$explain-access");
        AccessContext requester = requester(organisation, role, purpose, practitioner);
        String patientId = "Patient/" + patient.getIdPart();
        read(patientId);
        Parameters result = describe(requester);
        Map<String, Group> groups = new TreeMap<>();
        for (String type : PATIENT_DATA) {
            for (IBaseResource resource : ofPatient(type, patientId)) {
                Decision decision = consent.decide(requester, resource, request);
                String custodian = Custodian.of(resource).orElse("unknown");
                groups.computeIfAbsent(type + "|" + custodian + "|" + decision.explain(),
                        key -> new Group(type, custodian, decision)).count++;
            }
        }
        groups.values().forEach(group -> addDecision(result, group.type, group.custodian, group.decision, group.count));
        return result;
    }

    @Operation(name = "$explain-access", idempotent = true)
    public Parameters explainResource(
            @OperationParam(name = "resource", min = 1) StringType resource,
            @OperationParam(name = "organisation", min = 1) StringType organisation,
            @OperationParam(name = "role", min = 1) StringType role,
            @OperationParam(name = "purpose") StringType purpose,
            @OperationParam(name = "practitioner") StringType practitioner,
            RequestDetails request) {
        Refusals.requireGovernanceRole(request, "$explain-access");
        AccessContext requester = requester(organisation, role, purpose, practitioner);
        IBaseResource target = read(resource.getValue());
        Parameters result = describe(requester);
        addDecision(result, target.fhirType(), Custodian.of(target).orElse("unknown"),
                consent.decide(requester, target, request), 1);
        return result;
    }

    private static final class Group {
        final String type;
        final String custodian;
        final Decision decision;
        int count;

        Group(String type, String custodian, Decision decision) {
            this.type = type;
            this.custodian = custodian;
            this.decision = decision;
        }
    }

    private static AccessContext requester(StringType organisation, StringType role, StringType purpose,
            StringType practitioner) {
        Role asRole = Role.fromClaimValue(role.getValue()).orElseThrow(() -> new InvalidRequestException(
                "Unknown role '" + role.getValue() + "'"));
        PurposeOfUse asPurpose = purpose == null ? PurposeOfUse.TREAT : Arrays.stream(PurposeOfUse.values())
                .filter(p -> p.code().equals(purpose.getValue())).findFirst()
                .orElseThrow(() -> new InvalidRequestException("Unknown purpose '" + purpose.getValue() + "'"));
        return new AccessContext("explain-access", "explain-access", organisation.getValue(), Set.of(asRole),
                Optional.ofNullable(practitioner).map(StringType::getValue), asPurpose,
                asPurpose == PurposeOfUse.ETREAT ? Optional.of("(explaining break-glass)") : Optional.empty(),
                Instant.now(), SmartScopes.unrestricted());
    }

    private static Parameters describe(AccessContext requester) {
        Parameters result = new Parameters();
        ParametersParameterComponent who = result.addParameter().setName("requester");
        who.addPart().setName("organisation").setValue(new StringType(requester.organisation()));
        requester.roles().forEach(r -> who.addPart().setName("role").setValue(new StringType(r.claimValue())));
        who.addPart().setName("purpose").setValue(new StringType(requester.purpose().code()));
        requester.practitioner().ifPresent(p -> who.addPart().setName("practitioner").setValue(new StringType(p)));
        return result;
    }

    private static void addDecision(Parameters result, String type, String custodian, Decision decision, int count) {
        ParametersParameterComponent part = result.addParameter().setName("decision");
        part.addPart().setName("resourceType").setValue(new StringType(type));
        part.addPart().setName("custodian").setValue(new StringType(custodian));
        part.addPart().setName("count").setValue(new IntegerType(count));
        part.addPart().setName("effect").setValue(new StringType(decision.effect().name()));
        part.addPart().setName("decidingRule").setValue(new StringType(decision.deciding().rule().name()));
        decision.reasons().forEach(reason -> {
            ParametersParameterComponent because = part.addPart().setName("reason");
            because.addPart().setName("rule").setValue(new StringType(reason.rule().name()));
            because.addPart().setName("ruleNumber").setValue(new StringType(reason.rule().number()));
            because.addPart().setName("text").setValue(new StringType(reason.explain()));
            reason.evidence().ifPresent(e -> because.addPart().setName("evidence").setValue(new StringType(e)));
        });
        decision.obligations().forEach(o -> part.addPart().setName("obligation").setValue(new StringType(o.name())));
    }

    private IBaseResource read(String id) {
        IdType target = new IdType(id);
        if (!target.hasResourceType() || !target.hasIdPart()) {
            throw new InvalidRequestException("resource must look like Type/id, not '" + id + "'");
        }
        return StoredResources.read(daos, target)
                .orElseThrow(() -> new ResourceNotFoundException("Resource " + id + " is not known"));
    }

    private List<IBaseResource> ofPatient(String type, String patientId) {
        if ("Patient".equals(type)) {
            return List.of(read(patientId));
        }
        String param = daos.getResourceDao(type).getContext().getResourceDefinition(type)
                .getSearchParam("patient") != null ? "patient" : "subject";
        return daos.getResourceDao(type).search(SearchParameterMap.newSynchronous(param,
                new ReferenceParam(patientId)), new SystemRequestDetails()).getAllResources();
    }
}
