package uk.sharedcare.record.outbox;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Runs an outbox's delivery on a thread of its own as soon as the transaction that owes something has committed,
 * rather than at the next scheduled sweep. Nudges that come while one is still waiting to run are one nudge; a nudge
 * while a delivery runs starts another after it, so nothing written meanwhile waits for the sweep. The sweep stays
 * the guarantee: a nudge lost with its node is the sweep's, on this node or another.
 */
public final class DeliveryNudge implements AutoCloseable {

    private final Runnable delivery;
    private final AtomicBoolean waiting = new AtomicBoolean();
    private final ExecutorService thread;

    public DeliveryNudge(String threadName, Runnable delivery) {
        this.delivery = delivery;
        this.thread = Executors.newSingleThreadExecutor(runnable -> {
            Thread named = new Thread(runnable, threadName);
            named.setDaemon(true);
            return named;
        });
    }

    /** Delivers once the current transaction commits (at once when there is none: what it wrote is committed). */
    public void afterCommit() {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            now();
            return;
        }
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                now();
            }
        });
    }

    /** Delivers soon on this node's delivery thread. */
    public void now() {
        if (waiting.compareAndSet(false, true)) {
            thread.submit(() -> {
                waiting.set(false);
                delivery.run();
            });
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
