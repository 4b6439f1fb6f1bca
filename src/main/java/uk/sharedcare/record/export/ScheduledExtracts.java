package uk.sharedcare.record.export;

import java.time.Clock;
import java.time.YearMonth;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import uk.sharedcare.record.access.PurposeOfUse;
import uk.sharedcare.record.consent.SecondaryUsePolicy;

/**
 * The monthly extract (cron {@code shared-care.extract.schedule}): for each scheduled recipient, the month just
 * ended, written under {@code <directory>/scheduled/<recipient>/<month>/} with its manifest, by exactly one node
 * (the run claims a job id unique to recipient and month). Also fails extract jobs whose node has stopped.
 */
final class ScheduledExtracts {

    private static final Logger log = LoggerFactory.getLogger(ScheduledExtracts.class);

    private final ExtractService extracts;
    private final ExtractProperties properties;
    private final SecondaryUsePolicy policy;
    private final Clock clock;

    ScheduledExtracts(ExtractService extracts, ExtractProperties properties, SecondaryUsePolicy policy,
            Clock clock) {
        this.extracts = extracts;
        this.properties = properties;
        this.policy = policy;
        this.clock = clock;
    }

    @Scheduled(cron = "${shared-care.extract.schedule:-}", zone = "Europe/London")
    void extractLastMonth() {
        YearMonth month = YearMonth.now(clock.withZone(ExtractRequest.UK)).minusMonths(1);
        for (String recipient : properties.scheduledRecipients()) {
            if (!policy.decideRecipient(recipient, PurposeOfUse.HOPERAT).permits()) {
                log.error("Scheduled extract for {} skipped: it is not an extract recipient for HOPERAT", recipient);
                continue;
            }
            ExtractRequest request = new ExtractRequest(month, recipient, PurposeOfUse.HOPERAT,
                    Set.copyOf(ExtractRequest.EXTRACTED_TYPES), Optional.empty(), Optional.empty());
            try {
                extracts.runScheduled(request);
            } catch (RuntimeException failure) {
                log.error("Scheduled extract for {} {} failed", recipient, month, failure);
            }
        }
    }

    @Scheduled(fixedDelayString = "PT1M", initialDelayString = "PT1M")
    void failAbandonedJobs() {
        extracts.failAbandoned();
    }
}
