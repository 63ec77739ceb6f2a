#!/usr/bin/env bash
# Runs the NVML collector benchmark (collectors/src/test/java/costline/collectors/bench/NvmlSampleBench.java).
# Arguments go to the benchmark, e.g.: scripts/bench-nvml.sh --gpus 8 --rounds 5000 --exec /bin/true
set -euo pipefail
cd "$(dirname "$0")/.."
# One reactor run, so that the sibling modules resolve to their fresh target/classes, not to jars in ~/.m2.
mvn -B -q -o -pl collectors -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$PWD/collectors/target/bench.classpath" >/dev/null
cp="collectors/target/test-classes:collectors/target/classes:$(cat collectors/target/bench.classpath)"
exec java -Dcostline.fakeNvml="$PWD/collectors/target/fake-nvml/libnvidia-ml.so.1" \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" costline.collectors.bench.NvmlSampleBench "$@"
