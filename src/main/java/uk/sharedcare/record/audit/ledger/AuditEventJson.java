package uk.sharedcare.record.audit.ledger;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import java.util.Date;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.StringType;

/**
 * An AuditEvent's two forms: the canonical JSON the ledger hashes and stores (no id, meta, chain or sequence, which
 * the ledger keeps in columns), and the resource it serves, with those put back as the trail has always shown them.
 */
public final class AuditEventJson {

    public static final String CHAIN_EXTENSION = "https://sharedcarerecord.uk/fhir/StructureDefinition/audit-chain";
    public static final String SEQUENCE_EXTENSION =
            "https://sharedcarerecord.uk/fhir/StructureDefinition/audit-sequence";

    private final FhirContext fhir;

    public AuditEventJson(FhirContext fhir) {
        this.fhir = fhir;
    }

    public String canonical(AuditEvent event) {
        boolean asBuilt = !event.hasMeta() && !event.hasId()
                && event.getExtension().stream().noneMatch(AuditEventJson::isLedgers);
        if (asBuilt) {
            return compact().encodeResourceToString(event); // a new event, as every request makes: nothing to strip
        }
        AuditEvent content = event.copy();
        content.setMeta(null);
        content.setId((String) null);
        content.getExtension().removeIf(AuditEventJson::isLedgers);
        return compact().encodeResourceToString(content);
    }

    /** The extensions the ledger keeps in its own columns. */
    private static boolean isLedgers(Extension extension) {
        return CHAIN_EXTENSION.equals(extension.getUrl()) || SEQUENCE_EXTENSION.equals(extension.getUrl());
    }

    /**
     * The canonical JSON of an event chained by the HAPI-stored trail: what it hashed then, its sequence
     * extension included.
     */
    public String legacyCanonical(AuditEvent event) {
        AuditEvent content = event.copy();
        content.setMeta(null);
        content.setId((String) null);
        content.getExtension().removeIf(e -> CHAIN_EXTENSION.equals(e.getUrl()));
        return compact().encodeResourceToString(content);
    }

    /** The event as the API serves it. */
    public AuditEvent served(LedgerRow row) {
        AuditEvent event = compact().parseResource(AuditEvent.class, row.json());
        event.setId(Long.toString(row.sequence()));
        event.getMeta().setVersionId("1").setLastUpdated(Date.from(row.written()));
        event.getExtension().removeIf(AuditEventJson::isLedgers);
        event.addExtension(SEQUENCE_EXTENSION, new StringType(Long.toString(row.sequence())));
        Extension chain = event.addExtension().setUrl(CHAIN_EXTENSION);
        chain.addExtension("previous", new StringType(row.previousHash()));
        chain.addExtension("hash", new StringType(row.hash()));
        return event;
    }

    public AuditEvent parse(String json) {
        return compact().parseResource(AuditEvent.class, json);
    }

    private IParser compact() {
        return fhir.newJsonParser().setPrettyPrint(false);
    }
}
