package uk.sharedcare.record.audit;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventAction;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventAgentComponent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventEntityComponent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventOutcome;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import uk.sharedcare.record.access.AccessContext;
import uk.sharedcare.record.access.PurposeOfUse;
import uk.sharedcare.record.consent.Decision;
import uk.sharedcare.record.consent.Reason;

/**
 * Builds the AuditEvent for one {@link AccessRecord}, shaped after IHE Basic Audit Log Patterns (BALP) for RESTful
 * activity: the user, their organisation and the client application as agents with the purpose of use; the
 * patients and every disclosed resource as entities; for a refusal, the deciding rule and its evidence; for
 * break-glass, the stated reason. Pure: storing it is another class's job.
 */
public final class AuditEventFactory {

    static final String EVENT_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/audit-event-type";
    static final String INTERACTION_SYSTEM = "http://hl7.org/fhir/restful-interaction";
    static final String ENTITY_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/audit-entity-type";
    static final String OBJECT_ROLE_SYSTEM = "http://terminology.hl7.org/CodeSystem/object-role";
    static final String PARTICIPATION_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType";
    static final String DICOM_SYSTEM = "http://dicom.nema.org/resources/ontology/DCM";
    static final String SOURCE_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/security-source-type";

    private static final Map<String, AuditEventAction> ACTIONS = Map.of(
            "create", AuditEventAction.C,
            "update", AuditEventAction.U,
            "patch", AuditEventAction.U,
            "delete", AuditEventAction.D,
            "operation", AuditEventAction.E,
            "transaction", AuditEventAction.E,
            "batch", AuditEventAction.E);

    private final String issuer;

    /** @param issuer the token issuer, the namespace of the users' subject identifiers */
    public AuditEventFactory(String issuer) {
        this.issuer = issuer;
    }

    /**
     * The event for a disclosure, with the rules that permitted it (the request's decision log): one entity naming
     * each deciding rule, with its evidence where the rule had one.
     */
    public AuditEvent build(AccessRecord access, List<Decision> permits) {
        AuditEvent event = build(access);
        Map<String, Reason> deciding = new TreeMap<>();
        permits.stream().filter(Decision::permits).map(Decision::deciding)
                .forEach(reason -> deciding.putIfAbsent(reason.rule().name(), reason));
        deciding.forEach((rule, reason) -> {
            AuditEventEntityComponent permitted = event.addEntity().setDescription("permitting rule");
            permitted.addDetail().setType("rule").setValue(new StringType(rule));
            reason.evidence().ifPresent(evidence -> permitted.setWhat(new Reference(evidence)));
        });
        return event;
    }

    public AuditEvent build(AccessRecord access) {
        AuditEvent event = new AuditEvent();
        event.setType(new Coding(EVENT_TYPE_SYSTEM, "rest", "RESTful Operation"));
        event.addSubtype(new Coding(INTERACTION_SYSTEM, access.interaction(), access.interaction()));
        event.setAction(ACTIONS.getOrDefault(access.interaction(), AuditEventAction.R));
        event.setRecorded(Date.from(access.at()));
        event.setOutcome(outcome(access.outcome()));
        access.refusal().ifPresent(refusal -> event.setOutcomeDesc(refusal.text()));
        source(event);
        access.who().ifPresentOrElse(who -> describeAgents(event, who, access), () -> unidentifiedCaller(event, access));
        access.patients().forEach(patient -> entity(event, patient, "1", "1", "Patient"));
        access.disclosed().stream()
                .filter(reference -> !access.patients().contains(reference))
                .forEach(reference -> entity(event, reference, "2", "4", "Domain Resource"));
        AuditEventEntityComponent query = event.addEntity()
                .setType(new Coding(ENTITY_TYPE_SYSTEM, "2", "System Object"))
                .setRole(new Coding(OBJECT_ROLE_SYSTEM, "24", "Query"))
                .setQuery(access.requestUrl().getBytes(StandardCharsets.UTF_8));
        query.setDescription(access.requestUrl());
        access.refusal().ifPresent(refusal -> {
            AuditEventEntityComponent decision = event.addEntity().setDescription("deciding rule");
            decision.addDetail().setType("rule").setValue(new StringType(refusal.rule()));
            refusal.evidence().ifPresent(evidence -> decision.setWhat(new Reference(evidence)));
        });
        return event;
    }

    /** Who an event is about when it is not a request's own caller: an operator, the scheduler, a job's requester. */
    public record Agent(String subject, String client, String organisation, PurposeOfUse purpose,
            Optional<String> address) {}

