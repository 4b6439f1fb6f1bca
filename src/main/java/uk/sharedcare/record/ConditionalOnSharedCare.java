package uk.sharedcare.record;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;

/**
 * On every configuration of the plugin, not only its entry point: a host that component-scans
 * {@code uk.sharedcare.record} (hapi-fhir-jpaserver-starter's {@code custom-bean-packages}) finds each of them,
 * and with {@code shared-care.enabled: false} none may create anything.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Documented
@ConditionalOnProperty(prefix = "shared-care", name = "enabled", havingValue = "true", matchIfMissing = true)
public @interface ConditionalOnSharedCare {}
