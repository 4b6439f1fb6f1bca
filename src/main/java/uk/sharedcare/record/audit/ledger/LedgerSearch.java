package uk.sharedcare.record.audit.ledger;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import uk.sharedcare.record.audit.ledger.LedgerEntry.LedgerReference;

/**
 * One page of a search of the ledger: every criterion must hold (a list of values holds when any one does), in
 * sequence order, after the keyset cursor.
 *
 * @param references   for each criterion, the references any one of which the event must have
 * @param recordedFrom events recorded at or after (inclusive)
 * @param recordedTo   events recorded before (exclusive)
 * @param after        the keyset cursor: the last sequence number already seen
 * @param newestFirst  descending sequence order
 * @param limit        at most this many rows
 */
public record LedgerSearch(List<List<LedgerReference>> references, Optional<Instant> recordedFrom,
        Optional<Instant> recordedTo, List<String> types, List<String> subtypes, List<String> actions,
        List<String> outcomes, List<String> purposes, Optional<Long> after, boolean newestFirst, int limit) {

    public LedgerSearch {
        references = references.stream().map(List::copyOf).toList();
        types = List.copyOf(types);
        subtypes = List.copyOf(subtypes);
        actions = List.copyOf(actions);
        outcomes = List.copyOf(outcomes);
        purposes = List.copyOf(purposes);
    }

    public LedgerSearch from(long cursor, int pageLimit) {
        return new LedgerSearch(references, recordedFrom, recordedTo, types, subtypes, actions, outcomes, purposes,
                Optional.of(cursor), newestFirst, pageLimit);
    }
}
