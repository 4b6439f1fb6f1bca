package uk.sharedcare.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static uk.sharedcare.deployment.DeploymentFiles.DOCKER;
import static uk.sharedcare.deployment.DeploymentFiles.PROJECT;
import static uk.sharedcare.deployment.DeploymentFiles.applicationYaml;
import static uk.sharedcare.deployment.DeploymentFiles.dockerfileInstructions;
import static uk.sharedcare.deployment.DeploymentFiles.dockerfileVariables;
import static uk.sharedcare.deployment.DeploymentFiles.environment;
import static uk.sharedcare.deployment.DeploymentFiles.lines;
import static uk.sharedcare.deployment.DeploymentFiles.read;
import static uk.sharedcare.deployment.DeploymentFiles.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jakarta.validation.Validation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.web.ServerProperties.ForwardHeadersStrategy;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.PropertySourcesPlaceholdersResolver;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.context.properties.bind.validation.ValidationBindHandler;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.ConfigTreePropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.validation.beanvalidation.SpringValidatorAdapter;
import org.yaml.snakeyaml.Yaml;
import uk.sharedcare.deployment.DeploymentFiles.Build;
import uk.sharedcare.record.access.IdentityProperties;
import uk.sharedcare.record.export.ExtractProperties;

/**
 * The Docker deployment (docker/) fits the build that makes the jar and the server that reads its settings. It
 * cannot be run here (no Docker engine), so these tests check what the files say, with no Docker at all.
 */
class DeploymentFilesTest {

    private static final Build BUILD = Build.read();
    private static final String SECRETS_DIRECTORY = "/run/secrets/";

    private final Map<String, Object> compose = DeploymentFiles.compose();

    @Test
    void imageRunsTheJarTheMavenBuildMakes() {
        assertThat(BUILD.finalName()).as("a <finalName> would rename the jar").isEmpty();
        assertThat(dockerfileVariables("ARG")).containsEntry("JAR_FILE", BUILD.execJar());

        String copy = instruction("COPY ${JAR_FILE} ");
        String copiedTo = copy.substring(copy.lastIndexOf(' ') + 1);
        assertThat(instruction("ENTRYPOINT ")).isEqualTo("ENTRYPOINT [\"java\", \"-jar\", \"" + copiedTo + "\"]");
        // BuildKit's docker/Dockerfile.dockerignore excludes everything but the jar from the build context.
        assertThat(lines(DOCKER.resolve("Dockerfile.dockerignore"))).contains("*").anySatisfy(line -> assertThat(
                line.startsWith("!") && FileSystems.getDefault().getPathMatcher("glob:" + line.substring(1))
                        .matches(Path.of(BUILD.execJar()))).isTrue());
    }

    @Test
    void imageRunsAsAnOrdinaryUserOnAJava21Runtime() {
        assertThat(dockerfileInstructions()).filteredOn(i -> i.startsWith("FROM ")).singleElement().asString()
                .matches("FROM eclipse-temurin:21-jre(-[a-z]+)?");
        String uid = instruction("USER ").substring("USER ".length()).split(":")[0];
        assertThat(uid).isNotIn("0", "root");
        assertThat(instruction("RUN ")).contains("useradd --system --uid " + uid + " ");
    }

    @Test
    void everyHealthCheckProbesThePublicCapabilityStatement() {
        String metadata = applicationProperty("fhir-server.base-path") + "/metadata";

        assertThat(instruction("HEALTHCHECK ")).contains("http://127.0.0.1:${SCR_PORT}" + metadata);
        for (String node : recordNodes()) {
            assertThat(String.join(" ", healthcheck(node)))
                    .contains("http://127.0.0.1:" + containerEnvironment(node).get("SCR_PORT") + metadata);
        }
        assertThat(haproxyConfig()).contains("http-check send meth GET uri " + metadata);
    }

