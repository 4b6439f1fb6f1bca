package uk.sharedcare.record.audit.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The chain check finds every kind of tampering with the ledger's rows, and passes an untouched trail. */
class ChainVerificationTest {

    private final List<LedgerRow> rows = new ArrayList<>();
    private long prunedSequence;
    private String prunedHash = ChainHash.GENESIS;
    private long headSequence;
    private String headHash = ChainHash.GENESIS;

    @Test
    void anUntouchedTrailIsIntact() {
        append(5, ChainHash.Scheme.DIGEST);

        ChainVerification.Result result = verify();

        assertThat(result.intact()).isTrue();
        assertThat(result.checked()).isEqualTo(5);
    }

    @Test
    void aMigratedTrailContinuedInTheLedgerVerifiesEndToEnd() {
        append(3, ChainHash.Scheme.LEGACY);
        append(3, ChainHash.Scheme.DIGEST);

        assertThat(verify().intact()).isTrue();
    }

    @Test
    void anEditedRowIsTheFirstBrokenLink() {
        append(4, ChainHash.Scheme.DIGEST);
        LedgerRow victim = rows.get(2);
        rows.set(2, new LedgerRow(victim.sequence(), victim.written(), victim.scheme(), victim.previousHash(),
                victim.hash(), victim.json().replace("event", "nothing")));

        assertThat(verify().firstBrokenLink()).contains(3L);
    }

    @Test
    void aRowRewrittenWithAFreshHashBreaksTheNextLink() {
        append(4, ChainHash.Scheme.DIGEST);
        LedgerRow victim = rows.get(1);
        String forgedJson = victim.json().replace("event", "forged");
        rows.set(1, new LedgerRow(victim.sequence(), victim.written(), victim.scheme(), victim.previousHash(),
                ChainHash.link(victim.scheme(), victim.previousHash(), forgedJson), forgedJson));

        assertThat(verify().firstBrokenLink()).contains(3L);
    }

    @Test
    void aRemovedRowIsReportedMissing() {
        append(4, ChainHash.Scheme.DIGEST);
        rows.remove(1);

        ChainVerification.Result result = verify();

        assertThat(result.intact()).isFalse();
        assertThat(result.firstBrokenLink()).contains(2L);
        assertThat(result.problem()).hasValueSatisfying(p -> assertThat(p).contains("missing"));
    }

    @Test
    void reorderedRowsAreDetected() {
        append(3, ChainHash.Scheme.DIGEST);
        LedgerRow first = rows.get(0);
        LedgerRow second = rows.get(1);
        rows.set(0, new LedgerRow(1, second.written(), second.scheme(), second.previousHash(), second.hash(),
                second.json()));
        rows.set(1, new LedgerRow(2, first.written(), first.scheme(), first.previousHash(), first.hash(),
                first.json()));

        assertThat(verify().firstBrokenLink()).contains(1L);
    }

    @Test
    void aTruncatedTrailDoesNotReachItsHead() {
        append(4, ChainHash.Scheme.DIGEST);
        rows.remove(3);

        ChainVerification.Result result = verify();

        assertThat(result.intact()).isFalse();
        assertThat(result.firstBrokenLink()).contains(4L);
    }

    @Test
    void aTrailWhoseOldestMonthsWereDroppedVerifiesFromTheHashTheHeadKept() {
        append(6, ChainHash.Scheme.DIGEST);
        prunedSequence = 2;
        prunedHash = rows.get(1).hash();
        rows.subList(0, 2).clear();

        assertThat(verify().intact()).isTrue();
        rows.remove(0);
        assertThat(verify().intact()).isFalse();
    }

    private void append(int count, ChainHash.Scheme scheme) {
        for (int i = 0; i < count; i++) {
            headSequence++;
            String json = "{\"resourceType\":\"AuditEvent\",\"outcomeDesc\":\"event " + headSequence + "\"}";
            String hash = ChainHash.link(scheme, headHash, json);
            rows.add(new LedgerRow(headSequence, Instant.EPOCH, scheme, headHash, hash, json));
            headHash = hash;
        }
    }

    private ChainVerification.Result verify() {
        return new ChainVerification(new ChainVerification.Source() {
            @Override
            public LedgerQueries.ChainState chainState() {
                return new LedgerQueries.ChainState(headSequence, headHash, prunedSequence, prunedHash);
            }

            @Override
            public Optional<String> hashAt(long sequence) {
                return rows.stream().filter(r -> r.sequence() == sequence).map(LedgerRow::hash).findFirst();
            }

            @Override
            public void inOrder(Optional<YearMonth> month, Consumer<LedgerRow> each) {
                List<LedgerRow> sorted = new ArrayList<>(rows);
                sorted.sort((a, b) -> Long.compare(a.sequence(), b.sequence()));
                sorted.forEach(each);
            }
        }).verify(Optional.empty());
    }

}