    /**
     * A DICOM "Export" event (an extract's run or a file's download), with the same agents, source and purpose as
     * every other event; its caller adds what was exported as entities.
     */
    public AuditEvent export(Agent agent, Instant started, Instant ended, boolean succeeded, Optional<String> why) {
        AuditEvent event = new AuditEvent();
        event.setType(new Coding(DICOM_SYSTEM, "110106", "Export"));
        event.setAction(AuditEventAction.R);
        event.setRecorded(Date.from(ended));
        event.getPeriod().setStart(Date.from(started)).setEnd(Date.from(ended));
        event.setOutcome(succeeded ? AuditEventOutcome._0 : AuditEventOutcome._8);
        why.ifPresent(event::setOutcomeDesc);
        source(event);
        CodeableConcept purpose = purpose(agent.purpose());
        event.addPurposeOfEvent(purpose);
        AuditEventAgentComponent user = requestor(event, agent.subject());
        user.addPurposeOfUse(purpose.copy());
        organisationAndClient(event, agent.organisation(), agent.client(), agent.address());
        return event;
    }

    private static void source(AuditEvent event) {
        event.getSource().setObserver(new Reference().setDisplay("Shared Care Record"))
                .addType(new Coding(SOURCE_TYPE_SYSTEM, "4", "Application Server"));
    }

    private static CodeableConcept purpose(PurposeOfUse purpose) {
        return new CodeableConcept(new Coding(PurposeOfUse.CODE_SYSTEM, purpose.code(), purpose.display()));
    }

    private AuditEventAgentComponent requestor(AuditEvent event, String subject) {
        return event.addAgent()
                .setType(new CodeableConcept(new Coding(PARTICIPATION_SYSTEM, "IRCP", "information recipient")))
                .setWho(new Reference().setIdentifier(new Identifier().setSystem(issuer).setValue(subject)))
                .setRequestor(true);
    }

    private void organisationAndClient(AuditEvent event, String organisation, String clientId,
            Optional<String> address) {
        event.addAgent()
                .setType(new CodeableConcept().setText("organisation"))
                .setWho(new Reference().setIdentifier(
                        new Identifier().setSystem(AccessContext.ODS_SYSTEM).setValue(organisation)))
                .setRequestor(false);
        AuditEventAgentComponent client = event.addAgent()
                .setType(new CodeableConcept(new Coding(DICOM_SYSTEM, "110150", "Application")))
                .setWho(new Reference().setIdentifier(new Identifier().setSystem(issuer).setValue(clientId)))
                .setRequestor(false);
        address.ifPresent(at -> client.getNetwork().setAddress(at).setType(AuditEvent.AuditEventAgentNetworkType._2));
    }

    private void describeAgents(AuditEvent event, AccessContext who, AccessRecord access) {
        AuditEventAgentComponent user = requestor(event, who.subject());
        who.roles().forEach(role -> user.addRole(new CodeableConcept().setText(role.claimValue())));
        user.addPurposeOfUse(purpose(who.purpose()));
        // The practitioner id comes from the token; it need not exist as a resource, so it is not a reference.
        who.practitioner().ifPresent(p -> user.setAltId("Practitioner/" + p));
        event.addPurposeOfEvent(purpose(who.purpose()));
        who.breakGlassReason().ifPresent(reason -> event.addEntity()
                .setDescription("break-glass reason")
                .addDetail().setType("break-glass-reason").setValue(new StringType(reason)));
        organisationAndClient(event, who.organisation(), who.client(), access.clientAddress());
    }

    /** A refusal before any token was verified: the caller is known only by where the request came from. */
    private static void unidentifiedCaller(AuditEvent event, AccessRecord access) {
        AuditEventAgentComponent caller = event.addAgent()
                .setType(new CodeableConcept(new Coding(PARTICIPATION_SYSTEM, "IRCP", "information recipient")))
                .setName("unidentified caller")
                .setRequestor(true);
        access.clientAddress().ifPresent(address -> caller.getNetwork().setAddress(address)
                .setType(AuditEvent.AuditEventAgentNetworkType._2));
    }

    private static void entity(AuditEvent event, String reference, String type, String role, String roleDisplay) {
        event.addEntity()
                .setWhat(new Reference(reference))
                .setType(new Coding(ENTITY_TYPE_SYSTEM, type, null))
                .setRole(new Coding(OBJECT_ROLE_SYSTEM, role, roleDisplay));
    }

    private static AuditEventOutcome outcome(AccessRecord.Outcome outcome) {
        return switch (outcome) {
            case SUCCESS -> AuditEventOutcome._0;
            case REFUSED -> AuditEventOutcome._4;
            case FAILED -> AuditEventOutcome._8;
        };
    }
}
