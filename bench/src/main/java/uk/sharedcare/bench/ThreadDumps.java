package uk.sharedcare.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A poor man's profile of the plugin-on server: a few thread dumps (jcmd Thread.print) spread over an
 * operation's measured window, kept for reading where the request threads spend their time.
 */
final class ThreadDumps {

    private ThreadDumps() {}

    /** Starts taking {@code samples} dumps after the warm-up; join the returned thread when done. */
    static Thread during(ServerProcess server, BenchSettings settings, String label, Path directory) {
        Thread taker = new Thread(() -> {
            ServerProcess.sleep(Duration.ofSeconds(settings.warmupSeconds()));
            long gap = settings.seconds() * 1000L / (settings.profileSamples() + 1);
            for (int sample = 1; sample <= settings.profileSamples(); sample++) {
                ServerProcess.sleep(Duration.ofMillis(gap));
                try {
                    Files.createDirectories(directory);
                    Files.writeString(directory.resolve(label + "-" + sample + ".txt"), server.threadDump());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }, "thread-dumps-" + label);
        taker.setDaemon(true);
        taker.start();
        return taker;
    }
}
