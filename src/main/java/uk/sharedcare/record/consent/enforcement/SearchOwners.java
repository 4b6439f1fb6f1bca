package uk.sharedcare.record.consent.enforcement;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.ResponseDetails;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.commons.codec.digest.DigestUtils;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.web.util.UriComponentsBuilder;
import uk.sharedcare.record.access.AccessContext;
import uk.sharedcare.record.access.AccessContexts;
import uk.sharedcare.record.hooks.InterceptorOrder;

/**
 * Binds every stored search to the caller whose request made it. HAPI's paging links carry only the search id, so
 * without this anyone holding a link could page through another user's results and learn their number. A page is
 * served only to the same user, client, organisation, roles and purpose of use; anyone else, and anyone with an
 * unknown id, gets the same 410. The bindings live in the record's database, so every node enforces them.
 */
@Interceptor(order = InterceptorOrder.SEARCH_OWNERS)
public final class SearchOwners {

    static final String TABLE = "SCR_SEARCH_OWNER";
    /** Longer than HAPI keeps a search's results (an hour by default), so no live search loses its owner. */
    private static final Duration KEPT_FOR = Duration.ofDays(1);

    private final JdbcTemplate jdbc;
    private final Clock clock;

    SearchOwners(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
        jdbc.execute("create table if not exists " + TABLE + " (SEARCH_ID varchar(100) primary key,"
                + " OWNER varchar(64) not null, CREATED timestamp not null)");
    }

    /** Binds the searches a response links to before it is sent (hook {@code SERVER_OUTGOING_RESPONSE}). */
    @Hook(Pointcut.SERVER_OUTGOING_RESPONSE)
    public void bindLinkedSearches(RequestDetails request, ResponseDetails response) {
        AccessContexts.of(request).ifPresent(who -> bindLinkedSearches(who, response.getResponseResource()));
    }

    void bindLinkedSearches(AccessContext who, IBaseResource response) {
        String owner = fingerprint(who);
        for (String searchId : linkedSearches(response)) {
            try {
                jdbc.update("insert into " + TABLE + " (SEARCH_ID, OWNER, CREATED) select ?, ?, ? where not exists"
                        + " (select 1 from " + TABLE + " where SEARCH_ID = ?)", searchId, owner,
                        Timestamp.from(clock.instant()), searchId);
            } catch (DuplicateKeyException boundByAConcurrentPage) {
                // bound already: the owner check below decides
            }
        }
    }

    /** Refuses a page request from anyone but the search's owner exactly as a request for an unknown search. */
    void requireOwner(AccessContext who, RequestDetails request) {
        String searchId = RequestParameters.first(request, Constants.PARAM_PAGINGACTION).orElse("");
        List<String> owners = jdbc.queryForList("select OWNER from " + TABLE + " where SEARCH_ID = ?", String.class,
                searchId);
        if (owners.isEmpty() || !owners.get(0).equals(fingerprint(who))) {
            throw unknownSearch(searchId);
        }
    }

    @Scheduled(fixedDelay = 3_600_000, initialDelay = 60_000)
    void forgetExpiredSearches() {
        jdbc.update("delete from " + TABLE + " where CREATED < ?", Timestamp.from(clock.instant().minus(KEPT_FOR)));
    }

    static ResourceGoneException unknownSearch(String searchId) {
        String message = "Search " + searchId + " does not exist or has expired";
        OperationOutcome outcome = new OperationOutcome();
        outcome.addIssue().setSeverity(IssueSeverity.ERROR).setCode(IssueType.NOTFOUND).setDiagnostics(message);
        return new ResourceGoneException(message, outcome);
    }

    /** The search ids in a response's paging links, nested bundles (batch entries) included. */
    static Set<String> linkedSearches(IBaseResource response) {
        Set<String> ids = new LinkedHashSet<>();
        if (response instanceof Bundle bundle) {
            bundle.getLink().forEach(link -> searchIdIn(link.getUrl()).ifPresent(ids::add));
            bundle.getEntry().stream().filter(Bundle.BundleEntryComponent::hasResource)
                    .forEach(entry -> ids.addAll(linkedSearches(entry.getResource())));
        }
        return ids;
    }

    private static Optional<String> searchIdIn(String url) {
        if (url == null || !url.contains(Constants.PARAM_PAGINGACTION + "=")) {
            return Optional.empty();
        }
        return Optional.ofNullable(UriComponentsBuilder.fromUriString(url).build().getQueryParams()
                .getFirst(Constants.PARAM_PAGINGACTION));
    }

    /** Who may read a search's pages, as a digest: the table need hold no user names. */
    static String fingerprint(AccessContext who) {
        String roles = who.roles().stream().map(Enum::name).sorted().collect(Collectors.joining(","));
        return DigestUtils.sha256Hex(String.join("\n", who.subject(), String.valueOf(who.client()),
                who.organisation(), roles, who.purpose().name()));
    }
}
