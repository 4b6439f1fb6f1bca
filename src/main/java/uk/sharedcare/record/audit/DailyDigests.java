package uk.sharedcare.record.audit;

import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.param.DateRangeParam;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.param.TokenParamModifier;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Communication;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.springframework.scheduling.annotation.Scheduled;
import uk.sharedcare.record.access.AccessContext;
import uk.sharedcare.record.access.Custodian;

/**
 * Sends each practice with alerts a daily digest: a Communication listing the day's new accessors and every
 * break-glass access still awaiting review, addressed and tagged like an alert, so the practice's alert
 * subscription delivers it too. Once per practice per day, even with several server nodes: the check and the write
 * run under the audit chain lock (the alerts are read before it is taken).
 */
public final class DailyDigests {

    static final String DIGEST = "daily-digest";
    private static final ZoneId UK = ZoneId.of("Europe/London");

    private final IFhirResourceDao<Communication> communications;
    private final AuditTrail trail;

    DailyDigests(IFhirResourceDao<Communication> communications, AuditTrail trail) {
        this.communications = communications;
        this.trail = trail;
    }

    /** Every morning, yesterday's digest (the time is {@code shared-care.alerts.digest-cron}, UK time). */
    @Scheduled(cron = "${shared-care.alerts.digest-cron:0 0 7 * * *}", zone = "Europe/London")
    public void sendYesterdays() {
        send(LocalDate.now(UK).minusDays(1));
    }

    /** Sends the digests for {@code day}; returns how many were written (none twice). */
    public int send(LocalDate day) {
        // Read outside the lock: holding it stops every request's audit append, and the alerts are only read.
        Map<String, List<Communication>> alertsByPractice = byPractice(day);
        int[] written = {0};
        trail.underChainLock(() -> alertsByPractice.forEach((practice, alerts) -> {
            if (!alreadySent(practice, day) && write(practice, day, alerts)) {
                written[0]++;
            }
        }));
        return written[0];
    }

    /** The day's new-accessor alerts and every break-glass alert not yet reviewed: two bounded searches. */
    private Map<String, List<Communication>> byPractice(LocalDate day) {
        SearchParameterMap newAccessors = SearchParameterMap.newSynchronous("category",
                        new TokenParam(AccessAlerts.ALERT_SYSTEM, AccessAlerts.NEW_ACCESSOR))
                .add("sent", new DateRangeParam(Date.from(day.atStartOfDay(UK).toInstant()),
                        Date.from(day.plusDays(1).atStartOfDay(UK).toInstant().minusMillis(1))));
        SearchParameterMap awaitingReview = SearchParameterMap.newSynchronous("category",
                        new TokenParam(AccessAlerts.ALERT_SYSTEM, AccessAlerts.BREAK_GLASS))
                .add("_tag", new TokenParam(AccessAlerts.ALERT_SYSTEM, AlertOperationsProvider.REVIEWED)
                        .setModifier(TokenParamModifier.NOT));
        return Stream.concat(search(newAccessors), search(awaitingReview))
                .collect(Collectors.groupingBy(c -> Custodian.of(c).orElse(""), TreeMap::new, Collectors.toList()));
    }

    private Stream<Communication> search(SearchParameterMap query) {
        return communications.search(query, new SystemRequestDetails()).getAllResources().stream()
                .map(Communication.class::cast);
    }

    private boolean write(String practice, LocalDate day, List<Communication> alerts) {
        List<String> lines = alerts.stream()
                .filter(a -> AccessAlerts.NEW_ACCESSOR.equals(kind(a)) && sentOn(a, day)
                        || AccessAlerts.BREAK_GLASS.equals(kind(a)) && !AlertOperationsProvider.isReviewed(a))
                .map(a -> a.getPayloadFirstRep().getContentStringType().getValue())
                .toList();
        if (lines.isEmpty() || practice.isEmpty()) {
            return false;
        }
        Communication digest = new Communication();
        digest.setStatus(Communication.CommunicationStatus.COMPLETED);
        digest.addCategory(new CodeableConcept(new Coding(AccessAlerts.ALERT_SYSTEM, DIGEST, "Daily access digest")));
        digest.addRecipient(new Reference().setIdentifier(
                new Identifier().setSystem(AccessContext.ODS_SYSTEM).setValue(practice)));
        digest.setSent(new Date());
        lines.forEach(line -> digest.addPayload().setContent(new StringType(line)));
        digest.getMeta().addTag(AccessAlerts.ALERT_SYSTEM, marker(day), null);
        digest.getMeta().addTag(AccessAlerts.ALERT_SYSTEM, AccessAlerts.recipientTag(practice), "For " + practice);
        digest.getMeta().addTag(Custodian.TAG_SYSTEM, practice, "Written by " + practice);
        communications.create(digest, new SystemRequestDetails());
        return true;
    }

    private boolean alreadySent(String practice, LocalDate day) {
        SearchParameterMap query = SearchParameterMap.newSynchronous("_tag",
                        new TokenParam(AccessAlerts.ALERT_SYSTEM, marker(day)))
                .add("_tag", new TokenParam(Custodian.TAG_SYSTEM, practice));
        return !communications.search(query, new SystemRequestDetails()).isEmpty();
    }

    private static boolean sentOn(Communication alert, LocalDate day) {
        return alert.hasSent() && LocalDate.ofInstant(alert.getSent().toInstant(), UK).equals(day);
    }

    private static String kind(Communication communication) {
        return communication.getCategoryFirstRep().getCodingFirstRep().getCode();
    }

    private static String marker(LocalDate day) {
        return DIGEST + "-" + day;
    }
}
