package uk.sharedcare.record;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The plugin's version as Maven built it, from a resource Maven filters (so it holds from classes and jars). */
final class BuildVersion {

    static final String RESOURCE = "build.properties";

    private BuildVersion() {}

    static String read() {
        try (InputStream in = BuildVersion.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("The plugin was built without its " + RESOURCE);
            }
            Properties build = new Properties();
            build.load(in);
            String version = build.getProperty("version", "");
            if (version.isBlank() || version.startsWith("@")) {
                throw new IllegalStateException("The plugin's " + RESOURCE + " was not filtered by Maven");
            }
            return version;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
