package uk.sharedcare.record.consent.enforcement;

import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hl7.fhir.r4.model.Flag;
import org.hl7.fhir.r4.model.Observation;
import uk.sharedcare.record.consent.Code;
import uk.sharedcare.record.consent.CodeLists.DissentCode;
import uk.sharedcare.record.consent.CodeLists;
import uk.sharedcare.record.consent.GpDissent;

/**
 * Rule 4's reading of the GP record: of the coded dissent and withdrawal entries (Observations, active Flags), the
 * latest of each type decides, and a dissent not followed by a withdrawal of its type is in force. Entries entered
 * in error or cancelled do not count.
 */
final class GpDissentReader {

    private final CodeLists codes;

    GpDissentReader(CodeLists codes) {
        this.codes = codes;
    }

    Optional<GpDissent> inForce(List<Observation> observations, List<Flag> activeFlags) {
        Map<GpDissent.Type, Entry> latest = new HashMap<>();
        for (Observation observation : observations) {
            if (observation.getStatus() != Observation.ObservationStatus.ENTEREDINERROR
                    && observation.getStatus() != Observation.ObservationStatus.CANCELLED) {
                Date when = observation.hasEffectiveDateTimeType() ? observation.getEffectiveDateTimeType().getValue()
                        : observation.getIssued();
                note(latest, Code.allOf(observation.getCode()), when,
                        "Observation/" + observation.getIdElement().getIdPart());
            }
        }
        for (Flag flag : activeFlags) {
            note(latest, Code.allOf(flag.getCode()), flag.getPeriod().getStart(), "Flag/" + flag.getIdElement().getIdPart());
        }
        return latest.entrySet().stream()
                .filter(e -> !e.getValue().withdrawal())
                .min(Map.Entry.comparingByKey())
                .map(e -> new GpDissent(e.getKey(), e.getValue().evidence()));
    }

    private record Entry(Instant at, boolean withdrawal, String evidence) {}

    private void note(Map<GpDissent.Type, Entry> latest, List<Code> entryCodes, Date when, String evidence) {
        Optional<DissentCode> kind = codes.dissentCode(entryCodes);
        if (kind.isEmpty()) {
            return;
        }
        Instant at = when == null ? Instant.EPOCH : when.toInstant();
        Entry entry = new Entry(at, kind.get().isWithdrawal(), evidence);
        latest.merge(kind.get().type(), entry, (a, b) -> b.at().isAfter(a.at()) ? b : a);
    }
}
