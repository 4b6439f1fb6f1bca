package uk.sharedcare.record.audit;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.AuditEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditSpillTest {

    private static final FhirContext FHIR = FhirContext.forR4Cached();
    private static final Clock NOW = Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path directory;

    /** Records what reaches the trail; slow enough that two servers replaying together overlap. */
    private static final class RecordingTrail implements AuditSink {
        final Queue<String> appended = new ConcurrentLinkedQueue<>();

        @Override
        public String append(AuditEvent event) {
            appended.add(event.getOutcomeDesc());
            try {
                Thread.sleep(5);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            return "AuditEvent/" + appended.size();
        }
    }

    @Test
    void twoServersReplayingOneSpillDirectoryPutEachKeptAccessOnTheTrailOnce() throws Exception {
        RecordingTrail trail = new RecordingTrail();
        AuditSpill first = new AuditSpill(directory, FHIR, trail, NOW);
        AuditSpill second = new AuditSpill(directory, FHIR, trail, NOW);
        List<String> kept = IntStream.range(0, 40).mapToObj(i -> "unrecorded access " + i).toList();
        kept.forEach(description -> first.keep(new AuditEvent().setOutcomeDesc(description)));

        CyclicBarrier together = new CyclicBarrier(2);
        ExecutorService servers = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> replays = Stream.of(first, second).<Future<?>>map(spill -> servers.submit(() -> {
                together.await();
                spill.replay();
                return null;
            })).toList();
            for (Future<?> replay : replays) {
                replay.get();
            }
        } finally {
            servers.shutdownNow();
        }

        assertThat(trail.appended).containsExactlyInAnyOrderElementsOf(kept);
        assertThat(directory).isEmptyDirectory();
    }

    @Test
    void aKeptAccessTheTrailWillNotTakeYetStaysKeptForTheNextReplay() {
        AuditSink unavailable = event -> {
            throw new IllegalStateException("the trail is unavailable");
        };
        new AuditSpill(directory, FHIR, unavailable, NOW).keep(new AuditEvent().setOutcomeDesc("refused, unrecorded"));

        new AuditSpill(directory, FHIR, unavailable, NOW).replay();
        RecordingTrail trail = new RecordingTrail();
        new AuditSpill(directory, FHIR, trail, NOW).replay();

        assertThat(trail.appended).containsExactly("refused, unrecorded");
        assertThat(directory).isEmptyDirectory();
    }

    @Test
    void aClaimLeftByAServerThatStoppedMidReplayIsGivenBackAndRecorded() throws Exception {
        RecordingTrail trail = new RecordingTrail();
        new AuditSpill(directory, FHIR, trail, NOW).keep(new AuditEvent().setOutcomeDesc("claimed, never appended"));
        Path kept;
        try (Stream<Path> files = Files.list(directory)) {
            kept = files.findFirst().orElseThrow();
        }
        String event = kept.getFileName().toString().replace(".json", "");
        long stoppedAt = NOW.millis() - AuditSpill.STALE_CLAIM.toMillis() - 1;
        Files.move(kept, kept.resolveSibling(event + ".replaying-" + stoppedAt));

        new AuditSpill(directory, FHIR, trail, NOW).replay();

        assertThat(trail.appended).containsExactly("claimed, never appended");
    }

    @Test
    void aClaimStillWithinItsTimeIsLeftToTheServerHoldingIt() throws Exception {
        RecordingTrail trail = new RecordingTrail();
        new AuditSpill(directory, FHIR, trail, NOW).keep(new AuditEvent().setOutcomeDesc("being replayed elsewhere"));
        Path kept;
        try (Stream<Path> files = Files.list(directory)) {
            kept = files.findFirst().orElseThrow();
        }
        String event = kept.getFileName().toString().replace(".json", "");
        Files.move(kept, kept.resolveSibling(event + ".replaying-" + NOW.millis()));

        new AuditSpill(directory, FHIR, trail, NOW).replay();

        assertThat(trail.appended).isEmpty();
    }
}
