#!/usr/bin/env bash
# GPU check for the NVML collector, on a GPU host without Java: runs `costline collect nvml --once --json` (the
# bundle from scripts/build-gpu-bundle.sh, carried as dist/gpu) idle and under a PyTorch bf16 matmul load, next to
# nvidia-smi and pynvml, then the per-sample CPU benchmark on the real NVML. Everything goes under $OUT
# (default ./out/gpu-check); comparison.md holds the field-by-field table.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-$PWD/out/gpu-check}
mkdir -p "$OUT"
bundle=dist/gpu
LOAD_SECONDS=${LOAD_SECONDS:-45}
log() { echo "[gpu-check $(date -u +%H:%M:%S)] $*" | tee -a "$OUT/gpu-check.log"; }

# A copied tree may lose execute bits: restore them on the launcher, the runtime's programs and jspawnhelper
# (the JVM needs it to start processes, which the benchmark's exec baseline does).
chmod +x "$bundle/costline" "$bundle"/runtime/bin/* "$bundle/runtime/lib/jspawnhelper" 2>/dev/null
if [ ! -x "$bundle/costline" ] || [ ! -x "$bundle/runtime/bin/java" ]; then
  log "no bundle at $bundle: run scripts/build-gpu-bundle.sh first and carry dist/gpu"
  exit 2
fi
costline() { "$bundle/costline" "$@"; }

log "host $(hostname), $(uname -r)"
{ nvidia-smi -L; nvidia-smi; } > "$OUT/nvidia-smi.txt" 2>&1 || log "nvidia-smi not available"
ldconfig -p 2>/dev/null | grep -i nvidia-ml > "$OUT/ldconfig-nvml.txt"

# The collector's own start-up check: without NVML it exits 1 with a message that says what to install.
if ! costline collect nvml --once --json > "$OUT/idle-costline.jsonl" 2> "$OUT/idle-costline.err"; then
  log "costline collect nvml failed:"
  cat "$OUT/idle-costline.err" | tee -a "$OUT/gpu-check.log"
  exit 3
fi
log "idle round: $(wc -l < "$OUT/idle-costline.jsonl") sample(s)"

smi_query=index,uuid,name,utilization.gpu,utilization.memory,memory.used,memory.total,power.draw,temperature.gpu,clocks.sm
have_torch=0
python3 -c 'import torch; assert torch.cuda.is_available()' 2>/dev/null && have_torch=1
have_pynvml=0
python3 -c 'import pynvml' 2>/dev/null && have_pynvml=1

round() { # $1 = tag: the collector, nvidia-smi and pynvml back to back
  local tag=$1
  date -u +%s%3N > "$OUT/$tag-time.txt"
  costline collect nvml --once --json > "$OUT/$tag-costline.jsonl" 2> "$OUT/$tag-costline.err"
  nvidia-smi --query-gpu=$smi_query --format=csv,noheader,nounits > "$OUT/$tag-smi.csv" 2>&1
  nvidia-smi --query-compute-apps=pid,used_memory --format=csv > "$OUT/$tag-smi-apps.csv" 2>&1
  [ $have_pynvml = 1 ] && python3 scripts/gpu_check_pynvml.py > "$OUT/$tag-pynvml.jsonl" 2>&1
  date -u +%s%3N >> "$OUT/$tag-time.txt"
}

round round-0-idle
if [ $have_torch = 1 ]; then
  log "load: bf16 matmul for ${LOAD_SECONDS}s (workload env COSTLINE_WORKLOAD=gpu-check-matmul)"
  COSTLINE_WORKLOAD=gpu-check-matmul COSTLINE_TEAM=costline python3 -c '
import sys, time, torch
a = torch.randn(8192, 8192, device="cuda", dtype=torch.bfloat16)
b = torch.randn(8192, 8192, device="cuda", dtype=torch.bfloat16)
end = time.time() + float(sys.argv[1])
n = 0
while time.time() < end:
    for _ in range(20):
        c = a @ b
    torch.cuda.synchronize()
    n += 20
print(f"{n} matmuls, {n * 2 * 8192**3 / float(sys.argv[1]) / 1e12:.0f} TFLOP/s")
' "$LOAD_SECONDS" > "$OUT/load.log" 2>&1 &
  load_pid=$!
  sleep 8
  for i in 1 2 3; do
    round "round-$i-load"
    sleep 2
  done
  # A continuous run: energy counter every 2 s next to power every 1 s, to check that the delta integrates power.
  timeout 8 "$bundle/costline" collect nvml --json --interval 1s --energy-interval 2s \
    > "$OUT/stream-costline.jsonl" 2> "$OUT/stream-costline.err"
  # The benchmark with a process on the GPU (per-process utilization and attribution on the hot path).
  "$bundle/runtime/bin/java" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$bundle/lib/*" \
    costline.collectors.bench.NvmlSampleBench --library libnvidia-ml.so.1 --rounds 2000 --execs 10 \
    --exec "nvidia-smi -q -x" > "$OUT/bench-load.txt" 2>&1
  wait $load_pid
  log "load done: $(cat "$OUT/load.log" | tail -1)"
else
  log "no PyTorch with CUDA here: rounds are idle only"
  for i in 1 2; do round "round-$i-noload"; sleep 1; done
fi

if [ $have_pynvml = 1 ]; then
  python3 scripts/gpu_check_compare.py "$OUT" > "$OUT/comparison.md" 2> "$OUT/comparison.err"
  log "comparison written to comparison.md"
fi

log "benchmark under load:"
[ -f "$OUT/bench-load.txt" ] && tee -a "$OUT/gpu-check.log" < "$OUT/bench-load.txt"
log "benchmark on the real NVML (idle GPU)"
"$bundle/runtime/bin/java" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$bundle/lib/*" \
  costline.collectors.bench.NvmlSampleBench --library libnvidia-ml.so.1 --rounds 2000 --execs 20 \
  --exec "nvidia-smi -q -x" --exec "nvidia-smi --query-gpu=$smi_query --format=csv" --exec /bin/true \
  > "$OUT/bench.txt" 2>&1
cat "$OUT/bench.txt" | tee -a "$OUT/gpu-check.log"
log "done"