    @Test
    void nodesReadTheSettingsComposeGivesThemUnderTheNamesApplicationYamlUses() {
        for (String node : recordNodes()) {
            Map<String, String> variables = containerEnvironment(node);
            StandardEnvironment server = serverEnvironment(variables, null);

            assertThat(server.getProperty("spring.datasource.url")).isEqualTo(variables.get("SCR_DB_URL"))
                    .startsWith("jdbc:postgresql://");
            assertThat(server.getProperty("spring.datasource.username")).isEqualTo(variables.get("SCR_DB_USER"));
            assertThat(server.getProperty("server.address")).isEqualTo("0.0.0.0");
            assertThat(server.getProperty("server.port")).isEqualTo(variables.get("SCR_PORT"));
            assertThat(server.getProperty("shared-care.identity.issuer-uri"))
                    .isEqualTo(variables.get("SCR_OIDC_ISSUER"));
            assertThat(server.getProperty("shared-care.identity.jwk-set-uri"))
                    .isEqualTo(variables.get("SCR_OIDC_JWKS_URI"));
            Binder binder = Binder.get(server);
            assertThat(binder.bind("shared-care.extract.directory", String.class).orElse(null))
                    .as("shared-care.extract.directory on " + node)
                    .isEqualTo(volumeTarget(service(compose, node), "extracts"));
            assertThat(binder.bind("server.forward-headers-strategy", ForwardHeadersStrategy.class).orElse(null))
                    .as("server.forward-headers-strategy on " + node).isEqualTo(ForwardHeadersStrategy.NATIVE);
        }
    }

    @Test
    void containerStartedWithoutDatabaseOrIssuerRefusesToStart() {
        StandardEnvironment server = serverEnvironment(dockerfileVariables("ENV"), null);

        assertThatThrownBy(() -> server.getProperty("spring.datasource.url"))
                .hasMessageContaining("SCR_DB_URL");
        assertThatThrownBy(() -> new Binder(ConfigurationPropertySources.get(server),
                        new PropertySourcesPlaceholdersResolver(server))
                .bind("shared-care.identity", Bindable.of(IdentityProperties.class), new ValidationBindHandler(
                        new SpringValidatorAdapter(Validation.buildDefaultValidatorFactory().getValidator()))))
                .hasRootCauseInstanceOf(BindValidationException.class)
                .getRootCause().hasMessageContaining("issuerUri");
    }

    @Test
    void everyScrVariableTheDeploymentSetsIsOneTheServerReads() {
        String applicationYaml = read(PROJECT.resolve("src/main/resources/application.yaml"))
                + read(PROJECT.resolve("src/main/resources/application-postgres.yaml"));
        Map<String, String> set = new LinkedHashMap<>(dockerfileVariables("ENV"));
        recordNodes().forEach(node -> set.putAll(environment(service(compose, node))));

        assertThat(set.keySet()).filteredOn(name -> name.startsWith("SCR_"))
                .isNotEmpty()
                .allSatisfy(name -> assertThat(applicationYaml).contains("${" + name));
    }

    @Test
    void secretFilesBecomeTheDatabasePasswordAndEachRecipientsExtractKey(@TempDir Path runSecrets) throws IOException {
        for (String node : recordNodes()) {
            for (String target : secretTargets(service(compose, node))) {
                Files.writeString(runSecrets.resolve(target), "secret of " + target + "\n");
            }
            Map<String, String> variables = containerEnvironment(node);
            assertThat(variables).containsEntry("SPRING_CONFIG_IMPORT", "optional:configtree:" + SECRETS_DIRECTORY);

            StandardEnvironment server = serverEnvironment(variables, runSecrets);

            assertThat(server.getProperty("spring.datasource.password")).isEqualTo("secret of SCR_DB_PASSWORD");
            ExtractProperties extract = Binder.get(server).bind("shared-care.extract", ExtractProperties.class).get();
            assertThat(extract.keys().keySet()).containsExactlyInAnyOrderElementsOf(extractRecipients());
            assertThat(extract.keys()).containsEntry("X9Z01", "secret of shared-care.extract.keys.X9Z01");
        }
        assertThat(lines(DOCKER.resolve(".gitignore"))).contains("secrets/");
    }

