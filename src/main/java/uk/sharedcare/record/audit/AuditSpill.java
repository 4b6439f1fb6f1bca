package uk.sharedcare.record.audit;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.DataFormatException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.AuditEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * Where an access goes when the trail cannot take it: the client is answered 503 with no data, and the event that
 * says so is written to a local file, forced to disk, and put on the trail once the trail takes events again, so
 * that no attempt goes unrecorded. One file an event, named so that they replay in the order they were kept.
 *
 * <p>More than one server may replay the same directory (nodes sharing a volume, or several servers in one JVM), so
 * each file is claimed by an atomic rename before it is put on the trail: only the server whose rename succeeds
 * appends it. A claim left by a server that stopped mid-replay is given back after {@link #STALE_CLAIM}, so the
 * event is recorded at least once even then.
 */
final class AuditSpill {

    private static final Logger log = LoggerFactory.getLogger(AuditSpill.class);
    private static final String SUFFIX = ".json";
    private static final String CLAIMED = ".replaying-";
    static final Duration STALE_CLAIM = Duration.ofMinutes(10);

    private final Path directory;
    private final FhirContext fhir;
    private final AuditSink trail;
    private final Clock clock;

    AuditSpill(Path directory, FhirContext fhir, AuditSink trail, Clock clock) {
        this.directory = directory;
        this.fhir = fhir;
        this.trail = trail;
        this.clock = clock;
    }

    /**
     * Keeps the event on local disk. If even that fails the 503 its caller answers stands, and the log is the only
     * record left, so it says so.
     */
    void keep(AuditEvent event) {
        try {
            write(event);
        } catch (RuntimeException failure) {
            log.error("Could not keep the unrecorded access either: {}",
                    fhir.newJsonParser().encodeResourceToString(event), failure);
        }
    }

    private void write(AuditEvent event) {
        try {
            Files.createDirectories(directory);
            String name = String.format("%020d-%s", System.currentTimeMillis(), UUID.randomUUID());
            Path partial = directory.resolve(name + ".partial");
            byte[] json = fhir.newJsonParser().encodeResourceToString(event).getBytes(StandardCharsets.UTF_8);
            try (FileChannel file = FileChannel.open(partial, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                file.write(ByteBuffer.wrap(json));
                file.force(true);
            }
            Files.move(partial, directory.resolve(name + SUFFIX), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException failed) {
            throw new UncheckedIOException("Could not keep the unrecorded access on local disk", failed);
        }
    }

    /** The events kept and not yet on the trail, oldest first. */
    List<Path> waiting() {
        return files(name -> name.endsWith(SUFFIX));
    }

    private List<Path> files(Predicate<String> named) {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(file -> named.test(file.getFileName().toString())).sorted().toList();
        } catch (IOException failed) {
            throw new UncheckedIOException(failed);
        }
    }

    /** This server's claim on a kept event, or empty if another server has claimed it first. */
    private Optional<Path> claim(Path kept) {
        String name = kept.getFileName().toString();
        String event = name.substring(0, name.length() - SUFFIX.length());
        return rename(kept, kept.resolveSibling(event + CLAIMED + clock.millis()));
    }

    private static Optional<Path> rename(Path from, Path to) {
        try {
            return Optional.of(Files.move(from, to, StandardCopyOption.ATOMIC_MOVE));
        } catch (NoSuchFileException takenByAnother) {
            return Optional.empty();
        } catch (IOException failed) {
            throw new UncheckedIOException(failed);
        }
    }

    private static Path unclaimed(Path claimed) {
        String name = claimed.getFileName().toString();
        return claimed.resolveSibling(name.substring(0, name.lastIndexOf(CLAIMED)) + SUFFIX);
    }

    /** Gives back the claims of servers that stopped before putting their event on the trail. */
    private void giveBackStaleClaims() {
        long staleBefore = clock.millis() - STALE_CLAIM.toMillis();
        for (Path claimed : files(name -> name.contains(CLAIMED))) {
            String name = claimed.getFileName().toString();
            if (Long.parseLong(name.substring(name.lastIndexOf(CLAIMED) + CLAIMED.length())) < staleBefore) {
                log.warn("Giving back {}, claimed by a server that did not finish putting it on the trail", claimed);
                rename(claimed, unclaimed(claimed));
            }
        }
    }

    private static void setAside(Path claimed, Path kept) {
        try {
            Files.move(claimed, kept.resolveSibling(kept.getFileName() + ".unreadable"));
        } catch (IOException failed) {
            throw new UncheckedIOException(failed);
        }
    }

    /** Puts the kept events on the trail, oldest first; stops at the first the trail will not take yet. */
    @Scheduled(fixedDelay = 5_000, initialDelay = 5_000)
    void replay() {
        giveBackStaleClaims();
        for (Path kept : waiting()) {
            Optional<Path> claimed = claim(kept);
            if (claimed.isEmpty()) {
                continue;
            }
            try {
                AuditEvent event = fhir.newJsonParser().parseResource(AuditEvent.class,
                        Files.readString(claimed.get()));
                trail.append(event);
                Files.delete(claimed.get());
            } catch (DataFormatException unreadable) {
                log.error("The kept access {} cannot be read; set aside as .unreadable for a person to look at",
                        kept, unreadable);
                setAside(claimed.get(), kept);
            } catch (IOException | RuntimeException notYet) {
                log.warn("Could not yet put the kept access {} on the audit trail; will try again", kept, notYet);
                rename(claimed.get(), kept);
                return;
            }
        }
    }
}
