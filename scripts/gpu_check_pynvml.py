"""Reads every GPU through pynvml (nvidia-ml-py) and prints one JSON object per GPU, in NVML units, to cross-check
the collector's JNA readings field by field."""
import json
import time

import pynvml as n


def text(value):
    return value.decode() if isinstance(value, bytes) else value


def call(fn, *args):
    try:
        return fn(*args)
    except n.NVMLError as e:
        return "ERR: " + str(e)


n.nvmlInit()
now = time.time()
for i in range(n.nvmlDeviceGetCount()):
    h = n.nvmlDeviceGetHandleByIndex(i)
    util = call(n.nvmlDeviceGetUtilizationRates, h)
    mem = call(n.nvmlDeviceGetMemoryInfo, h)
    procs = call(n.nvmlDeviceGetComputeRunningProcesses, h)
    putil = call(n.nvmlDeviceGetProcessUtilization, h, int((now - 2) * 1e6))
    mig = call(n.nvmlDeviceGetMigMode, h)
    remap = call(n.nvmlDeviceGetRemappedRows, h)
    out = {
        "read_at_ms": int(now * 1000),
        "index": i,
        "uuid": text(call(n.nvmlDeviceGetUUID, h)),
        "name": text(call(n.nvmlDeviceGetName, h)),
        "util_gpu": getattr(util, "gpu", util),
        "util_mem": getattr(util, "memory", util),
        "mem_used": getattr(mem, "used", mem),
        "mem_total": getattr(mem, "total", mem),
        "power_mw": call(n.nvmlDeviceGetPowerUsage, h),
        "energy_mj": call(n.nvmlDeviceGetTotalEnergyConsumption, h),
        "temp_c": call(n.nvmlDeviceGetTemperature, h, n.NVML_TEMPERATURE_GPU),
        "sm_clock_mhz": call(n.nvmlDeviceGetClockInfo, h, n.NVML_CLOCK_SM),
        "mig_current": mig[0] if isinstance(mig, (list, tuple)) else mig,
        "ecc_corrected_volatile": call(n.nvmlDeviceGetTotalEccErrors, h, n.NVML_MEMORY_ERROR_TYPE_CORRECTED,
                                       n.NVML_VOLATILE_ECC),
        "ecc_uncorrected_volatile": call(n.nvmlDeviceGetTotalEccErrors, h, n.NVML_MEMORY_ERROR_TYPE_UNCORRECTED,
                                         n.NVML_VOLATILE_ECC),
        "remapped_rows": list(remap) if isinstance(remap, (list, tuple)) else remap,
        "processes": [{"pid": p.pid, "used": p.usedGpuMemory} for p in procs] if isinstance(procs, list) else procs,
        "process_util": [{"pid": s.pid, "sm": s.smUtil, "ts": s.timeStamp} for s in putil]
        if isinstance(putil, list) else putil,
    }
    print(json.dumps(out))
n.nvmlShutdown()
