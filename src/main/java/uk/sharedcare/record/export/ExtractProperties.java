package uk.sharedcare.record.export;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import uk.sharedcare.record.consent.NationalOptOutList;

/**
 * Where extracts are made and with which secrets (prefix {@code shared-care.extract}). Who may receive them is
 * policy ({@code secondary-use} in shared-care-policy.yaml); the keys are secrets, so they live here, set from the
 * environment (for example {@code SHARED_CARE_EXTRACT_KEYS_QZ9}).
 *
 * @param keys                 each recipient's pseudonymisation key, by ODS code; a recipient without one gets
 *                             no extract
 * @param directory            where extract files are written; server nodes share it (docs/scaling.md)
 * @param schedule             cron for the monthly extract of the month just ended; {@code -} for none
 * @param scheduledRecipients  recipients the scheduled extract is made for
 * @param abandonedAfter       a running extract not heard from for this long is marked failed
 * @param nationalOptOut       where the national service's National Data Opt-out answer is put, and its form
 * @param chunks               how this node takes its share of the extracts' work chunks
 */
@ConfigurationProperties("shared-care.extract")
public record ExtractProperties(
        Map<String, String> keys,
        @DefaultValue("data/extracts") Path directory,
        @DefaultValue("-") String schedule,
        List<String> scheduledRecipients,
        @DefaultValue("10m") Duration abandonedAfter,
        NationalOptOut nationalOptOut,
        @DefaultValue Chunks chunks) {

    public ExtractProperties {
        // Property names are case-insensitive, so a key set as ...keys.QZ9 may arrive as qz9.
        keys = keys == null ? Map.of() : keys.entrySet().stream().collect(Collectors.toUnmodifiableMap(
                e -> e.getKey().toUpperCase(Locale.ROOT), Map.Entry::getValue));
        scheduledRecipients = scheduledRecipients == null ? List.of() : List.copyOf(scheduledRecipients);
        nationalOptOut = nationalOptOut == null ? new NationalOptOut(null, null, 1) : nationalOptOut;
    }

    /**
     * @param workers        how many chunks this node works on at once
     * @param claimEvery     how often this node looks for chunks to take while its workers are free
     * @param heartbeatEvery how often this node says it is still working on the chunks it took
     * @param abandonedAfter a chunk whose node has not said so for this long is taken over by another node
     */
    public record Chunks(
            @DefaultValue("4") int workers,
            @DefaultValue("1s") Duration claimEvery,
            @DefaultValue("5s") Duration heartbeatEvery,
            @DefaultValue("1m") Duration abandonedAfter) {

        public Chunks {
            if (workers < 1) {
                throw new IllegalArgumentException("shared-care.extract.chunks.workers must be at least 1");
            }
            if (abandonedAfter.compareTo(heartbeatEvery.multipliedBy(3)) < 0) {
                throw new IllegalArgumentException("shared-care.extract.chunks.abandoned-after must be at least"
                        + " three heartbeats, or a working node's chunks are taken from it");
            }
        }
    }

    /**
     * @param list            the file holding the latest answer; read at the start of every run (none: no
     *                        extract that needs the opt-out is made)
     * @param meaning         what its NHS numbers are: {@code may-be-used} (the service's answer to a check of a
     *                        cohort) or {@code opted-out}
     * @param nhsNumberColumn which comma-separated column of a line holds the NHS number, from 1
     */
    public record NationalOptOut(Path list, NationalOptOutList.Meaning meaning, int nhsNumberColumn) {

        public NationalOptOut {
            meaning = meaning == null ? NationalOptOutList.Meaning.MAY_BE_USED : meaning;
            nhsNumberColumn = nhsNumberColumn < 1 ? 1 : nhsNumberColumn;
        }
    }

    Optional<String> keyFor(String recipient) {
        return Optional.ofNullable(keys.get(recipient.toUpperCase(Locale.ROOT)));
    }
}
