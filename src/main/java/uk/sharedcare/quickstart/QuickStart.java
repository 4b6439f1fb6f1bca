package uk.sharedcare.quickstart;

import java.util.Arrays;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import uk.sharedcare.server.Application;

/**
 * The README's run command ({@code ./mvnw spring-boot:run}): a real Keycloak with the {@code shared-care} realm
 * on 127.0.0.1:8180, the record on its embedded H2 default at http://localhost:8080/fhir, the demo borough
 * loaded with a slice of the synthetic borough population, and how to get a token printed. Ctrl-C stops both.
 */
public final class QuickStart {

    private static final Logger log = LoggerFactory.getLogger(QuickStart.class);
    private static final int KEYCLOAK_PORT = 8180;

    private QuickStart() {}

    public static void main(String[] args) {
        Instant started = Instant.now();
        Path project = Path.of("").toAbsolutePath();
        log.info("Starting Keycloak on 127.0.0.1:{} (log: data/keycloak.log)", KEYCLOAK_PORT);
        LocalKeycloak keycloak = LocalKeycloak.start(project, KEYCLOAK_PORT, project.resolve("data/keycloak"),
                project.resolve("data/keycloak.log"), Duration.ofMinutes(3));
        Runtime.getRuntime().addShutdownHook(new Thread(keycloak::close, "stop-keycloak"));

        ConfigurableApplicationContext server = SpringApplication.run(Application.class,
                withIssuer(args, keycloak.issuer(), project.resolve(DemoNationalOptOut.ANSWER)));
        IFhirSystemDao<?, ?> systemDao = server.getBean(IFhirSystemDao.class);
        int loaded = DemoData.load(systemDao);
        log.info("Loaded {} demo resources", loaded);
        int generated = DemoPopulation.load(systemDao, DemoPopulation.PATIENTS);
        log.info("Loaded {} resources for {} synthetic patients (uk.sharedcare.population)", generated,
                DemoPopulation.PATIENTS);
        int allowed = DemoNationalOptOut.write(project, server.getBean(DaoRegistry.class));
        log.info("Wrote the demo National Data Opt-out answer ({}): {} NHS numbers may be used",
                DemoNationalOptOut.ANSWER, allowed);
        System.out.println(Welcome.text(keycloak, server.getEnvironment().getProperty("local.server.port"),
                Duration.between(started, Instant.now())));
    }

    /**
     * The demo realm's issuer, and demo pseudonymisation keys for the two extract recipients so their users can
     * try {@code $export}, browser apps on this machine allowed to call it (CORS), and where the demo's stand-in
     * National Data Opt-out answer is written. A deployment sets its own secret keys; these are public and protect
     * nothing.
     */
    private static String[] withIssuer(String[] args, String issuer, Path nationalOptOutAnswer) {
        String[] all = Arrays.copyOf(args, args.length + 5);
        all[args.length] = "--shared-care.identity.issuer-uri=" + issuer;
        all[args.length + 1] = "--shared-care.extract.keys.QZ9=demo-only-key-for-the-integrated-care-board";
        all[args.length + 2] = "--shared-care.extract.keys.X9Z01=demo-only-key-for-the-analytics-body-x9z01";
        all[args.length + 3] = "--shared-care.cors.allowed-origins=http://localhost:[*],http://127.0.0.1:[*]";
        all[args.length + 4] = "--shared-care.extract.national-opt-out.list=" + nationalOptOutAnswer;
        return all;
    }
}
