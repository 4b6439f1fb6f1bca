package uk.sharedcare.record.audit.ledger;

import java.time.YearMonth;
import java.util.Optional;

/**
 * Checks the ledger's chain in sequence order, one row at a time, in bounded memory: every row must follow the one
 * before it (no gap), link to its hash, and hash to what its content makes; the whole trail must end at the chain
 * head. A month is checked from the last row before it. The trail kept after a retention drop starts from the hash
 * the head recorded for the last row dropped.
 */
public final class ChainVerification {

    /** What the check reads: the head, one row's hash, and every row in order. */
    public interface Source {
        LedgerQueries.ChainState chainState();

        Optional<String> hashAt(long sequence);

        void inOrder(Optional<YearMonth> month, java.util.function.Consumer<LedgerRow> each);
    }

    private final Source ledger;

    public ChainVerification(Source ledger) {
        this.ledger = ledger;
    }

    /**
     * @param firstBrokenLink the sequence number of the first row that does not link, or is missing
     * @param problem         what is wrong, in plain words
     */
    public record Result(boolean intact, long checked, Optional<Long> firstSequence, Optional<Long> lastSequence,
            Optional<Long> firstBrokenLink, Optional<String> problem) {}

    public Result verify(Optional<YearMonth> month) {
        LedgerQueries.ChainState head = ledger.chainState();
        Walk walk = new Walk();
        ledger.inOrder(month, row -> walk.step(row, head));
        if (walk.broken == null && month.isEmpty() && walk.checked > 0
                && (walk.lastSequence != head.sequence() || !walk.expectedPrevious.equals(head.hash()))) {
            walk.broken = walk.lastSequence + 1;
            walk.problem = "the trail ends at event " + walk.lastSequence + " but its head says " + head.sequence();
        }
        if (walk.broken == null && month.isEmpty() && walk.checked == 0 && head.sequence() > head.prunedSequence()) {
            walk.broken = head.prunedSequence() + 1;
            walk.problem = "the head says " + head.sequence() + " events were written but none is kept";
        }
        return new Result(walk.broken == null, walk.checked, Optional.ofNullable(walk.firstSequence),
                Optional.ofNullable(walk.checked == 0 ? null : walk.lastSequence), Optional.ofNullable(walk.broken),
                Optional.ofNullable(walk.problem));
    }

    private final class Walk {
        long checked;
        Long firstSequence;
        long lastSequence;
        String expectedPrevious;
        Long broken;
        String problem;

        void step(LedgerRow row, LedgerQueries.ChainState head) {
            if (broken != null) {
                return;
            }
            if (firstSequence == null) {
                firstSequence = row.sequence();
                lastSequence = row.sequence() - 1;
                expectedPrevious = previousOf(row.sequence(), head);
                if (expectedPrevious == null) {
                    broken = row.sequence() - 1;
                    problem = "event " + (row.sequence() - 1) + ", before the first checked, is missing";
                    return;
                }
            }
            checked++;
            if (row.sequence() != lastSequence + 1) {
                broken = lastSequence + 1;
                problem = "event " + (lastSequence + 1) + " is missing";
            } else if (!row.linksTo(expectedPrevious)) {
                broken = row.sequence();
                problem = "event " + row.sequence() + " does not hash to its stored link";
            }
            lastSequence = row.sequence();
            expectedPrevious = row.hash();
        }
    }

    /** The hash the row at {@code sequence} must link to; null if that row should be kept and is not. */
    private String previousOf(long sequence, LedgerQueries.ChainState head) {
        if (sequence == 1) {
            return ChainHash.GENESIS;
        }
        if (sequence - 1 == head.prunedSequence()) {
            return head.prunedHash();
        }
        return ledger.hashAt(sequence - 1).orElse(null);
    }
}
