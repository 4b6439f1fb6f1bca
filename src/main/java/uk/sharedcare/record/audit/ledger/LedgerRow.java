package uk.sharedcare.record.audit.ledger;

import java.time.Instant;

/**
 * One stored row of the ledger, as read back.
 *
 * @param written when the appender wrote it (never earlier than the row before: it picks the month partition)
 */
public record LedgerRow(long sequence, Instant written, ChainHash.Scheme scheme, String previousHash, String hash,
        String json) {

    /** Whether the row's hash is what its content and the given previous hash make. */
    public boolean linksTo(String expectedPrevious) {
        return previousHash.equals(expectedPrevious) && hash.equals(ChainHash.link(scheme, previousHash, json));
    }
}
