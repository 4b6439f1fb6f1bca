package uk.sharedcare.record.audit.ledger;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

/**
 * An entry's rows in PostgreSQL's {@code COPY} text format, all but the columns only the appender knows (sequence,
 * time of writing, chain links), so that the calling thread, not the appender, does the encoding: tab between
 * columns, {@code \N} for null, backslash, tab, newline and carriage return escaped.
 */
record CopyRows(String eventTail, List<String> referenceTails) {

    /** The event columns in the order its rows are copied: the appender's first, then {@link #eventTail}'s. */
    static final List<String> EVENT_COLUMNS = List.of("SEQ", "WRITTEN", "CHAIN_SCHEME", "PREV_HASH", "HASH", "NODE",
            "RECORDED", "EVENT_TYPE", "SUBTYPE", "ACTION", "OUTCOME", "AGENT_USER", "AGENT_CLIENT", "AGENT_ORG",
            "AGENT_ROLES", "PURPOSE", "EVENT_JSON");
    static final List<String> REFERENCE_COLUMNS = List.of("SEQ", "WRITTEN", "KIND", "REF");

    static CopyRows of(LedgerEntry entry) {
        String tail = String.join("\t", field(timestamp(entry.recorded())), field(entry.type()),
                field(entry.subtype()), field(entry.action()), field(entry.outcome()), field(clip(entry.user())),
                field(clip(entry.client())), field(clip(entry.organisation())), field(clip(entry.roles())),
                field(entry.purpose()), field(entry.json()));
        List<String> references = entry.references().stream()
                .map(reference -> field(reference.kind().name()) + "\t" + field(clip(reference.value())))
                .toList();
        return new CopyRows(tail, references);
    }

    /** The event's row, once the appender has placed it in the chain. */
    String eventRow(long sequence, String written, ChainHash.Scheme scheme, String previous, String hash,
            String node) {
        return sequence + "\t" + written + "\t" + scheme.code() + "\t" + field(previous) + "\t" + field(hash) + "\t"
                + field(node) + "\t" + eventTail + "\n";
    }

    static String timestamp(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC).toString();
    }

    static String clip(String value) {
        return value == null || value.length() <= 256 ? value : value.substring(0, 256);
    }

    static String field(String value) {
        if (value == null) {
            return "\\N";
        }
        StringBuilder escaped = null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            String replacement = switch (c) {
                case '\\' -> "\\\\";
                case '\t' -> "\\t";
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                default -> null;
            };
            if (replacement != null && escaped == null) {
                escaped = new StringBuilder(value.length() + 16).append(value, 0, i);
            }
            if (escaped != null) {
                if (replacement != null) {
                    escaped.append(replacement);
                } else {
                    escaped.append(c);
                }
            }
        }
        return escaped == null ? value : escaped.toString();
    }
}
