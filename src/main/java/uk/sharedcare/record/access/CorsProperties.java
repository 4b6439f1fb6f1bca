package uk.sharedcare.record.access;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Which browser origins may call the record (prefix {@code shared-care.cors}). None by default: a browser app
 * (a SMART app, a console served elsewhere) is named here before it can read an answer.
 *
 * @param allowedOrigins origins or Spring origin patterns, such as {@code https://app.example.nhs.uk} or
 *                       {@code http://localhost:[*]}
 * @param maxAge         how long a browser may keep a preflight's answer
 */
@ConfigurationProperties("shared-care.cors")
public record CorsProperties(@DefaultValue List<String> allowedOrigins, @DefaultValue("30m") Duration maxAge) {

    public CorsProperties {
        allowedOrigins = allowedOrigins.stream().filter(origin -> !origin.isBlank()).toList();
    }

    public boolean enabled() {
        return !allowedOrigins.isEmpty();
    }
}
