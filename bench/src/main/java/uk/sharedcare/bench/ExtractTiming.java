package uk.sharedcare.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One Bulk Data export of the whole population, timed from its kick-off to its complete manifest: the record's
 * pseudonymised monthly extract (plugin on, as the ICB's commissioner) or HAPI's own {@code $export} of the same
 * types (plugin off, which neither de-identifies nor leaves anyone out). Polled once a second.
 */
final class ExtractTiming {

    /** The types the record's extract holds, asked of HAPI's export too. */
    static final String TYPES = "Patient,Encounter,Condition,Observation,AllergyIntolerance,MedicationStatement,"
            + "EpisodeOfCare,CarePlan,CareTeam,Organization";
    private static final Duration LIMIT = Duration.ofMinutes(60);

    /**
     * @param resources      what the manifest counts (the record's manifest counts every file; HAPI's does not,
     *                       so -1)
     * @param rssMiB         the largest resident set of any node when the export had finished
     */
    record Result(String mode, int nodes, int patients, double seconds, double patientsPerSecond, long resources,
            int files, long rssMiB, String outcome) {}

    private final LoopbackHttp http;
    private final ObjectMapper json = new ObjectMapper();

    ExtractTiming(LoopbackHttp http) {
        this.http = http;
    }

    Result run(ServerNodes nodes, String mode, String kickOff, Optional<String> token, Map<String, String> headers,
            int patients) throws Exception {
        long start = System.nanoTime();
        LoopbackHttp.Answer accepted = http.kickOff(nodes.first().baseUrl() + kickOff, token, headers);
        if (accepted.status() != 202 || accepted.contentLocation().isEmpty()) {
            return failed(mode, nodes, patients, start, "kick-off answered " + accepted.status() + ": "
                    + accepted.body().substring(0, Math.min(300, accepted.body().length())));
        }
        String status = accepted.contentLocation().get();
        while (System.nanoTime() - start < LIMIT.toNanos()) {
            Thread.sleep(1000);
            LoopbackHttp.Answer polled = http.get(status, token, headers);
            if (polled.status() == 200) {
                double seconds = (System.nanoTime() - start) / 1e9;
                JsonNode manifest = json.readTree(polled.body());
                List<JsonNode> output = manifest.path("output").valueStream().toList();
                long resources = output.stream().allMatch(file -> file.has("count"))
                        ? output.stream().mapToLong(file -> file.get("count").asLong()).sum() : -1;
                int walked = patientsWalked(manifest).orElse(patients);
                return new Result(mode, nodes.count(), walked, seconds, walked / seconds, resources,
                        output.size(), largestRss(nodes), walked == patients ? "complete"
                                : "complete, but it went through " + walked + " of " + patients + " patients");
            }
            if (polled.status() != 202) {
                return failed(mode, nodes, patients, start, "status answered " + polled.status() + ": "
                        + polled.body().substring(0, Math.min(300, polled.body().length())));
            }
        }
        return failed(mode, nodes, patients, start, "not complete after " + LIMIT);
    }

    /**
     * The patients the record's extract went through, included or left out, from its manifest's summary (HAPI's
     * manifest has none): the rate is counted over these, not over the population asked for.
     */
    private static Optional<Integer> patientsWalked(JsonNode manifest) {
        for (JsonNode extension : manifest.path("extension")) {
            JsonNode summary = extension.isObject() && extension.has("patientsIncluded") ? extension : null;
            if (summary == null) {
                continue;
            }
            long walked = summary.get("patientsIncluded").asLong();
            for (JsonNode excluded : summary.path("excluded").path("patients")) {
                walked += excluded.asLong();
            }
            return Optional.of((int) walked);
        }
        return Optional.empty();
    }

    private Result failed(String mode, ServerNodes nodes, int patients, long start, String why) {
        return new Result(mode, nodes.count(), patients, (System.nanoTime() - start) / 1e9, 0, -1, 0,
                largestRss(nodes), why);
    }

    private static long largestRss(ServerNodes nodes) {
        return nodes.memory().stream().mapToLong(ServerProcess.Memory::rssMiB).max().orElse(0);
    }
}
