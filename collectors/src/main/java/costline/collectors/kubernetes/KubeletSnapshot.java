package costline.collectors.kubernetes;

import costline.collectors.kubernetes.podresources.v1.ContainerDevices;
import costline.collectors.kubernetes.podresources.v1.ContainerResources;
import costline.collectors.kubernetes.podresources.v1.ListPodResourcesResponse;
import costline.collectors.kubernetes.podresources.v1.PodResources;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Which containers hold which GPU and MIG devices, as the kubelet said at one moment. Immutable. */
public final class KubeletSnapshot {

    public static final KubeletSnapshot EMPTY = new KubeletSnapshot(Map.of());

    private final Map<String, List<DeviceHolder>> byDevice;

    private KubeletSnapshot(Map<String, List<DeviceHolder>> byDevice) {
        this.byDevice = byDevice;
    }

    public static KubeletSnapshot of(ListPodResourcesResponse response) {
        Map<String, List<DeviceHolder>> byDevice = new HashMap<>();
        for (PodResources pod : response.getPodResourcesList()) {
            PodRef ref = new PodRef(pod.getNamespace(), pod.getName());
            for (ContainerResources container : pod.getContainersList()) {
                for (ContainerDevices devices : container.getDevicesList()) {
                    for (String id : devices.getDeviceIdsList()) {
                        DeviceIds.parse(id).ifPresent(parsed -> byDevice
                                .computeIfAbsent(parsed.device(), k -> new ArrayList<>())
                                .add(new DeviceHolder(ref, container.getName(), parsed.device(), parsed.replica(),
                                        devices.getResourceName())));
                    }
                }
            }
        }
        Map<String, List<DeviceHolder>> frozen = new HashMap<>();
        byDevice.forEach((k, v) -> frozen.put(k, List.copyOf(v)));
        return new KubeletSnapshot(Map.copyOf(frozen));
    }

    /** Containers holding the device (a GPU or MIG UUID), any replica; empty when no pod holds it. */
    public List<DeviceHolder> holders(String device) {
        return byDevice.getOrDefault(device, List.of());
    }

    /** The distinct pods holding the device, in the kubelet's order. */
    public List<PodRef> pods(String device) {
        List<DeviceHolder> holders = holders(device);
        if (holders.size() == 1) {
            return List.of(holders.get(0).pod());
        }
        Set<PodRef> pods = new LinkedHashSet<>();
        for (DeviceHolder h : holders) {
            pods.add(h.pod());
        }
        return List.copyOf(pods);
    }

    public Set<String> devices() {
        return byDevice.keySet();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KubeletSnapshot other && byDevice.equals(other.byDevice);
    }

    @Override
    public int hashCode() {
        return byDevice.hashCode();
    }
}
