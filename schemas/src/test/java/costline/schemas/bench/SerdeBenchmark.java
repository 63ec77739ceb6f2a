package costline.schemas.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import costline.events.GpuSample;
import costline.schemas.SampleEvents;
import costline.schemas.registry.InMemorySchemaRegistry;
import costline.schemas.serde.AvroDeserializer;
import costline.schemas.serde.AvroSerializer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Encoded size of a typical GpuSample and the serde's encode + decode throughput on one thread, beside a JSON
 * baseline (Jackson, the same fields as a map) measured in the same run.
 *
 * <pre>
 * mvn -q -pl schemas -am test-compile -DskipTests
 * mvn -q -pl schemas exec:java -Dexec.classpathScope=test -Dexec.mainClass=costline.schemas.bench.SerdeBenchmark
 * </pre>
 */
public final class SerdeBenchmark {

    private static final int SAMPLES = 1024;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        AvroSerializer<GpuSample> serializer = new AvroSerializer<>(registry);
        AvroDeserializer<GpuSample> deserializer = new AvroDeserializer<>(registry, GpuSample.class);
        ObjectMapper json = new ObjectMapper();

        GpuSample[] samples = new GpuSample[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            samples[i] = SampleEvents.onPremSample(i);
        }
        byte[] avro = serializer.serialize("gpu.samples", samples[0]);
        byte[] asJson = json.writeValueAsBytes(asMap(samples[0]));
        System.out.printf("typical on-prem GpuSample, one workload: %d bytes framed (5-byte header + %d Avro), JSON %d bytes%n",
                avro.length, avro.length - 5, asJson.length);
        System.out.printf("cloud GpuSample (mostly nulls, no workload): %d bytes framed%n",
                serializer.serialize("gpu.samples", SampleEvents.cloudSample()).length);

        // What the broker stores: Kafka compresses whole batches, where the repeated strings (GPU id, model,
        // host, workload) mostly vanish. A batch of 1,000 samples from 8 GPUs of one host, as a producer sends it.
        // Readings vary like real ones (seeded noise), so compression is not flattered by repeated values.
        java.util.Random noise = new java.util.Random(42);
        java.io.ByteArrayOutputStream batch = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < 1000; i++) {
            GpuSample s = SampleEvents.onPremSample(i);
            s.setGpuId(s.getGpuId().substring(0, 38) + (i % 8) + "" + (i % 8));
            s.setUtilGpuPct((float) Math.min(100, Math.max(0, 85 + noise.nextGaussian() * 8)));
            s.setUtilMemPct((float) Math.min(100, Math.max(0, 40 + noise.nextGaussian() * 5)));
            s.setPowerW((float) (550 + noise.nextGaussian() * 60));
            s.setMemUsedBytes(60_000_000_000L + noise.nextInt(1_000_000_000));
            s.setTempC(50 + noise.nextInt(8));
            s.setSmClockMhz(1700 + noise.nextInt(280));
            batch.writeBytes(serializer.serialize("gpu.samples", s));
        }
        byte[] raw = batch.toByteArray();
        java.io.ByteArrayOutputStream lz4 = new java.io.ByteArrayOutputStream();
        try (var out = new net.jpountz.lz4.LZ4FrameOutputStream(lz4)) {
            out.write(raw);
        }
        byte[] zstd = com.github.luben.zstd.Zstd.compress(raw, 3);
        System.out.printf("batch of 1,000 samples (8 GPUs): %.1f bytes/sample raw, %.1f lz4, %.1f zstd%n",
                raw.length / 1000.0, lz4.size() / 1000.0, zstd.length / 1000.0);

        // Warm-up, then measure CPU time of this thread so other load on the machine counts less.
        for (int round = 0; round < 2; round++) {
            boolean report = round == 1;
            long avroOps = run(seconds, i -> {
                byte[] b = serializer.serialize("gpu.samples", samples[i & (SAMPLES - 1)]);
                return deserializer.deserialize("gpu.samples", b).getGpuIndex();
            }, report, "avro serde encode+decode");
            Map<?, ?>[] maps = new Map<?, ?>[SAMPLES];
            for (int i = 0; i < SAMPLES; i++) {
                maps[i] = asMap(samples[i]);
            }
            long jsonOps = run(seconds, i -> {
                byte[] b = json.writeValueAsBytes(maps[i & (SAMPLES - 1)]);
                return json.readValue(b, Map.class).size();
            }, report, "json baseline encode+decode");
            if (report) {
                System.out.printf("ratio avro/json throughput: %.2f%n", (double) avroOps / jsonOps);
                System.out.printf(java.util.Locale.ROOT, "serde: %d round trips per CPU-second (%.2f of JSON's %d; %d bytes a sample)%n",
                        avroOps, (double) avroOps / jsonOps, jsonOps, avro.length);
            }
        }
    }

    interface Op {
        int apply(int i) throws Exception;
    }

    private static long run(int seconds, Op op, boolean report, String name) throws Exception {
        long cpuStart = THREADS.getCurrentThreadCpuTime();
        long wallStart = System.nanoTime();
        long deadline = wallStart + seconds * 1_000_000_000L;
        long ops = 0;
        int sink = 0;
        while (System.nanoTime() < deadline) {
            for (int k = 0; k < 1000; k++) {
                sink += op.apply((int) ops++);
            }
        }
        double cpuSeconds = (THREADS.getCurrentThreadCpuTime() - cpuStart) / 1e9;
        double perSecond = ops / cpuSeconds;
        if (report) {
            System.out.printf("%-30s %,12.0f round trips per CPU-second (%.2f us each; %,d ops, wall %.1f s) [%d]%n",
                    name, perSecond, 1e6 / perSecond, ops, (System.nanoTime() - wallStart) / 1e9, sink & 1);
        }
        return (long) perSecond;
    }

    private static Map<String, Object> asMap(GpuSample s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sample_time", s.getSampleTime().toEpochMilli());
        m.put("interval_ms", s.getIntervalMs());
        m.put("source", s.getSource().name());
        m.put("site", s.getSite().name());
        m.put("host", s.getHost());
        m.put("gpu_id", s.getGpuId());
        m.put("gpu_index", s.getGpuIndex());
        m.put("gpu_model", s.getGpuModel());
        m.put("util_gpu_pct", s.getUtilGpuPct());
        m.put("util_mem_pct", s.getUtilMemPct());
        m.put("mem_used_bytes", s.getMemUsedBytes());
        m.put("mem_total_bytes", s.getMemTotalBytes());
        m.put("power_w", s.getPowerW());
        m.put("temp_c", s.getTempC());
        m.put("sm_clock_mhz", s.getSmClockMhz());
        m.put("health", Map.of("state", s.getHealth().getState().name()));
        m.put("workloads", s.getWorkloads().stream()
                .map(w -> Map.of("workload", w.getWorkload(), "team", w.getTeam(), "share", w.getShare(), "pid", w.getPid()))
                .toList());
        return m;
    }
}
