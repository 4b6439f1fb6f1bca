package uk.sharedcare.record.audit;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.param.TokenParam;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Communication;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import uk.sharedcare.record.access.AccessContext;
import uk.sharedcare.record.access.Custodian;
import uk.sharedcare.record.access.Role;
import uk.sharedcare.record.consent.PatientState;
import uk.sharedcare.record.consent.enforcement.PatientStateLoader;

/**
 * Tells a patient's GP practice when another organisation sees the record for the first time, and on every
 * break-glass: a Communication addressed to the practice, recorded with the practice as custodian so that only the
 * practice sees it. Runs inside the audit append's transaction, under its lock, so concurrent first accesses raise
 * one alert, not two.
 */
public final class AccessAlerts {

    public static final String ALERT_SYSTEM = "https://sharedcarerecord.uk/fhir/CodeSystem/access-alert";
    static final String NEW_ACCESSOR = "new-accessor";
    static final String BREAK_GLASS = "break-glass";

    private final DaoRegistry daos;
    private final PatientStateLoader patients;
    /**
     * Patient and organisation pairs whose new-accessor alert is known, from committed data, to exist. Alerts are
     * never withdrawn, so a pair once known stays known: this spares a search per patient per request, inside the
     * audit lock, for every organisation that has been here before.
     */
    private final Cache<String, Boolean> alerted = Caffeine.newBuilder().maximumSize(500_000).build();

    AccessAlerts(DaoRegistry daos, PatientStateLoader patients) {
        this.daos = daos;
        this.patients = patients;
    }

    /**
     * @param alreadyLoaded the patient states the request loaded for its consent decisions; a patient it has not
     *                      loaded is read from the record
     */
    void raise(AccessContext who, List<String> patientIds, String auditEventId,
            Function<String, Optional<PatientState>> alreadyLoaded) {
        for (String patientId : patientIds) {
            Optional<String> practice = alreadyLoaded.apply(patientId)
                    .map(PatientState::registeredPractice)
                    .orElseGet(() -> patients.registeredPractice(patientId));
            if (practice.isEmpty() || practice.get().equals(who.organisation())) {
                continue;
            }
            if (who.isBreakGlass()) {
                record(BREAK_GLASS, who, patientId, practice.get(), auditEventId);
            }
            if (!alreadyAlerted(patientId, who.organisation())) {
                record(NEW_ACCESSOR, who, patientId, practice.get(), auditEventId);
                rememberOnceCommitted(patientId, who.organisation());
            }
        }
    }

    private boolean alreadyAlerted(String patientId, String organisation) {
        if (alerted.getIfPresent(pair(patientId, organisation)) != null) {
            return true;
        }
        SearchParameterMap query = SearchParameterMap.newSynchronous("subject", new ReferenceParam(patientId))
                .add("_tag", new TokenParam(ALERT_SYSTEM, marker(NEW_ACCESSOR, organisation)));
        boolean found = !daos.getResourceDao(Communication.class).search(query, new SystemRequestDetails()).isEmpty();
        if (found) {
            rememberOnceCommitted(patientId, organisation);
        }
        return found;
    }

    /** Only after commit: an alert written by a transaction that then rolls back was never sent. */
    private void rememberOnceCommitted(String patientId, String organisation) {
        String pair = pair(patientId, organisation);
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            alerted.put(pair, Boolean.TRUE);
            return;
        }
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                alerted.put(pair, Boolean.TRUE);
            }
        });
    }

    private static String pair(String patientId, String organisation) {
        return patientId + "|" + organisation;
    }

    private void record(String kind, AccessContext who, String patientId, String practice, String auditEventId) {
        Communication alert = new Communication();
        alert.setStatus(Communication.CommunicationStatus.COMPLETED);
        alert.addCategory(new CodeableConcept(new Coding(ALERT_SYSTEM, kind,
                BREAK_GLASS.equals(kind) ? "Break-glass access" : "New organisation accessing the record")));
        alert.setSubject(new Reference(patientId));
        alert.addRecipient(organisation(practice));
        alert.setSender(organisation(who.organisation()));
        alert.setSent(Date.from(who.at()));
        alert.addAbout(new Reference(auditEventId));
        alert.addPayload().setContent(new StringType(describe(kind, who)));
        alert.getMeta().addTag(ALERT_SYSTEM, marker(kind, who.organisation()), null);
        alert.getMeta().addTag(ALERT_SYSTEM, recipientTag(practice), "For " + practice);
        alert.getMeta().addTag(Custodian.TAG_SYSTEM, practice, "Written by " + practice);
        daos.getResourceDao(Communication.class).create(alert, new SystemRequestDetails());
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

    private static Reference organisation(String odsCode) {
        return new Reference().setIdentifier(new Identifier().setSystem(AccessContext.ODS_SYSTEM).setValue(odsCode));
    }

    /** The tag a practice's alert subscription matches on. */
    public static String recipientTag(String practice) {
        return "recipient-" + practice;
    }

    /** The only subscription criteria the record accepts: a practice's own alerts. */
    public static String subscriptionCriteria(String practice) {
        return "Communication?_tag=" + ALERT_SYSTEM + "|" + recipientTag(practice);
    }

    private static String marker(String kind, String organisation) {
        return kind + "-" + organisation;
    }
}
