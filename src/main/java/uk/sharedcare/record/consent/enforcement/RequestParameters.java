package uk.sharedcare.record.consent.enforcement;

import ca.uhn.fhir.rest.api.server.RequestDetails;
import java.util.Optional;

/** The first value of a request's query parameter, as the paging and history steps read them. */
final class RequestParameters {

    private RequestParameters() {}

    static Optional<String> first(RequestDetails request, String name) {
        String[] values = request.getParameters().get(name);
        return values == null || values.length == 0 ? Optional.empty() : Optional.ofNullable(values[0]);
    }

    /** Empty when absent or not a whole number. */
    static Optional<Integer> integer(RequestDetails request, String name) {
        try {
            return first(request, name).map(Integer::parseInt);
        } catch (NumberFormatException notANumber) {
            return Optional.empty();
        }
    }
}