    @Test
    void keycloakImportsTheRealmFileAndIssuesTheTokensTheNodesTrust() throws IOException {
        Map<String, Object> keycloak = service(compose, "keycloak");
        assertThat(keycloak.get("image")).isEqualTo("quay.io/keycloak/keycloak:" + BUILD.keycloakVersion());

        Path realmFile = DOCKER.resolve(volumeSource(keycloak, "/opt/keycloak/data/import/shared-care-realm.json"))
                .normalize();
        assertThat(realmFile).isEqualTo(PROJECT.resolve("keycloak/shared-care-realm.json")).isRegularFile();
        String realm = new ObjectMapper().readTree(realmFile.toFile()).get("realm").asText();

        List<String> command = strings(keycloak.get("command"));
        assertThat(command).contains("--import-realm");
        String hostname = option(command, "--hostname");
        String port = option(command, "--http-port");
        assertThat(strings(keycloak.get("ports"))).contains(URI.create(hostname).getPort() + ":" + port);
        for (String node : recordNodes()) {
            Map<String, String> variables = containerEnvironment(node);
            assertThat(variables.get("SCR_OIDC_ISSUER")).isEqualTo(hostname + "/realms/" + realm);
            assertThat(variables.get("SCR_OIDC_JWKS_URI"))
                    .isEqualTo("http://keycloak:" + port + "/realms/" + realm + "/protocol/openid-connect/certs");
        }
    }

    @Test
    void proxyBalancesExactlyTheRecordNodesOnTheirServerPort() {
        Pattern server = Pattern.compile("server\\s+\\S+\\s+([\\w.-]+):(\\d+)\\b.*");
        Map<String, String> upstreams = new HashMap<>();
        for (String line : haproxyConfig()) {
            Matcher m = server.matcher(line);
            if (m.matches()) {
                upstreams.put(m.group(1), m.group(2));
            }
        }

        assertThat(recordNodes()).hasSize(2);
        assertThat(upstreams.keySet()).containsExactlyInAnyOrderElementsOf(recordNodes());
        recordNodes().forEach(node -> assertThat(upstreams)
                .containsEntry(node, containerEnvironment(node).get("SCR_PORT")));
        Map<String, Object> proxy = service(compose, "proxy");
        assertThat(volumeSource(proxy, "/usr/local/etc/haproxy/haproxy.cfg")).isEqualTo("./haproxy/haproxy.cfg");
        String bind = haproxyConfig().stream().filter(l -> l.startsWith("bind :")).findFirst().orElseThrow();
        assertThat(strings(proxy.get("ports"))).anySatisfy(p -> assertThat(p).endsWith(":" + bind.substring(6)));
        assertThat(mapOrList(proxy.get("depends_on"))).containsAll(recordNodes());
    }

    @Test
    void nodesWriteToThePrimaryAndTheReplicaStreamsFromItOnThePostgresVersionTheTestsUse() {
        Map<String, Object> primary = service(compose, "db");
        Map<String, Object> replica = service(compose, "db-replica");
        String major = BUILD.postgresVersion().substring(0, BUILD.postgresVersion().indexOf('.'));
        assertThat(primary.get("image")).isEqualTo("postgres:" + major);
        assertThat(replica.get("image")).isEqualTo("postgres:" + major);

        Map<String, String> database = environment(primary);
        assertThat(environment(replica)).containsEntry("PRIMARY_HOST", "db");
        for (String node : recordNodes()) {
            Map<String, String> variables = containerEnvironment(node);
            URI url = URI.create(variables.get("SCR_DB_URL").substring("jdbc:".length()));
            assertThat(url.getHost()).isEqualTo("db");
            assertThat(url.getPath()).isEqualTo("/" + database.get("POSTGRES_DB"));
            assertThat(variables.get("SCR_DB_USER")).isEqualTo(database.get("POSTGRES_USER"));
            assertThat(database.get("POSTGRES_PASSWORD_FILE"))
                    .isEqualTo(SECRETS_DIRECTORY + secretSource(service(compose, node), "SCR_DB_PASSWORD"));
        }
    }

    @Test
    void everyFileTheComposeFileMountsOrBuildsFromExists() {
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");
        services.forEach((name, service) -> {
            strings(service.getOrDefault("volumes", List.of())).stream()
                    .map(volume -> volume.split(":")[0])
                    .filter(source -> source.startsWith("."))
                    .forEach(source -> assertThat(DOCKER.resolve(source)).as(name + " mounts " + source).exists());
            if (service.get("build") instanceof Map<?, ?> build) {
                Path context = DOCKER.resolve((String) build.get("context")).normalize();
                assertThat(context).isEqualTo(PROJECT);
                assertThat(context.resolve((String) build.get("dockerfile"))).isRegularFile();
            }
        });
    }

