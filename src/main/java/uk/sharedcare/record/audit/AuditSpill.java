package uk.sharedcare.record.audit;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.DataFormatException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.AuditEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * Where an access goes when the trail cannot take it: the client is answered 503 with no data, and the event that
 * says so is written to a local file, forced to disk, and put on the trail once the trail takes events again, so
 * that no attempt goes unrecorded. One file an event, named so that they replay in the order they were kept.
 */
final class AuditSpill {

    private static final Logger log = LoggerFactory.getLogger(AuditSpill.class);
    private static final String SUFFIX = ".json";

    private final Path directory;
    private final FhirContext fhir;
    private final AuditTrail trail;

    AuditSpill(Path directory, FhirContext fhir, AuditTrail trail) {
        this.directory = directory;
        this.fhir = fhir;
        this.trail = trail;
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
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(file -> file.getFileName().toString().endsWith(SUFFIX)).sorted().toList();
        } catch (IOException failed) {
            throw new UncheckedIOException(failed);
        }
    }

    private static void setAside(Path kept) {
        try {
            Files.move(kept, kept.resolveSibling(kept.getFileName() + ".unreadable"));
        } catch (IOException failed) {
            throw new UncheckedIOException(failed);
        }
    }

    /** Puts the kept events on the trail, oldest first; stops at the first the trail will not take yet. */
    @Scheduled(fixedDelay = 5_000, initialDelay = 5_000)
    void replay() {
        for (Path kept : waiting()) {
            try {
                AuditEvent event = fhir.newJsonParser().parseResource(AuditEvent.class, Files.readString(kept));
                trail.append(event);
                Files.delete(kept);
            } catch (DataFormatException unreadable) {
                log.error("The kept access {} cannot be read; set aside as .unreadable for a person to look at",
                        kept, unreadable);
                setAside(kept);
            } catch (IOException | RuntimeException notYet) {
                log.warn("Could not yet put the kept access {} on the audit trail; will try again", kept, notYet);
                return;
            }
        }
    }
}
