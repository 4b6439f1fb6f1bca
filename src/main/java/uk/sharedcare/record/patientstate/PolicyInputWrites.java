package uk.sharedcare.record.patientstate;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Function;
import javax.sql.DataSource;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Observation;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import uk.sharedcare.record.consent.Code;
import uk.sharedcare.record.consent.CodeLists;
import uk.sharedcare.record.referral.Referrals;

/**
 * Bumps the stamps of the patients a write changes the policy inputs of, in the write's own transaction. On HAPI's
 * storage interceptor service, not the RestfulServer's, so the server's own writes (demo data, alerts, anything
 * through a DAO) bump too. The {@code STORAGE_PRECOMMIT_RESOURCE_*} hooks run inside the transaction, in a
 * transaction bundle once every entry is written; the bumps are made just before the commit, so a stamp never
 * moves before the data it stands for can be read.
 */
@Interceptor
public final class PolicyInputWrites {

    /** The types whose every version can change a patient's state. */
    private static final Set<String> ALWAYS = Set.of("Patient", "Consent", "EpisodeOfCare", "CareTeam", "Flag");

    private final StateStamps stamps;
    private final DataSource dataSource;
    private final Function<IBaseResource, List<String>> patientsOf;
    private final CodeLists codes;

    /**
     * @param dataSource the one the write's transaction holds a connection of, which the bumps must use
     * @param patientsOf the patients a resource is about ({@code Patient/<id>}), itself for a Patient
     */
    public PolicyInputWrites(StateStamps stamps, DataSource dataSource,
            Function<IBaseResource, List<String>> patientsOf, CodeLists codes) {
        this.stamps = stamps;
        this.dataSource = dataSource;
        this.patientsOf = patientsOf;
        this.codes = codes;
    }

    @Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_CREATED)
    public void created(IBaseResource resource) {
        changed(List.of(resource));
    }

    @Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_UPDATED)
    public void updated(IBaseResource previous, IBaseResource resource) {
        // Both versions: an entry moved to another patient, or recoded out of a list, changes the old state too.
        changed(previous == null ? List.of(resource) : List.of(previous, resource));
    }

    @Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_DELETED)
    public void deleted(IBaseResource resource) {
        changed(List.of(resource));
    }

    private void changed(Collection<IBaseResource> versions) {
        SortedSet<String> keys = new TreeSet<>();
        for (IBaseResource version : versions) {
            if ("Organization".equals(version.fhirType())) {
                keys.add(StateStamps.EVERY_PATIENT); // its ODS code stands in every state that refers to it
            } else if (isPolicyInput(version)) {
                patientsOf.apply(version).stream().filter(id -> !id.endsWith("/null")).forEach(keys::add);
            }
        }
        if (!keys.isEmpty()) {
            pendingBumps().keys.addAll(keys);
        }
    }

    /**
     * What {@code PatientStateLoader} reads: Conditions and Observations only with a cohort or dissent code,
     * ServiceRequests only when they are referrals.
     */
    private boolean isPolicyInput(IBaseResource resource) {
        if (ALWAYS.contains(resource.fhirType()) || Referrals.isReferral(resource)) {
            return true;
        }
        if (resource instanceof Condition condition) {
            return !codes.cohortsFor(Code.allOf(condition.getCode())).isEmpty();
        }
        if (resource instanceof Observation observation) {
            return codes.dissentCode(Code.allOf(observation.getCode())).isPresent();
        }
        return false;
    }

    /** The bumps of the current transaction, made once, sorted, just before it commits. */
    private PendingBumps pendingBumps() {
        if (!TransactionSynchronizationManager.isSynchronizationActive()
                || !TransactionSynchronizationManager.hasResource(dataSource)) {
            // Outside the write's transaction a bump could commit before the write, and another node could
            // then cache the old state under the new stamp.
            throw new IllegalStateException("A policy input is being written outside a database transaction");
        }
        return TransactionSynchronizationManager.getSynchronizations().stream()
                .filter(PendingBumps.class::isInstance).map(PendingBumps.class::cast)
                .filter(pending -> pending.owner == this)
                .findFirst()
                .orElseGet(() -> {
                    PendingBumps pending = new PendingBumps(this);
                    TransactionSynchronizationManager.registerSynchronization(pending);
                    return pending;
                });
    }

    private static final class PendingBumps implements TransactionSynchronization {

        private final PolicyInputWrites owner;
        private final SortedSet<String> keys = new TreeSet<>();

        private PendingBumps(PolicyInputWrites owner) {
            this.owner = owner;
        }

        @Override
        public void beforeCommit(boolean readOnly) {
            owner.stamps.bump(keys);
        }
    }
}