    // The container's environment: the image's ENV, then what compose sets over it.
    private Map<String, String> containerEnvironment(String node) {
        Map<String, String> variables = new LinkedHashMap<>(dockerfileVariables("ENV"));
        variables.putAll(environment(service(compose, node)));
        return variables;
    }

    /** The server's Environment as Spring Boot builds it from these variables, the secrets and application*.yaml. */
    private static StandardEnvironment serverEnvironment(Map<String, String> variables, Path secrets) {
        StandardEnvironment environment = new StandardEnvironment();
        MutablePropertySources sources = environment.getPropertySources();
        sources.remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
        String name = StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME;
        sources.replace(name, new SystemEnvironmentPropertySource(name, new HashMap<>(variables)));
        if (secrets != null) {
            sources.addLast(new ConfigTreePropertySource("secrets", secrets,
                    ConfigTreePropertySource.Option.AUTO_TRIM_TRAILING_NEW_LINE));
        }
        applicationYaml("application-" + variables.get("SPRING_PROFILES_ACTIVE") + ".yaml").forEach(sources::addLast);
        applicationYaml("application.yaml").forEach(sources::addLast);
        ConfigurationPropertySources.attach(environment);
        return environment;
    }

    private static String applicationProperty(String name) {
        return String.valueOf(applicationYaml("application.yaml").get(0).getProperty(name));
    }

    /** The compose services that run the record image. */
    private List<String> recordNodes() {
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");
        return services.entrySet().stream()
                .filter(e -> String.valueOf(e.getValue().get("image")).startsWith(BUILD.artifactId() + ":"))
                .map(Map.Entry::getKey)
                .toList();
    }

    @SuppressWarnings("unchecked")
    private static List<String> extractRecipients() {
        Map<String, Object> policy =
                new Yaml().load(read(PROJECT.resolve("src/main/resources/shared-care-policy.yaml")));
        Map<String, Object> secondaryUse = (Map<String, Object>) ((Map<String, Object>) policy.get("policy"))
                .get("secondary-use");
        return List.copyOf(((Map<String, Object>) secondaryUse.get("recipients")).keySet());
    }

    private List<String> healthcheck(String node) {
        return strings(((Map<?, ?>) service(compose, node).get("healthcheck")).get("test"));
    }

    private static List<String> haproxyConfig() {
        return lines(DOCKER.resolve("haproxy/haproxy.cfg")).stream().map(String::strip).toList();
    }

    private static String instruction(String prefix) {
        return dockerfileInstructions().stream().filter(i -> i.startsWith(prefix)).reduce((a, b) -> b).orElseThrow(
                () -> new AssertionError("The Dockerfile has no instruction starting " + prefix));
    }

    private static String volumeTarget(Map<String, Object> service, String source) {
        return strings(service.get("volumes")).stream().map(v -> v.split(":"))
                .filter(v -> v[0].equals(source)).map(v -> v[1]).findFirst().orElseThrow();
    }

    private static String volumeSource(Map<String, Object> service, String target) {
        return strings(service.get("volumes")).stream().map(v -> v.split(":"))
                .filter(v -> v[1].equals(target)).map(v -> v[0]).findFirst().orElseThrow();
    }

    private static List<String> secretTargets(Map<String, Object> service) {
        return ((List<?>) service.get("secrets")).stream().map(s -> (String) ((Map<?, ?>) s).get("target")).toList();
    }

    private static String secretSource(Map<String, Object> service, String target) {
        return ((List<?>) service.get("secrets")).stream().map(s -> (Map<?, ?>) s)
                .filter(s -> target.equals(s.get("target"))).map(s -> (String) s.get("source")).findFirst()
                .orElseThrow();
    }

    private static String option(List<String> command, String name) {
        return command.stream().filter(c -> c.startsWith(name + "=")).map(c -> c.substring(name.length() + 1))
                .findFirst().orElseThrow(() -> new AssertionError("no " + name + " in " + command));
    }

    private static List<String> mapOrList(Object value) {
        return value instanceof Map<?, ?> map ? map.keySet().stream().map(String::valueOf).toList() : strings(value);
    }

    private static List<String> strings(Object list) {
        return ((List<?>) list).stream().map(String::valueOf).toList();
    }
}
