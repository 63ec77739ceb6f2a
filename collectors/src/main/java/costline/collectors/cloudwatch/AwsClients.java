package costline.collectors.cloudwatch;

import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * Builds the SDK clients of one region: credentials from the SDK's default chain (environment, system
 * properties, profile, container and instance roles), the SDK's standard retries, and the endpoint
 * override when one is set.
 */
final class AwsClients implements AutoCloseable {

    private final CloudWatchClient cloudWatch;
    private final Ec2Client ec2;

    AwsClients(CloudWatchSettings settings, String region) {
        DefaultCredentialsProvider credentials = DefaultCredentialsProvider.builder().build();
        var cw = CloudWatchClient.builder().region(Region.of(region)).credentialsProvider(credentials);
        settings.cloudWatchEndpoint().ifPresent(cw::endpointOverride);
        var ec = Ec2Client.builder().region(Region.of(region)).credentialsProvider(credentials);
        settings.ec2Endpoint().ifPresent(ec::endpointOverride);
        this.cloudWatch = cw.build();
        this.ec2 = ec.build();
    }

    CloudWatchClient cloudWatch() {
        return cloudWatch;
    }

    Ec2Client ec2() {
        return ec2;
    }

    @Override
    public void close() {
        cloudWatch.close();
        ec2.close();
    }
}
