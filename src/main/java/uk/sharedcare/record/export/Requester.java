package uk.sharedcare.record.export;

import java.util.Optional;
import uk.sharedcare.record.access.AccessContext;
import uk.sharedcare.record.access.PurposeOfUse;

/**
 * Who asked for an extract, for its audit record: a caller of {@code $export}, or an operator running the
 * extract command, or the server's monthly schedule.
 *
 * @param subject      the token subject, or the operator's account, or {@code scheduler}
 * @param client       the OAuth client, or {@code extract-command} / {@code extract-schedule}
 * @param organisation ODS code of the organisation they act for
 * @param purpose      the purpose of use the extract is for
 * @param address      the caller's network address, where there is one
 */
public record Requester(String subject, String client, String organisation, PurposeOfUse purpose,
        Optional<String> address) {

    static Requester of(AccessContext who, Optional<String> address) {
        return new Requester(who.subject(), who.client(), who.organisation(), who.purpose(), address);
    }
}
