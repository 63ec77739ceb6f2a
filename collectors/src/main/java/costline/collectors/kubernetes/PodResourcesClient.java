package costline.collectors.kubernetes;

import costline.collectors.kubernetes.podresources.v1.AllocatableResourcesRequest;
import costline.collectors.kubernetes.podresources.v1.AllocatableResourcesResponse;
import costline.collectors.kubernetes.podresources.v1.ListPodResourcesRequest;
import costline.collectors.kubernetes.podresources.v1.PodResourcesListerGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The kubelet's PodResources v1 API (gRPC over its unix socket, by default
 * {@code /var/lib/kubelet/pod-resources/kubelet.sock}). Every call has a deadline, so a kubelet that hangs costs at
 * most the deadline; the channel reconnects by itself when the kubelet restarts and re-creates the socket.
 */
public final class PodResourcesClient implements KubeletSource, AutoCloseable {

    /** The kubelet caps its own responses at 16 MiB (podresources.DefaultMaxMsgSize). */
    private static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

    private final Path socket;
    private final Duration deadline;
    private final EventLoopGroup loop;
    private final ManagedChannel channel;
    private final PodResourcesListerGrpc.PodResourcesListerBlockingStub stub;
    private volatile boolean lastFailed;

    /** @param deadline how long one call may take before it fails with DEADLINE_EXCEEDED */
    public PodResourcesClient(Path socket, Duration deadline) {
        this.socket = socket;
        this.deadline = deadline;
        this.loop = new EpollEventLoopGroup(1, daemonThreads());
        this.channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .channelType(EpollDomainSocketChannel.class)
                .eventLoopGroup(loop)
                .usePlaintext()
                .overrideAuthority("localhost")
                .maxInboundMessageSize(MAX_MESSAGE_BYTES)
                .build();
        // Wait for a connection up to each call's deadline rather than failing at once while the channel is in
        // reconnect backoff: the kubelet re-creates its socket when it restarts.
        this.stub = PodResourcesListerGrpc.newBlockingStub(channel).withWaitForReady();
    }

    /** Pods' devices now; throws when the socket is missing, refuses, answers garbage or passes the deadline. */
    @Override
    public KubeletSnapshot list() throws KubeletUnavailableException {
        if (!Files.exists(socket)) {
            lastFailed = true;
            throw new KubeletUnavailableException("the kubelet socket " + socket + " does not exist", null);
        }
        if (lastFailed) {
            // the socket may have come back (kubelet restart): try now rather than after gRPC's reconnect backoff
            channel.resetConnectBackoff();
        }
        try {
            KubeletSnapshot snapshot = KubeletSnapshot.of(stub.withDeadlineAfter(deadline.toNanos(),
                    TimeUnit.NANOSECONDS).list(ListPodResourcesRequest.getDefaultInstance()));
            lastFailed = false;
            return snapshot;
        } catch (StatusRuntimeException e) {
            lastFailed = true;
            throw new KubeletUnavailableException("PodResources List on " + socket + " failed: " + e.getStatus(), e);
        }
    }

    /**
     * Devices the node can hand out (Kubernetes 1.23+); empty where the kubelet does not offer the call
     * (UNIMPLEMENTED, or the KubeletPodResourcesGetAllocatable gate off).
     */
    public Optional<AllocatableResourcesResponse> allocatable() throws KubeletUnavailableException {
        if (!Files.exists(socket)) {
            throw new KubeletUnavailableException("the kubelet socket " + socket + " does not exist", null);
        }
        try {
            return Optional.of(stub.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS)
                    .getAllocatableResources(AllocatableResourcesRequest.getDefaultInstance()));
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
                return Optional.empty();
            }
            throw new KubeletUnavailableException("PodResources GetAllocatableResources on " + socket + " failed: "
                    + e.getStatus(), e);
        }
    }

    public Path socket() {
        return socket;
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    private static java.util.concurrent.ThreadFactory daemonThreads() {
        return r -> {
            Thread t = new Thread(r, "kubelet-podresources");
            t.setDaemon(true);
            return t;
        };
    }
}
