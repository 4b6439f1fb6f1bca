package uk.sharedcare.record.consent.enforcement;

import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.IdType;
import uk.sharedcare.record.consent.enforcement.AccessPaths.EntryForm;
import uk.sharedcare.record.consent.enforcement.OfferedOperations.Level;

/**
 * One request as the access-path table sees it, whether sent alone or as an entry of a batch or transaction, so
 * that both are judged by the same code.
 *
 * @param operation      the REST operation HAPI dispatches it as
 * @param resourceType   the resource type in its path
 * @param id             the one resource it names, with the version for a vread
 * @param operationName  the {@code $operation}, for extended operations
 * @param parameterNames the names of its query parameters
 * @param conditional    whether it is a conditional create, update, patch or delete
 */
record PathRequest(RestOperationTypeEnum operation, Optional<String> resourceType, Optional<IIdType> id,
        Optional<String> operationName, List<String> parameterNames, boolean conditional) {

    PathRequest {
        parameterNames = List.copyOf(parameterNames);
    }

    private static final Map<String, RestOperationTypeEnum> META_OPERATIONS = Map.of(
            "$meta", RestOperationTypeEnum.META,
            "$meta-add", RestOperationTypeEnum.META_ADD,
            "$meta-delete", RestOperationTypeEnum.META_DELETE,
            "$graphql", RestOperationTypeEnum.GRAPHQL_REQUEST);

    /** An entry of a batch or transaction: its form and, where its URL names an operation, the request. */
    record Entry(EntryForm form, Optional<PathRequest> request) {}

    static PathRequest of(RequestDetails request, RestOperationTypeEnum operation) {
        Optional<IIdType> id = Optional.ofNullable(request.getId()).filter(IIdType::hasIdPart);
        boolean write = operation == RestOperationTypeEnum.UPDATE || operation == RestOperationTypeEnum.PATCH
                || operation == RestOperationTypeEnum.DELETE || operation == RestOperationTypeEnum.CREATE;
        boolean conditional = request.getHeader("If-None-Exist") != null
                || write && id.isEmpty() && !request.getParameters().isEmpty();
        return new PathRequest(operation, Optional.ofNullable(request.getResourceName()), id,
                Optional.ofNullable(request.getOperation()).filter(name -> name.startsWith("$")),
                List.copyOf(request.getParameters().keySet()), conditional);
    }

    /**
     * Reads an entry's request. GET entries are dispatched by HAPI as sub-requests and reach the guard like any
     * request sent alone, so only their form is needed here.
     */
    static Entry ofEntry(Bundle.BundleEntryComponent entry, String serverBase) {
        Bundle.BundleEntryRequestComponent call = entry.getRequest();
        String url = relative(call.getUrl() == null ? "" : call.getUrl(), serverBase);
        int query = url.indexOf('?');
        String path = query < 0 ? url : url.substring(0, query);
        List<String> parameters = query < 0 ? List.of() : parameterNames(url.substring(query + 1));
        List<String> segments = Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList();
        Bundle.HTTPVerb verb = call.getMethod() == null ? Bundle.HTTPVerb.NULL : call.getMethod();
        return switch (verb) {
            case GET -> new Entry(EntryForm.GET, Optional.empty());
            case POST -> call.hasIfNoneExist()
                    ? new Entry(EntryForm.CONDITIONAL_CREATE, Optional.empty())
                    : new Entry(EntryForm.POST, posted(segments, parameters));
            case PUT -> instanceWrite(EntryForm.PUT, EntryForm.CONDITIONAL_UPDATE, RestOperationTypeEnum.UPDATE,
                    segments, query >= 0);
            case PATCH -> instanceWrite(EntryForm.PATCH, EntryForm.CONDITIONAL_PATCH, RestOperationTypeEnum.PATCH,
                    segments, query >= 0);
            case DELETE -> instanceWrite(EntryForm.DELETE, EntryForm.CONDITIONAL_DELETE,
                    RestOperationTypeEnum.DELETE, segments, query >= 0);
            case HEAD, NULL -> new Entry(EntryForm.HEAD, Optional.empty());
        };
    }

    /** The same request naming the resource without a version. */
    PathRequest versionless() {
        return new PathRequest(operation, resourceType, id.map(IIdType::toUnqualifiedVersionless), operationName,
                parameterNames, conditional);
    }

    Level level() {
        return id.isPresent() ? Level.INSTANCE : resourceType.isPresent() ? Level.TYPE : Level.SERVER;
    }

    private static Entry instanceWrite(EntryForm form, EntryForm conditionalForm, RestOperationTypeEnum operation,
            List<String> segments, boolean hasQuery) {
        if (hasQuery) {
            return new Entry(conditionalForm, Optional.empty());
        }
        if (segments.size() != 2) {
            return new Entry(form, Optional.empty()); // not a resource URL: HAPI refuses it as malformed
        }
        return new Entry(form, Optional.of(new PathRequest(operation, Optional.of(segments.get(0)),
                Optional.of(new IdType(segments.get(0), segments.get(1))), Optional.empty(), List.of(), false)));
    }

    private static Optional<PathRequest> posted(List<String> segments, List<String> parameters) {
        if (segments.isEmpty()) {
            return Optional.of(new PathRequest(RestOperationTypeEnum.TRANSACTION, Optional.empty(), Optional.empty(),
                    Optional.empty(), parameters, false));
        }
        String last = segments.get(segments.size() - 1);
        String first = segments.get(0);
        Optional<String> type = first.startsWith("$") || first.startsWith("_") ? Optional.empty() : Optional.of(first);
        if (last.startsWith("$")) {
            Optional<IIdType> id = segments.size() == 3
                    ? Optional.of(new IdType(segments.get(0), segments.get(1))) : Optional.empty();
            RestOperationTypeEnum operation = META_OPERATIONS.getOrDefault(last, id.isPresent()
                    ? RestOperationTypeEnum.EXTENDED_OPERATION_INSTANCE
                    : type.isPresent() ? RestOperationTypeEnum.EXTENDED_OPERATION_TYPE
                    : RestOperationTypeEnum.EXTENDED_OPERATION_SERVER);
            return Optional.of(new PathRequest(operation, type, id, Optional.of(last), parameters, false));
        }
        if ("_search".equals(last)) {
            return Optional.of(new PathRequest(type.isPresent() ? RestOperationTypeEnum.SEARCH_TYPE
                    : RestOperationTypeEnum.SEARCH_SYSTEM, type, Optional.empty(), Optional.empty(), parameters,
                    false));
        }
        return segments.size() == 1
                ? Optional.of(new PathRequest(RestOperationTypeEnum.CREATE, type, Optional.empty(), Optional.empty(),
                        parameters, false))
                : Optional.empty();
    }

    private static String relative(String url, String serverBase) {
        if (serverBase != null && url.startsWith(serverBase)) {
            return url.substring(serverBase.length());
        }
        return url;
    }

    private static List<String> parameterNames(String query) {
        return Arrays.stream(query.split("&"))
                .filter(pair -> !pair.isEmpty())
                .map(pair -> pair.contains("=") ? pair.substring(0, pair.indexOf('=')) : pair)
                .map(name -> URLDecoder.decode(name, StandardCharsets.UTF_8))
                .toList();
    }
}
