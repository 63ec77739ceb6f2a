package costline.app.quickstart;

import costline.app.simulate.Fleet;
import costline.app.simulate.FleetSimulator;
import costline.events.CloudPlacement;
import costline.events.CostRecord;
import costline.events.GpuSample;
import costline.events.PriceEntry;
import costline.events.Site;
import costline.events.WorkloadShare;
import costline.schemas.Names;
import costline.schemas.Topics;
import costline.schemas.registry.SchemaRegistries;
import costline.schemas.serde.AvroSerializer;
import costline.streams.cost.CostSettings;
import costline.streams.cost.PowerBounds;
import costline.streams.cost.SampleRules;
import costline.streams.prices.PriceCatalog;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;

/**
 * A seeded, property-based generator of hostile records mixed with good samples, for the whole pipeline as the
 * quickstart runs it. Good samples come from the quickstart's own fleet simulator (so the default catalog prices
 * them), in time order, some of them moved to the edge of what is valid (a name of exactly 128 code points of letters
 * from several scripts, power exactly at the model's bound, utilization 0 and 100 %, temperature at its limits, memory
 * full): they must be costed like any other. Every hostile record has a {@link Kind} and the one dead-letter reason
 * every reader must give it; the variant within its kind (which field, which value beyond which limit) is drawn from
 * the seed, so a failure is reproduced by its seed.
 */
final class HostileCorpus {

    /** Header with the record's number in the corpus: every dead-letter topic keeps the original headers. */
    static final String ID_HEADER = "corpus.id";

    /** A hostile class: the topic it is written to, and the reason every reader of that topic dead-letters it for. */
    enum Kind {
        RANDOM_BYTES(Topics.GPU_SAMPLES, "BAD_MAGIC_BYTE"),
        WRONG_MAGIC_BYTE(Topics.GPU_SAMPLES, "BAD_MAGIC_BYTE"),
        UNKNOWN_SCHEMA_ID(Topics.GPU_SAMPLES, "UNKNOWN_SCHEMA_ID"),
        SHORTER_THAN_HEADER(Topics.GPU_SAMPLES, "CORRUPT_BODY"),
        TRUNCATED_BODY(Topics.GPU_SAMPLES, "CORRUPT_BODY"),
        TRAILING_BYTES(Topics.GPU_SAMPLES, "CORRUPT_BODY"),
        PRICE_ENTRY_SCHEMA(Topics.GPU_SAMPLES, "CORRUPT_BODY"),
        COST_RECORD_SCHEMA(Topics.GPU_SAMPLES, "CORRUPT_BODY"),
        NULL_VALUE(Topics.GPU_SAMPLES, "NULL_VALUE"),
        EMPTY_VALUE(Topics.GPU_SAMPLES, "EMPTY_VALUE"),
        NAME_129_CHARS(Topics.GPU_SAMPLES, "INVALID_NAME"),
        NAME_HUGE(Topics.GPU_SAMPLES, "INVALID_NAME"),
        NAME_EMPTY(Topics.GPU_SAMPLES, "INVALID_NAME"),
        NAME_RESERVED(Topics.GPU_SAMPLES, "INVALID_NAME"),
        NAME_CONTROL_CHARS(Topics.GPU_SAMPLES, "INVALID_NAME"),
        NAME_UNICODE_FORMAT(Topics.GPU_SAMPLES, "INVALID_NAME"),
        NAME_FORMULA(Topics.GPU_SAMPLES, "INVALID_NAME"),
        NAME_PUNCTUATION(Topics.GPU_SAMPLES, "INVALID_NAME"),
        NAME_SPACES(Topics.GPU_SAMPLES, "INVALID_NAME"),
        POWER(Topics.GPU_SAMPLES, "OUT_OF_RANGE"),
        UTILIZATION(Topics.GPU_SAMPLES, "OUT_OF_RANGE"),
        INTERVAL(Topics.GPU_SAMPLES, "OUT_OF_RANGE"),
        ENERGY_COUNTER(Topics.GPU_SAMPLES, "OUT_OF_RANGE"),
        SHARES(Topics.GPU_SAMPLES, "OUT_OF_RANGE"),
        TEMPERATURE(Topics.GPU_SAMPLES, "OUT_OF_RANGE"),
        MEMORY(Topics.GPU_SAMPLES, "OUT_OF_RANGE"),
        CLOCK_OR_INDEX(Topics.GPU_SAMPLES, "OUT_OF_RANGE"),
        CLOUD_WITHOUT_PLACEMENT(Topics.GPU_SAMPLES, "MISSING_FIELD"),
        FUTURE_TIMESTAMP(Topics.GPU_SAMPLES, "FUTURE_TIMESTAMP"),
        PAST_TIMESTAMP(Topics.GPU_SAMPLES, "PAST_TIMESTAMP"),
        COST_GARBAGE(Topics.GPU_COST, "BAD_MAGIC_BYTE"),
        COST_UNKNOWN_SCHEMA_ID(Topics.GPU_COST, "UNKNOWN_SCHEMA_ID"),
        COST_SAMPLE_SCHEMA(Topics.GPU_COST, "CORRUPT_BODY"),
        COST_TRUNCATED(Topics.GPU_COST, "CORRUPT_BODY"),
        COST_NULL(Topics.GPU_COST, "NULL_VALUE"),
        COST_EMPTY(Topics.GPU_COST, "EMPTY_VALUE");

