package uk.sharedcare.record.consent;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import uk.sharedcare.record.access.PurposeOfUse;
import uk.sharedcare.record.consent.ConsentDirective.Statement;

/**
 * Rule 2: what the patient's own consents say about one access. Among the statements that apply, the most
 * specific wins; between equally specific statements the most recently recorded consent wins (so a later
 * permit withdraws an earlier dissent at once); deny overrides permit within the same consent and date.
 */
final class ConsentEvaluation {

    /** The consents' verdict and the consent that gave it. */
    record Vote(Effect effect, String consentId) {}

    private record Candidate(Effect effect, String consentId, Instant recordedAt, int specificity) {}

    Optional<Vote> evaluate(List<ConsentDirective> directives, String organisation, PurposeOfUse purpose,
            ResourceFacts resource, Instant at) {
        List<Candidate> applicable = directives.stream()
                .filter(directive -> directive.isValidAt(at))
                .flatMap(directive -> directive.statements().stream()
                        .filter(statement -> statement.appliesTo(organisation, purpose, resource))
                        .map(statement -> candidate(directive, statement)))
                .toList();
        if (applicable.isEmpty()) {
            return Optional.empty();
        }
        int mostSpecific = applicable.stream().mapToInt(Candidate::specificity).max().getAsInt();
        Instant latest = applicable.stream().filter(c -> c.specificity() == mostSpecific)
                .map(Candidate::recordedAt).max(Comparator.naturalOrder()).orElseThrow();
        List<Candidate> winners = applicable.stream()
                .filter(c -> c.specificity() == mostSpecific && c.recordedAt().equals(latest))
                .toList();
        Candidate decisive = winners.stream().filter(c -> c.effect() == Effect.DENY).findFirst()
                .orElse(winners.get(0));
        return Optional.of(new Vote(decisive.effect(), decisive.consentId()));
    }

    private static Candidate candidate(ConsentDirective directive, Statement statement) {
        return new Candidate(statement.effect(), directive.consentId(), directive.recordedAt(),
                statement.specificity());
    }
}
