package uk.sharedcare.record.export;

import ca.uhn.fhir.model.api.IModelJson;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import uk.sharedcare.record.access.PurposeOfUse;

/**
 * One extract run as its batch2 job instance carries it to every node: what is extracted, for whom, into which
 * directory, and which National Data Opt-out answer it was started with (its digest: a node reading another
 * answer refuses its chunk rather than apply it). Holds no secret: each node has the recipients' keys itself.
 *
 * @param jobId     the run's row in {@code SCR_EXTRACT_JOB}, the Bulk Data status it is followed by
 * @param command   for a run with a {@code manifest.json} (the schedule), what made it; null for {@code $export}
 * @param chunkSize patients per chunk; the files do not depend on it
 */
record ExtractJobParameters(
        @JsonProperty("jobId") String jobId,
        @JsonProperty("month") String month,
        @JsonProperty("recipient") String recipient,
        @JsonProperty("purpose") String purpose,
        @JsonProperty("types") List<String> types,
        @JsonProperty("group") String group,
        @JsonProperty("since") String since,
        @JsonProperty("startedAt") String startedAt,
        @JsonProperty("directory") String directory,
        @JsonProperty("command") String command,
        @JsonProperty("chunkSize") int chunkSize,
        @JsonProperty("nationalOptOutSha256") String nationalOptOutSha256,
        @JsonProperty("requesterSubject") String requesterSubject,
        @JsonProperty("requesterClient") String requesterClient,
        @JsonProperty("requesterOrganisation") String requesterOrganisation,
        @JsonProperty("requesterAddress") String requesterAddress) implements IModelJson {

    @JsonCreator
    ExtractJobParameters {
        types = types == null ? List.of() : List.copyOf(types);
    }

    static ExtractJobParameters of(String jobId, ExtractRequest request, Requester requester, Instant startedAt,
            Path directory, Optional<String> command, int chunkSize, NationalOptOut nationalOptOut) {
        return new ExtractJobParameters(jobId, request.month().toString(), request.recipient(),
                request.purpose().name(), ExtractRequest.EXTRACTED_TYPES.stream()
                        .filter(request.types()::contains).toList(),
                request.group().orElse(null), request.since().map(Instant::toString).orElse(null),
                startedAt.toString(), directory.toString(), command.orElse(null), chunkSize,
                nationalOptOut.answer().map(answer -> answer.sha256()).orElse(null), requester.subject(),
                requester.client(), requester.organisation(), requester.address().orElse(null));
    }

    ExtractRequest request() {
        return new ExtractRequest(YearMonth.parse(month), recipient, PurposeOfUse.valueOf(purpose), Set.copyOf(types),
                Optional.ofNullable(group), Optional.ofNullable(since).map(Instant::parse));
    }

    Requester requester() {
        return new Requester(requesterSubject, requesterClient, requesterOrganisation, PurposeOfUse.valueOf(purpose),
                Optional.ofNullable(requesterAddress));
    }

    Instant started() {
        return Instant.parse(startedAt);
    }

    Path directoryPath() {
        return Path.of(directory);
    }
}
