package uk.sharedcare.support;

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
                .applyTo(context);
    }

    static TestPropertyValues database() {
        return TestPropertyValues.of(
                "spring.datasource.url=" + EmbeddedPostgresDatabase.jdbcUrl(),
                "spring.datasource.username=postgres",
                "spring.datasource.password=postgres");
    }
}
