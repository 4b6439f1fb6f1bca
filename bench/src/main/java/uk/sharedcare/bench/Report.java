package uk.sharedcare.bench;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a run's results: {@code bench-<time>.json} with every number, and {@code bench-<time>.md} (also copied
 * to {@code latest.md}) with the tables of {@link ScaleTables}. {@code bench/run --report <json>} renders the
 * markdown again from the JSON, also of runs made before the open loop, costs and ceiling were measured.
 */
final class Report {

    private Report() {}

    static void write(Path directory, String stamp, Map<String, Object> run, List<ScaleResult> scales)
            throws IOException {
        Files.createDirectories(directory);
        Map<String, Object> json = new LinkedHashMap<>(run);
        json.put("scales", scales);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(directory.resolve("bench-" + stamp + ".json").toFile(), json);
        String markdown = markdown(run, scales);
        Files.writeString(directory.resolve("bench-" + stamp + ".md"), markdown);
        Files.writeString(directory.resolve("latest.md"), markdown);
    }

    /** Renders the tables again from a run's JSON (after the report format changed, say). */
    static void rewrite(Path json) throws IOException {
        ObjectMapper mapper = new ObjectMapper()
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY);
        Map<String, Object> run = mapper.readValue(json.toFile(), new TypeReference<LinkedHashMap<String, Object>>() {});
        List<ScaleResult> scales = mapper.convertValue(run.remove("scales"), new TypeReference<List<ScaleResult>>() {});
        String name = json.getFileName().toString().replaceFirst("\\.json$", "");
        Path markdown = json.resolveSibling(name + ".md");
        Files.writeString(markdown, markdown(run, scales));
        System.out.println("Written " + markdown);
    }

    static String markdown(Map<String, Object> run, List<ScaleResult> scales) {
        StringBuilder md = new StringBuilder("# Shared Care Record benchmark: plugin on vs plain HAPI\n\n");
        run.forEach((key, value) -> md.append("- ").append(key).append(": `").append(value).append("`\n"));
        for (ScaleResult scale : scales) {
            md.append("\n## ").append(String.format(Locale.ROOT, "%,d patients, %d node%s per mode",
                    scale.patients(), scale.nodes(), scale.nodes() == 1 ? "" : "s")).append("\n");
            new ScaleTables(scale, md).all();
        }
        if (scales.size() > 1) {
            ScaleTables.latencyBySize(scales, md);
        }
        return md.toString();
    }
}
