package uk.sharedcare.record.patientstate;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;
import uk.sharedcare.record.consent.PatientState;

/**
 * This node's copy of patients' policy states, each kept with the stamp it was loaded under. A state is used only
 * while its stamp is still the current one, which one query finds out for all the patients a request needs; a
 * change on any node bumps the stamp in its transaction, so the next request anywhere loads the state again.
 */
public final class PatientStateCache {

    private record Entry(Stamp stamp, PatientState state) {}

    private final StateStamps stamps;
    private final BiFunction<String, Stamp, PatientState> loader;
    private final Cache<String, Entry> entries;

    /** @param loader loads a patient's state as stored now, given the stamp it will be kept under */
    public PatientStateCache(StateStamps stamps, BiFunction<String, Stamp, PatientState> loader, long maximumSize) {
        this.stamps = stamps;
        this.loader = loader;
        this.entries = Caffeine.newBuilder().maximumSize(maximumSize).build();
    }

    /** The current states of these patients ({@code Patient/<id>}): kept ones still current, the rest loaded. */
    public Map<String, PatientState> current(Collection<String> patientIds) {
        // Stamps first: a change committed while a state loads leaves it under the older stamp, so it is stale
        // at the next request instead of passing for current.
        Map<String, Stamp> now = stamps.read(patientIds);
        Map<String, PatientState> states = new LinkedHashMap<>();
        for (String patientId : patientIds) {
            Stamp stamp = now.get(patientId);
            Entry kept = entries.getIfPresent(patientId);
            if (kept != null && kept.stamp().equals(stamp)) {
                states.put(patientId, kept.state());
            } else {
                Entry loaded = new Entry(stamp, loader.apply(patientId, stamp));
                entries.asMap().merge(patientId, loaded,
                        (old, fresh) -> old.stamp().isLaterThan(fresh.stamp()) ? old : fresh);
                states.put(patientId, loaded.state());
            }
        }
        return states;
    }
}
