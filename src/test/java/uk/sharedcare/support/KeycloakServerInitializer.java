package uk.sharedcare.support;

import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;

/** Like {@link TestServerInitializer}, but the server trusts the real Keycloak of {@link KeycloakSupport}. */
public final class KeycloakServerInitializer
        implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        TestServerInitializer.database()
                .and("shared-care.identity.issuer-uri=" + KeycloakSupport.keycloak().issuer())
                .and(TestServerInitializer.extractSettings())
                .applyTo(context);
        InProcessNodes.track(context);
    }
}
