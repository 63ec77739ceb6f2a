package costline.collectors.kubernetes;

/**
 * A container that holds a GPU or MIG device, from the kubelet.
 *
 * @param device   the physical device: a GPU UUID ({@code GPU-...}) or a MIG device UUID ({@code MIG-...})
 * @param replica  the time-slicing replica the container holds ({@code <uuid>::<n>}), null for the whole device
 * @param resource the extended resource it came from, e.g. {@code nvidia.com/gpu} or {@code nvidia.com/mig-1g.10gb}
 */
public record DeviceHolder(PodRef pod, String container, String device, Integer replica, String resource) {
}