        final String topic;
        final String reason;

        Kind(String topic, String reason) {
            this.topic = topic;
            this.reason = reason;
        }
    }

    /** One record to write, in order; {@code kind} null for a good sample. */
    record Entry(int id, String topic, String key, byte[] value, long timestampMs, Kind kind) {
    }

    final long seed;
    final List<Entry> records = new ArrayList<>();
    final Map<Kind, Integer> counts = new EnumMap<>(Kind.class);
    /** Good samples, and how many of them were moved to an edge of validity. */
    int good;
    int edge;
    /** Workload names at the edge of the rule that good samples carry (they must come back unchanged). */
    final List<String> edgeNames = new ArrayList<>();

    private final Random rnd;
    private final AvroSerializer<SpecificRecord> serializer;
    private final Instant now;
    private final CostSettings limits;
    private final List<PriceEntry> prices = PriceCatalog.readDefault();

    private HostileCorpus(long seed, String registryUrl, Instant now, CostSettings limits) {
        this.seed = seed;
        this.rnd = new Random(seed);
        this.serializer = new AvroSerializer<>(SchemaRegistries.forUrl(registryUrl));
        this.now = now;
        this.limits = limits;
    }

    /**
     * About {@code total} records: 40 % good samples of the simulated fleet from the start of {@code month}, every 5
     * minutes, the rest hostile, each kind about equally often (huge names 1 in 2,000 records: each is 100,000+
     * characters), shuffled among the good ones. {@code now}: the pipeline's clock for the future and past kinds.
     */
    static HostileCorpus generate(long seed, int total, YearMonth month, String registryUrl, Instant now, CostSettings limits) {
        HostileCorpus c = new HostileCorpus(seed, registryUrl, now, limits);
        c.build(total, month);
        return c;
    }

    private void build(int total, YearMonth month) {
        Duration interval = Duration.ofMinutes(5);
        Instant start = month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        FleetSimulator fleet = new FleetSimulator(Fleet.standard(start.plus(Duration.ofDays(3))), interval, seed);
        Kind[] kinds = Kind.values();
        int hugeEvery = 2_000;
        Instant t = start;
        List<GpuSample> round = new ArrayList<>();
        int id = 0;
        while (id < total) {
            if (rnd.nextInt(100) < 40) {
                if (round.isEmpty()) {
                    t = t.plus(interval);
                    round.addAll(fleet.round(t));
                    if (!Instant.now().isAfter(t) || t.isAfter(month.atEndOfMonth().atStartOfDay(ZoneOffset.UTC).toInstant())) {
                        throw new IllegalStateException("too many records for one month of 5-minute rounds: " + total);
                    }
                }
                GpuSample s = round.remove(0);
                if (rnd.nextInt(100) < 5 && edgeOfValid(s)) {
                    edge++;
                }
                good++;
                records.add(new Entry(id++, Topics.GPU_SAMPLES, s.getGpuId(), encode(Topics.GPU_SAMPLES, s), t.toEpochMilli(), null));
            } else {
                Kind kind = (id % hugeEvery == hugeEvery - 1) ? Kind.NAME_HUGE : kinds[rnd.nextInt(kinds.length)];
                if (kind == Kind.NAME_HUGE && id % hugeEvery != hugeEvery - 1) {
                    kind = Kind.NAME_129_CHARS; // huge names only at their own rate
                }
                counts.merge(kind, 1, Integer::sum);
                String key = rnd.nextInt(10) == 0 ? null : "hostile-" + id;
                records.add(new Entry(id++, kind.topic, key, hostile(kind, t), t.toEpochMilli(), kind));
            }
        }
    }

