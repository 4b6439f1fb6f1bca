package uk.sharedcare.record.notify;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.hl7.fhir.r4.model.Bundle;
import uk.sharedcare.support.FhirServerClient;

/** A subscriber's REST hook on loopback: keeps every request it is sent, and answers as it is told. */
final class RestHook implements AutoCloseable {

    /** A request the hook received. */
    record Received(String method, String path, Map<String, String> headers, String body) {
        Bundle notification() {
            return FhirServerClient.FHIR.newJsonParser().parseResource(Bundle.class, body);
        }
    }

    private final int port;
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final Deque<Integer> answers = new ArrayDeque<>();
    private HttpServer server;

    private RestHook(int port) {
        this.port = port;
    }

    /** A hook listening now. */
    static RestHook listening() {
        RestHook hook = new RestHook(0);
        hook.start();
        return hook;
    }

    /** A hook that does not listen yet: a notification to it cannot be delivered until {@link #start()}. */
    static RestHook notYetListening() {
        try (ServerSocket reserved = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return new RestHook(reserved.getLocalPort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void start() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/hook", exchange -> {
            Map<String, String> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, String.join(",", values)));
            received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), headers,
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            int status;
            synchronized (answers) {
                status = answers.isEmpty() ? 200 : answers.poll();
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
    }

    /** The next requests are answered with these statuses, in turn; then 200 again. */
    void answerNext(int... statuses) {
        synchronized (answers) {
            for (int status : statuses) {
                answers.add(status);
            }
        }
    }

    String endpoint() {
        return "http://127.0.0.1:" + (server == null ? port : server.getAddress().getPort()) + "/hook";
    }

    /** The next request received within the time, or null. */
    Received next(long seconds) throws InterruptedException {
        return received.poll(seconds, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
        }
    }
}
