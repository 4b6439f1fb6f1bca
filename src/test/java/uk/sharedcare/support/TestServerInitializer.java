package uk.sharedcare.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
        InProcessNodes.track(context);
    }

    /**
     * The command-line arguments that make another server (a second node, the extract command) use the test
     * servers' database, identity provider and extract settings; each {@code key=value} given replaces the setting
     * of that key.
     */
    public static List<String> anotherServersArguments(String... replacing) {
        Map<String, String> settings = new LinkedHashMap<>();
        List<String> all = new ArrayList<>(List.of("spring.profiles.active=postgres",
                "spring.datasource.url=" + EmbeddedPostgresDatabase.jdbcUrl(), "spring.datasource.username=postgres",
                "spring.datasource.password=postgres", "shared-care.identity.issuer-uri=" + TestIdentityProvider.ISSUER,
                "shared-care.identity.jwk-set-uri=" + TestIdentityProvider.jwksUri()));
        all.addAll(List.of(extractSettings()));
        all.addAll(List.of(replacing));
        for (String setting : all) {
            settings.put(setting.substring(0, setting.indexOf('=')), setting);
        }
        return settings.values().stream().map(setting -> "--" + setting).toList();
    }

    /**
     * Pseudonymisation keys for the two extract recipients, a directory of this test run's own, and chunk leases
     * short enough for a test to see a quiet node's chunks taken over.
     */
    public static String[] extractSettings() {
        return new String[] {
                "shared-care.extract.keys.QZ9=" + EXTRACT_KEYS.get("QZ9"),
                "shared-care.extract.keys.X9Z01=" + EXTRACT_KEYS.get("X9Z01"),
                "shared-care.extract.directory=" + EXTRACT_DIRECTORY,
                "shared-care.extract.national-opt-out.list=" + NATIONAL_OPT_OUT_ANSWER,
                "shared-care.extract.chunks.claim-every=200ms",
                "shared-care.extract.chunks.heartbeat-every=500ms",
                "shared-care.extract.chunks.abandoned-after=" + CHUNKS_ABANDONED_AFTER.toMillis() + "ms",
                "shared-care.audit.spill-directory=" + SPILL_DIRECTORY,
                "shared-care.cors.allowed-origins=" + BROWSER_APP_ORIGIN,
                // The tests' REST hooks listen on loopback; a failed notification is tried again within a second.
                "shared-care.notifications.allowed-endpoints=" + NOTIFICATION_ENDPOINTS,
                "shared-care.notifications.first-retry-after=PT0.3S",
                "shared-care.notifications.longest-retry-after=PT1S",
                "shared-care.notifications.attempts=5"};
    }

    /** How long a node of the test servers may go quiet before another takes over its extract chunks. */
    public static final java.time.Duration CHUNKS_ABANDONED_AFTER = java.time.Duration.ofSeconds(8);

    /** Where the test servers may deliver change notifications: the tests' own hooks on loopback. */
    public static final String NOTIFICATION_ENDPOINTS = "http://127.0.0.1:";

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

    /**
     * Where the test servers read the National Data Opt-out service's answer. It starts as today's answer naming
     * nobody opted out, so extracts run; a test that needs another answer writes its own and puts this one back.
     */
    public static final Path NATIONAL_OPT_OUT_ANSWER = Path.of(System.getProperty("java.io.tmpdir"),
            "scr-national-opt-out-" + UUID.randomUUID(), "answer.csv");

    static {
        answerWithNobodyOptedOut();
    }

    /** Today's answer of the national service naming nobody opted out. */
    public static void answerWithNobodyOptedOut() {
        writeNationalOptOutAnswer("# checked: " + LocalDate.now(ZoneId.of("Europe/London")) + "\n"
                + "# source: the test servers' stand-in for the national service\n# meaning: opted-out\n");
    }

    public static void writeNationalOptOutAnswer(String content) {
        try {
            Files.createDirectories(NATIONAL_OPT_OUT_ANSWER.getParent());
            Files.writeString(NATIONAL_OPT_OUT_ANSWER, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static TestPropertyValues database() {
        return TestPropertyValues.of(
                "spring.datasource.url=" + EmbeddedPostgresDatabase.jdbcUrl(),
                "spring.datasource.username=postgres",
                "spring.datasource.password=postgres");
    }
}