    int hostile() {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    int hostile(String topic) {
        return counts.entrySet().stream().filter(e -> e.getKey().topic.equals(topic)).mapToInt(Map.Entry::getValue).sum();
    }

    /** Expected dead letters by reason among the records written to {@code topic}. */
    Map<String, Long> expectedByReason(String topic) {
        Map<String, Long> out = new java.util.TreeMap<>();
        counts.forEach((k, n) -> {
            if (k.topic.equals(topic)) {
                out.merge(k.reason, (long) n, Long::sum);
            }
        });
        return out;
    }

    // ---- good samples at the edge of validity ----

    private boolean edgeOfValid(GpuSample s) {
        switch (rnd.nextInt(6)) {
            case 0 -> {
                if (s.getPowerW() == null) {
                    return false;
                }
                s.setPowerW(PowerBounds.maxWatts(s.getGpuModel())); // exactly the bound: plausible
            }
            case 1 -> s.setUtilGpuPct(rnd.nextBoolean() ? 0f : 100f);
            case 2 -> {
                if (s.getWorkloads().isEmpty()) {
                    return false;
                }
                String name = edgeName();
                edgeNames.add(name);
                s.setWorkloads(List.of(WorkloadShare.newBuilder(s.getWorkloads().get(0)).setWorkload(name).build()));
            }
            case 3 -> s.setTempC(rnd.nextBoolean() ? SampleRules.MIN_TEMP_C : SampleRules.MAX_TEMP_C);
            case 4 -> {
                if (s.getMemTotalBytes() == null) {
                    return false;
                }
                s.setMemUsedBytes(s.getMemTotalBytes());
            }
            default -> s.setSmClockMhz(rnd.nextBoolean() ? 0 : SampleRules.MAX_SM_CLOCK_MHZ);
        }
        return true;
    }

    /** Exactly 128 code points: letters of several scripts (one outside the BMP), digits, every allowed punctuation. */
    private String edgeName() {
        String[] parts = {"édge", "日本語", "Ωμέγα", "\uD835\uDC00", "wörk", "9", "-", "_", ".", ":", "/", "@", "+", "#", "(", ")", " "};
        StringBuilder b = new StringBuilder("e").append(Integer.toString(rnd.nextInt(1_000_000), 36));
        while (b.codePointCount(0, b.length()) < Names.MAX_LENGTH) {
            String p = parts[rnd.nextInt(parts.length)];
            if (!(p.equals(" ") && b.charAt(b.length() - 1) == ' ')) {
                b.append(p);
            }
        }
        String name = b.substring(0, b.offsetByCodePoints(0, Names.MAX_LENGTH - 1)) + "x"; // never ends with a space
        String why = Names.check(Names.Kind.WORKLOAD, name);
        if (why != null || name.codePointCount(0, name.length()) != Names.MAX_LENGTH) {
            throw new IllegalStateException("edge name not valid: " + why);
        }
        return name;
    }

    // ---- hostile records ----

    private byte[] hostile(Kind kind, Instant t) {
        return switch (kind) {
            case RANDOM_BYTES, COST_GARBAGE -> {
                byte[] b = new byte[1 + rnd.nextInt(300)];
                rnd.nextBytes(b);
                b[0] = (byte) (1 + rnd.nextInt(255));
                yield b;
            }
            case WRONG_MAGIC_BYTE -> {
                byte[] b = encode(Topics.GPU_SAMPLES, valid(t));
                b[0] = (byte) (1 + rnd.nextInt(255));
                yield b;
            }
            case UNKNOWN_SCHEMA_ID -> withSchemaId(encode(Topics.GPU_SAMPLES, valid(t)));
            case COST_UNKNOWN_SCHEMA_ID -> withSchemaId(encode(Topics.GPU_COST, cost(t)));
            case SHORTER_THAN_HEADER -> Arrays.copyOf(new byte[] {0, 0, 0, 0}, 1 + rnd.nextInt(4));
            case TRUNCATED_BODY -> {
                byte[] b = encode(Topics.GPU_SAMPLES, valid(t));
                yield Arrays.copyOf(b, 5 + rnd.nextInt(b.length - 5));
            }
            case COST_TRUNCATED -> {
                byte[] b = encode(Topics.GPU_COST, cost(t));
                yield Arrays.copyOf(b, 5 + rnd.nextInt(b.length - 5));
            }
            case TRAILING_BYTES -> {
                byte[] b = encode(Topics.GPU_SAMPLES, valid(t));
                byte[] more = Arrays.copyOf(b, b.length + 1 + rnd.nextInt(16));
                yield more;
            }
            case PRICE_ENTRY_SCHEMA -> encode(Topics.GPU_PRICES, prices.get(rnd.nextInt(prices.size())));
            case COST_RECORD_SCHEMA -> encode(Topics.GPU_COST, cost(t));
            case COST_SAMPLE_SCHEMA -> encode(Topics.GPU_SAMPLES, valid(t));
            case NULL_VALUE, COST_NULL -> null;
            case EMPTY_VALUE, COST_EMPTY -> new byte[0];
            default -> encode(Topics.GPU_SAMPLES, invalidSample(kind, t));
        };
    }

    private byte[] withSchemaId(byte[] b) {
        ByteBuffer.wrap(b).putInt(1, 1_000_000 + rnd.nextInt(1_000_000)); // no registry holds that many schemas
        return b;
    }

    private byte[] encode(String subjectTopic, SpecificRecord r) {
        return serializer.serialize(subjectTopic, r);
    }

    /** A valid on-prem or cloud sample (its validity is checked): the base of every hostile sample. */
    private GpuSample valid(Instant t) {
        GpuSample s;
        if (rnd.nextBoolean()) {
            s = GpuSample.newBuilder().setSampleTime(t).setIntervalMs(300_000).setSource(costline.events.Source.NVML)
                    .setSite(Site.ONPREM).setHost("gpu-node-" + rnd.nextInt(100)).setGpuId("GPU-hostile-" + rnd.nextInt(1000))
                    .setGpuIndex(rnd.nextInt(8)).setGpuModel(Fleet.H100).setUtilGpuPct(50f).setPowerW(400f).setTempC(50)
                    .setMemUsedBytes(1L << 30).setMemTotalBytes(80L << 30).setSmClockMhz(1500)
                    .setWorkloads(List.of(WorkloadShare.newBuilder().setWorkload("train-" + rnd.nextInt(50)).setTeam("ml").setShare(1f).build()))
                    .build();
        } else {
            s = GpuSample.newBuilder().setSampleTime(t).setIntervalMs(300_000).setSource(costline.events.Source.CLOUDWATCH)
                    .setSite(Site.CLOUD).setHost("ip-10-0-3-" + rnd.nextInt(250)).setGpuId("i-0hostile" + rnd.nextInt(1000) + "/0")
                    .setGpuIndex(0).setGpuModel(Fleet.A100)
                    .setCloud(CloudPlacement.newBuilder().setProvider("aws").setRegion("us-east-1").setInstanceType("p4d.24xlarge")
                            .setInstanceId("i-0hostile" + rnd.nextInt(1000)).build())
                    .setUtilGpuPct(50f)
                    .setWorkloads(List.of(WorkloadShare.newBuilder().setWorkload("serve-" + rnd.nextInt(50)).setTeam("ads").setShare(1f).build()))
                    .build();
        }
        SampleRules.Problem p = SampleRules.check(s, now.toEpochMilli(), limits.maxIntervalMs(), limits.maxFutureMs(), limits.maxAgeMs());
        if (p != null) {
            throw new IllegalStateException("the base sample is not valid: " + p);
        }
        return s;
    }

    private CostRecord cost(Instant t) {
        return CostRecord.newBuilder().setWorkload("train-" + rnd.nextInt(50)).setTeam("ml").setSite(Site.CLOUD)
                .setGpuModel(Fleet.A100).setWindowStart(t).setWindowEnd(t.plusSeconds(60)).setGpuMs(60_000).setBusyGpuMs(30_000)
                .setCostMicroUsd(45_750).setIdleMicroUsd(0).setEnergyMj(0).setSamples(1).setRevision(0).build();
    }

    /** A schema-valid sample that breaks exactly one rule of {@code kind}. */
    private GpuSample invalidSample(Kind kind, Instant t) {
        GpuSample s = valid(t);
        switch (kind) {
            case NAME_129_CHARS -> {
                String long129 = pick("x", "日", "\uD835\uDC00", "a-").repeat(129);
                name(s, long129.substring(0, long129.offsetByCodePoints(0, Names.MAX_LENGTH + 1))); // one over the limit
            }
            case NAME_HUGE -> name(s, "w".repeat(100_000 + rnd.nextInt(50_000)));
            case NAME_EMPTY -> name(s, "");
            case NAME_RESERVED -> {
                String r = pick(Topics.FLEET, Topics.UNALLOCATED, Topics.UNOBSERVED, Topics.OVERFLOW);
                String cased = rnd.nextBoolean() ? r.toUpperCase(Locale.ROOT)
                        : Character.toUpperCase(r.charAt(0)) + r.substring(1);
                if (r.equals(Topics.FLEET) || rnd.nextBoolean()) {
                    cased = r; // as written, and *fleet* in any case is refused for its '*' as well
                }
                if (cased.equals(Topics.UNALLOCATED)) {
                    // the collectors' marker of a GPU with no process is exactly this with no team and no pid: not it
                    s.setWorkloads(List.of(WorkloadShare.newBuilder().setWorkload(cased).setTeam("ml").setShare(1f).build()));
                } else {
                    name(s, cased);
                }
            }
            case NAME_CONTROL_CHARS -> name(s, "job" + pick("\n", "\r", "\t", "\u0000", "\u0007", "\u001b[31m", "\u007f", "\u0085", "\u2028")
                    + "x");
            case NAME_UNICODE_FORMAT -> name(s, "job" + pick("\u202e", "\u200b", "\ufeff", "\u200d", "\ud800", "\udfff", "\u2066")
                    + "x");
            case NAME_FORMULA -> name(s, pick("-", "+", "@", "=") + pick("cmd|' /C calc'!A0", "SUM(1+1)", "job", "1"));
            case NAME_PUNCTUATION -> name(s, "d" + pick("\\", "\"", ",", "*", "=", ";", "'", "<", ">", "|", "%", "$", "`", "{") + "e");
            case NAME_SPACES -> name(s, pick(" job", "job ", "jo  b", "\u00a0job"));
            case POWER -> {
                s.setSite(Site.ONPREM);
                s.setCloud(null);
                s.setGpuModel(Fleet.H100);
                s.setPowerW(pick(Math.nextUp(PowerBounds.maxWatts(Fleet.H100)), 1e9f, Float.POSITIVE_INFINITY,
                        Float.NEGATIVE_INFINITY, Float.NaN, -1f, -0.5f, Float.MAX_VALUE));
            }
            case UTILIZATION -> {
                Float v = pick(-0.001f, 100.001f, Float.NaN, Float.POSITIVE_INFINITY, -1e30f, 1e30f);
                if (rnd.nextBoolean()) {
                    s.setUtilGpuPct(v);
                } else {
                    s.setUtilMemPct(v);
                }
            }
            case INTERVAL -> s.setIntervalMs(pick(0L, -1L, -300_000L, Long.MIN_VALUE, limits.maxIntervalMs() + 1, Long.MAX_VALUE));
            case ENERGY_COUNTER -> s.setEnergyCounterMj(pick(-1L, Long.MIN_VALUE, -(1L << 40)));
            case SHARES -> s.setWorkloads(pick(
                    List.of(share("a", 1.01f)), List.of(share("a", -0.1f)), List.of(share("a", Float.NaN)),
                    List.of(share("a", 0.6f), share("b", 0.6f)), List.of(share("a", Float.POSITIVE_INFINITY))));
            case TEMPERATURE -> s.setTempC(pick(SampleRules.MIN_TEMP_C - 1, SampleRules.MAX_TEMP_C + 1, -273, 10_000,
                    Integer.MIN_VALUE, Integer.MAX_VALUE));
            case MEMORY -> {
                switch (rnd.nextInt(3)) {
                    case 0 -> s.setMemUsedBytes(-1L);
                    case 1 -> s.setMemTotalBytes(Long.MIN_VALUE);
                    default -> {
                        s.setMemTotalBytes(80L << 30);
                        s.setMemUsedBytes((80L << 30) + 1);
                    }
                }
            }
            case CLOCK_OR_INDEX -> {
                if (rnd.nextBoolean()) {
                    s.setSmClockMhz(pick(-1, SampleRules.MAX_SM_CLOCK_MHZ + 1, Integer.MAX_VALUE, Integer.MIN_VALUE));
                } else {
                    s.setGpuIndex(pick(-1, Integer.MIN_VALUE));
                }
            }
            case CLOUD_WITHOUT_PLACEMENT -> {
                s.setSite(Site.CLOUD);
                s.setCloud(null);
                s.setPowerW(null);
            }
            case FUTURE_TIMESTAMP -> s.setSampleTime(pick(
                    now.plusMillis(limits.maxFutureMs() + 60_000 + rnd.nextInt(48 * 3_600_000)),
                    Instant.parse("2100-01-01T00:00:00Z"), Instant.ofEpochMilli(Long.MAX_VALUE)));
            case PAST_TIMESTAMP -> s.setSampleTime(pick(
                    now.minusMillis(limits.maxAgeMs() + 60_000 + rnd.nextInt(1_000_000_000)),
                    Instant.EPOCH, Instant.parse("1970-01-01T00:00:10Z"), Instant.ofEpochMilli(-1), Instant.ofEpochMilli(Long.MIN_VALUE)));
            default -> throw new IllegalArgumentException(kind.name());
        }
        return s;
    }

    private static WorkloadShare share(String workload, float share) {
        return WorkloadShare.newBuilder().setWorkload(workload).setTeam("ml").setShare(share).build();
    }

    /** Puts {@code name} into one of the sample's name fields, drawn at random. */
    private void name(GpuSample s, String name) {
        List<Consumer<String>> fields = new ArrayList<>(List.of(s::setGpuId, s::setHost, s::setGpuModel,
                n -> s.setWorkloads(List.of(WorkloadShare.newBuilder(s.getWorkloads().get(0)).setWorkload(n).build())),
                n -> s.setWorkloads(List.of(WorkloadShare.newBuilder(s.getWorkloads().get(0)).setTeam(n).build()))));
        if (s.getCloud() != null) {
            fields.add(n -> s.getCloud().setInstanceId(n));
            fields.add(n -> s.getCloud().setRegion(n));
            fields.add(n -> s.getCloud().setInstanceType(n));
        }
        fields.get(rnd.nextInt(fields.size())).accept(name);
    }

    @SafeVarargs
    private <T> T pick(T... options) {
        return options[rnd.nextInt(options.length)];
    }

    @Override
    public String toString() {
        return "hostile corpus seed " + seed + ": " + records.size() + " records, " + good + " good samples (" + edge
                + " at an edge of validity), " + hostile() + " hostile " + counts;
    }

    static String utf8(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }
}
