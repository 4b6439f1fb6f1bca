package uk.sharedcare.record.http;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Every search is stored, whatever the client's {@code Cache-Control} asks. HAPI answers a search sent with
 * {@code no-store} synchronously, as one page it cannot link on, so the record could not cut that page from the
 * stored result counting only visible results (decision 9): it would come out short, its size telling how much
 * was hidden, and nothing after it could be reached. {@code no-store} (with HAPI's {@code max-results}) is read
 * as {@code no-cache}: a fresh search, kept for an hour like any other.
 */
public final class StoredSearchesOnly extends OncePerRequestFilter {

    static final String CACHE_CONTROL = "Cache-Control";

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        List<String> asked = Collections.list(request.getHeaders(CACHE_CONTROL));
        boolean noStore = asked.stream().flatMap(StoredSearchesOnly::directives).anyMatch("no-store"::equals);
        chain.doFilter(noStore ? new StoredSearchRequest(request, rewritten(asked)) : request, response);
    }

    /** The directives asked for, without {@code no-store} and {@code max-results}, and with {@code no-cache}. */
    static String rewritten(List<String> headers) {
        List<String> kept = new ArrayList<>(headers.stream().flatMap(StoredSearchesOnly::directives)
                .filter(directive -> !directive.equals("no-store") && !directive.startsWith("max-results"))
                .distinct().toList());
        if (!kept.contains("no-cache")) {
            kept.add("no-cache");
        }
        return String.join(", ", kept);
    }

    private static Stream<String> directives(String header) {
        return Arrays.stream(header.split(",")).map(String::trim).map(d -> d.toLowerCase(Locale.ROOT))
                .filter(d -> !d.isEmpty());
    }

    private static final class StoredSearchRequest extends HttpServletRequestWrapper {

        private final String cacheControl;

        StoredSearchRequest(HttpServletRequest request, String cacheControl) {
            super(request);
            this.cacheControl = cacheControl;
        }

        @Override
        public String getHeader(String name) {
            return CACHE_CONTROL.equalsIgnoreCase(name) ? cacheControl : super.getHeader(name);
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
            return CACHE_CONTROL.equalsIgnoreCase(name)
                    ? Collections.enumeration(List.of(cacheControl)) : super.getHeaders(name);
        }
    }
}
