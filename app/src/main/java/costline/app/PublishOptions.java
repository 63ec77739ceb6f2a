package costline.app;

import costline.schemas.Topics;
import picocli.CommandLine.Option;

/** Where a collector publishes its samples: the options every {@code collect} subcommand shares. */
final class PublishOptions {

    @Option(names = "--bootstrap-servers", description = "Kafka bootstrap servers (required unless --json).")
    String bootstrapServers;

    @Option(names = "--schema-registry-url", description = "Schema registry base URL (required unless --json).")
    String registryUrl;

    @Option(names = "--topic", defaultValue = Topics.GPU_SAMPLES, description = "Topic (default: ${DEFAULT-VALUE}).")
    String topic;
}
