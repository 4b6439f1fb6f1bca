package uk.sharedcare.record.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.YearMonth;

/**
 * The Bulk Data manifest's extension for an extract: month, recipient, cut-off, files with their digests, and
 * the exclusion counts by rule, so a recipient and an auditor can see what was left out and why, never who.
 */
final class ExtractManifest {

    static final String EXTENSION_URL = "https://sharedcarerecord.uk/fhir/extract";

    private ExtractManifest() {}

    static ObjectNode summary(ObjectMapper json, YearMonth month, String recipient, ExtractResult result) {
        ObjectNode summary = json.createObjectNode();
        summary.put("month", month.toString());
        summary.put("recipient", recipient);
        summary.put("cutOff", result.cutOff().toString());
        summary.put("patientsIncluded", result.patientsIncluded());
        ArrayNode files = summary.putArray("files");
        result.files().forEach(file -> files.addObject().put("file", file.fileName()).put("count", file.count())
                .put("sha256", file.sha256()));
        ObjectNode excluded = summary.putObject("excluded");
        ObjectNode patients = excluded.putObject("patients");
        result.patientsExcluded().forEach(patients::put);
        ObjectNode resources = excluded.putObject("resources");
        result.resourcesExcluded().forEach(resources::put);
        return summary;
    }

    /** The manifest the extract command writes beside its files; file URLs are relative to it. */
    static ObjectNode forDirectory(ObjectMapper json, ExtractRequest request, ExtractResult result, String command) {
        ObjectNode manifest = json.createObjectNode();
        manifest.put("transactionTime", result.cutOff().toString());
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
