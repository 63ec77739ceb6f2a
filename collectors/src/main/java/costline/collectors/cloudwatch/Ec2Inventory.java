package costline.collectors.cloudwatch;

import costline.collectors.poll.Retrier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeInstanceTypesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstanceTypesResponse;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesResponse;
import software.amazon.awssdk.services.ec2.model.GpuDeviceInfo;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceTypeInfo;
import software.amazon.awssdk.services.ec2.model.Reservation;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * The instances of one region as EC2 describes them, with each type's GPUs. DescribeInstances lists every
 * instance (1,000 a page); DescribeInstanceTypes tells which types have GPUs and how many, once per type
 * (types do not change, so they are cached for the poller's life).
 */
public final class Ec2Inventory {

    /** One snapshot: instances by id and by host name (the agent's default host dimension). */
    public record Snapshot(Map<String, InstanceInfo> byId, Map<String, InstanceInfo> byHost) {
        static final Snapshot EMPTY = new Snapshot(Map.of(), Map.of());

        InstanceInfo find(String instanceId, String host) {
            if (instanceId != null) {
                InstanceInfo i = byId.get(instanceId);
                if (i != null) {
                    return i;
                }
            }
            if (host == null) {
                return null;
            }
            InstanceInfo i = byHost.get(host);
            if (i == null) {
                int dot = host.indexOf('.');
                i = byHost.get(dot > 0 ? host.substring(0, dot) : host);
            }
            return i;
        }
    }

    private static final int TYPES_PER_CALL = 100;

    private final Ec2Client ec2;
    private final Retrier retrier;
    private final String region;
    private final Map<String, InstanceInfo.GpuInfo> types = new ConcurrentHashMap<>();
    private int calls;

    public Ec2Inventory(Ec2Client ec2, Retrier retrier, String region) {
        this.ec2 = ec2;
        this.retrier = retrier;
        this.region = region;
    }

    public Snapshot describe() {
        List<Instance> instances = new ArrayList<>();
        String token = null;
        do {
            DescribeInstancesRequest request = DescribeInstancesRequest.builder().maxResults(1000).nextToken(token).build();
            DescribeInstancesResponse response = retrier.call("DescribeInstances in " + region, () -> ec2.describeInstances(request));
            calls++;
            for (Reservation r : response.reservations()) {
                instances.addAll(r.instances());
            }
            token = response.nextToken();
        } while (token != null && !token.isEmpty());

        Set<String> unknownTypes = new TreeSet<>();
        for (Instance i : instances) {
            if (i.instanceTypeAsString() != null && !types.containsKey(i.instanceTypeAsString())) {
                unknownTypes.add(i.instanceTypeAsString());
            }
        }
        describeTypes(new ArrayList<>(unknownTypes));

        Map<String, InstanceInfo> byId = new HashMap<>();
        Map<String, InstanceInfo> byHost = new HashMap<>();
        for (Instance i : instances) {
            Map<String, String> tags = new HashMap<>();
            for (Tag t : i.tags()) {
                tags.put(t.key(), t.value());
            }
            InstanceInfo info = new InstanceInfo(i.instanceId(), i.instanceTypeAsString(), region,
                    i.placement() == null ? null : i.placement().availabilityZone(),
                    i.state() == null ? "unknown" : i.state().nameAsString(), i.launchTime(),
                    i.privateDnsName() == null ? "" : i.privateDnsName(), tags,
                    types.getOrDefault(i.instanceTypeAsString(), InstanceInfo.GpuInfo.NONE),
                    i.instanceLifecycleAsString());
            byId.put(info.instanceId(), info);
            String dns = info.privateDnsName();
            if (!dns.isEmpty()) {
                byHost.put(dns, info);
                int dot = dns.indexOf('.');
                if (dot > 0) {
                    byHost.putIfAbsent(dns.substring(0, dot), info);
                }
            }
        }
        return new Snapshot(Map.copyOf(byId), Map.copyOf(byHost));
    }

    private void describeTypes(List<String> names) {
        for (int from = 0; from < names.size(); from += TYPES_PER_CALL) {
            List<String> batch = names.subList(from, Math.min(names.size(), from + TYPES_PER_CALL));
            String token = null;
            do {
                DescribeInstanceTypesRequest request = DescribeInstanceTypesRequest.builder()
                        .instanceTypesWithStrings(batch).nextToken(token).build();
                DescribeInstanceTypesResponse response = retrier.call("DescribeInstanceTypes in " + region,
                        () -> ec2.describeInstanceTypes(request));
                calls++;
                for (InstanceTypeInfo t : response.instanceTypes()) {
                    types.put(t.instanceTypeAsString(), gpuInfo(t));
                }
                token = response.nextToken();
            } while (token != null && !token.isEmpty());
            for (String name : batch) {
                types.putIfAbsent(name, InstanceInfo.GpuInfo.NONE);
            }
        }
    }

    static InstanceInfo.GpuInfo gpuInfo(InstanceTypeInfo t) {
        if (t.gpuInfo() == null || !t.gpuInfo().hasGpus() || t.gpuInfo().gpus().isEmpty()) {
            return InstanceInfo.GpuInfo.NONE;
        }
        int count = 0;
        GpuDeviceInfo first = t.gpuInfo().gpus().get(0);
        for (GpuDeviceInfo g : t.gpuInfo().gpus()) {
            count += g.count() == null ? 0 : g.count();
        }
        String model = first.manufacturer() == null ? first.name() : first.manufacturer() + " " + first.name();
        Integer mem = first.memoryInfo() == null ? null : first.memoryInfo().sizeInMiB();
        return new InstanceInfo.GpuInfo(count, model, mem);
    }

    public int calls() {
        return calls;
    }
}
