"""Field-by-field comparison of `costline collect nvml --once --json` with nvidia-smi and pynvml, taken side by
side under load. Usage: gpu_check_compare.py OUT_DIR  (reads the files gpu-check.sh wrote; prints Markdown)."""
import csv
import glob
import json
import os
import sys

SMI_FIELDS = ["index", "uuid", "name", "utilization.gpu", "utilization.memory", "memory.used", "memory.total",
              "power.draw", "temperature.gpu", "clocks.sm"]
MIB = 1024 * 1024


def load_jsonl(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip().startswith("{")]


def smi_rows(path):
    rows = {}
    with open(path) as f:
        for row in csv.reader(f):
            if len(row) == len(SMI_FIELDS):
                rows[int(row[0])] = dict(zip(SMI_FIELDS, [c.strip() for c in row]))
    return rows


def num(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def main(out):
    print("# costline collect nvml vs nvidia-smi vs pynvml\n")
    for path in sorted(glob.glob(os.path.join(out, "round-*-costline.jsonl"))):
        tag = os.path.basename(path).split("-costline")[0]
        costline = {s["gpu_index"]: s for s in load_jsonl(path)}
        smi = smi_rows(os.path.join(out, tag + "-smi.csv"))
        py = {p["index"]: p for p in load_jsonl(os.path.join(out, tag + "-pynvml.jsonl"))}
        for index, s in sorted(costline.items()):
            m = smi.get(index, {})
            p = py.get(index, {})
            print(f"## {tag}, GPU {index} ({s['gpu_model']}, {s['gpu_id']})\n")
            print("| field | costline | nvidia-smi | pynvml |")
            print("|---|---|---|---|")
            rows = [
                ("gpu_id / uuid", s["gpu_id"], m.get("uuid"), p.get("uuid")),
                ("util_gpu_pct", s["util_gpu_pct"], m.get("utilization.gpu"), p.get("util_gpu")),
                ("util_mem_pct", s["util_mem_pct"], m.get("utilization.memory"), p.get("util_mem")),
                ("mem_used_bytes (smi MiB x 2^20)", s["mem_used_bytes"],
                 None if num(m.get("memory.used")) is None else int(num(m.get("memory.used")) * MIB), p.get("mem_used")),
                ("mem_total_bytes (smi MiB x 2^20)", s["mem_total_bytes"],
                 None if num(m.get("memory.total")) is None else int(num(m.get("memory.total")) * MIB),
                 p.get("mem_total")),
                ("power_w", s["power_w"], m.get("power.draw"),
                 None if num(p.get("power_mw")) is None else num(p.get("power_mw")) / 1000),
                ("temp_c", s["temp_c"], m.get("temperature.gpu"), p.get("temp_c")),
                ("sm_clock_mhz", s["sm_clock_mhz"], m.get("clocks.sm"), p.get("sm_clock_mhz")),
                ("energy_counter_mj", s["energy_counter_mj"], "-", p.get("energy_mj")),
                ("mig_enabled", s["mig_enabled"], "-", p.get("mig_current")),
                ("health", json.dumps(s["health"]), "-",
                 f"ecc corr {p.get('ecc_corrected_volatile')}, uncorr {p.get('ecc_uncorrected_volatile')}, "
                 f"remapped {p.get('remapped_rows')}"),
                ("processes (pid, used bytes)", "-", "-", json.dumps(p.get("processes"))),
                ("per-process SM util", "-", "-", json.dumps(p.get("process_util"))),
                ("workloads", json.dumps(s["workloads"]), "-", "-"),
            ]
            for name, a, b, c in rows:
                print(f"| {name} | {a} | {b} | {c} |")
            print()
    stream = os.path.join(out, "stream-costline.jsonl")
    if os.path.exists(stream):
        print("## Energy counter vs integrated power (continuous run under load)\n")
        by_gpu = {}
        for s in load_jsonl(stream):
            by_gpu.setdefault(s["gpu_index"], []).append(s)
        for index, samples in sorted(by_gpu.items()):
            marks = [s for s in samples if s["energy_counter_mj"] is not None]
            if len(marks) < 2:
                print(f"GPU {index}: fewer than two energy readings\n")
                continue
            first, last = marks[0], marks[-1]
            delta_j = (last["energy_counter_mj"] - first["energy_counter_mj"]) / 1000
            between = [s for s in samples if first["sample_time"] < s["sample_time"] <= last["sample_time"]]
            integral_j = sum((s["power_w"] or 0) * s["interval_ms"] / 1000 for s in between)
            print(f"GPU {index}: energy counter delta {delta_j:.1f} J over "
                  f"{(last['sample_time'] - first['sample_time']) / 1000:.1f} s; sum of power_w x interval "
                  f"{integral_j:.1f} J ({len(between)} samples)\n")


if __name__ == "__main__":
    main(sys.argv[1])
