#!/usr/bin/env bash
# Per-call cost of the NVML calls the collector makes, on the first GPU, idle and under a PyTorch bf16 matmul
# load (with a process on the GPU, the per-process calls do real work). Needs the bundle from
# scripts/build-gpu-bundle.sh carried as dist/gpu. Output under $OUT (default ./out/gpu-calls).
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-$PWD/out/gpu-calls}
mkdir -p "$OUT"
bundle=dist/gpu
chmod +x "$bundle"/runtime/bin/* 2>/dev/null
calls() { "$bundle/runtime/bin/java" -cp "$bundle/lib/*" costline.collectors.nvml.NvmlCallBench "${NVML_LIBRARY:-libnvidia-ml.so.1}" 500; }
echo "== idle" | tee "$OUT/calls.txt"
calls 2>&1 | tee -a "$OUT/calls.txt"
if python3 -c 'import torch; assert torch.cuda.is_available()' 2>/dev/null; then
  python3 -c '
import time, torch
a = torch.randn(8192, 8192, device="cuda", dtype=torch.bfloat16)
end = time.time() + 40
while time.time() < end:
    for _ in range(20):
        c = a @ a
    torch.cuda.synchronize()
' &
  load=$!
  sleep 8
  echo "== under load (one process on the GPU)" | tee -a "$OUT/calls.txt"
  calls 2>&1 | tee -a "$OUT/calls.txt"
  kill $load 2>/dev/null; wait $load 2>/dev/null
fi
