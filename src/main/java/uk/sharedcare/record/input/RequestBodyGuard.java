package uk.sharedcare.record.input;

import ca.uhn.fhir.context.FhirContext;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.springframework.web.filter.OncePerRequestFilter;
import uk.sharedcare.record.http.OperationOutcomeWriter;

/**
 * Checks request bodies before HAPI parses anything, answering with an OperationOutcome:
 * <ul>
 *   <li>415 to a body that is not FHIR JSON or XML, a JSON patch, or a form-encoded search (HAPI would guess at
 *       some unlabelled bodies and answer others with a generic 400);</li>
 *   <li>413 to a body over the configured limit. A declared Content-Length over the limit is refused without
 *       reading; a chunked body is read only up to the limit. HAPI reads every body into memory, so the limit
 *       also bounds memory per request.</li>
 * </ul>
 * A servlet filter rather than a HAPI interceptor, because HAPI logs every exception an interceptor throws as an
 * error with its stack trace, and a client's mistake is not a server error.
 */
public final class RequestBodyGuard extends OncePerRequestFilter {

    private static final Set<String> ACCEPTED_MEDIA_TYPES = Set.of(
            "application/fhir+json",
            "application/json",
            "application/json+fhir",
            "application/fhir+xml",
            "application/xml",
            "application/xml+fhir",
            "text/xml",
            "application/json-patch+json",
            "application/x-www-form-urlencoded");

    private static final int UNSUPPORTED_MEDIA_TYPE = 415;

    private final long maxBytes;
    private final OperationOutcomeWriter outcomes;

    public RequestBodyGuard(long maxBytes, FhirContext fhirContext) {
        this.maxBytes = maxBytes;
        this.outcomes = new OperationOutcomeWriter(fhirContext);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long declared = request.getContentLengthLong();
        boolean hasBody = declared > 0 || request.getHeader("Transfer-Encoding") != null;
        if (!hasBody) {
            chain.doFilter(request, response);
            return;
        }
        if (!isAcceptedMediaType(request.getContentType())) {
            refuseMediaType(request.getContentType(), response);
            return;
        }
        if (declared > maxBytes) {
            refuse(response);
            return;
        }
        if (declared >= 0) {
            chain.doFilter(request, response);
            return;
        }
        byte[] body = readAtMost(request.getInputStream(), maxBytes + 1);
        if (body.length > maxBytes) {
            refuse(response);
            return;
        }
        chain.doFilter(new BufferedBodyRequest(request, body), response);
    }

    private static boolean isAcceptedMediaType(String contentType) {
        return contentType != null
                && ACCEPTED_MEDIA_TYPES.contains(contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT));
    }

    private void refuseMediaType(String contentType, HttpServletResponse response) throws IOException {
        response.setHeader("Connection", "close"); // the body is left unread
        outcomes.write(response, UNSUPPORTED_MEDIA_TYPE, IssueType.NOTSUPPORTED, contentType == null
                ? "A request body needs a Content-Type header, for example application/fhir+json"
                : "Content-Type '" + contentType + "' is not supported; send application/fhir+json or"
                        + " application/fhir+xml");
    }

    private void refuse(HttpServletResponse response) throws IOException {
        response.setHeader("Connection", "close"); // the body is left unread
        outcomes.write(response, HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE, IssueType.TOOLONG,
                "Request body is larger than the " + maxBytes + " bytes this server accepts; nothing was stored.");
    }

    private static byte[] readAtMost(InputStream in, long limit) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int read;
        while (out.size() < limit && (read = in.read(buffer, 0, (int) Math.min(buffer.length, limit - out.size()))) != -1) {
            out.write(buffer, 0, read);
        }
        return out.toByteArray();
    }

    /** A request whose body has already been read into memory. */
    private static final class BufferedBodyRequest extends HttpServletRequestWrapper {
        private final byte[] body;

        BufferedBodyRequest(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }

                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException("Synchronous reads only");
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            String encoding = getCharacterEncoding();
            Charset charset = encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding);
            return new BufferedReader(new InputStreamReader(getInputStream(), charset));
        }
    }
}
