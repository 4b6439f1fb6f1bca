package uk.sharedcare.record.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/** The nudge that starts an outbox's delivery once what it owes has committed, and not before. */
class DeliveryNudgeTest {

    @Test
    void aDeliveryOwedInATransactionStartsOnlyOnceTheTransactionHasCommitted() throws Exception {
        CountDownLatch delivered = new CountDownLatch(1);
        try (DeliveryNudge nudge = new DeliveryNudge("test-delivery", delivered::countDown)) {
            TransactionSynchronizationManager.initSynchronization();
            try {
                nudge.afterCommit();
                assertThat(delivered.await(300, TimeUnit.MILLISECONDS)).as("not before the commit").isFalse();
                TransactionSynchronizationManager.getSynchronizations()
                        .forEach(TransactionSynchronization::afterCommit);
            } finally {
                TransactionSynchronizationManager.clearSynchronization();
            }
            assertThat(delivered.await(5, TimeUnit.SECONDS)).as("after the commit").isTrue();
        }
    }

    @Test
    void aRolledBackTransactionStartsNoDelivery() throws Exception {
        CountDownLatch delivered = new CountDownLatch(1);
        try (DeliveryNudge nudge = new DeliveryNudge("test-delivery", delivered::countDown)) {
            TransactionSynchronizationManager.initSynchronization();
            try {
                nudge.afterCommit();
                TransactionSynchronizationManager.getSynchronizations().forEach(synchronization ->
                        synchronization.afterCompletion(TransactionSynchronization.STATUS_ROLLED_BACK));
            } finally {
                TransactionSynchronizationManager.clearSynchronization();
            }
            assertThat(delivered.await(300, TimeUnit.MILLISECONDS)).isFalse();
        }
    }

    @Test
    void nudgesWhileOneWaitsAreOneAndANudgeDuringADeliveryStartsAnotherAfterIt() throws Exception {
        Semaphore running = new Semaphore(0);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger deliveries = new AtomicInteger();
        try (DeliveryNudge nudge = new DeliveryNudge("test-delivery", () -> {
            deliveries.incrementAndGet();
            running.release();
            try {
                release.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        })) {
            nudge.now();
            assertThat(running.tryAcquire(5, TimeUnit.SECONDS)).as("the first delivery runs").isTrue();
            nudge.now();
            nudge.now();
            nudge.now();
            release.countDown();
            assertThat(running.tryAcquire(5, TimeUnit.SECONDS)).as("one more after it").isTrue();
            assertThat(running.tryAcquire(500, TimeUnit.MILLISECONDS)).as("and only one").isFalse();
            assertThat(deliveries).hasValue(2);
        }
    }
}
