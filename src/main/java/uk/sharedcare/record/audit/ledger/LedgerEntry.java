package uk.sharedcare.record.audit.ledger;

import ca.uhn.fhir.context.FhirContext;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;

/**
 * One audit event as the ledger stores it: its canonical JSON and that JSON's digest, computed by the thread that
 * built the event, and the columns and references it is searched by, read off the event itself, so that every
 * event, however it was built, is indexed the same way.
 *
 * @param recorded     the event's own time ({@code AuditEvent.recorded})
 * @param outcome      the FHIR outcome code ({@code 0} success, {@code 4} refused, {@code 8} failed)
 * @param user         the requesting agent's identifier value (the token's subject)
 * @param organisation the ODS code of the user's organisation
 * @param roles        the user's roles, sorted, comma-separated
 * @param purpose      the purpose of use code
 * @param references   what the event is about, searched by kind
 * @param json         the canonical JSON that is hashed (no id, meta, chain or sequence)
 * @param digest       SHA-256 of {@code json}
 */
public record LedgerEntry(Instant recorded, String type, String subtype, String action, String outcome,
        String user, String client, String organisation, String roles, String purpose,
        List<LedgerReference> references, String json, String digest) {

    public static final String ORGANISATION_AGENT = "organisation";
    public static final String APPLICATION_AGENT = "110150";

    public LedgerEntry {
        references = List.copyOf(references);
    }

    /** What a row is about, by kind: patients, every entity referenced, every agent identifier. */
    public record LedgerReference(Kind kind, String value) {
        public enum Kind { PATIENT, ENTITY, AGENT }
    }

    /** Reads the entry off an event; {@code canonicalJson} is the event's content as {@link AuditEventJson} gives it. */
    public static LedgerEntry of(AuditEvent event, String canonicalJson) {
        Set<LedgerReference> references = new LinkedHashSet<>();
        for (AuditEvent.AuditEventEntityComponent entity : event.getEntity()) {
            String what = entity.getWhat().getReference();
            if (what == null) {
                continue;
            }
            references.add(new LedgerReference(LedgerReference.Kind.ENTITY, what));
            if (what.startsWith("Patient/")) {
                references.add(new LedgerReference(LedgerReference.Kind.PATIENT, what));
            }
        }
        String user = null;
        String client = null;
        String organisation = null;
        for (AuditEvent.AuditEventAgentComponent agent : event.getAgent()) {
            Optional<String> who = Optional.ofNullable(agent.getWho().getIdentifier().getValue());
            who.ifPresent(value -> references.add(new LedgerReference(LedgerReference.Kind.AGENT, value)));
            if (agent.hasAltId()) {
                references.add(new LedgerReference(LedgerReference.Kind.AGENT, agent.getAltId()));
            }
            if (agent.getRequestor()) {
                user = who.orElse(agent.getName());
            } else if (ORGANISATION_AGENT.equals(agent.getType().getText())) {
                organisation = who.orElse(null);
            } else if (APPLICATION_AGENT.equals(agent.getType().getCodingFirstRep().getCode())) {
                client = who.orElse(null);
            }
        }
        String roles = String.join(",", event.getAgent().stream().filter(AuditEvent.AuditEventAgentComponent::getRequestor)
                .flatMap(agent -> agent.getRole().stream()).map(CodeableConcept::getText)
                .filter(text -> text != null).sorted().toList());
        return new LedgerEntry(event.getRecorded().toInstant(), code(event.getType()),
                code(event.getSubtypeFirstRep()), event.hasAction() ? event.getAction().toCode() : null,
                event.hasOutcome() ? event.getOutcome().toCode() : null, user, client, organisation,
                roles.isEmpty() ? null : roles,
                event.getPurposeOfEventFirstRep().getCodingFirstRep().getCode(),
                List.copyOf(references), canonicalJson, ChainHash.contentDigest(canonicalJson));
    }


    private static String code(Coding coding) {
        return coding == null ? null : coding.getCode();
    }
}
