package uk.sharedcare.deployment;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathExpressionException;
import javax.xml.xpath.XPathFactory;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.FileSystemResource;
import org.w3c.dom.Document;
import org.yaml.snakeyaml.Yaml;

/**
 * The deployment files as the tests read them: the Maven build (pom.xml), docker/Dockerfile, docker/compose.yaml,
 * the HAProxy configuration and the server's own application YAML. Paths are relative to the project directory.
 */
final class DeploymentFiles {

    /** The top of the repository: the tests run there (server/pom.xml sets their working directory). */
    static final Path PROJECT = Path.of("").toAbsolutePath();
    static final Path DOCKER = PROJECT.resolve("docker");

    private DeploymentFiles() {}

    /** The Maven build's coordinates and the versions the deployment must agree with. */
    record Build(String artifactId, String version, String execClassifier, String finalName, String keycloakVersion,
            String postgresVersion) {

        /** The runnable jar {@code mvn package} writes: {@code target/<artifactId>-<version>-<classifier>.jar}. */
        String execJar() {
            return "target/" + artifactId + "-" + version + "-" + execClassifier + ".jar";
        }

        static Build read() {
            Function<String, String> root = reader("pom.xml");
            Function<String, String> server = reader("server/pom.xml");
            return new Build(
                    server.apply("/project/artifactId"),
                    root.apply("/project/version"),
                    server.apply("/project/build/plugins/plugin[artifactId='spring-boot-maven-plugin']"
                            + "/configuration/classifier"),
                    server.apply("/project/build/finalName"),
                    root.apply("/project/properties/keycloak.version"),
                    root.apply("/project/properties/postgres-binaries.version"));
        }

        /** XPath over one of the build's poms: the parent at the top, or a module's. */
        private static Function<String, String> reader(String path) {
            try {
                Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                        .parse(PROJECT.resolve(path).toFile());
                var xpath = XPathFactory.newInstance().newXPath();
                return expression -> {
                    try {
                        return ((String) xpath.evaluate(expression, pom, XPathConstants.STRING)).trim();
                    } catch (XPathExpressionException e) {
                        throw new IllegalArgumentException(expression, e);
                    }
                };
            } catch (Exception e) {
                throw new IllegalStateException("Cannot read " + path, e);
            }
        }
    }

    /** docker/compose.yaml as plain maps and lists (YAML merge keys resolved). */
    @SuppressWarnings("unchecked")
    static Map<String, Object> compose() {
        try (Reader reader = Files.newBufferedReader(DOCKER.resolve("compose.yaml"))) {
            return new Yaml().load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> service(Map<String, Object> compose, String name) {
        Map<String, Object> services = (Map<String, Object>) compose.get("services");
        Map<String, Object> service = (Map<String, Object>) services.get(name);
        if (service == null) {
            throw new AssertionError("compose.yaml has no service " + name + "; it has " + services.keySet());
        }
        return service;
    }

    @SuppressWarnings("unchecked")
    static Map<String, String> environment(Map<String, Object> service) {
        Map<String, String> environment = new LinkedHashMap<>();
        ((Map<String, Object>) service.getOrDefault("environment", Map.of()))
                .forEach((name, value) -> environment.put(name, String.valueOf(value)));
        return environment;
    }

    /** The Dockerfile's instructions, continuation lines joined and comments dropped. */
    static List<String> dockerfileInstructions() {
        List<String> instructions = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : lines(DOCKER.resolve("Dockerfile"))) {
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || trimmed.isEmpty() && current.isEmpty()) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                current.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            instructions.add(current.append(trimmed).toString());
            current.setLength(0);
        }
        return instructions;
    }

    /** The {@code KEY=value} pairs of every ENV (or ARG) instruction of the Dockerfile. */
    static Map<String, String> dockerfileVariables(String instruction) {
        Pattern pair = Pattern.compile("(\\w+)=(\"[^\"]*\"|\\S+)");
        Map<String, String> variables = new LinkedHashMap<>();
        for (String line : dockerfileInstructions()) {
            if (line.startsWith(instruction + " ")) {
                Matcher m = pair.matcher(line.substring(instruction.length()));
                while (m.find()) {
                    variables.put(m.group(1), m.group(2).replaceAll("^\"|\"$", ""));
                }
            }
        }
        return variables;
    }

    /** One property source per YAML document of a file under src/main/resources. */
    static List<PropertySource<?>> applicationYaml(String file) {
        try {
            return new YamlPropertySourceLoader().load(file,
                    new FileSystemResource(PROJECT.resolve("src/main/resources").resolve(file)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> lines(Path file) {
        return read(file).lines().toList();
    }
}
