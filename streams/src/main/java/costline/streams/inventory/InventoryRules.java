package costline.streams.inventory;

import costline.events.OwnedGpu;
import costline.events.Site;
import costline.schemas.Names;

/**
 * What an inventory entry must be for its GPU's fixed cost to accrue: the record's key is its GPU id, names follow the
 * one rule for names, the GPU is on-prem, and it retires after it went into service. The cost topology dead-letters a
 * record that breaks them (gpu.inventory.dlq, reason header); the loader refuses it before it is sent.
 */
public final class InventoryRules {

    /** Why an inventory record is refused: the value of the {@code costline.dlq.reason} header. */
    public enum Reason {
        /** Empty value, or not the Confluent magic byte. */
        BAD_MAGIC_BYTE,
        /** The schema id names no schema the registry knows. */
        UNKNOWN_SCHEMA_ID,
        /** The Avro body does not decode as an OwnedGpu. */
        CORRUPT_BODY,
        /** The record has no key, or its key is not its gpu_id (compaction would keep the wrong entry). */
        KEY_MISMATCH,
        /** GPU id, host or GPU model breaks the one rule for names. */
        INVALID_NAME,
        /** site is not ONPREM: a cloud GPU costs what its instance is billed, not amortization. */
        NOT_ONPREM,
        /** retired_at is not after in_service_from. */
        BAD_DATES
    }

    /** A refusal: reason and detail. */
    public record Problem(Reason reason, String detail) {
    }

    private InventoryRules() {
    }

    /** The problem with the record under {@code key}, or null when it is a valid entry. */
    public static Problem check(String key, OwnedGpu gpu) {
        for (var name : new Object[][] {{Names.Kind.GPU_ID, gpu.getGpuId()}, {Names.Kind.HOST, gpu.getHost()},
                {Names.Kind.GPU_MODEL, gpu.getGpuModel()}}) {
            String problem = Names.check((Names.Kind) name[0], (String) name[1]);
            if (problem != null) {
                return new Problem(Reason.INVALID_NAME, problem);
            }
        }
        if (key == null || !key.equals(gpu.getGpuId())) {
            return new Problem(Reason.KEY_MISMATCH, "key '" + key + "' is not the gpu_id '" + gpu.getGpuId() + "'");
        }
        if (gpu.getSite() != Site.ONPREM) {
            return new Problem(Reason.NOT_ONPREM, "site " + gpu.getSite() + ": only owned (ONPREM) GPUs are inventoried");
        }
        if (gpu.getRetiredAt() != null && !gpu.getRetiredAt().isAfter(gpu.getInServiceFrom())) {
            return new Problem(Reason.BAD_DATES, "retired_at " + gpu.getRetiredAt() + " is not after in_service_from "
                    + gpu.getInServiceFrom());
        }
        return null;
    }
}
