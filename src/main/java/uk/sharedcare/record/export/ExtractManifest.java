package uk.sharedcare.record.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/**
 * The Bulk Data manifest's extension for an extract: month, recipient, cut-off, files with their digests, and
 * the exclusion counts by rule, so a recipient and an auditor can see what was left out and why, never who.
 */
final class ExtractManifest {

    private static final DateTimeFormatter MILLISECONDS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").withZone(ZoneOffset.UTC);

    static final String EXTENSION_URL = "https://sharedcarerecord.uk/fhir/extract";

    private ExtractManifest() {}

    static ObjectNode summary(ObjectMapper json, YearMonth month, String recipient, ExtractResult result) {
        ObjectNode summary = json.createObjectNode();
        summary.put("month", month.toString());
        summary.put("recipient", recipient);
        summary.put("cutOff", instant(result.cutOff()));
        summary.put("patientsIncluded", result.patientsIncluded());
        emptyBecause(month, result).ifPresent(reason -> summary.put("note", reason));
        ArrayNode files = summary.putArray("files");
        result.files().forEach(file -> files.addObject().put("file", file.fileName()).put("count", file.count())
                .put("sha256", file.sha256()));
        ExtractResult.NationalOptOutApplied applied = result.nationalOptOut();
        ObjectNode national = summary.putObject("nationalDataOptOut").put("decidedBy", applied.decidedBy());
        if (applied.checkedOn() != null) {
            national.put("checkedOn", applied.checkedOn()).put("source", applied.source())
                    .put("sha256", applied.sha256()).put("entries", applied.entries())
                    .put("meaning", applied.meaning());
        }
        ObjectNode excluded = summary.putObject("excluded");
        ObjectNode patients = excluded.putObject("patients");
        result.patientsExcluded().forEach(patients::put);
        ObjectNode resources = excluded.putObject("resources");
        result.resourcesExcluded().forEach(resources::put);
        return summary;
    }

    /** A FHIR instant to the millisecond, as the Bulk Data IG's {@code transactionTime} is read by clients. */
    static String instant(Instant at) {
        return MILLISECONDS.format(at);
    }

    /** Why an extract holds no patient, so that an empty one is never a puzzle. */
    static Optional<String> emptyBecause(YearMonth month, ExtractResult result) {
        if (result.patientsIncluded() > 0) {
            return Optional.empty();
        }
        long excluded = result.patientsExcluded().values().stream().mapToLong(Long::longValue).sum();
        if (excluded > 0) {
            return Optional.of("No patient is included: the rules counted under 'excluded' left out every one of the "
                    + excluded + " patients recorded before the cut-off");
        }
        return Optional.of("No patient is included: none was recorded before the cut-off " + instant(result.cutOff())
                + " (the end of " + month + "); data recorded since is in a later month's extract, and the month"
                + " still running can be asked for by its own month=YYYY-MM");
    }

    /** The manifest the extract command writes beside its files; file URLs are relative to it. */
    static ObjectNode forDirectory(ObjectMapper json, ExtractRequest request, ExtractResult result, String command) {
        ObjectNode manifest = json.createObjectNode();
        manifest.put("transactionTime", instant(result.cutOff()));
        manifest.put("request", command);
        manifest.put("requiresAccessToken", false);
        ArrayNode output = manifest.putArray("output");
        result.files().forEach(file -> output.addObject().put("type", file.resourceType())
                .put("url", file.fileName()).put("count", file.count()));
        manifest.putArray("error");
        manifest.putObject("extension").set(EXTENSION_URL,
                summary(json, request.month(), request.recipient(), result));
        return manifest;
    }
}
