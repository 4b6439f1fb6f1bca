package uk.sharedcare.record.audit;

import ca.uhn.fhir.context.FhirContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.StringType;

/**
 * Tamper evidence for the audit trail: each AuditEvent carries the SHA-256 of the previous event's hash and its own
 * content, so editing, removing or reordering any stored event breaks every link after it. The content hashed is the
 * event's canonical JSON without its {@code meta} (which the store changes) and without the chain extension itself.
 */
public final class AuditChain {

    public static final String EXTENSION = "https://sharedcarerecord.uk/fhir/StructureDefinition/audit-chain";
    /** The hash the first event of a trail links to. */
    public static final String GENESIS = "0".repeat(64);

    private final FhirContext fhir;

    public AuditChain(FhirContext fhir) {
        this.fhir = fhir;
    }

    /** Adds the chain extension linking {@code event} to the event whose hash is {@code previousHash}. */
    public String link(AuditEvent event, String previousHash) {
        event.getExtension().removeIf(e -> EXTENSION.equals(e.getUrl()));
        String hash = hash(previousHash, event);
        Extension chain = event.addExtension().setUrl(EXTENSION);
        chain.addExtension("previous", new StringType(previousHash));
        chain.addExtension("hash", new StringType(hash));
        return hash;
    }

    /**
     * Checks a trail in the order it was written.
     *
     * @return the id (or position) of the first event whose link is broken; empty when the trail is intact
     */
    public Optional<String> firstBrokenLink(List<AuditEvent> trail) {
        String expectedPrevious = GENESIS;
        for (int i = 0; i < trail.size(); i++) {
            AuditEvent event = trail.get(i);
            Optional<String> previous = part(event, "previous");
            Optional<String> stored = part(event, "hash");
            String recomputed = hash(expectedPrevious, event);
            boolean intact = previous.filter(expectedPrevious::equals).isPresent()
                    && stored.filter(recomputed::equals).isPresent();
            if (!intact) {
                return Optional.of(event.hasId() ? event.getIdElement().toUnqualifiedVersionless().getValue()
                        : "#" + i);
            }
            expectedPrevious = stored.get();
        }
        return Optional.empty();
    }

    private String hash(String previousHash, AuditEvent event) {
        AuditEvent content = event.copy();
        content.setMeta(null);
        content.setId((String) null);
        content.getExtension().removeIf(e -> EXTENSION.equals(e.getUrl()));
        String canonical = fhir.newJsonParser().setPrettyPrint(false).encodeResourceToString(content);
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(previousHash.getBytes(StandardCharsets.US_ASCII));
            sha256.update(canonical.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha256.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    private static Optional<String> part(AuditEvent event, String name) {
        Extension chain = event.getExtensionByUrl(EXTENSION);
        if (chain == null || chain.getExtensionByUrl(name) == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(chain.getExtensionByUrl(name).getValue().primitiveValue());
    }
}
