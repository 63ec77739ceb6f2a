package costline.app;

import costline.schemas.registry.InProcessSchemaRegistryServer;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs the in-process schema registry on its own, for a local pipeline without a Confluent registry. */
@Command(name = "registry", mixinStandardHelpOptions = true,
        description = "Run a Confluent-compatible schema registry (in memory, loopback only) until Ctrl-C.")
final class RegistryCommand implements Runnable {

    @Option(names = "--port", defaultValue = "8081", description = "Port on 127.0.0.1 (default: ${DEFAULT-VALUE}).")
    int port;

    @Override
    public void run() {
        InProcessSchemaRegistryServer server = InProcessSchemaRegistryServer.start(port);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }));
        System.out.println("schema registry listening on " + server.url() + " (schemas are kept in memory)");
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
