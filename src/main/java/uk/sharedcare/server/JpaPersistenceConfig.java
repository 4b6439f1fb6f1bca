package uk.sharedcare.server;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.config.util.HapiEntityManagerFactoryUtil;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.model.entity.StorageSettings.IndexEnabledEnum;
import jakarta.persistence.EntityManagerFactory;
import java.util.Properties;
import javax.sql.DataSource;
import ca.uhn.fhir.jpa.model.config.SubscriptionSettings;
import org.hl7.fhir.dstu2.model.Subscription.SubscriptionChannelType;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.jdbc.DataSourceProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.orm.jpa.JpaTransactionManager;
import org.springframework.orm.jpa.LocalContainerEntityManagerFactoryBean;

/** Storage for the JPA server: HAPI's storage settings, the schema migrator, and HAPI's EntityManagerFactory. */
@Configuration(proxyBeanMethods = false)
class JpaPersistenceConfig {

    @Bean
    JpaStorageSettings storageSettings() {
        JpaStorageSettings settings = new JpaStorageSettings();
        // Random ids: sequential ones would let anyone count patients or probe for records by guessing ids.
        settings.setResourceServerIdStrategy(JpaStorageSettings.IdStrategyEnum.UUID);
        settings.setAllowMultipleDelete(false);
        // A batch2 job's next step starts when its last chunk ends, not at the next minute's maintenance pass.
        settings.setJobFastTrackingEnabled(true);
        settings.setExpungeEnabled(false);
        settings.setDeleteExpungeEnabled(false);
        settings.setAllowExternalReferences(false);
        settings.setAutoCreatePlaceholderReferenceTargets(false);
        // A reference written as a search ("Patient?identifier=...") would tell a writer whether a match exists.
        settings.setAllowInlineMatchUrlReferences(false);
        settings.setEnforceReferentialIntegrityOnWrite(true);
        settings.setEnforceReferentialIntegrityOnDelete(true);
        settings.setIndexMissingFields(IndexEnabledEnum.DISABLED);
        // Tags live in the resource itself and are replaced, not merged, on update: the custodian tag always
        // names the writer of the current version.
        settings.setTagStorageMode(JpaStorageSettings.TagStorageModeEnum.INLINE);
        settings.setHibernateSearchIndexFullText(false);
        settings.setAdvancedHSearchIndexing(false);
        return settings;
    }

    @Bean
    SubscriptionSettings subscriptionSettings() {
        SubscriptionSettings settings = new SubscriptionSettings();
        settings.addSupportedSubscriptionType(SubscriptionChannelType.RESTHOOK);
        return settings;
    }

    @Bean
    NoEmailSender emailSender() {
        return new NoEmailSender();
    }

    @Bean
    PartitionSettings partitionSettings() {
        return new PartitionSettings();
    }

    @Bean
    DatabaseKind databaseKind(DataSourceProperties dataSource) {
        return DatabaseKind.ofJdbcUrl(dataSource.determineUrl());
    }

    @Bean
    SchemaMigration schemaMigration(DataSource dataSource, DatabaseKind database) {
        return SchemaMigration.run(dataSource, database);
    }

    @Bean
    @Primary
    LocalContainerEntityManagerFactoryBean entityManagerFactory(
            ConfigurableListableBeanFactory beanFactory,
            FhirContext fhirContext,
            JpaStorageSettings storageSettings,
            DataSource dataSource,
            DatabaseKind database,
            SchemaMigration schemaIsCurrent) {
        LocalContainerEntityManagerFactoryBean factory =
                HapiEntityManagerFactoryUtil.newEntityManagerFactory(beanFactory, fhirContext, storageSettings);
        factory.setPersistenceUnitName("HAPI_PU");
        factory.setDataSource(dataSource);
        factory.setJpaProperties(hibernateProperties(database));
        return factory;
    }

    @Bean
    @Primary
    JpaTransactionManager transactionManager(EntityManagerFactory entityManagerFactory) {
        return new JpaTransactionManager(entityManagerFactory);
    }

    private static Properties hibernateProperties(DatabaseKind database) {
        Properties properties = new Properties();
        properties.put("hibernate.dialect", database.hibernateDialect());
        properties.put("hibernate.hbm2ddl.auto", "none");
        properties.put("hibernate.search.enabled", "false");
        properties.put("hibernate.format_sql", "false");
        properties.put("hibernate.show_sql", "false");
        properties.put("hibernate.jdbc.batch_size", "50");
        properties.put("hibernate.order_inserts", "true");
        properties.put("hibernate.order_updates", "true");
        properties.put("hibernate.cache.use_query_cache", "false");
        properties.put("hibernate.cache.use_second_level_cache", "false");
        properties.put("hibernate.cache.use_structured_entries", "false");
        properties.put("hibernate.cache.use_minimal_puts", "false");
        return properties;
    }
}
