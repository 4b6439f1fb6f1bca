package uk.sharedcare.record.patientstate;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.util.List;
import net.ttddyy.dsproxy.QueryCountHolder;
import net.ttddyy.dsproxy.support.ProxyDataSourceBuilder;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import uk.sharedcare.record.consent.PatientState;
import uk.sharedcare.record.consent.enforcement.PatientStateLoader;
import uk.sharedcare.support.BoroughScenario;
import uk.sharedcare.support.Callers;
import uk.sharedcare.support.PostgresFhirServerTest;

/**
 * How many SQL statements a patient's state costs: one stamp query while this node's copy is current, and a
 * bounded number to load it when it is not. Counted on the calling thread at the DataSource.
 */
@PostgresFhirServerTest
@Import(PatientStateQueriesIT.CountedStatements.class)
class PatientStateQueriesIT {

    /** The load as measured for this record (docs/decisions/0011): a fixed number of searches, no Organization read. */
    private static final long LOAD_AT_MOST = 12;

    /**
     * Counts beneath the pool, which stays the host's, so that the audit's own connections (a wrapper around the
     * pool, made by another post-processor in either order) are kept as in production.
     */
    @TestConfiguration(proxyBeanMethods = false)
    static class CountedStatements {
        @Bean
        static BeanPostProcessor countingDataSource() {
            return new BeanPostProcessor() {
                @Override
                public Object postProcessAfterInitialization(Object bean, String name) {
                    Object pool = bean instanceof DelegatingDataSource wrapper ? wrapper.getTargetDataSource() : bean;
                    if ("dataSource".equals(name) && pool instanceof HikariDataSource hikari
                            && hikari.getDataSource() == null) {
                        hikari.setDataSource(ProxyDataSourceBuilder.create(new DriverManagerDataSource(
                                hikari.getJdbcUrl(), hikari.getUsername(), hikari.getPassword())).countQuery().build());
                    }
                    return bean;
                }
            };
        }
    }

    @LocalServerPort
    int port;

    @Autowired
    PatientStateCache cache;

    @Autowired
    PatientStateLoader loader;

    @Test
    void currentStateCostsOneQueryAndAMissABoundedFew() {
        BoroughScenario borough = new BoroughScenario(port);
        String patient = borough.patientAtRiverside();
        borough.episodeOfCare(Callers.swMurphy(), Callers.BOROUGH_COUNCIL, patient);
        borough.privacyConsent(Callers.drPatel(), patient, true);
        borough.condition(Callers.drPatel(), patient, "110359009");
        borough.observation(Callers.drPatel(), patient, "http://read.info/readv2", "9Nu0.");

        long miss = statements(() -> cache.current(List.of(patient)));
        long hit = statements(() -> cache.current(List.of(patient)));
        long load = statements(() -> loader.load(patient));

        assertThat(hit).as("a current copy: the stamp query alone").isEqualTo(1);
        assertThat(load).as("loading the state").isLessThanOrEqualTo(LOAD_AT_MOST);
        assertThat(miss).isEqualTo(load + 1);
        PatientState state = cache.current(List.of(patient)).get(patient);
        assertThat(state.consents()).hasSize(1);
        assertThat(state.episodeOrganisations()).containsExactly(Callers.BOROUGH_COUNCIL);
        assertThat(state.exemptCohorts()).contains("learning-disability");
        assertThat(state.gpDissent()).isPresent();
    }

    private static long statements(Runnable work) {
        QueryCountHolder.clear();
        work.run();
        return QueryCountHolder.getGrandTotal().getTotal();
    }
}
