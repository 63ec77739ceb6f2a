#!/usr/bin/env bash
# Runs the Kubernetes resolver benchmark (collectors/src/test/java/costline/collectors/bench/KubernetesResolverBench.java):
# the NVML collector's CPU per GPU sample with the resolver on and off in the same run.
# Arguments go to the benchmark, e.g.: scripts/bench-kubernetes.sh --gpus 8 --rounds 20000
set -euo pipefail
cd "$(dirname "$0")/.."
# One reactor run, so that the sibling modules resolve to their fresh target/classes, not to jars in ~/.m2.
mvn -B -q -pl collectors -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$PWD/collectors/target/bench.classpath" >/dev/null
cp="collectors/target/test-classes:collectors/target/classes:$(cat collectors/target/bench.classpath)"
exec java -Dcostline.fakeNvml="$PWD/collectors/target/fake-nvml/libnvidia-ml.so.1" \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -Dorg.slf4j.simpleLogger.log.io.grpc.netty.shaded.io.netty.bootstrap=error -cp "$cp" costline.collectors.bench.KubernetesResolverBench "$@"
