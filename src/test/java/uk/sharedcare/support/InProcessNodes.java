package uk.sharedcare.support;

import ca.uhn.fhir.batch2.api.IJobMaintenanceService;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.ContextRefreshedEvent;

/**
 * The record's nodes running in the test JVM: every test server context started so far and not yet closed (Spring
 * keeps several alive between test classes, all on the one test database). A test that needs batch2's work done
 * by a node in a JVM of its own ({@link SeparateNode}) pauses their job maintenance: batch2 then moves a job on,
 * and starts its reducer, only on that node.
 */
public final class InProcessNodes {

    private static final List<ConfigurableApplicationContext> RUNNING = new CopyOnWriteArrayList<>();

    private InProcessNodes() {}

    static void track(ConfigurableApplicationContext context) {
        context.addApplicationListener(event -> {
            if (event instanceof ContextRefreshedEvent refreshed && refreshed.getApplicationContext() == context) {
                RUNNING.add(context);
            } else if (event instanceof ContextClosedEvent closed && closed.getApplicationContext() == context) {
                RUNNING.remove(context);
            }
        });
    }

    /** Stops batch2's maintenance passes on every node in this JVM until the returned pause is closed. */
    public static Pause pauseJobMaintenance() {
        List<IJobMaintenanceService> paused = RUNNING.stream()
                .flatMap(context -> context.getBeanProvider(IJobMaintenanceService.class).stream()).toList();
        paused.forEach(maintenance -> maintenance.enableMaintenancePass(false));
        return () -> paused.forEach(maintenance -> maintenance.enableMaintenancePass(true));
    }

    /** Job maintenance paused; closing resumes it. */
    public interface Pause extends AutoCloseable {
        @Override
        void close();
    }
}
