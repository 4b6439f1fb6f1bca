package uk.sharedcare.support;

import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Points a test's server at the shared embedded PostgreSQL database (production profile) and makes it trust the
 * test identity provider, through the same settings a deployment uses.
 */
public final class TestServerInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        database().and(
                        "shared-care.identity.issuer-uri=" + TestIdentityProvider.ISSUER,
                        "shared-care.identity.jwk-set-uri=" + TestIdentityProvider.jwksUri())
                .and(extractSettings())
                .applyTo(context);
    }

    /** Pseudonymisation keys for the two extract recipients, and a directory of this test run's own. */
    public static String[] extractSettings() {
        return new String[] {
                "shared-care.extract.keys.QZ9=" + EXTRACT_KEYS.get("QZ9"),
                "shared-care.extract.keys.X9Z01=" + EXTRACT_KEYS.get("X9Z01"),
                "shared-care.extract.directory=" + EXTRACT_DIRECTORY,
                "shared-care.audit.spill-directory=" + SPILL_DIRECTORY,
                "shared-care.cors.allowed-origins=" + BROWSER_APP_ORIGIN};
    }

    /** The one origin a browser app may call the test servers from. */
    public static final String BROWSER_APP_ORIGIN = "https://app.example.nhs.uk";

    public static final Map<String, String> EXTRACT_KEYS = Map.of(
            "QZ9", "test-key-of-the-integrated-care-board-0001",
            "X9Z01", "test-key-of-the-approved-analytics-body-02");

    /** Accesses the trail could not take at once, kept until it can: this test run's own. */
    public static final String SPILL_DIRECTORY = Path.of(System.getProperty("java.io.tmpdir"),
            "scr-audit-spill-" + UUID.randomUUID()).toString();

    private static final String EXTRACT_DIRECTORY = Path.of(System.getProperty("java.io.tmpdir"),
            "scr-extracts-" + UUID.randomUUID()).toString();

    public static TestPropertyValues database() {
        return TestPropertyValues.of(
                "spring.datasource.url=" + EmbeddedPostgresDatabase.jdbcUrl(),
                "spring.datasource.username=postgres",
                "spring.datasource.password=postgres");
    }
}
