package uk.sharedcare.record.audit.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.time.Instant;
import java.util.Date;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;

/** An event's canonical JSON, what the chain hashes, is the same whether it is new or read back from the trail. */
class AuditEventJsonTest {

    private static final FhirContext FHIR = FhirContext.forR4Cached();
    private final AuditEventJson json = new AuditEventJson(FHIR);

    @Test
    void anEventReadBackFromTheTrailHasTheCanonicalJsonItWasStoredWith() {
        AuditEvent built = readOfAnObservation();
        String stored = json.canonical(built);

        AuditEvent served = json.served(new LedgerRow(42, Instant.now(), ChainHash.Scheme.DIGEST, ChainHash.GENESIS,
                ChainHash.link(ChainHash.Scheme.DIGEST, ChainHash.GENESIS, stored), stored));

        assertThat(served.getIdElement().getIdPart()).isEqualTo("42");
        assertThat(json.canonical(served)).isEqualTo(stored);
        assertThat(stored).doesNotContain("\"meta\"").doesNotContain("audit-chain").doesNotContain("audit-sequence");
    }

    @Test
    void aNewEventIsEncodedAsItIsAndLeftUnchanged() {
        AuditEvent built = readOfAnObservation();

        String stored = json.canonical(built);

        assertThat(stored).isEqualTo(FHIR.newJsonParser().encodeResourceToString(built));
        assertThat(built.hasMeta()).isFalse();
    }

    private static AuditEvent readOfAnObservation() {
        AuditEvent event = new AuditEvent();
        event.setType(new Coding("http://terminology.hl7.org/CodeSystem/audit-event-type", "rest", "RESTful"));
        event.setAction(AuditEvent.AuditEventAction.R);
        event.setRecorded(new Date(1_764_547_200_000L));
        event.setOutcome(AuditEvent.AuditEventOutcome._0);
        event.addAgent().setRequestor(true).setWho(new Reference().setDisplay("dr.patel"));
        event.addEntity().setWhat(new Reference("Observation/1"));
        return event;
    }
}
