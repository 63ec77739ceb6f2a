package costline.streams.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import costline.events.OwnedGpu;
import costline.events.Site;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The inventory file: entries, dates, removals, and every mistake named with its entry and field. */
class InventoryFileTest {

    private static InventoryFile.Inventory parse(String yaml) {
        return InventoryFile.parse(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "inventory.yaml");
    }

    @Test
    void readsEntriesDatesAndRemovals() {
        InventoryFile.Inventory inv = parse("""
                gpus:
                  - gpu_id: GPU-1
                    host: node-1
                    gpu_model: NVIDIA H100 80GB HBM3
                    in_service_from: 2026-10-01
                    retired_at: 2026-10-15T12:30:00Z
                    reference: asset 4711
                  - gpu_id: GPU-2
                    host: node-1
                    gpu_model: NVIDIA H100 80GB HBM3
                    in_service_from: 2026-10-01T08:00:00Z
                remove: [GPU-9]
                """);
        assertThat(inv.gpus()).hasSize(2);
        OwnedGpu first = inv.gpus().get(0);
        assertThat(first.getInServiceFrom()).isEqualTo(Instant.parse("2026-10-01T00:00:00Z"));
        assertThat(first.getRetiredAt()).isEqualTo(Instant.parse("2026-10-15T12:30:00Z"));
        assertThat(first.getSite()).isEqualTo(Site.ONPREM);
        assertThat(first.getReference()).isEqualTo("asset 4711");
        assertThat(inv.gpus().get(1).getRetiredAt()).isNull();
        assertThat(inv.removed()).containsExactly("GPU-9");
    }

    @Test
    void mistakesNameTheEntryAndTheField() {
        String ok = "    host: n\n    gpu_model: H100\n    in_service_from: 2026-10-01\n";
        assertThatThrownBy(() -> parse("gpus:\n  - host: n\n    gpu_model: H100\n    in_service_from: 2026-10-01\n"))
                .hasMessageContaining("gpus[0]").hasMessageContaining("'gpu_id' is required");
        assertThatThrownBy(() -> parse("gpus:\n  - gpu_id: G\n" + ok + "    retired_at: 2026-09-01\n"))
                .hasMessageContaining("gpus[0]").hasMessageContaining("retired_at 2026-09-01T00:00:00Z is not after in_service_from");
        assertThatThrownBy(() -> parse("gpus:\n  - gpu_id: G\n    host: n\n    gpu_model: H100\n    in_service_from: 1 Oct\n"))
                .hasMessageContaining("'in_service_from' is '1 Oct'").hasMessageContaining("2026-10-01T08:00:00Z");
        assertThatThrownBy(() -> parse("gpus:\n  - gpu_id: G\n" + ok + "  - gpu_id: G\n" + ok))
                .hasMessageContaining("gpus[1]").hasMessageContaining("listed twice");
        assertThatThrownBy(() -> parse("gpus:\n  - gpu_id: unobserved\n" + ok)).hasMessageContaining("reserved name");
        assertThatThrownBy(() -> parse("gpus:\n  - gpu_id: G\n" + ok + "    gpus_per_server: 8\n"))
                .hasMessageContaining("unknown field 'gpus_per_server'");
        assertThatThrownBy(() -> parse("servers: []\n")).hasMessageContaining("unknown section 'servers'");
        assertThatThrownBy(() -> parse("gpus: []\n")).hasMessageContaining("no entries");
    }
}
