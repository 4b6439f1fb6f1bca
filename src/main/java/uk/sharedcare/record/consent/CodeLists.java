package uk.sharedcare.record.consent;

import java.util.HashSet;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The code lists the policy recognises data by: codes that make data sensitive (by the label they earn), codes
 * and patient labels that put a patient in an exempt cohort, and GP dissent codes with their withdrawals.
 */
public record CodeLists(
        Map<String, Set<Code>> sensitiveByLabel,
        Map<String, Set<Code>> exemptCohorts,
        Map<String, Set<String>> exemptCohortLabels,
        Map<DissentCode, Set<Code>> gpDissent) {

    /** What a GP dissent code records. */
    public enum DissentCode {
        TYPE_1(GpDissent.Type.TYPE_1, false),
        TYPE_1_WITHDRAWN(GpDissent.Type.TYPE_1, true),
        TYPE_2(GpDissent.Type.TYPE_2, false),
        TYPE_2_WITHDRAWN(GpDissent.Type.TYPE_2, true);

        private final GpDissent.Type type;
        private final boolean withdrawal;

        DissentCode(GpDissent.Type type, boolean withdrawal) {
            this.type = type;
            this.withdrawal = withdrawal;
        }

        public GpDissent.Type type() {
            return type;
        }

        public boolean isWithdrawal() {
            return withdrawal;
        }
    }

    public CodeLists {
        sensitiveByLabel = Map.copyOf(sensitiveByLabel);
        exemptCohorts = Map.copyOf(exemptCohorts);
        exemptCohortLabels = Map.copyOf(exemptCohortLabels);
        gpDissent = Map.copyOf(gpDissent);
    }

    /** The sensitivity labels that any of these codes earns, in a stable order. */
    public Set<String> sensitiveLabelsFor(Collection<Code> codes) {
        return matching(sensitiveByLabel, codes);
    }

    /** The exempt cohorts that any of these codes puts a patient in. */
    public Set<String> cohortsFor(Collection<Code> codes) {
        return matching(exemptCohorts, codes);
    }

    /** The exempt cohorts that any of these patient security labels puts a patient in. */
    public Set<String> cohortsForLabels(Collection<String> labels) {
        Set<String> cohorts = new TreeSet<>();
        exemptCohortLabels.forEach((cohort, cohortLabels) -> {
            if (labels.stream().anyMatch(cohortLabels::contains)) {
                cohorts.add(cohort);
            }
        });
        return cohorts;
    }

    public Optional<DissentCode> dissentCode(Collection<Code> codes) {
        return gpDissent.entrySet().stream()
                .filter(entry -> codes.stream().anyMatch(entry.getValue()::contains))
                .map(Map.Entry::getKey)
                .findFirst();
    }

    /** Every GP dissent and withdrawal code, for searching a patient's record. */
    public Set<Code> allDissentCodes() {
        Set<Code> all = new HashSet<>();
        gpDissent.values().forEach(all::addAll);
        return all;
    }

    public Set<Code> allCohortCodes() {
        Set<Code> all = new HashSet<>();
        exemptCohorts.values().forEach(all::addAll);
        return all;
    }

    private static <K extends Comparable<K>> Set<K> matching(Map<K, Set<Code>> lists, Collection<Code> codes) {
        Set<K> found = new TreeSet<>();
        lists.forEach((key, list) -> {
            if (codes.stream().anyMatch(list::contains)) {
                found.add(key);
            }
        });
        return found;
    }
}
