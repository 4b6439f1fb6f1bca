package uk.sharedcare.record.consent.enforcement;

import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Date;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.hl7.fhir.instance.model.api.IBaseCoding;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.EpisodeOfCare;
import org.hl7.fhir.r4.model.Observation;
import uk.sharedcare.record.access.Custodian;
import uk.sharedcare.record.consent.ResourceFacts;
import uk.sharedcare.record.referral.Referrals;

/** Reads the {@link ResourceFacts} the policy needs from a stored resource. */
public final class ResourceFactsReader {

    private static final ZoneId UK = ZoneId.of("Europe/London");

    private ResourceFactsReader() {}

    public static ResourceFacts read(IBaseResource resource) {
        Set<String> labels = resource.getMeta().getSecurity().stream()
                .map(IBaseCoding::getCode)
                .filter(code -> code != null)
                .collect(Collectors.toSet());
        return new ResourceFacts(resource.fhirType(), Custodian.of(resource), labels, clinicalDate(resource),
                Referrals.partiesOf(resource));
    }

    /** The date the data is about, for consents limited to a data period; empty when the type has none. */
    private static Optional<LocalDate> clinicalDate(IBaseResource resource) {
        Date date = null;
        if (resource instanceof Observation o && o.hasEffectiveDateTimeType()) {
            date = o.getEffectiveDateTimeType().getValue();
        } else if (resource instanceof Condition c && c.hasRecordedDate()) {
            date = c.getRecordedDate();
        } else if (resource instanceof Encounter e && e.getPeriod().hasStart()) {
            date = e.getPeriod().getStart();
        } else if (resource instanceof CarePlan p && p.getPeriod().hasStart()) {
            date = p.getPeriod().getStart();
        } else if (resource instanceof EpisodeOfCare e && e.getPeriod().hasStart()) {
            date = e.getPeriod().getStart();
        } else if (resource instanceof DocumentReference d && d.hasDate()) {
            date = d.getDate();
        }
        return Optional.ofNullable(date).map(d -> LocalDate.ofInstant(d.toInstant(), UK));
    }
}
