package costline.collectors.kubernetes;

import costline.collectors.kubernetes.podresources.v1.AllocatableResourcesRequest;
import costline.collectors.kubernetes.podresources.v1.AllocatableResourcesResponse;
import costline.collectors.kubernetes.podresources.v1.ContainerDevices;
import costline.collectors.kubernetes.podresources.v1.ContainerResources;
import costline.collectors.kubernetes.podresources.v1.ListPodResourcesRequest;
import costline.collectors.kubernetes.podresources.v1.ListPodResourcesResponse;
import costline.collectors.kubernetes.podresources.v1.PodResources;
import costline.collectors.kubernetes.podresources.v1.PodResourcesListerGrpc;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A kubelet's PodResources v1 service, served by a real gRPC server on a unix domain socket, answering with the pods
 * and devices a test sets. {@link #delay} makes it slow; {@link #garbage} serves bytes that are not HTTP/2 instead.
 */
public final class FakeKubelet implements AutoCloseable {

    private final Path socket;
    private final List<PodResources> pods = new ArrayList<>();
    private final AtomicInteger lists = new AtomicInteger();
    private volatile long delayMillis;
    private Server server;
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private ServerSocketChannel garbageServer;
    private Thread garbageThread;

    public FakeKubelet(Path socket) {
        this.socket = socket;
    }

    /** A socket path short enough for sun_path (108 bytes), under /tmp. */
    public static Path socketPath() throws IOException {
        return Files.createTempDirectory(Path.of("/tmp"), "kubelet").resolve("kubelet.sock");
    }

    public FakeKubelet start() throws IOException {
        boss = new EpollEventLoopGroup(1);
        workers = new EpollEventLoopGroup(1);
        server = NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .channelType(EpollServerDomainSocketChannel.class)
                .bossEventLoopGroup(boss)
                .workerEventLoopGroup(workers)
                .addService(new Service())
                .build()
                .start();
        return this;
    }

    /** Instead of gRPC: accepts connections and answers each with bytes that are not HTTP/2, then closes it. */
    FakeKubelet garbage() throws IOException {
        garbageServer = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        garbageServer.bind(UnixDomainSocketAddress.of(socket));
        garbageThread = new Thread(() -> {
            while (garbageServer.isOpen()) {
                try (SocketChannel c = garbageServer.accept()) {
                    c.write(ByteBuffer.wrap("HTTP/1.1 400 Bad Request\r\n\r\nthis is not gRPC\0\1\2\3".getBytes()));
                } catch (IOException closed) {
                    return;
                }
            }
        }, "garbage-kubelet");
        garbageThread.setDaemon(true);
        garbageThread.start();
        return this;
    }

    public Path socket() {
        return socket;
    }

    int lists() {
        return lists.get();
    }

    void delay(long millis) {
        delayMillis = millis;
    }

    /** Adds a pod with one container holding {@code deviceIds} of {@code resource}. */
    public synchronized FakeKubelet pod(String namespace, String name, String resource, String... deviceIds) {
        pods.add(PodResources.newBuilder().setNamespace(namespace).setName(name)
                .addContainers(ContainerResources.newBuilder().setName("main")
                        .addDevices(ContainerDevices.newBuilder().setResourceName(resource)
                                .addAllDeviceIds(List.of(deviceIds)))
                        .addCpuIds(3))
                .build());
        return this;
    }

    /** A pod without devices, as the kubelet lists every pod. */
    synchronized FakeKubelet plainPod(String namespace, String name) {
        pods.add(PodResources.newBuilder().setNamespace(namespace).setName(name)
                .addContainers(ContainerResources.newBuilder().setName("sidecar")).build());
        return this;
    }

    synchronized void remove(String namespace, String name) {
        pods.removeIf(p -> p.getNamespace().equals(namespace) && p.getName().equals(name));
    }

    private synchronized ListPodResourcesResponse response() {
        return ListPodResourcesResponse.newBuilder().addAllPodResources(pods).build();
    }

    @Override
    public void close() throws Exception {
        if (server != null) {
            server.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
        if (garbageServer != null) {
            garbageServer.close();
        }
        Files.deleteIfExists(socket);
    }

    private final class Service extends PodResourcesListerGrpc.PodResourcesListerImplBase {
        @Override
        public void list(ListPodResourcesRequest request, StreamObserver<ListPodResourcesResponse> observer) {
            lists.incrementAndGet();
            pause();
            observer.onNext(response());
            observer.onCompleted();
        }

        @Override
        public void getAllocatableResources(AllocatableResourcesRequest request,
                                            StreamObserver<AllocatableResourcesResponse> observer) {
            pause();
            observer.onNext(AllocatableResourcesResponse.newBuilder()
                    .addDevices(ContainerDevices.newBuilder().setResourceName("nvidia.com/gpu")
                            .addDeviceIds("GPU-00000000-0000-0000-0000-000000000000"))
                    .build());
            observer.onCompleted();
        }

        private void pause() {
            long d = delayMillis;
            if (d > 0) {
                try {
                    Thread.sleep(d);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
