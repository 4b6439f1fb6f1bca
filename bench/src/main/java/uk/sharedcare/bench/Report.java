package uk.sharedcare.bench;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Writes a run's results: {@code bench-<time>.json} with every number, and {@code bench-<time>.md} (also copied
 * to {@code latest.md}) with the tables, the ratio plugin-on / plugin-off and the targets of issue 7.
 */
final class Report {

    static final double READ_TARGET = 0.85;
    static final double SEARCH_TARGET = 0.75;
    static final double P95_READ_TARGET_MILLIS = 20;

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
        ObjectMapper mapper = new ObjectMapper();
        Map<String, Object> run = mapper.readValue(json.toFile(), new TypeReference<LinkedHashMap<String, Object>>() {});
        List<ScaleResult> scales = mapper.convertValue(run.remove("scales"), new TypeReference<List<ScaleResult>>() {});
        String name = json.getFileName().toString().replaceFirst("\\.json$", "");
        Files.writeString(json.resolveSibling(name + ".md"), markdown(run, scales));
    }

    static String markdown(Map<String, Object> run, List<ScaleResult> scales) {
        StringBuilder md = new StringBuilder("# Shared Care Record benchmark: plugin on vs plain HAPI\n\n");
        run.forEach((key, value) -> md.append("- ").append(key).append(": `").append(value).append("`\n"));
        for (ScaleResult scale : scales) {
            md.append("\n## ").append(String.format(Locale.ROOT, "%,d", scale.patients())).append(" patients\n\n")
                    .append("| operation | plain HAPI req/s | p50 / p95 / p99 ms | plugin on req/s | p50 / p95 / p99 ms"
                            + " | on/off | target | answers (on) |\n")
                    .append("| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |\n");
            for (Measurement.Result on : scale.pluginOn()) {
                Measurement.Result off = scale.off(on.operation());
                double ratio = off.perSecond() == 0 ? 0 : on.perSecond() / off.perSecond();
                md.append(String.format(Locale.ROOT, "| %s | %.1f | %s | %.1f | %s | %.2f | %s | %s |%n",
                        on.operation(), off.perSecond(), latencies(off), on.perSecond(), latencies(on), ratio,
                        target(on, ratio), on.statuses()));
            }
            PopulationLoader.LoadTiming load = scale.load();
            md.append(String.format(Locale.ROOT, "%nLoaded patients %,d to %,d (%,d resources) through the API in"
                            + " %.0f s: **%.1f s per 1,000 patients**.%n", load.fromPatient(), load.toPatient(),
                    load.resources(), load.millis() / 1000.0, load.secondsPerThousandPatients()));
            md.append(memory("Server after loading (plugin on)", scale.memoryAfterLoad()))
                    .append(memory("Server after its measurements, plugin on", scale.memoryPluginOn()))
                    .append(memory("Server after its measurements, plugin off", scale.memoryPluginOff()));
        }
        if (scales.size() > 1) {
            md.append("\n## Latency by population size (p50 / p95 ms)\n\n| operation | mode |");
            scales.forEach(s -> md.append(String.format(Locale.ROOT, " %,d |", s.patients())));
            md.append("\n| --- | --- |").append(" ---: |".repeat(scales.size())).append('\n');
            for (Measurement.Result first : scales.get(0).pluginOn()) {
                latencyRow(md, first.operation(), "plain HAPI", scales, ScaleResult::pluginOff);
                latencyRow(md, first.operation(), "plugin on", scales, ScaleResult::pluginOn);
            }
        }
        return md.toString();
    }

    private static void latencyRow(StringBuilder md, String operation, String mode, List<ScaleResult> scales,
            Function<ScaleResult, List<Measurement.Result>> results) {
        md.append("| ").append(operation).append(" | ").append(mode).append(" |");
        for (ScaleResult scale : scales) {
            results.apply(scale).stream().filter(r -> r.operation().equals(operation)).findFirst()
                    .ifPresent(r -> md.append(String.format(Locale.ROOT, " %.1f / %.1f |", r.p50Millis(),
                            r.p95Millis())));
        }
        md.append('\n');
    }

    private static String latencies(Measurement.Result r) {
        return String.format(Locale.ROOT, "%.1f / %.1f / %.1f", r.p50Millis(), r.p95Millis(), r.p99Millis());
    }

    private static String target(Measurement.Result on, double ratio) {
        return switch (on.kind()) {
            case "read" -> String.format(Locale.ROOT, "≥ %.2f: %s; p95 < %.0f ms: %s", READ_TARGET,
                    met(ratio >= READ_TARGET), P95_READ_TARGET_MILLIS, met(on.p95Millis() < P95_READ_TARGET_MILLIS));
            case "search" -> String.format(Locale.ROOT, "≥ %.2f: %s", SEARCH_TARGET, met(ratio >= SEARCH_TARGET));
            default -> "none";
        };
    }

    private static String met(boolean met) {
        return met ? "met" : "**missed**";
    }

    private static String memory(String when, ServerProcess.Memory memory) {
        return String.format(Locale.ROOT, "- %s: RSS %,d MiB, heap used %,d MiB of %,d MiB committed%n", when,
                memory.rssMiB(), memory.heapUsedMiB(), memory.heapCommittedMiB());
    }
}
