package uk.sharedcare.record.audit;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Meta;
import org.junit.jupiter.api.Test;

class AuditChainTest {

    private final FhirContext fhir = FhirContext.forR4Cached();
    private final AuditChain chain = new AuditChain(fhir);

    @Test
    void intactTrailVerifiesEvenAfterTheStoreChangesMeta() {
        List<AuditEvent> trail = trail(4);
        trail.forEach(e -> e.setMeta(new Meta().setVersionId("1").setSource("#store")));

        assertThat(chain.firstBrokenLink(trail)).isEmpty();
    }

    @Test
    void editedEventIsTheFirstBrokenLink() {
        List<AuditEvent> trail = trail(4);
        trail.get(2).setOutcomeDesc("nothing to see here");

        assertThat(chain.firstBrokenLink(trail)).contains("AuditEvent/e2");
    }

    @Test
    void removedEventBreaksTheLinkAfterIt() {
        List<AuditEvent> trail = trail(4);
        trail.remove(1);

        assertThat(chain.firstBrokenLink(trail)).contains("AuditEvent/e2");
    }

    @Test
    void reorderedEventsAreDetected() {
        List<AuditEvent> trail = trail(3);
        Collections.swap(trail, 0, 1);

        assertThat(chain.firstBrokenLink(trail)).contains("AuditEvent/e1");
    }

    @Test
    void rewritingAnEventWithAFreshHashStillBreaksTheNextLink() {
        List<AuditEvent> trail = trail(3);
        AuditEvent forged = trail.get(1);
        forged.setOutcomeDesc("rewritten");
        chain.link(forged, AuditChain.GENESIS);

        assertThat(chain.firstBrokenLink(trail)).contains("AuditEvent/e1");
    }

    private List<AuditEvent> trail(int length) {
        List<AuditEvent> trail = new ArrayList<>();
        String previous = AuditChain.GENESIS;
        for (int i = 0; i < length; i++) {
            AuditEvent event = new AuditEvent();
            event.setId("AuditEvent/e" + i);
            event.setOutcome(AuditEvent.AuditEventOutcome._0);
            event.setOutcomeDesc("event " + i);
            previous = chain.link(event, previous);
            trail.add(event);
        }
        return trail;
    }
}
