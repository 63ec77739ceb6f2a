#!/usr/bin/env bash
# Builds dist/gpu/ for a GPU host that has no Java: a jlink'd Java runtime (dist/gpu/runtime), the jars that
# `costline collect nvml` and the NVML benchmark need (dist/gpu/lib) and a launcher (dist/gpu/costline).
# The Kafka client's native compression libraries (zstd, snappy, lz4: ~10 MB) are left out: the collector does not
# compress unless --producer-property compression.type=... asks for it.
# Usage: scripts/build-gpu-bundle.sh            (MAVEN_ARGS=-o to build offline)
set -euo pipefail
cd "$(dirname "$0")/.."
out=dist/gpu

# One reactor run, so that the project's modules resolve to their fresh target/ jars. `package -DskipTests`
# also compiles the test classes (the benchmark) and the fake NVML library used for the smoke test below.
mvn -B -q ${MAVEN_ARGS:-} -pl app -am -DskipTests package dependency:build-classpath -DincludeScope=runtime \
  -Dmdep.outputFile=target/runtime.classpath >/dev/null

# Only what `collect nvml` loads: the app's full class path (Streams, RocksDB, QuestDB, the AWS SDK, the broker)
# is ~180 MB, more than the 64 MiB that travels. The other subcommands' classes stay in costline-app.jar; picocli
# links them without loading what their method bodies use, and the smoke test below proves it.
# The Kubernetes resolver's jars (gRPC with its shaded netty, protobuf, fabric8) stay out too: a GPU check host has
# no kubelet socket, so the resolver is off (--kubernetes auto) and none of its classes load.
rm -rf "$out"
mkdir -p "$out/lib"
for jar in $(tr ':' ' ' < app/target/runtime.classpath); do
  case "$(basename "$jar")" in
    costline-*|jna-*|avro-*|jackson-core-*|jackson-databind-*|jackson-annotations-*|\
    kafka-clients-*|slf4j-api-*|slf4j-simple-*|picocli-*|commons-compress-*|commons-io-*|commons-lang3-*|\
    micrometer-*|prometheus-metrics-*|HdrHistogram-*|LatencyUtils-*)
      cp "$jar" "$out/lib/" ;;
  esac
done
jar cf "$out/lib/costline-app.jar" -C app/target/classes .
jar cf "$out/lib/costline-bench.jar" -C collectors/target/test-classes costline/collectors/bench \
  $(cd collectors/target/test-classes && ls costline/collectors/nvml/FakeNvml*.class costline/collectors/nvml/NvmlCallBench.class | sed 's#^#-C collectors/target/test-classes #')

# jdeps --print-module-deps lists java.desktop (JNA's AWT helpers, Jackson's optional java.beans support),
# java.sql (Jackson, optional) and jdk.httpserver (the in-process registry server, and the health endpoint of
# --health-port, which the collector serves with it: kept): the others are not on the collector's path,
# and leaving them out keeps the runtime small enough to travel (the smoke tests below run on this very runtime).
# JNA reaches sun.misc.Unsafe (jdk.unsupported) by reflection; Kafka's client needs management and SASL.
modules=java.base,java.logging,jdk.unsupported,java.management,jdk.management,java.net.http,java.security.jgss,java.security.sasl,jdk.httpserver
jlink --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress=2 --output "$out/runtime"

cat > "$out/costline" <<'LAUNCHER'
#!/bin/sh
# costline on a host without Java: the bundled runtime and jars.
here=$(cd "$(dirname "$0")" && pwd)
exec "$here/runtime/bin/java" ${COSTLINE_JAVA_OPTS:-} -cp "$here/lib/*" costline.app.Costline "$@"
LAUNCHER
chmod +x "$out/costline"

# Smoke test with the bundled runtime against the fake NVML (two idle GPUs): proves the jar set and modules suffice.
fake=collectors/target/fake-nvml/libnvidia-ml.so.1
lines=$(FAKE_NVML_GPUS=2 "$out/costline" collect nvml --once --json --nvml-library "$PWD/$fake" --host smoke | wc -l)
if [ "$lines" != 2 ]; then
  echo "build-gpu-bundle: smoke test printed $lines samples instead of 2" >&2
  exit 1
fi
# The Kafka path on the same runtime: the producer starts (JMX, SASL, the registry client's classes load) and,
# with no broker, keeps the round in its buffer; it must not die on a missing class or module.
kafka_err=$(FAKE_NVML_GPUS=1 timeout 20 "$out/costline" collect nvml --once --nvml-library "$PWD/$fake" \
  --bootstrap-servers 127.0.0.1:9 --schema-registry-url mock://smoke 2>&1 >/dev/null || true)
if printf '%s' "$kafka_err" | grep -E "NoClassDefFoundError|ClassNotFoundException|UnsatisfiedLinkError"; then
  echo "build-gpu-bundle: the Kafka path fails on the bundled runtime" >&2
  exit 1
fi
echo "modules: $modules"
du -sh "$out/runtime" "$out/lib"
du -sh "$out"
