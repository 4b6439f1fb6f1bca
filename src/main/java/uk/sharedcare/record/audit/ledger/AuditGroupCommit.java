package uk.sharedcare.record.audit.ledger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for the audit trail. Every append must take the chain head's row lock, so appends are serialised;
 * one at a time, each paying for its own lock hand-over and commit, they capped the whole server at the rate one
 * transaction can store one event. Here the requests that arrive while a batch is being written wait together and
 * are written in the next batch: one transaction, one lock, one commit for all of them. Each caller still waits
 * until its own event has committed, so nothing is answered before it is on the record. If a batch fails, its
 * events are retried one by one, so one event that cannot be stored does not take the others with it.
 */
final class AuditGroupCommit<T> implements AutoCloseable {

    static final int MAX_BATCH = 64;
    private static final Logger log = LoggerFactory.getLogger(AuditGroupCommit.class);

    /**
     * One event waiting to be written (with whatever must be stored with it), and its caller's answer. The writer
     * claims it once nothing can hold up its storing (it holds the chain lock, or is about to take it without
     * waiting), and a caller that has stopped waiting abandons it: whichever comes first decides, so an event is
     * either stored or reported unrecorded (and spilled), never both. A writer that finds it cannot store the event
     * without waiting after all releases it again, for its caller to abandon or itself to claim later.
     */
    record Pending<T>(T item, CompletableFuture<Long> stored, AtomicReference<State> state) {

        enum State { WAITING, CLAIMED, ABANDONED }

        Pending(T item) {
            this(item, new CompletableFuture<>(), new AtomicReference<>(State.WAITING));
        }

        /** The writer's turn: false if the caller has already given up on this event. */
        boolean claim() {
            return state.compareAndSet(State.WAITING, State.CLAIMED) || state.get() == State.CLAIMED;
        }

        /** The writer will not store the event yet: its caller may abandon it again. */
        void release() {
            state.compareAndSet(State.CLAIMED, State.WAITING);
        }

        /** The caller's turn: false if the writer is already storing the event. */
        boolean abandon() {
            return state.compareAndSet(State.WAITING, State.ABANDONED);
        }
    }

    private final BlockingQueue<Pending<T>> queue = new LinkedBlockingQueue<>();
    private final Function<List<Pending<T>>, List<Long>> writeBatch;
    private final Duration patience;
    private final Thread writer;
    private volatile boolean open = true;

    /**
     * @param writeBatch stores a batch in one transaction, in order, each event it can {@link Pending#claim()},
     *                   returning the events' sequence numbers (null for one not claimed); throws, storing nothing
     * @param patience   how long a caller waits for its event to be stored before it is told the trail is unavailable
     */
    AuditGroupCommit(Function<List<Pending<T>>, List<Long>> writeBatch, Duration patience) {
        this.writeBatch = writeBatch;
        this.patience = patience;
        this.writer = new Thread(this::writeUntilClosed, "audit-group-commit");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    /** Waits until the item has committed; returns its sequence number. */
    long append(T item) {
        if (!open) {
            throw new IllegalStateException("The audit trail is shutting down");
        }
        Pending<T> pending = new Pending<>(item);
        queue.add(pending);
        try {
            for (int wait = 1; ; wait++) {
                try {
                    return pending.stored().get(patience.toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException slow) {
                    if (pending.abandon()) {
                        throw new IllegalStateException("The audit trail did not store the event within "
                                + patience, slow);
                    }
                    if (wait == 2) {
                        throw new IllegalStateException("The audit trail did not commit the event within "
                                + patience, slow);
                    }
                    // the writer is storing it: its commit decides
                }
            }
        } catch (ExecutionException failed) {
            throw failed.getCause() instanceof RuntimeException runtime ? runtime
                    : new IllegalStateException("Could not store the audit event", failed.getCause());
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while the audit event was being stored", interrupted);
        }
    }

    private void writeUntilClosed() {
        ReservedAuditConnections.reserveForThisThread();
        while (open || !queue.isEmpty()) {
            try {
                Pending<T> first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                List<Pending<T>> batch = new ArrayList<>(List.of(first));
                queue.drainTo(batch, MAX_BATCH - 1);
                write(batch);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | Error unexpected) {
                log.error("The audit writer failed unexpectedly; it carries on with the next batch", unexpected);
            }
        }
    }

    private void write(List<Pending<T>> batch) {
        try {
            complete(batch, writeBatch.apply(batch));
        } catch (RuntimeException batchFailed) {
            if (batch.size() == 1) {
                batch.get(0).stored().completeExceptionally(batchFailed);
                return;
            }
            for (Pending<T> alone : batch) {
                try {
                    complete(List.of(alone), writeBatch.apply(List.of(alone)));
                } catch (RuntimeException failed) {
                    alone.stored().completeExceptionally(failed);
                }
            }
        }
    }

    /** {@code ids} is in batch order, with null for an event its caller abandoned, which was not stored. */
    private static <T> void complete(List<Pending<T>> batch, List<Long> ids) {
        for (int i = 0; i < batch.size(); i++) {
            if (ids.get(i) != null) {
                batch.get(i).stored().complete(ids.get(i));
            }
        }
    }

    /** Writes what is already queued, then stops. */
    @Override
    public void close() {
        open = false;
        try {
            writer.join(patience.toMillis());
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
        Pending<T> left;
        while ((left = queue.poll()) != null) {
            left.stored().completeExceptionally(new IllegalStateException("The audit trail shut down"));
        }
    }
}
