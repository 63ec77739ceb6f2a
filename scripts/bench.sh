#!/usr/bin/env bash
# One command per benchmark, from a clean clone, with nothing installed into ~/.m2:
#
#   scripts/bench.sh <name> [arguments of the benchmark]
#
#   serde       Avro serde size and encode+decode throughput       (baseline: JSON of the same fields)
#   nvml        NVML collector CPU per GPU sample (fake library)   (baseline: exec /bin/true)
#   kubernetes  the same with the Kubernetes resolver              (baseline: resolver off)
#   cloudwatch  one CloudWatch poll over 1,000 GPUs x 5 metrics    (baseline: 50 queries per call)
#   cost        cost topology throughput, 1 and 2 stream threads   (baseline: raw producer->consumer, same broker)
#   costing     the costing of one sample alone, CPU per sample     (baseline: an empty loop over the samples)
#   latency     sample -> store latency at 10,000 samples/s        (baseline: the exactly-once commit interval)
#   pipeline    the quickstart's whole pipeline, as fast as it goes (baseline: 10,000 samples/s, the goal)
#   store       the embedded store alone under the sink's 1 Hz load (baseline: QuestDB's default settings)
#   scaleout    cost topology, 1 instance vs 2 JVMs on 12 partitions (baseline: 1 instance, 1 thread)
#   drift       drift detector delay and false alarms              (baseline: plain CUSUM)
#   memory      the whole pipeline over 3 months: heap, RSS, state  (baseline: the first month's heap)
#
# Each prints its figures and, last, one line "<name>: <figure> <unit> (<ratio> of <baseline>)". The load average
# before and after is printed too: on a shared machine, compare ratios measured in one run.
# BENCH_JAVA_OPTS adds JVM options (a JFR recording, say: -XX:StartFlightRecording=filename=/tmp/b.jfr,settings=profile).
set -euo pipefail
cd "$(dirname "$0")/.."

name=${1:-}
[ $# -gt 0 ] && shift
case "$name" in
  serde)      module=schemas;     main=costline.schemas.bench.SerdeBenchmark ;;
  nvml)       module=collectors;  main=costline.collectors.bench.NvmlSampleBench ;;
  kubernetes) module=collectors;  main=costline.collectors.bench.KubernetesResolverBench ;;
  cloudwatch) module=collectors;  main=costline.collectors.cloudwatch.bench.PollBenchmark ;;
  cost)       module=streams;     main=costline.streams.bench.CostPipelineBench; set -- throughput "$@" ;;
  costing)    module=streams;     main=costline.streams.cost.SampleCostingBench ;;
  latency)    module=streams;     main=costline.streams.bench.CostPipelineBench; set -- latency "$@" ;;
  scaleout)   module=streams;     main=costline.streams.bench.ScaleOutBench ;;
  drift)      module=streams;     main=costline.streams.drift.bench.DriftDetectorBench ;;
  pipeline)   module=app;         main=costline.app.bench.PipelineBench ;;
  store)      module=embedded;    main=costline.embedded.StoreWriteBench ;;
  memory)     module=app;         main=costline.app.bench.MemoryBench ;;
  *)
    sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2 ;;
esac

# One reactor run: the sibling modules resolve to their fresh target/classes (a separate
# `dependency:build-classpath` run would look for them in ~/.m2, where nothing is installed). The class path of the
# third-party dependencies is written next to each module's classes.
mvn -B -q -ntp -pl "$module" -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/bench.classpath >/dev/null
cp="$module/target/test-classes:$module/target/classes:$(cat "$module/target/bench.classpath")"

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cpus; $(date -u +%Y-%m-%dT%H:%M:%SZ))"
# shellcheck disable=SC2086
java -Xmx3g ${BENCH_JAVA_OPTS:-} -Dcostline.fakeNvml="$PWD/collectors/target/fake-nvml/libnvidia-ml.so.1" \
  -Dcostline.bench.classpath="$cp" \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -Dorg.slf4j.simpleLogger.log.io.grpc.netty.shaded.io.netty.bootstrap=error \
  -Dorg.slf4j.simpleLogger.log.org.apache.kafka=error \
  -cp "$cp" "$main" "$@" | {
    # the last line of the benchmark is its summary: print the load after it, before it
    last=""
    while IFS= read -r line; do
      if [ -n "$last" ]; then printf '%s\n' "$last"; fi
      last=$line
    done
    echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
    if [ -n "$last" ]; then printf '%s\n' "$last"; fi
  }
