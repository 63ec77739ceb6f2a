package costline.collectors.kubernetes;

import java.util.Optional;

/**
 * Reads the device ids the NVIDIA device plugin hands to the kubelet: a GPU UUID ({@code GPU-<uuid>}), a MIG device
 * UUID ({@code MIG-<uuid>}, or the pre-R470 form {@code MIG-GPU-<uuid>/<gi>/<ci>}), and for time-slicing either of
 * them followed by {@code ::<replica>}. Anything else (another vendor's device, a CPU id) is not a GPU.
 */
final class DeviceIds {

    private DeviceIds() {
    }

    /** The device and replica of one device id, or empty when the id names no NVIDIA GPU or MIG device. */
    static Optional<Parsed> parse(String deviceId) {
        if (deviceId == null) {
            return Optional.empty();
        }
        String id = deviceId.trim();
        Integer replica = null;
        int sep = id.indexOf("::");
        if (sep >= 0) {
            String suffix = id.substring(sep + 2);
            id = id.substring(0, sep);
            try {
                replica = Integer.parseInt(suffix);
            } catch (NumberFormatException e) {
                return Optional.empty(); // not the device plugin's replica form
            }
        }
        if (!(id.startsWith("GPU-") || id.startsWith("MIG-")) || id.length() < 8) {
            return Optional.empty();
        }
        return Optional.of(new Parsed(id, replica));
    }

    record Parsed(String device, Integer replica) {
    }
}
