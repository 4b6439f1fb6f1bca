package uk.sharedcare.record.export;

import ca.uhn.fhir.batch2.api.IJobMaintenanceService;
import ca.uhn.fhir.batch2.coordinator.WorkChannelMessageListener;
import ca.uhn.fhir.batch2.model.JobWorkNotification;
import ca.uhn.fhir.batch2.model.JobWorkNotificationJsonMessage;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import uk.sharedcare.record.export.ChunkLeases.Claimable;

/**
 * This node's share of the extracts' work chunks (decision 18). batch2 stores the chunks; the extract's
 * notifications are held back ({@link WithheldExtractNotifications}), and every node takes queued chunks from the
 * database as its workers free up, hands each to its own batch2 worker, says every few seconds that it is still at
 * the ones it took, and takes over a chunk, or a run's reducer, whose node has not said so for
 * {@code abandoned-after}. A chunk done twice writes the same parts and the reducer keeps one outcome per chunk,
 * so a dead node costs its own chunks and nothing else.
 */
final class ChunkClaims implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ChunkClaims.class);
    private static final Set<String> ENDED = Set.of("COMPLETED", "FAILED");
    private static final Duration KEEP = Duration.ofDays(7);

    private final ChunkLeases leases;
    private final WorkChannelMessageListener batch2Worker;
    private final IJobMaintenanceService maintenance;
    private final ExtractProperties.Chunks settings;
    private final Clock clock;
    /** This node's name in the leases: its process, and which of the record's servers in that process. */
    private final String node;
    private final ExecutorService workers;
    private final ScheduledExecutorService timers;
    private final AtomicInteger busy = new AtomicInteger();

    ChunkClaims(ChunkLeases leases, WorkChannelMessageListener batch2Worker, IJobMaintenanceService maintenance,
            ExtractProperties.Chunks settings, Clock clock) {
        this.leases = leases;
        this.batch2Worker = batch2Worker;
        this.maintenance = maintenance;
        this.settings = settings;
        this.clock = clock;
        this.node = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID().toString().substring(0, 8);
        AtomicInteger threads = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(settings.workers(),
                work -> daemon(work, "scr-extract-chunk-" + threads.incrementAndGet()));
        this.timers = Executors.newScheduledThreadPool(2, work -> daemon(work, "scr-extract-claims"));
    }

    /**
     * Starts claiming, as the node starts (its batch2 worker exists, so HAPI's tables do, on a first run too),
     * not once it is ready: a node's start-up work can outlast the first runs it could help with.
     */
    void start() {
        long claimMillis = settings.claimEvery().toMillis();
        long heartbeatMillis = settings.heartbeatEvery().toMillis();
        timers.scheduleWithFixedDelay(this::safely, claimMillis, claimMillis, TimeUnit.MILLISECONDS);
        timers.scheduleWithFixedDelay(this::heartbeat, heartbeatMillis, heartbeatMillis, TimeUnit.MILLISECONDS);
        timers.scheduleWithFixedDelay(() -> leases.purgeClaimedBefore(clock.instant().minus(KEEP)), 1, 60,
                TimeUnit.MINUTES);
    }

    /** Takes as many claimable chunks as this node has free workers, and restarts reducers of quiet nodes. */
    synchronized void claim() {
        Instant now = clock.instant();
        Instant quietSince = now.minus(settings.abandonedAfter());
        int free = settings.workers() - busy.get();
        if (free > 0) {
            List<Claimable> claimable = leases.claimable(ExtractJobDefinition.JOB, free, quietSince);
            log.debug("{} free worker(s), {} claimable chunk(s)", free, claimable.size());
            for (Claimable chunk : claimable) {
                if (leases.claim(chunk, node, now, quietSince)) {
                    chunk.heldBy().ifPresent(quiet -> log.warn("Took over extract chunk {} from {}, which has"
                            + " not been heard from since before {}", chunk.chunkId(), quiet, quietSince));
                    busy.incrementAndGet();
                    workers.execute(() -> work(chunk));
                }
            }
        }
        for (String instance : leases.abandonedReducers(ExtractJobDefinition.JOB, quietSince)) {
            if (leases.takeOverReducer(instance, node, now, quietSince)) {
                log.warn("Restarting the reducer of extract run {}: its node has gone quiet", instance);
                maintenance.runMaintenancePass();
            }
        }
    }

    /** The reducer of a run starts, or goes on, on this node. */
    void reducing(String instanceId) {
        leases.holdReducer(instanceId, node, clock.instant());
    }

    void reduced(String instanceId) {
        leases.reducerFinished(instanceId, node, clock.instant());
    }

    private void work(Claimable chunk) {
        boolean ended;
        try {
            batch2Worker.handleMessage(new JobWorkNotificationJsonMessage(new JobWorkNotification(
                    ExtractJobDefinition.JOB, chunk.definitionVersion(), chunk.instanceId(), chunk.stepId(),
                    chunk.chunkId())));
        } catch (RuntimeException failure) {
            log.warn("Extract chunk {} failed on this node; it is handed back to be tried again", chunk.chunkId(),
                    failure);
        } finally {
            ended = leases.chunkStatus(chunk.chunkId()).map(ENDED::contains).orElse(true);
            if (ended) {
                leases.finished(chunk.chunkId(), node, clock.instant());
            } else {
                leases.release(chunk.chunkId(), node); // taken again at a later claim, by any node
            }
            busy.decrementAndGet();
        }
        if (ended) {
            safely(); // straight on to the next chunk; a failed one waits for the next claim
        }
    }

    private void heartbeat() {
        try {
            leases.heartbeat(node, clock.instant());
        } catch (RuntimeException failure) {
            log.warn("Could not renew this node's extract chunk leases", failure);
        }
    }

    private void safely() {
        try {
            claim();
        } catch (RuntimeException failure) {
            log.warn("Could not claim extract chunks", failure);
        }
    }

    /** Hands back what this node holds, so other nodes redo it now rather than after abandoned-after. */
    @Override
    public void close() {
        timers.shutdownNow();
        workers.shutdownNow();
        try {
            leases.releaseAll(node);
        } catch (RuntimeException databaseGone) {
            log.info("Could not hand back this node's extract chunks; other nodes take them once they go quiet");
        }
    }

    private static Thread daemon(Runnable work, String name) {
        Thread thread = new Thread(work, name);
        thread.setDaemon(true);
        return thread;
    }
}
