package uk.sharedcare.record.audit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.LongConsumer;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import uk.sharedcare.record.access.AccessContext;
import uk.sharedcare.record.access.Role;
import uk.sharedcare.record.consent.PatientState;
import uk.sharedcare.record.consent.enforcement.PatientStateLoader;

/**
 * Tells a patient's GP practice when another organisation sees the record for the first time, and on every
 * break-glass. The request works out which alerts it owes before the audit append; the append writes them to the
 * {@link AlertOutbox} in its own transaction, under the chain lock, which keeps one new-accessor alert per patient
 * and organisation however many nodes see the first access at once.
 */
public final class AccessAlerts {

    public static final String ALERT_SYSTEM = "https://sharedcarerecord.uk/fhir/CodeSystem/access-alert";
    static final String NEW_ACCESSOR = "new-accessor";
    static final String BREAK_GLASS = "break-glass";
    static final String PATIENT_CHOICE = "patient-choice";

    private final AlertOutbox outbox;
    private final PatientStateLoader patients;
    /**
     * Patient and organisation pairs whose new-accessor alert is known, from committed data, to exist. Alerts are
     * never withdrawn, so a pair once known stays known: this spares an outbox write per patient per request for
     * every organisation that has been here before.
     */
    private final Cache<String, Boolean> alerted = Caffeine.newBuilder().maximumSize(500_000).build();

    AccessAlerts(AlertOutbox outbox, PatientStateLoader patients) {
        this.outbox = outbox;
        this.patients = patients;
    }

    /**
     * What the audit append must write with the event of this access: its alerts.
     *
     * @param alreadyLoaded the patient states the request loaded for its consent decisions; a patient it has not
     *                      loaded is read from the record
     * @param breakGlassToReview whether the decision asked for this access to be reviewed as break-glass
     */
    LongConsumer owed(AccessContext who, List<String> patientIds, Function<String, Optional<PatientState>> alreadyLoaded,
            boolean breakGlassToReview) {
        if (who.isPatient()) {
            return sequence -> { }; // a patient looking at their own record is no new organisation
        }
        List<AlertOutbox.Draft> drafts = new ArrayList<>();
        List<String> firstAccesses = new ArrayList<>();
        for (String patientId : patientIds) {
            Optional<String> practice = alreadyLoaded.apply(patientId)
                    .map(PatientState::registeredPractice)
                    .orElseGet(() -> patients.registeredPractice(patientId));
            if (practice.isEmpty() || practice.get().equals(who.organisation())) {
                continue;
            }
            if (breakGlassToReview) {
                drafts.add(draft(BREAK_GLASS, who, patientId, practice.get(), null));
            }
            String pair = pair(patientId, who.organisation());
            if (alerted.getIfPresent(pair) == null) {
                drafts.add(draft(NEW_ACCESSOR, who, patientId, practice.get(), NEW_ACCESSOR + "|" + pair));
                firstAccesses.add(pair);
            }
        }
        if (drafts.isEmpty()) {
            return sequence -> { };
        }
        return sequence -> {
            outbox.write(drafts.stream().map(d -> d.uniqueKey() != null ? d
                    : new AlertOutbox.Draft(d.kind(), d.patient(), d.practice(), d.organisation(), d.sent(), d.text(),
                            BREAK_GLASS + "|" + sequence + "|" + d.patient())).toList(), sequence);
            rememberOnceCommitted(firstAccesses);
        };
    }

    /**
     * What the audit append must write with the event of a patient recording their own sharing choice: the
     * practice is told, whatever the choice, in an alert of its own.
     *
     * @param choice the choice in plain words, such as "opted out of sharing in the local scheme"
     */
    LongConsumer patientChoice(AccessContext who, String patientId, String consentId, String choice) {
        Optional<String> practice = patients.registeredPractice(patientId);
        if (practice.isEmpty()) {
            return sequence -> { };
        }
        String text = "The patient recorded their own sharing choice (" + consentId + "): " + choice + ".";
        return sequence -> outbox.write(List.of(new AlertOutbox.Draft(PATIENT_CHOICE, patientId, practice.get(),
                who.organisation(), who.at(), text, PATIENT_CHOICE + "|" + consentId)), sequence);
    }

    /** Only after commit: an alert written by a transaction that then rolls back was never raised. */
    private void rememberOnceCommitted(List<String> pairs) {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            pairs.forEach(pair -> alerted.put(pair, Boolean.TRUE));
            return;
        }
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                pairs.forEach(pair -> alerted.put(pair, Boolean.TRUE));
            }
        });
    }

    private static String pair(String patientId, String organisation) {
        return patientId + "|" + organisation;
    }

    private static AlertOutbox.Draft draft(String kind, AccessContext who, String patientId, String practice,
            String uniqueKey) {
        return new AlertOutbox.Draft(kind, patientId, practice, who.organisation(), who.at(), describe(kind, who),
                uniqueKey);
    }

    private static String describe(String kind, AccessContext who) {
        String roles = String.join(", ", who.roles().stream().map(Role::claimValue).sorted().toList());
        if (BREAK_GLASS.equals(kind)) {
            return who.organisation() + " (" + roles + ") used break-glass access: \""
                    + who.breakGlassReason().orElse("") + "\". Awaiting review.";
        }
        return who.organisation() + " (" + roles + ") accessed this patient's record for the first time, for "
                + who.purpose().display() + ".";
    }

    /** The tag a practice's alert subscription matches on. */
    public static String recipientTag(String practice) {
        return "recipient-" + practice;
    }

    /** The only subscription criteria the record accepts: a practice's own alerts. */
    public static String subscriptionCriteria(String practice) {
        return "Communication?_tag=" + ALERT_SYSTEM + "|" + recipientTag(practice);
    }

    static String marker(String kind, String organisation) {
        return kind + "-" + organisation;
    }
}
