package uk.sharedcare.record;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Settings of the shared-care plugin (prefix {@code shared-care}).
 *
 * @param enabled whether the plugin is active; off leaves a plain HAPI JPA server
 * @param input   limits on what clients may send
 */
@ConfigurationProperties("shared-care")
public record SharedCareProperties(@DefaultValue("true") boolean enabled, @DefaultValue Input input) {

    /** @param maxRequestBody the largest request body accepted; larger ones get 413 before they are parsed */
    public record Input(@DefaultValue("10MB") DataSize maxRequestBody) {}
}
