package uk.sharedcare.record.audit;

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
import org.hl7.fhir.r4.model.AuditEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Appends that arrive together are committed together, and each caller still learns the fate of its own event. */
class AuditGroupCommitTest {

    private final List<List<String>> batches = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger nextId = new AtomicInteger();
    private final ExecutorService callers = Executors.newFixedThreadPool(16);
    private AuditGroupCommit groupCommit;

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
        groupCommit = new AuditGroupCommit(batch -> {
            firstBatchStarted.countDown();
            await(othersQueued);
            return store(batch);
        }, Duration.ofSeconds(10));

        Future<String> first = callers.submit(() -> groupCommit.append(event("first"), id -> { }));
        firstBatchStarted.await();
        List<Future<String>> others = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String name = "other-" + i;
            others.add(callers.submit(() -> groupCommit.append(event(name), id -> { })));
        }
        Thread.sleep(200); // let all ten reach the queue while the first batch is being written
        othersQueued.countDown();

        List<String> ids = new ArrayList<>(List.of(first.get()));
        for (Future<String> other : others) {
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
        groupCommit = new AuditGroupCommit(batch -> {
            await(release);
            if (batch.stream().anyMatch(p -> "poison".equals(p.event().getOutcomeDesc()))) {
                throw new IllegalStateException("cannot store the poison event");
            }
            return store(batch);
        }, Duration.ofSeconds(10));

        Future<String> blocker = callers.submit(() -> groupCommit.append(event("blocker"), id -> { }));
        Thread.sleep(100);
        Future<String> good = callers.submit(() -> groupCommit.append(event("good"), id -> { }));
        Future<String> poison = callers.submit(() -> groupCommit.append(event("poison"), id -> { }));
        Thread.sleep(200);
        release.countDown();

        assertThat(blocker.get()).isNotBlank();
        assertThat(good.get()).isNotBlank();
        assertThatThrownBy(poison::get).hasRootCauseMessage("cannot store the poison event");
        assertThat(batches).flatExtracting(b -> b).containsExactlyInAnyOrder("blocker", "good");
    }

    @Test
    void callerIsNotAnsweredUntilItsEventIsStored() {
        groupCommit = new AuditGroupCommit(batch -> {
            throw new IllegalStateException("database unavailable");
        }, Duration.ofSeconds(10));

        assertThatThrownBy(() -> groupCommit.append(event("lost"), id -> { }))
                .hasMessage("database unavailable");
    }

    @Test
    void callerGivesUpWhenTheTrailIsTooSlowRatherThanAnswerUnrecorded() {
        groupCommit = new AuditGroupCommit(batch -> {
            await(new CountDownLatch(1));
            return store(batch);
        }, Duration.ofMillis(300));

        assertThatThrownBy(() -> groupCommit.append(event("slow"), id -> { }))
                .hasMessageContaining("did not store the event");
    }

    @Test
    void anEventWhoseCallerGaveUpBeforeTheWriterClaimedItIsNeverStored() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        groupCommit = new AuditGroupCommit(batch -> {
            await(release); // the chain lock is held elsewhere
            return store(batch);
        }, Duration.ofMillis(300));

        assertThatThrownBy(() -> groupCommit.append(event("abandoned"), id -> { }))
                .hasMessageContaining("did not store the event");
        release.countDown();
        String later = groupCommit.append(event("later"), id -> { });

        assertThat(later).isNotBlank();
        assertThat(batches).flatExtracting(b -> b).containsExactly("later");
    }

    @Test
    void aCallerWhoseEventTheWriterHasClaimedWaitsForItsCommit() throws Exception {
        CountDownLatch claimed = new CountDownLatch(1);
        groupCommit = new AuditGroupCommit(batch -> {
            batch.forEach(AuditGroupCommit.Pending::claim);
            claimed.countDown();
            sleep(500); // committing takes longer than the caller's patience
            return store(batch);
        }, Duration.ofMillis(300));

        String id = groupCommit.append(event("slow commit"), ignored -> { });

        assertThat(id).isNotBlank();
        assertThat(batches).flatExtracting(b -> b).containsExactly("slow commit");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private List<String> store(List<AuditGroupCommit.Pending> batch) {
        List<AuditGroupCommit.Pending> claimed = batch.stream().filter(AuditGroupCommit.Pending::claim).toList();
        batches.add(claimed.stream().map(p -> p.event().getOutcomeDesc()).toList());
        List<String> ids = new ArrayList<>();
        batch.forEach(p -> {
            if (!claimed.contains(p)) {
                ids.add(null);
                return;
            }
            String id = "AuditEvent/" + nextId.incrementAndGet();
            p.alsoRecord().accept(id);
            ids.add(id);
        });
        return ids;
    }

    private static AuditEvent event(String name) {
        return new AuditEvent().setOutcomeDesc(name);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
