package uk.sharedcare.server;

import org.springframework.boot.SpringApplication;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import uk.sharedcare.record.export.ExtractCommand;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Import;
import uk.sharedcare.console.ConsoleConfig;
import uk.sharedcare.record.SharedCareRecordConfiguration;

/**
 * The Shared Care Record server: a HAPI FHIR JPA server (R4) with the shared-care plugin.
 * Switching {@code shared-care.enabled} off leaves a plain HAPI JPA server, which the benchmarks compare against.
 */
@SpringBootApplication
@EnableConfigurationProperties(FhirServerProperties.class)
@Import({FhirServerConfig.class, SharedCareRecordConfiguration.class, ConsoleConfig.class})
public class Application {

    public static void main(String[] args) {
        if (ExtractCommand.isCommand(args)) {
            System.exit(runExtract(args));
        }
        SpringApplication.run(Application.class, args);
    }

    /**
     * {@code extract ...}: starts the server on a random loopback port (its HAPI beans need the web side, but
     * nobody should call it), runs one extract and stops.
     */
    public static int runExtract(String[] args) {
        ExtractCommand command;
        try {
            command = ExtractCommand.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        List<String> settings = new ArrayList<>(List.of("--server.port=0", "--server.address=127.0.0.1"));
        settings.addAll(command.springArguments());
        try (ConfigurableApplicationContext server = new SpringApplicationBuilder(Application.class)
                .run(settings.toArray(String[]::new))) {
            return command.run(server);
        }
    }
}
