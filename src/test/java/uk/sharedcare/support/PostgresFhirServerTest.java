package uk.sharedcare.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.ContextConfiguration;
import uk.sharedcare.server.Application;

/**
 * The whole server, plugin included, on a random local port over the shared embedded PostgreSQL database,
 * with the production ({@code postgres}) profile, trusting the test identity provider. Tests talk to it over
 * HTTP only.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(classes = Application.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("postgres")
@ContextConfiguration(initializers = TestServerInitializer.class)
public @interface PostgresFhirServerTest {}
