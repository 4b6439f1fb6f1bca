package uk.sharedcare.record.audit.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Appends that arrive together are committed together, and each caller still learns the fate of its own event. */
class AuditGroupCommitTest {

    private final List<List<String>> batches = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger nextId = new AtomicInteger();
    private final ExecutorService callers = Executors.newFixedThreadPool(16);
    private AuditGroupCommit<String> groupCommit;

    @AfterEach
    void stop() {
        callers.shutdownNow();
        if (groupCommit != null) {
            groupCommit.close();
        }
    }

    @Test
    void appendsArrivingTogetherShareOneBatchAndEachGetsItsOwnId() throws Exception {
        CountDownLatch firstBatchStarted = new CountDownLatch(1);
        CountDownLatch othersQueued = new CountDownLatch(1);
        groupCommit = new AuditGroupCommit<String>(batch -> {
            firstBatchStarted.countDown();
            await(othersQueued);
            return store(batch);
        }, Duration.ofSeconds(10));

        Future<Long> first = callers.submit(() -> groupCommit.append("first"));
        firstBatchStarted.await();
        List<Future<Long>> others = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String name = "other-" + i;
            others.add(callers.submit(() -> groupCommit.append(name)));
        }
        Thread.sleep(200); // let all ten reach the queue while the first batch is being written
        othersQueued.countDown();

        List<Long> ids = new ArrayList<>(List.of(first.get()));
        for (Future<Long> other : others) {
            ids.add(other.get());
        }
        assertThat(ids).doesNotHaveDuplicates().hasSize(11);
        assertThat(batches).hasSize(2);
        assertThat(batches.get(0)).containsExactly("first");
        assertThat(batches.get(1)).hasSize(10);
    }

    @Test
    void anEventThatCannotBeStoredFailsAloneAndTheRestOfItsBatchIsStored() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        groupCommit = new AuditGroupCommit<String>(batch -> {
            await(release);
            if (batch.stream().anyMatch(p -> "poison".equals(p.item()))) {
                throw new IllegalStateException("cannot store the poison event");
            }
            return store(batch);
        }, Duration.ofSeconds(10));

        Future<Long> blocker = callers.submit(() -> groupCommit.append("blocker"));
        Thread.sleep(100);
        Future<Long> good = callers.submit(() -> groupCommit.append("good"));
        Future<Long> poison = callers.submit(() -> groupCommit.append("poison"));
        Thread.sleep(200);
        release.countDown();

        assertThat(blocker.get()).isPositive();
        assertThat(good.get()).isPositive();
        assertThatThrownBy(poison::get).hasRootCauseMessage("cannot store the poison event");
        assertThat(batches).flatExtracting(b -> b).containsExactlyInAnyOrder("blocker", "good");
    }

    @Test
    void callerIsNotAnsweredUntilItsEventIsStored() {
        groupCommit = new AuditGroupCommit<String>(batch -> {
            throw new IllegalStateException("database unavailable");
        }, Duration.ofSeconds(10));

        assertThatThrownBy(() -> groupCommit.append("lost"))
                .hasMessage("database unavailable");
    }

    @Test
    void callerGivesUpWhenTheTrailIsTooSlowRatherThanAnswerUnrecorded() {
        groupCommit = new AuditGroupCommit<String>(batch -> {
            await(new CountDownLatch(1));
            return store(batch);
        }, Duration.ofMillis(300));

        assertThatThrownBy(() -> groupCommit.append("slow"))
                .hasMessageContaining("did not store the event");
    }

    @Test
    void anEventWhoseCallerGaveUpBeforeTheWriterClaimedItIsNeverStored() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        groupCommit = new AuditGroupCommit<String>(batch -> {
            await(release); // the chain lock is held elsewhere
            return store(batch);
        }, Duration.ofMillis(300));

        assertThatThrownBy(() -> groupCommit.append("abandoned"))
                .hasMessageContaining("did not store the event");
        release.countDown();
        long later = groupCommit.append("later");

        assertThat(later).isPositive();
        assertThat(batches).flatExtracting(b -> b).containsExactly("later");
    }

    @Test
    void aCallerWhoseEventTheWriterHasClaimedWaitsForItsCommit() throws Exception {
        CountDownLatch claimed = new CountDownLatch(1);
        groupCommit = new AuditGroupCommit<String>(batch -> {
            batch.forEach(AuditGroupCommit.Pending::claim);
            claimed.countDown();
            sleep(500); // committing takes longer than the caller's patience
            return store(batch);
        }, Duration.ofMillis(300));

        long id = groupCommit.append("slow commit");

        assertThat(id).isPositive();
        assertThat(batches).flatExtracting(b -> b).containsExactly("slow commit");
    }

    @Test
    void anEventTheWriterClaimedAndLetGoBeforeWaitingForTheLockCanStillBeGivenUpAndIsNeverStored() {
        CountDownLatch release = new CountDownLatch(1);
        groupCommit = new AuditGroupCommit<String>(batch -> {
            batch.forEach(AuditGroupCommit.Pending::claim); // its try without waiting finds the head locked
            sleep(400); // longer than the caller's patience: the caller cannot give up meanwhile
            batch.forEach(AuditGroupCommit.Pending::release);
            await(release); // waiting for the lock, held elsewhere
            return store(batch);
        }, Duration.ofMillis(300));

        assertThatThrownBy(() -> groupCommit.append("let go"))
                .hasMessageContaining("did not store the event");
        release.countDown();
        groupCommit.append("later");

        assertThat(batches).flatExtracting(b -> b).containsExactly("later");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private List<Long> store(List<AuditGroupCommit.Pending<String>> batch) {
        List<AuditGroupCommit.Pending<String>> claimed = batch.stream().filter(AuditGroupCommit.Pending::claim).toList();
        batches.add(claimed.stream().map(AuditGroupCommit.Pending::item).toList());
        List<Long> ids = new ArrayList<>();
        batch.forEach(p -> ids.add(claimed.contains(p) ? (long) nextId.incrementAndGet() : null));
        return ids;
    }


    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
